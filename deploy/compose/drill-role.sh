#!/bin/sh
# The restore drill's user: it runs the tenants' own functions when it restores their backups, so it
# may create databases and nothing more (no superuser, no CREATEROLE, no pg_*_server_* roles). The
# verifier refuses to drill with any other.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v password="$DRILL_USER_PASSWORD" <<'SQL'
CREATE ROLE backuprelay_drill LOGIN CREATEDB PASSWORD :'password';
SQL
