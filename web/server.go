// Package web is vrrec's HTTP surface: the chat API (JSON and Server-Sent
// Events), the chat page and embeddable widget, student identity cookies,
// health and readiness, and the staff pages' API. It depends only on the
// domain and on small interfaces it defines for what it asks of the rest
// (Chatter, AdminAuth, SettingsStore, DataJobs, JobHistory, Journal, Usage,
// Labels), which cmd/vrrec fills with the chat service, the admin package,
// the jobs, usage and eval packages; handlers parse no catalog files and know nothing of databases or
// the recommender's internals.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/vrrec/vrrec"
)

// Timeouts chosen for a chat whose answers may wait on a slow LLM.
const (
	ReadHeaderTimeout = 10 * time.Second  // slow-loris guard
	ReadTimeout       = 30 * time.Second  // a 64 KiB body arrives well within this
	WriteTimeout      = 120 * time.Second // as the old Gunicorn timeout: a slow LLM answer still gets through
	IdleTimeout       = 120 * time.Second
	ShutdownTimeout   = 30 * time.Second // in-flight requests get this long to finish
	MaxBodyBytes      = 64 << 10
	ChatBodyTimeout   = 10 * time.Second // default for Config.ChatBodyTimeout
)

// Check is a readiness probe of one dependency; nil means ready. An
// Optional dependency that fails shows as degraded without making the
// service unready: the chat still answers without it.
type Check struct {
	Name     string
	Probe    func(ctx context.Context) error
	Optional bool
}

// Observer is told about every request, for metrics.
type Observer interface {
	RequestStarted()
	// RequestDone reports the matched route pattern ("" when none).
	RequestDone(route, method string, status int, d time.Duration)
}

// Journal records answered chats (journal.Writer). Log returns once the
// interaction is durable, without waiting on the database; an error means
// it is not known to be durable (the context ended, the spool is full or
// failing), and the chat is answered anyway.
type Journal interface {
	Log(ctx context.Context, it vrrec.Interaction) error
}

// Config is what the server needs.
type Config struct {
	// Chat answers the students' messages.
	Chat Chatter
	// Courses opens course pages (POST /chat/open) and lists the catalog's
	// courses (GET /api/courses); CourseLog counts the answers by course
	// for the dashboard. Nil: course pages are not served.
	Courses   Courses
	CourseLog vrrec.CourseLog
	// Journal, when set, is given every answered chat.
	Journal Journal
	// Observer, when set, is told about every request.
	Observer Observer
	// Admin authenticates staff; nil means no admin login. Staff adds
	// and changes their accounts.
	Admin AdminAuth
	Staff StaffAccounts
	// SSO, when set, signs staff in through an OpenID Provider;
	// SSOAccounts finds or makes their accounts.
	SSO         SSO
	SSOAccounts SSOAccounts
	// Interactions feeds the admin logs and stats.
	Interactions vrrec.InteractionLog
	// AppName returns the name of an app of the served catalog ("" when
	// it is not there), shown beside its id on staff pages.
	AppName func(id string) string
	// LLMSpend, when set, reports the language model's daily spend and
	// budget on the dashboard.
	LLMSpend LLMSpend
	// Feedback keeps the students' votes (POST /api/feedback); Usage makes
	// the staff's reports on votes and unmet demand; Labels keeps the
	// questions staff label as evaluation queries.
	Feedback vrrec.FeedbackStore
	Usage    Usage
	Labels   Labels
	// Settings are the managed settings staff change at run time;
	// SettingsChanged is told which keys changed.
	Settings        SettingsStore
	SettingsChanged func(ctx context.Context, keys []string)
	// Audit keeps what staff did.
	Audit vrrec.AuditLog
	// Privacy exports and forgets what is stored about one student; nil
	// answers those requests 503.
	Privacy Privacy
	// Profiles keeps what students told about their studies
	// (/api/profile); Welcome records their visits (/api/visit). nil
	// answers those requests 503.
	Profiles vrrec.ProfileStore
	Welcome  Welcomer
	// DataAdmin, when set, runs the data-management jobs.
	DataAdmin *DataAdmin
	// SecretKey signs the user_id cookie; at least 32 bytes.
	SecretKey []byte
	// OldSecretKeys still verify cookies signed before a key change; the
	// cookie is then issued again, signed with SecretKey.
	OldSecretKeys [][]byte
	// WidgetOrigins may frame the chat page at /embed.
	WidgetOrigins []string
	// Checks decide /ready; /health reports them without failing.
	Checks []Check
	// Info adds fields to /health, such as the catalog version.
	Info func() map[string]any
	Log  *slog.Logger

	// TrustedProxies may report the client in X-Forwarded-For.
	TrustedProxies []netip.Prefix
	// Limits, when set, limits requests per client IP.
	Limits *Limits
	// MaxConcurrentChats caps chats in flight (0: no cap); a chat beyond
	// it waits up to ChatQueueTimeout for a slot, then gets 503.
	MaxConcurrentChats int
	ChatQueueTimeout   time.Duration
	// ChatBodyTimeout bounds reading a chat's body, before it takes a
	// slot (default ChatBodyTimeout).
	ChatBodyTimeout time.Duration
	// LLMWait is how long POST /chat waits for a language model before it
	// answers from retrieval (0: as long as the chat's time allows); the
	// stream shows retrieval's answer first and waits as long as that.
	LLMWait time.Duration
	// CORSOrigins may call the API from their pages, with credentials.
	CORSOrigins []string
}

// Server serves the chat.
type Server struct {
	cfg       Config
	handler   http.Handler
	mux       *http.ServeMux
	patterns  []string      // every route, "METHOD /path" or a catch-all "/path"
	chatSlots chan struct{} // shared by /chat and /chat/stream; nil: no cap
	probes    probeCache
}

// New returns a server for cfg.
func New(cfg Config) (*Server, error) {
	if len(cfg.SecretKey) < 32 {
		return nil, errors.New("web: secret key shorter than 32 bytes")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Info == nil {
		cfg.Info = func() map[string]any { return nil }
	}
	if cfg.ChatBodyTimeout <= 0 {
		cfg.ChatBodyTimeout = ChatBodyTimeout
	}
	s := &Server{cfg: cfg}
	if cfg.MaxConcurrentChats > 0 {
		s.chatSlots = make(chan struct{}, cfg.MaxConcurrentChats)
	}
	s.handler = s.routes()
	return s, nil
}

// Handler returns the server's root handler, for tests and embedding.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve answers on ln until ctx is cancelled, then stops accepting
// connections and waits up to ShutdownTimeout for in-flight requests.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		ErrorLog:          slog.NewLogLogger(s.cfg.Log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.cfg.Log.Info("shutting down, finishing in-flight requests", "grace", ShutdownTimeout)
	shutCtx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		// The grace period is over: cut what is still running.
		_ = srv.Close()
		<-errc
		return fmt.Errorf("shutdown: requests still running after %s were cut: %w", ShutdownTimeout, err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
