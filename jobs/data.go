package jobs

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/eval"
	"github.com/vrrec/vrrec/skills"
	"github.com/vrrec/vrrec/sources"
)

// Job types, as stored and shown.
const (
	TypeImport        = "import"
	TypeUpdateCourses = "update_courses"
	TypeUpdateApps    = "update_apps"
	TypeScrapeCourses = "scrape_courses"
	TypeSearchApps    = "search_apps"
	TypeExtractSkills = "extract_skills"
	TypeRebuild       = "rebuild_graph"
)

// SourceTypes are the jobs that update the catalog from a source outside:
// upstream files (courses, apps), course catalog pages, a web search.
var SourceTypes = []string{TypeUpdateCourses, TypeUpdateApps, TypeScrapeCourses, TypeSearchApps}

// Data is what the data-management jobs work on. Every change becomes a
// draft kept in History; publishing one writes the catalog store, the
// source of truth, then Reload makes this instance serve it (other
// instances notice the new version on their own).
type Data struct {
	// History keeps the drafts and earlier versions beside the live
	// catalog.
	History *catalog.History
	// Current returns the catalog being served, for the status page. Jobs
	// build on the stored catalog (Base), which may be newer.
	Current func() *vrrec.Catalog
	// Reload rebuilds the graph and vectors from the stored catalog and
	// serves them, even when the version is the one already served.
	Reload func(ctx context.Context, run *Run) error
	// Extractor returns the skill extractor to use now (the LLM when one
	// is configured) and Embedder is the model that merges near-duplicate
	// skill names.
	Extractor func() skills.Extractor
	Embedder  vrrec.Embedder
	// ExtractState is the file that lets an interrupted extraction resume.
	ExtractState string
	// Sources returns the source a job of SourceTypes reads, configured
	// from the settings as they are now; EINVALID, naming the setting to
	// set, when it is not configured.
	Sources func(jobType string) (sources.Source, error)
	// Engine builds a recommender over a catalog and Sets returns the
	// labeled queries as they are when a draft is measured (staff may have
	// labeled more since the last), to measure it beside the live catalog;
	// without them drafts are kept unmeasured.
	Engine func(ctx context.Context, cat *vrrec.Catalog, progress func(done, total int)) (vrrec.Recommender, error)
	Sets   func(ctx context.Context) (map[string]*eval.Set, error)
	// By names who makes drafts and publishes ("staff" when empty; the
	// command line says so).
	By string
}

// saveTimeout bounds writing a catalog, which a cancel does not interrupt.
const saveTimeout = 5 * time.Minute

// problemLines caps the problems written to a job's log; the start
// response carries the whole report.
const problemLines = 20

// Base is the catalog jobs build on: the newest draft made from the live
// catalog, so an upload then a skill extraction make one draft with both;
// else the stored one, or the embedded default when nothing was imported.
// EUNAVAILABLE when the store does not answer, so nothing is built on a
// stale copy.
func (d *Data) Base(ctx context.Context) (*vrrec.Catalog, error) {
	if cat, _, err := d.workingDraft(ctx); cat != nil || err != nil {
		return cat, err
	}
	cat, _, err := d.History.Store.LoadCatalog(ctx)
	if vrrec.ErrorCode(err) == vrrec.ENOTFOUND {
		return catalog.Default()
	}
	if err == nil {
		return cat, nil
	}
	if _, verr := d.History.Store.CatalogVersion(ctx); verr == nil && d.Current != nil {
		// The database answers but holds no whole catalog (an import cut
		// off half-way): build on the one being served, so the next
		// import repairs it.
		return d.Current(), nil
	}
	return nil, vrrec.Unavailable(err, "The database holding the catalog does not answer; nothing was changed")
}

// Import reads uploaded upstream files over the catalog jobs build on
// (Base, catalog.ReadUploads) and keeps the result as a draft, measured
// also on queries (labeled queries uploaded with the files; nil for none).
// The files are read again here, under the job lock, so a draft another
// instance made meanwhile is built on, not overwritten.
func (d *Data) Import(uploads map[string][]byte, queries *eval.Set) Func {
	names := slices.Sorted(maps.Keys(uploads))
	return func(ctx context.Context, run *Run) error {
		run.Logf("importing %s", strings.Join(names, ", "))
		base, err := d.Base(ctx)
		if err != nil {
			return err
		}
		return d.importOver(ctx, run, base, uploads, queries, OriginUpload)
	}
}

