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

// SaveRevision implements vrrec.RevisionStore.
func (d *DB) SaveRevision(ctx context.Context, rev vrrec.Revision, cat *vrrec.Catalog) (vrrec.Revision, bool, error) {
	info, err := json.Marshal(rev)
	if err != nil {
		return vrrec.Revision{}, false, fmt.Errorf("save revision: %w", err)
	}
	data, err := json.Marshal(cat)
	if err != nil {
		return vrrec.Revision{}, false, fmt.Errorf("save revision: %w", err)
	}
	res, err := d.db.ExecContext(ctx, `INSERT INTO catalog_revisions (version, created_at, info, catalog) VALUES (?, ?, ?, ?)
		ON CONFLICT (version) DO NOTHING`, rev.Version, rev.CreatedAt.UnixMilli(), string(info), string(data))
	if err != nil {
		return vrrec.Revision{}, false, fmt.Errorf("save revision %s: %w", rev.Version, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return rev, false, nil
	}
	_, kept, err := d.LoadRevision(ctx, rev.Version)
	return kept, true, err
}

// Revisions implements vrrec.RevisionStore.
func (d *DB) Revisions(ctx context.Context) ([]vrrec.Revision, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT info FROM catalog_revisions ORDER BY created_at DESC, rowid DESC`)
	if err != nil {
		return nil, fmt.Errorf("revisions: %w", err)
	}
	defer rows.Close()
	var out []vrrec.Revision
	for rows.Next() {
		var info string
		if err := rows.Scan(&info); err != nil {
			return nil, fmt.Errorf("revisions: %w", err)
		}
		var r vrrec.Revision
		if err := json.Unmarshal([]byte(info), &r); err != nil {
			return nil, fmt.Errorf("revisions: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("revisions: %w", err)
	}
	return out, nil
}

// LoadRevision implements vrrec.RevisionStore.
func (d *DB) LoadRevision(ctx context.Context, version string) (*vrrec.Catalog, vrrec.Revision, error) {
	var info, data string
	err := d.db.QueryRowContext(ctx, `SELECT info, catalog FROM catalog_revisions WHERE version = ?`, version).Scan(&info, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, vrrec.Revision{}, vrrec.Errorf(vrrec.ENOTFOUND, "catalog version %s is not kept", version)
	}
	if err != nil {
		return nil, vrrec.Revision{}, fmt.Errorf("load revision %s: %w", version, err)
	}
	var r vrrec.Revision
	cat := &vrrec.Catalog{}
	if err := errors.Join(json.Unmarshal([]byte(info), &r), json.Unmarshal([]byte(data), cat)); err != nil {
		return nil, vrrec.Revision{}, fmt.Errorf("load revision %s: %w", version, err)
	}
	return cat, r, nil
}

// MarkPublished implements vrrec.RevisionStore.
func (d *DB) MarkPublished(ctx context.Context, version, by string, at time.Time) error {
	// One statement: json_set edits the record in place, so two
	// publishers never overwrite each other's whole record.
	res, err := d.db.ExecContext(ctx, `UPDATE catalog_revisions
		SET info = json_set(info, '$.published_at', ?, '$.published_by', ?) WHERE version = ?`,
		at.UTC().Format(time.RFC3339Nano), by, version)
	if err != nil {
		return fmt.Errorf("mark %s published: %w", version, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return vrrec.Errorf(vrrec.ENOTFOUND, "catalog version %s is not kept", version)
	}
	return nil
}

// DeleteRevision implements vrrec.RevisionStore.
func (d *DB) DeleteRevision(ctx context.Context, version string) error {
	if _, err := d.db.ExecContext(ctx, `DELETE FROM catalog_revisions WHERE version = ?`, version); err != nil {
		return fmt.Errorf("delete revision %s: %w", version, err)
	}
	return nil
}
