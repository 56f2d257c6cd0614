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
	"github.com/vrrec/vrrec/jobs"
	"github.com/vrrec/vrrec/text"
)

func cmdImport(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	dir := fs.String("dir", "", "directory with courses.json, vr_apps.json, skills.json, course_skills.json, app_skills.json")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	publish := fs.Bool("publish", false, "publish the draft at once")
	var confirm vrrec.PublishConfirm
	fs.BoolVar(&confirm.Worse, "confirm-worse", false, "with --publish: publish even if the draft scores worse than the live catalog")
	fs.BoolVar(&confirm.Unknown, "confirm-unknown", false, "with --publish: publish even if the draft's quality could not be measured")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("import needs --dir DIR")
	}
	cat, rep, err := readCatalogDir(*dir)
	if err != nil {
		return err
	}
	if len(cat.Apps) == 0 {
		return fmt.Errorf("import %s: no app survived validation (%d problems): the catalog was not changed", *dir, len(rep.Problems))
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
	version := catalog.Version(cat)
	// A draft, measured beside the live catalog, as an upload on the data
	// page is.
	if err := runAsJob(ctx, db, log, jobs.TypeImport, map[string]string{"by": "vrrec import", "dir": *dir}, data.Draft(cat, jobs.OriginCLI), auditAs{}); err != nil {
		return err
	}
	_, rev, err := db.LoadRevision(ctx, version)
	if err != nil && vrrec.ErrorCode(err) != vrrec.ENOTFOUND {
		return err
	}
	_, live, err := data.History.Live(ctx)
	if err != nil {
		return err
	}
	published := false
	// refused is a publication the quality gate refused: the report is
	// printed all the same, then the command fails with it.
	var refused error
	if *publish && version != live {
		fn, _, err := data.Publish(ctx, version, data.By, confirm)
		switch {
		case vrrec.ErrorCode(err) == vrrec.EINVALID:
			refused = fmt.Errorf("the draft is kept but not published: %s (%s)", vrrec.ErrorMessage(err), confirmHint(err))
		case err != nil:
			return err
		default:
			if err := runAsJob(ctx, db, log, jobs.TypePublish, map[string]string{"by": "vrrec import --publish", "version": version}, fn,
				auditAs{"publish_catalog", version + confirm.Note()}); err != nil {
				return err
			}
			published, live = true, version
		}
	}
	path := describeDB(cfg)
	if *asJSON {
		if err := writeJSONTo(stdout, struct {
			*catalog.Report
			Version   string          `json:"version"`
			Live      string          `json:"live"`
			Published bool            `json:"published"`
			Quality   json.RawMessage `json:"quality,omitempty"`
			Path      string          `json:"path"`
		}{rep, version, live, published, rev.Quality, path}); err != nil {
			return err
		}
		return refused
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
	fmt.Fprintf(stdout, "\n%s dropped, %d fixed, %s flagged (kept, never recommended).\n", text.Count(rep.Count(catalog.Dropped), "row", "rows"), rep.Count(catalog.Fixed), text.Count(rep.Count(catalog.Flagged), "app", "apps"))
	switch {
	case published:
		fmt.Fprintf(stdout, "Published version %s in %s: %d courses, %d apps, %d skills.%s\n", version, path, len(cat.Courses), len(cat.Apps), len(cat.Skills), qualityLine(rev.Quality))
	case version == live:
		fmt.Fprintf(stdout, "Nothing to publish: %s already serves version %s.\n", path, version)
	default:
		fmt.Fprintf(stdout, "Draft %s kept in %s: %d courses, %d apps, %d skills.%s\nStudents still get version %s. Review it with \"vrrec catalog diff %s\", publish it with \"vrrec catalog publish %s\".\n",
			version, path, len(cat.Courses), len(cat.Apps), len(cat.Skills), qualityLine(rev.Quality), live, version, version)
	}
	return refused
}
