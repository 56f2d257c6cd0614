package jobs

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/eval"
)

// Job types of catalog versions.
const (
	TypePublish = "publish_catalog"
)

// Origins of drafts, as staff see them.
const (
	OriginUpload     = "upload"
	OriginSource     = "update from source"
	OriginExtraction = "skill extraction"
	OriginCLI        = "import (command line)"
)

// draft keeps cat as a draft beside the live catalog, with what it
// changes and how it scores against the labeled sets; students get it once
// staff publish it.
func (d *Data) draft(ctx context.Context, run *Run, cat *vrrec.Catalog, origin string) error {
	live, liveVersion, err := d.History.Live(ctx)
	if err != nil {
		return vrrec.Unavailable(err, "The database holding the catalog does not answer; nothing was changed")
	}
	diff := catalog.Compare(live, cat)
	if diff.Empty() {
		run.Logf("nothing to publish: the result is the catalog students already get (version %s)", liveVersion)
		return nil
	}
	run.Logf("changes against the live catalog: %s", diff.Summary())
	rev := vrrec.Revision{Origin: origin, CreatedBy: cmp.Or(d.By, "staff"), Summary: diff.Summary()}
	if q, ok := d.measure(ctx, run, live, cat); ok {
		if rev.Quality, err = json.Marshal(q); err != nil {
			return fmt.Errorf("quality: %w", err)
		}
	} else if ctx.Err() != nil {
		return ctx.Err()
	}
	run.Progress("keeping the draft", 0, 1)
	saveCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
	defer cancel()
	kept, existed, err := d.History.Draft(saveCtx, cat, rev)
	if err != nil {
		return fmt.Errorf("keep the draft: %w", err)
	}
	run.Progress("keeping the draft", 1, 1)
	if existed {
		run.Logf("this catalog is already kept as version %s (%s, %s); students still get version %s",
			kept.Version, kept.Origin, kept.CreatedAt.Format("2006-01-02 15:04 MST"), liveVersion)
		return nil
	}
	run.Logf("draft %s kept: %d courses, %d apps, %d skills. Students still get version %s: review the draft's changes and quality on the data page, then publish it",
		kept.Version, kept.Counts.Courses, kept.Counts.Apps, kept.Counts.Skills, liveVersion)
	return nil
}

// measure scores the draft and the live catalog on the labeled sets; ok is
// false when they could not be measured (said in the log).
func (d *Data) measure(ctx context.Context, run *Run, live, draft *vrrec.Catalog) (q eval.Quality, ok bool) {
	if d.Engine == nil || d.Sets == nil {
		return eval.Quality{}, false
	}
	sets, err := d.Sets(ctx)
	if err != nil {
		run.Logf("quality not measured: %v", err)
		return eval.Quality{}, false
	}
	engine := func(stage string, cat *vrrec.Catalog) (vrrec.Recommender, error) {
		return d.Engine(ctx, cat, func(done, total int) { run.Progress(stage, done, total) })
	}
	liveEng, err := engine("measuring: preparing the live catalog", live)
	if err == nil {
		var draftEng vrrec.Recommender
		if draftEng, err = engine("measuring: preparing the draft", draft); err == nil {
			run.Progress("measuring on the labeled queries", 0, 1)
			q, err = eval.Measure(ctx, live, liveEng, draftEng, sets)
			run.Progress("measuring on the labeled queries", 1, 1)
		}
	}
	if err != nil {
		run.Logf("quality not measured: %v", err)
		return eval.Quality{}, false
	}
	if q.Note != "" {
		run.Logf("quality: %s", q.Note)
	}
	for _, s := range q.Sets {
		run.Logf("quality on the %s queries (%d): nDCG@5 %.3f → %.3f, recall@8 %.3f → %.3f; %d queries worse, %d better",
			s.Set, s.Queries, s.Live.NDCGAt5, s.Draft.NDCGAt5, s.Live.RecallAt8, s.Draft.RecallAt8, s.Worse, s.Better)
	}
	if q.Worsened {
		run.Logf("the draft scores worse than the live catalog: publishing it asks for a confirmation")
	}
	return q, true
}

// Publish returns the job that makes version what students get: a draft,
// or an earlier version (a rollback). A draft measured worse than the live
// catalog needs confirmWorse; without it, EINVALID says why. by is recorded
// with the publication.
func (d *Data) Publish(ctx context.Context, version, by string, confirmWorse bool) (Func, vrrec.Revision, error) {
	_, rev, err := d.History.Store.LoadRevision(ctx, version)
	if err != nil {
		return nil, vrrec.Revision{}, err
	}
	if rev.PublishedAt.IsZero() && len(rev.Quality) > 0 && !confirmWorse {
		var q eval.Quality
		if err := json.Unmarshal(rev.Quality, &q); err == nil && q.Worsened {
			return nil, rev, vrrec.Errorf(vrrec.EINVALID, "version %s scores worse than the catalog it was measured against (%s): confirm to publish it anyway",
				version, worseSummary(q))
		}
	}
	return func(ctx context.Context, run *Run) error {
		run.Logf("publishing version %s (%s by %s, %s)", rev.Version, rev.Origin, rev.CreatedBy, rev.CreatedAt.Format("2006-01-02 15:04 MST"))
		run.Progress("publishing", 0, 1)
		changed, err := d.History.Publish(ctx, version, by)
		if err != nil {
			return err
		}
		run.Progress("publishing", 1, 1)
		if !changed {
			run.Logf("version %s was already the live catalog", version)
		}
		if ctx.Err() != nil {
			run.Logf("the catalog is published; the stop came before the rebuild, which every instance does on its own within seconds")
			return ctx.Err()
		}
		return d.Reload(ctx, run)
	}, rev, nil
}

