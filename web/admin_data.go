package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"time"

	"github.com/vrrec/vrrec"
)

// DataJobs starts and stops the data-management jobs (jobs.Control), one at
// a time across every instance. A start answers ECONFLICT while another job
// runs, EUNAVAILABLE when the database does not answer, EINVALID when it
// cannot be done as asked (no source configured, an unreadable file);
// nothing is started then.
type DataJobs interface {
	// Import reads uploaded upstream files, by name (courses.json,
	// vr_apps.csv, ...), and starts importing them; queries, when not
	// empty, is a labeled query file the draft is also measured on. The
	// report, shown to staff as JSON, lists every row problem by file and
	// row.
	Import(ctx context.Context, files map[string][]byte, queries []byte) (job vrrec.Job, report any, err error)
	// UpdateCourses and UpdateApps read the upstream files at the
	// configured source, ScrapeCourses the course catalog pages,
	// SearchApps a web search; EINVALID names the setting a source waits
	// for.
	UpdateCourses(ctx context.Context) (vrrec.Job, error)
	UpdateApps(ctx context.Context) (vrrec.Job, error)
	ScrapeCourses(ctx context.Context) (vrrec.Job, error)
	SearchApps(ctx context.Context) (vrrec.Job, error)
	ExtractSkills(ctx context.Context) (vrrec.Job, error)
	Rebuild(ctx context.Context) (vrrec.Job, error)
	// Cancel stops a running job; ENOTFOUND when no job of that id runs.
	Cancel(ctx context.Context, id string) error
	// Status describes the catalog being served (version, row counts, last
	// update) and the sources (whether each can start, what it reads), as
	// JSON fields of the data page's status.
	Status(ctx context.Context) map[string]any
	CatalogVersions
}

// JobHistory reads the jobs staff started (vrrec.JobStore). An error other
// than ENOTFOUND means the database does not answer.
type JobHistory interface {
	// Job returns one job with its latest log lines; ENOTFOUND if none.
	Job(ctx context.Context, id string) (vrrec.Job, error)
	// Jobs returns the latest jobs, newest first.
	Jobs(ctx context.Context, limit int) ([]vrrec.Job, error)
}

// DataAdmin is the data-management side of the dashboard.
type DataAdmin struct {
	// Jobs starts and cancels jobs; History lists them.
	Jobs    DataJobs
	History JobHistory
	// Info adds to /api/admin/data/status what the server knows beyond
	// the catalog: the graph backend and its statistics.
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
	out := map[string]any{}
	maps.Copy(out, d.Jobs.Status(ctx))
	recent, err := d.History.Jobs(ctx, 20)
	if err != nil {
		s.writeError(w, r, vrrec.Unavailable(err, "Jobs are unavailable: the database does not answer"))
		return
	}
	out["jobs"] = recent
	out["current_job"] = nil
	for _, j := range recent {
		if j.State == vrrec.JobRunning {
			if full, err := d.History.Job(ctx, j.ID); err == nil {
				out["current_job"] = full
			}
			break
		}
	}
	if d.Info != nil {
		maps.Copy(out, d.Info(ctx))
	}
	writeJSON(w, http.StatusOK, out)
}

// startJob answers a job start: 202 with the job (and extra fields), 409
// naming the running one. A started job is recorded in the audit trail
// once: as "start_job" with its type and id, or as what audit says (a
// publication: "publish_catalog" and the version).
func (s *Server) startJob(w http.ResponseWriter, r *http.Request, job vrrec.Job, err error, extra map[string]any, audit auditNote) {
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
	if audit.action == "" {
		audit = auditNote{"start_job", job.Type + " " + job.ID}
	}
	s.audit(r, audit.action, audit.detail)
	body := map[string]any{"job_id": job.ID, "job": job}
	for k, v := range extra {
		body[k] = v
	}
	writeJSON(w, http.StatusAccepted, body)
}

