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
# Single sign-on against a local OpenID Provider and SAML identity provider (DEMO_SSO=0: none).
if [ "${DEMO_SSO:-1}" != 0 ] && [ -z "${SSO_PROVIDERS:-}${SSO_PROVIDERS_FILE:-}" ]; then
  echo "Starting the demo's identity providers"
  while IFS='=' read -r key value; do
    case "$key" in
      SSO_PROVIDERS_FILE) export SSO_PROVIDERS_FILE="$value" ;;
      PID) pids+=("$value") ;;
    esac
  done < <($PY scripts/demo_sso.py "${DEMO_ADDRESS:-127.0.0.1:8000}")
fi
if [ -n "${REDIS_URL:-}" ]; then
  echo "Starting a Celery worker and beat (REDIS_URL is set)"
  .venv/bin/celery -A config worker -l INFO --without-mingle --without-gossip &
  pids+=($!)
  .venv/bin/celery -A config beat -l INFO &
  pids+=($!)
fi
$PY manage.py runserver "${DEMO_ADDRESS:-127.0.0.1:8000}"
