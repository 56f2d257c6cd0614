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

// SaveCatalog implements vrrec.CatalogStore.
func (d *DB) SaveCatalog(ctx context.Context, cat *vrrec.Catalog, version string) (bool, error) {
	if current, err := d.CatalogVersion(ctx); err != nil {
		return false, err
	} else if current == version {
		return false, nil
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("save catalog: %w", err)
	}
	defer tx.Rollback()
	for _, t := range []string{"courses", "apps", "skills", "mappings", "catalog_meta"} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t); err != nil {
			return false, fmt.Errorf("save catalog: %w", err)
		}
	}
	insert := func(query string, rows int, args func(i int) ([]any, error)) error {
		stmt, err := tx.PrepareContext(ctx, query)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := 0; i < rows; i++ {
			a, err := args(i)
			if err != nil {
				return err
			}
			if _, err := stmt.ExecContext(ctx, a...); err != nil {
				return err
			}
		}
		return nil
	}
	err = errors.Join(
		insert(`INSERT INTO courses (course_id, pos, data) VALUES (?, ?, ?)`, len(cat.Courses), func(i int) ([]any, error) {
			b, err := json.Marshal(cat.Courses[i])
			return []any{cat.Courses[i].CourseID, i, string(b)}, err
		}),
		insert(`INSERT INTO apps (app_id, pos, category, data) VALUES (?, ?, ?, ?)`, len(cat.Apps), func(i int) ([]any, error) {
			b, err := json.Marshal(cat.Apps[i])
			return []any{cat.Apps[i].AppID, i, cat.Apps[i].Category, string(b)}, err
		}),
		insert(`INSERT INTO skills (name, pos, category, source_count, data) VALUES (?, ?, ?, ?, ?)`, len(cat.Skills), func(i int) ([]any, error) {
			s := cat.Skills[i]
			b, err := json.Marshal(s)
			return []any{s.Name, i, s.Category, s.SourceCount, string(b)}, err
		}),
	)
	if err != nil {
		return false, fmt.Errorf("save catalog: %w", err)
	}
	mappings := append(append([]vrrec.Mapping(nil), cat.CourseSkills...), cat.AppSkills...)
	err = insert(`INSERT INTO mappings (source_type, source_id, skill_name, weight, pos) VALUES (?, ?, ?, ?, ?)`, len(mappings), func(i int) ([]any, error) {
		m := mappings[i]
		return []any{m.SourceType, m.SourceID, m.SkillName, m.Weight, i}, nil
	})
	if err != nil {
		return false, fmt.Errorf("save catalog mappings: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO catalog_meta (id, version, updated_at) VALUES (1, ?, ?)`, version, time.Now().UnixMilli()); err != nil {
		return false, fmt.Errorf("save catalog: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("save catalog: %w", err)
	}
	return true, nil
}

// CatalogVersion implements vrrec.CatalogStore.
func (d *DB) CatalogVersion(ctx context.Context) (string, error) {
	var v string
	err := d.db.QueryRowContext(ctx, `SELECT version FROM catalog_meta WHERE id = 1`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("catalog version: %w", err)
	}
	return v, nil
}

// CatalogSavedAt implements vrrec.CatalogStore.
func (d *DB) CatalogSavedAt(ctx context.Context) (time.Time, error) {
	var ms int64
	err := d.db.QueryRowContext(ctx, `SELECT updated_at FROM catalog_meta WHERE id = 1`).Scan(&ms)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("catalog saved at: %w", err)
	}
	return time.UnixMilli(ms).UTC(), nil
}

// LoadCatalog implements vrrec.CatalogStore.
func (d *DB) LoadCatalog(ctx context.Context) (*vrrec.Catalog, string, error) {
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, "", fmt.Errorf("load catalog: %w", err)
	}
	defer tx.Rollback()
	var version string
	if err := tx.QueryRowContext(ctx, `SELECT version FROM catalog_meta WHERE id = 1`).Scan(&version); errors.Is(err, sql.ErrNoRows) {
		return nil, "", vrrec.Errorf(vrrec.ENOTFOUND, "no catalog has been imported")
	} else if err != nil {
		return nil, "", fmt.Errorf("load catalog: %w", err)
	}
	cat := &vrrec.Catalog{}
	if err := scanJSON(ctx, tx, `SELECT data FROM courses ORDER BY pos`, &cat.Courses); err != nil {
		return nil, "", err
	}
	if err := scanJSON(ctx, tx, `SELECT data FROM apps ORDER BY pos`, &cat.Apps); err != nil {
		return nil, "", err
	}
	if err := scanJSON(ctx, tx, `SELECT data FROM skills ORDER BY pos`, &cat.Skills); err != nil {
		return nil, "", err
	}
	rows, err := tx.QueryContext(ctx, `SELECT source_type, source_id, skill_name, weight FROM mappings ORDER BY pos`)
	if err != nil {
		return nil, "", fmt.Errorf("load catalog: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m vrrec.Mapping
		if err := rows.Scan(&m.SourceType, &m.SourceID, &m.SkillName, &m.Weight); err != nil {
			return nil, "", fmt.Errorf("load catalog: %w", err)
		}
		if m.SourceType == vrrec.SourceCourse {
			cat.CourseSkills = append(cat.CourseSkills, m)
		} else {
			cat.AppSkills = append(cat.AppSkills, m)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("load catalog: %w", err)
	}
	return cat, version, nil
}

func scanJSON[T any](ctx context.Context, tx *sql.Tx, query string, dst *[]T) error {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("load catalog: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return fmt.Errorf("load catalog: %w", err)
		}
		var v T
		if err := json.Unmarshal([]byte(raw), &v); err != nil {
			return fmt.Errorf("load catalog: %w", err)
		}
		*dst = append(*dst, v)
	}
	return rows.Err()
}
