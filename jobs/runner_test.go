package jobs_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/jobs"
)

// waitState polls the store until the job leaves "running". The tests run
// in synctest bubbles, so the polling and its deadline are on the bubble's
// clock: a loaded machine makes them slower, never wrong.
func waitState(t *testing.T, store vrrec.JobStore, id string) vrrec.Job {
	t.Helper()
	deadline := time.Now().Add(time.Minute) // measuring a draft under -race takes a while
	for time.Now().Before(deadline) {
		job, err := store.Job(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if job.State != vrrec.JobRunning {
			return job
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("job %s still running after a minute", id)
	return vrrec.Job{}
}

type outcomes struct {
	mu  sync.Mutex
	got []string
}

func (o *outcomes) done(jobType, state string, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.got = append(o.got, jobType+":"+state)
}

func (o *outcomes) list() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return strings.Join(o.got, ",")
}

func TestCompletedJobKeepsLogAndProgress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		db := testenv.SQLite(t)
		var seen outcomes
		r := jobs.New(ctx, db, jobs.Options{Done: seen.done})
		job, err := r.Start(ctx, "import", map[string]string{"files": "courses.json"}, func(ctx context.Context, run *jobs.Run) error {
			for i := 1; i <= 5; i++ {
				run.Progress("rows", i, 5)
			}
			run.Logf("read %d rows", 5)
			return nil
		})
		if err != nil || job.ID == "" || job.State != vrrec.JobRunning {
			t.Fatalf("start: %+v, %v", job, err)
		}
		got := waitState(t, db, job.ID)
		r.Wait()
		if got.State != vrrec.JobCompleted || got.Progress != (vrrec.JobProgress{Stage: "rows", Done: 5, Total: 5}) {
			t.Errorf("job: %+v", got)
		}
		if len(got.Log) < 2 || got.Log[0] != "read 5 rows" || !strings.HasPrefix(got.Log[1], "completed in") {
			t.Errorf("log: %q", got.Log)
		}
		if got.Params["files"] != "courses.json" {
			t.Errorf("params: %v", got.Params)
		}
		if seen.list() != "import:completed" {
			t.Errorf("Done told %q", seen.list())
		}
	})
}

func TestOneJobAtATime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		db := testenv.SQLite(t)
		r := jobs.New(ctx, db, jobs.Options{})
		release := make(chan struct{})
		first, err := r.Start(ctx, "rebuild", nil, func(ctx context.Context, run *jobs.Run) error {
			<-release
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = r.Start(ctx, "import", nil, func(context.Context, *jobs.Run) error { return nil })
		if vrrec.ErrorCode(err) != vrrec.ECONFLICT || !strings.Contains(err.Error(), first.ID) {
			t.Errorf("second start: %v, want ECONFLICT naming %s", err, first.ID)
		}
		close(release)
		waitState(t, db, first.ID)
		r.Wait()
		if _, err := r.Start(ctx, "import", nil, func(context.Context, *jobs.Run) error { return nil }); err != nil {
			t.Errorf("a start after the first finished: %v", err)
		}
		r.Wait()
	})
}

func TestFailedAndCrashedJobs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		db := testenv.SQLite(t)
		var seen outcomes
		r := jobs.New(ctx, db, jobs.Options{Done: seen.done})
		failed, _ := r.Start(ctx, "refresh", nil, func(context.Context, *jobs.Run) error {
			return errors.New("source answered 502")
		})
		if got := waitState(t, db, failed.ID); got.State != vrrec.JobFailed || got.Error != "source answered 502" {
			t.Errorf("failed job: %+v", got)
		}
		r.Wait()
		crashed, _ := r.Start(ctx, "refresh", nil, func(context.Context, *jobs.Run) error {
			var m map[string]int
			m["x"]++ // nil map write
			return nil
		})
		if got := waitState(t, db, crashed.ID); got.State != vrrec.JobFailed || !strings.Contains(got.Error, "job crashed") {
			t.Errorf("crashed job: %+v", got)
		}
		r.Wait()
		if seen.list() != "refresh:failed,refresh:failed" {
			t.Errorf("Done told %q", seen.list())
		}
	})
}

func TestCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		db := testenv.SQLite(t)
		r := jobs.New(ctx, db, jobs.Options{})
		started := make(chan struct{})
		job, _ := r.Start(ctx, "extract_skills", nil, func(ctx context.Context, run *jobs.Run) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		})
		<-started
		if err := r.Cancel(ctx, job.ID); err != nil {
			t.Fatal(err)
		}
		got := waitState(t, db, job.ID)
		if got.State != vrrec.JobCancelled {
			t.Errorf("cancelled job: %+v", got)
		}
		r.Wait()
		if err := r.Cancel(ctx, job.ID); vrrec.ErrorCode(err) != vrrec.ENOTFOUND {
			t.Errorf("cancelling a finished job: %v", err)
		}
	})
}

// A cancel sent to one instance stops the job running on another.
func TestCancelFromAnotherInstance(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		db := testenv.SQLite(t)
		runsJob := jobs.New(ctx, db, jobs.Options{CancelPoll: 20 * time.Millisecond})
		other := jobs.New(ctx, db, jobs.Options{})
		started := make(chan struct{})
		job, _ := runsJob.Start(ctx, "rebuild", nil, func(ctx context.Context, run *jobs.Run) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		})
		<-started
		if err := other.Cancel(ctx, job.ID); err != nil {
			t.Fatal(err)
		}
		if got := waitState(t, db, job.ID); got.State != vrrec.JobCancelled {
			t.Errorf("job cancelled elsewhere: %+v", got)
		}
		runsJob.Wait()
	})
}

