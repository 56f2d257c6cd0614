// Package jobs runs staff-triggered data-management work (imports, skill
// extraction, rebuilds) in the background, one at a time across every
// instance sharing the store, with progress, log lines and cancel kept in
// the store so any instance can show or stop them.
package jobs

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/vrrec/vrrec"
)

// Func is the work of one job. It reports through run and returns when ctx
// is done; a nil error means the job completed.
type Func func(ctx context.Context, run *Run) error

// Options tune a Runner.
type Options struct {
	// Done, when set, is told how each job ended (for metrics).
	Done func(jobType, state string, d time.Duration)
	// CancelPoll is how often a running job looks for a cancel made on
	// another instance; default 1s.
	CancelPoll time.Duration
	// HeartbeatEvery is how often a running job records that its process
	// is alive; default 5s. StaleAfter is how old a heartbeat may grow
	// before any instance marks the job interrupted; default 30s.
	HeartbeatEvery, StaleAfter time.Duration
	// ProgressEvery throttles progress writes; default 250ms. The first
	// and the last step of a stage are always written.
	ProgressEvery time.Duration
	Log           *slog.Logger
}

// Runner starts jobs and tracks the ones running in this process.
type Runner struct {
	store vrrec.JobStore
	opts  Options
	base  context.Context // cancelled when the service stops

	mu      sync.Mutex
	running map[string]context.CancelCauseFunc
	wg      sync.WaitGroup
}

// Why a job's context ended, to tell cancelled from interrupted.
var (
	errCancelled  = errors.New("cancelled by staff")
	errStopping   = errors.New(vrrec.JobStoppedMessage)
	errSuperseded = errors.New("marked interrupted by another instance: this one's heartbeat was late")
	errLostStore  = errors.New("stopped: the database did not record this job's heartbeat, so another instance may take its place")
)

