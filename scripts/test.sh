#!/usr/bin/env bash
# `npm test`: type-check, then every vitest suite (CPU reference, WebGPU kernels and solver on
# dawn.node, data ingestion, CLI). GPU suites run on the machine's WebGPU adapter; on a GPU-less
# Linux box that is SwiftShader (see scripts/gpu-env.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== type-check"
npx tsc -p tsconfig.json --noEmit
echo "== vitest"
exec bash scripts/gpu-env.sh npx vitest run "$@"
