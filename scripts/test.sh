#!/usr/bin/env bash
# The README's test command: sets the machine up (scripts/setup.sh) and runs every test layer with a real
# OS keychain (gnome-keyring on a private D-Bus session).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
exec dbus-run-session -- bash -c '
  set -euo pipefail
  # A fresh, unlocked login keyring for this session only, in its own data folder so that it never meets
  # (or re-keys) the login keyring of the account running the tests.
  export XDG_DATA_HOME="$(mktemp -d)"
  export $(echo -n "a2w-test-keyring" | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null | grep -v "^SSH") || true
  npm test
'
