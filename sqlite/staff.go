package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vrrec/vrrec"
)

const staffColumns = `id, email, name, role, password_hash, sso, created_at, last_sign_in, disabled, sessions_not_before`

// AddStaff implements vrrec.StaffStore.
func (d *DB) AddStaff(ctx context.Context, m vrrec.StaffMember) error {
	_, err := d.db.ExecContext(ctx, `INSERT INTO staff (`+staffColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ID, m.Email, m.Name, string(m.Role), m.PasswordHash, m.SSO, m.CreatedAt.UnixNano(), unixNano(m.LastSignIn), m.Disabled, unixNano(m.SessionsNotBefore))
	if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return vrrec.Errorf(vrrec.ECONFLICT, "A staff account for %s already exists", m.Email)
	}
	if err != nil {
		return fmt.Errorf("add staff: %w", err)
	}
	return nil
}

// StaffMember implements vrrec.StaffStore.
func (d *DB) StaffMember(ctx context.Context, id string) (vrrec.StaffMember, error) {
	return d.oneStaff(ctx, `id = ?`, id)
}

// StaffByEmail implements vrrec.StaffStore.
func (d *DB) StaffByEmail(ctx context.Context, email string) (vrrec.StaffMember, error) {
	return d.oneStaff(ctx, `email = ?`, email)
}

func (d *DB) oneStaff(ctx context.Context, where, arg string) (vrrec.StaffMember, error) {
	m, err := scanStaff(d.db.QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return m, vrrec.Errorf(vrrec.ENOTFOUND, "No staff account %s", arg)
	}
	if err != nil {
		return m, fmt.Errorf("staff: %w", err)
	}
	return m, nil
}

// StaffMembers implements vrrec.StaffStore.
func (d *DB) StaffMembers(ctx context.Context) ([]vrrec.StaffMember, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT `+staffColumns+` FROM staff ORDER BY email`)
	if err != nil {
		return nil, fmt.Errorf("staff: %w", err)
	}
	defer rows.Close()
	out := []vrrec.StaffMember{}
	for rows.Next() {
		m, err := scanStaff(rows)
		if err != nil {
			return nil, fmt.Errorf("staff: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// UpdateStaff implements vrrec.StaffStore.
func (d *DB) UpdateStaff(ctx context.Context, id string, u vrrec.StaffUpdate) (vrrec.StaffMember, error) {
	var set []string
	var args []any
	add := func(col string, v any) { set, args = append(set, col+" = ?"), append(args, v) }
	if u.Name != nil {
		add("name", *u.Name)
	}
	if u.Role != nil {
		add("role", string(*u.Role))
	}
	if u.Disabled != nil {
		add("disabled", *u.Disabled)
	}
	if u.PasswordHash != nil {
		add("password_hash", *u.PasswordHash)
	}
	if u.LastSignIn != nil {
		add("last_sign_in", unixNano(*u.LastSignIn))
	}
	if u.SessionsNotBefore != nil {
		add("sessions_not_before", unixNano(*u.SessionsNotBefore))
	}
	if len(set) > 0 {
		res, err := d.db.ExecContext(ctx, `UPDATE staff SET `+strings.Join(set, ", ")+` WHERE id = ?`, append(args, id)...)
		if err != nil {
			return vrrec.StaffMember{}, fmt.Errorf("update staff: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return vrrec.StaffMember{}, vrrec.Errorf(vrrec.ENOTFOUND, "No staff account %s", id)
		}
	}
	return d.StaffMember(ctx, id)
}

type scanner interface{ Scan(dest ...any) error }

func scanStaff(row scanner) (vrrec.StaffMember, error) {
	var m vrrec.StaffMember
	var role string
	var created, last, notBefore int64
	if err := row.Scan(&m.ID, &m.Email, &m.Name, &role, &m.PasswordHash, &m.SSO, &created, &last, &m.Disabled, &notBefore); err != nil {
		return m, err
	}
	m.Role, m.CreatedAt, m.LastSignIn, m.SessionsNotBefore = vrrec.Role(role), fromUnixNano(created), fromUnixNano(last), fromUnixNano(notBefore)
	return m, nil
}

// unixNano stores a time; the zero time is 0.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromUnixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