// New returns a runner whose jobs stop, marked interrupted, when ctx ends.
func New(ctx context.Context, store vrrec.JobStore, opts Options) *Runner {
	if opts.CancelPoll <= 0 {
		opts.CancelPoll = time.Second
	}
	if opts.ProgressEvery <= 0 {
		opts.ProgressEvery = 250 * time.Millisecond
	}
	if opts.HeartbeatEvery <= 0 {
		opts.HeartbeatEvery = 5 * time.Second
	}
	if opts.StaleAfter <= 0 {
		opts.StaleAfter = 30 * time.Second
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	return &Runner{store: store, opts: opts, base: ctx, running: map[string]context.CancelCauseFunc{}}
}

// Start records a job and runs fn in the background. ECONFLICT, naming the
// running job, when another job is running on any instance.
func (r *Runner) Start(ctx context.Context, jobType string, params map[string]string, fn Func) (vrrec.Job, error) {
	// Counted before anything else, under the lock Wait takes, so a Start
	// racing the service's stop either runs its job to the end or refuses.
	r.mu.Lock()
	if r.base.Err() != nil {
		r.mu.Unlock()
		return vrrec.Job{}, vrrec.Errorf(vrrec.EUNAVAILABLE, "the service is stopping; start the job again once it is back")
	}
	r.wg.Add(1)
	r.mu.Unlock()
	job, err := r.start(ctx, jobType, params, fn)
	if err != nil {
		r.wg.Done()
	}
	return job, err
}

func (r *Runner) start(ctx context.Context, jobType string, params map[string]string, fn Func) (vrrec.Job, error) {
	if params == nil {
		params = map[string]string{}
	}
	// A job whose process died holds the one-job slot until noticed.
	if _, err := r.interruptStale(ctx); err != nil {
		return vrrec.Job{}, vrrec.Unavailable(err, "The database holding the jobs does not answer; nothing was started")
	}
	job := vrrec.Job{ID: rand.Text()[:16], Type: jobType, State: vrrec.JobRunning, Params: params,
		StartedAt: time.Now().UTC().Truncate(time.Millisecond), Log: []string{}}
	if err := r.store.StartJob(ctx, job); err != nil {
		return vrrec.Job{}, vrrec.Unavailable(err, "The database holding the jobs does not answer; nothing was started")
	}
	jobCtx, cancel := context.WithCancelCause(context.WithoutCancel(r.base))
	stopWithService := context.AfterFunc(r.base, func() { cancel(errStopping) })
	r.mu.Lock()
	r.running[job.ID] = cancel
	r.mu.Unlock()
	go func() {
		defer r.wg.Done()
		defer stopWithService()
		r.run(jobCtx, cancel, job, fn)
	}()
	return job, nil
}

// SweepStale marks jobs whose process stopped beating as interrupted, now
// and every interval until ctx ends, so a job cut off by a crash does not
// show as running for ever, even when no other job starts.
func (r *Runner) SweepStale(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := r.interruptStale(ctx); err != nil && ctx.Err() == nil {
			r.opts.Log.Warn("could not look for interrupted jobs", "err", err)
		} else if n > 0 {
			r.opts.Log.Warn("jobs whose process stopped marked interrupted", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// interruptStale marks running jobs whose heartbeat is StaleAfter late.
func (r *Runner) interruptStale(ctx context.Context) (int, error) {
	now := time.Now()
	return r.store.InterruptStale(ctx, now, now.Add(-r.opts.StaleAfter))
}

func (r *Runner) run(ctx context.Context, cancel context.CancelCauseFunc, job vrrec.Job, fn Func) {
	log := r.opts.Log.With("job", job.ID, "type", job.Type)
	run := &Run{store: r.store, id: job.ID, log: log, every: r.opts.ProgressEvery}
	// The heartbeat goes on until fn returns, also after a cancel: a save
	// that finishes despite the cancel still holds the one-job slot.
	watchCtx, stopWatch := context.WithCancel(context.Background())
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		r.watch(watchCtx, ctx, cancel, job.ID)
	}()

	log.Info("job started", "params", job.Params)
	err := runSafely(ctx, fn, run)
	stopWatch()
	<-watched // no heartbeat write may land after the outcome
	state, msg := vrrec.JobCompleted, ""
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, errCancelled):
		state, msg = vrrec.JobCancelled, errCancelled.Error()
	case errors.Is(cause, errStopping), errors.Is(cause, errSuperseded), errors.Is(cause, errLostStore):
		state, msg = vrrec.JobInterrupted, cause.Error()
	case err != nil:
		state, msg = vrrec.JobFailed, err.Error()
	}
	cancel(nil)
	if msg != "" {
		run.Logf("%s: %s", state, msg)
	} else {
		run.Logf("completed in %s", time.Since(job.StartedAt).Round(time.Millisecond))
	}
	run.flushProgress()
	r.mu.Lock()
	delete(r.running, job.ID) // over: a cancel now is answered "not running"
	r.mu.Unlock()
	r.finish(log, job.ID, state, msg)
	log.Info("job finished", "state", state, "err", msg)
	if r.opts.Done != nil {
		r.opts.Done(job.Type, state, time.Since(job.StartedAt))
	}
}

// finish records a job's outcome. The job's context is over, and the
// database may be down for a while: retry until it lands, the service
// stops, or two minutes pass (then the stopped heartbeat lets the sweep mark
// it interrupted, so the one-job slot is freed either way).
func (r *Runner) finish(log *slog.Logger, id, state, msg string) {
	at := time.Now()
	wait := 500 * time.Millisecond
	for deadline := at.Add(2 * time.Minute); ; {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := r.store.FinishJob(ctx, id, state, msg, at)
		cancel()
		switch {
		case err == nil:
			return
		case vrrec.ErrorCode(err) == vrrec.ENOTFOUND:
			log.Warn("job already ended elsewhere; outcome not stored", "state", state)
			return
		case r.base.Err() != nil || time.Now().After(deadline):
			log.Error("job outcome not stored", "state", state, "err", err)
			return
		}
		log.Warn("job outcome not stored yet, retrying", "state", state, "err", err)
		select {
		case <-time.After(wait):
		case <-r.base.Done():
		}
		wait = min(2*wait, 15*time.Second)
	}
}

// runSafely turns a panic in a job into its failure instead of a crash.
func runSafely(ctx context.Context, fn Func, run *Run) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("job crashed: %v", p)
		}
	}()
	return fn(ctx, run)
}

