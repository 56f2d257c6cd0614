package mongo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vrrec/vrrec"
)

const (
	colJobs    = "jobs"
	colJobLogs = "job_logs"
	colJobLock = "job_lock"
	// Side documents, one per job, so the job document itself has one
	// writer at a time: FerretDB 1.x applies an update by rewriting the
	// whole document, and two writers of one document lose an update.
	colJobCancels = "job_cancels" // {_id: job id}: a cancel was asked
	colJobBeats   = "job_beats"   // {_id: job id, at}: the latest heartbeat
	colAudit      = "admin_audit"
)

type jobDoc struct {
	ID         string            `bson:"_id"`
	Type       string            `bson:"type"`
	State      string            `bson:"state"`
	Params     map[string]string `bson:"params"`
	StartedAt  time.Time         `bson:"started_at"`
	FinishedAt time.Time         `bson:"finished_at"`
	Error      string            `bson:"error"`
	Stage      string            `bson:"stage"`
	Done       int               `bson:"done"`
	Total      int               `bson:"total"`
}

// StartJob implements vrrec.JobStore. One lock document with a fixed id
// makes "one job at a time" atomic without transactions: a second insert
// fails on the duplicate id. A lock left by a job that is no longer running
// (a crash between writes, a failed cleanup) is taken over.
func (d *DB) StartJob(ctx context.Context, job vrrec.Job) error {
	locks := d.db.Collection(colJobLock)
	_, err := locks.InsertOne(ctx, bson.D{{Key: "_id", Value: "running"}, {Key: "job_id", Value: job.ID}})
	if mongo.IsDuplicateKeyError(err) {
		var lock struct {
			JobID string `bson:"job_id"`
		}
		if err := locks.FindOne(ctx, bson.D{{Key: "_id", Value: "running"}}).Decode(&lock); err != nil {
			return fmt.Errorf("start job: %w", err)
		}
		holder, herr := d.Job(ctx, lock.JobID)
		if herr == nil && holder.State == vrrec.JobRunning {
			return vrrec.Errorf(vrrec.ECONFLICT, "job %s is running", lock.JobID)
		}
		// Stale: swap the lock only if it still names the stale job.
		res, err := locks.ReplaceOne(ctx, bson.D{{Key: "_id", Value: "running"}, {Key: "job_id", Value: lock.JobID}},
			bson.D{{Key: "_id", Value: "running"}, {Key: "job_id", Value: job.ID}})
		if err != nil {
			return fmt.Errorf("start job: %w", err)
		}
		if res.MatchedCount == 0 {
			return vrrec.Errorf(vrrec.ECONFLICT, "another job started just now")
		}
	} else if err != nil {
		return fmt.Errorf("start job: %w", err)
	}
	params := job.Params
	if params == nil {
		params = map[string]string{}
	}
	doc := jobDoc{ID: job.ID, Type: job.Type, State: vrrec.JobRunning, Params: params, StartedAt: job.StartedAt.UTC().Truncate(time.Millisecond)}
	if _, err := d.db.Collection(colJobs).InsertOne(ctx, doc); err != nil {
		// Release even when ctx is what failed.
		locks.DeleteOne(context.WithoutCancel(ctx), bson.D{{Key: "_id", Value: "running"}, {Key: "job_id", Value: job.ID}})
		return fmt.Errorf("start job: %w", err)
	}
	return nil
}

// FinishJob implements vrrec.JobStore.
func (d *DB) FinishJob(ctx context.Context, id, state, errMsg string, at time.Time) error {
	res, err := d.db.Collection(colJobs).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "state", Value: bson.D{{Key: "$in", Value: bson.A{vrrec.JobRunning, vrrec.JobInterrupted}}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: state}, {Key: "error", Value: errMsg}, {Key: "finished_at", Value: at.UTC().Truncate(time.Millisecond)}}}})
	if err != nil {
		return fmt.Errorf("finish job: %w", err)
	}
	if res.MatchedCount == 0 {
		return vrrec.Errorf(vrrec.ENOTFOUND, "no running job %s", id)
	}
	if _, err := d.db.Collection(colJobLock).DeleteOne(ctx, bson.D{{Key: "_id", Value: "running"}, {Key: "job_id", Value: id}}); err != nil {
		return fmt.Errorf("finish job: %w", err)
	}
	return nil
}

