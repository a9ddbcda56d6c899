#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY database.
#   createdb -h host -U user backtrack_restored
#   DATABASE_URL=postgres://user:pass@host:5432/backtrack_restored scripts/restore.sh backtrack-2026-11-21.dump
# Then point the app at it and run `python manage.py migrate` (a no-op when the
# backup is from the same version; it brings an older backup up to date).
set -euo pipefail
in=${1:?usage: scripts/restore.sh FILE}
: "${DATABASE_URL:?set DATABASE_URL to the (empty) database to restore into}"
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$DATABASE_URL" "$in"
echo "restored $in"
