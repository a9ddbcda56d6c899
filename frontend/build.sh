#!/usr/bin/env bash
# Builds the PWA into frontend/dist, which Django serves at "/".
set -euo pipefail
cd "$(dirname "$0")"

# Exactly the lock's versions, or a clear failure: the lock lists every platform's
# optional native packages (rollup's @rollup/rollup-<os>-<cpu>), so `npm ci` takes it
# on any machine. After changing package.json: `npm install`, and commit the lock.
install() {
  npm ci --no-audit --no-fund
}

if [ -f package.json ]; then
  [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || install
  npm run build
else
  # Until the PWA lands: the placeholder page.
  mkdir -p dist
  cp index.html dist/index.html
fi
