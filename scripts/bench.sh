#!/usr/bin/env bash
# Runs every benchmark and prints one table (README, "Benchmarks"; figures in BENCHMARKS.md).
# Arguments go to bench/run_all.py: --quick (1,000 and 10,000 badges), --record (write the
# table into BENCHMARKS.md), --seconds N (length of each load run).
#
# Needs PostgreSQL and Redis on 127.0.0.1 (started here when installed): the benchmarks run
# against a database and a Redis database of their own, dropped and flushed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh bench
scripts/services.sh
if ! pg_isready -q -h 127.0.0.1 || ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  echo "The benchmarks need PostgreSQL and Redis on 127.0.0.1 (see README, 'Two commands')." >&2
  exit 1
fi
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
exec .venv/bin/python bench/run_all.py "$@"
