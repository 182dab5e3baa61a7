"""static/js/outcome-verbs.js says what courses/outcome_verbs.py says, from the table it ships."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from courses import outcome_verbs

SCRIPT = Path(__file__).resolve().parents[2] / "static" / "js" / "outcome-verbs.js"
OUTCOMES = [
    "Understand what makes a chart honest.",
    "Know the parts of a chart",
    "Learners will be able to critique a chart.",
    "By the end of the course, participants will be able to design a plan",
    "1. Apply regression to sales data",
    "Critically evaluate a study",
    "Demonstrate an understanding of statistics",
    "Be aware of the risks",
    "Supply chains matter",
    "Frobnicate the widget",
    "   42",
    "Analyzes data",
    "LO1: Write a report",
    "Upon successful completion of this module, students should be able to organize events",
    "Gain knowledge of data protection",
    "Effectively apply methods",
    "Have the ability to plan lessons",
    "appreciate art",
    "Familiarize yourself with the VLE",
]


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
def test_the_browser_and_the_server_classify_outcomes_alike():
    harness = (
        "var table = {};\n"
        "var document = {{ getElementById: function () {{ return {{ textContent: "
        "JSON.stringify(table) }}; }}, querySelectorAll: function () {{ return []; }} }};\n"
        "{}\n"
        "console.log(JSON.stringify({}.map(function (c) {{ return globalThis.CHECK(c); }})));"
    ).format(
        json.dumps(outcome_verbs.browser_table()),
        SCRIPT.read_text().replace("var LABELS", "globalThis.CHECK = check; var LABELS", 1),
        json.dumps(OUTCOMES),
    )
    run = subprocess.run(["node", "-e", harness], capture_output=True, text=True, check=True)
    for text, live in zip(OUTCOMES, json.loads(run.stdout), strict=True):
        finding = outcome_verbs.check_outcome_verb(text)
        state = "ok" if finding.ok else ("error" if finding.blocking else "advice")
        assert live == {"state": state, "message": finding.message}, text
