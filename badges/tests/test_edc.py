"""European Digital Credentials of issued badges (badges/edc.py, views_edc.py): every EDC of the
demo centre conforms to the Commission's shapes, the seal verifies with joserfc, and the public
URLs, the verification page and the backpack offer them."""

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.core.management import call_command
from joserfc.errors import BadSignatureError

from badges import edc
from badges.models import Assertion
from badges.seal import load_seal
from badges.services import assertion_issue, assertion_revoke
from courses.tests.factories import leads_admin

from .openbadges.edc_checks import (
    jades_verify,
    leaf_certificate,
    protected_header,
    shacl_report,
    undefined_terms,
)
from .test_credentials import issue_one
from .test_services import cohort

pytestmark = pytest.mark.django_db

SITE = "https://centre.example"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def issued():
    return issue_one()


def decided():
    """A badge issued anyway, with a reason, to a learner who showed only LO1."""
    admin, instructor, plan, _, _, (enrollment, _) = cohort()
    from assessments.services import record_result

    record_result(enrollment=enrollment, assessment=plan[0], result="pass", acting_user=instructor)
    assertion, _ = assertion_issue(
        enrollment=enrollment, acting_user=admin, override_reason="Assessed outside the VLE"
    )
    return assertion


def assert_conforms(document):
    ok, report = shacl_report(document)
    assert ok, report
    assert undefined_terms(document) == set()


# --- The documents --------------------------------------------------------------------------------


def test_every_edc_of_the_demo_centre_conforms_and_says_what_its_record_says():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assertions = list(
        Assertion.objects.select_related(
            "badge_version__badge_class__course", "enrollment__offering"
        )
    )
    assert assertions
    assert any(a.prior_learning for a in assertions)
    for assertion in assertions:
        document = edc.edc_document(assertion)
        assert_conforms(document)
        claim = document["credentialSubject"]["hasClaim"]
        assert document["credentialSubject"]["fullName"] == {"en": assertion.recipient_name}
        assert claim["title"] == {"en": assertion.badge_version.name}
        assert document["validFrom"] == f"{assertion.issued_on.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"
        grades = [p["grade"]["noteLiteral"]["en"] for p in claim["provenBy"].get("hasPart", [])]
        assert grades == [
            "pass" if r.get("demonstrated") else "not demonstrated"
            for r in assertion.outcome_results
        ]
        assert assertion.recipient_email not in json.dumps(document)
        if assertion.prior_learning:
            assert "influencedBy" not in claim  # the learner did not take the course
            assert "prior learning" in claim["awardedBy"]["description"]["en"]
        if assertion.expires_on:
            assert document["expirationDate"].startswith(f"{assertion.expires_on:%Y-%m-%d}")


def test_an_award_by_decision_says_so_with_its_reason_and_conforms():
    assertion = decided()
    document = edc.edc_document(assertion)
    assert_conforms(document)
    claim = document["credentialSubject"]["hasClaim"]
    said = claim["awardedBy"]["description"]["en"]
    assert said.startswith("Awarded by decision of the centre. Reason: Assessed outside the VLE")
    assert "Not demonstrated by assessment: LO2." in said
    assert claim["provenBy"]["grade"]["noteLiteral"] == {"en": "Awarded by decision of the centre"}
    assert [p["grade"]["noteLiteral"]["en"] for p in claim["provenBy"]["hasPart"]] == [
        "pass",
        "not demonstrated",
    ]


def test_an_earned_badge_has_the_course_and_the_annex_elements(issued):
    document = edc.edc_document(issued)
    assert_conforms(document)
    version = issued.badge_version
    spec = document["credentialSubject"]["hasClaim"]["specifiedBy"]
    assert spec["creditPoint"]["point"] == str(version.ects_credits)
    if version.eqf_level:
        assert spec["eqfLevel"]["id"].endswith(f"/eqf/{version.eqf_level}")
    assert document["credentialSubject"]["hasClaim"]["influencedBy"]["title"]
    assert document["issuer"]["legalName"] == {"en": version.issuer_name}
    assert document["issuer"]["eIDASIdentifier"]["notation"] == "TEST-LEGAL-ID-0000"
    assert document["id"] == f"urn:credential:{issued.pk}"


def test_correcting_the_offering_dates_later_does_not_change_what_the_edc_says(issued):
    """The badge keeps the offering as it was at issue (Assertion.took_part): a date corrected
    afterwards changes the next learners' badges, not this one."""
    offering = issued.enrollment.offering
    taken = (offering.starts_on, offering.ends_on)
    before = edc.edc_document(issued)["credentialSubject"]["hasClaim"]["influencedBy"]
    type(offering).objects.filter(pk=offering.pk).update(
        starts_on=taken[0] - timedelta(days=60), ends_on=taken[1] + timedelta(days=60)
    )
    issued = Assertion.objects.get(pk=issued.pk)
    activity = edc.credential_data(issued).activity
    assert (activity.start.date(), activity.end.date()) == taken
    assert edc.edc_document(issued)["credentialSubject"]["hasClaim"]["influencedBy"] == before


# --- The seal -------------------------------------------------------------------------------------


