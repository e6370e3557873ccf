#!/usr/bin/env bash
# The README's "run it" command: sets the machine up, runs the headless part against the built-in sandboxes,
# then opens the desktop app (skipped, with the reason, where there is no display or no Electron binary).
#   bash scripts/run.sh            # setup, headless run, then the desktop app
#   bash scripts/run.sh --headless # setup and the headless run only
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh

bash scripts/headless.sh

if [ "${1:-}" = "--headless" ]; then exit 0; fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ "$(uname)" = "Linux" ]; then
  echo "No display: not starting the desktop app. On a desktop session, run: npm start" >&2
  exit 0
fi
if [ "${ELECTRON_SKIP_BINARY_DOWNLOAD:-}" = "1" ]; then
  echo "ELECTRON_SKIP_BINARY_DOWNLOAD=1 is set: Electron's binary is not available, so the desktop app cannot start here." >&2
  exit 0
fi
# On first start Electron's binary is fetched by the electron package, then the built app opens.
exec npm start
