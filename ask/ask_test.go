package ask

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vrrec/vrrec"
)

// kinds lists the kinds of constraints, with the amount of a price cap or a
// number of players ("max_price:10", "players:4").
func kinds(cs []vrrec.Constraint) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Kind
		if c.Amount != 0 {
			out[i] += ":" + strconv.FormatFloat(c.Amount, 'f', -1, 64)
		}
		if c.Value != "" {
			out[i] += ":" + c.Value
		}
	}
	slices.Sort(out)
	return out
}

func TestConstraintsInManyPhrasings(t *testing.T) {
	for _, c := range []struct {
		msg   string
		want  []string
		topic string // the words that must stay for the topic
	}{
		// Price.
		{"free painting apps", []string{"free"}, "painting"},
		{"any free ones?", []string{"free"}, ""},
		{"I'm broke, anything for anatomy?", []string{"free"}, "anatomy"},
		{"architecture app that doesn't cost anything", []string{"free"}, "architecture"},
		{"no subscription workout apps", []string{"no_subscription"}, "workout"},
		{"no-subscription meditation apps", []string{"no_subscription"}, "meditation"},
		{"cheap fitness apps under 10 dollars", []string{"max_price:10"}, "fitness"},
		{"drum apps under $20", []string{"max_price:20"}, "drum"},
		{"less than 20 bucks music", []string{"max_price:20"}, "music"},
		{"staying in shape - nothing over $20 please", []string{"max_price:20"}, "shape"},
		{"cheap chemistry apps", []string{"max_price:20"}, "chemistry"},
		{"producing my own tracks. Cost matters, I'm on a student budget.", []string{"max_price:20"}, "producing my own tracks"},
		{"budget planning for my household", nil, "budget planning"},
		{"I want to learn piano but I only have 5 dollars", []string{"max_price:5"}, "piano"},
		{"I've got $15, anything for yoga?", []string{"max_price:15"}, "yoga"},
		{"can afford 10 bucks, history apps", []string{"max_price:10"}, "history"},
		{"I have 3 hours a day for physics", nil, "physics"},
		// Body and space.
		{"I can only play seated, something for history", []string{"seated"}, "history"},
		{"I use a wheelchair, anything for biology?", []string{"seated"}, "biology"},
		{"limited mobility but I want to learn piano", []string{"seated"}, "piano"},
		{"I get motion sick, something for astronomy", []string{"comfort"}, "astronomy"},
		{"games for a small dorm room", []string{"small_space"}, ""},
		// People.
		{"a game for 4 people online that isn't violent", []string{"non_violent", "online", "players:4"}, "game"},
		{"something to play with 3 friends", []string{"players:4"}, ""},
		{"2 players puzzle", []string{"players:2"}, "puzzle"},
		{"just me, no friends around - brain teasers", []string{"solo"}, "brain teasers"},
		{"free multiplayer games", []string{"free", "players:2"}, "multiplayer games"},
		{"fun with my roommates", []string{"local"}, "fun"},
		{"something to do with my girlfriend long distance", []string{"online", "players:2"}, ""},
		{"competitive sports games", []string{"competitive"}, "sports"},
		{"solo puzzle games", []string{"solo"}, "puzzle"},
		{"puzzle games to play with my friends", []string{"players:2"}, "puzzle"},
		// Features.
		{"mixed reality apps for 3D design", []string{"mixed_reality"}, "3D design"},
		{"hand tracking games for kids", []string{"hand_tracking", "non_violent"}, ""},
		{"chemistry apps in Spanish", []string{"language:es"}, "chemistry"},
	} {
		cs, rest := Constraints(c.msg)
		if got := kinds(cs); !slices.Equal(got, c.want) {
			t.Errorf("%q: constraints %v, want %v", c.msg, got, c.want)
		}
		if !strings.Contains(strings.ToLower(rest), strings.ToLower(c.topic)) {
			t.Errorf("%q: topic text %q lost %q", c.msg, rest, c.topic)
		}
		for _, c := range cs {
			if c.Label == "" {
				t.Errorf("%q: %s has no label", c.Kind, c.Kind)
			}
		}
	}
}

// Topics that use a constraint's words are topics, not constraints.
func TestTopicsAreNotConstraints(t *testing.T) {
	for _, msg := range []string{"free body diagrams", "learn Spanish", "online learning", "competitive programming",
		"in my free time I paint", "teamwork and communication", "free will and determinism", "I'm learning Python",
		"sitting meditation", "machine learning"} {
		cs, rest := Constraints(msg)
		if msg == "sitting meditation" {
			continue // seated is a fair reading; the topic must still stay
		}
		if len(cs) != 0 {
			t.Errorf("%q read as constraints %v", msg, kinds(cs))
		}
		if rest != msg {
			t.Errorf("%q became %q", msg, rest)
		}
	}
	// The student's capitals and words survive a constraint's removal.
	if _, rest := Constraints("free Python apps for my CS class"); rest != "Python apps for my CS class" {
		t.Errorf("rest %q", rest)
	}
}

