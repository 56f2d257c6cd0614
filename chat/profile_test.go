package chat_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/chat"
	"github.com/vrrec/vrrec/internal/inmem"
	"github.com/vrrec/vrrec/internal/testenv"
)

// withProfiles is a service that keeps profiles in a real SQLite file.
func withProfiles(t *testing.T) (*chat.Service, vrrec.ProfileStore) {
	s := newService(t)
	db := testenv.SQLite(t)
	s.SetProfiles(db)
	return s, db
}

func ids(apps []vrrec.AppRecommendation) []string {
	out := make([]string, len(apps))
	for i, a := range apps {
		out[i] = a.AppID
	}
	return out
}

func TestAStatedMajorAnswersVagueQuestions(t *testing.T) {
	s, db := withProfiles(t)
	said := ask(t, s, "ann", "s1", "I'm a nursing student")
	if said.Profile == nil || said.Profile.Major != "nursing" || said.Profile.Language != "en" {
		t.Fatalf("profile after the statement: %+v", said.Profile)
	}
	if !strings.Contains(said.Response, "I'll remember that you study nursing") || !strings.Contains(said.Response, "For **nursing**") || len(said.Apps) == 0 {
		t.Errorf("the statement's answer:\n%s", said.Response)
	}
	if p, _, err := db.Profile(context.Background(), "ann"); err != nil || p.Major != "nursing" {
		t.Fatalf("stored: %+v, %v", p, err)
	}
	plain := ask(t, newService(t), "other", "s", "nursing")

	// A day later, in another session: the vague question uses the profile.
	for _, q := range []string{"anything for my major?", "what would help with my studies", "something for my classes"} {
		r := ask(t, s, "ann", "s2-"+q, q)
		if !strings.HasPrefix(r.Response, "For **nursing** (from what you told me") || !slices.Equal(ids(r.Apps), ids(plain.Apps)) {
			t.Errorf("%q: apps %v, want those for nursing %v:\n%s", q, ids(r.Apps), ids(plain.Apps), r.Response)
		}
		if !slices.Equal(r.AdjustedBy, []string{vrrec.AdjustedByProfile}) {
			t.Errorf("%q: personalised by %q", q, r.AdjustedBy)
		}
		if r.Profile != nil {
			t.Errorf("%q changed the profile: %+v", q, r.Profile)
		}
	}
	// Follow-ups refine the profile's search: "free ones?" are free apps
	// for nursing.
	ask(t, s, "ann", "s3", "anything for my major?")
	if free := ask(t, s, "ann", "s3", "free ones?"); !strings.Contains(free.Query, "nursing") {
		t.Errorf("a follow-up on the profile's answer refines %q", free.Query)
	}
	// A vague question with a constraint keeps it.
	if r := ask(t, s, "ann", "s4", "anything free for my major?"); len(r.Constraints) != 1 || r.Constraints[0].Kind != vrrec.ConstraintFree {
		t.Errorf("constraints of a vague question: %+v", r.Constraints)
	}
}

// A question with a topic of its own is answered as for anyone: the
// profile does not bend it.
func TestAQuestionWithItsOwnTopicIsNotBent(t *testing.T) {
	s, _ := withProfiles(t)
	ask(t, s, "ann", "s1", "I'm a nursing student")
	plain := newService(t)
	for _, q := range []string{"I want to practice public speaking", "apps for my anatomy class", "something for my chemistry homework"} {
		mine, theirs := ask(t, s, "ann", "s-"+q, q), ask(t, plain, "bob", "s", q)
		if !slices.Equal(ids(mine.Apps), ids(theirs.Apps)) || mine.Response != theirs.Response || len(mine.AdjustedBy) != 0 {
			t.Errorf("%q bent by the profile: %v vs %v (%q)\n%s", q, ids(mine.Apps), ids(theirs.Apps), mine.AdjustedBy, mine.Response)
		}
	}
	// A statement with a question: the question is answered without the
	// statement, and the statement kept.
	mixed := ask(t, s, "cat", "s", "I'm a physics major looking for anatomy apps")
	alone := ask(t, plain, "bob", "s2", "looking for anatomy apps")
	if mixed.Profile == nil || mixed.Profile.Major != "physics" || !slices.Equal(ids(mixed.Apps), ids(alone.Apps)) {
		t.Errorf("statement with a question: profile %+v, apps %v, want %v", mixed.Profile, ids(mixed.Apps), ids(alone.Apps))
	}
}

