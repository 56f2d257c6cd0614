package lang_test

import (
	"strings"
	"testing"

	"github.com/vrrec/vrrec/lang"
)

// The note says, in the student's language, that the answer is in English
// and what was understood.
func TestNote(t *testing.T) {
	for code, want := range map[string]string{
		"es": "Respondo en inglés; entendí: 3D design of buildings",
		"fr": "Je réponds en anglais ; j'ai compris : 3D design of buildings",
		"de": "Ich antworte auf Englisch; verstanden habe ich: 3D design of buildings",
		"pt": "Respondo em inglês; entendi: 3D design of buildings",
		"it": "Rispondo in inglese; ho capito: 3D design of buildings",
		"nl": "Ik antwoord in het Engels; ik begreep: 3D design of buildings",
		"zh": "我用英文回答；我理解的是：3D design of buildings",
		"ja": "英語でお答えします。理解した内容：3D design of buildings",
		"ko": "영어로 답변할게요. 이해한 내용: 3D design of buildings",
		"hi": "मैं अंग्रेज़ी में जवाब दे रहा हूँ; मैंने समझा: 3D design of buildings",
		"ru": "Отвечаю по-английски; я понял: 3D design of buildings",
		"ar": "أجيب بالإنجليزية؛ فهمت: 3D design of buildings",
		"th": "I am answering in English; I understood: 3D design of buildings",
		"en": "",
	} {
		if got := lang.Note(code, "3D design of buildings"); got != want {
			t.Errorf("Note(%q) = %q, want %q", code, got, want)
		}
	}
	if got := lang.Note("es", ""); got != "Respondo en inglés." {
		t.Errorf("Note with nothing named: %q", got)
	}
}

// Every language Read can return has a nothing-understood message of its
// own; others get the English one.
func TestNothingUnderstood(t *testing.T) {
	for code, start := range map[string]string{
		"es": "Por ahora solo entiendo preguntas en inglés.",
		"fr": "Pour l'instant, je ne comprends que les questions en anglais.",
		"de": "Im Moment verstehe ich nur Fragen auf Englisch.",
		"pt": "Por enquanto só entendo perguntas em inglês.",
		"it": "Per ora capisco solo domande in inglese.",
		"nl": "Voorlopig begrijp ik alleen vragen in het Engels.",
		"zh": "目前我只能理解英文问题。",
		"ja": "現在、英語の質問にのみ対応しています。",
		"ko": "지금은 영어 질문만 이해할 수 있어요.",
		"hi": "अभी मैं केवल अंग्रेज़ी में पूछे गए सवाल समझ सकता हूँ।",
		"ru": "Пока я понимаю только вопросы на английском.",
		"ar": "حاليًا أفهم الأسئلة باللغة الإنجليزية فقط.",
		"th": "I can only read questions in English for now.",
	} {
		if got := lang.NothingUnderstood(code); !strings.HasPrefix(got, start) || !strings.Contains(got, "I'm learning Python") {
			t.Errorf("NothingUnderstood(%q) = %q", code, got)
		}
	}
	for _, msg := range []string{"Хочу изучать анатомию", "¿Hay algo para aprender anatomía?", "我想学篆刻", "분자 구조를 3D로 보고 싶어요", "मुझे ड्रम बजाना सीखना है", "Vorrei imparare la chimica", "Ik wil leren programmeren"} {
		r := lang.Read(msg)
		if lang.NothingUnderstood(r.Lang) == lang.NothingUnderstood("th") || lang.Note(r.Lang, "x") == lang.Note("th", "x") {
			t.Errorf("%q read as %q, which has no message of its own", msg, r.Lang)
		}
	}
}
