package main

import (
	"context"
	"debug/elf"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"

	"github.com/vrrec/vrrec/internal/testenv"
)

func loadCompose(t *testing.T) *types.Project {
	t.Helper()
	root := testenv.RepoRoot()
	p, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  root,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(root, "docker-compose.prod.yml")}},
		Environment: types.Mapping{"NEO4J_PASSWORD": "test-password", "SECRET_KEY": "test-secret-key-0123456789abcdef"},
	}, func(o *loader.Options) { o.SetProjectName("vrrec", true) })
	if err != nil {
		t.Fatalf("docker-compose.prod.yml does not load: %v", err)
	}
	return p
}

func TestComposeWiring(t *testing.T) {
	p := loadCompose(t)
	for _, name := range []string{"vrrec", "redis", "mongodb", "neo4j"} {
		s, ok := p.Services[name]
		if !ok {
			t.Fatalf("service %s missing", name)
		}
		if s.HealthCheck == nil || len(s.HealthCheck.Test) == 0 {
			t.Errorf("service %s has no health check", name)
		}
		if len(s.Volumes) == 0 || s.Volumes[0].Type != "volume" {
			t.Errorf("service %s keeps no named volume: %+v", name, s.Volumes)
		}
	}
	app := p.Services["vrrec"]
	env := func(k string) string {
		if v := app.Environment[k]; v != nil {
			return *v
		}
		return ""
	}
	for k, want := range map[string]string{
		"REDIS_URL": "redis://redis:6379/0", "MONGODB_URI": "mongodb://mongodb:27017", "GRAPH_BACKEND": "neo4j",
		"NEO4J_URI": "bolt://neo4j:7687", "NEO4J_PASSWORD": "test-password", "PORT": "5000", "DATA_DIR": "/data", "METRICS_ADDR": ":9090",
		"VRREC_ENV": "production", "SECRET_KEY": "test-secret-key-0123456789abcdef",
	} {
		if got := env(k); got != want {
			t.Errorf("vrrec %s = %q, want %q", k, got, want)
		}
	}
	if len(app.Ports) != 1 || app.Ports[0].Target != 5000 || app.Ports[0].Published != "5000" {
		t.Errorf("ports: %+v", app.Ports)
	}
	for _, dep := range []string{"redis", "mongodb", "neo4j"} {
		if app.DependsOn[dep].Condition != "service_healthy" {
			t.Errorf("vrrec does not wait for %s to be healthy", dep)
		}
	}
	if app.StopGracePeriod == nil || *app.StopGracePeriod < types.Duration(50*time.Second) {
		t.Errorf("stop_grace_period %v: Docker must let the 30 s drain and the journal finish", app.StopGracePeriod)
	}
	if !strings.Contains(strings.Join(app.HealthCheck.Test, " "), "vrrec healthcheck") {
		t.Errorf("the health check must use the binary itself: %v", app.HealthCheck.Test)
	}
	if p.Services["neo4j"].Environment["NEO4J_AUTH"] == nil || *p.Services["neo4j"].Environment["NEO4J_AUTH"] != "neo4j/test-password" {
		t.Error("neo4j and vrrec must share NEO4J_PASSWORD")
	}
}

// The compose file and .env.example must only name settings vrrec reads
// (or the graph backend's, which lands later), and .env.example must list
// every setting config reads.
func TestSettingsAreDocumented(t *testing.T) {
	root := testenv.RepoRoot()
	src, _ := os.ReadFile(filepath.Join(root, "config", "config.go"))
	read := map[string]bool{}
	for _, m := range regexp.MustCompile(`get(?:env)?\("([A-Z_]+)"`).FindAllStringSubmatch(string(src), -1) {
		read[m[1]] = true
	}
	example, _ := os.ReadFile(filepath.Join(root, ".env.example"))
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^#? ?([A-Z_]+)=`).FindAllStringSubmatch(string(example), -1) {
		documented[m[1]] = true
	}
	for name := range read {
		if !documented[name] {
			t.Errorf(".env.example does not document %s", name)
		}
	}
	later := map[string]bool{"GRAPH_BACKEND": true, "NEO4J_URI": true, "NEO4J_USER": true, "NEO4J_PASSWORD": true}
	for name := range loadCompose(t).Services["vrrec"].Environment {
		if !read[name] && !later[name] {
			t.Errorf("compose sets %s, which vrrec does not read", name)
		}
	}
}