// What Phrase writes, Constraints reads back as the same constraint: a
// stored question keeps what it asked.
func TestPhraseReadsBack(t *testing.T) {
	for _, c := range []vrrec.Constraint{
		{Kind: vrrec.ConstraintFree}, {Kind: vrrec.ConstraintNoSubscription}, {Kind: vrrec.ConstraintMaxPrice, Amount: 10},
		{Kind: vrrec.ConstraintMaxPrice, Amount: 9.98}, {Kind: vrrec.ConstraintSeated}, {Kind: vrrec.ConstraintComfort},
		{Kind: vrrec.ConstraintSmall}, {Kind: vrrec.ConstraintSolo}, {Kind: vrrec.ConstraintPlayers, Amount: 4},
		{Kind: vrrec.ConstraintOnline}, {Kind: vrrec.ConstraintLocal}, {Kind: vrrec.ConstraintCoop},
		{Kind: vrrec.ConstraintCompetitive}, {Kind: vrrec.ConstraintNonViolent}, {Kind: vrrec.ConstraintMixedReality},
		{Kind: vrrec.ConstraintHandTracking}, {Kind: vrrec.ConstraintLanguage, Value: "fr"},
	} {
		text := Text("anatomy", []vrrec.Constraint{c})
		got, rest := Constraints(text)
		if len(got) != 1 || got[0].Kind != c.Kind || got[0].Amount != c.Amount || got[0].Value != c.Value {
			t.Errorf("%s: %q reads back as %v", c.Kind, text, kinds(got))
		}
		// Co-op and competitive stay in the topic too: they say what is
		// searched for.
		if rest != "anatomy" && rest != text {
			t.Errorf("%s: %q leaves topic %q", c.Kind, text, rest)
		}
	}
	if n := len(vrrec.ConstraintKinds); n != 16 {
		t.Errorf("%d kinds: add the new one's phrase above", n)
	}
}

func TestMergeReplacesPrices(t *testing.T) {
	free := vrrec.Constraint{Kind: vrrec.ConstraintFree, Hard: true}
	cap10 := vrrec.Constraint{Kind: vrrec.ConstraintMaxPrice, Amount: 10, Hard: true}
	seated := vrrec.Constraint{Kind: vrrec.ConstraintSeated, Hard: true}
	got := Merge([]vrrec.Constraint{cap10, seated}, []vrrec.Constraint{free})
	if k := kinds(got); !slices.Equal(k, []string{"free", "seated"}) {
		t.Errorf("merge: %v", k)
	}
	if k := kinds(Without(got, vrrec.ConstraintFree)); !slices.Equal(k, []string{"seated"}) {
		t.Errorf("without: %v", k)
	}
}

func TestParts(t *testing.T) {
	for _, c := range []struct {
		msg  string
		want []string
	}{
		{"statics and dynamics, nerves before a senior-design presentation, exercise", []string{"statics and dynamics", "nerves before a senior-design presentation", "exercise"}},
		{"I need help with anatomy and something to calm my nerves before exams", []string{"I need help with anatomy", "something to calm my nerves before exams"}},
		{"teamwork and communication", []string{"teamwork and communication"}},
		{"I'm learning Python", []string{"I'm learning Python"}},
		{"hi! I study architecture. I also want to get fit", []string{"hi! I study architecture", "want to get fit"}},
		{"I can only play, something for history", []string{"something for history"}},
		{"We need somewhere to whiteboard, share screens, and review 3D models together", []string{"We need somewhere to whiteboard, share screens, and review 3D models together"}},
		{"something for my medical imaging course and a game to shoot hoops with people online", []string{"something for my medical imaging course", "game to shoot hoops with people online"}},
		{"help with my dynamics course, and staying in shape please", []string{"help with my dynamics course", "staying in shape"}},
		// Who the student is gives context to a need; it is no need itself.
		{"comp sci student, I want to build my own VR worlds", []string{"I want to build my own VR worlds"}},
		{"I'm a nursing student, anything for clinical practice?", []string{"anything for clinical practice"}},
		{"grad student in health informatics, I work with MRI data a lot", []string{"I work with MRI data a lot"}},
		{"history major, I need help with the Roman empire and something for stress", []string{"I need help with the Roman empire", "something for stress"}},
		{"student debt, and something to relax", []string{"student debt", "something to relax"}},
	} {
		if got := Parts(c.msg); !slices.Equal(got, c.want) {
			t.Errorf("Parts(%q) = %q, want %q", c.msg, got, c.want)
		}
	}
}
