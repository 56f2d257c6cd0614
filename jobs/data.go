package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/skills"
)

// Job types, as stored and shown.
const (
	TypeImport        = "import"
	TypeUpdateCourses = "update_courses"
	TypeUpdateApps    = "update_apps"
	TypeExtractSkills = "extract_skills"
	TypeRebuild       = "rebuild_graph"
)

// Data is what the data-management jobs work on. The catalog store is the
// source of truth: jobs write it, then Reload makes this instance serve it
// (other instances notice the new version on their own).
type Data struct {
	Store vrrec.CatalogStore
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
	// Source returns the base URL serving the upstream files
	// (courses.json, vr_apps.json, ...), "" when none is configured.
	Source func() string
	// Client fetches from Source; default one with a 60s timeout.
	Client *http.Client
}

// saveTimeout bounds writing a catalog, which a cancel does not interrupt.
const saveTimeout = 5 * time.Minute

// problemLines caps the problems written to a job's log; the start
// response carries the whole report.
const problemLines = 20

// Base is the catalog jobs build on: the stored one, or the embedded
// default when nothing was imported. EUNAVAILABLE when the store does not
// answer, so nothing is built on a stale copy.
func (d *Data) Base(ctx context.Context) (*vrrec.Catalog, error) {
	cat, _, err := d.Store.LoadCatalog(ctx)
	if vrrec.ErrorCode(err) == vrrec.ENOTFOUND {
		return catalog.Default()
	}
	if err == nil {
		return cat, nil
	}
	if _, verr := d.Store.CatalogVersion(ctx); verr == nil && d.Current != nil {
		// The database answers but holds no whole catalog (an import cut
		// off half-way): build on the one being served, so the next
		// import repairs it.
		return d.Current(), nil
	}
	return nil, vrrec.Unavailable(err, "The database holding the catalog does not answer; nothing was changed")
}

// Import reads uploaded upstream files over the stored catalog
// (catalog.ReadUploads), saves the result and serves it. The files are read
// again here, under the job lock, so an import another instance finished
// meanwhile is built on, not overwritten.
func (d *Data) Import(uploads map[string][]byte) Func {
	names := slices.Sorted(maps.Keys(uploads))
	return func(ctx context.Context, run *Run) error {
		run.Logf("importing %s", strings.Join(names, ", "))
		return d.importOver(ctx, run, uploads)
	}
}

// importOver reads files over the stored catalog, saves the result and
// serves it.
func (d *Data) importOver(ctx context.Context, run *Run, files map[string][]byte) error {
	base, err := d.Base(ctx)
	if err != nil {
		return err
	}
	cat, rep, err := catalog.ReadUploads(base, files)
	if err != nil {
		return err
	}
	return d.save(ctx, run, cat, rep)
}

// save logs an import report, stores the catalog and serves it.
func (d *Data) save(ctx context.Context, run *Run, cat *vrrec.Catalog, rep *catalog.Report) error {
	if rep != nil {
		// Problems first, so the summary ends the log staff see.
		for i, p := range rep.Problems {
			if i == problemLines {
				run.Logf("... and %d more problems (the full report is in the start response)", len(rep.Problems)-problemLines)
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
	run.Progress("saving", 0, 1)
	version := catalog.Version(cat)
	// Once writing starts it finishes: MongoDB replaces the catalog
	// collection by collection, and a cancel half-way would leave less
	// than either catalog.
	saveCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
	changed, err := d.Store.SaveCatalog(saveCtx, cat, version)
	cancel()
	if err != nil {
		return fmt.Errorf("save catalog: %w", err)
	}
	run.Progress("saving", 1, 1)
	if !changed {
		run.Logf("catalog unchanged: version %s is already stored", version)
	} else {
		run.Logf("saved version %s: %d courses, %d apps, %d skills", version, len(cat.Courses), len(cat.Apps), len(cat.Skills))
	}
	if ctx.Err() != nil {
		run.Logf("the catalog is saved; the stop came before the rebuild, which every instance does on its own within seconds")
		return ctx.Err()
	}
	return d.Reload(ctx, run)
}

// Rebuild rebuilds the graph and vectors from the stored catalog.
func (d *Data) Rebuild() Func {
	return func(ctx context.Context, run *Run) error { return d.Reload(ctx, run) }
}

// ExtractSkills reads the skills of every course and app of the served
// catalog, merges near-duplicates, and saves and serves the result. Items
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
		return d.save(ctx, run, next, rep)
	}
}

// UpdateFrom fetches files from the configured source and imports them over
// the served catalog: the courses (with course_skills.json when the source
// has it) or the apps (with app_skills.json).
func (d *Data) UpdateFrom(kind string) (Func, error) {
	var want, optional string
	switch kind {
	case TypeUpdateCourses:
		want, optional = catalog.CoursesFile, catalog.CourseSkillsFile
	case TypeUpdateApps:
		want, optional = catalog.AppsFile, catalog.AppSkillsFile
	default:
		return nil, fmt.Errorf("unknown update %q", kind)
	}
	base := ""
	if d.Source != nil {
		base = strings.TrimSpace(d.Source())
	}
	if base == "" {
		return nil, vrrec.Errorf(vrrec.EINVALID, "no catalog source is configured: set CATALOG_SOURCE_URL on the configuration page")
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, vrrec.Errorf(vrrec.EINVALID, "CATALOG_SOURCE_URL must be an http(s) URL, not %q", base)
	}
	return func(ctx context.Context, run *Run) error {
		files := map[string][]byte{}
		for i, name := range []string{want, optional} {
			run.Progress("downloading", i, 2)
			b, err := d.fetch(ctx, u.JoinPath(name).String())
			if errors.Is(err, errNotFound) && name == optional {
				run.Logf("%s: not at the source; keeping the current one", name)
				continue
			}
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			run.Logf("%s: downloaded %d bytes", name, len(b))
			files[name] = b
		}
		run.Progress("downloading", 2, 2)
		if _, ok := files[optional]; !ok {
			run.Logf("new %s have no skills yet: run Extract skills to link them", strings.TrimSuffix(want, ".json"))
		}
		return d.importOver(ctx, run, files)
	}, nil
}

var errNotFound = errors.New("not found")

// maxDownload bounds one downloaded file, as the importer bounds uploads.
const maxDownload = 64 << 20

func (d *Data) fetch(ctx context.Context, u string) ([]byte, error) {
	client := d.Client
	if client == nil {
		client = &http.Client{Timeout: 60 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		return nil, errNotFound
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download %s: the source answered %s", u, res.Status)
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, maxDownload+1))
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", u, err)
	}
	if len(b) > maxDownload {
		return nil, fmt.Errorf("download %s: larger than %d MB", u, maxDownload>>20)
	}
	return b, nil
}
