package rag_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/rag"
)

func find(t *testing.T, req rag.Request) *vrrec.Result {
	t.Helper()
	res, err := testenv.DefaultEngine(t).Find(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func appIDs(apps []vrrec.AppRecommendation) []string {
	out := make([]string, len(apps))
	for i, a := range apps {
		out[i] = a.AppID
	}
	return out
}

// The examples of a question with a budget: no pick breaks it, and
// a pick whose price the catalog does not know says so.
func TestHardConstraintsAreNeverBroken(t *testing.T) {
	eng := testenv.DefaultEngine(t)
	for _, q := range []string{
		"no subscription workout apps", "cheap fitness apps under 10 dollars", "free painting apps",
		"I'm broke, any anatomy apps?", "free meditation", "language learning apps without a subscription",
		"I can only play seated, something for history", "a game for 4 people online that isn't violent",
		"statics and dynamics, nerves before a senior-design presentation, exercise, at most $20 each",
	} {
		res := recommend(t, q)
		if len(res.Constraints) == 0 {
			t.Errorf("%q: no constraint read", q)
			continue
		}
		picks := res.Apps
		for _, n := range res.Needs {
			picks = append(picks, n.Apps...)
		}
		for _, a := range picks {
			app, _ := eng.App(a.AppID)
			if vrrec.Violates(app, res.Constraints) {
				t.Errorf("%q: %s (%s, %v) breaks %v", q, a.Name, app.Price, app.Facets.PlayModes, res.Constraints)
			}
			if len(vrrec.UnknownFor(app, res.Constraints)) > 0 && len(a.Unconfirmed) == 0 {
				t.Errorf("%q: %s is shown without saying what is not known", q, a.Name)
			}
		}
	}
	// Supernatural is a subscription: never a pick of "no subscription".
	if got := appIDs(recommend(t, "no subscription workout apps").Apps); slices.Contains(got, "supernatural") {
		t.Errorf("no subscription: %v", got)
	}
	// "free painting apps": only free ones, Painting VR ($9.99) not among them.
	res := recommend(t, "free painting apps")
	if got := appIDs(res.Apps); len(got) == 0 || slices.Contains(got, "painting-vr") {
		t.Errorf("free painting apps: %v", got)
	}
	if res.Constraints[0].Label != "Free apps only" {
		t.Errorf("label %q", res.Constraints[0].Label)
	}
}

// Removing a chip answers as if the message had not stated it.
func TestWithoutRemovesAConstraint(t *testing.T) {
	with := find(t, rag.Request{Query: "free painting apps"})
	without := find(t, rag.Request{Query: "free painting apps", Without: []string{vrrec.ConstraintFree}})
	if len(without.Constraints) != 0 || !slices.Contains(appIDs(without.Apps), "painting-vr") {
		t.Errorf("without free: constraints %v, apps %v", without.Constraints, appIDs(without.Apps))
	}
	if slices.Equal(appIDs(with.Apps), appIDs(without.Apps)) {
		t.Errorf("removing free changed nothing: %v", appIDs(with.Apps))
	}
}

// A hard constraint that leaves nothing is said, with the nearest
// relaxation: apps that fit the topic, never counted among the picks.
func TestNothingMeetsTheConstraintOffersTheNearest(t *testing.T) {
	// Astronomy: the catalog's astronomy apps all cost something.
	res := find(t, rag.Request{Query: "free astronomy"})
	if !res.NothingFits || res.Relaxed == "" || len(res.Alternatives) == 0 {
		t.Fatalf("nothing free for drums: nothing_fits %v, relaxed %q, alternatives %v, apps %v", res.NothingFits, res.Relaxed, appIDs(res.Alternatives), appIDs(res.Apps))
	}
	if !strings.HasPrefix(res.Relaxed, "Nothing free fits") {
		t.Errorf("relaxed %q", res.Relaxed)
	}
	for _, a := range res.Alternatives {
		if slices.Contains(appIDs(res.Apps), a.AppID) {
			t.Errorf("%s is both a pick and an alternative", a.AppID)
		}
	}
}

// Several needs in one message: each gets its own picks, the budget
// applies to all, and VirtualSpeech answers the presentation nerves.
func TestSeveralNeedsEachGetPicks(t *testing.T) {
	res := recommend(t, "statics and dynamics, nerves before a senior-design presentation, exercise, at most $20 each")
	if len(res.Needs) != 3 {
		t.Fatalf("%d needs: %+v", len(res.Needs), res.Needs)
	}
	if !slices.Contains(appIDs(res.Needs[1].Apps[:min(3, len(res.Needs[1].Apps))]), "virtualspeech") {
		t.Errorf("presentation nerves: %v", appIDs(res.Needs[1].Apps))
	}
	if len(res.Constraints) != 1 || res.Constraints[0].Amount != 20 {
		t.Errorf("budget: %v", res.Constraints)
	}
	// One subject with "and" stays one need.
	if n := recommend(t, "teamwork and communication").Needs; len(n) != 0 {
		t.Errorf("teamwork and communication split into %d needs", len(n))
	}
}

// Questions in other languages, or mixed, are answered, not refused.
func TestOtherLanguagesAreAnswered(t *testing.T) {
	for q, want := range map[string]string{
		"hola! soy estudiante de arquitectura, quiero apps para diseño 3D de edificios": "arkio",
		"quiero aprender a pintar":     "painting-vr",
		"je veux apprendre l'anatomie": "3d-organon-vr-anatomy",
		"necesito practicar mi inglés": "mondly-learn-languages-in-vr",
	} {
		res := recommend(t, q)
		if res.Translated == "" || res.Language == "" {
			t.Errorf("%q: language %q, read as %q", q, res.Language, res.Translated)
		}
		var got []string
		for _, a := range res.Apps[:min(5, len(res.Apps))] {
			got = append(got, a.AppID)
		}
		if !slices.Contains(got, want) {
			t.Errorf("%q: top 5 %v lacks %s", q, got, want)
		}
	}
	// Nothing understood: marked so (the reply refuses in that language;
	// the JSON keeps a best-effort ranking).
	if res := find(t, rag.Request{Query: "Хочу изучать что-нибудь интересное"}); res.Translated != "" || res.Language != "ru" {
		t.Errorf("russian: language %q, read as %q", res.Language, res.Translated)
	}
}

// A correction that changed a word is shown; the echo keeps the student's
// words ("statics" is no typo of "static").
func TestCorrectionsAreShownAndWordsKept(t *testing.T) {
	res := recommend(t, "Intro to Thermodynamcis")
	if !strings.Contains(res.Corrected, "thermodynamics") {
		t.Errorf("corrected %q", res.Corrected)
	}
	if res := recommend(t, "statics and dynamics"); !strings.Contains(res.Topic, "statics") || res.Corrected != "" {
		t.Errorf("topic %q, corrected %q", res.Topic, res.Corrected)
	}
	res = recommend(t, "idk what to major in yet lol, just want something fun to play w my roommates")
	if strings.Contains(res.Topic, "idk") || strings.Contains(res.Topic, "lol") || strings.Contains(res.Topic, "roommate") {
		t.Errorf("topic %q keeps chatter", res.Topic)
	}
}

// A preference the catalog knows an app breaks moves it below the apps that
// fit without breaking one: a game known to be single player is no answer
// to "puzzle games to play with my friends", however well it fits "puzzle".
func TestBrokenPreferenceDropsABand(t *testing.T) {
	eng := testenv.DefaultEngine(t)
	res := find(t, rag.Request{Query: "puzzle games to play with my friends", TopK: 12})
	if len(res.Constraints) == 0 {
		t.Fatal("no constraint read")
	}
	firstBreaking := -1
	for i, a := range res.Apps {
		app, _ := eng.App(a.AppID)
		breaks := false
		for _, c := range res.Constraints {
			if !c.Hard && c.Satisfies(app) == vrrec.No {
				breaks = true
			}
		}
		switch {
		case breaks && firstBreaking < 0:
			firstBreaking = i
		case !breaks && firstBreaking >= 0 && a.MatchPercent >= int(rag.FitMin*100):
			t.Errorf("%s (%d%%) fits without breaking a preference but comes after %s", a.Name, a.MatchPercent, res.Apps[firstBreaking].Name)
		}
	}
	if firstBreaking < 0 {
		t.Fatalf("no single-player game in the answer to check the order against: %v", appIDs(res.Apps))
	}
	if got := res.Apps[0].AppID; got != "keep-talking-and-nobody-explodes" && got != "rec-room" {
		t.Errorf("first pick %s, want a game for several players", got)
	}
}

// When nothing fits, the apps offered as the nearest develop one of the
// nearest areas the answer names, and say so; an app that merely scores is
// not marked.
func TestNearestAppsDevelopTheNearestAreas(t *testing.T) {
	for _, q := range []string{"cybersecurity tools", "welding", "nutrition and dietetics"} {
		res := recommend(t, q)
		if !res.NothingFits || len(res.NearestAreas) == 0 {
			t.Fatalf("%q: nothing_fits %v, nearest areas %v", q, res.NothingFits, res.NearestAreas)
		}
		near := 0
		for _, a := range res.Apps {
			for _, sk := range a.NearAreas {
				if !slices.Contains(res.NearestAreas, sk) {
					t.Errorf("%q: %s near %q, not a nearest area %v", q, a.Name, sk, res.NearestAreas)
				}
			}
			if len(a.NearAreas) > 0 {
				near++
				if !strings.HasPrefix(a.Reasoning, "Develops ") {
					t.Errorf("%q: %s's reason %q does not say what it develops", q, a.Name, a.Reasoning)
				}
			}
		}
		if q == "welding" && near == 0 { // Shapelab and SculptrVR develop 3D Sculpting
			t.Errorf("%q: no app develops a nearest area %v", q, res.NearestAreas)
		}
	}
}

// A question asked again is answered from the engine's cache: the same
// answer, which a caller may change without changing the next one's.
func TestAnswerCacheHandsOutCopies(t *testing.T) {
	req := rag.Request{Query: "free painting apps", TopK: 5}
	first := find(t, req)
	if len(first.Apps) == 0 || len(first.Apps[0].MatchedSkills) == 0 {
		t.Fatalf("need an answer with apps and skills: %+v", first)
	}
	want := first.Clone()
	first.Apps[0].MatchedSkills[0] = "changed"
	first.Apps = first.Apps[:1]
	first.Constraints[0].Label = "changed"
	again := find(t, req)
	if !reflect.DeepEqual(again, want) {
		t.Errorf("the answer asked again differs:\n%+v\nwant\n%+v", again, want)
	}
}

// Two needs that each find apps of their own get a group each, even when
// the whole message's answer would hold both needs' best apps.
func TestDistinctNeedsGetTheirOwnPicks(t *testing.T) {
	res := recommend(t, "something for my medical imaging course and a game to shoot hoops with people online")
	if len(res.Needs) != 2 {
		t.Fatalf("needs %+v, want 2", res.Needs)
	}
	if got := res.Needs[0].Apps[0].AppID; got != "medicalholodeck" {
		t.Errorf("medical imaging: first %s", got)
	}
	if got := res.Needs[1].Apps[0].AppID; got != "gym-class" {
		t.Errorf("shooting hoops online: first %s", got)
	}
}

// Every field of a request is part of its answer's identity in the cache:
// the course of a page changes what a vague question finds.
func TestAnswerCacheKnowsTheCourse(t *testing.T) {
	plain := find(t, rag.Request{Query: "anything for this class?", TopK: 5})
	course := find(t, rag.Request{Query: "anything for this class?", TopK: 5, Course: "15-112"})
	if reflect.DeepEqual(appIDs(plain.Apps), appIDs(course.Apps)) && plain.Topic == course.Topic {
		t.Errorf("the course changed nothing: %v, %q", appIDs(course.Apps), course.Topic)
	}
}
