#!/usr/bin/env bash
# Installs what the test suites need when it is missing, so `npm test` works on a fresh Debian or
# Ubuntu machine: Chromium (its SwiftShader Vulkan driver gives dawn.node a WebGPU adapter without
# a GPU, and it is the end-to-end suite's browser), the Vulkan loader, and Mesa's EGL/GLES (Dawn's
# faster OpenGL ES adapter). Uses apt as root or through sudo and says what it installs; where it
# cannot, it stops at once with the one command to run. CRONOS_NO_PROVISION=1 skips it.
set -euo pipefail
[ "${CRONOS_NO_PROVISION:-}" = 1 ] && exit 0
need=()
[ -f /usr/lib/chromium/vk_swiftshader_icd.json ] || need+=(chromium)
for p in libvulkan1 libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
[ ${#need[@]} -eq 0 ] && exit 0
cmd="apt-get update && apt-get install -y --no-install-recommends ${need[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "The tests need Chromium (for its SwiftShader WebGPU driver), the Vulkan loader and Mesa EGL/GLES; this machine has no apt-get." >&2
  echo "Install the equivalents of: ${need[*]}" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; else
    echo "The tests need: ${need[*]}. Run this once, then npm test again:" >&2
    echo "  sudo sh -c '$cmd'" >&2
    exit 1
  fi
fi
echo "== provisioning the test machine: installing ${need[*]} (apt)"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
