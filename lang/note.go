package lang

import "fmt"

// notes say, in the student's language, that the answer is in English and
// what was understood; "%s" is what was understood, in English.
var notes = map[string]struct{ withWhat, plain string }{
	"es": {"Respondo en inglés; entendí: %s", "Respondo en inglés."},
	"fr": {"Je réponds en anglais ; j'ai compris : %s", "Je réponds en anglais."},
	"de": {"Ich antworte auf Englisch; verstanden habe ich: %s", "Ich antworte auf Englisch."},
	"pt": {"Respondo em inglês; entendi: %s", "Respondo em inglês."},
	"it": {"Rispondo in inglese; ho capito: %s", "Rispondo in inglese."},
	"nl": {"Ik antwoord in het Engels; ik begreep: %s", "Ik antwoord in het Engels."},
	"zh": {"我用英文回答；我理解的是：%s", "我用英文回答。"},
	"ja": {"英語でお答えします。理解した内容：%s", "英語でお答えします。"},
	"ko": {"영어로 답변할게요. 이해한 내용: %s", "영어로 답변할게요."},
	"hi": {"मैं अंग्रेज़ी में जवाब दे रहा हूँ; मैंने समझा: %s", "मैं अंग्रेज़ी में जवाब दे रहा हूँ।"},
	"ar": {"أجيب بالإنجليزية؛ فهمت: %s", "أجيب بالإنجليزية."},
	"ru": {"Отвечаю по-английски; я понял: %s", "Отвечаю по-английски."},
}

// Note is a one-line note in lang telling the student that the answer is in
// English and what was understood (in English): Note("es", "3D design of
// buildings") is "Respondo en inglés; entendí: 3D design of buildings". It
// is "" for English; a language without a note gets it in English.
func Note(lang, understood string) string {
	if lang == "en" || lang == "" {
		return ""
	}
	n, ok := notes[lang]
	if !ok {
		n.withWhat, n.plain = "I am answering in English; I understood: %s", "I am answering in English."
	}
	if understood == "" {
		return n.plain
	}
	return fmt.Sprintf(n.withWhat, understood)
}

// nothingUnderstood is the reply, in the student's language, to a question
// of which nothing was understood.
var nothingUnderstood = map[string]string{
	"es": `Por ahora solo entiendo preguntas en inglés. Escribe en inglés lo que estudias o quieres aprender, por ejemplo: "I'm learning Python" o "anatomy".`,
	"fr": `Pour l'instant, je ne comprends que les questions en anglais. Écrivez en anglais ce que vous étudiez ou voulez apprendre, par exemple : « I'm learning Python » ou « anatomy ».`,
	"de": `Im Moment verstehe ich nur Fragen auf Englisch. Schreib bitte auf Englisch, was du studierst oder lernen möchtest, zum Beispiel: „I'm learning Python“ oder „anatomy“.`,
	"pt": `Por enquanto só entendo perguntas em inglês. Escreva em inglês o que você estuda ou quer aprender, por exemplo: "I'm learning Python" ou "anatomy".`,
	"it": `Per ora capisco solo domande in inglese. Scrivi in inglese cosa studi o vuoi imparare, ad esempio: "I'm learning Python" o "anatomy".`,
	"nl": `Voorlopig begrijp ik alleen vragen in het Engels. Schrijf in het Engels wat je studeert of wilt leren, bijvoorbeeld: "I'm learning Python" of "anatomy".`,
	"zh": `目前我只能理解英文问题。请用英文告诉我你在学习什么或想学什么，例如："I'm learning Python" 或 "anatomy"。`,
	"ja": `現在、英語の質問にのみ対応しています。勉強していることや学びたいことを英語で書いてください。例："I'm learning Python"、"anatomy"。`,
	"ko": `지금은 영어 질문만 이해할 수 있어요. 공부하고 있거나 배우고 싶은 것을 영어로 적어 주세요. 예: "I'm learning Python", "anatomy".`,
	"ar": `حاليًا أفهم الأسئلة باللغة الإنجليزية فقط. اكتب بالإنجليزية ما تدرسه أو ما تريد تعلّمه، مثلًا: "I'm learning Python" أو "anatomy".`,
	"hi": `अभी मैं केवल अंग्रेज़ी में पूछे गए सवाल समझ सकता हूँ। कृपया अंग्रेज़ी में लिखें कि आप क्या पढ़ रहे हैं या क्या सीखना चाहते हैं, जैसे: "I'm learning Python" या "anatomy"।`,
	"ru": `Пока я понимаю только вопросы на английском. Напишите по-английски, что вы изучаете или хотите изучить, например: «I'm learning Python» или «anatomy».`,
}

// NothingUnderstood is the reply to a question of which nothing was
// understood, in its language when there is a text for it, else in English.
func NothingUnderstood(lang string) string {
	if m, ok := nothingUnderstood[lang]; ok {
		return m
	}
	return `I can only read questions in English for now. Please write what you study or want to learn in English, for example "I'm learning Python" or "anatomy".`
}
