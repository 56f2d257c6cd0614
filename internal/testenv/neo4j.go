package testenv

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Where the launcher lives, relative to the repository root, and what
// `mvn package` makes of it.
const (
	neo4jLauncherDir = "tools/neo4j-test-server"
	neo4jLauncherJar = "target/neo4j-test-server.jar"
)

// Neo4jStartTimeout bounds one start of the server. It normally takes a few
// seconds; a cold JVM on a busy 2-core machine can take far longer.
const Neo4jStartTimeout = 120 * time.Second

// neo4jJVMOptions keep the child JVM modest: a small heap, one GC thread,
// and the quick compiler only, which starts faster and is plenty for tests.
var neo4jJVMOptions = []string{"-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData"}

// Neo4j is a real Neo4j 5 Community server, embedded in a child JVM started
// from tools/neo4j-test-server: Bolt on 127.0.0.1, no authentication, an
// empty database. The child stops when the test process exits, however it
// exits: its standard input closes, and on Linux it also gets SIGTERM.
type Neo4j struct {
	URI string // bolt://127.0.0.1:PORT

	t       testing.TB // nil for the shared server, which tests may not stop
	java    string
	jar     string
	port    int
	dataDir string // kept across Restart; empty: the launcher's own temporary directory

	mu   sync.Mutex
	proc *neo4jProcess
}

type neo4jProcess struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	exited chan struct{} // closed once the JVM has exited
	stderr *tailWriter
}

var sharedNeo4j struct {
	sync.Mutex
	server *Neo4j
	err    error
}

// SharedNeo4j returns the test binary's one Neo4j server, starting it on
// first use. Starting takes seconds, so tests share it; each test must put
// the database in the state it needs (a build with Clear), and tests using it
// must not run in parallel, since Community edition has a single database.
// It cannot be stopped: a test that stops Neo4j uses StartNeo4j.
func SharedNeo4j(t testing.TB) *Neo4j {
	t.Helper()
	java, jar := neo4jLauncher(t)
	sharedNeo4j.Lock()
	defer sharedNeo4j.Unlock()
	if sharedNeo4j.server == nil && sharedNeo4j.err == nil {
		n := &Neo4j{java: java, jar: jar}
		if err := n.start(); err != nil {
			sharedNeo4j.err = err
		} else {
			sharedNeo4j.server = n
		}
	}
	if sharedNeo4j.err != nil {
		t.Fatalf("shared Neo4j: %v", sharedNeo4j.err)
	}
	return sharedNeo4j.server
}

// StartNeo4j starts a Neo4j server of the test's own, which the test may
// stop and restart (on the same port, with its data kept) to simulate an
// outage. It is stopped when the test ends.
func StartNeo4j(t testing.TB) *Neo4j {
	t.Helper()
	java, jar := neo4jLauncher(t)
	n := &Neo4j{t: t, java: java, jar: jar, dataDir: t.TempDir()}
	if err := n.start(); err != nil {
		t.Fatalf("start Neo4j: %v", err)
	}
	t.Cleanup(func() {
		if err := n.stop(); err != nil {
			t.Errorf("stop Neo4j: %v", err)
		}
	})
	return n
}

// Stop shuts the server down, as an outage would; its port stays reserved
// for Restart.
func (n *Neo4j) Stop() {
	n.mustOwn("Stop")
	n.t.Helper()
	if err := n.stop(); err != nil {
		n.t.Fatalf("stop Neo4j: %v", err)
	}
}

// Restart starts a stopped server again on the same port and data, and
// returns once Bolt accepts connections.
func (n *Neo4j) Restart() {
	n.mustOwn("Restart")
	n.t.Helper()
	if err := n.stop(); err != nil {
		n.t.Fatalf("stop Neo4j: %v", err)
	}
	if err := n.start(); err != nil {
		n.t.Fatalf("restart Neo4j: %v", err)
	}
}

func (n *Neo4j) mustOwn(what string) {
	if n.t == nil {
		panic("testenv: " + what + " on the shared Neo4j; use StartNeo4j for a server a test may stop")
	}
}

// start launches the JVM and waits for its READY line. The first start
// picks a free port; later ones reuse it.
func (n *Neo4j) start() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.proc != nil {
		return nil
	}
	args := append(append([]string(nil), neo4jJVMOptions...), "-jar", n.jar, strconv.Itoa(n.port))
	if n.dataDir != "" {
		args = append(args, "--data-dir", n.dataDir)
	}
	cmd := exec.Command(n.java, args...)
	cmd.SysProcAttr = childProcAttr()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	// An os.Pipe rather than StdoutPipe: the reader below outlives the READY
	// line, and StdoutPipe must not be read once Wait has been called.
	stdout, stdoutW, err := os.Pipe()
	if err != nil {
		return err
	}
	cmd.Stdout = stdoutW
	p := &neo4jProcess{cmd: cmd, stdin: stdin, exited: make(chan struct{}), stderr: &tailWriter{max: 16 << 10}}
	cmd.Stderr = p.stderr
	err = cmd.Start()
	stdoutW.Close()
	if err != nil {
		stdout.Close()
		return fmt.Errorf("start %s: %w", n.java, err)
	}
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()
	ready := make(chan string, 1)
	go func() {
		defer stdout.Close()
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if uri, ok := strings.CutPrefix(sc.Text(), "READY "); ok {
				ready <- uri
			}
		}
	}()
	select {
	case uri := <-ready:
		port, err := boltPort(uri)
		if err != nil {
			p.kill()
			return err
		}
		n.URI, n.port, n.proc = uri, port, p
		return nil
	case <-p.exited:
		return fmt.Errorf("neo4j-test-server exited before it was ready (%s); its output:\n%s", cmd.ProcessState, p.stderr)
	case <-time.After(Neo4jStartTimeout):
		p.kill()
		return fmt.Errorf("neo4j-test-server not ready after %s; its output:\n%s", Neo4jStartTimeout, p.stderr)
	}
}

