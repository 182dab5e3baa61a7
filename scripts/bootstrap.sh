#!/usr/bin/env bash
# Installs what the centre needs on Debian 12: system packages (as root, with apt-get) and the
# Python virtual environment in .venv. Safe to run again. Usage: scripts/bootstrap.sh [dev|bench]
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
# Pango and HarfBuzz for WeasyPrint (libharfbuzz-subset0 makes PDFs ~5x faster), fonts for PDFs;
# xmlsec1, which pysaml2 runs to sign and verify SAML messages.
SYSTEM_PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core xmlsec1"
# Chromium and its driver for the browser tests; Poppler's pdfsig checks the sealed PDFs.
DEV_SYSTEM_PACKAGES="chromium chromium-driver poppler-utils"
# wrk, the HTTP load generator of the benchmarks (bench/verification_load.py).
BENCH_SYSTEM_PACKAGES="wrk"

want="$SYSTEM_PACKAGES"
case "${1:-}" in
  dev) want="$want $DEV_SYSTEM_PACKAGES" ;;
  bench) want="$want $DEV_SYSTEM_PACKAGES $BENCH_SYSTEM_PACKAGES" ;;
esac
missing=""
for pkg in $want; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then
    # apt_get waits, saying so, while another package manager holds apt's locks (scripts/apt.sh).
    . scripts/apt.sh
    echo "Installing system packages:$missing"
    apt_get update -qq
    apt_get install -y -qq $missing
  else
    echo "Missing system packages:$missing"
    echo "Install them with: sudo apt-get install -y$missing"
    exit 1
  fi
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
req=requirements.txt
[ -n "${1:-}" ] && req=requirements-dev.txt  # dev and bench
# Only reinstall when the requirements changed since the last install. The dev set holds every
# runtime package, so once it is installed `make demo` (prod) installs nothing, and `make test`
# after `make demo` does not reinstall everything.
python_set="${1:-prod}"
[ "$python_set" = bench ] && python_set=dev  # the same Python packages
installed=".venv/.installed-$(cat requirements.txt requirements-dev.txt constraints.txt 2>/dev/null | sha256sum | cut -c1-16)"
stamp="$installed-$python_set"
if [ ! -f "$stamp" ] && [ ! -f "$installed-dev" ]; then
  .venv/bin/pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/pip install -q --disable-pip-version-check -r "$req" -c constraints.txt
  rm -f .venv/.installed-*
  touch "$stamp"
fi