// auditNote is how startJob records a job in the audit trail; zero: as a
// job started.
type auditNote struct{ action, detail string }

func (s *Server) runningJob(ctx context.Context) (string, error) {
	recent, err := s.cfg.DataAdmin.History.Jobs(ctx, 5)
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
	files, queries, err := readUploads(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	job, report, err := s.cfg.DataAdmin.Jobs.Import(r.Context(), files, queries)
	s.startJob(w, r, job, err, map[string]any{"report": report}, auditNote{})
}

// readUploads returns the multipart form's "files" by name, whole, and its
// optional "queries" file; two files of one name are refused rather than
// one silently dropped.
func readUploads(w http.ResponseWriter, r *http.Request) (files map[string][]byte, queries []byte, err error) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxUploadBytes)
	if err := r.ParseMultipartForm(MaxUploadBytes); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, nil, &vrrec.Error{Code: vrrec.ETOOLARGE, Message: fmt.Sprintf("Upload too large: the limit is %d MB", MaxUploadBytes>>20)}
		}
		return nil, nil, vrrec.Errorf(vrrec.EINVALID, "Send the files as multipart/form-data in the field \"files\": %v", err)
	}
	defer r.MultipartForm.RemoveAll()
	files = map[string][]byte{}
	for _, fh := range r.MultipartForm.File["files"] {
		if _, dup := files[fh.Filename]; dup {
			return nil, nil, vrrec.Errorf(vrrec.EINVALID, "%s was uploaded twice; send each file once", fh.Filename)
		}
		if files[fh.Filename], err = readPart(fh); err != nil {
			return nil, nil, err
		}
	}
	switch qs := r.MultipartForm.File["queries"]; len(qs) {
	case 0:
	case 1:
		if queries, err = readPart(qs[0]); err != nil {
			return nil, nil, err
		}
	default:
		return nil, nil, vrrec.Errorf(vrrec.EINVALID, "Send one labeled query file in the field \"queries\", not %d", len(qs))
	}
	return files, queries, nil
}

// readPart reads one uploaded file whole.
func readPart(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, vrrec.Errorf(vrrec.EINVALID, "read %s: %v", fh.Filename, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, vrrec.Errorf(vrrec.EINVALID, "read %s: %v", fh.Filename, err)
	}
	return b, nil
}

// startWith answers a job start without parameters, such as
// POST /api/admin/data/process/graph.
func (s *Server) startWith(start func(DataJobs, context.Context) (vrrec.Job, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		job, err := start(s.cfg.DataAdmin.Jobs, r.Context())
		s.startJob(w, r, job, err, nil, auditNote{})
	}
}

// listJobs answers GET /api/admin/jobs?limit=20: the history, newest first.
func (s *Server) listJobs(w http.ResponseWriter, r *http.Request) {
	limit, err := queryInt(r, "limit", 20, 1, 200)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.cfg.DataAdmin.History.Jobs(r.Context(), limit)
	if err != nil {
		s.writeError(w, r, vrrec.Unavailable(err, "Jobs are unavailable: the database does not answer"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"jobs": list})
}

// getJob answers GET /api/admin/jobs/{id}: state, progress, latest lines.
// The page polls it while a job runs.
func (s *Server) getJob(w http.ResponseWriter, r *http.Request) {
	job, err := s.cfg.DataAdmin.History.Job(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, vrrec.Unavailable(err, "Jobs are unavailable: the database does not answer"))
		return
	}
	writeJSON(w, http.StatusOK, job)
}

// cancelJob answers POST /api/admin/jobs/{id}/cancel.
func (s *Server) cancelJob(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := s.cfg.DataAdmin.Jobs.Cancel(r.Context(), id); err != nil {
		if vrrec.ErrorCode(err) == vrrec.ENOTFOUND {
			// No running job of that id: 404 when there is no such job at
			// all, 409 when it has already finished.
			if _, jerr := s.cfg.DataAdmin.History.Job(r.Context(), id); jerr == nil {
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
