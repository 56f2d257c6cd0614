#!/usr/bin/env bash
# The whole test suite, from a clean clone: formatting, vet, every test with
# the race detector, a one-iteration run of every benchmark, and the README's
# first command as a smoke test.
#
# Tests that need something from outside the repository skip when it is
# missing, unless REQUIRE_INTEGRATION=1 (as .ci/run sets), which turns each
# such skip into a failure. Today that is only ../shared/upstream-data.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v go >/dev/null 2>&1; then
  echo "go is not installed; install Go $(sed -n 's/^go //p' go.mod) or newer" >&2
  exit 1
fi

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== go test -race"
go test -race -count=1 ./...

echo "== benchmarks (one iteration each, to prove they run)"
go test -run '^$' -bench . -benchtime 1x ./... >/dev/null

echo "== smoke: the README's first command on an empty data directory"
smoke_dir=$(mktemp -d)
trap 'rm -rf "$smoke_dir"' EXIT
DATA_DIR="$smoke_dir" go run ./cmd/vrrec recommend "I want to learn cybersecurity" --top 3 | tee "$smoke_dir/out"
grep -q '%' "$smoke_dir/out"
echo "all checks passed"
