#!/usr/bin/env bash
# Downloads axe-core (the accessibility engine the browser tests inject into
# the pages: a WCAG 2.1 AA scan) from the npm registry with npm, pinned by
# the sha256 of its package, and prints the path of its axe.min.js on
# stdout; everything else goes to stderr.
#
#   tools/axe/fetch.sh [CACHE_DIR]
#   export VRREC_AXE_JS="$(tools/axe/fetch.sh)"
#
# CACHE_DIR defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/vrrec/axe. Running it
# again does nothing once the verified file is there. axe-core is MPL-2.0;
# it is not committed (about 560 KB minified) and not served by vrrec: only
# the tests load it.
set -euo pipefail

version=4.14.1
tarball=axe-core-$version.tgz
sha256=e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745

cache=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/vrrec/axe}
dest="$cache/axe-core-$version"

if [ -f "$dest/.verified" ] && [ -f "$dest/axe.min.js" ]; then
  echo "$dest/axe.min.js"
  exit 0
fi

mkdir -p "$cache"
verify() { echo "$sha256  $1" | sha256sum --check --status; }

if ! { [ -f "$cache/$tarball" ] && verify "$cache/$tarball"; }; then
  rm -f "$cache/$tarball"
  command -v npm >/dev/null || { echo "npm is not installed (apt-get install npm)" >&2; exit 1; }
  echo "downloading axe-core@$version with npm" >&2
  (cd "$cache" && npm pack --silent "axe-core@$version" >/dev/null)
  if ! verify "$cache/$tarball"; then
    echo "$cache/$tarball: sha256 is $(sha256sum "$cache/$tarball" | cut -d' ' -f1), want $sha256" >&2
    rm -f "$cache/$tarball"
    exit 1
  fi
fi

# Unpack into a temporary directory first so that an interrupted run never
# leaves a half-written file behind the .verified marker.
tmp=$(mktemp -d "$cache/unpack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$cache/$tarball" -C "$tmp" package/axe.min.js package/LICENSE
rm -rf "$dest"
mv "$tmp/package" "$dest"
touch "$dest/.verified"
echo "$dest/axe.min.js"
