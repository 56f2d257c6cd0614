package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/config"
	"github.com/vrrec/vrrec/graph"
	"github.com/vrrec/vrrec/jobs"
	"github.com/vrrec/vrrec/live"
	"github.com/vrrec/vrrec/neo4j"
)

// cmdBuildGraph writes the stored catalog into Neo4j (GRAPH_BACKEND=neo4j)
// and prints the graph's statistics; with the in-memory backend it prints
// the statistics of the graph serve builds at start.
func cmdBuildGraph(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("build-graph", flag.ContinueOnError)
	clear := fs.Bool("clear", false, "delete everything in the Neo4j database first")
	asJSON := fs.Bool("json", false, "print the statistics as JSON")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	// NEO4J_URI may have been set on the configuration page.
	if cfg, err = withStoredSettingsIfAny(ctx, cfg, db, log); err != nil {
		return err
	}
	cat, src, _, err := live.Stored(ctx, db)
	if err != nil {
		return err
	}
	version := catalog.Version(cat)
	var st vrrec.GraphStats
	if cfg.GraphBackend != config.GraphNeo4j {
		if !*asJSON {
			fmt.Fprintf(stdout, "GRAPH_BACKEND=%s: vrrec serve builds the graph in memory when it starts; the %s catalog (version %s) gives:\n\n", cfg.GraphBackend, src, version)
		}
		st = graph.StatsOf(cat)
	} else {
		neo, err := neo4j.Open(ctx, neo4j.Config{URI: cfg.Neo4jURI, User: cfg.Neo4jUser, Password: cfg.Neo4jPassword, Database: cfg.Neo4jDatabase})
		if err != nil {
			return fmt.Errorf("Neo4j at %s: %w", cfg.Neo4jURI, err)
		}
		defer neo.Close(context.WithoutCancel(ctx))
		if !*asJSON {
			fmt.Fprintf(stdout, "Writing the %s catalog (version %s) into Neo4j at %s\n", src, version, cfg.Neo4jURI)
		}
		params := map[string]string{"by": "vrrec build-graph", "clear": fmt.Sprint(*clear)}
		if err := runAsJob(ctx, db, log, jobs.TypeRebuild, params, func(ctx context.Context, run *jobs.Run) error {
			report, end := progressPrinter(stderr)
			defer end()
			return neo.Build(ctx, cat, neo4j.BuildOptions{Clear: *clear, Version: version, Progress: func(done, total int, stage string) {
				report(done, 0, total)
				run.Progress(stage, done, total)
			}})
		}, auditAs{}); err != nil {
			return err
		}
		if st, err = neo.Stats(ctx); err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	printGraphStats(stdout, st)
	return nil
}

// runAsJob runs a command's work under the job lock, so it never overlaps
// a job a serving instance runs, and shows in the admin job history; it
// returns when the work is done. Once the job has started it is recorded
// in the audit trail as the API records a job it starts: a.action (default
// "start_job") with a.detail (default the job's type and id), followed by
// the command (params["by"]).
func runAsJob(ctx context.Context, db database, log *slog.Logger, jobType string, params map[string]string, fn jobs.Func, a auditAs) error {
	// The command reports for itself; the job's lines go to the store.
	runner := jobs.New(ctx, db, jobs.Options{Log: slog.New(slog.DiscardHandler)})
	job, err := runner.Start(ctx, jobType, params, fn)
	if vrrec.ErrorCode(err) == vrrec.ECONFLICT {
		return fmt.Errorf("%w: wait for it, or cancel it on /admin/data", err)
	}
	if err != nil {
		return err
	}
	if a.action == "" {
		a = auditAs{"start_job", job.Type + " " + job.ID}
	}
	auditCLI(ctx, db, log, a.action, a.detail+" ("+params["by"]+")")
	runner.Wait()
	done, err := db.Job(context.WithoutCancel(ctx), job.ID)
	if err != nil {
		return err
	}
	if done.State != vrrec.JobCompleted {
		return fmt.Errorf("%s %s: %s", jobType, done.State, done.Error)
	}
	return nil
}

// auditAs is how runAsJob records its job; zero: as a job started.
type auditAs struct{ action, detail string }

func printGraphStats(w io.Writer, st vrrec.GraphStats) {
	fmt.Fprintf(w, "Nodes: %d (%d courses, %d apps, %d skills)\n", st.Nodes(), st.Courses, st.Apps, st.Skills)
	fmt.Fprintf(w, "Edges: %d (%d TEACHES, %d DEVELOPS)\n", st.Edges(), st.Teaches, st.Develops)
	for _, r := range []struct {
		title string
		rows  []vrrec.RankedCount
	}{{"Top skills by mentions", st.TopSkills}, {"Courses teaching the most skills", st.TopCourses}, {"Apps developing the most skills", st.TopApps}} {
		fmt.Fprintf(w, "\n%s:\n", r.title)
		for _, row := range r.rows {
			label := row.Name
			if row.ID != row.Name {
				label = row.ID + " " + row.Name
			}
			fmt.Fprintf(w, "  %4d  %s\n", row.Count, label)
		}
	}
}