// Discard forgets a draft staff do not want; the live catalog and earlier
// versions cannot be discarded.
func (d *Data) Discard(ctx context.Context, version string) error {
	entries, live, err := d.History.List(ctx)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Version != version {
			continue
		}
		if e.State != catalog.StateDraft || version == live {
			return vrrec.Errorf(vrrec.EINVALID, "version %s is %s, not a draft: only drafts can be discarded", version, e.State)
		}
		return d.History.Store.DeleteRevision(ctx, version)
	}
	return vrrec.Errorf(vrrec.ENOTFOUND, "catalog version %s is not kept", version)
}

func worseSummary(q eval.Quality) string {
	s := ""
	for _, d := range q.Sets {
		if !d.Worsened() {
			continue
		}
		if s != "" {
			s += "; "
		}
		s += fmt.Sprintf("%s queries: nDCG@5 %.3f → %.3f, %d worse", d.Set, d.Live.NDCGAt5, d.Draft.NDCGAt5, d.Worse)
	}
	return s
}

// workingDraft returns the newest draft made from the live catalog, nil
// when there is none.
func (d *Data) workingDraft(ctx context.Context) (*vrrec.Catalog, vrrec.Revision, error) {
	entries, live, err := d.History.List(ctx)
	if err != nil {
		return nil, vrrec.Revision{}, vrrec.Unavailable(err, "The database holding the catalog does not answer; nothing was changed")
	}
	for _, e := range entries { // newest first
		if e.State == catalog.StateDraft && e.Base == live {
			cat, rev, err := d.History.Store.LoadRevision(ctx, e.Version)
			if err != nil {
				return nil, vrrec.Revision{}, vrrec.Unavailable(err, "The draft to build on could not be read; nothing was changed")
			}
			return cat, rev, nil
		}
	}
	return nil, vrrec.Revision{}, nil
}

// Versions lists the kept catalog versions, newest first
// ([]catalog.Entry), and the live one.
func (c Control) Versions(ctx context.Context) (string, any, error) {
	entries, live, err := c.Data.History.List(ctx)
	if err != nil {
		return "", nil, vrrec.Unavailable(err, "Catalog versions are unavailable: the database does not answer")
	}
	return live, entries, nil
}

// Version describes one kept version: its record and state, what it
// changes against the live catalog (catalog.Diff) and how it scored
// (eval.Quality, in the record). ENOTFOUND when it is not kept.
func (c Control) Version(ctx context.Context, version string) (any, error) {
	entries, live, err := c.Data.History.List(ctx)
	if err != nil {
		return nil, vrrec.Unavailable(err, "Catalog versions are unavailable: the database does not answer")
	}
	i := slices.IndexFunc(entries, func(e catalog.Entry) bool { return e.Version == version })
	if i < 0 {
		return nil, vrrec.Errorf(vrrec.ENOTFOUND, "Catalog version %s is not kept", version)
	}
	diff, _, err := c.Data.History.Compare(ctx, version)
	if err != nil {
		return nil, err
	}
	return map[string]any{"version": entries[i], "live": live, "diff": diff, "summary": diff.Summary()}, nil
}

// Publish starts making version what students get (a rollback when it
// was published before). A draft measured worse needs confirmWorse.
func (c Control) Publish(ctx context.Context, version string, confirmWorse bool) (vrrec.Job, error) {
	by := cmp.Or(c.Data.By, "staff")
	if m, ok := vrrec.StaffFrom(ctx); ok {
		by = m.Email // the staff member publishing
	}
	fn, rev, err := c.Data.Publish(ctx, version, by, confirmWorse)
	if err != nil {
		return vrrec.Job{}, err
	}
	params := map[string]string{"version": version}
	if !rev.PublishedAt.IsZero() {
		params["rollback"] = "true"
	}
	if confirmWorse {
		params["confirmed_worse"] = "true"
	}
	return c.Runner.Start(ctx, TypePublish, params, fn)
}

// Discard forgets a draft.
func (c Control) Discard(ctx context.Context, version string) error {
	return c.Data.Discard(ctx, version)
}

// Draft returns the job that keeps cat, read elsewhere (the command line),
// as a draft from origin, as an upload's is.
func (d *Data) Draft(cat *vrrec.Catalog, origin string) Func {
	return func(ctx context.Context, run *Run) error { return d.save(ctx, run, cat, nil, origin) }
}
