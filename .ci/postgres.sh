#!/usr/bin/env bash
# Installs PostgreSQL from Debian's packages if needed, starts a cluster
# on 127.0.0.1:5432 and creates the database the kitchen's tests use.
# Run as root; it prints the database's URL on standard output (its
# progress goes to standard error), for KITCHEN_POSTGRES_URL:
#
#	export KITCHEN_POSTGRES_URL=$(bash .ci/postgres.sh)
#
# Safe to run again: what exists is kept.
set -euo pipefail

if ! ls /usr/lib/postgresql/*/bin/pg_ctl > /dev/null 2>&1; then
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | awk '{print $1, $2}' | grep -q "^$version main$"; then
	pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $4}' | grep -q online; then
	pg_ctlcluster "$version" main start >&2
fi
for _ in $(seq 1 50); do
	pg_isready -q -h 127.0.0.1 -p 5432 && break
	sleep 0.2
done
pg_isready -h 127.0.0.1 -p 5432 >&2

psql_admin() { (cd / && runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qtA "$@"); }
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = 'kitchen'")" != 1 ]; then
	psql_admin -c "CREATE ROLE kitchen LOGIN PASSWORD 'kitchen'"
fi
# CREATEDB: the kitchen's test of a database that refuses connections
# (TestDatabaseUnavailable) makes a database of its own, with a
# CONNECTION LIMIT.
psql_admin -c "ALTER ROLE kitchen CREATEDB"
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = 'kitchen'")" != 1 ]; then
	psql_admin -c "CREATE DATABASE kitchen OWNER kitchen"
fi
echo "postgres: $version up on 127.0.0.1:5432, database kitchen" >&2
echo "postgres://kitchen:kitchen@127.0.0.1:5432/kitchen?sslmode=disable"
