package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/config"
	"github.com/vrrec/vrrec/eval"
	"github.com/vrrec/vrrec/graph"
	"github.com/vrrec/vrrec/live"
	"github.com/vrrec/vrrec/rag"
)

// evalSet is a labeled query set with the catalog it is labeled against.
type evalSet struct {
	name    string
	set     *eval.Set
	cat     *vrrec.Catalog
	source  string
	engine  *rag.Engine
	oldSys  *rag.OldSystem
	reports map[string]*eval.Report // by row label
}

func cmdEval(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	queries := fs.String("queries", "", "one labeled query set (JSON); default: the built-in sets, eval/default.json on the embedded catalog and eval/upstream.json on --upstream")
	catDir := fs.String("catalog", "", "with --queries: the upstream-format catalog it is labeled against (default: DATA_DIR's)")
	upstream := fs.String("upstream", filepath.Join("..", "shared", "upstream-data"), "the old system's catalog, for eval/upstream.json")
	split := fs.String("split", "", "only the dev or test queries (default: report both)")
	baseline := fs.String("baseline", "", `"old": also run a replica of the old system's retrieval on the same model`)
	fit := fs.Bool("fit", false, "fit the fusion weights on the dev queries and report with them")
	without := fs.String("without", "", "comma-separated evidence to turn off: "+strings.Join(rag.EvidenceKinds, ", "))
	diversity := fs.Float64("diversity", 0, "diversification strength (0: default; negative: off)")
	fromStore := fs.Bool("from-store", false, "also run the queries staff labeled from use (saved in the database) on the served catalog")
	asJSON := fs.Bool("json", false, "print the reports as JSON")
	verbose := fs.Bool("v", false, "print every query's scores and retrieved apps")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *baseline != "" && *baseline != "old" {
		return fmt.Errorf(`--baseline: want "old", got %q`, *baseline)
	}
	if *split != "" && *split != eval.SplitDev && *split != eval.SplitTest {
		return fmt.Errorf("--split: want dev or test, got %q", *split)
	}
	opts := rag.Options{Diversity: *diversity}
	if *without != "" {
		opts.Without = map[string]bool{}
		for _, w := range strings.Split(*without, ",") {
			w = strings.TrimSpace(w)
			if !slices.Contains(rag.EvidenceKinds, w) {
				return fmt.Errorf("--without: %q is no kind of evidence (%s)", w, strings.Join(rag.EvidenceKinds, ", "))
			}
			opts.Without[w] = true
		}
	}

	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	sets, err := loadEvalSets(ctx, db, *queries, *catDir, *upstream, stderr)
	if err != nil {
		return err
	}
	if *fromStore {
		s, err := storedEvalSet(ctx, db, stderr)
		if err != nil {
			return err
		}
		if s != nil {
			sets = append(sets, s)
		}
	}
	emb, err := newEmbedder(cfg)
	if err != nil {
		return err
	}
	cache := newVectorCache(emb, db, log)
	opts.Progress = embedProgress(stderr, emb)
	build := func(s *evalSet) (err error) {
		s.engine, err = newEngine(ctx, log, s.cat, graph.New(s.cat), emb, cache, opts)
		return err
	}
	for _, s := range sets {
		if err := build(s); err != nil {
			return err
		}
		if *baseline == "old" {
			if s.oldSys, err = rag.NewOldSystem(ctx, s.cat, catalog.Version(s.cat), graph.New(s.cat), emb, cache); err != nil {
				return err
			}
		}
	}
	if *fit {
		w, err := fitWeights(ctx, sets)
		if err != nil {
			return err
		}
		opts.Weights = w
		if !*asJSON {
			b, _ := json.Marshal(w)
			fmt.Fprintf(stdout, "fitted on the dev queries: %s\n\n", b)
		}
		for _, s := range sets {
			if err := build(s); err != nil {
				return err
			}
		}
	}

	splits := []string{eval.SplitDev, eval.SplitTest, "all"}
	if *split != "" {
		splits = []string{*split}
	}
	for _, s := range sets {
		s.reports = map[string]*eval.Report{}
		for _, sp := range splits {
			sub := s.set.Filter(sp)
			if len(sub.Queries) == 0 {
				continue
			}
			if s.reports["vrrec "+sp], err = runChecked(ctx, s.engine, sub, s.cat); err != nil {
				return err
			}
			if s.oldSys != nil {
				if s.reports["old system "+sp], err = runChecked(ctx, s.oldSys, sub, s.cat); err != nil {
					return err
				}
			}
		}
	}
	if *asJSON {
		out := evalJSON{Sets: map[string]map[string]*eval.Report{}}
		for _, s := range sets {
			out.Sets[s.name] = s.reports
		}
		if *fit {
			out.FittedWeights = &opts.Weights
		}
		return writeJSONTo(stdout, out)
	}
	for _, s := range sets {
		if *verbose {
			printQueries(stdout, s.reports["vrrec "+splits[len(splits)-1]])
		}
		fmt.Fprintf(stdout, "%s: %d queries on the %s catalog (%d apps), embedder %s\n", s.name, len(s.set.Queries), s.source, len(s.cat.Apps), s.engine.EmbedderName())
		fmt.Fprintf(stdout, "  %-16s %7s %7s %7s %7s %7s %9s %7s %6s %9s %7s\n", "", "queries", "nDCG@5", "R@8", "MRR", "P@5", "honesty", "nothing", "ECE", "broken", "unconf")
		rows := []string{}
		for _, sp := range splits {
			if s.oldSys != nil {
				rows = append(rows, "old system "+sp)
			}
			rows = append(rows, "vrrec "+sp)
		}
		for _, row := range rows {
			r := s.reports[row]
			if r == nil {
				continue
			}
			c := r.Constraints
			fmt.Fprintf(stdout, "  %-16s %7d %7.3f %7.3f %7.3f %7.3f %4d/%-4d %7.2f %6.3f %4d/%-4d %7d\n", row, len(r.Queries), r.NDCGAt5, r.RecallAt8,
				r.MRR, r.PrecisionAt5, int(r.Honesty*float64(r.Unsupported)+0.5), r.Unsupported, r.FalseNothing, r.Calibration.ECE,
				c.Violations, c.Picks, c.Unconfirmed)
		}
		if r := s.reports["vrrec "+splits[len(splits)-1]]; r != nil {
			kinds := make([]string, 0, len(r.ByKind))
			for k := range r.ByKind {
				kinds = append(kinds, k)
			}
			slices.Sort(kinds)
			fmt.Fprintf(stdout, "  nDCG@5 by kind (%s):", splits[len(splits)-1])
			for _, k := range kinds {
				fmt.Fprintf(stdout, " %s %.2f (%d)", k, r.ByKind[k].NDCGAt5, r.ByKind[k].Queries)
			}
			fmt.Fprintln(stdout)
		}
		fmt.Fprintln(stdout)
	}
	fmt.Fprintln(stdout, "honesty: unsupported topics answered without a pick at 60% or more; nothing: share of answerable queries told nothing fits; ECE: calibration error of the match percentages")
	fmt.Fprintln(stdout, "broken: picks (top 5, or of each need's group) of queries stating a hard constraint that break it by the catalog's facts, of all their picks (goal 0); unconf: picks whose facts the catalog does not know")
	fmt.Fprintln(stdout, "by kind: a several-needs query scores the mean nDCG@5 of its needs")
	return nil
}

