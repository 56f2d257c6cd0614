package vrrec

import (
	"context"
	"time"
)

// Role is what a staff member may do. Each role may do everything the
// roles before it may.
type Role string

// Staff roles, least to most.
const (
	// RoleViewer reads the dashboard, the logs and the reports.
	RoleViewer Role = "viewer"
	// RoleEditor also makes catalog drafts, runs jobs, labels queries and
	// adds demand topics.
	RoleEditor Role = "editor"
	// RoleAdmin also changes settings and keys, publishes and rolls back
	// catalogs, manages staff accounts and exports or deletes a student's
	// data.
	RoleAdmin Role = "admin"
)

// Roles lists the roles, least to most.
var Roles = []Role{RoleViewer, RoleEditor, RoleAdmin}

func (r Role) rank() int {
	for i, x := range Roles {
		if x == r {
			return i + 1
		}
	}
	return 0
}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return r.rank() > 0 }

// AtLeast reports whether r may do what min may; an unknown role may do
// nothing.
func (r Role) AtLeast(min Role) bool { return r.Valid() && r.rank() >= min.rank() }

// ParseRole returns the role named s: EINVALID for anything else.
func ParseRole(s string) (Role, error) {
	if r := Role(s); r.Valid() {
		return r, nil
	}
	return "", Errorf(EINVALID, "Unknown role %q: want viewer, editor or admin", s)
}

// StaffMember is a person who signs in to the staff pages.
type StaffMember struct {
	ID string `json:"id"`
	// Email is how the person signs in and how the audit trail names them;
	// stored in lower case, unique.
	Email      string    `json:"email"`
	Name       string    `json:"name"`
	Role       Role      `json:"role"`
	CreatedAt  time.Time `json:"created_at"`
	LastSignIn time.Time `json:"last_sign_in,omitzero"`
	Disabled   bool      `json:"disabled"`
	// SSO is true for an account made by a single sign-on.
	SSO bool `json:"sso"`
	// PasswordHash is the argon2id hash of the local password; empty for
	// an account that signs in only through single sign-on.
	PasswordHash string `json:"-"`
	// SessionsNotBefore ends every session of the member issued before it:
	// a sign-out, a password reset or disabling sets it.
	SessionsNotBefore time.Time `json:"-"`
}

// StaffUpdate changes the fields of a staff member that are set.
type StaffUpdate struct {
	Name              *string
	Role              *Role
	Disabled          *bool
	PasswordHash      *string
	LastSignIn        *time.Time
	SessionsNotBefore *time.Time
}

// StaffStore keeps staff accounts. Errors other than those named mean the
// store could not be reached.
type StaffStore interface {
	// AddStaff stores a new member; ECONFLICT when the id or the email is
	// taken.
	AddStaff(ctx context.Context, m StaffMember) error
	// StaffMember returns the member of that id; ENOTFOUND when none.
	StaffMember(ctx context.Context, id string) (StaffMember, error)
	// StaffByEmail returns the member of that (lower-case) email;
	// ENOTFOUND when none.
	StaffByEmail(ctx context.Context, email string) (StaffMember, error)
	// StaffMembers returns every member, by email.
	StaffMembers(ctx context.Context) ([]StaffMember, error)
	// UpdateStaff changes a member and returns it as stored; ENOTFOUND
	// when there is none of that id.
	UpdateStaff(ctx context.Context, id string, u StaffUpdate) (StaffMember, error)
}

// SignOn is a person an identity provider signed in (single sign-on) and
// the sign-in policy let in.
type SignOn struct {
	Email, Name string
	Role        Role
	// RoleFromClaim says the role came from the provider's groups: the
	// account takes it at every sign-in, so the provider decides.
	RoleFromClaim bool
}

type staffKey struct{}

// WithStaff returns ctx carrying the signed-in staff member.
func WithStaff(ctx context.Context, m StaffMember) context.Context {
	return context.WithValue(ctx, staffKey{}, m)
}

// StaffFrom returns the staff member ctx carries, if any.
func StaffFrom(ctx context.Context) (StaffMember, bool) {
	m, ok := ctx.Value(staffKey{}).(StaffMember)
	return m, ok
}
