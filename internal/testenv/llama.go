package testenv

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// LlamaContext is the context, in tokens, the local server is started with.
const LlamaContext = 2048

// LlamaServer starts a real OpenAI-compatible server on a free loopback
// port: llama-cpp-python's, serving the Gemma 3 270M GGUF, both installed
// by tools/llama/fetch.sh (its python in VRREC_LLAMA_PYTHON, the model in
// VRREC_LLAMA_MODEL, as scripts/test.sh exports them). It runs with a
// context of LlamaContext tokens on 2 threads until the test ends, and
// returns its base URL, ending in /v1. Without those variables the test is
// skipped, or fails under REQUIRE_INTEGRATION=1.
func LlamaServer(t testing.TB) string {
	t.Helper()
	python, model := os.Getenv("VRREC_LLAMA_PYTHON"), os.Getenv("VRREC_LLAMA_MODEL")
	if python == "" || model == "" {
		Missing(t, "VRREC_LLAMA_PYTHON and VRREC_LLAMA_MODEL not set: run eval \"$(tools/llama/fetch.sh)\" and export them")
	}
	for _, f := range []string{python, model} {
		if _, err := os.Stat(f); err != nil {
			Missing(t, "local LLM server: %v (run tools/llama/fetch.sh)", err)
		}
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	var out LogBuffer
	cmd := exec.Command(python, "-m", "llama_cpp.server", "--model", model, "--model_alias", "gemma-3-270m",
		"--host", "127.0.0.1", "--port", strconv.Itoa(port),
		"--n_ctx", strconv.Itoa(LlamaContext), "--n_threads", "2", "--n_threads_batch", "2", "--verbose", "false")
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the local LLM server: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	})
	base := fmt.Sprintf("http://127.0.0.1:%d/v1", port)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/models", nil)
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return base
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("the local LLM server exited (%v):\n%s", err, out.String())
		case <-ctx.Done():
			t.Fatalf("the local LLM server was not ready in 2 minutes:\n%s", out.String())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
