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
