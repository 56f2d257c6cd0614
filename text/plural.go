package text

import "strconv"

// Count writes n with the noun in the number it takes: Count(1, "app",
// "apps") is "1 app", Count(3, "app", "apps") "3 apps".
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
