#!/usr/bin/env bash
# Builds the PWA into frontend/dist, which Django serves at "/".
set -euo pipefail
cd "$(dirname "$0")"
if [ -f package.json ]; then
  [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund
  npm run build
else
  # Until the PWA lands: the placeholder page.
  mkdir -p dist
  cp index.html dist/index.html
fi
