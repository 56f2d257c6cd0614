package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/vrrec/vrrec/chat"
	"github.com/vrrec/vrrec/config"
	"github.com/vrrec/vrrec/rag"
	"github.com/vrrec/vrrec/text"
)

func cmdRecommend(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("recommend", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	reply := fs.Bool("reply", false, "print the chat reply (markdown)")
	top := fs.Int("top", 8, "number of apps")
	catDir := fs.String("catalog", "", "use the upstream-format catalog in this directory instead of DATA_DIR")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	query := strings.Join(pos, " ")
	if strings.TrimSpace(query) == "" {
		return fmt.Errorf(`recommend needs a query, e.g. vrrec recommend "I want to learn cybersecurity"`)
	}
	if *top < 1 || *top > 50 {
		return fmt.Errorf("--top must be between 1 and 50")
	}
	eng, cat, src, closeDB, err := cliEngine(ctx, cfg, log, *catDir, stderr, rag.Options{})
	if err != nil {
		return err
	}
	defer closeDB()
	res, err := eng.Recommend(ctx, query, *top)
	if err != nil {
		return err
	}
	switch {
	case *asJSON:
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	case *reply:
		_, err := fmt.Fprintln(stdout, chat.FormatReply(res))
		return err
	}
	fmt.Fprintf(stdout, "%q: %s from the %s catalog (%s)\n\n", res.Query, text.Count(len(res.Apps), "app", "apps"), src, text.Count(len(cat.Apps), "app", "apps"))
	if len(res.Constraints) > 0 {
		labels := make([]string, len(res.Constraints))
		for i, c := range res.Constraints {
			labels[i] = c.Label
		}
		fmt.Fprintf(stdout, "applied: %s\n\n", strings.Join(labels, " · "))
	}
	if len(res.Needs) > 0 || res.Relaxed != "" || len(res.Apps) == 0 {
		fmt.Fprintln(stdout, chat.FormatReply(res)) // grouped needs and relaxations read best as the reply
		return nil
	}
	if len(res.Apps) == 0 {
		fmt.Fprintln(stdout, chat.FormatReply(res))
		return nil
	}
	if res.NothingFits {
		fmt.Fprint(stdout, "Nothing in the catalog fits well; the nearest apps, none a strong match")
		if len(res.NearestAreas) > 0 {
			fmt.Fprintf(stdout, " (nearest areas: %s)", strings.Join(res.NearestAreas, ", "))
		}
		fmt.Fprint(stdout, ":\n\n")
	}
	width := 0
	for _, a := range res.Apps {
		width = max(width, len([]rune(a.Name)))
	}
	for i, a := range res.Apps {
		fmt.Fprintf(stdout, "%2d. %-*s %3d%%  %s, %s\n", i+1, width, a.Name, a.MatchPercent, a.Category, a.RetrievalSource)
		fmt.Fprintf(stdout, "    %s\n", a.Reasoning)
		if len(a.MatchedSkills) > 0 {
			fmt.Fprintf(stdout, "    skills: %s\n", strings.Join(a.MatchedSkills, ", "))
		}
	}
	return nil
}
