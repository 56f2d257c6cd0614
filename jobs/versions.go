package jobs

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
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
// changes, how it scores against the labeled sets and the report of the
// rows it was read from (rep, nil when none); students get it once staff
// publish it. queries, when not nil, are measured beside the usual sets.
func (d *Data) draft(ctx context.Context, run *Run, cat *vrrec.Catalog, rep *catalog.Report, queries *eval.Set, origin string) error {
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
	if rep != nil {
		if rev.Report, err = json.Marshal(rep); err != nil {
			return fmt.Errorf("import report: %w", err)
		}
	}
	if q, ok := d.measure(ctx, run, live, cat, diff.Apps.RenamedIDs(), queries); ok {
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

// measure scores the draft and the live catalog on the labeled sets that
// apply to both (renamed: the apps the draft keeps under new ids), and on
// uploaded (eval.Uploaded) when not nil; ok is false when they could not
// be measured (said in the log).
func (d *Data) measure(ctx context.Context, run *Run, live, draft *vrrec.Catalog, renamed map[string]string, uploaded *eval.Set) (q eval.Quality, ok bool) {
	if d.Engine == nil || d.Sets == nil {
		return eval.Quality{}, false
	}
	sets, err := d.Sets(ctx)
	if err != nil {
		run.Logf("quality not measured: %v", err)
		return eval.Quality{}, false
	}
	if uploaded != nil {
		sets = maps.Clone(sets)
		sets[eval.Uploaded] = uploaded
	}
	engine := func(stage string, cat *vrrec.Catalog) (vrrec.Recommender, error) {
		return d.Engine(ctx, cat, func(done, total int) { run.Progress(stage, done, total) })
	}
	liveEng, err := engine("measuring: preparing the live catalog", live)
	if err == nil {
		var draftEng vrrec.Recommender
		if draftEng, err = engine("measuring: preparing the draft", draft); err == nil {
			run.Progress("measuring on the labeled queries", 0, 1)
			q, err = eval.Measure(ctx, eval.Versions{LiveCatalog: live, DraftCatalog: draft, Live: liveEng, Draft: draftEng, Renamed: renamed}, sets)
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
		if s.Queries == 0 {
			run.Logf("quality on the %s queries: not measured: %s", s.Set, s.Note)
			continue
		}
		run.Logf("quality on the %s queries (%d that apply to both versions, %d left out): nDCG@5 %.3f → %.3f, recall@8 %.3f → %.3f; %d queries worse, %d better",
			s.Set, s.Queries, s.Skipped, s.Live.NDCGAt5, s.Draft.NDCGAt5, s.Live.RecallAt8, s.Draft.RecallAt8, s.Worse, s.Better)
	}
	switch {
	case q.Worsened:
		run.Logf("the draft scores worse than the live catalog: publishing it asks for a confirmation")
	case q.Unknown():
		run.Logf("the draft's quality is unknown (no labeled query applies to both versions): publishing it asks for a confirmation")
	}
	return q, true
}

// Publish returns the job that makes version what students get: a draft,
// or an earlier version (a rollback). A draft measured worse than the live
// catalog needs confirm.Worse, one whose quality is unknown (no labeled
// query applies to both) confirm.Unknown; without it, EINVALID says why.
// by is recorded with the publication.
func (d *Data) Publish(ctx context.Context, version, by string, confirm vrrec.PublishConfirm) (Func, vrrec.Revision, error) {
	_, rev, err := d.History.Store.LoadRevision(ctx, version)
	if err != nil {
		return nil, vrrec.Revision{}, err
	}
	if rev.PublishedAt.IsZero() && len(rev.Quality) > 0 {
		var q eval.Quality
		if err := json.Unmarshal(rev.Quality, &q); err == nil {
			switch {
			case q.Worsened && !confirm.Worse:
				return nil, rev, vrrec.Errorf(vrrec.EINVALID, "version %s scores worse than the catalog it was measured against (%s): confirm to publish it anyway",
					version, worseSummary(q))
			case q.Unknown() && !confirm.Unknown:
				return nil, rev, vrrec.Errorf(vrrec.EINVALID, "the quality of version %s is unknown, not worse: no labeled query applies to both it and the catalog it was measured against. Label a few questions from the log, or confirm to publish it with its quality unknown",
					version)
			}
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
	for i := range entries {
		entries[i].Report = nil // read page by page (ImportReport)
	}
	return live, entries, nil
}

// entry returns the kept version and the live one; ENOTFOUND when it is
// not kept.
func (c Control) entry(ctx context.Context, version string) (catalog.Entry, string, error) {
	entries, live, err := c.Data.History.List(ctx)
	if err != nil {
		return catalog.Entry{}, "", vrrec.Unavailable(err, "Catalog versions are unavailable: the database does not answer")
	}
	i := slices.IndexFunc(entries, func(e catalog.Entry) bool { return e.Version == version })
	if i < 0 {
		return catalog.Entry{}, "", vrrec.Errorf(vrrec.ENOTFOUND, "Catalog version %s is not kept", version)
	}
	return entries[i], live, nil
}

// report returns the import report kept with version; ENOTFOUND when the
// version is not kept or was not read from files.
func (c Control) report(ctx context.Context, version string) (*catalog.Report, error) {
	e, _, err := c.entry(ctx, version)
	if err != nil {
		return nil, err
	}
	if len(e.Report) == 0 {
		return nil, vrrec.Errorf(vrrec.ENOTFOUND, "Catalog version %s was not read from files: it has no import report", version)
	}
	var rep catalog.Report
	if err := json.Unmarshal(e.Report, &rep); err != nil {
		return nil, fmt.Errorf("import report of %s: %w", version, err)
	}
	return &rep, nil
}

// ImportReport returns a page of the import report kept with version
// (catalog.ReportPage): every dropped, fixed and flagged row with its
// file, index and reason.
func (c Control) ImportReport(ctx context.Context, version string, offset, limit int) (any, error) {
	rep, err := c.report(ctx, version)
	if err != nil {
		return nil, err
	}
	return rep.Page(offset, limit), nil
}

// ImportReportCSV writes the whole import report kept with version as CSV.
func (c Control) ImportReportCSV(ctx context.Context, version string, w io.Writer) error {
	rep, err := c.report(ctx, version)
	if err != nil {
		return err
	}
	return rep.WriteCSV(w)
}

// Version describes one kept version: its record and state, what it
// changes against the live catalog (catalog.Diff) and how it scored
// (eval.Quality, in the record). ENOTFOUND when it is not kept.
func (c Control) Version(ctx context.Context, version string) (any, error) {
	e, live, err := c.entry(ctx, version)
	if err != nil {
		return nil, err
	}
	diff, _, err := c.Data.History.Compare(ctx, version)
	if err != nil {
		return nil, err
	}
	hasReport := len(e.Report) > 0
	e.Report = nil // read page by page (ImportReport)
	return map[string]any{"version": e, "live": live, "diff": diff, "summary": diff.Summary(), "has_report": hasReport}, nil
}

// Publish starts making version what students get (a rollback when it
// was published before). A draft measured worse, or whose quality is
// unknown, needs the matching confirmation.
func (c Control) Publish(ctx context.Context, version string, confirm vrrec.PublishConfirm) (vrrec.Job, error) {
	by := cmp.Or(c.Data.By, "staff")
	if m, ok := vrrec.StaffFrom(ctx); ok {
		by = m.Email // the staff member publishing
	}
	fn, rev, err := c.Data.Publish(ctx, version, by, confirm)
	if err != nil {
		return vrrec.Job{}, err
	}
	params := map[string]string{"version": version}
	if !rev.PublishedAt.IsZero() {
		params["rollback"] = "true"
	}
	if confirm.Worse {
		params["confirmed_worse"] = "true"
	}
	if confirm.Unknown {
		params["confirmed_unknown"] = "true"
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
	return func(ctx context.Context, run *Run) error { return d.save(ctx, run, cat, nil, nil, origin) }
}