// Compose refuses to start without SECRET_KEY (and NEO4J_PASSWORD), naming
// the setting; the Neo4j Browser is published on loopback only.
func TestComposeIsSafeByDefault(t *testing.T) {
	root := testenv.RepoRoot()
	for _, missing := range []string{"SECRET_KEY", "NEO4J_PASSWORD"} {
		env := types.Mapping{"NEO4J_PASSWORD": "test-password", "SECRET_KEY": "test-secret-key-0123456789abcdef"}
		delete(env, missing)
		_, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
			WorkingDir:  t.TempDir(), // no .env here
			ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(root, "docker-compose.prod.yml")}},
			Environment: env,
		}, func(o *loader.Options) { o.SetProjectName("vrrec", true) })
		if err == nil || !strings.Contains(err.Error(), "set "+missing+" in .env") {
			t.Errorf("without %s: %v, want a refusal naming it", missing, err)
		}
	}
	neo := loadCompose(t).Services["neo4j"]
	published := map[uint32]bool{}
	for _, p := range neo.Ports {
		if p.HostIP != "127.0.0.1" {
			t.Errorf("neo4j port %d published on %q, want 127.0.0.1 only", p.Target, p.HostIP)
		}
		published[p.Target] = true
	}
	if !published[7474] || !published[7687] {
		t.Errorf("the Neo4j Browser (7474) and Bolt (7687) are not published on loopback: %+v", neo.Ports)
	}
}

// The build context leaves out .env (secrets) and data directories, by
// the rules Docker reads .dockerignore with.
func TestDockerignoreKeepsSecretsAndDataOut(t *testing.T) {
	f, err := os.Open(filepath.Join(testenv.RepoRoot(), ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		t.Fatal(err)
	}
	for path, excluded := range map[string]bool{
		".env": true, ".env.local": true, "prod.env": true, "data/vrrec.db": true, "data/secret_key": true,
		"cmd/vrrec/data/x.db": true, "secret_key": true, ".git/config": true,
		"go.mod": false, "cmd/vrrec/main.go": false, "catalog/catalog.go": false, "eval/default.json": false,
	} {
		got, err := pm.MatchesOrParentMatches(path)
		if err != nil {
			t.Fatal(err)
		}
		if got != excluded {
			t.Errorf("%s excluded from the build context: %v, want %v", path, got, excluded)
		}
	}
}

func TestComposeConfigWithDockerClient(t *testing.T) {
	if exec.Command("docker", "compose", "version").Run() != nil {
		t.Skip("no docker compose client here; TestComposeWiring checks the file with compose-go")
	}
	cmd := exec.Command("docker", "compose", "-f", "docker-compose.prod.yml", "config", "--quiet")
	cmd.Dir = testenv.RepoRoot()
	cmd.Env = append(os.Environ(), "NEO4J_PASSWORD=test-password")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("docker compose config: %v\n%s", err, out)
	}
}

// TestDockerfileBuildsTheReadmeBinary builds with the Dockerfile's own
// command and checks the result is static and runs.
func TestDockerfileBuildsTheReadmeBinary(t *testing.T) {
	root := testenv.RepoRoot()
	dockerfile, _ := os.ReadFile(filepath.Join(root, "Dockerfile"))
	m := regexp.MustCompile(`(?m)^RUN (CGO_ENABLED=0 go build -trimpath -ldflags="-s -w") -o \S+ (\./cmd/vrrec)$`).FindSubmatch(dockerfile)
	if m == nil {
		t.Fatal("the Dockerfile does not build ./cmd/vrrec with CGO_ENABLED=0 -trimpath -ldflags=\"-s -w\"")
	}
	for _, f := range []string{"scripts/bench.sh", "docs/benchmarks.md"} {
		b, _ := os.ReadFile(filepath.Join(root, f))
		if !strings.Contains(string(b), string(m[1])) {
			t.Errorf("%s does not build with the Dockerfile's flags %s", f, m[1])
		}
	}
	out := filepath.Join(t.TempDir(), "vrrec")
	cmd := exec.Command("go", "build", "-trimpath", `-ldflags=-s -w`, "-o", out, string(m[2]))
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, b)
	}
	f, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			t.Error("the binary is dynamically linked; distroless/static needs a static one")
		}
	}
	if b, err := exec.Command(out, "help").CombinedOutput(); err != nil || !strings.Contains(string(b), "vrrec serve") {
		t.Errorf("the built binary does not run: %v\n%s", err, b)
	}
	// docs/benchmarks.md quotes the size of this very build.
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	bench, _ := os.ReadFile(filepath.Join(root, "docs", "benchmarks.md"))
	q := regexp.MustCompile(`\| binary \(static, stripped\) \| ([0-9.]+) MB`).FindSubmatch(bench)
	if q == nil {
		t.Fatal("docs/benchmarks.md no longer quotes the binary's size as | binary (static, stripped) | N MB")
	}
	quoted, _ := strconv.ParseFloat(string(q[1]), 64)
	if built := float64(st.Size()) / 1e6; math.Abs(built-quoted) > 0.03*built {
		t.Errorf("docs/benchmarks.md quotes the binary as %.1f MB; built with the Dockerfile's flags it is %.1f MB", quoted, built)
	}
}
