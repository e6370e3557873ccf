# Sourced by the setup, test and run scripts: puts Node >= 22 first on PATH. On a machine whose Node is
# older, a real Node 24 binary is installed from the npm registry (package `node`) into a cache folder; nothing is downloaded from anywhere else.
# (ELECTRON_SKIP_BINARY_DOWNLOAD is left to the caller: .ci/run sets it where Electron cannot be downloaded.)
A2W_NODE_CACHE="${A2W_NODE_CACHE:-$HOME/.cache/auth0-to-workos/node24}"

node_major() { node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/' || echo 0; }

if [ "$(node_major)" -lt 22 ] 2>/dev/null || ! command -v node >/dev/null 2>&1; then
  if [ ! -x "$A2W_NODE_CACHE/node_modules/node/bin/node" ]; then
    echo "Node $(node --version 2>/dev/null || echo none) is older than 22: installing Node 24 from the npm registry into $A2W_NODE_CACHE" >&2
    mkdir -p "$A2W_NODE_CACHE"
    npm install --prefix "$A2W_NODE_CACHE" --no-save --no-audit --no-fund node@24 >&2
  fi
  export PATH="$A2W_NODE_CACHE/node_modules/node/bin:$PATH"
fi
if [ "$(node_major)" -lt 22 ]; then
  echo "error: could not provide Node 22 or newer (found $(node --version))" >&2
  exit 1
fi
