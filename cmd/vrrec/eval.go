package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/vrrec/vrrec/config"
	"github.com/vrrec/vrrec/eval"
	"github.com/vrrec/vrrec/graph"
	"github.com/vrrec/vrrec/rag"
)

func cmdEval(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	queries := fs.String("queries", "", "labeled query set (JSON), e.g. eval/default.json")
	catDir := fs.String("catalog", "", "use the upstream-format catalog in this directory instead of DATA_DIR")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	verbose := fs.Bool("v", false, "print every query's scores and retrieved apps")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *queries == "" {
		return fmt.Errorf("eval needs --queries FILE")
	}
	set, err := eval.LoadSet(*queries)
	if err != nil {
		return err
	}
	cat, src, err := openCatalog(ctx, cfg, *catDir)
	if err != nil {
		return err
	}
	if err := set.Check(cat); err != nil {
		return fmt.Errorf("query set %s does not fit the %s catalog: %w", *queries, src, err)
	}
	eng, err := newEngine(ctx, cfg, log, cat, graph.New(cat), rag.Options{})
	if err != nil {
		return err
	}
	rep, err := eval.Run(ctx, eng, set)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	if *verbose {
		for _, q := range rep.Queries {
			fmt.Fprintf(stdout, "P@5 %.2f  R@8 %.2f  nDCG@5 %.2f  %q\n    relevant:  %s\n    retrieved: %s\n",
				q.PrecisionAt5, q.RecallAt8, q.NDCGAt5, q.Query, strings.Join(q.Relevant, ", "), strings.Join(q.Retrieved, ", "))
		}
		fmt.Fprintln(stdout)
	}
	fmt.Fprintf(stdout, "%d queries on the %s catalog (%d apps), embedder %s\n", len(rep.Queries), src, len(cat.Apps), cfg.Embedder)
	fmt.Fprintf(stdout, "precision@5 %.3f\nrecall@8    %.3f\nnDCG@5      %.3f\n", rep.PrecisionAt5, rep.RecallAt8, rep.NDCGAt5)
	return nil
}
