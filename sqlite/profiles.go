package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vrrec/vrrec"
)

// Profile implements vrrec.ProfileStore.
func (d *DB) Profile(ctx context.Context, userID string) (vrrec.Profile, vrrec.Visit, error) {
	var p vrrec.Profile
	var v vrrec.Visit
	var profile, visit string
	err := d.db.QueryRowContext(ctx, `SELECT profile, visit FROM profiles WHERE user_id = ?`, userID).Scan(&profile, &visit)
	if errors.Is(err, sql.ErrNoRows) {
		return p, v, nil
	}
	if err != nil {
		return p, v, fmt.Errorf("profile: %w", err)
	}
	if err := errors.Join(json.Unmarshal([]byte(profile), &p), json.Unmarshal([]byte(visit), &v)); err != nil {
		return p, v, fmt.Errorf("profile of %s: %w", userID, err)
	}
	return p, v, nil
}

// SaveProfile implements vrrec.ProfileStore.
func (d *DB) SaveProfile(ctx context.Context, userID string, p vrrec.Profile) error {
	doc := []byte("{}")
	if p.Stated() {
		doc, _ = json.Marshal(p)
	}
	if _, err := d.db.ExecContext(ctx, `INSERT INTO profiles (user_id, profile, touched_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET profile = excluded.profile, touched_at = MAX(touched_at, excluded.touched_at)`,
		userID, string(doc), touched(p.UpdatedAt)); err != nil {
		return fmt.Errorf("save profile: %w", err)
	}
	return nil
}

// SaveVisit implements vrrec.ProfileStore. The visit before is read and
// the new one written in one transaction, so two tabs opening at once
// cannot both see the same visit as the last.
func (d *DB) SaveVisit(ctx context.Context, userID string, v vrrec.Visit) (vrrec.Visit, error) {
	doc, _ := json.Marshal(v)
	var prev vrrec.Visit
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return prev, fmt.Errorf("save visit: %w", err)
	}
	defer tx.Rollback()
	var old string
	if err := tx.QueryRowContext(ctx, `SELECT visit FROM profiles WHERE user_id = ?`, userID).Scan(&old); err == nil {
		_ = json.Unmarshal([]byte(old), &prev)
	} else if !errors.Is(err, sql.ErrNoRows) {
		return prev, fmt.Errorf("save visit: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO profiles (user_id, visit, touched_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET visit = excluded.visit, touched_at = MAX(touched_at, excluded.touched_at)`,
		userID, string(doc), touched(v.At)); err != nil {
		return prev, fmt.Errorf("save visit: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return prev, fmt.Errorf("save visit: %w", err)
	}
	return prev, nil
}

// ForgetProfile implements vrrec.ProfileStore.
func (d *DB) ForgetProfile(ctx context.Context, userID string) (int, error) {
	res, err := d.db.ExecContext(ctx, `DELETE FROM profiles WHERE user_id = ?`, userID)
	if err != nil {
		return 0, fmt.Errorf("forget profile: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// ExpireProfiles implements vrrec.ProfileStore.
func (d *DB) ExpireProfiles(ctx context.Context, before time.Time) (int, error) {
	res, err := d.db.ExecContext(ctx, `DELETE FROM profiles WHERE touched_at < ?`, before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("expire profiles: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// touched is when a change or visit happened, for retention; now when the
// caller did not say.
func touched(at time.Time) int64 {
	if at.IsZero() {
		at = time.Now()
	}
	return at.UnixMilli()
}