// AppendJobLog implements vrrec.JobStore.
func (d *DB) AppendJobLog(ctx context.Context, id, line string) error {
	_, err := d.db.Collection(colJobLogs).InsertOne(ctx, bson.D{{Key: "job_id", Value: id}, {Key: "line", Value: line},
		{Key: "ts", Value: time.Now().UnixNano()}})
	if err != nil {
		return fmt.Errorf("job log: %w", err)
	}
	return nil
}

// SetJobProgress implements vrrec.JobStore.
func (d *DB) SetJobProgress(ctx context.Context, id string, p vrrec.JobProgress) error {
	_, err := d.db.Collection(colJobs).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "stage", Value: p.Stage}, {Key: "done", Value: p.Done}, {Key: "total", Value: p.Total}}}})
	if err != nil {
		return fmt.Errorf("job progress: %w", err)
	}
	return nil
}

// RequestCancel implements vrrec.JobStore.
func (d *DB) RequestCancel(ctx context.Context, id string) error {
	if err := d.mustRun(ctx, id); err != nil {
		return err
	}
	_, err := d.db.Collection(colJobCancels).InsertOne(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("cancel job: %w", err)
	}
	return nil
}

// mustRun answers ENOTFOUND unless job id is running.
func (d *DB) mustRun(ctx context.Context, id string) error {
	n, err := d.db.Collection(colJobs).CountDocuments(ctx, bson.D{{Key: "_id", Value: id}, {Key: "state", Value: vrrec.JobRunning}})
	if err != nil {
		return fmt.Errorf("job %s: %w", id, err)
	}
	if n == 0 {
		return vrrec.Errorf(vrrec.ENOTFOUND, "no running job %s", id)
	}
	return nil
}

