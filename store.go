package vrrec

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
)

// CatalogStore keeps the catalog once imported: the source of truth the
// recommender loads at start and reloads when the version changes. Errors
// mean the store could not be reached; a store with no catalog answers
// LoadCatalog with ENOTFOUND.
type CatalogStore interface {
	// SaveCatalog replaces the stored catalog in one transaction and
	// reports its version and whether it differed from what was stored.
	SaveCatalog(ctx context.Context, cat *Catalog, version string) (changed bool, err error)
	// LoadCatalog returns the stored catalog and its version.
	LoadCatalog(ctx context.Context) (*Catalog, string, error)
	// CatalogVersion returns the stored version, "" when there is none. It
	// is cheap: the recommender polls it.
	CatalogVersion(ctx context.Context) (string, error)
	// CatalogSavedAt returns when the stored catalog was last replaced;
	// zero when there is none.
	CatalogSavedAt(ctx context.Context) (time.Time, error)
}

// Revision is one kept catalog: a draft staff have not published yet, the
// catalog students get (the store's CatalogVersion), or an earlier one they
// may roll back to. Every catalog change makes one; only publishing it
// changes what students get.
type Revision struct {
	// Version is the catalog's content version (catalog.Version), its id.
	Version string `json:"version"`
	// Origin says what made it: an upload, a source update, skill
	// extraction, the command line.
	Origin    string    `json:"origin"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	// Base is the version that was live when the revision was made: what
	// it changes.
	Base    string `json:"base,omitempty"`
	Summary string `json:"summary,omitempty"`
	// PublishedAt and PublishedBy record its last publication; zero for a
	// draft never published.
	PublishedAt time.Time     `json:"published_at,omitzero"`
	PublishedBy string        `json:"published_by,omitempty"`
	Counts      CatalogCounts `json:"counts"`
	// Quality is how the revision scored against the labeled evaluation
	// sets beside the catalog live when it was made (eval.Quality as
	// JSON); empty when it was not measured.
	Quality json.RawMessage `json:"quality,omitempty"`
	// Report is the validation report of the rows it was read from
	// (catalog.Report as JSON: every dropped, fixed and flagged row); empty
	// when it was not read from files.
	Report json.RawMessage `json:"report,omitempty"`
}

// PublishConfirm is what staff acknowledged when publishing a draft: that
// it scores worse than the live catalog, or that its quality could not be
// measured (no labeled query applies to both).
type PublishConfirm struct {
	Worse   bool `json:"confirm_worse"`
	Unknown bool `json:"confirm_unknown"`
}

// Note is what the audit trail adds to a publication staff confirmed,
// from the API and the command line alike: "" when nothing was confirmed.
func (c PublishConfirm) Note() string {
	switch {
	case c.Worse && c.Unknown:
		return " (confirmed although it scores worse and part of its quality is unknown)"
	case c.Worse:
		return " (confirmed although it scores worse)"
	case c.Unknown:
		return " (confirmed although its quality could not be measured)"
	}
	return ""
}

// CatalogCounts sizes a catalog.
type CatalogCounts struct {
	Courses      int `json:"courses"`
	Apps         int `json:"apps"`
	Skills       int `json:"skills"`
	CourseSkills int `json:"course_skills"`
	AppSkills    int `json:"app_skills"`
}

// CountCatalog returns the sizes of c.
func CountCatalog(c *Catalog) CatalogCounts {
	return CatalogCounts{Courses: len(c.Courses), Apps: len(c.Apps), Skills: len(c.Skills),
		CourseSkills: len(c.CourseSkills), AppSkills: len(c.AppSkills)}
}

// RevisionStore keeps catalog revisions beside the live catalog. Errors mean
// the store could not be reached; a revision not kept answers ENOTFOUND.
type RevisionStore interface {
	// SaveRevision keeps cat as rev (rev.Version must be cat's version). A
	// version already kept stays as it was: existed is true and stored is
	// the kept one.
	SaveRevision(ctx context.Context, rev Revision, cat *Catalog) (stored Revision, existed bool, err error)
	// Revisions returns the kept revisions, newest first.
	Revisions(ctx context.Context) ([]Revision, error)
	// LoadRevision returns a kept revision and its catalog.
	LoadRevision(ctx context.Context, version string) (*Catalog, Revision, error)
	// MarkPublished records that version was published by whom and when.
	MarkPublished(ctx context.Context, version, by string, at time.Time) error
	// DeleteRevision forgets a kept revision; forgetting one not kept is
	// not an error.
	DeleteRevision(ctx context.Context, version string) error
}

// Interaction is one answered chat message, as logged for staff.
type Interaction struct {
	ID        string    `json:"id"` // unique: recording the same id twice stores it once
	UserID    string    `json:"user_id"`
	SessionID string    `json:"session_id"`
	Query     string    `json:"query"`
	Intent    string    `json:"intent"`
	Response  string    `json:"response"`
	Apps      []string  `json:"recommended_apps"` // app ids, in the order shown
	LatencyMS float64   `json:"latency_ms"`
	Source    string    `json:"source"` // web, stream, widget
	Time      time.Time `json:"timestamp"`
	// Topic is what the answer understood the question to ask about
	// (Result.Topic); NothingFits and BestMatch (the highest match
	// percentage shown, 0 when no app was) say how well the catalog
	// answered it: what the unmet-demand report reads. Interactions
	// logged before they were recorded have them empty.
	Topic       string `json:"topic,omitempty"`
	NothingFits bool   `json:"nothing_fits,omitempty"`
	BestMatch   int    `json:"best_match,omitempty"`
	// Course is the course of the page the question was asked on (empty:
	// none); AdjustedBy what of the student's own changed the answer
	// (Reply.AdjustedBy).
	Course     string   `json:"course,omitempty"`
	AdjustedBy []string `json:"adjusted_by,omitempty"`
}

// CourseAnswers counts the answers given on one course's pages.
type CourseAnswers struct {
	CourseID string `json:"course_id"`
	Title    string `json:"title,omitempty"` // from the served catalog
	Answers  int    `json:"answers"`
	Students int    `json:"students"`
	// InCourse counts the answers the course changed: questions with no
	// topic of their own answered for it, and the pages' openings.
	InCourse int `json:"in_course"`
}

// CourseLog counts the logged answers by the course of the page they were
// asked on (Interaction.Course), most answers first, from since on (zero:
// all kept). Only interactions still kept count: days kept as summaries
// have no courses.
type CourseLog interface {
	AnswersByCourse(ctx context.Context, since time.Time) ([]CourseAnswers, error)
}

// WeakMatch is the match percentage below which the best app of an answer
// is a weak match: the question counts as unmet demand.
const WeakMatch = 50

// InteractionFilter selects logged interactions, newest first. Zero
// fields select everything; a Limit of 0 means 50.
type InteractionFilter struct {
	UserID        string
	Limit, Offset int
	// Since keeps interactions from then on; IDs keeps only those ids.
	Since time.Time
	IDs   []string
	// Unmet keeps the unmet demand: recommendations (intent
	// "recommendation") where nothing fit or the best match was under
	// WeakMatch. Interactions logged before topics were recorded (no
	// Topic) never count.
	Unmet bool
	// AdjustedBy keeps the interactions adjusted that way (one of
	// Adjustments), or, NotAdjusted, the recommendations nothing
	// adjusted.
	AdjustedBy string
}

// Count is a value with how often it occurred.
type Count struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// Stats summarise the interaction log.
type Stats struct {
	Total        int     `json:"total_interactions"`
	UniqueUsers  int     `json:"unique_users"`
	AvgLatencyMS float64 `json:"avg_latency_ms"`
	P95LatencyMS float64 `json:"p95_latency_ms"`
	Intents      []Count `json:"popular_intents"`
	Apps         []Count `json:"most_recommended_apps"`
	PerDay       []Count `json:"interactions_per_day"` // key YYYY-MM-DD, oldest first
	// Latency counts answers per LatencyBuckets range, fastest first,
	// empty ranges included.
	Latency []Count `json:"latency_distribution"`
	// SummarizedDays counts the days in the period some of whose
	// interactions are kept only as a DaySummary (expired, or of a student
	// who was forgotten). UniqueUsers counts a student once per such day.
	SummarizedDays int `json:"summarized_days"`
}

// LatencyBuckets are the upper bounds, in milliseconds, of the latency
// distribution's ranges; a last range holds everything slower.
var LatencyBuckets = []float64{50, 100, 250, 500, 1000, 2500, 5000}

// LatencyBucketLabels names the ranges of LatencyBuckets, fastest first.
func LatencyBucketLabels() []string {
	// 250 -> "250", "ms"; 2500 -> "2.5", "s"
	num := func(ms float64) (string, string) {
		if ms >= 1000 {
			return strconv.FormatFloat(ms/1000, 'g', -1, 64), "s"
		}
		return strconv.FormatFloat(ms, 'g', -1, 64), "ms"
	}
	label := func(ms float64) string { n, u := num(ms); return n + " " + u }
	out := make([]string, 0, len(LatencyBuckets)+1)
	for i, hi := range LatencyBuckets {
		if i == 0 {
			out = append(out, "< "+label(hi))
			continue
		}
		lo, lu := num(LatencyBuckets[i-1])
		if hn, hu := num(hi); lu == hu {
			out = append(out, lo+"–"+hn+" "+hu)
		} else {
			out = append(out, label(LatencyBuckets[i-1])+"–"+label(hi))
		}
	}
	return append(out, "≥ "+label(LatencyBuckets[len(LatencyBuckets)-1]))
}

// InteractionLog stores interactions. Errors mean the store could not be
// reached; the caller keeps the interactions and tries again.
type InteractionLog interface {
	// Record stores interactions; ids already stored are skipped, so a
	// replay after a failure never duplicates.
	Record(ctx context.Context, items ...Interaction) error
	// Interactions returns a page of the log, newest first, and the total
	// number matching the filter.
	Interactions(ctx context.Context, f InteractionFilter) ([]Interaction, int, error)
	// Stats summarises interactions since the given time (zero: all):
	// the rows kept and the DaySummary of every day on or after since's
	// day.
	Stats(ctx context.Context, since time.Time) (Stats, error)
	// ForgetInteractions deletes the student's interactions timed up to
	// at, adding them to their days' summaries first, and from then on
	// refuses (Record skips) any of theirs timed up to at, so a spool
	// replayed later cannot bring them back. It returns how many it
	// deleted.
	ForgetInteractions(ctx context.Context, userID string, at time.Time) (int, error)
	// ExpireInteractions deletes the interactions of the days before
	// before's day (UTC), adding them to their days' summaries first, and
	// forgets the refusals of ForgetInteractions older than that. It
	// returns how many interactions it deleted.
	ExpireInteractions(ctx context.Context, before time.Time) (int, error)
}

// ConfigStore keeps settings staff change at run time (API keys, models).
type ConfigStore interface {
	// Config returns every stored setting.
	Config(ctx context.Context) (map[string]string, error)
	// SetConfig stores settings; an empty value deletes one.
	SetConfig(ctx context.Context, values map[string]string) error
}

// Job states.
const (
	JobRunning     = "running"
	JobCompleted   = "completed"
	JobFailed      = "failed"
	JobCancelled   = "cancelled"
	JobInterrupted = "interrupted" // cut off by a restart
)

// Job is one data-management run (import, skill extraction, graph rebuild).
type Job struct {
	ID         string            `json:"id"`
	Type       string            `json:"type"`
	State      string            `json:"state"`
	Params     map[string]string `json:"params"`
	StartedAt  time.Time         `json:"started_at"`
	FinishedAt time.Time         `json:"finished_at,omitzero"`
	Error      string            `json:"error,omitempty"`
	Progress   JobProgress       `json:"progress"`
	// HeartbeatAt is when the process running the job last said it was
	// alive; a running job whose heartbeat stops is interrupted.
	HeartbeatAt time.Time `json:"heartbeat_at,omitzero"`
	// CancelRequested is set by a cancel from any instance; the instance
	// running the job notices and stops it.
	CancelRequested bool     `json:"cancel_requested,omitempty"`
	Log             []string `json:"log"` // the latest lines, oldest first
}

// JobProgress is how far a job is: Done of Total steps of its current Stage.
type JobProgress struct {
	Stage string `json:"stage"`
	Done  int    `json:"done"`
	Total int    `json:"total"`
}

// JobStoppedMessage is the error of a job interrupted because the process
// running it stopped.
const JobStoppedMessage = "the service stopped while the job ran"

// JobLogLines is how many of a job's latest log lines Job returns.
const JobLogLines = 50

// JobStore keeps jobs and their logs. At most one job runs at a time, across
// every instance sharing the store.
type JobStore interface {
	// StartJob records a running job; ECONFLICT, naming the running job,
	// when another is running.
	StartJob(ctx context.Context, job Job) error
	// FinishJob sets a running job's final state; a job another instance
	// marked interrupted (its heartbeat was late) gets its real outcome.
	// ENOTFOUND for a job that already finished.
	FinishJob(ctx context.Context, id, state, errMsg string, at time.Time) error
	// AppendJobLog adds a log line to a job.
	AppendJobLog(ctx context.Context, id, line string) error
	// SetJobProgress records how far a running job is.
	SetJobProgress(ctx context.Context, id string, p JobProgress) error
	// RequestCancel asks a running job to stop; ENOTFOUND when no job of
	// that id is running.
	RequestCancel(ctx context.Context, id string) error
	// Job returns a job with its latest JobLogLines lines; ENOTFOUND if none.
	Job(ctx context.Context, id string) (Job, error)
	// Jobs returns the latest jobs, newest first, without logs.
	Jobs(ctx context.Context, limit int) ([]Job, error)
	// BeatJob records that the process running a job is alive; ENOTFOUND
	// when the job is no longer running (another process interrupted it).
	BeatJob(ctx context.Context, id string, at time.Time) error
	// InterruptStale marks running jobs whose heartbeat is older than
	// before as interrupted (their process stopped or lost the database),
	// at the given time, and returns how many.
	InterruptStale(ctx context.Context, at, before time.Time) (int, error)
}

// AuditEntry is one thing a staff member did.
type AuditEntry struct {
	// Actor names who did it: a staff member's email, "cli:" and the
	// operating-system user for a command, or the name tried at a failed
	// sign-in.
	Actor  string    `json:"actor"`
	Action string    `json:"action"` // e.g. login, set_config, start_job
	Detail string    `json:"detail"` // never a secret
	IP     string    `json:"ip"`
	Time   time.Time `json:"time"`
}

// AuditFilter selects audit entries: zero fields select everything; a
// Limit of 0 means 100.
type AuditFilter struct {
	Actor  string
	Action string
	Limit  int
}

// AuditLog keeps what staff did.
type AuditLog interface {
	Audit(ctx context.Context, e AuditEntry) error
	// AuditEntries returns the latest entries matching f, newest first.
	AuditEntries(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
}

// VectorStore keeps the embeddings of catalog texts, so a catalog is
// embedded once per model: an import embeds and saves them, and every
// process that loads the catalog afterwards reads them instead of
// embedding again. Vectors are keyed by model name and TextKey; errors
// mean the store could not be reached (callers embed instead).
type VectorStore interface {
	// Vectors returns the stored vectors of model for those of keys it has.
	Vectors(ctx context.Context, model string, keys []string) (map[string][]float32, error)
	// SaveVectors stores vectors of model by key, replacing any.
	SaveVectors(ctx context.Context, model string, vecs map[string][]float32) error
}

// TextKey identifies a text in a VectorStore: a hash of it, so keys are
// short whatever the text.
func TextKey(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:16])
}

// Store is a backend that keeps everything: the catalog, its revisions and vectors,
// interactions, sessions, settings, jobs, staff accounts and the audit trail (SQLite,
// MongoDB).
type Store interface {
	CatalogStore
	RevisionStore
	VectorStore
	InteractionLog
	SessionStore
	ConfigStore
	JobStore
	AuditLog
	StaffStore
	FeedbackStore
	LabeledQueryStore
	LLMSpendStore
	CourseLog
	ProfileStore
}