// watch keeps a job's heartbeat until watchCtx ends (when the job's func
// returns) and stops the job (jobCtx) when a cancel is recorded in the
// store (how a cancel sent to another instance reaches this one), when
// another instance, finding the heartbeat late, interrupted it, or when the
// heartbeat cannot be recorded for so long that another instance will.
func (r *Runner) watch(watchCtx, jobCtx context.Context, cancel context.CancelCauseFunc, id string) {
	t := time.NewTicker(r.opts.CancelPoll)
	defer t.Stop()
	lastBeat := time.Now()
	giveUp := max(r.opts.StaleAfter-2*r.opts.HeartbeatEvery, r.opts.StaleAfter/2)
	for {
		select {
		case <-watchCtx.Done():
			return
		case <-t.C:
		}
		if time.Since(lastBeat) >= r.opts.HeartbeatEvery {
			ctx, done := context.WithTimeout(watchCtx, r.opts.HeartbeatEvery)
			err := r.store.BeatJob(ctx, id, time.Now())
			done()
			switch {
			case err == nil:
				lastBeat = time.Now()
			case vrrec.ErrorCode(err) == vrrec.ENOTFOUND:
				cancel(errSuperseded)
			case time.Since(lastBeat) > giveUp:
				cancel(errLostStore)
			}
		}
		if jobCtx.Err() != nil {
			continue // stopping already; only the heartbeat matters now
		}
		job, err := r.store.Job(jobCtx, id)
		switch {
		case err != nil:
			// The database is away; the heartbeat decides.
		case job.CancelRequested:
			cancel(errCancelled)
		case job.State != vrrec.JobRunning:
			cancel(errSuperseded)
		}
	}
}

// Cancel asks a running job to stop: at once when it runs here, within
// CancelPoll when it runs on another instance. ENOTFOUND when no job of
// that id is running.
func (r *Runner) Cancel(ctx context.Context, id string) error {
	r.mu.Lock()
	cancel, local := r.running[id]
	r.mu.Unlock()
	// The store first, then the job: the job's final write must come after
	// the cancel request's, or a store without atomic field updates
	// (FerretDB) can put the old state back.
	err := r.store.RequestCancel(ctx, id)
	if local {
		cancel(errCancelled) // even with the database away
		return nil
	}
	return vrrec.Unavailable(err, "The database holding the jobs does not answer; try the cancel again")
}

// Wait blocks until every job started here has finished; after the
// runner's context ends they finish promptly, marked interrupted.
func (r *Runner) Wait() {
	r.mu.Lock() // a Start that passed its check has counted itself
	r.mu.Unlock()
	r.wg.Wait()
}

// Run is what a job reports through.
type Run struct {
	store vrrec.JobStore
	id    string
	log   *slog.Logger
	every time.Duration

	mu      sync.Mutex
	last    vrrec.JobProgress
	written time.Time
	pending bool
}

// ID is the job's id.
func (r *Run) ID() string { return r.id }

// Logf adds a line to the job's log, which staff see live.
func (r *Run) Logf(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	r.log.Info(line)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.store.AppendJobLog(ctx, r.id, line); err != nil {
		r.log.Warn("job log line not stored", "err", err)
	}
}

// Progress records that done of total steps of stage are finished.
// Writes are throttled; a new stage and its last step always land.
func (r *Run) Progress(stage string, done, total int) {
	r.mu.Lock()
	p := vrrec.JobProgress{Stage: stage, Done: done, Total: total}
	must := stage != r.last.Stage || done >= total
	r.last, r.pending = p, true
	if !must && time.Since(r.written) < r.every {
		r.mu.Unlock()
		return
	}
	r.written, r.pending = time.Now(), false
	r.mu.Unlock()
	r.write(p)
}

func (r *Run) flushProgress() {
	r.mu.Lock()
	p, pending := r.last, r.pending
	r.pending = false
	r.mu.Unlock()
	if pending {
		r.write(p)
	}
}

func (r *Run) write(p vrrec.JobProgress) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.store.SetJobProgress(ctx, r.id, p); err != nil {
		r.log.Warn("job progress not stored", "err", err)
	}
}
