#!/usr/bin/env bash
# Back up the Backtrack database to one compressed, self-contained file.
#   DATABASE_URL=postgres://user:pass@host:5432/backtrack scripts/backup.sh backtrack-$(date +%F).dump
# pg_dump takes a consistent snapshot while the app keeps running.
set -euo pipefail
out=${1:?usage: scripts/backup.sh FILE}
: "${DATABASE_URL:?set DATABASE_URL to the database to back up}"
pg_dump --format=custom --compress=9 --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$out"
echo "backup written to $out ($(du -h "$out" | cut -f1))"
