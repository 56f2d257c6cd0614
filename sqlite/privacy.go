package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vrrec/vrrec"
)

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// ForgetInteractions implements vrrec.InteractionLog. The refusal and the
// deletion are one transaction, and Record checks the refusal in its own,
// so an interaction either arrives before (and is deleted) or after (and
// is refused).
func (d *DB) ForgetInteractions(ctx context.Context, userID string, at time.Time) (int, error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("forget interactions: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO forgotten_users (user_key, forgotten_at) VALUES (?, ?)
		ON CONFLICT (user_key) DO UPDATE SET forgotten_at = max(forgotten_at, excluded.forgotten_at)`,
		vrrec.ForgottenKey(userID), at.UnixMilli()); err != nil {
		return 0, fmt.Errorf("forget interactions: %w", err)
	}
	n, err := summarizeAndDelete(ctx, tx, `user_id = ? AND ts <= ?`, userID, at.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("forget interactions: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("forget interactions: %w", err)
	}
	return n, nil
}

// ExpireInteractions implements vrrec.InteractionLog.
func (d *DB) ExpireInteractions(ctx context.Context, before time.Time) (int, error) {
	day := before.UTC().Truncate(24 * time.Hour).UnixMilli()
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("expire interactions: %w", err)
	}
	defer tx.Rollback()
	n, err := summarizeAndDelete(ctx, tx, `ts < ?`, day)
	if err != nil {
		return 0, fmt.Errorf("expire interactions: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM forgotten_users WHERE forgotten_at < ?`, day); err != nil {
		return 0, fmt.Errorf("expire interactions: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("expire interactions: %w", err)
	}
	return n, nil
}

// summarizeAndDelete adds the interactions matching where to their days'
// summaries and deletes them, inside tx.
func summarizeAndDelete(ctx context.Context, tx *sql.Tx, where string, args ...any) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT user_id, intent, apps, latency_ms, ts FROM interactions WHERE `+where, args...)
	if err != nil {
		return 0, err
	}
	var items []vrrec.Interaction
	for rows.Next() {
		var it vrrec.Interaction
		var apps string
		var ts int64
		if err := rows.Scan(&it.UserID, &it.Intent, &apps, &it.LatencyMS, &ts); err != nil {
			rows.Close()
			return 0, err
		}
		_ = json.Unmarshal([]byte(apps), &it.Apps)
		it.Time = time.UnixMilli(ts)
		items = append(items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(items) == 0 {
		return 0, nil
	}
	for day, add := range vrrec.SummarizeDays(items) {
		kept, err := daySummaries(ctx, tx, `day = ?`, day)
		if err != nil {
			return 0, err
		}
		if len(kept) == 1 {
			add = kept[0].Add(add)
		}
		latencies, _ := json.Marshal(add.Latencies)
		intents, _ := json.Marshal(add.Intents)
		apps, _ := json.Marshal(add.Apps)
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO interaction_days (day, interactions, users, latencies, intents, apps)
			VALUES (?, ?, ?, ?, ?, ?)`, day, add.Interactions, add.Users, string(latencies), string(intents), string(apps)); err != nil {
			return 0, err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM interactions WHERE `+where, args...); err != nil {
		return 0, err
	}
	return len(items), nil
}

// daySummaries reads the summaries matching where, oldest first.
func daySummaries(ctx context.Context, q querier, where string, args ...any) ([]vrrec.DaySummary, error) {
	rows, err := q.QueryContext(ctx, `SELECT day, interactions, users, latencies, intents, apps FROM interaction_days WHERE `+where+` ORDER BY day`, args...)
	if err != nil {
		return nil, fmt.Errorf("day summaries: %w", err)
	}
	defer rows.Close()
	var out []vrrec.DaySummary
	for rows.Next() {
		var s vrrec.DaySummary
		var latencies, intents, apps string
		if err := rows.Scan(&s.Day, &s.Interactions, &s.Users, &latencies, &intents, &apps); err != nil {
			return nil, fmt.Errorf("day summaries: %w", err)
		}
		if err := json.Unmarshal([]byte(latencies), &s.Latencies); err != nil {
			return nil, fmt.Errorf("day summary %s: %w", s.Day, err)
		}
		if err := json.Unmarshal([]byte(intents), &s.Intents); err != nil {
			return nil, fmt.Errorf("day summary %s: %w", s.Day, err)
		}
		if err := json.Unmarshal([]byte(apps), &s.Apps); err != nil {
			return nil, fmt.Errorf("day summary %s: %w", s.Day, err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// ForgetSessions implements vrrec.SessionStore.
func (d *DB) ForgetSessions(ctx context.Context, userID string) (int, error) {
	res, err := d.db.ExecContext(ctx, `DELETE FROM messages WHERE user_id = ?`, userID)
	if err != nil {
		return 0, fmt.Errorf("forget sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// ExpireSessions implements vrrec.SessionStore.
func (d *DB) ExpireSessions(ctx context.Context, before time.Time) (int, error) {
	res, err := d.db.ExecContext(ctx, `DELETE FROM messages WHERE (user_id, session_id) IN (
		SELECT user_id, session_id FROM messages GROUP BY user_id, session_id HAVING MAX(ts) < ?)`, before.UnixNano())
	if err != nil {
		return 0, fmt.Errorf("expire sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
