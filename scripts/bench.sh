#!/usr/bin/env bash
# Reruns every figure in docs/benchmarks.md: retrieval quality on both query
# sets, per-query latency and index build time on the upstream catalog, and
# cold start and peak memory of one `vrrec recommend` process.
# Needs ../shared/upstream-data (or UPSTREAM_DATA_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
upstream=${UPSTREAM_DATA_DIR:-../shared/upstream-data}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== machine"
echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB, $(go version)"

echo "== binary"
CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$work/vrrec" ./cmd/vrrec
ls -l "$work/vrrec" | awk '{printf "size %.1f MB\n", $5/1e6}'

echo "== quality: default catalog"
DATA_DIR="$work/empty" "$work/vrrec" eval --queries eval/default.json
echo "== quality: upstream catalog"
DATA_DIR="$work/empty" "$work/vrrec" eval --queries eval/upstream.json --catalog "$upstream"

echo "== latency: go test -bench (upstream catalog, 1,544 skills)"
go test -run '^$' -bench 'Recommend' -benchtime 5000x ./rag | grep -E '^Benchmark'
go test -run '^$' -bench 'BuildIndex' -benchtime 5x -benchmem ./rag | grep -E '^Benchmark'

echo "== cold start: one recommend process, median of 5"
timed() { # prints wall seconds and peak RSS of one run
  /usr/bin/time -f '%e %M' "$@" 2>&1 >/dev/null | tail -1
}
"$work/vrrec" help >/dev/null
for label in default upstream; do
  data="$work/empty"
  if [ "$label" = upstream ]; then
    data="$work/imported"
    DATA_DIR="$data" "$work/vrrec" import --dir "$upstream" >/dev/null
  fi
  for i in 1 2 3 4 5; do DATA_DIR="$data" timed "$work/vrrec" recommend "I want to learn cybersecurity"; done |
    sort -n | awk -v l="$label" 'NR==3{printf "%s catalog: wall %.2f s, peak RSS %.0f MB (median run)\n", l, $1, $2/1024}'
done

echo "== HTTP load: 256 clients for ${LOAD_SECONDS:-60} s against POST /chat, every question distinct,"
echo "   LLM replaced by a local fake answering after 1 s, limits raised"
go build -o "$work/fakellm" ./cmd/fakellm
go build -o "$work/loadtest" ./cmd/loadtest
"$work/fakellm" -addr 127.0.0.1:18080 -delay 1s 2>/dev/null &
fake=$!
trap 'kill $fake 2>/dev/null || true; rm -rf "$work"' EXIT
run_load() { # label, MAX_CONCURRENT_CHATS, CHAT_QUEUE_TIMEOUT
  DATA_DIR="$work/load-$1" PORT=18081 LLM_BASE_URL=http://127.0.0.1:18080/v1 \
    RATE_LIMIT_DEFAULT=1000000000/day RATE_LIMIT_CHAT=1000000000/minute \
    MAX_CONCURRENT_CHATS="$2" CHAT_QUEUE_TIMEOUT="$3" LOG_LEVEL=warn \
    "$work/vrrec" serve 2>"$work/serve-$1.log" &
  local pid=$!
  for _ in $(seq 1 100); do curl -fsS http://127.0.0.1:18081/ready >/dev/null 2>&1 && break; sleep 0.1; done
  "$work/loadtest" -url http://127.0.0.1:18081 -c 256 -d "${LOAD_SECONDS:-60}s" >"$work/load-$1.json"
  local rss
  rss=$(awk '/VmHWM/{print $2}' "/proc/$pid/status")
  kill -TERM "$pid"
  wait "$pid" || true
  python3 - "$1" "$work/load-$1.json" "$rss" <<'PY'
import json, sys
label, path, rss = sys.argv[1], sys.argv[2], int(sys.argv[3])
r = json.load(open(path))
print(f"{label}: {r['answers_per_second']:.1f} answers/s, p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, "
      f"{r['errors']} errors, {r['answers']} answers in {r['seconds']:.0f} s, peak RSS {rss/1024:.0f} MB")
PY
}
run_load vrrec 1024 5s
# The old system's serving model: Gunicorn 4 workers x 4 threads hold at most
# 16 requests; the rest wait in the listen queue.
run_load old-model-16 16 150s

echo "== cold start of vrrec serve to ready (embedded default, empty data directory), 5 runs"
for i in 1 2 3 4 5; do
  rm -rf "$work/cold"
  start=$(date +%s.%N)
  DATA_DIR="$work/cold" PORT=18082 LOG_LEVEL=warn "$work/vrrec" serve 2>/dev/null &
  pid=$!
  until curl -fsS http://127.0.0.1:18082/ready >/dev/null 2>&1; do sleep 0.005; done
  end=$(date +%s.%N)
  kill -TERM $pid; wait $pid || true
  awk -v s="$start" -v e="$end" 'BEGIN { print e - s }'
done | sort -n | awk 'NR==3{printf "serve to ready: %.3f s (median of 5)\n", $1}'
