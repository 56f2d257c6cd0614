package lang_test

import (
	"testing"
	"unicode/utf8"

	"github.com/vrrec/vrrec/lang"
)

// Any text reads without panicking into valid text; English that is not
// mixed comes back unchanged, and Understood is a share.
func FuzzRead(f *testing.F) {
	for _, s := range []string{
		"hola! soy estudiante de arquitectura, quiero apps para diseño 3D de edificios",
		"more info sobre el primero pls", "l'", "j'aimerais", "10€", "$10", "我想学", "3D로", "मुझे ड्रम",
		"C++ and C#", "’’'", "¿¡", "Día de los Muertos", "", " ", "menos de 10 dólares", "\xff\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		r := lang.Read(msg)
		if utf8.ValidString(msg) && !utf8.ValidString(r.English) {
			t.Errorf("%q: English %q is not valid UTF-8", msg, r.English)
		}
		if r.Lang == "en" && !r.Mixed && r.English != msg {
			t.Errorf("%q: English message changed to %q", msg, r.English)
		}
		if r.Understood < 0 || r.Understood > 1 {
			t.Errorf("%q: understood %v", msg, r.Understood)
		}
	})
}

func BenchmarkRead(b *testing.B) {
	msgs := []string{
		"hola! soy estudiante de arquitectura, quiero apps para diseño 3D de edificios",
		"Ich habe Prüfungsangst und brauche etwas zum Entspannen",
		"我在上天文课，想看看太阳系的行星",
		"I'm a nursing student. I need to get better at anatomy, but honestly I also need help staying calm during clinical rotations.",
	}
	for b.Loop() {
		for _, m := range msgs {
			lang.Read(m)
		}
	}
}
