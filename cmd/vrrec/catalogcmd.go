package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/config"
	"github.com/vrrec/vrrec/eval"
	"github.com/vrrec/vrrec/graph"
	"github.com/vrrec/vrrec/jobs"
	"github.com/vrrec/vrrec/rag"
)

const catalogUsage = `Usage:
  vrrec catalog list [--json]                       the kept versions: drafts, the live one, earlier ones
  vrrec catalog diff VERSION [--json]               what a version changes against the live catalog, and its measured quality
  vrrec catalog publish VERSION [--confirm-worse] [--confirm-unknown]
                                                    make a version live (a draft that scores worse needs --confirm-worse,
                                                    one whose quality could not be measured --confirm-unknown)
  vrrec catalog rollback [VERSION]                  publish an earlier version again (default: the one live before)
  vrrec catalog discard VERSION                     forget a draft
`

// newDataJobs is the data-management work on db: drafts kept in the
// database's catalog history, measured on the built-in labeled sets and the
// queries staff labeled from use (read at each measurement) with engines
// over the in-memory graph; publish runs reload after writing.
func newDataJobs(cfg config.Config, db database, emb vrrec.Embedder, log *slog.Logger, opts rag.Options, reload func(ctx context.Context, run *jobs.Run) error) (*jobs.Data, error) {
	builtin, err := eval.Builtin()
	if err != nil {
		return nil, err
	}
	fromUse := eval.Stored{LabeledQueryStore: db}
	sets := func(ctx context.Context) (map[string]*eval.Set, error) {
		stored, err := fromUse.Set(ctx)
		if err != nil {
			return nil, err
		}
		out := maps.Clone(builtin)
		if len(stored.Queries) > 0 {
			out[eval.FromUse] = stored
		}
		return out, nil
	}
	return &jobs.Data{
		History: &catalog.History{Store: db, Keep: cfg.CatalogVersionsKeep},
		Engine: func(ctx context.Context, cat *vrrec.Catalog, progress func(done, total int)) (vrrec.Recommender, error) {
			o := opts
			o.Progress = progress
			return newEngine(ctx, log, cat, graph.New(cat), emb, newVectorCache(emb, db, log), o)
		},
		Sets:   sets,
		Reload: reload,
	}, nil
}

// cliDataJobs is newDataJobs for a command: it names the operating-system user (cliActor) as who
// made a draft, and a publish stores the published catalog's vectors, so
// running servers load it without embedding.
func cliDataJobs(cfg config.Config, db database, log *slog.Logger, stderr io.Writer) (*jobs.Data, error) {
	emb, err := newEmbedder(cfg)
	if err != nil {
		return nil, err
	}
	data, err := newDataJobs(cfg, db, emb, log, rag.Options{}, func(ctx context.Context, run *jobs.Run) error {
		cat, _, err := db.LoadCatalog(ctx)
		if err != nil {
			return err
		}
		return storeVectors(ctx, db, emb, cat, stderr, log)
	})
	if err != nil {
		return nil, err
	}
	data.By = cliActor()
	return data, nil
}

