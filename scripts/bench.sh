#!/usr/bin/env bash
# Reruns every figure in docs/benchmarks.md: retrieval quality on both query
# sets beside the old system's retrieval, query embedding and retrieval
# latency, catalog embedding time, cold start and memory, and HTTP load
# (offline, and against a slow fake LLM), and the LLM: time to the final answer and the share of
# valid structured answers against the 1 s fake and a real local model (tools/llama/fetch.sh;
# LLAMA_SECONDS, default 120, per prompt). Needs ../shared/upstream-data (or
# UPSTREAM_DATA_DIR). OLD_REV=<commit> also builds that revision and runs the
# offline load against it, for a before/after figure.
set -euo pipefail
cd "$(dirname "$0")/.."
upstream=${UPSTREAM_DATA_DIR:-../shared/upstream-data}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# fig prints a line and keeps it for the generated section of docs/benchmarks.md (the end of this script).
fig() { tee -a "$work/figures.txt"; }

echo "== machine"
echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB, $(go version)" | fig

echo "== binary"
CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$work/vrrec" ./cmd/vrrec
ls -l "$work/vrrec" | awk '{printf "binary: %.1f MB (static, stripped)\n", $5/1e6}' | fig

echo "== quality: both labeled sets, with the old system's retrieval on the same model"
DATA_DIR="$work/eval" "$work/vrrec" eval --baseline old --upstream "$upstream"

echo "== query embedding, one core (bert, built-in all-MiniLM-L6-v2), with each kernel the CPU has"
GOMAXPROCS=1 go test -run '^$' -bench 'EmbedQueryLatency' -benchtime 2000x ./bert/ | grep -E '^Benchmark'
GOMAXPROCS=1 go test -run '^$' -bench 'EmbedCourse' -benchtime 100x ./bert/ | grep -E '^Benchmark'

echo "== concurrent questions through the encoder, micro-batched and one at a time (CPU per query)"
go test -run '^$' -bench 'EmbedQueriesConcurrent' -benchtime 600x ./bert/ | grep -E '^Benchmark'

echo "== the cached answer path in-process: one repeated question, 64 clients (CPU per answer, clients included)"
go test -run '^$' -bench 'ChatRepeated' -benchtime 3000x ./cmd/vrrec | grep -E '^Benchmark'

echo "== retrieval on the old system's catalog (query embedding included; repeated queries cached)"
go test -run '^$' -bench 'Recommend' -benchtime 2000x ./rag | grep -E '^Benchmark'
go test -run '^$' -bench 'BuildIndex' -benchtime 5x -benchmem ./rag | grep -E '^Benchmark'

echo "== embedding the old system's catalog, once, on all cores"
go test -run '^$' -bench 'EmbedCatalog' -benchtime 1x ./rag | grep -E '^Benchmark'
/usr/bin/time -f 'vrrec import of the old catalog (validation, save, embedding): %e s wall, %M KB peak RSS' \
  env DATA_DIR="$work/imported" "$work/vrrec" import --dir "$upstream" >/dev/null 2>"$work/import.err" || { cat "$work/import.err"; exit 1; }
tail -1 "$work/import.err"

echo "== cold start: one recommend process, median of 5"
timed() { # prints wall seconds and peak RSS of one run
  /usr/bin/time -f '%e %M' "$@" 2>&1 >/dev/null | tail -1
}
for label in default upstream; do
  data="$work/empty"
  [ "$label" = upstream ] && data="$work/imported"
  for i in 1 2 3 4 5; do DATA_DIR="$data" timed "$work/vrrec" recommend "I want to learn cybersecurity"; done |
    sort -n | awk -v l="$label" 'NR==3{printf "%s catalog: wall %.2f s, peak RSS %.0f MB (median run)\n", l, $1, $2/1024}'
done

echo "== cold start of vrrec serve to ready (embedded default, empty data directory), 5 runs"
# Wall time, and the CPU time the process used until ready (user + system,
# from /proc), which a busy shared machine changes far less.
tck=$(getconf CLK_TCK)
for i in 1 2 3 4 5; do
  rm -rf "$work/cold"
  start=$(date +%s.%N)
  DATA_DIR="$work/cold" PORT=18082 LOG_LEVEL=warn "$work/vrrec" serve 2>/dev/null &
  pid=$!
  until curl -fsS http://127.0.0.1:18082/ready >/dev/null 2>&1; do sleep 0.005; done
  end=$(date +%s.%N)
  cpu=$(awk -v t="$tck" '{print ($14 + $15) / t}' "/proc/$pid/stat")
  kill -TERM $pid; wait $pid || true
  awk -v s="$start" -v e="$end" -v c="$cpu" 'BEGIN { print e - s, c }'
