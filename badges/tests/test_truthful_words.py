"""Issued badges say only what is true (issue 12): which outcomes were demonstrated by
assessment and which were not; an award by decision of the centre says so, with its reason, in
every format; a revoked badge certifies nothing; an expired one speaks in the past tense."""

import json
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from assessments.services import record_result
from badges import certificate, documents
from badges.services import assertion_issue
from courses.services import enrollment_create
from courses.tests.factories import leads_admin

from .factories import badge_course, issued_badge, revoked_badge
from .test_certificate import pages_text

pytestmark = pytest.mark.django_db

HTML = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}
REASON = "Assessed in person at the partner school; the results were not entered in time."


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def by_decision(*, passed=0):
    """A badge issued anyway ("Issue anyway", with a reason) to a learner who passed `passed`
    of the course's two assessments."""
    course, plan, offering, instructor, _ = badge_course(issue_mode="manual")
    enrollment = enrollment_create(offering=offering, learner=UserFactory(full_name="Sara Khan"))
    for assessment in plan[:passed]:
        record_result(
            enrollment=enrollment, assessment=assessment, result="pass", acting_user=instructor
        )
    assertion, _ = assertion_issue(
        enrollment=enrollment, acting_user=leads_admin(), override_reason=REASON
    )
    return assertion


def page(client, assertion):
    return client.get(f"/public/assertions/{assertion.pk}", **HTML).content.decode()


@pytest.mark.parametrize("passed", [0, 1])
def test_an_award_by_decision_says_so_with_its_reason_and_never_claims_every_outcome(
    client, passed
):
    assertion = by_decision(passed=passed)
    demonstrated = "LO1" if passed else "none"
    sentence = (
        f"Learning outcomes demonstrated by assessment: {demonstrated}. "
        f"Not demonstrated by assessment: {'LO2' if passed else 'LO1, LO2'}."
    )
    claims = ["demonstrated every learning outcome", "for completing the course"]
    # The page.
    body = page(client, assertion)
    assert "Awarded by decision of the centre" in body and REASON in body
    assert sentence in body and "Not demonstrated by assessment" in body
    assert not any(claim in body for claim in claims)
    # The OB 2.0 narrative.
    narrative = documents.assertion_json(assertion)["narrative"]
    assert "by decision of the centre" in narrative and REASON in narrative
    assert sentence in narrative and "every learning outcome" not in narrative
    # The PDF.
    text = " ".join(pages_text(assertion))
    assert "Awarded by decision of the centre" in text and REASON in text
    assert "Not demonstrated by assessment" in text
    assert not any(claim in text for claim in claims)
    # OB 3.0: "not demonstrated", never "fail", and the decision in the subject's narrative.
    subject = json.loads(assertion.credential_json)["credentialSubject"]
    values = [r["value"] for r in subject["result"]]
    assert values == (["pass", "not demonstrated"] if passed else ["not demonstrated"] * 2)
    assert "fail" not in values
    assert subject["narrative"].startswith(f"Awarded by decision of the centre. Reason: {REASON}")


def test_an_earned_badge_says_each_outcome_was_demonstrated_and_by_what(client):
    assertion = issued_badge()
    body = page(client, assertion)
    assert "Every learning outcome was demonstrated by assessment." in body
    assert body.count("Demonstrated by assessment: Task") == 2
    assert (
        "Awarded by decision" not in body
        and "narrative" not in json.loads(assertion.credential_json)["credentialSubject"]
    )


def test_a_revoked_badges_page_never_says_the_learner_completed_or_demonstrated_anything(client):
    assertion = revoked_badge(reason="Plagiarised final project")
    body = page(client, assertion)
    assert f"revoked this badge on {assertion.revoked_at:%-d %B %Y}" in body
    assert "It no longer certifies anything." in body and "Plagiarised final project" in body
    for claim in ("completed", "demonstrated", "Demonstrated", "Earned by"):
        assert claim not in body, claim
    text = " ".join(pages_text(assertion))
    for claim in ("completing", "demonstrated", "certifies that", "has earned"):
        assert claim not in text, claim


def test_my_learning_says_badge_revoked_not_completed(client):
    assertion = revoked_badge()
    client.force_login(assertion.recipient)
    body = client.get(reverse("assessments:my_learning")).content.decode()
    assert "Badge revoked" in body and ">Completed<" not in body
    detail = reverse("assessments:my_enrollment", args=[assertion.enrollment_id])
    body = client.get(detail).content.decode()
    assert "Badge revoked" in body and "you have demonstrated every learning outcome" not in body


def test_an_expired_badge_speaks_in_the_past_tense(client):
    assertion = issued_badge(badge_expiry_months=None, badge_expiry_date=date.today())
    body = page(client, assertion)
    assert f"This badge expired on {assertion.expires_on:%-d %B %Y}" in body
    assert "no longer certifies current achievement" in body
    assert "as assessed when the badge was issued" in body
    text = " ".join(pages_text(assertion))
    assert "This certified that" in text and "had earned" in text
    assert "This certifies that" not in text


def test_validity_in_the_credential_and_the_jwt_is_exactly_the_records_expiry():
    assertion = issued_badge()
    assert assertion.expires_on is not None and assertion.expires_on.microsecond == 0
    credential = json.loads(assertion.credential_json)
    assert credential["validUntil"] == f"{assertion.expires_on:%Y-%m-%dT%H:%M:%SZ}"
    payload = assertion.credential_jwt.split(".")[1]
    import base64

    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["exp"] == int(assertion.expires_on.timestamp())
    assert claims["nbf"] == int(assertion.issued_on.timestamp())
    assert timezone.now() - assertion.issued_on < timedelta(minutes=1)


def test_the_certificate_of_an_award_by_decision_is_cached_apart(client):
    assertion = by_decision()
    html = certificate.certificate_html(assertion, now=timezone.now())
    assert "by decision of the centre" in html
