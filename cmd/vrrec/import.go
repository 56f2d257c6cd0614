package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/config"
	"github.com/vrrec/vrrec/jobs"
)

func cmdImport(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	dir := fs.String("dir", "", "directory with courses.json, vr_apps.json, skills.json, course_skills.json, app_skills.json")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("import needs --dir DIR")
	}
	cat, rep, err := catalog.ReadDir(os.DirFS(*dir))
	if err != nil {
		return fmt.Errorf("import %s: %w", *dir, err)
	}
	if len(cat.Apps) == 0 {
		return fmt.Errorf("import %s: no app survived validation (%d problems): the catalog was not changed", *dir, len(rep.Problems))
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	emb, err := newEmbedder(cfg)
	if err != nil {
		return err
	}
	version := catalog.Version(cat)
	var changed bool
	err = runAsJob(ctx, db, jobs.TypeImport, map[string]string{"by": "vrrec import", "dir": *dir}, func(ctx context.Context, run *jobs.Run) error {
		var err error
		if changed, err = db.SaveCatalog(context.WithoutCancel(ctx), cat, version); err != nil { // a save, once begun, finishes
			return err
		}
		run.Logf("saved version %s: %d courses, %d apps, %d skills (changed: %v)", version, len(cat.Courses), len(cat.Apps), len(cat.Skills), changed)
		// Embedded here, once, so every process that loads the catalog
		// reads its vectors.
		return storeVectors(ctx, db, emb, cat, stderr, log)
	})
	if err != nil {
		return err
	}
	path := describeDB(cfg)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			*catalog.Report
			Version string `json:"version"`
			Changed bool   `json:"changed"`
			Path    string `json:"path"`
		}{rep, version, changed, path})
	}
	fmt.Fprintf(stdout, "Importing %s\n\n", *dir)
	fmt.Fprintf(stdout, "  %-20s %6s %6s\n", "file", "read", "kept")
	for _, f := range catalog.Files {
		fmt.Fprintf(stdout, "  %-20s %6d %6d\n", f, rep.Read[f], rep.Kept[f])
	}
	if len(rep.Problems) > 0 {
		fmt.Fprintf(stdout, "\nProblems (%d):\n", len(rep.Problems))
		for _, p := range rep.Problems {
			fmt.Fprintf(stdout, "  %s\n", p)
		}
	}
	fmt.Fprintf(stdout, "\n%d rows dropped, %d fixed, %d apps flagged (kept, never recommended).\n", rep.Count(catalog.Dropped), rep.Count(catalog.Fixed), rep.Count(catalog.Flagged))
	if changed {
		fmt.Fprintf(stdout, "Catalog saved to %s (version %s): %d courses, %d apps, %d skills.\n", path, version, len(cat.Courses), len(cat.Apps), len(cat.Skills))
	} else {
		fmt.Fprintf(stdout, "Catalog unchanged: %s already holds version %s.\n", path, version)
	}
	return nil
}
