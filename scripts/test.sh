#!/usr/bin/env bash
# Runs the whole test suite (README: `make test`). Extra arguments go to pytest.
#
# Uses PostgreSQL and Redis on 127.0.0.1 when they answer (starting them if installed), so the
# tests that need a real Celery worker run; set DATABASE_URL / REDIS_URL to point elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh dev
scripts/services.sh
# The independent Open Badges tools (1EdTech validator, openbadges-bakery) in their own venv.
tools/ob2-validator/setup.sh >/dev/null
# The independent Verifiable Credentials verifier (Digital Bazaar's JavaScript stack), from npm.
# axe-core, injected by the accessibility browser test. An OpenID4VCI wallet (Animo's
# @openid4vc/openid4vci) that takes our offers as a holder would.
for tool in tools/vc-verifier tools/a11y tools/oid4vci-wallet tools/lcw-wallet tools/oidc-provider; do
  if command -v npm >/dev/null && [ ! -d "$tool/node_modules" ]; then
    npm ci --prefix "$tool" --silent --no-audit --no-fund
  fi
done

if [ -z "${DATABASE_URL:-}" ] && command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1; then
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres?conn_max_age=60"
fi
if [ -z "${REDIS_URL:-}" ] && redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  export REDIS_URL="redis://127.0.0.1:6379/0"
fi
echo "Database: ${DATABASE_URL:-SQLite}  Redis: ${REDIS_URL:-none (worker tests skipped)}"
export DJANGO_SETTINGS_MODULE=config.settings.test
export DJANGO_ALLOW_ASYNC_UNSAFE=true
.venv/bin/python manage.py collectstatic --no-input -v 0
exec .venv/bin/pytest "$@"
