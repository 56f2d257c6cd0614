package lang_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/vrrec/vrrec/lang"
)

// English questions come back unchanged, as English and not mixed: every
// English question of the evaluation set, and English that looks foreign.
func TestEnglishUnchanged(t *testing.T) {
	data, err := os.ReadFile("../eval/default.json")
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Queries []struct{ Query, Kind string }
	}
	if err := json.Unmarshal(data, &set); err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, q := range set.Queries {
		if q.Kind != "non-english" && q.Kind != "mixed" {
			msgs = append(msgs, q.Query)
		}
	}
	if len(msgs) < 150 {
		t.Fatalf("only %d English questions in eval/default.json", len(msgs))
	}
	msgs = append(msgs,
		"die hard fans of pie charts and con artists in conservation biology",
		"La La Land piano songs",
		"El Niño and La Niña climate patterns",
		"songs from La Casa de Papel for practice",
		"I want to learn about the Día de los Muertos tradition",
		"café management and hospitality",
		"Les Mills BodyCombat",
		"Le Mans racing sim",
		"a game for 4 people online that isn't violent",
		"idk what to major in yet lol, just want something fun to play w my roommates",
		"no subscription workout apps",
		"cheap fitness apps under 10 dollars",
		"free painting apps",
		"anything cheaper?",
		"more like Beat Saber but for 2 players",
		"I'm in a wheelchair and get motion sick, anything seated?",
		"French cuisine and ballet",
		"learn Spanish",
		"karate and judo",
		"Intro to Thermodynamcis",
	)
	for _, m := range msgs {
		r := lang.Read(m)
		if r.Lang != "en" || r.Mixed || r.English != m || r.Other != "" || r.Understood != 1 || len(r.Unknown) != 0 {
			t.Errorf("%q: read as %+v", m, r)
		}
	}
}

// Messages that mix English and another language are glossed where they
// are foreign and kept where they are English; a follow-up that is mostly
// English stays English with the other language noted.
func TestMixed(t *testing.T) {
	for _, c := range []struct {
		msg, main, other, english string
	}{
		{"more info sobre el primero pls", "en", "es", "more info about the first please"},
		{"the second one sounds good, algo más barato?", "en", "es", "the second one sounds good, something cheaper?"},
		{"apps for anatomía humana please", "en", "es", "apps for human anatomy please"},
		{"I want something pour la méditation", "en", "fr", "I want something for meditation"},
		{"any apps for 天文学?", "en", "zh", "any apps for astronomy?"},
		{"necesito apps de anatomía para mi clase de nursing, something cheap", "es", "es", "I need apps of anatomy for my class of nursing, something cheap"},
		{"quiero apps for 3D modeling, something free", "en", "es", "I want apps for 3D modeling, something free"},
		{"我想学 machine learning, any apps?", "en", "zh", "I want to learn machine learning, any apps?"},
	} {
		r := lang.Read(c.msg)
		if r.Lang != c.main || !r.Mixed || r.Other != c.other || r.English != c.english {
			t.Errorf("%q: lang %q mixed %v other %q English %q; want %q, mixed, %q, %q", c.msg, r.Lang, r.Mixed, r.Other, r.English, c.main, c.other, c.english)
		}
	}
	// Wholly foreign messages with words every language borrows are not mixed.
	for _, m := range []string{"quiero apps para diseño 3D", "juegos online gratis", "Gibt es VR Apps für Yoga?", "무료 VR 앱"} {
		if r := lang.Read(m); r.Mixed || r.Lang == "en" {
			t.Errorf("%q: lang %q, mixed %v", m, r.Lang, r.Mixed)
		}
	}
}

// Detect recognises the language however a message is written, and leaves
// English with foreign names English.
func TestDetect(t *testing.T) {
	for msg, want := range map[string]string{
		"¿Hay algo para aprender anatomía?":        "es",
		"Busco aplicaciones de anatomía":           "es",
		"anatomía":                                 "es",
		"Je veux apprendre la chimie":              "fr",
		"J'aimerais apprendre l'anatomie":          "fr",
		"Ich möchte Programmieren lernen":          "de",
		"Quero aprender a tocar bateria":           "pt",
		"Gostaria de aprender anatomia":            "pt",
		"Vorrei imparare la chimica":               "it",
		"Ik wil leren programmeren":                "nl",
		"我在上天文课，想看看太阳系的行星":                         "zh",
		"分子構造を3Dで見たいです":                            "ja",
		"분자 구조를 3D로 보고 싶어요":                        "ko",
		"मुझे ड्रम बजाना सीखना है":                 "hi",
		"Хочу изучать анатомию":                    "ru",
		"أريد تعلم التشريح":                        "ar",
		"learn Spanish":                            "en",
		"café management and hospitality":          "en",
		"La La Land piano songs":                   "en",
		"El Niño and La Niña climate patterns":     "en",
		"songs from La Casa de Papel for practice": "en",
		"":   "en",
		"3D": "en",
	} {
		if got, _ := lang.Detect(msg); got != want {
			t.Errorf("Detect(%q) = %q, want %q", msg, got, want)
		}
	}
}