done | sort -n | awk 'NR==3{printf "serve to ready: %.2f s wall, %.2f s CPU (median of 5 by wall)\n", $1, $2}' | fig
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)" | fig

go build -o "$work/fakellm" ./cmd/fakellm
go build -o "$work/loadtest" ./cmd/loadtest
# run_load label binary clients MAX_CONCURRENT_CHATS CHAT_QUEUE_TIMEOUT [LLM_BASE_URL [loadtest flags...]]
run_load() {
  DATA_DIR="$work/load-$1" PORT=18081 LLM_BASE_URL="${6:-}" \
    RATE_LIMIT_DEFAULT=1000000000/day RATE_LIMIT_CHAT=1000000000/minute \
    RATE_LIMIT_IP_DEFAULT=1000000000/day RATE_LIMIT_IP_CHAT=1000000000/minute \
    MAX_CONCURRENT_CHATS="$4" CHAT_QUEUE_TIMEOUT="$5" LOG_LEVEL=warn METRICS_ADDR=127.0.0.1:18084 \
    "$2" serve 2>"$work/serve-$1.log" &
  local pid=$!
  for _ in $(seq 1 100); do curl -fsS http://127.0.0.1:18081/ready >/dev/null 2>&1 && break; sleep 0.1; done
  "$work/loadtest" -url http://127.0.0.1:18081 -c "$3" -d "${LOAD_SECONDS:-60}s" "${@:7}" >"$work/load-$1.json"
  local rss
  rss=$(awk '/VmHWM/{print $2}' "/proc/$pid/status")
  # Tokens per model call as the server counted them (usage), from vrrec's histogram.
  curl -fsS http://127.0.0.1:18084/metrics 2>/dev/null | awk '
    /^vrrec_llm_call_tokens_sum\{kind="prompt"\}/ {ps=$2} /^vrrec_llm_call_tokens_count\{kind="prompt"\}/ {pc=$2}
    /^vrrec_llm_call_tokens_sum\{kind="completion"\}/ {cs=$2}
    /^vrrec_llm_calls_total / {calls=$2} /^vrrec_llm_errors_total / {errs=$2} /^vrrec_llm_invalid_total / {inv=$2}
    END { if (calls > 0) printf "  model calls %d: %d failed, %d of them answers that were not usable JSON\n", calls, errs, inv
          if (pc > 0) printf "  per call (usage): %.0f prompt and %.0f completion tokens on average\n", ps/pc, cs/pc }' >"$work/tokens-$1.txt" || true
  kill -TERM "$pid"
  wait "$pid" || true
  python3 - "$1" "$work/load-$1.json" "$rss" <<'PY'
import json, sys
label, path, rss = sys.argv[1], sys.argv[2], int(sys.argv[3])
r = json.load(open(path))
first = f"first answer p50 {r['first_answer_p50_ms']} ms, p99 {r['first_answer_p99_ms']} ms; final " if 'first_answer_p99_ms' in r else ""
llm = ""
if r.get("llm_explained") or r.get("llm_fallbacks"):
    share = r["llm_explained"] / r["answers"] if r["answers"] else 0
    llm = f", {r['llm_explained']} of {r['answers']} explained by the model ({share:.0%}), {r['llm_fallbacks']} fell back"
print(f"{label}: {r['answers_per_second']:.1f} answers/s, {first}p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, "
      f"{r['errors']} errors, {r['answers']} answers in {r['seconds']:.0f} s, peak RSS {rss/1024:.0f} MB{llm}")
PY
  cat "$work/tokens-$1.txt"
}

