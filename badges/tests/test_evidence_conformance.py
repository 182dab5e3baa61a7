"""Badges that carry what the learner handed in (evidence app), and a badge awarded by
recognition of prior learning, checked by the independent tools: the 1EdTech validator for the
hosted OB 2.0 assertion, Digital Bazaar's verifier for the OB 3.0 credential. Every format says
what the learner shared (a link) and what they kept private (title and SHA-256 only)."""

import json
from datetime import date, timedelta

import pytest

from accounts.tests.factories import UserFactory
from badges import identifiers
from badges.models import Assertion
from courses.models import OfferingKind
from courses.services import offering_create, prior_learning_apply
from courses.tests.factories import leads_admin
from evidence.services import (
    HandInFile,
    HandInLink,
    moderation_policy_set,
    submission_hand_in,
    submission_judge,
)
from evidence.tests.factories import all_met, enrolled, offering_with_assessors, pdf, png

from .openbadges.conftest import run_in_validator_venv  # noqa: F401
from .test_conformance import serve_folder, validate
from .vc.conftest import js_verify  # noqa: F401

pytestmark = pytest.mark.django_db
SITE = "https://centre.example"
LD = {"HTTP_ACCEPT": "application/ld+json"}


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE
    moderation_policy_set(acting_user=UserFactory(is_leads_admin=True), sample_percent=0,
                          every_not_yet=False)  # fmt: skip


def _pass(enrollment, assessor, **hand_in):
    assessment = enrollment.offering.course.assessments.get()
    submission = submission_hand_in(
        enrollment=enrollment, assessment=assessment, acting_user=enrollment.learner, **hand_in
    )
    submission_judge(submission=submission, acting_user=assessor, criteria=all_met(submission),
                     result="pass", feedback="Clear plans.")  # fmt: skip
    return submission


@pytest.fixture
def with_evidence(django_capture_on_commit_callbacks):
    offering, first, _ = offering_with_assessors()
    enrollment = enrolled(offering, full_name="Amina Yusuf")
    with django_capture_on_commit_callbacks(execute=True):
        submission = _pass(
            enrollment, first,
            files=[HandInFile(upload=pdf(), title="Five lesson plans", public=True),
                   HandInFile(upload=png(), title="Classroom photo")],
            links=[HandInLink(url="https://video.example/lesson-1", title="Lesson video",
                              public=True)],
            statement="I revised each plan after feedback.",
        )  # fmt: skip
    return Assertion.objects.get(enrollment=enrollment), submission


def test_every_format_names_each_item_and_links_only_what_the_learner_shared(client, with_evidence):
    assertion, submission = with_evidence
    items = {item.title: item for item in submission.items.all()}
    ob2 = client.get(f"/public/assertions/{assertion.pk}", **LD).json()
    credential = client.get(f"/public/assertions/{assertion.pk}/credential", **LD).json()
    ob3 = credential["evidence"]
    for evidence in (ob2["evidence"], ob3):
        by_name = {e["name"]: e for e in evidence}
        shared = by_name["Five lesson plans"]
        assert shared["id"] == f"{SITE}/public/evidence/{items['Five lesson plans'].pk}"
        assert shared["genre"] == "Document" and "audience" in shared
        assert by_name["Lesson video"]["id"] == "https://video.example/lesson-1"
        private = by_name["Classroom photo"]
        assert "id" not in private and items["Classroom photo"].sha256 in private["narrative"]
        statement = by_name["Written statement"]
        assert "id" not in statement and "I revised" not in json.dumps(statement)
    # The page shows the same, and the shared file downloads from its public link.
    page = client.get(f"/public/assertions/{assertion.pk}", HTTP_ACCEPT="text/html")
    page = page.content.decode()
    assert "Five lesson plans" in page and items["Classroom photo"].sha256 in page


@pytest.mark.obtools
def test_the_1edtech_validator_accepts_a_badge_with_handed_in_evidence(
    client,
    with_evidence,
    tmp_path,
    run_in_validator_venv,  # noqa: F811
):
    assertion, _ = with_evidence
    docs = serve_folder(tmp_path, client, assertion)
    code, report, stderr = validate(
        run_in_validator_venv, docs / "assertion.json", docs, assertion.recipient_email
    )
    assert code == 0 and report["valid"] is True and report["errorCount"] == 0, (report, stderr)


@pytest.mark.vcjs
def test_the_js_verifier_verifies_a_credential_with_handed_in_evidence(
    client,
    with_evidence,
    js_verify,  # noqa: F811
):
    assertion, _ = with_evidence
    credential = client.get(identifiers.credential_url(assertion.pk).removeprefix(SITE), **LD)
    credential = credential.json()
    controller = client.get(credential["issuer"]["id"].removeprefix(SITE), **LD).json()
    contexts = {
        url: client.get(url.removeprefix(SITE)).json()
        for url in credential["@context"]
        if url.startswith(SITE)
    }
    result = js_verify(credential, controllers=[controller], contexts=contexts)
    assert result["verified"], result["errors"]


def test_a_prior_learning_award_says_so_in_every_format(client, django_capture_on_commit_callbacks):
    offering, first, _ = offering_with_assessors()
    window = offering_create(
        course=offering.course, acting_user=leads_admin(), kind=OfferingKind.PRIOR_LEARNING,
        title="Recognition of prior learning 2026–27", starts_on=date.today() - timedelta(days=1),
        ends_on=date.today() + timedelta(days=90), instructors=[first],
    )  # fmt: skip
    applicant = UserFactory(is_learner=True, full_name="Bilal Shah")
    enrollment = prior_learning_apply(offering=window, learner=applicant)
    with django_capture_on_commit_callbacks(execute=True):
        _pass(enrollment, first, files=[HandInFile(upload=pdf(), title="Portfolio")])
    assertion = Assertion.objects.get(enrollment=enrollment)
    assert assertion.prior_learning
    assert "by recognition of prior learning" in assertion.narrative
    ob2 = client.get(f"/public/assertions/{assertion.pk}", **LD).json()
    assert "by recognition of prior learning" in ob2["narrative"]
    credential = client.get(f"/public/assertions/{assertion.pk}/credential", **LD).json()
    assert (
        "Awarded by recognition of prior learning" in credential["credentialSubject"]["narrative"]
    )
    page = client.get(f"/public/assertions/{assertion.pk}", HTTP_ACCEPT="text/html")
    page = page.content.decode()
    assert "Awarded by recognition of prior learning" in page
    from django.utils import timezone

    from badges.certificate import certificate_html

    assert "by recognition of prior learning" in certificate_html(assertion, now=timezone.now())