// runChecked scores a recommender on a set and checks its picks against
// the set's stated hard constraints.
func runChecked(ctx context.Context, rec vrrec.Recommender, set *eval.Set, cat *vrrec.Catalog) (*eval.Report, error) {
	r, err := eval.Run(ctx, rec, set)
	if err != nil {
		return nil, err
	}
	if err := r.CheckConstraints(cat); err != nil {
		return nil, err
	}
	return r, nil
}

// evalJSON is what eval --json prints: the reports by set and row, and
// with --fit the fitted weights.
type evalJSON struct {
	Sets          map[string]map[string]*eval.Report `json:"sets"`
	FittedWeights *rag.Weights                       `json:"fitted_weights,omitempty"`
}

// loadEvalSets reads the query sets to run with their catalogs: the one in
// the file queries, or the built-in ones (they travel in the binary). What
// is skipped is said on notices.
func loadEvalSets(ctx context.Context, db vrrec.CatalogStore, queries, catDir, upstream string, notices io.Writer) ([]*evalSet, error) {
	type spec struct {
		name, file, dir string
		set             *eval.Set
	}
	var specs []spec
	if queries != "" {
		set, err := eval.LoadSet(queries)
		if err != nil {
			return nil, err
		}
		specs = []spec{{filepath.Base(queries), queries, catDir, set}}
	} else {
		builtin, err := eval.Builtin()
		if err != nil {
			return nil, err
		}
		specs = append(specs, spec{"default", "eval/default.json", "", builtin["default"]})
		if _, err := os.Stat(upstream); err == nil {
			specs = append(specs, spec{"upstream", "eval/upstream.json", upstream, builtin["upstream"]})
		} else {
			fmt.Fprintf(notices, "(the old system's catalog is not at %s: eval/upstream.json skipped; set --upstream)\n", upstream)
		}
	}
	var out []*evalSet
	for _, sp := range specs {
		set := sp.set
		var err error
		var cat *vrrec.Catalog
		var src string
		if sp.dir == "" && queries == "" {
			if cat, err = catalog.Default(); err != nil {
				return nil, err
			}
			src = live.SourceEmbedded
		} else if cat, src, err = openCatalog(ctx, db, sp.dir); err != nil {
			return nil, err
		}
		if err := set.Check(cat); err != nil {
			return nil, fmt.Errorf("query set %s does not fit the %s catalog: %w", sp.file, src, err)
		}
		out = append(out, &evalSet{name: sp.name, set: set, cat: cat, source: src})
	}
	return out, nil
}

