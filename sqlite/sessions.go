package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vrrec/vrrec"
)

// Append implements vrrec.SessionStore.
func (d *DB) Append(ctx context.Context, userID, sessionID string, msgs ...vrrec.Message) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("append messages: %w", err)
	}
	defer tx.Rollback()
	for _, m := range msgs {
		apps, _ := json.Marshal(m.Apps)
		if m.Apps == nil {
			apps = []byte("[]")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO messages (user_id, session_id, role, content, intent, apps, query, interaction_id, ts)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, userID, sessionID, m.Role, m.Content, m.Intent, string(apps), m.Query, m.InteractionID, m.Time.UnixNano()); err != nil {
			return fmt.Errorf("append messages: %w", err)
		}
	}
	// Keep the session's latest MaxSessionMessages.
	if _, err := tx.ExecContext(ctx, `DELETE FROM messages WHERE user_id = ? AND session_id = ? AND seq <= (
		SELECT seq FROM messages WHERE user_id = ? AND session_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
		userID, sessionID, userID, sessionID, vrrec.MaxSessionMessages); err != nil {
		return fmt.Errorf("append messages: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("append messages: %w", err)
	}
	return nil
}

// Session implements vrrec.SessionStore.
func (d *DB) Session(ctx context.Context, userID, sessionID string, limit int) ([]vrrec.Message, error) {
	if limit <= 0 {
		return nil, nil
	}
	return d.messages(ctx, `SELECT session_id, role, content, intent, apps, query, interaction_id, ts FROM (
		SELECT * FROM messages WHERE user_id = ? AND session_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq`, userID, sessionID, limit)
}

// History implements vrrec.SessionStore.
func (d *DB) History(ctx context.Context, userID string, limit int) ([]vrrec.Message, error) {
	if limit <= 0 {
		return nil, nil
	}
	return d.messages(ctx, `SELECT session_id, role, content, intent, apps, query, interaction_id, ts FROM (
		SELECT * FROM messages WHERE user_id = ? ORDER BY ts DESC, seq DESC LIMIT ?) ORDER BY ts, seq`, userID, limit)
}

func (d *DB) messages(ctx context.Context, query string, args ...any) ([]vrrec.Message, error) {
	rows, err := d.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("messages: %w", err)
	}
	defer rows.Close()
	var out []vrrec.Message
	for rows.Next() {
		var m vrrec.Message
		var apps string
		var ts int64
		if err := rows.Scan(&m.SessionID, &m.Role, &m.Content, &m.Intent, &apps, &m.Query, &m.InteractionID, &ts); err != nil {
			return nil, fmt.Errorf("messages: %w", err)
		}
		_ = json.Unmarshal([]byte(apps), &m.Apps)
		if len(m.Apps) == 0 {
			m.Apps = nil
		}
		m.Time = time.Unix(0, ts).UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}
