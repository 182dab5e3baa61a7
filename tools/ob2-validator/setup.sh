#!/usr/bin/env bash
# Make the 1EdTech Open Badges 2.0 validator's own virtual environment (never the product's venv:
# its pins conflict with ours). Path: $OB2_VALIDATOR_VENV, default .venv-ob2validator in the repo root.
# Idempotent: an existing venv that already imports the validator is left alone.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"
venv="${OB2_VALIDATOR_VENV:-$repo_root/.venv-ob2validator}"
python="${PYTHON:-python3}"

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import openbadges, openbadges_bakery" 2>/dev/null; then
    echo "ob2-validator venv ready: $venv"
    exit 0
fi

"$python" -m venv "$venv"
# --no-deps: openbadges 1.1.2 declares pins that do not import on Python 3.10+; requirements.txt
# is the complete, overridden set (a copy of shared/tools/openbadges-validator-requirements.txt).
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r "$here/requirements.txt"
"$venv/bin/python" -c "import openbadges, openbadges_bakery"
echo "ob2-validator venv ready: $venv"
