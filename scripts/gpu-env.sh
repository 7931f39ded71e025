#!/usr/bin/env bash
# Runs a command with the environment dawn.node needs on a GPU-less Linux box (SwiftShader via
# Chromium's Vulkan ICD) unless the caller already chose a Vulkan driver, and with the `.wgsl`
# loader registered so Node can import shaders the way Vite does.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -z "${VK_ICD_FILENAMES:-}" ] && [ -f /usr/lib/chromium/vk_swiftshader_icd.json ] && ! ls /usr/share/vulkan/icd.d/nvidia* >/dev/null 2>&1; then
  export VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json
fi
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
export NODE_OPTIONS="${NODE_OPTIONS:-} --import=$here/register-wgsl.mjs"
exec "$@"
