#!/usr/bin/env bash
# Installs what a fresh machine lacks and builds the app. Safe to run again: each step is skipped when done.
#   - Debian/Ubuntu packages: libsecret-1-dev (keytar builds against it), gnome-keyring + dbus-x11 (a real
#     OS keychain for the tests), chromium (the UI tests' browser)
#   - Node >= 22 (scripts/env.sh), then `npm ci` with ELECTRON_SKIP_BINARY_DOWNLOAD=1 where Electron's
#     binary cannot be downloaded, then `npm run build`.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in libsecret-1-dev gnome-keyring dbus-x11 chromium; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
  done
  if [ ${#need[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "Installing Debian packages: ${need[*]}" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
else
  echo "note: not a Debian-based system; install libsecret (dev headers), a Secret Service keychain and Chromium yourself." >&2
fi

# shellcheck source=scripts/env.sh
source scripts/env.sh

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build