// storedEvalSet is the queries staff labeled from use, on the served
// catalog; nil when there are none. Queries naming an app the catalog no
// longer has are left out, and said so on w.
func storedEvalSet(ctx context.Context, db database, w io.Writer) (*evalSet, error) {
	set, err := eval.Stored{LabeledQueryStore: db}.Set(ctx)
	if err != nil {
		return nil, err
	}
	cat, src, err := openCatalog(ctx, db, "")
	if err != nil {
		return nil, err
	}
	fits := &eval.Set{Catalog: set.Catalog}
	for _, q := range set.Queries {
		one := &eval.Set{Queries: []eval.Query{q}}
		if err := one.Check(cat); err != nil {
			fmt.Fprintf(w, "(labeled query %q left out: %v)\n", q.Query, err)
			continue
		}
		fits.Queries = append(fits.Queries, q)
	}
	if len(fits.Queries) == 0 {
		fmt.Fprintf(w, "(no queries labeled from use fit the %s catalog yet: staff label them from the log's detail view)\n", src)
		return nil, nil
	}
	return &evalSet{name: eval.FromUse, set: fits, cat: cat, source: src}, nil
}

// The fusion's fit: a light L2 penalty, and the pairwise (ordering) part
// weighted half as much as the pointwise (calibration) part; see rag.Fit.
const (
	fitL2    = 0.01
	fitPairs = 0.5
)

// fitWeights fits the fusion on the dev queries of every set.
func fitWeights(ctx context.Context, sets []*evalSet) (rag.Weights, error) {
	var samples []rag.Sample
	query := 0
	for _, s := range sets {
		for _, q := range s.set.Filter(eval.SplitDev).Queries {
			if !q.English() {
				continue
			}
			query++
			ev, err := s.engine.Evidence(ctx, q.Query)
			if err != nil {
				return rag.Weights{}, err
			}
			for i, a := range s.cat.Apps {
				samples = append(samples, rag.Sample{Evidence: ev[i], Label: float64(q.Grade(a.AppID)) / eval.Relevant, Query: query})
			}
		}
	}
	return rag.Fit(samples, fitL2, fitPairs), nil
}

func printQueries(w io.Writer, rep *eval.Report) {
	if rep == nil {
		return
	}
	for _, q := range rep.Queries {
		label := fmt.Sprintf("nDCG@5 %.2f  R@8 %.2f", q.NDCGAt5, q.RecallAt8)
		if q.Unsupported {
			label = "unsupported: honest"
			if !q.Honest {
				label = "unsupported: NOT honest"
			}
		}
		fmt.Fprintf(w, "%s  %q [%s]\n    relevant:  %s", label, q.Query, q.Kind, strings.Join(q.Relevant, ", "))
		if len(q.Acceptable) > 0 {
			fmt.Fprintf(w, " (acceptable: %s)", strings.Join(q.Acceptable, ", "))
		}
		fmt.Fprintf(w, "\n    retrieved:")
		for i, id := range q.Retrieved {
			fmt.Fprintf(w, " %s %d%%", id, q.Percents[i])
		}
		if q.NothingFits {
			fmt.Fprint(w, " [nothing fits]")
		}
		fmt.Fprintln(w)
		for _, n := range q.Needs {
			fmt.Fprintf(w, "    need %q: nDCG@5 %.2f", n.Topic, n.NDCGAt5)
			if n.Group >= 0 {
				fmt.Fprintf(w, " on group %d: %s", n.Group+1, strings.Join(q.Groups[n.Group], ", "))
			}
			fmt.Fprintln(w)
		}
		if len(q.Violating) > 0 || len(q.Unconfirmed) > 0 {
			fmt.Fprintf(w, "    hard constraints: broken by [%s], not confirmed for [%s]\n", strings.Join(q.Violating, ", "), strings.Join(q.Unconfirmed, ", "))
		}
	}
	fmt.Fprintln(w)
}
