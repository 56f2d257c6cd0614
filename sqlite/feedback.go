package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vrrec/vrrec"
)

// SaveFeedback implements vrrec.FeedbackStore.
func (d *DB) SaveFeedback(ctx context.Context, f vrrec.Feedback) error {
	var err error
	if f.Vote == "" {
		_, err = d.db.ExecContext(ctx, `DELETE FROM feedback WHERE user_id = ? AND interaction_id = ? AND app_id = ?`,
			f.UserID, f.InteractionID, f.AppID)
	} else {
		_, err = d.db.ExecContext(ctx, `INSERT INTO feedback (user_id, interaction_id, app_id, vote, ts) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (user_id, interaction_id, app_id) DO UPDATE SET vote = excluded.vote, ts = excluded.ts`,
			f.UserID, f.InteractionID, f.AppID, f.Vote, f.Time.UnixMilli())
	}
	if err != nil {
		return fmt.Errorf("save feedback: %w", err)
	}
	return nil
}

// Feedback implements vrrec.FeedbackStore.
func (d *DB) Feedback(ctx context.Context, since time.Time) ([]vrrec.Feedback, error) {
	from := int64(0)
	if !since.IsZero() {
		from = since.UnixMilli()
	}
	return d.votes(ctx, `SELECT user_id, interaction_id, app_id, vote, ts FROM feedback WHERE ts >= ?
		ORDER BY ts, user_id, interaction_id, app_id`, from)
}

// StudentFeedback implements vrrec.FeedbackStore.
func (d *DB) StudentFeedback(ctx context.Context, userID string) ([]vrrec.Feedback, error) {
	return d.votes(ctx, `SELECT user_id, interaction_id, app_id, vote, ts FROM feedback WHERE user_id = ?
		ORDER BY ts, interaction_id, app_id`, userID)
}

// ForgetFeedback implements vrrec.FeedbackStore.
func (d *DB) ForgetFeedback(ctx context.Context, userID string) (int, error) {
	res, err := d.db.ExecContext(ctx, `DELETE FROM feedback WHERE user_id = ?`, userID)
	if err != nil {
		return 0, fmt.Errorf("forget feedback: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// ExpireFeedback implements vrrec.FeedbackStore.
func (d *DB) ExpireFeedback(ctx context.Context, before time.Time) (int, error) {
	res, err := d.db.ExecContext(ctx, `DELETE FROM feedback WHERE ts < ?`, before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("expire feedback: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// votes runs a query of votes.
func (d *DB) votes(ctx context.Context, query string, args ...any) ([]vrrec.Feedback, error) {
	rows, err := d.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("feedback: %w", err)
	}
	defer rows.Close()
	out := []vrrec.Feedback{}
	for rows.Next() {
		var f vrrec.Feedback
		var ts int64
		if err := rows.Scan(&f.UserID, &f.InteractionID, &f.AppID, &f.Vote, &ts); err != nil {
			return nil, fmt.Errorf("feedback: %w", err)
		}
		f.Time = time.UnixMilli(ts).UTC()
		out = append(out, f)
	}
	return out, rows.Err()
}

// SaveLabeledQuery implements vrrec.LabeledQueryStore.
func (d *DB) SaveLabeledQuery(ctx context.Context, q vrrec.LabeledQuery) error {
	info, err := json.Marshal(q)
	if err != nil {
		return fmt.Errorf("save labeled query: %w", err)
	}
	if _, err := d.db.ExecContext(ctx, `INSERT INTO labeled_queries (query, created_at, info) VALUES (?, ?, ?)
		ON CONFLICT (query) DO UPDATE SET created_at = excluded.created_at, info = excluded.info`,
		q.Query, q.CreatedAt.UnixMilli(), string(info)); err != nil {
		return fmt.Errorf("save labeled query: %w", err)
	}
	return nil
}

// LabeledQueries implements vrrec.LabeledQueryStore.
func (d *DB) LabeledQueries(ctx context.Context) ([]vrrec.LabeledQuery, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT info FROM labeled_queries ORDER BY created_at, query`)
	if err != nil {
		return nil, fmt.Errorf("labeled queries: %w", err)
	}
	defer rows.Close()
	out := []vrrec.LabeledQuery{}
	for rows.Next() {
		var info string
		if err := rows.Scan(&info); err != nil {
			return nil, fmt.Errorf("labeled queries: %w", err)
		}
		var q vrrec.LabeledQuery
		if err := json.Unmarshal([]byte(info), &q); err != nil {
			return nil, fmt.Errorf("labeled query %q: %w", info, err)
		}
		out = append(out, q)
	}
	return out, rows.Err()
}