// importOver reads files over base, the catalog jobs build on (Base), and
// keeps the result as a draft, measured also on queries (nil for none).
func (d *Data) importOver(ctx context.Context, run *Run, base *vrrec.Catalog, files map[string][]byte, queries *eval.Set, origin string) error {
	cat, rep, err := catalog.ReadUploads(base, files)
	if err != nil {
		return err
	}
	return d.save(ctx, run, cat, rep, queries, origin)
}

// save logs an import report and keeps the catalog as a draft, measured
// also on queries (nil for none).
func (d *Data) save(ctx context.Context, run *Run, cat *vrrec.Catalog, rep *catalog.Report, queries *eval.Set, origin string) error {
	if rep != nil {
		// Problems first, so the summary ends the log staff see.
		for i, p := range rep.Problems {
			if i == problemLines {
				run.Logf("... and %d more problems (the full report is with the draft's review on the data page)", len(rep.Problems)-problemLines)
				break
			}
			run.Logf("%s", p)
		}
		for _, name := range slices.Sorted(maps.Keys(rep.Read)) {
			run.Logf("%s: %d rows read, %d kept", name, rep.Read[name], rep.Kept[name])
		}
		run.Logf("%d rows dropped, %d fixed, %d apps flagged (kept, never recommended)", rep.Count(catalog.Dropped), rep.Count(catalog.Fixed), rep.Count(catalog.Flagged))
	}
	if len(cat.Apps) == 0 {
		return errors.New("no app survived validation: the catalog was not changed")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return d.draft(ctx, run, cat, rep, queries, origin)
}

// Rebuild rebuilds the graph and vectors from the stored catalog.
func (d *Data) Rebuild() Func {
	return func(ctx context.Context, run *Run) error { return d.Reload(ctx, run) }
}

// ExtractSkills reads the skills of every course and app of the catalog
// jobs build on (Base), merges near-duplicates, and keeps the result as a
// draft. Items
// already read by the same extractor are not read again, so a cancelled or
// failed run resumes where it stopped.
func (d *Data) ExtractSkills() Func {
	return func(ctx context.Context, run *Run) error {
		cat, err := d.Base(ctx)
		if err != nil {
			return err
		}
		ex := d.Extractor()
		items := skills.Items(cat)
		run.Logf("extracting skills from %d courses and apps with %s", len(items), ex.Name())
		r := skills.Run{Extractor: ex, StatePath: d.ExtractState,
			Progress: func(done, failed, total int) { run.Progress("reading courses and apps", done, total) }}
		records, err := r.Extract(ctx, items)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			run.Logf("%v", err)
			return fmt.Errorf("%d of %d items not read; start the job again to resume", len(items)-len(records), len(items))
		}
		run.Progress("merging skills", 0, 1)
		sk, cs, as, err := skills.Build(ctx, records, cat.Skills, d.Embedder, 0.2)
		if err != nil {
			return fmt.Errorf("merge skills: %w", err)
		}
		run.Progress("merging skills", 1, 1)
		next, rep := catalog.Validate(&vrrec.Catalog{Courses: cat.Courses, Apps: cat.Apps, Skills: sk, CourseSkills: cs, AppSkills: as})
		run.Logf("%d skills, %d course-skill and %d app-skill links", len(next.Skills), len(next.CourseSkills), len(next.AppSkills))
		return d.save(ctx, run, next, rep, nil, OriginExtraction)
	}
}

// UpdateFrom fetches from the source of jobType (one of SourceTypes) and
// keeps what it brings, over the catalog jobs build on, as a draft. A
// source that fails changes nothing.
func (d *Data) UpdateFrom(jobType string) (Func, error) {
	if !slices.Contains(SourceTypes, jobType) || d.Sources == nil {
		return nil, fmt.Errorf("no source for %q jobs", jobType)
	}
	src, err := d.Sources(jobType)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, run *Run) error {
		run.Logf("%s", src.About())
		base, err := d.Base(ctx)
		if err != nil {
			return err
		}
		files, err := src.Fetch(ctx, base, run)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		return d.importOver(ctx, run, base, files, nil, OriginSource)
	}, nil
}
