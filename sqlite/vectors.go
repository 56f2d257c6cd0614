package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/embedding"
)

// vectorBatch bounds the keys of one query (SQLite allows 32,766 variables).
const vectorBatch = 500

// Vectors implements vrrec.VectorStore.
func (d *DB) Vectors(ctx context.Context, model string, keys []string) (map[string][]float32, error) {
	out := make(map[string][]float32, len(keys))
	for start := 0; start < len(keys); start += vectorBatch {
		batch := keys[start:min(start+vectorBatch, len(keys))]
		args := make([]any, 0, len(batch)+1)
		args = append(args, model)
		for _, k := range batch {
			args = append(args, k)
		}
		rows, err := d.db.QueryContext(ctx, `SELECT key, vec FROM vectors WHERE model = ? AND key IN (?`+strings.Repeat(",?", len(batch)-1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("vectors: %w", err)
		}
		for rows.Next() {
			var k string
			var b []byte
			if err := rows.Scan(&k, &b); err != nil {
				rows.Close()
				return nil, fmt.Errorf("vectors: %w", err)
			}
			v, err := embedding.DecodeVector(b)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("vectors: %s: %w", k, err)
			}
			out[k] = v
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("vectors: %w", err)
		}
	}
	return out, nil
}

// SaveVectors implements vrrec.VectorStore.
func (d *DB) SaveVectors(ctx context.Context, model string, vecs map[string][]float32) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("save vectors: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO vectors (model, key, vec) VALUES (?, ?, ?)
		ON CONFLICT (model, key) DO UPDATE SET vec = excluded.vec`)
	if err != nil {
		return fmt.Errorf("save vectors: %w", err)
	}
	defer stmt.Close()
	for k, v := range vecs {
		if _, err := stmt.ExecContext(ctx, model, k, embedding.EncodeVector(v)); err != nil {
			return fmt.Errorf("save vectors: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("save vectors: %w", err)
	}
	return nil
}

var _ vrrec.VectorStore = (*DB)(nil)