echo "== HTTP load, offline: 64 clients for ${LOAD_SECONDS:-60} s against POST /chat, every question distinct, no LLM"
run_load offline-64 "$work/vrrec" 64 64 5s | fig
echo "== HTTP load, offline: 64 clients for ${LOAD_SECONDS:-60} s against POST /chat, one repeated question (the cached path)"
run_load offline-64-repeated "$work/vrrec" 64 64 5s "" -repeat | fig
if [ -n "${OLD_REV:-}" ]; then
  git worktree add --detach "$work/old-tree" "$OLD_REV" >/dev/null 2>&1
  (cd "$work/old-tree" && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$work/vrrec-old" ./cmd/vrrec)
  git worktree remove --force "$work/old-tree"
  run_load "offline-64-$OLD_REV" "$work/vrrec-old" 64 64 5s
fi

echo "== HTTP load: 256 clients for ${LOAD_SECONDS:-60} s against POST /chat, every question distinct,"
echo "   LLM replaced by a local fake answering after 1 s, limits raised"
"$work/fakellm" -addr 127.0.0.1:18080 -delay 1s 2>/dev/null &
fake=$!
trap 'kill $fake 2>/dev/null || true; rm -rf "$work"' EXIT
run_load vrrec "$work/vrrec" 256 1024 5s http://127.0.0.1:18080/v1 | fig
echo "== time to first card: 64 clients for ${LOAD_SECONDS:-60} s against POST /chat/stream, every question"
echo "   distinct, the same 1 s fake LLM: the provisional result (retrieval's cards), then the model's update"
run_load stream-64 "$work/vrrec" 64 64 5s http://127.0.0.1:18080/v1 -stream | fig
# The old system's serving model: Gunicorn 4 workers x 4 threads hold at most
# 16 requests; the rest wait in the listen queue.
run_load old-model-16 "$work/vrrec" 256 16 150s http://127.0.0.1:18080/v1

# Time to the final answer (POST /chat, which waits for the model) and the share of answers the
# model explained with a valid structured answer in time (the time to the first card against the
# 1 s fake is the /chat/stream section above).
echo "== the LLM: 64 clients for ${LOAD_SECONDS:-60} s against POST /chat, the fake answering after 1 s"
run_load fake-llm-64 "$work/vrrec" 64 64 5s http://127.0.0.1:18080/v1 | fig

echo "== the LLM: a real local model (tools/llama/fetch.sh: llama-cpp-python 0.3.36, Gemma 3 270M Q4_K_M,"
echo "   n_ctx 2048, 2 threads), one client for ${LLAMA_SECONDS:-120} s against POST /chat, each prompt, the model"
echo "   given 60 s (LLM_TIMEOUT, and POST /chat waits as long: LLM_WAIT) of a 90 s chat"
if llama=$(tools/llama/fetch.sh); then
  eval "$llama"
  "$VRREC_LLAMA_PYTHON" -m llama_cpp.server --model "$VRREC_LLAMA_MODEL" --model_alias gemma-3-270m \
    --host 127.0.0.1 --port 18083 --n_ctx 2048 --n_threads 2 --n_threads_batch 2 --verbose false >"$work/llama.log" 2>&1 &
  llama_pid=$!
  trap 'kill $fake $llama_pid 2>/dev/null || true; rm -rf "$work"' EXIT
  for _ in $(seq 1 600); do curl -fsS http://127.0.0.1:18083/v1/models >/dev/null 2>&1 && break; sleep 0.2; done
  for prompt in compact full; do
    LOAD_SECONDS=${LLAMA_SECONDS:-120} LLM_MODEL=gemma-3-270m LLM_PROMPT=$prompt LLM_TIMEOUT=60s LLM_WAIT=60s CHAT_TIMEOUT=90s \
      run_load "llama-$prompt" "$work/vrrec" 1 1 150s http://127.0.0.1:18083/v1 | fig
  done
  kill "$llama_pid"
else
  echo "local LLM server not installed (tools/llama/fetch.sh failed): skipped"
fi

# The figures above, kept where docs/benchmarks.md quotes them: its section between the two markers
# is this run's (README's quoted figures are checked against it by TestREADMEFiguresComeFromBench).
python3 - "$work/figures.txt" "$(git rev-parse --short HEAD)" "LOAD_SECONDS=${LOAD_SECONDS:-60} LLAMA_SECONDS=${LLAMA_SECONDS:-120} ./scripts/bench.sh" <<'PY'
import datetime, re, sys
lines = open(sys.argv[1]).read().strip()
begin, end = "<!-- scripts/bench.sh writes this section: begin -->", "<!-- scripts/bench.sh writes this section: end -->"
section = (f"{begin}\n## The latest run of scripts/bench.sh\n\n"
           f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, commit {sys.argv[2]}, `{sys.argv[3]}`; "
           f"written by the script, not by hand.\n\n```\n{lines}\n```\n{end}")
doc = open("docs/benchmarks.md").read()
if begin in doc:
    doc = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda m: section, doc, flags=re.S)
else:
    doc = doc.rstrip("\n") + "\n\n" + section + "\n"
open("docs/benchmarks.md", "w").write(doc)
print("docs/benchmarks.md: the generated section rewritten")
PY
