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
		if m, _, _, err := auth.Login(context.Background(), "", "correct horse battery"); err != nil || m.ID != admin.BootstrapID || m.Role != vrrec.RoleAdmin {
			t.Errorf("%s: right password refused: %+v, %v", name, m, err)
		}
		for _, wrong := range []string{"", "correct horse batter", "correct horse battery "} {
			if _, _, _, err := auth.Login(context.Background(), "admin", wrong); vrrec.ErrorCode(err) != vrrec.EUNAUTHORIZED {
				t.Errorf("%s: password %q: %v, want EUNAUTHORIZED", name, wrong, err)
			}
		}
	}
	if _, err := admin.New("not-a-hash", "", secret, store(t)); err == nil {
		t.Error("a malformed ADMIN_PASSWORD_HASH was accepted")
	}
	none, _ := admin.New("", "", secret, store(t))
	if _, _, _, err := none.Login(context.Background(), "", "x"); vrrec.ErrorCode(err) != vrrec.EUNAVAILABLE || !strings.Contains(err.Error(), "ADMIN_PASSWORD_HASH") {
		t.Errorf("no admin configured: %v", err)
	}
}

func TestSessionsAreSealedAndEndAtLogout(t *testing.T) {
	ctx := context.Background()
	db := store(t)
	a, _ := admin.New("", "pw-pw-pw-pw", secret, db)
	b, _ := admin.New("", "pw-pw-pw-pw", secret, db) // another instance on the same database
	m, first, _, _ := a.Login(ctx, "", "pw-pw-pw-pw")
	_, second, _, _ := a.Login(ctx, "admin", "pw-pw-pw-pw")
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
	if err := b.Logout(ctx, m); err != nil {
		t.Fatal(err)
	}
	if live(t, a, first) || live(t, a, second) {
		t.Error("sessions survive a logout on another instance")
	}
	_, third, _, _ := a.Login(ctx, "", "pw-pw-pw-pw")
	if !live(t, a, third) {
		t.Error("a login after the logout is refused")
	}
	// Without ADMIN_PASSWORD the bootstrap admin's sessions end.
	if c, err := admin.New("", "", secret, db); err != nil || live(t, c, third) {
		t.Errorf("a bootstrap session checked without a bootstrap admin configured: %v", err)
	}
}

// Staff members sign in with their email; a disabled account, a role
// change, a password reset and a sign-out apply to the next check on
// every instance.
func TestStaffSignIn(t *testing.T) {
	ctx := context.Background()
	db := store(t)
	accounts := admin.NewAccounts(db)
	a, _ := admin.New("", "", secret, db)
	b, _ := admin.New("", "", secret, db) // another instance
	if _, _, _, err := a.Login(ctx, "", "anything"); vrrec.ErrorCode(err) != vrrec.EUNAVAILABLE || !strings.Contains(err.Error(), "vrrec staff add") {
		t.Errorf("no account at all: %v, want EUNAVAILABLE naming vrrec staff add", err)
	}
	ada, err := accounts.Add(ctx, " Ada@Uni.Example ", "Ada Lovelace", vrrec.RoleEditor, "analytical engine")
	if err != nil || ada.Email != "ada@uni.example" || ada.PasswordHash == "" || strings.Contains(ada.PasswordHash, "analytical") {
		t.Fatalf("add: %+v, %v", ada, err)
	}
	sso, _ := accounts.Add(ctx, "grace@uni.example", "", vrrec.RoleViewer, "")
	if sso.Name != "grace" {
		t.Errorf("a name defaults to the email's local part: %q", sso.Name)
	}
	for _, c := range []struct{ name, password string }{
		{"ada@uni.example", "analytical engin"}, {"nobody@uni.example", "analytical engine"},
		{"grace@uni.example", ""}, {"grace@uni.example", "x"}, {"", "analytical engine"},
	} {
		if _, _, _, err := a.Login(ctx, c.name, c.password); vrrec.ErrorCode(err) != vrrec.EUNAUTHORIZED || vrrec.ErrorMessage(err) != "Wrong email or password" {
			t.Errorf("%q / %q: %v, want the one wrong-email-or-password answer", c.name, c.password, err)
		}
	}
	m, cookie, _, err := a.Login(ctx, "ADA@uni.example", "analytical engine")
	if err != nil || m.ID != ada.ID {
		t.Fatalf("sign-in: %+v, %v", m, err)
	}
	if got, _ := b.Check(ctx, cookie); got.ID != ada.ID || got.Role != vrrec.RoleEditor || got.LastSignIn.IsZero() {
		t.Errorf("check on another instance: %+v", got)
	}
	if _, err := accounts.SetRole(ctx, ada.ID, vrrec.RoleViewer); err != nil {
		t.Fatal(err)
	}
	if got, _ := b.Check(ctx, cookie); got.Role != vrrec.RoleViewer {
		t.Errorf("after the role change the session has role %q", got.Role)
	}
	if _, err := accounts.SetDisabled(ctx, ada.ID, true); err != nil {
		t.Fatal(err)
	}
	if live(t, b, cookie) {
		t.Error("a disabled account's session is live")
	}
	if _, _, _, err := a.Login(ctx, "ada@uni.example", "analytical engine"); vrrec.ErrorCode(err) != vrrec.EUNAUTHORIZED || !strings.Contains(err.Error(), "disabled") {
		t.Errorf("sign-in of a disabled account: %v", err)
	}
	accounts.SetDisabled(ctx, ada.ID, false)
	if live(t, b, cookie) {
		t.Error("enabling the account again revived its old session")
	}
	_, cookie, _, _ = a.Login(ctx, "ada@uni.example", "analytical engine")
	if _, err := accounts.SetPassword(ctx, ada.ID, "difference engine"); err != nil {
		t.Fatal(err)
	}
	if live(t, b, cookie) {
		t.Error("a session survives a password reset")
	}
	if _, _, _, err := a.Login(ctx, "ada@uni.example", "analytical engine"); err == nil {
		t.Error("the old password still signs in")
	}
	m, cookie, _, err = a.Login(ctx, "ada@uni.example", "difference engine")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Logout(ctx, m); err != nil || live(t, b, cookie) {
		t.Errorf("after a sign-out: %v, session live %v", err, live(t, b, cookie))
	}
}