func TestAVagueQuestionWithoutAProfileAsksWhatTheyStudy(t *testing.T) {
	s, db := withProfiles(t)
	r := ask(t, s, "new", "s", "anything for my major?")
	if !strings.HasPrefix(r.Response, "What do you study?") || len(r.Apps) != 0 || len(r.AdjustedBy) != 0 {
		t.Errorf("no profile: %+v", r)
	}
	// A year alone is nothing to search by: it is kept, and the reply asks
	// for a major.
	year := ask(t, s, "year", "s", "I'm a junior")
	if year.Profile == nil || year.Profile.Year != "third year" || !strings.Contains(year.Response, "Tell me your major") || len(year.Apps) != 0 {
		t.Errorf("a year alone: %+v", year)
	}
	// A cleared profile is no profile.
	ask(t, s, "ann", "s", "I'm a nursing student")
	if err := db.SaveProfile(context.Background(), "ann", vrrec.Profile{}); err != nil {
		t.Fatal(err)
	}
	if r := ask(t, s, "ann", "s2", "anything for my major?"); !strings.HasPrefix(r.Response, "What do you study?") {
		t.Errorf("after clearing: %s", r.Response)
	}
	// Courses add up; a new major replaces the old one.
	ask(t, s, "dan", "s", "I'm taking 15-112")
	ask(t, s, "dan", "s", "I'm taking 21-127 and I'm a cs major")
	if p, _, _ := db.Profile(context.Background(), "dan"); p.Major != "computer science" || !slices.Equal(p.Courses, []string{"15-112", "21-127"}) {
		t.Errorf("dan's profile: %+v", p)
	}
	// Without a profile store nothing is kept and the vague question is
	// searched as it is.
	if r := ask(t, newService(t), "x", "s", "I'm a nursing student"); r.Profile != nil {
		t.Errorf("no store, but a profile: %+v", r.Profile)
	}
}

func TestStatementsInAnotherLanguage(t *testing.T) {
	s, _ := withProfiles(t)
	// Read through the English gloss ("I study nursing"), kept with the
	// language it was written in.
	r := ask(t, s, "eva", "s", "Soy estudiante de enfermería")
	if r.Profile == nil || r.Profile.Major != "nursing" || r.Profile.Language != "es" {
		t.Errorf("profile: %+v", r.Profile)
	}
	if r := ask(t, s, "eva", "s2", "¿algo para mi carrera?"); !strings.HasPrefix(r.Response, "For **nursing**") {
		t.Errorf("a vague question in Spanish:\n%s", r.Response)
	}
}

// TestNewSinceTheLastVisit: a catalog published after a student's visit
// with an app that fits their profile is named on their next visit, once;
// apps that fit neither profile nor questions are not.
func TestNewSinceTheLastVisit(t *testing.T) {
	full := testenv.DefaultEngine(t)
	cat := testenv.DefaultCatalog(t)
	cat.Apps = slices.DeleteFunc(cat.Apps, func(a vrrec.VRApp) bool { return a.AppID == "medicalholodeck" || a.AppID == "beat-saber" })
	older := testenv.Engine(t, cat)
	var current atomic.Pointer[chat.Engine]
	use := func(e chat.Engine) { current.Store(&e) }
	use(older)
	s := chat.New(func() chat.Engine { return *current.Load() }, inmem.NewSessions(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	db := testenv.SQLite(t)
	s.SetProfiles(db)
	ctx := context.Background()

	if w, err := s.Visit(ctx, "ann"); err != nil || w.Message != "" {
		t.Fatalf("first visit: %+v, %v", w, err)
	}
	ask(t, s, "ann", "s", "I'm a nursing student")
	if w, _ := s.Visit(ctx, "ann"); w.Message != "" || w.Profile.Major != "nursing" {
		t.Errorf("nothing published since: %+v", w)
	}
	use(full) // Medicalholodeck (nursing) and Beat Saber (not) published
	w, err := s.Visit(ctx, "ann")
	if err != nil || !slices.Equal(ids(w.NewApps), []string{"medicalholodeck"}) ||
		w.Message != "New since your last visit: **Medicalholodeck** (for nursing)." {
		t.Errorf("after the publication: %+v, %v", w, err)
	}
	if again, _ := s.Visit(ctx, "ann"); again.Message != "" {
		t.Errorf("said twice: %+v", again)
	}
	if hi := ask(t, s, "ann", "s", "hi"); hi.Intent != chat.IntentGreeting || strings.Contains(hi.Response, "New since") {
		t.Errorf("the greeting says it again: %s", hi.Response)
	}
	// A client without the page hears it in the greeting.
	use(older)
	ask(t, s, "cat", "s", "hello")
	ask(t, s, "cat", "s", "I'm a nursing student")
	use(full)
	if hi := ask(t, s, "cat", "s", "hello"); !strings.HasSuffix(hi.Response, "\n\nNew since your last visit: **Medicalholodeck** (for nursing).") {
		t.Errorf("cat's greeting: %s", hi.Response)
	}
	// A student who asked about rhythm games hears of Beat Saber.
	use(older)
	s.Visit(ctx, "bob")
	ask(t, s, "bob", "s", "rhythm games for cardio")
	use(full)
	if w, _ := s.Visit(ctx, "bob"); !slices.Contains(ids(w.NewApps), "beat-saber") || slices.Contains(ids(w.NewApps), "medicalholodeck") {
		t.Errorf("bob's welcome: %+v", w)
	}
}
