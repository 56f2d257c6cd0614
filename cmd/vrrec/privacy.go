package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/config"
	"github.com/vrrec/vrrec/jobs"
	"github.com/vrrec/vrrec/privacy"
)

// studentData lists every kind of data kept about students: what a
// student's or staff's forget deletes, what an export holds and what
// retention expires. Votes are kept as long as the interactions they are
// about; a profile as long as a session, from the student's last visit or
// change.
func studentData(cfg config.Config, db database) *privacy.Service {
	return &privacy.Service{Kinds: []privacy.Kind{
		privacy.Interactions(db, cfg.RetentionInteractions),
		privacy.Sessions(db, cfg.RetentionSessions),
		privacy.Feedback(db, cfg.RetentionInteractions),
		privacy.Profiles(db, cfg.RetentionSessions),
	}}
}

// retain starts the retention job when it is due: at start, then each
// tick. It runs through the job runner, so one instance at a time runs it
// and staff see it in the job history.
func (m *Main) retain(ctx context.Context, ticks <-chan time.Time) {
	for {
		if recent, err := m.db.Jobs(ctx, 50); ctx.Err() != nil {
			return // stopping (a failed start, too): the database is not at fault
		} else if err != nil {
			m.Log.Warn("retention not checked: the database does not answer", "err", err)
		} else if privacy.Due(recent, time.Now()) {
			_, err := m.runner.Start(ctx, privacy.JobType, map[string]string{"by": "schedule"}, retentionJob(m.privacy))
			switch {
			case vrrec.ErrorCode(err) == vrrec.ECONFLICT:
				m.Log.Debug("retention waits for the running job", "err", err)
			case err != nil:
				m.Log.Warn("retention not started", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-ticks:
		}
	}
}

// retentionJob deletes what is older than its retention window, logging
// what went.
func retentionJob(svc *privacy.Service) jobs.Func {
	return func(ctx context.Context, run *jobs.Run) error {
		run.Progress("deleting expired data", 0, len(svc.Kinds))
		done := 0
		_, err := svc.Expire(ctx, func(kind string, before time.Time, n int, err error) {
			done++
			run.Progress("deleting expired data", done, len(svc.Kinds))
			if err != nil {
				run.Logf("%s older than %s: %v", kind, before.Format(time.DateOnly), err)
				return
			}
			run.Logf("%s older than %s: %d deleted", kind, before.Format(time.DateOnly), n)
		})
		return err
	}
}

const studentUsage = `Usage:
  vrrec student export USER_ID    print everything stored about the student identity, as JSON
  vrrec student forget USER_ID    delete everything stored about it (statistics keep daily counts)

Both are recorded in the staff audit trail.
`

// cmdStudent exports or deletes what is stored about one student.
func cmdStudent(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	if len(args) != 2 || (args[0] != "export" && args[0] != "forget") {
		fmt.Fprint(stderr, studentUsage)
		return fmt.Errorf("want: vrrec student export|forget USER_ID")
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	svc, id := studentData(cfg, db), args[1]
	audit := func(action, detail string) { auditCLI(ctx, db, log, action, detail) }
	if args[0] == "export" {
		exp, err := svc.Export(ctx, id)
		if err != nil {
			return err
		}
		audit("export_student", id+" (vrrec student export)")
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(exp)
	}
	f, err := svc.Forget(ctx, id)
	if err != nil {
		if vrrec.ErrorCode(err) != vrrec.EINVALID {
			audit("forget_student", id+" (vrrec student forget, incomplete)")
		}
		return err
	}
	audit("forget_student", id+" (vrrec student forget)")
	fmt.Fprintf(stdout, "Forgot %s:", id)
	for _, kind := range slices.Sorted(maps.Keys(f.Removed)) {
		fmt.Fprintf(stdout, " %d %s", f.Removed[kind], kind)
	}
	fmt.Fprintln(stdout, " deleted.")
	return nil
}
