"""Every main page of the demo centre, checked in Chromium with axe-core against WCAG 2 A and AA.

axe-core is installed from npm into tools/a11y (scripts/test.sh does it) and injected into each
page; a context that bypasses the site's CSP lets the test inject it, nothing else changes.
"""

import io
import json
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from demo.people import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (
    Path(__file__).resolve().parents[2]
    / "tools"
    / "a11y"
    / "node_modules"
    / "axe-core"
    / "axe.min.js"
)
ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts"

PAGES = {
    None: ["/", "/accounts/sign-in/", "/accounts/password-reset/", "/pathways/",
           "/pathways/{pathway}/", "/public/assertions/{pathway_badge}"],
    "leader@leads.example": ["/dashboard/", "/leads/courses/", "/leads/courses/{draft}/",
                             "/leads/courses/{draft}/edit/hours/",
                             "/leads/courses/{draft}/edit/outcomes/",
                             "/leads/courses/{draft}/checklist/"],
    "dean.ied@leads.example": ["/leads/review/", "/leads/submissions/{submission}/"],
    "admin@leads.example": ["/leads/submissions/", "/centre/courses/", "/offerings/",
                            "/centre/moderation/", "/centre/badges/pathways/",
                            "/centre/badges/pathways/{pathway}/"],
    "leader.data@leads.example": ["/teach/offerings/{running}/grid/", "/teach/referrals/",
                                  "/teach/referrals/{referred}/"],
    "learner@leads.example": ["/learn/", "/learn/badges/", "/learn/badges/imported/",
                              "/learn/connected-apps/", "/learn/badges/{own_badge}/wallet/",
                              "/learn/record/", "/learn/pathways/"],
    # Learners' evidence: handing in (with earlier attempts judged), the assessor's queue and
    # rubric, blind moderation, and applying for recognition of prior learning.
    "nadia.hassan@learners.example": ["/learn/enrolments/{nadia}/evidence/{exercises}/"],
    "instructor@leads.example": ["/teach/offerings/{portfolio}/evidence/",
                                 "/teach/evidence/{waiting}/"],
    "assessor@leads.example": ["/teach/moderation/", "/teach/moderation/{awaiting}/"],
    "tariq.mehmood@learners.example": ["/courses/{lineage}/prior-learning/"],
}  # fmt: skip


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=io.StringIO())
    from badges.models import Assertion
    from courses.models import Course, Offering
    from demo.evidence import PORTFOLIO
    from evidence.models import EvidenceSubmission
    from leads.models import Submission

    portfolio = Offering.objects.get(title=PORTFOLIO)
    nadia = portfolio.enrollments.get(learner__email="nadia.hassan@learners.example")
    work = EvidenceSubmission.objects.filter(enrollment__offering=portfolio)

    from badges.models import Pathway

    pathway = Pathway.objects.get(name="Data Analyst")
    return {
        "pathway": pathway.pk,
        "pathway_badge": pathway.assertions.get().pk,
        "draft": Course.objects.get(title__startswith="Lesson Planning").pk,
        "submission": Submission.objects.filter(decision__isnull=True)
        .filter(course__unit__name="Institute for Educational Development")
        .first()
        .pk,
        "running": Offering.objects.get(title="Winter 2026–27 cohort").pk,
        "portfolio": portfolio.pk,
        "nadia": nadia.pk,
        "exercises": work.filter(enrollment=nadia).first().assessment_id,
        "waiting": work.get(state="submitted").pk,
        "awaiting": work.get(moderation="awaiting").pk,
        "referred": work.get(moderation="referred").pk,
        "lineage": portfolio.course.lineage,
        "own_badge": Assertion.objects.filter(
            recipient__email="learner@leads.example", revoked_at=None
        )
        .exclude(credential_json="")
        .first()
        .pk,
    }


@pytest.fixture
def axe_page(browser, live_server):
    if not AXE.exists():
        message = "axe-core is not installed: npm ci --prefix tools/a11y"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def sign_in(page, base, email):
    page.goto(base + "/accounts/sign-in/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/dashboard/"))


def violations(page):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]  # fmt: skip


@pytest.mark.parametrize("width", [1280, 375])
def test_main_pages_have_no_wcag_a_or_aa_violations(axe_page, live_server, demo, width):
    page = axe_page
    page.set_viewport_size({"width": width, "height": 900})
    found = {}
    for email, paths in PAGES.items():
        page.context.clear_cookies()
        if email:
            sign_in(page, live_server.url, email)
        for path in paths:
            url = live_server.url + path.format(**demo)
            response = page.goto(url)
            assert response.status == 200, url
            problems = violations(page)
            if problems:
                found[f"{email or 'anonymous'} {path}"] = problems
    ARTEFACTS.mkdir(exist_ok=True)
    (ARTEFACTS / f"axe-{width}.json").write_text(json.dumps(found, indent=2))
    assert found == {}, json.dumps(found, indent=2)