// stop closes the JVM's standard input, which makes the launcher shut Neo4j
// down cleanly, and kills it if that takes too long.
func (n *Neo4j) stop() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	p := n.proc
	if p == nil {
		return nil
	}
	n.proc = nil
	_ = p.stdin.Close()
	select {
	case <-p.exited:
		return nil
	case <-time.After(45 * time.Second):
		p.kill()
		return fmt.Errorf("neo4j-test-server did not shut down within 45s; killed it; its output:\n%s", p.stderr)
	}
}

func (p *neo4jProcess) kill() {
	_ = p.cmd.Process.Kill()
	<-p.exited
}

func boltPort(uri string) (int, error) {
	i := strings.LastIndexByte(uri, ':')
	port, err := strconv.Atoi(uri[i+1:])
	if i < 0 || err != nil || port <= 0 {
		return 0, fmt.Errorf("neo4j-test-server announced %q, not bolt://HOST:PORT", uri)
	}
	return port, nil
}

// neo4jLauncher returns the java binary and the launcher jar, building the
// jar when it is missing or older than its sources. Without Java (or without
// Maven and a JDK, and no jar yet) the test is skipped, or fails under
// REQUIRE_INTEGRATION=1.
func neo4jLauncher(t testing.TB) (java, jar string) {
	t.Helper()
	java, err := exec.LookPath("java")
	if err != nil {
		Missing(t, "java not installed (apt-get install openjdk-17-jdk-headless maven): the Neo4j tests need it")
	}
	jar, err = launcherJar()
	var noMaven *mavenMissingError
	switch {
	case errors.As(err, &noMaven):
		Missing(t, "%v", err)
	case err != nil:
		t.Fatal(err)
	}
	return java, jar
}

type mavenMissingError struct{ jar string }

func (e *mavenMissingError) Error() string {
	return fmt.Sprintf("%s is not built, and building it needs mvn and javac (apt-get install openjdk-17-jdk-headless maven)", e.jar)
}

// launcherJar builds the jar at most once per test binary. Test binaries of
// several packages may run at once, so the build holds a file lock and
// checks again whether another process built it meanwhile.
var launcherJar = sync.OnceValues(func() (string, error) {
	dir := filepath.Join(RepoRoot(), neo4jLauncherDir)
	jar := filepath.Join(dir, neo4jLauncherJar)
	if fresh, err := launcherFresh(dir, jar); err != nil || fresh {
		return jar, err
	}
	mvn, err := exec.LookPath("mvn")
	if err == nil {
		_, err = exec.LookPath("javac") // a JRE alone cannot compile the launcher
	}
	if err != nil {
		if _, statErr := os.Stat(jar); statErr == nil {
			return jar, nil // stale but usable; nothing here can rebuild it
		}
		return "", &mavenMissingError{jar: jar}
	}
	if err := os.MkdirAll(filepath.Dir(jar), 0o755); err != nil {
		return "", err
	}
	unlock, err := lockFile(filepath.Join(filepath.Dir(jar), ".build.lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	if fresh, err := launcherFresh(dir, jar); err != nil || fresh {
		return jar, err
	}
	cmd := exec.Command(mvn, "-q", "-B", "-f", filepath.Join(dir, "pom.xml"), "package", "-DskipTests")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("build the Neo4j test server (%s): %w\n%s", strings.Join(cmd.Args, " "), err, out)
	}
	return jar, nil
})

// launcherFresh reports whether jar exists and is newer than the pom and
// every file under src/ (what `mvn package` reads; the README is not).
func launcherFresh(dir, jar string) (bool, error) {
	st, err := os.Stat(jar)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	built := st.ModTime()
	fresh := true
	check := func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if info, err := d.Info(); err != nil {
			return err
		} else if !d.IsDir() && info.ModTime().After(built) {
			fresh = false
			return filepath.SkipAll
		}
		return nil
	}
	for _, source := range []string{"pom.xml", "src"} {
		if err := filepath.WalkDir(filepath.Join(dir, source), check); err != nil {
			return false, err
		}
	}
	return fresh, nil
}

// tailWriter keeps the last max bytes written to it: enough of a child's
// output to explain a failure.
type tailWriter struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (w *tailWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	if over := len(w.buf) - w.max; over > 0 {
		w.buf = append(w.buf[:0], w.buf[over:]...)
	}
	return len(p), nil
}

func (w *tailWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.buf)
}