// Stopping the service marks its running job interrupted, not failed or
// running forever; a crash is covered by the heartbeat and SweepStale.
func TestStopInterrupts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, stop := context.WithCancel(context.Background())
		db := testenv.SQLite(t)
		var seen outcomes
		r := jobs.New(ctx, db, jobs.Options{Done: seen.done})
		started := make(chan struct{})
		job, _ := r.Start(context.Background(), "rebuild", nil, func(ctx context.Context, run *jobs.Run) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		})
		<-started
		stop()
		r.Wait()
		got, _ := db.Job(context.Background(), job.ID)
		if got.State != vrrec.JobInterrupted || got.Error == "" {
			t.Errorf("job after stop: %+v", got)
		}
		if _, err := r.Start(context.Background(), "rebuild", nil, func(context.Context, *jobs.Run) error { return nil }); vrrec.ErrorCode(err) != vrrec.EUNAVAILABLE {
			t.Errorf("start while stopping: %v", err)
		}
		if seen.list() != "rebuild:interrupted" {
			t.Errorf("Done told %q", seen.list())
		}
	})
}

// A running job beats; when another instance finds the beat late and marks
// the job interrupted, the process still running it stops it too.
func TestJobInterruptedElsewhereStopsHere(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		db := testenv.SQLite(t)
		r := jobs.New(ctx, db, jobs.Options{CancelPoll: 10 * time.Millisecond, HeartbeatEvery: 20 * time.Millisecond})
		stopped := make(chan struct{})
		job, _ := r.Start(ctx, "rebuild", nil, func(ctx context.Context, run *jobs.Run) error {
			<-ctx.Done()
			close(stopped)
			return ctx.Err()
		})
		deadline := time.Now().Add(5 * time.Second)
		for {
			got, _ := db.Job(ctx, job.ID)
			if got.HeartbeatAt.After(job.StartedAt) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("no heartbeat recorded")
			}
			time.Sleep(10 * time.Millisecond)
		}
		// Another instance, with a clock a minute ahead, sweeps.
		if n, err := db.InterruptStale(ctx, time.Now(), time.Now().Add(time.Minute)); err != nil || n != 1 {
			t.Fatalf("sweep: %d, %v", n, err)
		}
		select {
		case <-stopped:
		case <-time.After(5 * time.Second):
			t.Fatal("the job kept running after it was interrupted elsewhere")
		}
		r.Wait()
		if got, _ := db.Job(ctx, job.ID); got.State != vrrec.JobInterrupted {
			t.Errorf("job: %+v", got)
		}
	})
}

// A job left running by a process that died (no heartbeat) is marked
// interrupted by the sweep, and its slot is free again.
func TestSweepInterruptsJobsOfDeadProcesses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, stop := context.WithCancel(context.Background())
		defer stop()
		db := testenv.SQLite(t)
		if err := db.StartJob(ctx, vrrec.Job{ID: "dead", Type: "import", StartedAt: time.Now().Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
		r := jobs.New(ctx, db, jobs.Options{StaleAfter: time.Minute})
		go r.SweepStale(ctx, 10*time.Millisecond)
		if got := waitState(t, db, "dead"); got.State != vrrec.JobInterrupted || got.Error != vrrec.JobStoppedMessage {
			t.Errorf("dead job: %+v", got)
		}
		if _, err := r.Start(ctx, "import", nil, func(context.Context, *jobs.Run) error { return nil }); err != nil {
			t.Errorf("a job after the sweep: %v", err)
		}
		r.Wait()
	})
}

// A job with a live heartbeat is not touched by a starting instance: no
// more "restart interrupts everything".
func TestStartLeavesLiveJobsAlone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		db := testenv.SQLite(t)
		fast := jobs.Options{CancelPoll: 10 * time.Millisecond, HeartbeatEvery: 20 * time.Millisecond, StaleAfter: 150 * time.Millisecond}
		a := jobs.New(ctx, db, fast)
		release := make(chan struct{})
		job, _ := a.Start(ctx, "import", nil, func(ctx context.Context, run *jobs.Run) error { <-release; return ctx.Err() })
		// Well past StaleAfter, on the bubble's clock: only the heartbeat
		// keeps the job alive.
		time.Sleep(600 * time.Millisecond)
		b := jobs.New(ctx, db, fast)
		if _, err := b.Start(ctx, "rebuild", nil, func(context.Context, *jobs.Run) error { return nil }); vrrec.ErrorCode(err) != vrrec.ECONFLICT {
			t.Errorf("second instance's start: %v, want ECONFLICT", err)
		}
		close(release)
		if got := waitState(t, db, job.ID); got.State != vrrec.JobCompleted {
			t.Errorf("the first instance's job: %+v", got)
		}
		a.Wait()
	})
}

// With the database down, starting or cancelling a job is "unavailable"
// (503 with Retry-After at the API), not an internal error.
func TestDatabaseDownIsUnavailable(t *testing.T) {
	ctx := context.Background()
	db := testenv.SQLite(t)
	r := jobs.New(ctx, db, jobs.Options{})
	db.Close()
	_, err := r.Start(ctx, "import", nil, func(context.Context, *jobs.Run) error { return nil })
	if vrrec.ErrorCode(err) != vrrec.EUNAVAILABLE || strings.Contains(vrrec.ErrorMessage(err), "sql") {
		t.Errorf("start with the database down: %q %q", vrrec.ErrorCode(err), vrrec.ErrorMessage(err))
	}
	if err := r.Cancel(ctx, "x"); vrrec.ErrorCode(err) != vrrec.EUNAVAILABLE {
		t.Errorf("cancel with the database down: %v", err)
	}
}
