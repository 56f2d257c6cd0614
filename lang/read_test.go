package lang_test

import (
	"strings"
	"testing"

	"github.com/vrrec/vrrec/lang"
)

// glossCase is a student's message and the English words its gloss must
// contain.
type glossCase struct {
	msg  string
	want []string
}

func checkGlosses(t *testing.T, code string, cases []glossCase) {
	t.Helper()
	for _, c := range cases {
		r := lang.Read(c.msg)
		if r.Lang != code {
			t.Errorf("%q: language %q, want %q", c.msg, r.Lang, code)
		}
		if r.Other != code {
			t.Errorf("%q: other language %q, want %q", c.msg, r.Other, code)
		}
		low := strings.ToLower(r.English)
		for _, w := range c.want {
			if !containsPhrase(low, strings.ToLower(w)) {
				t.Errorf("%q: English %q lacks %q", c.msg, r.English, w)
			}
		}
		if r.Understood < 0.5 {
			t.Errorf("%q: understood %.2f, unknown %q", c.msg, r.Understood, r.Unknown)
		}
	}
}

// containsPhrase reports whether phrase occurs in s as whole words.
func containsPhrase(s, phrase string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], phrase)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(phrase)
		if (start == 0 || !isWordByte(s[start-1])) && (end == len(s) || !isWordByte(s[end])) {
			return true
		}
		i = start + 1
	}
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b >= 0x80
}

func TestSpanish(t *testing.T) {
	checkGlosses(t, "es", []glossCase{
		{"hola! soy estudiante de arquitectura, quiero apps para diseño 3D de edificios", []string{"I want apps for", "architecture", "3D design", "buildings"}},
		{"quiero aprender a pintar", []string{"I want to learn", "painting"}},
		{"necesito practicar mi inglés", []string{"practice", "English"}},
		{"¿Hay algo para aprender anatomía humana?", []string{"human anatomy"}},
		{"juegos gratis para 4 personas en línea que no sean violentos", []string{"free", "4 players", "online", "non-violent"}},
		{"apps de ejercicio sin suscripción por menos de 10 dólares", []string{"exercise", "no subscription", "under 10 dollars"}},
		{"estoy en silla de ruedas, hay juegos que pueda jugar sentado?", []string{"wheelchair", "games", "seated"}},
		{"me mareo fácil, quiero algo tranquilo para meditar", []string{"motion sickness", "relaxing", "meditation"}},
		{"soy estudiante de enfermería y necesito repasar anatomía y fisiología", []string{"nursing", "anatomy", "physiology"}},
		{"algo para estática y dinámica, soy de ingeniería civil", []string{"statics and dynamics", "civil engineering"}},
		{"tengo mucha ansiedad antes de los exámenes, algo para relajarme", []string{"anxiety", "relax"}},
		{"juegos cooperativos con mis amigos en la misma habitación", []string{"cooperative", "with friends", "local"}},
		{"Busco aplicaciones de realidad mixta con seguimiento de manos", []string{"mixed reality", "hand tracking"}},
		{"quiero hacer ejercicio en casa pero tengo un cuarto pequeño", []string{"exercise", "at home", "small room"}},
		{"solo quiero juegos gratis para jugar solo", []string{"only", "free", "play solo"}},
		{"somos 5 amigos y queremos jugar algo cooperativo sin disparos", []string{"5 friends", "cooperative", "no shooting"}},
		{"tengo una entrevista de trabajo la próxima semana y estoy nervioso", []string{"job interviews", "nervous"}},
	})
}

func TestFrench(t *testing.T) {
	checkGlosses(t, "fr", []glossCase{
		{"je veux apprendre l'anatomie", []string{"I want to learn", "anatomy"}},
		{"Je suis étudiante en architecture : quelles applis pour concevoir des bâtiments en VR ?", []string{"architecture", "apps for", "design", "buildings"}},
		{"J'aimerais apprendre la chimie organique", []string{"I would like to learn", "organic chemistry"}},
		{"des jeux gratuits pour jouer avec mes amis en ligne", []string{"free", "games", "with friends", "online"}},
		{"une appli de méditation sans abonnement pour gérer le stress", []string{"meditation", "no subscription", "stress"}},
		{"je joue assis, j'ai le mal des transports", []string{"seated", "motion sickness"}},
		{"je dois faire un exposé, je veux pratiquer la prise de parole en public", []string{"presentations", "public speaking"}},
		{"des applis de dessin et de peinture pas chères, moins de 15 euros", []string{"drawing", "painting", "cheap", "under 15 euros"}},
		{"je suis en fauteuil roulant, des jeux non violents pour 2 joueurs ?", []string{"wheelchair", "non-violent", "2 players"}},
		{"bonjour, je cherche quelque chose pour la physique et les maths", []string{"hello", "physics", "math"}},
		{"mon copain et moi cherchons un jeu de réflexion en réalité mixte", []string{"puzzles", "mixed reality"}},
	})
}