// Job implements vrrec.JobStore.
func (d *DB) Job(ctx context.Context, id string) (vrrec.Job, error) {
	var doc jobDoc
	err := d.db.Collection(colJobs).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return vrrec.Job{}, vrrec.Errorf(vrrec.ENOTFOUND, "no job %s", id)
	}
	if err != nil {
		return vrrec.Job{}, fmt.Errorf("job: %w", err)
	}
	job := fromJobDoc(doc)
	if n, err := d.db.Collection(colJobCancels).CountDocuments(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		return job, fmt.Errorf("job: %w", err)
	} else if n > 0 {
		job.CancelRequested = true
	}
	beats, err := d.beats(ctx, []string{id})
	if err != nil {
		return job, err
	}
	if at, ok := beats[id]; ok {
		job.HeartbeatAt = at
	}
	cur, err := d.db.Collection(colJobLogs).Find(ctx, bson.D{{Key: "job_id", Value: id}},
		options.Find().SetSort(bson.D{{Key: "ts", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(vrrec.JobLogLines))
	if err != nil {
		return job, fmt.Errorf("job log: %w", err)
	}
	var lines []struct {
		Line string `bson:"line"`
	}
	if err := cur.All(ctx, &lines); err != nil {
		return job, fmt.Errorf("job log: %w", err)
	}
	job.Log = []string{}
	for _, l := range lines {
		job.Log = append(job.Log, l.Line)
	}
	slices.Reverse(job.Log)
	return job, nil
}

func fromJobDoc(doc jobDoc) vrrec.Job {
	j := vrrec.Job{ID: doc.ID, Type: doc.Type, State: doc.State, Params: doc.Params, StartedAt: doc.StartedAt.UTC(), Error: doc.Error,
		Progress: vrrec.JobProgress{Stage: doc.Stage, Done: doc.Done, Total: doc.Total}, HeartbeatAt: doc.StartedAt.UTC(),
		Log: []string{}} // a list carries no lines: Job reads them

	if !doc.FinishedAt.IsZero() && doc.FinishedAt.Unix() > 0 {
		j.FinishedAt = doc.FinishedAt.UTC()
	}
	if j.Params == nil {
		j.Params = map[string]string{}
	}
	return j
}

// Jobs implements vrrec.JobStore.
func (d *DB) Jobs(ctx context.Context, limit int) ([]vrrec.Job, error) {
	if limit <= 0 {
		limit = 20
	}
	cur, err := d.db.Collection(colJobs).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "started_at", Value: -1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	var docs []jobDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	out := make([]vrrec.Job, len(docs))
	for i, doc := range docs {
		out[i] = fromJobDoc(doc)
	}
	return out, nil
}

// BeatJob implements vrrec.JobStore.
func (d *DB) BeatJob(ctx context.Context, id string, at time.Time) error {
	if err := d.mustRun(ctx, id); err != nil {
		return err
	}
	doc := bson.D{{Key: "_id", Value: id}, {Key: "at", Value: at.UTC().Truncate(time.Millisecond)}}
	if err := put(ctx, d.db.Collection(colJobBeats), id, doc); err != nil {
		return fmt.Errorf("job heartbeat: %w", err)
	}
	return nil
}

// beats returns the latest heartbeat of each job that has one.
func (d *DB) beats(ctx context.Context, ids []string) (map[string]time.Time, error) {
	cur, err := d.db.Collection(colJobBeats).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	if err != nil {
		return nil, fmt.Errorf("job heartbeats: %w", err)
	}
	var docs []struct {
		ID string    `bson:"_id"`
		At time.Time `bson:"at"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("job heartbeats: %w", err)
	}
	out := make(map[string]time.Time, len(docs))
	for _, b := range docs {
		out[b.ID] = b.At.UTC()
	}
	return out, nil
}

// InterruptStale implements vrrec.JobStore: a running job's heartbeat is
// its latest beat, or its start when it never beat (a job of a version
// before heartbeats, too). The lock a stale job held is taken over by the
// next StartJob, which finds its job no longer running.
func (d *DB) InterruptStale(ctx context.Context, at, before time.Time) (int, error) {
	cur, err := d.db.Collection(colJobs).Find(ctx, bson.D{{Key: "state", Value: vrrec.JobRunning}})
	if err != nil {
		return 0, fmt.Errorf("interrupt jobs: %w", err)
	}
	var running []jobDoc
	if err := cur.All(ctx, &running); err != nil {
		return 0, fmt.Errorf("interrupt jobs: %w", err)
	}
	if len(running) == 0 {
		return 0, nil
	}
	ids := make([]string, len(running))
	for i, j := range running {
		ids[i] = j.ID
	}
	beats, err := d.beats(ctx, ids)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, j := range running {
		last, ok := beats[j.ID]
		if !ok {
			last = j.StartedAt
		}
		if !last.Before(before) {
			continue
		}
		res, err := d.db.Collection(colJobs).UpdateOne(ctx, bson.D{{Key: "_id", Value: j.ID}, {Key: "state", Value: vrrec.JobRunning}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: vrrec.JobInterrupted}, {Key: "error", Value: vrrec.JobStoppedMessage},
				{Key: "finished_at", Value: at.UTC().Truncate(time.Millisecond)}}}})
		if err != nil {
			return n, fmt.Errorf("interrupt jobs: %w", err)
		}
		n += int(res.ModifiedCount)
	}
	return n, nil
}

// Audit implements vrrec.AuditLog.
func (d *DB) Audit(ctx context.Context, e vrrec.AuditEntry) error {
	_, err := d.db.Collection(colAudit).InsertOne(ctx, bson.D{{Key: "actor", Value: e.Actor}, {Key: "action", Value: e.Action},
		{Key: "detail", Value: e.Detail}, {Key: "ip", Value: e.IP}, {Key: "ts", Value: e.Time.UnixNano()}})
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// AuditEntries implements vrrec.AuditLog.
func (d *DB) AuditEntries(ctx context.Context, f vrrec.AuditFilter) ([]vrrec.AuditEntry, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	filter := bson.D{}
	if f.Actor != "" {
		filter = append(filter, bson.E{Key: "actor", Value: f.Actor})
	}
	if f.Action != "" {
		filter = append(filter, bson.E{Key: "action", Value: f.Action})
	}
	cur, err := d.db.Collection(colAudit).Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "ts", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(f.Limit)))
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	var docs []struct {
		Actor  string `bson:"actor"`
		Action string `bson:"action"`
		Detail string `bson:"detail"`
		IP     string `bson:"ip"`
		TS     int64  `bson:"ts"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	out := make([]vrrec.AuditEntry, len(docs))
	for i, doc := range docs {
		out[i] = vrrec.AuditEntry{Actor: doc.Actor, Action: doc.Action, Detail: doc.Detail, IP: doc.IP, Time: time.Unix(0, doc.TS).UTC()}
	}
	return out, nil
}
