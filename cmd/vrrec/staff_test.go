package main

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/config"
)

func runCLIWithInput(t *testing.T, dataDir, stdin string, args ...string) (string, error) {
	t.Helper()
	t.Setenv("DATA_DIR", dataDir)
	t.Setenv("EMBEDDER", "")
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), err
}

// auditTrail reads the audit trail of the database in dir, newest first.
func auditTrail(t *testing.T, dir string) []vrrec.AuditEntry {
	t.Helper()
	db, err := openDB(context.Background(), config.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	entries, err := db.AuditEntries(context.Background(), vrrec.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// checkCLIEntry fails unless e names the person running the command, a
// time in the test's window and the action.
func checkCLIEntry(t *testing.T, e vrrec.AuditEntry, since time.Time, action, detail string) {
	t.Helper()
	if e.Actor != cliActor() || !strings.HasPrefix(e.Actor, "cli:") || len(e.Actor) <= len("cli:") ||
		e.Time.Before(since.Add(-time.Second)) || e.Time.After(time.Now().Add(time.Second)) || e.Action != action || !strings.Contains(e.Detail, detail) {
		t.Errorf("audit entry %+v; want %s by %s now, detail containing %q", e, action, cliActor(), detail)
	}
}

func TestStaffCommand(t *testing.T) {
	dir := t.TempDir()
	start := time.Now()
	if out, err := runCLIWithInput(t, dir, "a long enough password\n", "staff", "add", "Ada@Uni.Example", "--name", "Ada Lovelace", "--role", "editor"); err != nil ||
		out != "Added ada@uni.example (Ada Lovelace) as editor.\n" {
		t.Fatalf("add: %q, %v", out, err)
	}
	if _, err := runCLIWithInput(t, dir, "", "staff", "add", "grace@uni.example", "--sso"); err != nil {
		t.Fatalf("add an SSO-only account: %v", err)
	}
	for _, bad := range [][]string{
		{"staff"}, {"staff", "fire", "x"}, {"staff", "add"}, {"staff", "add", "not-an-email", "--sso"},
		{"staff", "add", "ada@uni.example", "--sso"}, {"staff", "add", "bob@uni.example", "--role", "owner", "--sso"},
		{"staff", "role", "ada@uni.example", "owner"}, {"staff", "role", "nobody@uni.example", "admin"}, {"staff", "disable", "nobody@uni.example"},
	} {
		if _, err := runCLIWithInput(t, dir, "", bad...); err == nil {
			t.Errorf("%q succeeded", bad)
		}
	}
	if _, err := runCLIWithInput(t, dir, "short\n", "staff", "add", "bob@uni.example"); err == nil || !strings.Contains(err.Error(), "too short") {
		t.Errorf("a short password: %v", err)
	}
	if out, err := runCLIWithInput(t, dir, "", "staff", "role", "ada@uni.example", "admin"); err != nil || out != "ada@uni.example is now admin.\n" {
		t.Errorf("role: %q, %v", out, err)
	}
	if out, err := runCLIWithInput(t, dir, "", "staff", "disable", "ada@uni.example"); err != nil || !strings.Contains(out, "Disabled ada@uni.example") {
		t.Errorf("disable: %q, %v", out, err)
	}
	if out, err := runCLIWithInput(t, dir, "another long password\n", "staff", "reset-password", "ada@uni.example"); err != nil || !strings.Contains(out, "New password set") {
		t.Errorf("reset-password: %q, %v", out, err)
	}
	out, err := runCLIWithInput(t, dir, "", "staff", "list")
	if err != nil || !regexp.MustCompile(`(?m)^ada@uni\.example +Ada Lovelace +admin +password .+ never +disabled$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^grace@uni\.example +grace +viewer +single sign-on .+ active$`).MatchString(out) {
		t.Errorf("list: %v\n%s", err, out)
	}
	out, err = runCLIWithInput(t, dir, "", "staff", "list", "--json")
	var list []map[string]any
	if err != nil || json.Unmarshal([]byte(out), &list) != nil || len(list) != 2 || list[0]["disabled"] != true || strings.Contains(out, "argon2id") {
		t.Errorf("list --json: %v\n%s", err, out)
	}
	entries := auditTrail(t, dir)
	want := []struct{ action, detail string }{
		{"reset_staff_password", "ada@uni.example"}, {"disable_staff", "ada@uni.example"}, {"set_staff_role", "ada@uni.example to admin"},
		{"add_staff", "grace@uni.example as viewer"}, {"add_staff", "ada@uni.example as editor"},
	}
	if len(entries) != len(want) {
		t.Fatalf("audit trail: %+v", entries)
	}
	for i, w := range want {
		checkCLIEntry(t, entries[i], start, w.action, w.detail)
	}
}

// Every catalog command that changes what students get, or forgets a
// draft, records who ran it, when, and a confirmed worse publication as
// confirmed (issue #25).
func TestCatalogCommandsAreAudited(t *testing.T) {
	src, _ := renamedCatalog(t, 0)
	dir := t.TempDir()
	start := time.Now()
	draftOf := func(out string) string {
		t.Helper()
		m := regexp.MustCompile(`(?m)^([0-9a-f]{16})  draft `).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no draft listed:\n%s", out)
		}
		return m[1]
	}
	if _, err := runCLI(t, dir, "import", "--dir", src); err != nil {
		t.Fatal(err)
	}
	out, _ := runCLI(t, dir, "catalog", "list")
	draft := draftOf(out)
	if out, err := runCLI(t, dir, "catalog", "publish", draft, "--confirm-worse"); err != nil {
		t.Fatalf("publish: %v\n%s", err, out)
	}
	if out, err := runCLI(t, dir, "catalog", "rollback"); err != nil {
		t.Fatalf("rollback: %v\n%s", err, out)
	}
	if out, err := runCLI(t, dir, "catalog", "discard", draft); err == nil {
		t.Logf("discarding the earlier version: %s", out)
	}
	src, _ = renamedCatalog(t, 0, 1)
	if _, err := runCLI(t, dir, "import", "--dir", src); err != nil {
		t.Fatal(err)
	}
	out, _ = runCLI(t, dir, "catalog", "list")
	second := draftOf(out)
	if out, err := runCLI(t, dir, "catalog", "discard", second); err != nil {
		t.Fatalf("discard: %v\n%s", err, out)
	}
	var got []vrrec.AuditEntry
	for _, e := range auditTrail(t, dir) {
		if e.Action == "publish_catalog" || e.Action == "discard_catalog_draft" {
			got = append(got, e)
		}
	}
	if len(got) != 3 {
		t.Fatalf("audit trail: %+v; want a publish, a rollback and a discard", got)
	}
	checkCLIEntry(t, got[0], start, "discard_catalog_draft", second+" (vrrec catalog discard)")
	checkCLIEntry(t, got[1], start, "publish_catalog", "(vrrec catalog rollback)")
	checkCLIEntry(t, got[2], start, "publish_catalog", draft+" (confirmed although it scores worse) (vrrec catalog publish)")
	if strings.Contains(got[1].Detail, "confirmed") {
		t.Errorf("a rollback without --confirm-worse is marked confirmed: %q", got[1].Detail)
	}
}

// OIDC_* settings make single sign-on; without OIDC_ISSUER there is none.
func TestNewSSO(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	if s, err := newSSO(config.OIDC{}, secret); err != nil || s != nil {
		t.Errorf("without OIDC_ISSUER: %v, %v", s, err)
	}
	s, err := newSSO(config.OIDC{Issuer: "https://login.uni.example", ClientID: "vrrec", AllowedDomains: []string{"uni.example"},
		RoleClaim: "groups", RoleMap: map[string]string{"vr-admins": "admin"}, DefaultRole: "viewer"}, secret)
	if err != nil || s == nil {
		t.Errorf("configured: %v, %v", s, err)
	}
	if _, err := newSSO(config.OIDC{Issuer: "https://login.uni.example", ClientID: "vrrec"}, secret); err == nil {
		t.Error("single sign-on with no one allowed was accepted")
	}
}