func TestGerman(t *testing.T) {
	checkGlosses(t, "de", []glossCase{
		{"Ich habe Prüfungsangst und brauche etwas zum Entspannen", []string{"exam anxiety", "relax"}},
		{"Ich möchte Programmieren lernen", []string{"I want", "programming"}},
		{"kostenlose Spiele für 2 Spieler", []string{"free", "games", "2 players"}},
		{"Gibt es Apps für Anatomie ohne Abo?", []string{"apps for", "anatomy", "no subscription"}},
		{"ich studiere Architektur und suche was für 3D-Modellierung", []string{"I study", "architecture", "3D modeling"}},
		{"Ich sitze im Rollstuhl, welche Spiele kann ich im Sitzen spielen?", []string{"wheelchair", "games", "seated"}},
		{"Sport mit Freunden, am liebsten online und nicht gewalttätig", []string{"exercise", "with friends", "online", "non-violent"}},
		{"Mir wird schlecht in VR, gibt es etwas Ruhiges zum Malen?", []string{"motion sickness", "painting"}},
		{"ich brauche Hilfe bei Statik und Dynamik, günstig bitte", []string{"statics", "dynamics", "cheap", "please"}},
		{"Ich will mein Englisch verbessern", []string{"English", "improve"}},
		{"wir sind drei Mitbewohner und suchen ein lustiges Partyspiel", []string{"3", "my roommates", "party games"}},
		{"ich bin Medizinstudent und möchte Chirurgie üben", []string{"medicine student", "surgery", "practice"}},
	})
}

func TestPortuguese(t *testing.T) {
	checkGlosses(t, "pt", []glossCase{
		{"Quero fazer exercício em casa com música", []string{"I want", "exercise", "at home", "music"}},
		{"Quero aprender a tocar bateria", []string{"I want to learn", "drums"}},
		{"Gostaria de aprender anatomia", []string{"I would like to learn", "anatomy"}},
		{"sou estudante de arquitetura, preciso de apps de modelagem 3D", []string{"I study", "architecture", "3D modeling"}},
		{"jogos grátis para jogar com meus amigos online", []string{"free", "games", "with friends", "online"}},
		{"tem algum app de meditação sem assinatura? tenho muita ansiedade", []string{"meditation", "no subscription", "anxiety"}},
		{"sou cadeirante, preciso de algo para jogar sentado", []string{"wheelchair", "seated"}},
		{"algo para praticar meu inglês, por favor", []string{"practice", "English", "please"}},
		{"quero um jogo de química que não seja violento, menos de 20 dólares", []string{"chemistry", "under 20 dollars"}},
		{"enjoo fácil em VR, quero algo relaxante de natureza", []string{"motion sickness", "relaxing", "nature"}},
	})
}

func TestItalian(t *testing.T) {
	checkGlosses(t, "it", []glossCase{
		{"Vorrei imparare la chimica", []string{"I would like", "chemistry"}},
		{"cerco app gratuite per la storia dell'arte", []string{"free", "art history"}},
		{"giochi con gli amici online, niente abbonamento", []string{"with friends", "online", "subscription"}},
		{"voglio imparare a suonare il pianoforte", []string{"I want to learn", "piano"}},
		{"sono studentessa di infermieristica, qualcosa per l'anatomia?", []string{"nursing", "anatomy"}},
	})
}

func TestChinese(t *testing.T) {
	checkGlosses(t, "zh", []glossCase{
		{"我在上天文课，想看看太阳系的行星", []string{"astronomy", "solar system", "planets"}},
		{"我想学解剖学", []string{"I want to learn", "anatomy"}},
		{"有没有免费的画画应用？", []string{"free", "painting", "apps"}},
		{"我是建筑专业的学生，想做三维建模", []string{"architecture", "3D modeling"}},
		{"想和室友一起玩的多人游戏，不要暴力的", []string{"my roommates", "together", "multiplayer", "violent"}},
		{"我压力很大，想找冥想的应用", []string{"stress", "meditation"}},
		{"坐着玩的健身游戏，10美元以下", []string{"seated", "exercise", "under 10 dollars"}},
		{"我想放松一下，不想太激烈的游戏", []string{"relax", "comfortable", "games"}},
		{"我是护理专业的学生，想练习急救", []string{"nursing", "student", "first aid"}},
	})
}

