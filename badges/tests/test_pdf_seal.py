"""The centre's seal on the certificate and the micro-credential supplement (PAdES), checked with
Poppler's ``pdfsig`` and ``pdftotext``: independent of pyHanko, which made the signature."""

import re
import shutil
import socket
import subprocess
from datetime import date

import pytest
import weasyprint
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from badges import certificate, pdf_seal, supplement
from badges.seal import load_seal
from config.seal_files import ensure_self_signed_seal

from .factories import issued_badge, revoked_badge

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (shutil.which("pdfsig") and shutil.which("pdftotext")),
        reason="Poppler's pdfsig and pdftotext (poppler-utils) are needed",
    ),
]

VALID = "Signature Validation: Signature is Valid."
# What pdfsig 22.12 says of a self-signed certificate: no trust anchor vouches for it.
NOT_TRUSTED = "Certificate Validation: Certificate issuer is unknown."
NO_SIGNATURE = "does not contain any signatures"

COURSE_ELEMENTS = {
    "prerequisites": "A first course in statistics",
    "assessment_supervision": "online_id",
    "stackability": "Stackable towards the Data Science pathway",
}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def pdfsig(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "sealed.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdfsig", str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    return result.stdout + result.stderr


def pdftext(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return " ".join(result.stdout.split())


def seal_common_name() -> str:
    subject = load_seal().certificate.subject
    return subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value


def get_pdf(client, name, assertion) -> bytes:
    response = client.get(reverse(f"badges:{name}", args=[str(assertion.pk)]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response.content


def assert_sealed(report: str):
    assert "Signature #1:" in report and "Signature #2:" not in report, report
    assert f"Signature Field Name: {pdf_seal.FIELD_NAME}" in report
    assert f"Signer Certificate Common Name: {seal_common_name()}" in report
    assert "Signature Type: ETSI.CAdES.detached" in report
    assert "Total document signed" in report
    assert VALID in report
    assert NOT_TRUSTED in report


@pytest.mark.parametrize("name", ["certificate", "supplement"])
def test_the_pdf_is_sealed_valid_and_the_self_signed_seal_is_not_trusted(client, tmp_path, name):
    assertion = issued_badge()
    assert_sealed(pdfsig(get_pdf(client, name, assertion), tmp_path))


def signed_ranges(pdf: bytes) -> list[tuple[int, int]]:
    """The /ByteRange of the (one) signature: [(start, length), (start, length)]."""
    (match,) = re.findall(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    a, b, c, d = (int(n) for n in match)
    return [(a, b), (c, d)]


def test_changing_a_byte_inside_the_signed_range_invalidates_the_seal(client, tmp_path):
    pdf = get_pdf(client, "certificate", issued_badge())
    (start, length), _ = signed_ranges(pdf)
    # The producer in the document information as WeasyPrint wrote it, before the signature.
    offset = pdf.index(b"WeasyPrint")
    assert start <= offset < start + length
    tampered = pdf[:offset] + b"X" + pdf[offset + 1 :]
    report = pdfsig(tampered, tmp_path)
    assert VALID not in report
    assert "Signature Validation: Digest Mismatch." in report, report


def test_the_certificate_names_the_signatory_under_the_centre_and_a_demonstration_seal(
    client, tmp_path
):
    assertion = issued_badge()
    text = pdftext(get_pdf(client, "certificate", assertion), tmp_path)
    centre, name, role = (
        settings.CENTRE_NAME,
        settings.SEAL_SIGNATORY_NAME,
        settings.SEAL_SIGNATORY_ROLE,
    )
    assert name and role
    assert f"Sealed electronically by {centre} {name} {role} {centre}" in text
    assert "demonstration seal, not a qualified electronic seal" in text
    # Still the whole certificate on one page, with its verification address in the footer.
    assert page_count(tmp_path / "document.pdf") == 1
    verification = settings.SITE_URL + f"/public/assertions/{assertion.pk}"
    assert f"Check this badge at {verification}" in text


def page_count(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def test_the_signatory_comes_from_the_settings_and_a_new_signatory_makes_a_new_pdf(
    client, tmp_path
):
    assertion = issued_badge()
    first = get_pdf(client, "certificate", assertion)
    assert get_pdf(client, "certificate", assertion) == first  # the sealed bytes are cached
    with override_settings(SEAL_SIGNATORY_NAME="Prof. Sara Qureshi", SEAL_SIGNATORY_ROLE="Dean"):
        renamed = get_pdf(client, "certificate", assertion)
    assert renamed != first
    text = pdftext(renamed, tmp_path)
    assert "Prof. Sara Qureshi Dean" in text
    assert_sealed(pdfsig(renamed, tmp_path))


def test_a_new_seal_reseals_the_cached_pdfs(client, tmp_path):
    assertion = issued_badge()
    old = {name: get_pdf(client, name, assertion) for name in ("certificate", "supplement")}
    old_fingerprint = load_seal().x5t_s256()
    certificate_file, key_file = ensure_self_signed_seal(
        tmp_path / "new-seal", organisation=settings.CENTRE_NAME
    )
    with override_settings(
        SEAL_CERTIFICATE_FILE=str(certificate_file), SEAL_KEY_FILE=str(key_file)
    ):
        assert load_seal().x5t_s256() != old_fingerprint
        for name in ("certificate", "supplement"):
            new = get_pdf(client, name, assertion)
            assert new != old[name]
            assert_sealed(pdfsig(new, tmp_path))


def test_sealing_fetches_nothing(monkeypatch):
    """A B-B seal needs no timestamp and no revocation data: sealing works with every network
    connection refused."""
    assertion = issued_badge()
    html = certificate.certificate_html(assertion, now=timezone.now())
    pdf = certificate.render_pdf(html)
    seal = load_seal()
    attempts = []

    def refuse(self, address):
        attempts.append(address)
        raise OSError("no network while sealing")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    sealed = pdf_seal.seal_pdf(pdf, seal=seal)
    monkeypatch.undo()
    assert attempts == []
    assert sealed.startswith(pdf)  # an incremental update: the rendered PDF, then the seal
    assert b"/ETSI.CAdES.detached" in sealed[len(pdf) :]


@override_settings(SEAL_CERTIFICATE_FILE=None)
@pytest.mark.parametrize("name", ["certificate", "supplement"])
def test_without_a_seal_the_pdf_is_served_unsealed_and_claims_no_seal(client, tmp_path, name):
    assertion = issued_badge()
    pdf = get_pdf(client, name, assertion)
    assert pdf.startswith(b"%PDF-") and b"/ByteRange" not in pdf
    assert NO_SIGNATURE in pdfsig(pdf, tmp_path)
    text = pdftext(pdf, tmp_path)
    assert assertion.recipient_name in text
    assert "Sealed electronically" not in text and "demonstration seal" not in text
    assert f"Issued by {settings.CENTRE_NAME}" in text
    assert "This copy carries no electronic seal" in text


def test_the_supplement_carries_every_annex_i_element(client, tmp_path):
    assertion = issued_badge(**COURSE_ELEMENTS)
    version = assertion.badge_version
    text = pdftext(get_pdf(client, "supplement", assertion), tmp_path)
    mandatory = {
        "Identification of the learner": "Amina Yusuf",
        "Title of the micro-credential": version.name,
        "Country or region of the issuer": "Pakistan",
        "Awarding body": version.issuer_name,
        "Date of issuing": f"{assertion.issued_on:%-d %B %Y}",
        "Learning outcomes": "Every learning outcome was demonstrated by assessment.",
        "Notional workload needed to achieve the learning outcomes (in ECTS credits)": (
            "2 ECTS credits"
        ),
        "Notional learning hours": "50.5 hours",
        "Level of the learning experience (EQF, QF-EHEA)": "EQF level 5",
        "Type of assessment": version.assessment_type,
        "Form of participation in the learning activity": version.participation_form,
        "Type of quality assurance used to underpin the micro-credential": (
            "Approved by the Dean under the LEADS course review"
        ),
    }
    optional = {
        "Prerequisites needed to enrol": "A first course in statistics",
        "Supervision and identity verification during assessment": (
            "Supervised online, with identity verification"
        ),
        "Grade achieved": "Passed: Every learning outcome was demonstrated by assessment.",
        "Integration and stackability options": "Stackable towards the Data Science pathway",
        "Further information": "Course: Data Analytics with Python, ",
    }
    assert version.assessment_type and version.participation_form
    for label, value in {**mandatory, **optional}.items():
        assert f"{label} {value}" in text, label
    # Each outcome with its result, and the assessments that demonstrated it.
    for outcome in assertion.outcome_results:
        assert f"{outcome['code']} {outcome['text']} Demonstrated (pass)" in text
        for by in outcome["demonstrated_by"]:
            assert by["title"] in text
    for item in assertion.evidence:
        assert item["name"] in text and item["narrative"] in text
    assert "REVOKED" not in text and "EXPIRED" not in text


def test_the_supplement_says_which_outcomes_were_not_demonstrated(tmp_path):
    assertion = issued_badge()
    results = [dict(r) for r in assertion.outcome_results]
    results[1] = {**results[1], "demonstrated": False, "demonstrated_by": []}
    assertion.outcome_results = results
    pdf = certificate.render_pdf(supplement.supplement_html(assertion, now=timezone.now()))
    text = pdftext(pdf, tmp_path)
    first, second = results
    assert f"{first['code']} {first['text']} Demonstrated (pass)" in text
    assert f"{second['code']} {second['text']} Not demonstrated (not demonstrated)" in text
    assert f"Not demonstrated by assessment: {second['code']}." in text


def test_a_revoked_badges_supplement_says_so_and_certifies_no_outcome(client, tmp_path):
    assertion = revoked_badge(reason="Plagiarised final project")
    pdf = get_pdf(client, "supplement", assertion)
    text = pdftext(pdf, tmp_path)
    assert "REVOKED — this badge is no longer valid" in text
    assert "Plagiarised final project" in text
    assert "Not certified: the badge was revoked." in text
    assert "Demonstrated (pass)" not in text
    assert_sealed(pdfsig(pdf, tmp_path))


def test_an_expired_badges_supplement_says_expired(client, tmp_path):
    assertion = issued_badge(badge_expiry_months=None, badge_expiry_date=date.today())
    text = pdftext(get_pdf(client, "supplement", assertion), tmp_path)
    assert f"EXPIRED on {assertion.expires_on:%-d %B %Y}" in text
    assert f"Status Expired since {assertion.expires_on:%-d %B %Y}" in text


def test_a_revocation_makes_a_new_sealed_supplement(client, tmp_path):
    from badges.services import assertion_revoke
    from courses.tests.factories import leads_admin

    assertion = issued_badge()
    first = get_pdf(client, "supplement", assertion)
    assert get_pdf(client, "supplement", assertion) == first
    assertion_revoke(assertion=assertion, acting_user=leads_admin(), reason="Issued in error")
    revoked = get_pdf(client, "supplement", assertion)
    assert revoked != first
    assert "Issued in error" in pdftext(revoked, tmp_path)


def test_the_verification_page_and_backpack_offer_the_supplement(client):
    assertion = issued_badge()
    url = reverse("badges:supplement", args=[str(assertion.pk)])
    assert url == f"/public/assertions/{assertion.pk}/supplement.pdf"
    page = client.get(
        reverse("badges:assertion", args=[str(assertion.pk)]), HTTP_ACCEPT="text/html"
    )
    assert f'href="{url}"' in page.content.decode()
    client.force_login(assertion.recipient)
    backpack = client.get(reverse("badges:backpack"))
    assert f'href="{url}"' in backpack.content.decode()


def test_a_pdf_is_sealed_from_inside_a_running_event_loop(tmp_path):
    """pyHanko's own sign_pdf refuses to run inside an event loop (an ASGI server's thread, a
    test process that drives a browser); the seal is applied there too."""
    import asyncio

    from badges.pdf_seal import seal_pdf
    from badges.seal import load_seal

    pdf = weasyprint.HTML(string="<p>Sealed inside a loop</p>").write_pdf()

    async def inside_a_loop():
        return seal_pdf(pdf, seal=load_seal())

    sealed = asyncio.run(inside_a_loop())
    path = tmp_path / "sealed.pdf"
    path.write_bytes(sealed)
    report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature Validation: Signature is Valid." in report