// Matching ignores accents and case, works on whole words, and takes the
// longest phrase.
func TestMatching(t *testing.T) {
	with := lang.Read("Quiero apps para DISEÑO 3D de edificios")
	without := lang.Read("quiero apps para diseno 3d de edificios")
	if with.English != "I want apps for 3D design of buildings" || without.English != "I want apps for 3D design of buildings" {
		t.Errorf("accents or case changed the reading: %q, %q", with.English, without.English)
	}
	// "con" is a word of its own, never part of "conservación".
	r := lang.Read("quiero juegos con amigos sobre conservación")
	if r.English != "I want games with friends about conservación" || len(r.Unknown) != 1 || r.Unknown[0] != "conservación" {
		t.Errorf("whole words: %q, unknown %q", r.English, r.Unknown)
	}
	// "sin suscripción" is one phrase: "no subscription", not "without subscription".
	if r := lang.Read("apps de yoga sin suscripción"); r.English != "apps of yoga no subscription" {
		t.Errorf("longest phrase: %q", r.English)
	}
	// A number in a phrase is kept.
	if r := lang.Read("juegos para 3 personas por menos de 25 euros"); r.English != "games for 3 players under 25 euros" {
		t.Errorf("numbers: %q", r.English)
	}
}

// Understood is the share of foreign content that was glossed, and Unknown
// lists what was not.
func TestUnderstood(t *testing.T) {
	if r := lang.Read("quiero aprender anatomía"); r.Understood != 1 || len(r.Unknown) != 0 {
		t.Errorf("all known: %+v", r)
	}
	r := lang.Read("quiero aprender xilografía y anatomía")
	if r.Understood != 0.5 || len(r.Unknown) != 1 || r.Unknown[0] != "xilografía" || r.English != "I want to learn xilografía and anatomy" {
		t.Errorf("half known: %+v", r)
	}
	r = lang.Read("Хочу изучать анатомию")
	if r.Lang != "ru" || r.Understood != 0 || len(r.Unknown) != 3 {
		t.Errorf("nothing known: %+v", r)
	}
	// Unknown characters of a script without spaces are reported together.
	r = lang.Read("我想学篆刻")
	if r.Understood != 0 || len(r.Unknown) != 1 || r.Unknown[0] != "篆刻" {
		t.Errorf("Chinese unknown: %+v", r)
	}
	// A greeting has no content, and nothing left unknown.
	if r := lang.Read("¡hola, gracias!"); r.Understood != 1 || r.English != "hello, thanks!" {
		t.Errorf("greeting: %+v", r)
	}
}

// English with words of a script lang has no table for is mixed, with that
// language noted and the words reported unknown.
func TestMixedWithoutTable(t *testing.T) {
	r := lang.Read("I want to learn анатомию")
	if r.Lang != "en" || !r.Mixed || r.Other != "ru" || r.English != "I want to learn анатомию" || len(r.Unknown) != 1 || r.Understood != 0 {
		t.Errorf("read as %+v", r)
	}
}

// The catalog's own English, names and all, reads as English.
func TestCatalogTextIsEnglish(t *testing.T) {
	var apps []struct {
		Description string
		Features    []string
	}
	var skills []struct{ Name string }
	for file, v := range map[string]any{"../catalog/default/vr_apps.json": &apps, "../catalog/default/skills.json": &skills} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatal(err)
		}
	}
	var texts []string
	for _, a := range apps {
		texts = append(texts, a.Description)
		texts = append(texts, a.Features...)
	}
	for _, s := range skills {
		texts = append(texts, s.Name)
	}
	if len(texts) < 500 {
		t.Fatalf("only %d catalog texts", len(texts))
	}
	for _, s := range texts {
		if r := lang.Read(s); r.Lang != "en" || r.Mixed || r.English != s {
			t.Errorf("%q: read as %+v", s, r)
		}
	}
}
