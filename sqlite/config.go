package sqlite

import (
	"context"
	"fmt"
	"time"
)

// Config implements vrrec.ConfigStore.
func (d *DB) Config(ctx context.Context) (map[string]string, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT key, value FROM config`)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		out[k] = v
	}
	return out, rows.Err()
}

// SetConfig implements vrrec.ConfigStore.
func (d *DB) SetConfig(ctx context.Context, values map[string]string) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("set config: %w", err)
	}
	defer tx.Rollback()
	now := time.Now().UnixMilli()
	for k, v := range values {
		if v == "" {
			_, err = tx.ExecContext(ctx, `DELETE FROM config WHERE key = ?`, k)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO config (key, value, updated_at) VALUES (?, ?, ?)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, k, v, now)
		}
		if err != nil {
			return fmt.Errorf("set config %s: %w", k, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("set config: %w", err)
	}
	return nil
}
