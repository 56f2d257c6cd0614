package chat

import (
	"testing"

	"github.com/vrrec/vrrec"
)

// An ordinal past the previous answer's end is answered in good English.
func TestWhichOneCountsInWords(t *testing.T) {
	for n, want := range map[int]string{
		1: "I only showed 1 app. Which one do you mean?",
		3: "I only showed 3 apps. Which one do you mean?",
	} {
		if got := whichOne(&vrrec.Message{Apps: make([]vrrec.AppRecommendation, n)}); got != want {
			t.Errorf("%d apps: %q, want %q", n, got, want)
		}
	}
}
