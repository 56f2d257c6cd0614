// Package lang reads messages that students write in other languages, or in
// English mixed with another language, so an English-only retrieval model can
// still answer them.
//
// Read detects the message's main language (by writing system, then by the
// common words of each language written in Latin letters), tells whether
// English is mixed with another language, and glosses every foreign word or
// phrase it knows into English, longest phrase first: framing ("quiero apps
// para", "je veux apprendre") becomes the English framing ("I want apps for",
// "I want to learn") that the English reader already strips; subjects
// ("arquitectura", "解剖学") and constraints ("gratis", "sans abonnement",
// "menos de 10 dólares") become the English words the catalog and the
// constraint reader know. English words are kept as they are and a message in
// English comes back unchanged. Note and NothingUnderstood give the one-line
// messages to show the student in their language.
//
// Matching ignores case and accents ("diseno" is "diseño") and works on whole
// words: "con" is never found inside "conservation". Chinese and Japanese,
// written without spaces, are segmented by longest match against the table;
// Korean words are matched the same way inside each word, so particles ("를",
// "로") come off the stems they follow. German compounds ("Prüfungsangst")
// are split into known parts.
//
// Where the tables come from: tables/*.txt are this project's own
// translations of common study subjects, app features, constraint words and
// request phrasing, written for this package from the catalog's skill,
// category, feature and course names (catalog/default) and from how students
// phrase requests. No dictionary or word list was copied. The tables are
// embedded in the binary; nothing is read at run time. To add a word, add a
// line to the language's file (see tables/README.md for the format); the
// tests check that every table parses and that English messages stay
// unchanged.
package lang
