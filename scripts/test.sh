#!/usr/bin/env bash
# `npm test`: type-check, then every vitest suite: the float64 CPU reference, the WebGPU kernels
# and solver on dawn.node, data ingestion and the CLI.
#
# GPU suites run on the machine's WebGPU adapter. On a GPU-less Linux box that is SwiftShader
# (core WebGPU, what Chrome falls back to). The iteration-heavy optimality and Anderson suites, and a second
# pass of the kernel suites, run on Dawn's OpenGL ES backend over Mesa llvmpipe when it exists:
# it is 10-25x faster on a CPU and is compatibility-level with a 128 MiB binding cap, so the
# kernels are checked on both feature levels.
set -euo pipefail
cd "$(dirname "$0")/.."
# Chromium's SwiftShader driver, the Vulkan loader and Mesa EGL/GLES, when missing (scripts/provision.sh).
bash scripts/provision.sh
echo "== type-check"
npx tsc -p tsconfig.json --noEmit
if [ $# -gt 0 ]; then
  # Named files or filters: one vitest run over them, on the default adapter.
  bash scripts/gpu-env.sh npx vitest run "$@"
  exit
fi
echo "== vitest (default adapter)"
slow=(tests/solver/gpu/optimality.test.ts tests/solver/gpu/anderson.test.ts)
bash scripts/gpu-env.sh npx vitest run --exclude "${slow[0]}" --exclude "${slow[1]}" --exclude 'tests/e2e/**'
if EGL_PLATFORM=surfaceless CRONOS_DAWN_FLAGS=backend=opengles bash scripts/gpu-env.sh node scripts/has-adapter.mjs; then
  echo "== vitest (OpenGL ES adapter: optimality and every GPU suite again)"
  EGL_PLATFORM=surfaceless CRONOS_DAWN_FLAGS=backend=opengles bash scripts/gpu-env.sh npx vitest run tests/solver/gpu
else
  echo "== vitest (optimality, default adapter: no OpenGL ES adapter here)"
  bash scripts/gpu-env.sh npx vitest run "${slow[@]}"
fi
# The browser suites last and one at a time: they time what a person sees (iterations within
# seconds, main-thread long tasks), which the GPU suites running beside them would distort.
echo "== vitest (browser suites, one file at a time)"
bash scripts/gpu-env.sh npx vitest run --no-file-parallelism tests/e2e
