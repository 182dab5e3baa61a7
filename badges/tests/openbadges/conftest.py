"""Shared data for the Open Badges module tests: plain Python, no Django settings or database."""

from __future__ import annotations

import io
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from badges.openbadges import ob2

REPO_ROOT = Path(__file__).resolve().parents[3]
VALIDATOR_DIR = REPO_ROOT / "tools" / "ob2-validator"

BASE = "https://badges.example.edu/public"
ISSUER_ID = f"{BASE}/issuers/0b5f7a52-2f7e-4a8e-9d0c-3c1f6a1e9b01"
BADGECLASS_ID = f"{BASE}/badges/6d2b1c3e-8f4a-4b7e-a1d2-5e6f7a8b9c02"
ASSERTION_ID = f"{BASE}/assertions/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c03"
RECIPIENT_EMAIL = "alice@example.org"
SALT = "7c1f2e0a"


@pytest.fixture
def issuer_data() -> ob2.IssuerData:
    return ob2.IssuerData(
        id=ISSUER_ID,
        name="University of Example, LEADS",
        url="https://www.example.edu",
        email="leads@example.edu",
        description="Micro-credentials of the University of Example.",
        image=f"{ISSUER_ID}/image",
    )


@pytest.fixture
def badgeclass_data() -> ob2.BadgeClassData:
    return ob2.BadgeClassData(
        id=BADGECLASS_ID,
        issuer_id=ISSUER_ID,
        name="Data Literacy for Researchers",
        description="Awarded for completing the 2 ECTS micro-credential in data literacy.",
        image=f"{BADGECLASS_ID}/image",
        criteria_url="https://badges.example.edu/courses/data-literacy",
        criteria_narrative="Pass the summative assessment of every learning outcome.",
        alignments=(
            ob2.AlignmentData(
                target_name="Manage research data",
                target_url="https://badges.example.edu/courses/data-literacy#lo-1",
                target_description="Plan and document research data management.",
                target_framework="University of Example learning outcomes",
                target_code="DL-LO1",
            ),
            ob2.AlignmentData(
                target_name="Analyse data",
                target_url="https://badges.example.edu/courses/data-literacy#lo-2",
            ),
        ),
        tags=("data", "research", "EQF 7"),
    )


@pytest.fixture
def assertion_data() -> ob2.AssertionData:
    return ob2.AssertionData(
        id=ASSERTION_ID,
        badge_id=BADGECLASS_ID,
        recipient_email=RECIPIENT_EMAIL,
        salt=SALT,
        issued_on=datetime(2025, 1, 15, 10, 30, tzinfo=UTC),
        expires=datetime(2099, 1, 15, 10, 30, tzinfo=UTC),
        image=f"{ASSERTION_ID}/image",
        evidence=(
            ob2.EvidenceData(
                id="https://badges.example.edu/evidence/41",
                name="Data management plan",
                narrative="A data management plan for a thesis project, graded pass.",
            ),
            ob2.EvidenceData(narrative="Oral examination on data analysis, graded pass."),
        ),
        narrative="Both summative assessments passed.",
    )


def png_bytes(size: int = 256, mode: str = "RGBA") -> bytes:
    """A plain PNG made by Pillow, as badge templates are."""
    image = Image.new(mode, (size, size), (30, 90, 160, 255) if mode == "RGBA" else 0)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def badge_png() -> bytes:
    return png_bytes()


SVG_TEMPLATE = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">'
    b'<circle cx="256" cy="256" r="200" fill="#1e5aa0"/></svg>\n'
)


@pytest.fixture
def badge_svg() -> bytes:
    return SVG_TEMPLATE


# --- The independent tools' virtual environment ---------------------------------------------------


def validator_python() -> Path:
    """The validator venv's interpreter, or skip (fail when OB2_VALIDATOR_REQUIRED=1, as in CI)."""
    venv = Path(os.environ.get("OB2_VALIDATOR_VENV", REPO_ROOT / ".venv-ob2validator"))
    python = venv / "bin" / "python"
    if python.exists():
        return python
    reason = f"1EdTech validator venv not found at {venv}; run tools/ob2-validator/setup.sh"
    if os.environ.get("OB2_VALIDATOR_REQUIRED") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def run_in_validator_venv():
    """Run ``python ARGS...`` in the validator venv; return the CompletedProcess."""
    python = validator_python()

    def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(python), *map(str, args)],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=cwd,
            check=False,
        )

    return run
