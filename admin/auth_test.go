package admin_test

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/admin"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/sqlite"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

func store(t *testing.T) *sqlite.DB { return testenv.SQLite(t) }

func TestPasswordsOfEveryKind(t *testing.T) {
	argon, err := admin.Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	bc, _ := bcrypt.GenerateFromPassword([]byte("correct horse battery"), bcrypt.MinCost)
	for name, a := range map[string][2]string{"argon2id": {argon, ""}, "bcrypt": {string(bc), ""}, "plain": {"", "correct horse battery"}} {
		auth, err := admin.New(a[0], a[1], secret, store(t))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := auth.Login("correct horse battery"); err != nil {
			t.Errorf("%s: right password refused: %v", name, err)
		}
		for _, wrong := range []string{"", "correct horse batter", "correct horse battery "} {
			if _, _, err := auth.Login(wrong); vrrec.ErrorCode(err) != vrrec.EUNAUTHORIZED {
				t.Errorf("%s: password %q: %v, want EUNAUTHORIZED", name, wrong, err)
			}
		}
	}
	if _, err := admin.New("not-a-hash", "", secret, store(t)); err == nil {
		t.Error("a malformed ADMIN_PASSWORD_HASH was accepted")
	}
	none, _ := admin.New("", "", secret, store(t))
	if _, _, err := none.Login("x"); vrrec.ErrorCode(err) != vrrec.EUNAVAILABLE || !strings.Contains(err.Error(), "ADMIN_PASSWORD_HASH") {
		t.Errorf("no admin configured: %v", err)
	}
}

func TestSessionsAreSealedAndEndAtLogout(t *testing.T) {
	ctx := context.Background()
	db := store(t)
	a, _ := admin.New("", "pw-pw-pw-pw", secret, db)
	b, _ := admin.New("", "pw-pw-pw-pw", secret, db) // another instance on the same database
	first, _, _ := a.Login("pw-pw-pw-pw")
	second, _, _ := a.Login("pw-pw-pw-pw")
	if first == second {
		t.Error("two logins share a session value")
	}
	if !a.Check(ctx, first) || !b.Check(ctx, first) {
		t.Fatal("a fresh session is refused")
	}
	tampered := []byte(first)
	tampered[len(tampered)/2] ^= 1
	for _, v := range []string{string(tampered), "", "garbage", first[:len(first)-2]} {
		if a.Check(ctx, v) {
			t.Errorf("cookie %q accepted", v)
		}
	}
	other, _ := admin.New("", "pw-pw-pw-pw", []byte("another secret another secret!!"), db)
	if other.Check(ctx, first) {
		t.Error("a session sealed with another key was accepted")
	}
	if err := b.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if a.Check(ctx, first) || a.Check(ctx, second) {
		t.Error("sessions survive a logout on another instance")
	}
	third, _, _ := a.Login("pw-pw-pw-pw")
	if !a.Check(ctx, third) {
		t.Error("a login after the logout is refused")
	}
}
