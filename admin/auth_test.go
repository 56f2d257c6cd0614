package admin_test

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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
		if _, _, err := auth.Login(context.Background(), "correct horse battery"); err != nil {
			t.Errorf("%s: right password refused: %v", name, err)
		}
		for _, wrong := range []string{"", "correct horse batter", "correct horse battery "} {
			if _, _, err := auth.Login(context.Background(), wrong); vrrec.ErrorCode(err) != vrrec.EUNAUTHORIZED {
				t.Errorf("%s: password %q: %v, want EUNAUTHORIZED", name, wrong, err)
			}
		}
	}
	if _, err := admin.New("not-a-hash", "", secret, store(t)); err == nil {
		t.Error("a malformed ADMIN_PASSWORD_HASH was accepted")
	}
	none, _ := admin.New("", "", secret, store(t))
	if _, _, err := none.Login(context.Background(), "x"); vrrec.ErrorCode(err) != vrrec.EUNAVAILABLE || !strings.Contains(err.Error(), "ADMIN_PASSWORD_HASH") {
		t.Errorf("no admin configured: %v", err)
	}
}

func TestSessionsAreSealedAndEndAtLogout(t *testing.T) {
	ctx := context.Background()
	db := store(t)
	a, _ := admin.New("", "pw-pw-pw-pw", secret, db)
	b, _ := admin.New("", "pw-pw-pw-pw", secret, db) // another instance on the same database
	first, _, _ := a.Login(context.Background(), "pw-pw-pw-pw")
	second, _, _ := a.Login(context.Background(), "pw-pw-pw-pw")
	if first == second {
		t.Error("two logins share a session value")
	}
	if !live(t, a, first) || !live(t, b, first) {
		t.Fatal("a fresh session is refused")
	}
	tampered := []byte(first)
	tampered[len(tampered)/2] ^= 1
	for _, v := range []string{string(tampered), "", "garbage", first[:len(first)-2]} {
		if live(t, a, v) {
			t.Errorf("cookie %q accepted", v)
		}
	}
	other, _ := admin.New("", "pw-pw-pw-pw", []byte("another secret another secret!!"), db)
	if live(t, other, first) {
		t.Error("a session sealed with another key was accepted")
	}
	if err := b.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if live(t, a, first) || live(t, a, second) {
		t.Error("sessions survive a logout on another instance")
	}
	third, _, _ := a.Login(context.Background(), "pw-pw-pw-pw")
	if !live(t, a, third) {
		t.Error("a login after the logout is refused")
	}
}

// live is Check for tests: whether the session is live, failing the test
// when it could not be checked.
func live(t *testing.T, a *admin.Auth, cookie string) bool {
	t.Helper()
	ok, err := a.Check(context.Background(), cookie)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// A storm of parallel logins queues for the password check: memory stays
// bounded (one argon2id check takes 64 MiB; 40 at once would take 2.5 GiB).
func TestLoginStormKeepsMemoryBounded(t *testing.T) {
	hash, err := admin.Hash("the real password")
	if err != nil {
		t.Fatal(err)
	}
	a, err := admin.New(hash, "", secret, store(t))
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	base := rssMiB(t)
	peak := base
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
				peak = max(peak, rssMiB(t))
			}
		}
	}()
	var wg sync.WaitGroup
	var refused, busy atomic.Int64
	for range 40 {
		wg.Go(func() {
			_, _, err := a.Login(context.Background(), "a guess")
			switch vrrec.ErrorCode(err) {
			case vrrec.EUNAUTHORIZED:
				refused.Add(1)
			case vrrec.EUNAVAILABLE:
				busy.Add(1)
			default:
				t.Errorf("login: %v", err)
			}
		})
	}
	wg.Wait()
	close(stop)
	<-sampled
	if refused.Load()+busy.Load() != 40 || refused.Load() == 0 {
		t.Errorf("%d refused, %d busy of 40", refused.Load(), busy.Load())
	}
	if grew := peak - base; grew > 700 {
		t.Errorf("memory grew %d MiB during 40 parallel logins; want it bounded by %d checks at a time", grew, admin.ConcurrentChecks)
	}
	t.Logf("RSS %d MiB before, peak %d MiB", base, peak)
}

func rssMiB(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status on this system")
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb / 1024
		}
	}
	return 0
}

// A session that cannot be checked because the database is down is an
// error, not a logout: staff must not be sent to log in again.
func TestCheckWithTheDatabaseDown(t *testing.T) {
	db := store(t)
	a, err := admin.New("", "pw-pw-pw-pw", secret, db)
	if err != nil {
		t.Fatal(err)
	}
	cookie, _, err := a.Login(context.Background(), "pw-pw-pw-pw")
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	ok, err := a.Check(context.Background(), cookie)
	if ok || vrrec.ErrorCode(err) != vrrec.EUNAVAILABLE {
		t.Errorf("check with the database down: %v, %v; want EUNAVAILABLE", ok, err)
	}
	if ok, err := a.Check(context.Background(), "tampered"); ok || err != nil {
		t.Errorf("a tampered cookie: %v, %v; want not live, no error", ok, err)
	}
}
