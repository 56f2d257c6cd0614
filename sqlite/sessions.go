package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vrrec/vrrec"
)

// Append implements vrrec.SessionStore. Concurrent appends are committed
// together (groupCommit); each returns once its messages are.
func (d *DB) Append(ctx context.Context, userID, sessionID string, msgs ...vrrec.Message) error {
	if err := d.appends.append(ctx, &appendReq{userID: userID, sessionID: sessionID, msgs: msgs}); err != nil {
		return fmt.Errorf("append messages: %w", err)
	}
	return nil
}

// commitGroup writes the messages of several answers in one transaction.
func (d *DB) commitGroup(ctx context.Context, group []*appendReq) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, r := range group {
		if err := d.writeMessages(ctx, tx, r); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// commitAlone writes one answer's messages in a transaction of its own.
func (d *DB) commitAlone(ctx context.Context, r *appendReq) error {
	return d.commitGroup(ctx, []*appendReq{r})
}

// writeMessages adds an answer's messages to its session and trims the
// session to its latest MaxSessionMessages.
func (d *DB) writeMessages(ctx context.Context, tx *sql.Tx, r *appendReq) error {
	for _, m := range r.msgs {
		apps, _ := json.Marshal(m.Apps)
		if m.Apps == nil {
			apps = []byte("[]")
		}
		if _, err := tx.StmtContext(ctx, d.insertMessage).ExecContext(ctx, r.userID, r.sessionID, m.Role, m.Content, m.Intent, string(apps), m.Query, m.InteractionID, m.Time.UnixNano()); err != nil {
			return err
		}
	}
	_, err := tx.StmtContext(ctx, d.trimSession).ExecContext(ctx, r.userID, r.sessionID, r.userID, r.sessionID, vrrec.MaxSessionMessages)
	return err
}

// Session implements vrrec.SessionStore.
func (d *DB) Session(ctx context.Context, userID, sessionID string, limit int) ([]vrrec.Message, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := d.readSession.QueryContext(ctx, userID, sessionID, limit)
	return scanMessages(rows, err)
}

// History implements vrrec.SessionStore.
func (d *DB) History(ctx context.Context, userID string, limit int) ([]vrrec.Message, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := d.db.QueryContext(ctx, `SELECT session_id, role, content, intent, apps, query, interaction_id, ts FROM (
		SELECT * FROM messages WHERE user_id = ? ORDER BY ts DESC, seq DESC LIMIT ?) ORDER BY ts, seq`, userID, limit)
	return scanMessages(rows, err)
}

// The statements of a chat answer, prepared once (DB.prepare).
const (
	sessionQuery = `SELECT session_id, role, content, intent, apps, query, interaction_id, ts FROM (
		SELECT * FROM messages WHERE user_id = ? AND session_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq`
	insertMessageSQL = `INSERT INTO messages (user_id, session_id, role, content, intent, apps, query, interaction_id, ts)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// trimSessionSQL keeps a session's latest MaxSessionMessages.
	trimSessionSQL = `DELETE FROM messages WHERE user_id = ? AND session_id = ? AND seq <= (
		SELECT seq FROM messages WHERE user_id = ? AND session_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`
)

// scanMessages reads the messages a query returned (err is the query's).
func scanMessages(rows *sql.Rows, err error) ([]vrrec.Message, error) {
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
