package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/time/rate"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/config"
	"github.com/vrrec/vrrec/jobs"
	"github.com/vrrec/vrrec/openai"
	"github.com/vrrec/vrrec/skills"
)

func cmdExtractSkills(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("extract-skills", flag.ContinueOnError)
	catDir := fs.String("catalog", "", "read courses and apps from this upstream-format directory instead of DATA_DIR")
	out := fs.String("out", "", "write the upstream-format catalog here (default DATA_DIR/extracted)")
	state := fs.String("state", "", "finished items, for resuming (default DATA_DIR/extract-skills.jsonl)")
	conc := fs.Int("concurrency", 4, "items read at once")
	perSecond := fs.Float64("rate", 2, "items started per second toward the LLM provider (0: no limit)")
	distance := fs.Float64("merge-distance", 0.2, "merge skills whose vectors are closer than this cosine distance")
	offline := fs.Bool("offline", false, "match the known vocabulary instead of asking the LLM")
	doImport := fs.Bool("import", false, "also keep the result as a catalog draft in the database (publish it with vrrec catalog publish)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *conc < 1 || *perSecond < 0 || *distance <= 0 || *distance >= 1 {
		return fmt.Errorf("--concurrency must be at least 1, --rate at least 0, --merge-distance between 0 and 1")
	}
	if *out == "" {
		*out = filepath.Join(cfg.DataDir, "extracted")
	}
	if *state == "" {
		*state = filepath.Join(cfg.DataDir, "extract-skills.jsonl")
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	cat, src, err := openCatalog(ctx, db, *catDir)
	if err != nil {
		return err
	}
	ex, how, err := newExtractor(cfg, cat, *offline)
	if err != nil {
		return err
	}
	if _, isLLM := ex.(skills.LLMExtractor); !isLLM {
		*perSecond = 0 // nothing to protect
	}
	if err := os.MkdirAll(filepath.Dir(*state), 0o755); err != nil {
		return err
	}
	items := skills.Items(cat)
	fmt.Fprintf(stdout, "Extracting skills from %d courses and apps of the %s catalog with %s\n", len(items), src, how)
	progress, endProgress := progressPrinter(stderr)
	run := skills.Run{Extractor: ex, StatePath: *state, Concurrency: *conc, Limit: rate.Limit(*perSecond), Progress: progress}
	records, runErr := run.Extract(ctx, items)
	endProgress()
	if runErr != nil {
		log.Warn("some items were not read", "err", runErr)
	}

	emb, err := newEmbedder(cfg)
	if err != nil {
		return err
	}
	sk, cs, as, err := skills.Build(ctx, records, cat.Skills, emb, *distance)
	if err != nil {
		return err
	}
	result := &vrrec.Catalog{Courses: cat.Courses, Apps: cat.Apps, Skills: sk, CourseSkills: cs, AppSkills: as}
	if err := writeUpstream(*out, result); err != nil {
		return err
	}
	checked, rep, err := catalog.ReadDir(os.DirFS(*out))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d of %d items read; %d skills, %d course-skill and %d app-skill rows written to %s (%d rows dropped on validation)\n",
		len(records), len(items), len(checked.Skills), len(checked.CourseSkills), len(checked.AppSkills), *out, rep.Count(catalog.Dropped))
	if *doImport && runErr != nil {
		fmt.Fprintln(stdout, "Not imported: some items were not read; run again to finish them, then import.")
	}
	if *doImport && runErr == nil {
		data, err := cliDataJobs(cfg, db, log, stderr)
		if err != nil {
			return err
		}
		if err := runAsJob(ctx, db, log, jobs.TypeExtractSkills, map[string]string{"by": "vrrec extract-skills --import"}, data.Draft(checked, jobs.OriginExtraction), auditAs{}); err != nil {
			return err
		}
		v := catalog.Version(checked)
		if _, rev, err := db.LoadRevision(ctx, v); err == nil {
			fmt.Fprintf(stdout, "Kept as draft %s in %s.%s\nReview it with \"vrrec catalog diff %s\", publish it with \"vrrec catalog publish %s\".\n",
				v, describeDB(cfg), qualityLine(rev.Quality), v, v)
		} else {
			fmt.Fprintf(stdout, "Nothing to keep: the result is the catalog students already get (version %s).\n", v)
		}
	}
	return runErr
}

// newExtractor returns the LLM extractor when a model is configured (and
// offline is not asked for), else the known-vocabulary matcher, with words
// saying which for people.
func newExtractor(cfg config.Config, cat *vrrec.Catalog, offline bool) (skills.Extractor, string, error) {
	if !cfg.LLMEnabled() || offline {
		return skills.NewOfflineExtractor(cat.Skills), "the known vocabulary (offline)", nil
	}
	model, err := openai.NewChat(openai.ChatConfig{BaseURL: cfg.LLMBaseURL, APIKey: cfg.LLMAPIKey, Model: cfg.LLMModel, Temperature: 0.2, AttemptTimeout: cfg.LLMTimeout})
	if err != nil {
		return nil, "", err
	}
	return skills.LLMExtractor{Model: model, ModelName: cfg.LLMModel}, "the LLM " + cfg.LLMModel, nil
}

// progressPrinter reports progress on w: a terminal gets a redrawn bar, a
// log file a line every tenth. end finishes the bar's line.
func progressPrinter(w io.Writer) (report func(done, failed, total int), end func()) {
	tty := false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	report = func(done, failed, total int) {
		switch {
		case tty:
			fmt.Fprint(w, progressBar(done, failed, total))
		case done == total || done%max(total/10, 1) == 0:
			fmt.Fprintln(w, strings.TrimPrefix(progressBar(done, failed, total), "\r"))
		}
	}
	end = func() {
		if tty {
			fmt.Fprintln(w)
		}
	}
	return report, end
}

// progressBar renders "[#####.....] 12/40 (1 failed)" for a terminal line.
func progressBar(done, failed, total int) string {
	const width = 30
	filled := 0
	if total > 0 {
		filled = done * width / total
	}
	s := fmt.Sprintf("\r[%s%s] %d/%d", strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total)
	if failed > 0 {
		s += fmt.Sprintf(" (%d failed)", failed)
	}
	return s
}

// writeUpstream writes a catalog as the five upstream JSON files.
func writeUpstream(dir string, cat *vrrec.Catalog) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files, err := catalog.Encode(cat)
	if err != nil {
		return err
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	return nil
}
