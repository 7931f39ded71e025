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
echo "== vitest (default adapter)"
bash scripts/gpu-env.sh npx vitest run --exclude tests/solver/gpu/optimality.test.ts --exclude tests/solver/gpu/anderson.test.ts "$@"
slow=(tests/solver/gpu/optimality.test.ts tests/solver/gpu/anderson.test.ts)
if [ $# -eq 0 ] && EGL_PLATFORM=surfaceless CRONOS_DAWN_FLAGS=backend=opengles bash scripts/gpu-env.sh node scripts/has-adapter.mjs; then
  echo "== vitest (OpenGL ES adapter: optimality and every GPU suite again)"
  EGL_PLATFORM=surfaceless CRONOS_DAWN_FLAGS=backend=opengles bash scripts/gpu-env.sh npx vitest run tests/solver/gpu
elif [ $# -eq 0 ]; then
  echo "== vitest (optimality, default adapter: no OpenGL ES adapter here)"
  bash scripts/gpu-env.sh npx vitest run "${slow[@]}"
fi
