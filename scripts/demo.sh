#!/usr/bin/env bash
# Runs the demo centre at http://127.0.0.1:8000 (README: `make demo`).
# Without DATABASE_URL and REDIS_URL: SQLite and Celery tasks inline. With them: PostgreSQL and
# Redis, and a Celery worker and beat started beside the web server.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export DJANGO_SETTINGS_MODULE=config.settings.local
PY=.venv/bin/python
$PY manage.py migrate --no-input -v 0
$PY manage.py collectstatic --no-input -v 0
$PY manage.py seed_demo

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
if [ -n "${REDIS_URL:-}" ]; then
  echo "Starting a Celery worker and beat (REDIS_URL is set)"
  .venv/bin/celery -A config worker -l INFO --without-mingle --without-gossip &
  pids+=($!)
  .venv/bin/celery -A config beat -l INFO &
  pids+=($!)
fi
$PY manage.py runserver "${DEMO_ADDRESS:-127.0.0.1:8000}"
