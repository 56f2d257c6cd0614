package vrrec

import "strings"

// CSVCell keeps text from a student, a file or a model from being read as
// a formula by a spreadsheet opening a CSV export (OWASP's CSV injection
// advice): a cell starting with = + - @ or a tab or carriage return gets a
// leading apostrophe.
func CSVCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
