package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vrrec/vrrec/internal/testenv"
)

// TestFirstFiveMinutes walks README's "first five minutes of an operator"
// with the built binary: a staff account, serve, a question, a sign-in,
// an import, the draft listed and compared, published, and the running
// serve swapping it in.
func TestFirstFiveMinutes(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	section := regexp.MustCompile(`(?s)### The first five minutes of an operator\n(.*?)\n## `).FindSubmatch(readme)
	if section == nil {
		t.Fatal(`README.md has no "The first five minutes of an operator" section`)
	}
	for _, step := range []string{"./vrrec staff add you@uni.example --role admin", "./vrrec serve", "curl -s localhost:5000/chat",
		"/admin", "./vrrec import --dir DIR", "./vrrec catalog list", "./vrrec catalog diff VERSION", "./vrrec catalog publish VERSION"} {
		if !bytes.Contains(section[1], []byte(step)) {
			t.Errorf("the section no longer shows %q: keep it and this test in step", step)
		}
	}

	bin := vrrecBinary(t)
	work := t.TempDir()
	port := freePort(t)
	env := append(os.Environ(), "DATA_DIR="+filepath.Join(work, "data"), "SECRET_KEY=first-five-minutes-secret-0123456789", "PORT="+port,
		"EMBEDDER=", "MONGODB_URI=", "REDIS_URL=", "OPENROUTER_API_KEY=", "LLM_BASE_URL=", "GRAPH_BACKEND=memory", "METRICS_ADDR=", "LOG_LEVEL=warn")
	vrrecCmd := func(stdin string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir, cmd.Env, cmd.Stdin = work, env, strings.NewReader(stdin)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("vrrec %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errOut.String())
		}
		return out.String()
	}
	vrrecCmd("a long staff password\n", "staff", "add", "you@uni.example", "--role", "admin")

	serve := exec.Command(bin, "serve")
	serve.Dir, serve.Env = work, env
	var logs testenv.LogBuffer
	serve.Stdout, serve.Stderr = io.Discard, &logs
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		serve.Process.Signal(os.Interrupt)
		serve.Wait()
		if t.Failed() {
			t.Logf("serve's log:\n%s", logs.String())
		}
	}()
	base := "http://127.0.0.1:" + port
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	waitUntil := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); !ok(); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 30 s", what)
			}
		}
	}
	waitUntil("serve ready", func() bool {
		res, err := http.Get(base + "/ready")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 200
	})
	post := func(path, body string) map[string]any {
		t.Helper()
		res, err := client.Post(base+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != 200 {
			t.Fatalf("POST %s: %d, %v %v", path, res.StatusCode, err, out)
		}
		return out
	}
	if apps, _ := post("/chat", `{"message":"I want to practice public speaking"}`)["apps"].([]any); len(apps) == 0 {
		t.Error("the first question got no apps")
	}
	post("/api/auth/login", `{"email":"you@uni.example","password":"a long staff password"}`)
	served := func() string {
		res, err := client.Get(base + "/api/admin/health")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var h struct {
			Version string `json:"catalog_version"`
		}
		json.NewDecoder(res.Body).Decode(&h)
		return h.Version
	}
	before := served()
	if before == "" {
		t.Fatal("the signed-in staff member cannot read what is served")
	}

	dir, version := renamedCatalog(t, 0)
	if out := vrrecCmd("", "import", "--dir", dir); !strings.Contains(out, "Draft "+version) {
		t.Fatalf("import:\n%s", out)
	}
	if out := vrrecCmd("", "catalog", "list"); !regexp.MustCompile(`(?m)^` + version + `\s+draft`).MatchString(out) {
		t.Errorf("catalog list does not show the draft %s:\n%s", version, out)
	}
	if out := vrrecCmd("", "catalog", "diff", version); !strings.Contains(out, "Quality on the labeled queries") {
		t.Errorf("catalog diff:\n%s", out)
	}
	if served() != before {
		t.Error("a draft was served before it was published")
	}
	vrrecCmd("", "catalog", "publish", version)
	waitUntil("the running serve swaps the published catalog in", func() bool { return served() == version })
}
