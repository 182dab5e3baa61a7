"""Our OB 2.0 documents and baked images, checked by the independent 1EdTech tools.

The tools (PyPI ``openbadges`` 1.1.2, the validator, and ``openbadges-bakery`` 2.0.0) live in
their own virtual environment made by ``tools/ob2-validator/setup.sh`` and run here as subprocesses,
offline, through ``tools/ob2-validator/validate.py``. Without that venv these tests skip (set
OB2_VALIDATOR_REQUIRED=1 to make them fail instead, as CI should).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from badges.openbadges import baking, ob2

from .conftest import ASSERTION_ID, RECIPIENT_EMAIL, SALT, SVG_TEMPLATE, VALIDATOR_DIR

pytestmark = pytest.mark.obtools

UNBAKE_WITH_BAKERY = (
    "import sys; from openbadges_bakery import unbake; "
    "sys.stdout.write(unbake(open(sys.argv[1], 'rb')) or '')"
)
BAKE_WITH_BAKERY = (
    "import shutil, sys; from openbadges_bakery import bake; "
    "shutil.copyfileobj(bake(open(sys.argv[1], 'rb'), sys.argv[2]), open(sys.argv[3], 'wb'))"
)


def write_hosted_documents(
    directory: Path, issuer, badgeclass, assertion, *, badge_png: bytes
) -> dict[str, Path]:
    """Write what our public URLs would serve: the three JSON-LD documents, the badge image and
    the baked assertion image, with a manifest mapping the image URLs to files."""
    directory.mkdir(parents=True, exist_ok=True)
    assertion_document = ob2.assertion_json(assertion)
    files = {
        "issuer": ("issuer.json", ob2.dumps(ob2.issuer_json(issuer), pretty=True).encode()),
        "badgeclass": (
            "badgeclass.json",
            ob2.dumps(ob2.badgeclass_json(badgeclass), pretty=True).encode(),
        ),
        "assertion": ("assertion.json", ob2.dumps(assertion_document, pretty=True).encode()),
        "badge_image": ("badge.png", badge_png),
        "baked_png": ("baked.png", baking.bake_png(badge_png, ob2.dumps(assertion_document))),
        "baked_svg": (
            "baked.svg",
            baking.bake_svg(SVG_TEMPLATE, verify=assertion.id, body=ob2.dumps(assertion_document)),
        ),
    }
    paths = {}
    for key, (name, content) in files.items():
        paths[key] = directory / name
        paths[key].write_bytes(content)
    manifest = {
        badgeclass.image: "badge.png",
        issuer.image: "badge.png",
        assertion.image: "baked.png",
    }
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return paths


@pytest.fixture
def hosted(tmp_path, issuer_data, badgeclass_data, assertion_data, badge_png):
    return write_hosted_documents(
        tmp_path / "docs", issuer_data, badgeclass_data, assertion_data, badge_png=badge_png
    )


def validate(run_in_validator_venv, badge: Path, *args: str):
    result = run_in_validator_venv(VALIDATOR_DIR / "validate.py", badge, badge.parent, *args)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout), result.stderr


# --- The validator --------------------------------------------------------------------------------


@pytest.mark.parametrize("badge", ["assertion", "baked_png", "baked_svg"])
def test_validator_finds_our_hosted_badge_valid(run_in_validator_venv, hosted, badge):
    code, report, stderr = validate(
        run_in_validator_venv, hosted[badge], "--recipient-email", RECIPIENT_EMAIL
    )
    assert report["errorCount"] == 0, report["messages"]
    assert report["valid"] is True
    assert report["warningCount"] == 0, report["messages"]
    assert report["validationSubject"] == ASSERTION_ID
    assert report["recipientProfile"] == {"email": RECIPIENT_EMAIL}
    assert code == 0
    assert "not injected" not in stderr


def test_validator_rejects_another_recipient(run_in_validator_venv, hosted):
    code, report, _ = validate(
        run_in_validator_venv, hosted["assertion"], "--recipient-email", "mallory@example.org"
    )
    assert code == 1
    assert report["valid"] is False
    assert "did not match" in json.dumps(report["messages"])


def test_validator_names_a_document_that_was_not_injected(run_in_validator_venv, hosted):
    hosted["issuer"].unlink()
    code, report, stderr = validate(run_in_validator_venv, hosted["assertion"])
    assert code == 1
    assert report["errorCount"] >= 1
    assert "not injected: https://badges.example.edu/public/issuers/" in stderr


def test_validator_checks_the_hosted_origin(
    run_in_validator_venv, tmp_path, issuer_data, badgeclass_data, assertion_data, badge_png
):
    elsewhere = dataclasses.replace(assertion_data, id="https://elsewhere.example.net/a/1")
    paths = write_hosted_documents(
        tmp_path / "docs", issuer_data, badgeclass_data, elsewhere, badge_png=badge_png
    )
    code, report, _ = validate(run_in_validator_venv, paths["assertion"])
    assert code == 1
    assert "not hosted in allowed origins" in json.dumps(report["messages"])


# --- The bakery -----------------------------------------------------------------------------------


def test_bakery_unbakes_our_png(run_in_validator_venv, hosted, assertion_data):
    # Baked twice: the bakery must still find exactly our one (replaced) chunk.
    rebaked = baking.bake_png(
        hosted["baked_png"].read_bytes(), ob2.dumps(ob2.assertion_json(assertion_data))
    )
    hosted["baked_png"].write_bytes(rebaked)
    result = run_in_validator_venv("-c", UNBAKE_WITH_BAKERY, hosted["baked_png"])
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ob2.assertion_json(assertion_data)


def test_bakery_unbakes_our_svg(run_in_validator_venv, hosted):
    # The bakery returns the verify attribute (the hosted URL) when there is one, where the baking
    # spec's "Extracting" says the body is the assertion; both are ours and both are right.
    result = run_in_validator_venv("-c", UNBAKE_WITH_BAKERY, hosted["baked_svg"])
    assert result.returncode == 0, result.stderr
    assert result.stdout == ASSERTION_ID


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_we_unbake_what_the_bakery_baked(run_in_validator_venv, tmp_path, badge_png, suffix):
    source = tmp_path / f"template{suffix}"
    source.write_bytes(badge_png if suffix == ".png" else SVG_TEMPLATE)
    target = tmp_path / f"baked{suffix}"
    text = json.dumps({"id": ASSERTION_ID, "type": "Assertion"})
    result = run_in_validator_venv("-c", BAKE_WITH_BAKERY, source, text, target)
    assert result.returncode == 0, result.stderr
    assert json.loads(baking.unbake(target.read_bytes())) == json.loads(text)


# --- Shared facts ---------------------------------------------------------------------------------


def test_shipped_context_equals_validator_copy(run_in_validator_venv):
    script = (
        "import json, sys; "
        "from openbadges.verifier.openbadges_context import OPENBADGES_CONTEXT_V2_DICT as c; "
        "sys.stdout.write(json.dumps(c, indent=2, ensure_ascii=False) + '\\n')"
    )
    result = run_in_validator_venv("-c", script)
    assert result.returncode == 0, result.stderr
    assert ob2.OB2_CONTEXT_FILE.read_text(encoding="utf-8") == result.stdout


def test_validator_computes_the_same_recipient_hash(run_in_validator_venv):
    script = (
        "import sys; from openbadges.verifier.utils import identity_hash; "
        "sys.stdout.write(identity_hash(sys.argv[1], sys.argv[2]))"
    )
    result = run_in_validator_venv("-c", script, RECIPIENT_EMAIL, SALT)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ob2.hash_recipient(RECIPIENT_EMAIL, SALT)
