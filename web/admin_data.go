package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/jobs"
)

// DataAdmin is the data-management side of the dashboard.
type DataAdmin struct {
	Runner *jobs.Runner
	Data   *jobs.Data
	Jobs   vrrec.JobStore
	// Info adds to /api/admin/data/status what the server knows beyond
	// the catalog: the graph backend and its statistics, the source URL.
	Info func(ctx context.Context) map[string]any
}

// MaxUploadBytes bounds an import upload; the old system's real catalog
// is under 2 MB.
const MaxUploadBytes = 32 << 20

// uploadReadTimeout replaces ReadTimeout for an upload.
const uploadReadTimeout = 5 * time.Minute

// needData answers 503 when the server runs without data management.
func (s *Server) needData(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.DataAdmin == nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "Data management is not available on this server"})
			return
		}
		h(w, r)
	}
}

// dataStatus answers GET /api/admin/data/status: what is served, when the
// store last changed, the running job with its latest lines, recent jobs.
func (s *Server) dataStatus(w http.ResponseWriter, r *http.Request) {
	d := s.cfg.DataAdmin
	ctx := r.Context()
	cat := d.Data.Current()
	out := map[string]any{
		"catalog_version": catalog.Version(cat),
		"counts": map[string]int{"courses": len(cat.Courses), "apps": len(cat.Apps), "skills": len(cat.Skills),
			"course_skills": len(cat.CourseSkills), "app_skills": len(cat.AppSkills)},
	}
	if at, err := d.Data.Store.CatalogSavedAt(ctx); err != nil {
		out["store_error"] = "the database did not answer"
		s.cfg.Log.WarnContext(ctx, "catalog saved-at", "err", err)
	} else if !at.IsZero() {
		out["updated_at"] = at
	}
	recent, err := d.Jobs.Jobs(ctx, 20)
	if err != nil {
		s.writeError(w, r, vrrec.Unavailable(err, "Jobs are unavailable: the database does not answer"))
		return
	}
	out["jobs"] = recent
	out["current_job"] = nil
	for _, j := range recent {
		if j.State == vrrec.JobRunning {
			if full, err := d.Jobs.Job(ctx, j.ID); err == nil {
				out["current_job"] = full
			}
			break
		}
	}
	out["sources"] = sourceStates(d.Data)
	if d.Info != nil {
		for k, v := range d.Info(ctx) {
			out[k] = v
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// startJob answers a job start: 202 with the job, 409 naming the running one.
func (s *Server) startJob(w http.ResponseWriter, r *http.Request, jobType string, params map[string]string, fn jobs.Func, extra map[string]any) {
	job, err := s.cfg.DataAdmin.Runner.Start(r.Context(), jobType, params, fn)
	if vrrec.ErrorCode(err) == vrrec.ECONFLICT {
		body := map[string]any{"error": "Another job is running; wait for it or cancel it"}
		if running, rerr := s.runningJob(r.Context()); rerr == nil && running != "" {
			body["running_job_id"] = running
		}
		writeJSON(w, http.StatusConflict, body)
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.audit(r, "start_job", jobType+" "+job.ID)
	body := map[string]any{"job_id": job.ID, "job": job}
	for k, v := range extra {
		body[k] = v
	}
	writeJSON(w, http.StatusAccepted, body)
}

func (s *Server) runningJob(ctx context.Context) (string, error) {
	recent, err := s.cfg.DataAdmin.Jobs.Jobs(ctx, 5)
	if err != nil {
		return "", err
	}
	for _, j := range recent {
		if j.State == vrrec.JobRunning {
			return j.ID, nil
		}
	}
	return "", nil
}

// importUpload answers POST /api/admin/data/import, a multipart form whose
// "files" are upstream files (courses.json, ... or .csv). Files that cannot
// be read at all answer 400 at once; row problems go to the job's log and,
// in full, to the response's report.
func (s *Server) importUpload(w http.ResponseWriter, r *http.Request) {
	// An upload near the limit may take longer than the server's
	// ReadTimeout on a slow link.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(uploadReadTimeout))
	r.Body = http.MaxBytesReader(w, r.Body, MaxUploadBytes)
	if err := r.ParseMultipartForm(MaxUploadBytes); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.writeError(w, r, &vrrec.Error{Code: vrrec.ETOOLARGE, Message: fmt.Sprintf("Upload too large: the limit is %d MB", MaxUploadBytes>>20)})
			return
		}
		s.writeError(w, r, vrrec.Errorf(vrrec.EINVALID, "Send the files as multipart/form-data in the field \"files\": %v", err))
		return
	}
	defer r.MultipartForm.RemoveAll()
	uploads := map[string][]byte{}
	for _, fh := range r.MultipartForm.File["files"] {
		f, err := fh.Open()
		if err != nil {
			s.writeError(w, r, vrrec.Errorf(vrrec.EINVALID, "read %s: %v", fh.Filename, err))
			return
		}
		b, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			s.writeError(w, r, vrrec.Errorf(vrrec.EINVALID, "read %s: %v", fh.Filename, err))
			return
		}
		uploads[fh.Filename] = b
	}
	// Read now, to answer unreadable files with 400 and give the report at
	// once; the job reads them again over the catalog stored by then.
	base, err := s.cfg.DataAdmin.Data.Base(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	_, rep, err := catalog.ReadUploads(base, uploads)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.startJob(w, r, jobs.TypeImport, map[string]string{"files": strings.Join(slices.Sorted(maps.Keys(uploads)), ", ")},
		s.cfg.DataAdmin.Data.Import(uploads), map[string]any{"report": rep})
}

// sourceStates tells the data page, per source job, whether it can start
// and what it would read, or which setting it waits for.
func sourceStates(d *jobs.Data) map[string]any {
	out := map[string]any{}
	for _, t := range jobs.SourceTypes {
		if d.Sources == nil {
			continue
		}
		if src, err := d.Sources(t); err != nil {
			out[t] = map[string]any{"ready": false, "about": vrrec.ErrorMessage(err)}
		} else {
			out[t] = map[string]any{"ready": true, "about": src.About()}
		}
	}
	return out
}

// updateFromSource answers POST /api/admin/data/update/{courses,apps},
// /scrape/courses and /search/apps.
func (s *Server) updateFromSource(jobType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		fn, err := s.cfg.DataAdmin.Data.UpdateFrom(jobType)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		s.startJob(w, r, jobType, nil, fn, nil)
	}
}

// extractSkills answers POST /api/admin/data/process/skills.
func (s *Server) extractSkills(w http.ResponseWriter, r *http.Request) {
	s.startJob(w, r, jobs.TypeExtractSkills, nil, s.cfg.DataAdmin.Data.ExtractSkills(), nil)
}

// rebuildGraph answers POST /api/admin/data/process/graph.
func (s *Server) rebuildGraph(w http.ResponseWriter, r *http.Request) {
	s.startJob(w, r, jobs.TypeRebuild, nil, s.cfg.DataAdmin.Data.Rebuild(), nil)
}

// listJobs answers GET /api/admin/jobs?limit=20: the history, newest first.
func (s *Server) listJobs(w http.ResponseWriter, r *http.Request) {
	limit, err := queryInt(r, "limit", 20, 1, 200)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.cfg.DataAdmin.Jobs.Jobs(r.Context(), limit)
	if err != nil {
		s.writeError(w, r, vrrec.Unavailable(err, "Jobs are unavailable: the database does not answer"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"jobs": list})
}

// getJob answers GET /api/admin/jobs/{id}: state, progress, latest lines.
// The page polls it while a job runs.
func (s *Server) getJob(w http.ResponseWriter, r *http.Request) {
	job, err := s.cfg.DataAdmin.Jobs.Job(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, vrrec.Unavailable(err, "Jobs are unavailable: the database does not answer"))
		return
	}
	writeJSON(w, http.StatusOK, job)
}

// cancelJob answers POST /api/admin/jobs/{id}/cancel.
func (s *Server) cancelJob(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := s.cfg.DataAdmin.Runner.Cancel(r.Context(), id); err != nil {
		if vrrec.ErrorCode(err) == vrrec.ENOTFOUND {
			// No running job of that id: 404 when there is no such job at
			// all, 409 when it has already finished.
			if _, jerr := s.cfg.DataAdmin.Jobs.Job(r.Context(), id); jerr == nil {
				err = vrrec.Errorf(vrrec.ECONFLICT, "Job %s is not running", id)
			} else if vrrec.ErrorCode(jerr) == vrrec.ENOTFOUND {
				err = vrrec.Errorf(vrrec.ENOTFOUND, "No job %s", id)
			} else {
				err = vrrec.Unavailable(jerr, "Jobs are unavailable: the database does not answer")
			}
		}
		s.writeError(w, r, err)
		return
	}
	s.audit(r, "cancel_job", id)
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "job_id": id})
}

// auditTrail answers GET /api/admin/audit?limit=50.
func (s *Server) auditTrail(w http.ResponseWriter, r *http.Request) {
	limit, err := queryInt(r, "limit", 50, 1, 500)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if s.cfg.Audit == nil {
		writeJSON(w, http.StatusOK, map[string]any{"entries": []vrrec.AuditEntry{}})
		return
	}
	entries, err := s.cfg.Audit.AuditEntries(r.Context(), limit)
	if err != nil {
		s.writeError(w, r, vrrec.Unavailable(err, "The audit trail is unavailable: the database does not answer"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": entries})
}
