package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/vrrec/vrrec"
)

// Record implements vrrec.InteractionLog. An interaction of a student
// forgotten after it was answered is skipped (ForgetInteractions).
func (d *DB) Record(ctx context.Context, items ...vrrec.Interaction) error {
	if len(items) == 0 {
		return nil
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("record interactions: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO interactions
		(id, user_id, session_id, query, intent, response, apps, latency_ms, source, ts, topic, nothing_fits, best_match, course, adjusted_by)
		SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
		WHERE NOT EXISTS (SELECT 1 FROM forgotten_users WHERE user_key = ? AND forgotten_at >= ?)`)
	if err != nil {
		return fmt.Errorf("record interactions: %w", err)
	}
	defer stmt.Close()
	for _, it := range items {
		apps, _ := json.Marshal(nonNil(it.Apps))
		adjusted, _ := json.Marshal(nonNil(it.AdjustedBy))
		ts := it.Time.UnixMilli()
		if _, err := stmt.ExecContext(ctx, it.ID, it.UserID, it.SessionID, it.Query, it.Intent, it.Response, string(apps),
			it.LatencyMS, it.Source, ts, it.Topic, it.NothingFits, it.BestMatch, it.Course, string(adjusted), vrrec.ForgottenKey(it.UserID), ts); err != nil {
			return fmt.Errorf("record interaction %s: %w", it.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record interactions: %w", err)
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Interactions implements vrrec.InteractionLog.
func (d *DB) Interactions(ctx context.Context, f vrrec.InteractionFilter) ([]vrrec.Interaction, int, error) {
	where, args := interactionWhere(f)
	var total int
	if err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM interactions `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("interactions: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	rows, err := d.db.QueryContext(ctx, `SELECT id, user_id, session_id, query, intent, response, apps, latency_ms, source, ts,
		topic, nothing_fits, best_match, course, adjusted_by FROM interactions `+where+` ORDER BY ts DESC, id LIMIT ? OFFSET ?`, append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("interactions: %w", err)
	}
	defer rows.Close()
	out := []vrrec.Interaction{}
	for rows.Next() {
		var it vrrec.Interaction
		var apps, adjusted string
		var ts int64
		if err := rows.Scan(&it.ID, &it.UserID, &it.SessionID, &it.Query, &it.Intent, &it.Response, &apps, &it.LatencyMS, &it.Source, &ts,
			&it.Topic, &it.NothingFits, &it.BestMatch, &it.Course, &adjusted); err != nil {
			return nil, 0, fmt.Errorf("interactions: %w", err)
		}
		_ = json.Unmarshal([]byte(apps), &it.Apps)
		if adjusted != "[]" {
			_ = json.Unmarshal([]byte(adjusted), &it.AdjustedBy)
		}
		it.Time = time.UnixMilli(ts).UTC()
		out = append(out, it)
	}
	return out, total, rows.Err()
}

// interactionWhere is the WHERE clause selecting f's interactions.
func interactionWhere(f vrrec.InteractionFilter) (string, []any) {
	var conds []string
	var args []any
	if f.UserID != "" {
		conds, args = append(conds, "user_id = ?"), append(args, f.UserID)
	}
	if !f.Since.IsZero() {
		conds, args = append(conds, "ts >= ?"), append(args, f.Since.UnixMilli())
	}
	if f.IDs != nil {
		conds = append(conds, "id IN (SELECT value FROM json_each(?))")
		ids, _ := json.Marshal(nonNil(f.IDs))
		args = append(args, string(ids))
	}
	if f.Unmet {
		conds, args = append(conds, "intent = 'recommendation' AND topic <> '' AND (nothing_fits = 1 OR best_match < ?)"), append(args, vrrec.WeakMatch)
	}
	switch f.AdjustedBy {
	case "":
	case vrrec.NotAdjusted:
		conds = append(conds, "intent = 'recommendation' AND adjusted_by = '[]'")
	default:
		conds, args = append(conds, "EXISTS (SELECT 1 FROM json_each(adjusted_by) WHERE value = ?)"), append(args, f.AdjustedBy)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return "WHERE " + strings.Join(conds, " AND "), args
}

// Stats implements vrrec.InteractionLog.
func (d *DB) Stats(ctx context.Context, since time.Time) (vrrec.Stats, error) {
	from := int64(0)
	if !since.IsZero() {
		from = since.UnixMilli()
	}
	var s vrrec.RowStats
	var sum *float64
	if err := d.db.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT user_id), SUM(latency_ms) FROM interactions WHERE ts >= ?`, from).
		Scan(&s.Total, &s.UniqueUsers, &sum); err != nil {
		return vrrec.Stats{}, fmt.Errorf("stats: %w", err)
	}
	if sum != nil {
		s.LatencySum = *sum
	}
	if s.Total > 0 {
		// The nearest-rank 95th percentile.
		rank := int(math.Ceil(0.95*float64(s.Total))) - 1
		if err := d.db.QueryRowContext(ctx, `SELECT latency_ms FROM interactions WHERE ts >= ? ORDER BY latency_ms LIMIT 1 OFFSET ?`, from, rank).
			Scan(&s.P95); err != nil {
			return vrrec.Stats{}, fmt.Errorf("stats: %w", err)
		}
	}
	var err error
	if s.Intents, err = d.counts(ctx, `SELECT intent, COUNT(*) FROM interactions WHERE ts >= ? GROUP BY intent`, from); err != nil {
		return vrrec.Stats{}, err
	}
	if s.Apps, err = d.counts(ctx, `SELECT j.value, COUNT(*) FROM interactions, json_each(interactions.apps) j
		WHERE ts >= ? GROUP BY j.value`, from); err != nil {
		return vrrec.Stats{}, err
	}
	if s.PerDay, err = d.counts(ctx, `SELECT date(ts / 1000, 'unixepoch') day, COUNT(*) FROM interactions WHERE ts >= ? GROUP BY day ORDER BY day`, from); err != nil {
		return vrrec.Stats{}, err
	}
	if s.Latency, err = d.latencyDistribution(ctx, from); err != nil {
		return vrrec.Stats{}, err
	}
	firstDay := ""
	if !since.IsZero() {
		firstDay = vrrec.Day(since)
	}
	days, err := daySummaries(ctx, d.db, `day >= ?`, firstDay)
	if err != nil {
		return vrrec.Stats{}, fmt.Errorf("stats: %w", err)
	}
	return vrrec.CombineStats(s, days, func() ([]float64, error) {
		return d.latencies(ctx, from)
	})
}

// latencies lists the latencies of the interactions since from.
func (d *DB) latencies(ctx context.Context, from int64) ([]float64, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT latency_ms FROM interactions WHERE ts >= ?`, from)
	if err != nil {
		return nil, fmt.Errorf("stats: latencies: %w", err)
	}
	defer rows.Close()
	var out []float64
	for rows.Next() {
		var ms float64
		if err := rows.Scan(&ms); err != nil {
			return nil, fmt.Errorf("stats: latencies: %w", err)
		}
		out = append(out, ms)
	}
	return out, rows.Err()
}

// latencyDistribution counts interactions per vrrec.LatencyBuckets range in
// one pass.
func (d *DB) latencyDistribution(ctx context.Context, from int64) ([]vrrec.Count, error) {
	labels := vrrec.LatencyBucketLabels()
	b := vrrec.LatencyBuckets
	sums := make([]string, len(labels))
	args := []any{}
	for i := range labels {
		switch {
		case i == 0:
			sums[i] = "latency_ms < ?"
			args = append(args, b[0])
		case i == len(b):
			sums[i] = "latency_ms >= ?"
			args = append(args, b[i-1])
		default:
			sums[i] = "latency_ms >= ? AND latency_ms < ?"
			args = append(args, b[i-1], b[i])
		}
		sums[i] = "COALESCE(SUM(" + sums[i] + "), 0)"
	}
	query := "SELECT " + strings.Join(sums, ", ") + " FROM interactions WHERE ts >= ?"
	args = append(args, from)
	n := make([]int, len(labels))
	dst := make([]any, len(labels))
	for i := range n {
		dst[i] = &n[i]
	}
	if err := d.db.QueryRowContext(ctx, query, args...).Scan(dst...); err != nil {
		return nil, fmt.Errorf("stats: latency: %w", err)
	}
	out := make([]vrrec.Count, len(labels))
	for i, l := range labels {
		out[i] = vrrec.Count{Key: l, Count: n[i]}
	}
	return out, nil
}

func (d *DB) counts(ctx context.Context, query string, args ...any) ([]vrrec.Count, error) {
	rows, err := d.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	defer rows.Close()
	out := []vrrec.Count{}
	for rows.Next() {
		var c vrrec.Count
		if err := rows.Scan(&c.Key, &c.Count); err != nil {
			return nil, fmt.Errorf("stats: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// AnswersByCourse implements vrrec.CourseLog.
func (d *DB) AnswersByCourse(ctx context.Context, since time.Time) ([]vrrec.CourseAnswers, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT course, COUNT(*), COUNT(DISTINCT user_id),
		SUM(EXISTS (SELECT 1 FROM json_each(adjusted_by) WHERE value = ?))
		FROM interactions WHERE course <> '' AND ts >= ? GROUP BY course ORDER BY COUNT(*) DESC, course`,
		vrrec.AdjustedByCourse, since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("answers by course: %w", err)
	}
	defer rows.Close()
	out := []vrrec.CourseAnswers{}
	for rows.Next() {
		var c vrrec.CourseAnswers
		if err := rows.Scan(&c.CourseID, &c.Answers, &c.Students, &c.InCourse); err != nil {
			return nil, fmt.Errorf("answers by course: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