def test_the_seal_verifies_with_joserfc_and_one_changed_character_breaks_it(issued):
    sealed = edc.edc_sealed(issued)
    assert jades_verify(sealed).decode("utf-8") == edc.edc_json(issued)
    seal = load_seal()
    leaf = leaf_certificate(sealed)
    assert leaf == seal.certificate
    header = protected_header(sealed)
    assert header["alg"] == seal.jose_algorithm() and header["typ"] == "jose+json"
    assert header["b64"] is False and sorted(header["crit"]) == ["b64", "sigT"]
    assert header["x5t#S256"] == seal.x5t_s256()
    assert datetime.strptime(header["sigT"], "%Y-%m-%dT%H:%M:%SZ")
    # JAdES kid: the DER IssuerSerial of the seal's certificate.
    issuer_serial = asn1_x509.Certificate.load(leaf.public_bytes(serialization.Encoding.DER))
    kid = base64.b64decode(header["kid"])
    assert issuer_serial.issuer.dump() in kid
    assert issuer_serial.serial_number.to_bytes(20, "big").lstrip(b"\0") in kid
    index = len(sealed["payload"]) // 2
    changed = "x" if sealed["payload"][index] != "x" else "y"
    tampered = {
        **sealed,
        "payload": sealed["payload"][:index] + changed + sealed["payload"][index + 1 :],
    }
    with pytest.raises(BadSignatureError):
        jades_verify(tampered)


# --- The public URLs ------------------------------------------------------------------------------


def test_the_sealed_and_uploadable_edcs_are_served(client, issued):
    sealed = client.get(f"/public/assertions/{issued.pk}/edc")
    assert sealed.status_code == 200 and sealed["Content-Type"] == "application/json"
    assert "Content-Disposition" not in sealed
    body = sealed.json()
    assert jades_verify(body).decode("utf-8") == edc.edc_json(issued)
    uploadable = client.get(f"/public/assertions/{issued.pk}/edc/uploadable")
    assert uploadable.status_code == 200 and uploadable["Content-Type"] == "application/ld+json"
    assert uploadable.content.decode("utf-8") == body["payload"]
    assert (
        client.get(
            f"/public/assertions/{issued.pk}/edc", HTTP_IF_NONE_MATCH=sealed["ETag"]
        ).status_code
        == 304
    )


def test_downloads_are_named_after_the_badge(client, issued):
    from django.utils.text import slugify

    stem = slugify(issued.badge_version.name)[:60]
    sealed = client.get(f"/public/assertions/{issued.pk}/edc", {"download": "1"})
    assert sealed["Content-Disposition"] == f'attachment; filename="{stem}-edc.jsonld"'
    uploadable = client.get(f"/public/assertions/{issued.pk}/edc/uploadable", {"download": "1"})
    assert uploadable["Content-Disposition"] == (
        f'attachment; filename="{stem}-edc-uploadable.jsonld"'
    )


@pytest.mark.parametrize(
    "path",
    [
        "/public/assertions/00000000-0000-0000-0000-000000000000/edc",
        "/public/assertions/00000000-0000-0000-0000-000000000000/edc/uploadable",
        "/public/assertions/not-a-uuid/edc",
    ],
)
def test_unknown_ids_are_404(client, path):
    assert client.get(path).status_code == 404


def test_a_revoked_badge_is_gone_at_once_even_after_its_edc_was_cached(
    client, issued, django_capture_on_commit_callbacks
):
    assert client.get(f"/public/assertions/{issued.pk}/edc").status_code == 200  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        assertion_revoke(assertion=issued, acting_user=leads_admin(), reason="Issued in error")
    for path in (
        f"/public/assertions/{issued.pk}/edc",
        f"/public/assertions/{issued.pk}/edc/uploadable",
    ):
        response = client.get(path)
        assert response.status_code == 410
        assert response.json()["error"] == "revoked"


def test_without_a_seal_only_the_uploadable_form_is_served(client, issued, settings):
    settings.SEAL_CERTIFICATE_FILE = None
    response = client.get(f"/public/assertions/{issued.pk}/edc")
    assert response.status_code == 503
    assert "no electronic seal" in response.json()["detail"]
    assert client.get(f"/public/assertions/{issued.pk}/edc/uploadable").status_code == 200
    page = client.get(f"/public/assertions/{issued.pk}", HTTP_ACCEPT="text/html").content.decode()
    assert "/edc/uploadable" in page and f"/public/assertions/{issued.pk}/edc?download" not in page


# --- The pages ------------------------------------------------------------------------------------

SELF_SIGNED = "Sealed with a self-signed demonstration certificate, not a qualified seal."


def test_the_verification_page_offers_the_edc_and_says_the_seal_is_self_signed(client, issued):
    assert load_seal().self_signed  # the tests' seal
    page = client.get(f"/public/assertions/{issued.pk}", HTTP_ACCEPT="text/html").content.decode()
    assert "European Digital Credential (Europass)" in page
    assert f"/public/assertions/{issued.pk}/edc?download=1" in page
    assert f"/public/assertions/{issued.pk}/edc/uploadable?download=1" in page
    assert SELF_SIGNED in page


def test_the_backpack_offers_the_edc_files(client, issued):
    client.force_login(issued.recipient)
    page = client.get("/learn/badges/").content.decode()
    assert "European Digital Credential (Europass)" in page
    assert f"/public/assertions/{issued.pk}/edc?download=1" in page
    assert SELF_SIGNED in page


def test_a_revoked_badge_offers_no_edc(client, issued):
    assertion_revoke(assertion=issued, acting_user=leads_admin(), reason="Issued in error")
    page = client.get(f"/public/assertions/{issued.pk}", HTTP_ACCEPT="text/html").content.decode()
    assert "/edc" not in page
