package rag

import "github.com/vrrec/vrrec/lang"

// detectLanguage returns the ISO 639-1 code of a query that is not in
// English, or "" for English (package lang tells).
func detectLanguage(q string) string {
	if l, _ := lang.Detect(q); l != "en" {
		return l
	}
	return ""
}
