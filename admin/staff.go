package admin

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vrrec/vrrec"
)

// Password bounds for staff accounts. The upper bound keeps one hash cheap
// enough to bound (see ConcurrentChecks).
const (
	MinPasswordLength = 12
	MaxPasswordLength = 1024
)

// BootstrapID is the staff id of the admin ADMIN_PASSWORD_HASH signs in:
// it signs in with the name "admin" (or none) and that password.
const BootstrapID = "admin"

// Accounts adds and changes staff accounts (vrrec staff, the staff page,
// a first single sign-on).
type Accounts struct {
	store vrrec.StaffStore
	now   func() time.Time
}

// NewAccounts returns the staff accounts kept in store.
func NewAccounts(store vrrec.StaffStore) *Accounts {
	return &Accounts{store: store, now: time.Now}
}

// NormalizeEmail returns email in lower case without surrounding space;
// EINVALID when it is not one address.
func NormalizeEmail(email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	if a, err := mail.ParseAddress(e); err != nil || a.Address != e || len(e) > 254 {
		return "", vrrec.Errorf(vrrec.EINVALID, "%q is not an email address", email)
	}
	return e, nil
}

func checkPassword(password string) error {
	switch n := utf8.RuneCountInString(password); {
	case n < MinPasswordLength:
		return vrrec.Errorf(vrrec.EINVALID, "The password is too short: at least %d characters", MinPasswordLength)
	case len(password) > MaxPasswordLength:
		return vrrec.Errorf(vrrec.EINVALID, "The password is too long: at most %d bytes", MaxPasswordLength)
	}
	return nil
}

func cleanName(name, email string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	if utf8.RuneCountInString(name) > 100 || strings.ContainsFunc(name, func(r rune) bool { return r < ' ' }) {
		return "", vrrec.Errorf(vrrec.EINVALID, "A display name is one line of at most 100 characters")
	}
	return name, nil
}

func newStaffID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Add creates a local account. An empty password makes an account that
// signs in only through single sign-on.
func (a *Accounts) Add(ctx context.Context, email, name string, role vrrec.Role, password string) (vrrec.StaffMember, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return vrrec.StaffMember{}, err
	}
	if name, err = cleanName(name, email); err != nil {
		return vrrec.StaffMember{}, err
	}
	if !role.Valid() {
		_, err := vrrec.ParseRole(string(role))
		return vrrec.StaffMember{}, err
	}
	m := vrrec.StaffMember{ID: newStaffID(), Email: email, Name: name, Role: role, CreatedAt: a.now().UTC()}
	if password != "" {
		if err := checkPassword(password); err != nil {
			return vrrec.StaffMember{}, err
		}
		if m.PasswordHash, err = Hash(password); err != nil {
			return vrrec.StaffMember{}, err
		}
	}
	if err := a.store.AddStaff(ctx, m); err != nil {
		return vrrec.StaffMember{}, vrrec.Unavailable(err, "Staff accounts are unavailable: the database does not answer")
	}
	return m, nil
}

// List returns every account, by email.
func (a *Accounts) List(ctx context.Context) ([]vrrec.StaffMember, error) {
	list, err := a.store.StaffMembers(ctx)
	return list, vrrec.Unavailable(err, "Staff accounts are unavailable: the database does not answer")
}

// Find returns the account of an id or an email.
func (a *Accounts) Find(ctx context.Context, idOrEmail string) (vrrec.StaffMember, error) {
	var m vrrec.StaffMember
	var err error
	if strings.Contains(idOrEmail, "@") {
		m, err = a.store.StaffByEmail(ctx, strings.ToLower(strings.TrimSpace(idOrEmail)))
	} else {
		m, err = a.store.StaffMember(ctx, idOrEmail)
	}
	return m, vrrec.Unavailable(err, "Staff accounts are unavailable: the database does not answer")
}

// SetRole changes an account's role; it applies to the member's next
// request on every instance.
func (a *Accounts) SetRole(ctx context.Context, id string, role vrrec.Role) (vrrec.StaffMember, error) {
	if !role.Valid() {
		_, err := vrrec.ParseRole(string(role))
		return vrrec.StaffMember{}, err
	}
	return a.update(ctx, id, vrrec.StaffUpdate{Role: &role})
}

// SetDisabled disables an account, ending its sessions, or enables it
// again.
func (a *Accounts) SetDisabled(ctx context.Context, id string, disabled bool) (vrrec.StaffMember, error) {
	u := vrrec.StaffUpdate{Disabled: &disabled}
	if disabled {
		now := a.now().UTC()
		u.SessionsNotBefore = &now
	}
	return a.update(ctx, id, u)
}

// SetPassword sets a new local password and ends the account's sessions.
func (a *Accounts) SetPassword(ctx context.Context, id, password string) (vrrec.StaffMember, error) {
	if err := checkPassword(password); err != nil {
		return vrrec.StaffMember{}, err
	}
	if id == BootstrapID {
		return vrrec.StaffMember{}, vrrec.Errorf(vrrec.EINVALID, "The bootstrap admin's password is ADMIN_PASSWORD_HASH: change it there")
	}
	hash, err := Hash(password)
	if err != nil {
		return vrrec.StaffMember{}, err
	}
	now := a.now().UTC()
	return a.update(ctx, id, vrrec.StaffUpdate{PasswordHash: &hash, SessionsNotBefore: &now})
}

func (a *Accounts) update(ctx context.Context, id string, u vrrec.StaffUpdate) (vrrec.StaffMember, error) {
	m, err := a.store.UpdateStaff(ctx, id, u)
	return m, vrrec.Unavailable(err, "Staff accounts are unavailable: the database does not answer; nothing was changed")
}

// SignInSSO returns the account of a person the identity provider signed
// in, creating it at their first sign-in with role. When syncRole is set
// (a role claim is configured) an existing account takes role too: the
// provider's groups decide.
func (a *Accounts) SignInSSO(ctx context.Context, email, name string, role vrrec.Role, syncRole bool) (vrrec.StaffMember, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return vrrec.StaffMember{}, err
	}
	m, err := a.store.StaffByEmail(ctx, email)
	switch {
	case err == nil:
		if syncRole && m.Role != role {
			return a.SetRole(ctx, m.ID, role)
		}
		return m, nil
	case vrrec.ErrorCode(err) != vrrec.ENOTFOUND:
		return m, vrrec.Unavailable(err, "Staff accounts are unavailable: the database does not answer")
	}
	if name, err = cleanName(name, email); err != nil {
		name, _, _ = strings.Cut(email, "@")
	}
	m = vrrec.StaffMember{ID: newStaffID(), Email: email, Name: name, Role: role, SSO: true, CreatedAt: a.now().UTC()}
	if err := a.store.AddStaff(ctx, m); vrrec.ErrorCode(err) == vrrec.ECONFLICT {
		// Signed in twice at once: the other sign-in made the account.
		return a.Find(ctx, email)
	} else if err != nil {
		return m, vrrec.Unavailable(err, "Staff accounts are unavailable: the database does not answer")
	}
	return m, nil
}