func TestAccountsRefuseBadInput(t *testing.T) {
	ctx := context.Background()
	accounts := admin.NewAccounts(store(t))
	for _, c := range []struct {
		email, name, password string
		role                  vrrec.Role
	}{
		{"not an email", "", "long enough password", vrrec.RoleViewer},
		{"a@b.example, c@d.example", "", "long enough password", vrrec.RoleViewer},
		{"ada@uni.example", "", "short", vrrec.RoleViewer},
		{"ada@uni.example", "", strings.Repeat("x", admin.MaxPasswordLength+1), vrrec.RoleViewer},
		{"ada@uni.example", "", "long enough password", "owner"},
		{"ada@uni.example", "two\nlines", "long enough password", vrrec.RoleViewer},
	} {
		if _, err := accounts.Add(ctx, c.email, c.name, c.role, c.password); vrrec.ErrorCode(err) != vrrec.EINVALID {
			t.Errorf("%+v: %v, want EINVALID", c, err)
		}
	}
	if list, _ := accounts.List(ctx); len(list) != 0 {
		t.Errorf("refused accounts were stored: %+v", list)
	}
	accounts.Add(ctx, "ada@uni.example", "", vrrec.RoleViewer, "")
	if _, err := accounts.Add(ctx, "ADA@uni.example", "", vrrec.RoleViewer, ""); vrrec.ErrorCode(err) != vrrec.ECONFLICT {
		t.Errorf("a second account for one email: %v, want ECONFLICT", err)
	}
	if _, err := accounts.SetRole(ctx, "nobody", vrrec.RoleAdmin); vrrec.ErrorCode(err) != vrrec.ENOTFOUND {
		t.Errorf("role of an unknown account: %v", err)
	}
	if _, err := accounts.SetPassword(ctx, admin.BootstrapID, "long enough password"); vrrec.ErrorCode(err) != vrrec.EINVALID {
		t.Errorf("the bootstrap admin's password set in the database: %v", err)
	}
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
			_, _, _, err := a.Login(context.Background(), "", "a guess")
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
	_, cookie, _, err := a.Login(context.Background(), "", "pw-pw-pw-pw")
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := a.Check(context.Background(), cookie); vrrec.ErrorCode(err) != vrrec.EUNAVAILABLE {
		t.Errorf("check with the database down: %v; want EUNAVAILABLE", err)
	}
	if _, err := a.Check(context.Background(), "tampered"); vrrec.ErrorCode(err) != vrrec.EUNAUTHORIZED {
		t.Errorf("a tampered cookie: %v; want EUNAUTHORIZED", err)
	}
}

// live is Check for tests: whether the session is live, failing the test
// when it could not be checked.
func live(t *testing.T, a *admin.Auth, cookie string) bool {
	t.Helper()
	_, err := a.Check(context.Background(), cookie)
	if err != nil && vrrec.ErrorCode(err) != vrrec.EUNAUTHORIZED {
		t.Fatal(err)
	}
	return err == nil
}
