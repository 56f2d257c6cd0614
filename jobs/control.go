package jobs

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/eval"
)

// Control is what the staff dashboard asks of the data-management jobs
// (web.DataJobs): start one, cancel one, describe the catalog they work on.
// Every start answers ECONFLICT while another job runs on any instance and
// EUNAVAILABLE when the database does not answer; nothing is started then.
type Control struct {
	Runner *Runner
	Data   *Data
}

// Import reads uploaded upstream files (named courses.json, vr_apps.csv,
// ...) over the stored catalog at once, so a file that cannot be read at all
// fails with EINVALID before anything starts, then starts importing them.
// The report (*catalog.Report) lists every row problem by file and row, for
// the response; the job reads the files again under the job lock, over the
// catalog stored by then. queries, when not empty, is a labeled query file
// (eval's format) the draft is measured on beside the usual sets; EINVALID
// when it cannot be read.
func (c Control) Import(ctx context.Context, files map[string][]byte, queries []byte) (job vrrec.Job, report any, err error) {
	var set *eval.Set
	if len(queries) > 0 {
		if set, err = eval.ParseSet("the uploaded query file", queries); err != nil {
			return vrrec.Job{}, nil, vrrec.Errorf(vrrec.EINVALID, "%v", err)
		}
	}
	base, err := c.Data.Base(ctx)
	if err != nil {
		return vrrec.Job{}, nil, err
	}
	_, rep, err := catalog.ReadUploads(base, files)
	if err != nil {
		return vrrec.Job{}, nil, err
	}
	params := map[string]string{"files": strings.Join(slices.Sorted(maps.Keys(files)), ", ")}
	if set != nil {
		params["queries"] = fmt.Sprintf("%d uploaded labeled queries", len(set.Queries))
	}
	job, err = c.Runner.Start(ctx, TypeImport, params, c.Data.Import(files, set))
	if err != nil {
		return vrrec.Job{}, nil, err
	}
	return job, rep, nil
}

// UpdateCourses starts fetching the courses from the configured source;
// EINVALID when no usable source is configured.
func (c Control) UpdateCourses(ctx context.Context) (vrrec.Job, error) {
	return c.update(ctx, TypeUpdateCourses)
}

// UpdateApps starts fetching the apps from the configured source; EINVALID
// when no usable source is configured.
func (c Control) UpdateApps(ctx context.Context) (vrrec.Job, error) {
	return c.update(ctx, TypeUpdateApps)
}

// ScrapeCourses starts reading the course catalog pages
// (COURSE_CATALOG_URLS); EINVALID when none is configured.
func (c Control) ScrapeCourses(ctx context.Context) (vrrec.Job, error) {
	return c.update(ctx, TypeScrapeCourses)
}

// SearchApps starts searching the web for apps on the configured topics
// (APP_SEARCH_TOPICS, TAVILY_API_KEY); EINVALID when they are not set.
func (c Control) SearchApps(ctx context.Context) (vrrec.Job, error) {
	return c.update(ctx, TypeSearchApps)
}

func (c Control) update(ctx context.Context, kind string) (vrrec.Job, error) {
	fn, err := c.Data.UpdateFrom(kind)
	if err != nil {
		return vrrec.Job{}, err
	}
	return c.Runner.Start(ctx, kind, nil, fn)
}

// ExtractSkills starts re-reading the skills of every course and app.
func (c Control) ExtractSkills(ctx context.Context) (vrrec.Job, error) {
	return c.Runner.Start(ctx, TypeExtractSkills, nil, c.Data.ExtractSkills())
}

// Rebuild starts rebuilding the graph and vectors from the stored catalog.
func (c Control) Rebuild(ctx context.Context) (vrrec.Job, error) {
	return c.Runner.Start(ctx, TypeRebuild, nil, c.Data.Rebuild())
}

// Cancel stops a running job; ENOTFOUND when no job of that id runs.
func (c Control) Cancel(ctx context.Context, id string) error {
	return c.Runner.Cancel(ctx, id)
}

// Status describes the catalog being served, for the data page:
// catalog_version, counts (of each file's rows), updated_at (when the store
// last changed; store_error instead when the database did not answer) and
// sources (per source job: ready, and what it reads or which setting it
// waits for).
func (c Control) Status(ctx context.Context) map[string]any {
	cat := c.Data.Current()
	out := map[string]any{
		"catalog_version": catalog.Version(cat),
		"counts": map[string]int{"courses": len(cat.Courses), "apps": len(cat.Apps), "skills": len(cat.Skills),
			"course_skills": len(cat.CourseSkills), "app_skills": len(cat.AppSkills)},
	}
	if at, err := c.Data.History.Store.CatalogSavedAt(ctx); err != nil {
		out["store_error"] = "the database did not answer"
		c.Runner.opts.Log.WarnContext(ctx, "catalog saved-at", "err", err)
	} else if !at.IsZero() {
		out["updated_at"] = at
	}
	out["sources"] = c.sourceStates()
	return out
}

// sourceStates tells the data page, per source job, whether it can start
// and what it would read, or which setting it waits for.
func (c Control) sourceStates() map[string]any {
	out := map[string]any{}
	if c.Data.Sources == nil {
		return out
	}
	for _, t := range SourceTypes {
		if src, err := c.Data.Sources(t); err != nil {
			out[t] = map[string]any{"ready": false, "about": vrrec.ErrorMessage(err)}
		} else {
			out[t] = map[string]any{"ready": true, "about": src.About()}
		}
	}
	return out
}