func TestKorean(t *testing.T) {
	checkGlosses(t, "ko", []glossCase{
		{"분자 구조를 3D로 보고 싶어요", []string{"molecular structure", "3D"}},
		{"해부학을 배우고 싶어요", []string{"anatomy", "want to learn"}},
		{"무료 명상 앱 추천해 주세요", []string{"free", "meditation", "apps"}},
		{"친구들이랑 온라인으로 할 수 있는 게임", []string{"with friends", "online", "games"}},
		{"영어 발음을 연습하고 싶어요", []string{"English", "pronunciation", "practice"}},
		{"앉아서 할 수 있는 운동 게임 있나요?", []string{"seated", "exercise", "games"}},
	})
}

func TestHindi(t *testing.T) {
	checkGlosses(t, "hi", []glossCase{
		{"मुझे ड्रम बजाना सीखना है", []string{"drums", "want to learn"}},
		{"मुझे शरीर रचना विज्ञान के लिए ऐप चाहिए", []string{"anatomy", "apps"}},
		{"दोस्तों के साथ ऑनलाइन खेलने के लिए मुफ्त गेम", []string{"with friends", "online", "free", "games"}},
		{"तनाव कम करने के लिए ध्यान ऐप", []string{"stress", "meditation"}},
		{"मैं अंग्रेज़ी बोलना अभ्यास करना चाहता हूँ", []string{"English", "speaking", "practice"}},
		{"बैठकर खेलने वाले व्यायाम गेम", []string{"seated", "exercise", "games"}},
		{"मुझे गिटार सीखना है लेकिन ज़्यादा पैसे नहीं हैं", []string{"guitar", "want to learn", "cheap"}},
	})
}

func TestJapanese(t *testing.T) {
	checkGlosses(t, "ja", []glossCase{
		{"人前で話すのが苦手です。練習できるアプリはありますか？", []string{"public speaking", "practice", "apps"}},
		{"分子構造を3Dで見たいです", []string{"molecular structure"}},
		{"無料の瞑想アプリ", []string{"free", "meditation"}},
	})
}

// Follow-ups in every language name the pick or the refinement in English.
func TestFollowUps(t *testing.T) {
	for _, c := range []struct {
		msg, lang string
		want      []string
	}{
		{"¿y el segundo? ¿cuánto cuesta?", "es", []string{"the second", "how much does it cost"}},
		{"algo parecido a Beat Saber pero gratis", "es", []string{"more like Beat Saber", "free"}},
		{"dame más opciones por favor", "es", []string{"more options", "please"}},
		{"¿tienes algo más barato?", "es", []string{"cheaper"}},
		{"plus d'infos sur le deuxième s'il te plaît", "fr", []string{"more info about the second please"}},
		{"quelque chose de moins cher ?", "fr", []string{"cheaper"}},
		{"und das zweite?", "de", []string{"the second"}},
		{"etwas Günstigeres bitte", "de", []string{"cheaper", "please"}},
		{"algo mais barato, por favor", "pt", []string{"cheaper", "please"}},
		{"me conta mais sobre o primeiro", "pt", []string{"tell me more", "the first"}},
		{"第二个怎么样？", "zh", []string{"the second"}},
		{"有便宜一点的吗？", "zh", []string{"cheaper"}},
		{"두 번째 거 더 알려 주세요", "ko", []string{"the second", "more info"}},
		{"더 싼 거 있어요?", "ko", []string{"cheaper"}},
		{"दूसरा वाला कैसा है?", "hi", []string{"the second"}},
		{"सस्ता ऐप बताइए", "hi", []string{"cheap", "apps"}},
	} {
		r := lang.Read(c.msg)
		if r.Lang != c.lang || r.Understood != 1 {
			t.Errorf("%q: language %q, understood %.2f (unknown %q)", c.msg, r.Lang, r.Understood, r.Unknown)
		}
		for _, w := range c.want {
			if !containsPhrase(strings.ToLower(r.English), strings.ToLower(w)) {
				t.Errorf("%q: English %q lacks %q", c.msg, r.English, w)
			}
		}
	}
}

// The messages quoted in issue 21 read as the English question the student
// meant.
func TestIssueExamples(t *testing.T) {
	for _, c := range []struct {
		msg, lang string
		mixed     bool
		english   string
	}{
		{"hola! soy estudiante de arquitectura, quiero apps para diseño 3D de edificios", "es", false, "hello! I study architecture, I want apps for 3D design of buildings"},
		{"more info sobre el primero pls", "en", true, "more info about the first please"},
		{"quiero aprender a pintar", "es", false, "I want to learn painting"},
		{"je veux apprendre l'anatomie", "fr", false, "I want to learn anatomy"},
		{"necesito practicar mi inglés", "es", false, "I need to practice English"},
	} {
		r := lang.Read(c.msg)
		if r.Lang != c.lang || r.Mixed != c.mixed || r.English != c.english || r.Understood != 1 || len(r.Unknown) != 0 {
			t.Errorf("%q: read as %+v; want %s, mixed %v, %q", c.msg, r, c.lang, c.mixed, c.english)
		}
	}
}
