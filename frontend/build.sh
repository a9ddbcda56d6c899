#!/usr/bin/env bash
# Builds the PWA into frontend/dist, which Django serves at "/".
set -euo pipefail
cd "$(dirname "$0")"

install() {
  if npm ci --no-audit --no-fund; then
    return
  fi
  # The package registry these machines reach serves only their own platform's
  # optional native packages (rollup's other @rollup/rollup-<os>-<cpu> builds are
  # missing), so a lock made here lacks those entries and `npm ci` calls it out of
  # sync. `npm install --no-save` installs exactly the lock's versions (package.json
  # pins every direct dependency) and leaves package-lock.json untouched.
  echo "frontend: npm ci refused the lock (see above); installing its versions with npm install --no-save"
  npm install --no-save --no-audit --no-fund
}

if [ -f package.json ]; then
  [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || install
  npm run build
else
  # Until the PWA lands: the placeholder page.
  mkdir -p dist
  cp index.html dist/index.html
fi
