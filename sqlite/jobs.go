package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vrrec/vrrec"
)

// StartJob implements vrrec.JobStore.
func (d *DB) StartJob(ctx context.Context, job vrrec.Job) error {
	params, _ := json.Marshal(job.Params)
	if job.Params == nil {
		params = []byte("{}")
	}
	_, err := d.db.ExecContext(ctx, `INSERT INTO jobs (id, type, state, params, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)`,
		job.ID, job.Type, vrrec.JobRunning, string(params), job.StartedAt.UnixMilli(), job.StartedAt.UnixMilli())
	if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed: jobs.state") {
		var running string
		_ = d.db.QueryRowContext(ctx, `SELECT id FROM jobs WHERE state = 'running'`).Scan(&running)
		return vrrec.Errorf(vrrec.ECONFLICT, "job %s is running", running)
	}
	if err != nil {
		return fmt.Errorf("start job: %w", err)
	}
	return nil
}

// FinishJob implements vrrec.JobStore.
func (d *DB) FinishJob(ctx context.Context, id, state, errMsg string, at time.Time) error {
	res, err := d.db.ExecContext(ctx, `UPDATE jobs SET state = ?, error = ?, finished_at = ? WHERE id = ? AND state IN ('running', 'interrupted')`,
		state, errMsg, at.UnixMilli(), id)
	if err != nil {
		return fmt.Errorf("finish job: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return vrrec.Errorf(vrrec.ENOTFOUND, "no running job %s", id)
	}
	return nil
}

// AppendJobLog implements vrrec.JobStore.
func (d *DB) AppendJobLog(ctx context.Context, id, line string) error {
	if _, err := d.db.ExecContext(ctx, `INSERT INTO job_logs (job_id, line, ts) VALUES (?, ?, ?)`, id, line, time.Now().UnixMilli()); err != nil {
		return fmt.Errorf("job log: %w", err)
	}
	return nil
}

// SetJobProgress implements vrrec.JobStore.
func (d *DB) SetJobProgress(ctx context.Context, id string, p vrrec.JobProgress) error {
	if _, err := d.db.ExecContext(ctx, `UPDATE jobs SET stage = ?, done = ?, total = ? WHERE id = ?`, p.Stage, p.Done, p.Total, id); err != nil {
		return fmt.Errorf("job progress: %w", err)
	}
	return nil
}

// RequestCancel implements vrrec.JobStore.
func (d *DB) RequestCancel(ctx context.Context, id string) error {
	res, err := d.db.ExecContext(ctx, `UPDATE jobs SET cancel_requested = 1 WHERE id = ? AND state = 'running'`, id)
	if err != nil {
		return fmt.Errorf("cancel job: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return vrrec.Errorf(vrrec.ENOTFOUND, "no running job %s", id)
	}
	return nil
}

// Job implements vrrec.JobStore.
func (d *DB) Job(ctx context.Context, id string) (vrrec.Job, error) {
	jobs, err := d.jobs(ctx, `WHERE id = ?`, id)
	if err != nil {
		return vrrec.Job{}, err
	}
	if len(jobs) == 0 {
		return vrrec.Job{}, vrrec.Errorf(vrrec.ENOTFOUND, "no job %s", id)
	}
	job := jobs[0]
	rows, err := d.db.QueryContext(ctx, `SELECT line FROM job_logs WHERE job_id = ? ORDER BY seq DESC LIMIT ?`, id, vrrec.JobLogLines)
	if err != nil {
		return job, fmt.Errorf("job log: %w", err)
	}
	defer rows.Close()
	job.Log = []string{}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return job, fmt.Errorf("job log: %w", err)
		}
		job.Log = append(job.Log, line)
	}
	slices.Reverse(job.Log)
	return job, rows.Err()
}

// Jobs implements vrrec.JobStore.
func (d *DB) Jobs(ctx context.Context, limit int) ([]vrrec.Job, error) {
	if limit <= 0 {
		limit = 20
	}
	return d.jobs(ctx, `ORDER BY started_at DESC, id LIMIT ?`, limit)
}

func (d *DB) jobs(ctx context.Context, tail string, args ...any) ([]vrrec.Job, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT id, type, state, params, started_at, finished_at, error, stage, done, total, cancel_requested, heartbeat_at FROM jobs `+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	defer rows.Close()
	out := []vrrec.Job{}
	for rows.Next() {
		j := vrrec.Job{Log: []string{}} // a list carries no lines: Job reads them
		var params string
		var started, finished, beat int64
		if err := rows.Scan(&j.ID, &j.Type, &j.State, &params, &started, &finished, &j.Error,
			&j.Progress.Stage, &j.Progress.Done, &j.Progress.Total, &j.CancelRequested, &beat); err != nil {
			return nil, fmt.Errorf("jobs: %w", err)
		}
		_ = json.Unmarshal([]byte(params), &j.Params)
		j.StartedAt = time.UnixMilli(started).UTC()
		if finished > 0 {
			j.FinishedAt = time.UnixMilli(finished).UTC()
		}
		j.HeartbeatAt = time.UnixMilli(beat).UTC()
		out = append(out, j)
	}
	return out, rows.Err()
}

// BeatJob implements vrrec.JobStore.
func (d *DB) BeatJob(ctx context.Context, id string, at time.Time) error {
	res, err := d.db.ExecContext(ctx, `UPDATE jobs SET heartbeat_at = ? WHERE id = ? AND state = 'running'`, at.UnixMilli(), id)
	if err != nil {
		return fmt.Errorf("job heartbeat: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return vrrec.Errorf(vrrec.ENOTFOUND, "no running job %s", id)
	}
	return nil
}

// InterruptStale implements vrrec.JobStore.
func (d *DB) InterruptStale(ctx context.Context, at, before time.Time) (int, error) {
	res, err := d.db.ExecContext(ctx, `UPDATE jobs SET state = ?, error = ?, finished_at = ? WHERE state = 'running' AND heartbeat_at < ?`,
		vrrec.JobInterrupted, vrrec.JobStoppedMessage, at.UnixMilli(), before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("interrupt jobs: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// Audit implements vrrec.AuditLog.
func (d *DB) Audit(ctx context.Context, e vrrec.AuditEntry) error {
	if _, err := d.db.ExecContext(ctx, `INSERT INTO audit (actor, action, detail, ip, ts) VALUES (?, ?, ?, ?, ?)`,
		e.Actor, e.Action, e.Detail, e.IP, e.Time.UnixNano()); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// AuditEntries implements vrrec.AuditLog.
func (d *DB) AuditEntries(ctx context.Context, f vrrec.AuditFilter) ([]vrrec.AuditEntry, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	where, args := "1 = 1", []any{}
	if f.Actor != "" {
		where, args = where+" AND actor = ?", append(args, f.Actor)
	}
	if f.Action != "" {
		where, args = where+" AND action = ?", append(args, f.Action)
	}
	rows, err := d.db.QueryContext(ctx, `SELECT actor, action, detail, ip, ts FROM audit WHERE `+where+` ORDER BY ts DESC, seq DESC LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	defer rows.Close()
	out := []vrrec.AuditEntry{}
	for rows.Next() {
		var e vrrec.AuditEntry
		var ts int64
		if err := rows.Scan(&e.Actor, &e.Action, &e.Detail, &e.IP, &ts); err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		e.Time = time.Unix(0, ts).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