func cmdCatalog(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, catalogUsage)
		return fmt.Errorf("catalog needs a subcommand")
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("catalog "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	var confirm vrrec.PublishConfirm
	fs.BoolVar(&confirm.Worse, "confirm-worse", false, "publish a draft that scores worse than the live catalog")
	fs.BoolVar(&confirm.Unknown, "confirm-unknown", false, "publish a draft whose quality could not be measured (no labeled query applies to it and the live catalog)")
	pos, err := parseFlags(fs, rest)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	data, err := cliDataJobs(cfg, db, log, stderr)
	if err != nil {
		return err
	}
	control := jobs.Control{Data: data}
	version := func() (string, error) {
		if len(pos) != 1 {
			return "", fmt.Errorf("catalog %s needs one VERSION (see vrrec catalog list)", sub)
		}
		return pos[0], nil
	}
	switch sub {
	case "list":
		entries, live, err := data.History.List(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSONTo(stdout, map[string]any{"live": live, "versions": entries})
		}
		printVersions(stdout, entries)
		return nil
	case "diff":
		v, err := version()
		if err != nil {
			return err
		}
		if *asJSON {
			detail, err := control.Version(ctx, v)
			if err != nil {
				return err
			}
			return writeJSONTo(stdout, detail)
		}
		diff, live, err := data.History.Compare(ctx, v)
		if err != nil {
			return err
		}
		_, rev, err := db.LoadRevision(ctx, v)
		if err != nil {
			return err
		}
		printDiff(stdout, v, live, diff, rev)
		return nil
	case "publish", "rollback":
		var v string
		if sub == "rollback" && len(pos) == 0 {
			if v, err = previousVersion(ctx, data.History); err != nil {
				return err
			}
		} else if v, err = version(); err != nil {
			return err
		}
		fn, rev, err := data.Publish(ctx, v, data.By, confirm)
		if err != nil {
			if vrrec.ErrorCode(err) == vrrec.EINVALID {
				return fmt.Errorf("%s (%s)", vrrec.ErrorMessage(err), confirmHint(err))
			}
			return err
		}
		params := map[string]string{"version": v, "by": "vrrec catalog " + sub}
		if confirm.Worse {
			params["confirmed_worse"] = "true"
		}
		if confirm.Unknown {
			params["confirmed_unknown"] = "true"
		}
		if err := runAsJob(ctx, db, log, jobs.TypePublish, params, fn, auditAs{"publish_catalog", v + confirm.Note()}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Published version %s (%s, %s): running servers serve it within seconds.\n", v, rev.Origin, rev.CreatedAt.Format("2006-01-02 15:04 MST"))
		return nil
	case "discard":
		v, err := version()
		if err != nil {
			return err
		}
		if err := data.Discard(ctx, v); err != nil {
			return err
		}
		auditCLI(ctx, db, log, "discard_catalog_draft", v+" (vrrec catalog discard)")
		fmt.Fprintf(stdout, "Discarded draft %s.\n", v)
		return nil
	default:
		fmt.Fprint(stderr, catalogUsage)
		return fmt.Errorf("unknown catalog subcommand %q", sub)
	}
}

// previousVersion is the earlier version published most recently: what
// was live before the live one.
func previousVersion(ctx context.Context, h *catalog.History) (string, error) {
	entries, _, err := h.List(ctx)
	if err != nil {
		return "", err
	}
	var earlier []catalog.Entry
	for _, e := range entries {
		if e.State == catalog.StateEarlier {
			earlier = append(earlier, e)
		}
	}
	if len(earlier) == 0 {
		return "", vrrec.Errorf(vrrec.ENOTFOUND, "no earlier version is kept to roll back to")
	}
	slices.SortStableFunc(earlier, func(a, b catalog.Entry) int { return b.PublishedAt.Compare(a.PublishedAt) })
	return earlier[0].Version, nil
}

func writeJSONTo(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printVersions(w io.Writer, entries []catalog.Entry) {
	fmt.Fprintf(w, "%-16s  %-7s  %-17s  %-20s  %-13s  %s\n", "VERSION", "STATE", "MADE", "ORIGIN", "BY", "CHANGES / QUALITY")
	for _, e := range entries {
		fmt.Fprintf(w, "%-16s  %-7s  %-17s  %-20s  %-13s  %s%s\n", e.Version, e.State, e.CreatedAt.Format("2006-01-02 15:04"),
			e.Origin, e.CreatedBy, e.Summary, qualityLine(e.Quality))
	}
}

// qualityLine sums a measured quality up: " | default nDCG@5 0.83→0.79 (4 worse)".
func qualityLine(raw json.RawMessage) string {
	var q eval.Quality
	if len(raw) == 0 || json.Unmarshal(raw, &q) != nil {
		return ""
	}
	var parts []string
	for _, s := range q.Sets {
		parts = append(parts, fmt.Sprintf("%s nDCG@5 %.3f→%.3f (%d worse, %d better)", s.Set, s.Live.NDCGAt5, s.Draft.NDCGAt5, s.Worse, s.Better))
	}
	if len(parts) == 0 {
		return ""
	}
	return " | " + strings.Join(parts, "; ")
}

// diffLines bounds the rows printed per list; --json prints them all.
const diffLines = 15

func printDiff(w io.Writer, version, live string, d catalog.Diff, rev vrrec.Revision) {
	fmt.Fprintf(w, "Version %s (%s by %s, %s) against the live %s: %s\n", version, rev.Origin, rev.CreatedBy,
		rev.CreatedAt.Format("2006-01-02 15:04 MST"), live, d.Summary())
	for _, t := range []struct {
		name string
		c    catalog.Changes
	}{{"apps", d.Apps}, {"courses", d.Courses}, {"skills", d.Skills}, {"course skills", d.CourseSkills}, {"app skills", d.AppSkills}} {
		if t.c.Count() == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s:\n", t.name)
		list := func(sign string, keys []string) {
			for i, k := range keys {
				if i == diffLines {
					fmt.Fprintf(w, "  ... and %d more\n", len(keys)-diffLines)
					break
				}
				fmt.Fprintf(w, "  %s %s\n", sign, k)
			}
		}
		list("+", t.c.Added)
		list("-", t.c.Removed)
		changed := make([]string, len(t.c.Changed))
		for i, c := range t.c.Changed {
			changed[i] = c.Key + " (" + strings.Join(c.Fields, ", ") + ")"
		}
		list("~", changed)
		renamed := make([]string, len(t.c.Renamed))
		for i, r := range t.c.Renamed {
			renamed[i] = fmt.Sprintf("%s: %s → %s (same app, new id)", r.Name, r.From, r.To)
		}
		list("=", renamed)
	}
	var q eval.Quality
	if len(rev.Quality) == 0 || json.Unmarshal(rev.Quality, &q) != nil {
		fmt.Fprintln(w, "\nQuality: not measured.")
		return
	}
	fmt.Fprintln(w, "\nQuality on the labeled queries, against the catalog live when it was made:")
	if q.Note != "" {
		fmt.Fprintf(w, "  %s\n", q.Note)
	}
	for _, s := range q.Sets {
		if s.Queries == 0 {
			fmt.Fprintf(w, "  %s: not measured: %s\n", s.Set, s.Note)
			continue
		}
		fmt.Fprintf(w, "  %s (%d queries that apply to both, %d left out): nDCG@5 %.3f → %.3f, recall@8 %.3f → %.3f; %d worse, %d better\n",
			s.Set, s.Queries, s.Skipped, s.Live.NDCGAt5, s.Draft.NDCGAt5, s.Live.RecallAt8, s.Draft.RecallAt8, s.Worse, s.Better)
		for _, x := range s.Worst {
			fmt.Fprintf(w, "    worse: %q %.2f → %.2f (now %s)\n", x.Query, x.Live, x.Draft, strings.Join(x.DraftTop, ", "))
		}
	}
	switch {
	case q.Worsened:
		fmt.Fprintln(w, "  It scores worse: publishing it needs --confirm-worse.")
	case q.Unknown():
		fmt.Fprintln(w, "  Its quality is unknown, not worse: publishing it needs --confirm-unknown.")
	}
}

// confirmHint names the flag that confirms what a refused publication
// says.
func confirmHint(err error) string {
	if strings.Contains(vrrec.ErrorMessage(err), "unknown") {
		return "add --confirm-unknown"
	}
	return "add --confirm-worse"
}
