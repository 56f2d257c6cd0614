package web

import (
	"bytes"
	"context"
	"io"
	"math"
	"net/http"
	"regexp"

	"github.com/vrrec/vrrec"
)

// CatalogVersions lists, compares, publishes and discards catalog versions
// (jobs.Control). Every catalog change is a draft; students get a version
// once staff publish it, and publishing an earlier one rolls back.
type CatalogVersions interface {
	// Versions lists the kept versions, newest first, as JSON, and the
	// live one.
	Versions(ctx context.Context) (live string, versions any, err error)
	// Version describes one kept version as JSON: its record and state,
	// its diff against the live catalog, its measured quality.
	// ENOTFOUND when it is not kept.
	Version(ctx context.Context, version string) (any, error)
	// Publish starts making a version live; EINVALID when a draft scores
	// worse, or its quality is unknown, and that is not confirmed.
	Publish(ctx context.Context, version string, confirm vrrec.PublishConfirm) (vrrec.Job, error)
	// Discard forgets a draft; EINVALID for the live or an earlier
	// version.
	Discard(ctx context.Context, version string) error
	// ImportReport returns a page of the report of the rows a version was
	// read from, as JSON; ImportReportCSV writes all of it. ENOTFOUND when
	// the version is not kept or was not read from files.
	ImportReport(ctx context.Context, version string, offset, limit int) (any, error)
	ImportReportCSV(ctx context.Context, version string, w io.Writer) error
}

// versionID is what a catalog version looks like (catalog.Version).
var versionID = regexp.MustCompile(`^[0-9a-f]{16}$`)

// pathVersion returns the {version} of the path, EINVALID when it cannot
// be a catalog version.
func pathVersion(r *http.Request) (string, error) {
	v := r.PathValue("version")
	if !versionID.MatchString(v) {
		return "", vrrec.Errorf(vrrec.EINVALID, "%q is not a catalog version (16 hexadecimal digits)", v)
	}
	return v, nil
}

// listVersions answers GET /api/admin/data/versions.
func (s *Server) listVersions(w http.ResponseWriter, r *http.Request) {
	live, list, err := s.cfg.DataAdmin.Jobs.Versions(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"live": live, "versions": list})
}

// getVersion answers GET /api/admin/data/versions/{version}: the record,
// the diff against the live catalog and the measured quality.
func (s *Server) getVersion(w http.ResponseWriter, r *http.Request) {
	v, err := pathVersion(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.cfg.DataAdmin.Jobs.Version(r.Context(), v)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// publishVersion answers POST /api/admin/data/versions/{version}/publish
// with {"confirm_worse": true} when the draft scores worse,
// {"confirm_unknown": true} when its quality is unknown: 202 with the
// publishing job. The audit trail records what was confirmed.
func (s *Server) publishVersion(w http.ResponseWriter, r *http.Request) {
	v, err := pathVersion(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var body vrrec.PublishConfirm
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, &body); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	job, err := s.cfg.DataAdmin.Jobs.Publish(r.Context(), v, body)
	s.startJob(w, r, job, err, nil, auditNote{"publish_catalog", v + body.Note()})
}

// importReport answers GET /api/admin/data/versions/{version}/report
// ?offset=0&limit=50: a page of the rows the version's import dropped,
// fixed or flagged, with the totals; with format=csv, all of them as a CSV
// download.
func (s *Server) importReport(w http.ResponseWriter, r *http.Request) {
	v, err := pathVersion(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if r.URL.Query().Get("format") == "csv" {
		var b bytes.Buffer
		if err := s.cfg.DataAdmin.Jobs.ImportReportCSV(r.Context(), v, &b); err != nil {
			s.writeError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="import-report-`+v+`.csv"`)
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(b.Bytes())
		return
	}
	offset, err := queryInt(r, "offset", 0, 0, math.MaxInt)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, err := queryInt(r, "limit", 50, 1, 500)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := s.cfg.DataAdmin.Jobs.ImportReport(r.Context(), v, offset, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

// discardVersion answers DELETE /api/admin/data/versions/{version}.
func (s *Server) discardVersion(w http.ResponseWriter, r *http.Request) {
	v, err := pathVersion(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.cfg.DataAdmin.Jobs.Discard(r.Context(), v); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.audit(r, "discard_catalog_draft", v)
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "version": v})
}
