#!/bin/sh
# Nightly dump of the referrals database (kc-referrals-backup.service runs it as the
# postgres user). pg_dump -Fc: compressed, restored with pg_restore (make restore-drill
# shows how). Dumps older than KEEP_DAYS go. The keys are NOT in the dump and are never
# written next to it: docs/DEPLOY.md, "Backups".
set -eu
DATABASE="${BACKUP_DATABASE:-referrals}"
DIRECTORY="${BACKUP_DIRECTORY:-/var/backups/kc-referrals}"
KEEP_DAYS="${BACKUP_KEEP_DAYS:-14}"

stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
target="$DIRECTORY/$DATABASE-$stamp.dump"
pg_dump --format=custom --file="$target.partial" "$DATABASE"
# Only a finished dump gets its name: a half-written one is never taken for a backup.
mv "$target.partial" "$target"
find "$DIRECTORY" -name "$DATABASE-*.dump" -type f -mtime +"$KEEP_DAYS" -delete
echo "backup: $target ($(du -h "$target" | cut -f1))"
