#!/usr/bin/env bash
# The headless run: everything in a temporary folder with a throw-away app profile and keychain service, so
# it never touches the admin's real workspaces or keychain entries. Without a desktop session (no D-Bus),
# a private D-Bus session with an unlocked temporary GNOME keyring stands in for the OS keychain.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && [ "$(uname)" = "Linux" ] && [ -z "${A2W_IN_DBUS:-}" ]; then
  exec env A2W_IN_DBUS=1 dbus-run-session -- bash -c '
    export XDG_DATA_HOME="$(mktemp -d)"
    export $(echo -n "a2w-demo-keyring" | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null | grep -v "^SSH") || true
    exec bash scripts/headless.sh "$@"' bash "$@"
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/a2w-demo.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export A2W_USER_DATA_DIR="$tmp/profile" A2W_KEYCHAIN_SERVICE="com.auth0-to-workos.demo.$$"
node bin/auth0-to-workos.mjs demo "$@"
