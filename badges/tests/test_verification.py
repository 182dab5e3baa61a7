"""/verify/ and POST /api/v1/verify: every format, every tampering, every hostile input answered
with a verdict and its reasons, never a 500."""

import copy
import json
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from badges.openbadges import baking
from badges.openbadges.vc import eddsa_rdfc_2022, jwt, multikey
from badges.openbadges.vc.bench import sample_credential
from badges.services import assertion_issue, assertion_revoke
from courses.tests.factories import leads_admin

from .test_services import cohort, complete

pytestmark = pytest.mark.django_db
SITE = "https://centre.example"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE
    cache.clear()


@pytest.fixture
def issued():
    _, instructor, plan, _, _, (enrollment, _) = cohort()
    complete(enrollment, plan, instructor)
    return assertion_issue(enrollment=enrollment)[0]


def verify(client, **data):
    files = {k: v for k, v in data.items() if hasattr(v, "read")}
    fields = {k: v for k, v in data.items() if k not in files}
    response = client.post(reverse("badges:verify"), {**fields, **files})
    assert response.status_code in (200, 400, 429)
    return response, response.context["report"] if response.context else None


def baked(client, assertion):
    return client.get(f"/public/assertions/{assertion.pk}/image").content


def test_our_baked_png_verifies_with_each_check_listed(client, issued):
    response, report = verify(client, file=SimpleUploadedFile("badge.png", baked(client, issued)))
    assert report.verdict == "valid", report.checks
    assert report.format == "Open Badges 2.0 (hosted)"
    names = [c.name for c in report.checks]
    assert {"Hosted record", "Matches the issuer's record", "Validity period"} <= set(names)
    assert report.achievement["name"] == issued.badge_class.name
    assert "✓ Valid" in response.content.decode()


def test_the_earners_email_can_be_checked(client, issued):
    image = baked(client, issued)
    _, report = verify(client, file=SimpleUploadedFile("b.png", image),
                       recipient_email=issued.recipient_email.upper())  # fmt: skip
    assert report.verdict == "valid"
    _, report = verify(client, file=SimpleUploadedFile("b.png", image),
                       recipient_email="someone.else@example.org")  # fmt: skip
    assert report.verdict == "invalid"
    assert "Not issued to someone.else@example.org" in report.summary


def test_a_revoked_badge_says_so_with_the_reason(client, issued):
    image = baked(client, issued)
    assertion_revoke(assertion=issued, acting_user=leads_admin(), reason="Plagiarised project")
    _, report = verify(client, file=SimpleUploadedFile("b.png", image))
    assert report.verdict == "revoked"
    assert "Plagiarised project" in report.summary


def test_an_altered_copy_is_caught(client, issued):
    document = client.get(f"/public/assertions/{issued.pk}.json").json()
    document["issuedOn"] = "2020-01-01T00:00:00+00:00"
    _, report = verify(client, text=json.dumps(document))
    assert report.verdict == "invalid"
    assert "altered" in report.summary


def test_urls_of_ours_are_checked_and_others_are_not_fetched(client, issued):
    _, report = verify(client, text=f"{SITE}/public/assertions/{issued.pk}")
    assert report.verdict == "valid"
    _, report = verify(client, text="https://badges.elsewhere.example/assertions/1")
    assert report.verdict == "unverifiable"
    assert "does not fetch other sites" in report.checks[0].reason


def signed_did_key_credential(key, **changes):
    credential = sample_credential(1)
    did = multikey.did_key(key.public_key())
    credential["issuer"] = {**credential["issuer"], "id": did}
    credential.update(changes)
    credential.pop("credentialStatus", None)
    return eddsa_rdfc_2022.add_proof(
        credential,
        private_key=key,
        verification_method=multikey.did_key_verification_method(key.public_key()),
    )


def test_another_issuers_did_key_credential_is_verified_offline(client):
    key = Ed25519PrivateKey.generate()
    signed = signed_did_key_credential(key)
    _, report = verify(client, text=json.dumps(signed))
    assert report.format.startswith("Open Badges 3.0 (Data Integrity")
    assert report.verdict == "valid", report.checks
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["name"] = "Something grander"
    _, report = verify(client, text=json.dumps(tampered))
    assert report.verdict == "invalid"
    assert "signature does not verify" in report.summary


def test_expired_and_not_yet_valid_credentials(client):
    key = Ed25519PrivateKey.generate()
    now = datetime.now(UTC).replace(microsecond=0)
    expired = signed_did_key_credential(
        key, validFrom=(now - timedelta(days=400)).isoformat(),
        validUntil=(now - timedelta(days=30)).isoformat(),
    )  # fmt: skip
    _, report = verify(client, text=json.dumps(expired))
    assert report.verdict == "expired"
    future = signed_did_key_credential(key, validFrom=(now + timedelta(days=30)).isoformat())
    _, report = verify(client, text=json.dumps(future))
    assert report.verdict == "not_yet_valid"


def test_a_vc_jwt_with_did_key_verifies_and_alg_none_is_refused(client):
    key = Ed25519PrivateKey.generate()
    credential = signed_did_key_credential(key)
    credential.pop("proof")
    token = jwt.sign(credential, key, kid=multikey.did_key_verification_method(key.public_key()))
    _, report = verify(client, text=token)
    assert report.format == "Open Badges 3.0 (VC-JWT)"
    assert report.verdict == "valid", report.checks
    header, payload, _ = token.split(".")
    import base64

    none_header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    _, report = verify(client, text=f"{none_header}.{payload}.")
    assert report.verdict == "invalid"
    assert "not accepted" in report.summary


def png_with_chunks(*chunks):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="PNG")
    png = buffer.getvalue()
    header_end = 8 + 25  # signature + IHDR chunk
    return png[:header_end] + b"".join(chunks) + png[header_end:]


def itxt(text, keyword=b"openbadges"):
    data = keyword + b"\x00\x00\x00\x00\x00" + text.encode()
    return baking.encode_png_chunk(b"iTXt", data)


BOMB_SVG = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg"><text>&lol2;</text></svg>'
)


@pytest.mark.parametrize(
    ("label", "payload", "reason"),
    [
        ("png without a badge", lambda: png_with_chunks(), "holds no badge"),
        ("png with two badges", lambda: png_with_chunks(itxt("{}"), itxt("{}")), "more than one"),
        ("malformed chunk", lambda: png_with_chunks(itxt("{}")[:-4] + b"\x00\x00\x00\x00"),
         "cannot be read"),
        ("xml bomb", lambda: BOMB_SVG, "cannot be read"),
        ("not json", lambda: b"{this is not json", "not valid JSON"),
        ("json array", lambda: b"[1, 2, 3]", "not JSON, a compact JWT or a URL"),
        ("deep nesting", lambda: b'{"a":' * 5000 + b"1" + b"}" * 5000, "nested more than"),
        ("json not a credential", lambda: b'{"hello": "world"}', "neither an Open Badges"),
        ("binary", lambda: bytes(range(256)) * 10, "not a PNG, an SVG"),
        ("oversize", lambda: b" " * (2 * 1024 * 1024 + 10), "larger than 2 MB"),
        ("gzip-bomb-like zlib text", lambda: zlib.compress(b"0" * 100000), "not a PNG"),
    ],
)  # fmt: skip
def test_hostile_or_broken_uploads_get_a_verdict_and_a_reason(client, label, payload, reason):
    response, report = verify(client, file=SimpleUploadedFile("upload.bin", payload()))
    page = response.content.decode()
    assert response.status_code in (200, 400), label
    text = report.summary if report else page
    assert reason in text, (label, text)


def test_the_api_answers_the_same_as_the_page(client, issued):
    url = f"{SITE}/public/assertions/{issued.pk}"
    response = client.post("/api/v1/verify", {"text": url}, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] == "valid"
    assert {c["name"] for c in body["checks"]} >= {"Hosted record", "Validity period"}
    bad = client.post("/api/v1/verify", {}, content_type="application/json")
    assert bad.status_code == 400


def test_verification_is_rate_limited_per_client(client):
    statuses = [
        client.post("/api/v1/verify", {"text": "x"}, content_type="application/json").status_code
        for _ in range(32)
    ]
    assert statuses[0] == 200 and statuses[-1] == 429


def test_our_signed_credential_verifies_and_its_revocation_shows(
    client, issued, django_capture_on_commit_callbacks
):
    credential = client.get(f"/public/assertions/{issued.pk}/credential").content.decode()
    _, report = verify(client, text=credential)
    assert report.verdict == "valid", report.checks
    assert {c.name for c in report.checks} >= {"Proof", "Validity period", "Revocation"}
    token = client.get(f"/public/assertions/{issued.pk}/credential?format=jwt").content.decode()
    _, report = verify(client, text=token)
    assert report.verdict == "valid", report.checks
    baked_credential = client.get(f"/public/assertions/{issued.pk}/credential/image").content
    _, report = verify(client, file=SimpleUploadedFile("c.png", baked_credential))
    assert report.verdict == "valid", report.checks

    with django_capture_on_commit_callbacks(execute=True):  # the list is republished on commit
        assertion_revoke(assertion=issued, acting_user=leads_admin(), reason="Issued in error")
    _, report = verify(client, text=credential)
    assert report.verdict == "revoked"


# --- Trust: keys bound to issuers, lists to their issuers, ours said plainly (issue 12) --------


def our_issuer_id(assertion):
    return json.loads(assertion.credential_json)["issuer"]["id"]


def test_a_jwt_naming_our_issuer_but_signed_with_someone_elses_key_is_not_valid(client, issued):
    """The forged VC-JWT of issue 12: a did:key signs a token that names our issuer."""
    forger = Ed25519PrivateKey.generate()
    credential = json.loads(issued.credential_json)
    credential.pop("proof")
    credential["credentialSubject"]["achievement"]["name"] = "Doctorate in Everything"
    token = jwt.sign(
        credential, forger, kid=multikey.did_key_verification_method(forger.public_key())
    )
    response, report = verify(client, text=token)
    assert report.verdict == "invalid", report.checks
    assert "not of its issuer" in report.summary
    assert report.issuer["ours"] is False  # never shown under our name
    assert "this centre" not in response.content.decode()
    response = client.post("/api/v1/verify", {"text": token}, content_type="application/json")
    assert response.json()["verdict"] == "invalid"
    ob3_image = client.get(f"/public/assertions/{issued.pk}/credential/image").content
    png = baking.bake_png(ob3_image, token, fmt=baking.OB3)
    _, report = verify(client, file=SimpleUploadedFile("forged.png", png))
    assert report.verdict == "invalid"


def test_a_data_integrity_credential_naming_our_issuer_with_a_stranger_key_is_not_valid(
    client, issued
):
    forger = Ed25519PrivateKey.generate()
    credential = json.loads(issued.credential_json)
    credential.pop("proof")
    forged = eddsa_rdfc_2022.add_proof(
        credential,
        private_key=forger,
        verification_method=multikey.did_key_verification_method(forger.public_key()),
    )
    response, report = verify(client, text=json.dumps(forged))
    assert report.verdict == "invalid"
    assert report.failed()["Proof"].code == "PROOF_VERIFICATION_ERROR"
    assert report.issuer["ours"] is False
    assert "did not sign it" in report.failed()["Issuer"].reason
    assert "this centre" not in response.content.decode()


def test_a_self_signed_credential_cannot_borrow_our_name_or_our_status_list(
    client, issued, settings
):
    key = Ed25519PrivateKey.generate()
    ours = json.loads(issued.credential_json)
    credential = sample_credential(1)
    did = multikey.did_key(key.public_key())
    credential["issuer"] = {**credential["issuer"], "id": did, "name": settings.CENTRE_NAME}
    credential["credentialStatus"] = ours["credentialStatus"]  # our list, an index of ours
    signed = eddsa_rdfc_2022.add_proof(
        credential,
        private_key=key,
        verification_method=multikey.did_key_verification_method(key.public_key()),
    )
    response, report = verify(client, text=json.dumps(signed))
    assert report.issuer == {"id": did, "name": settings.CENTRE_NAME, "ours": False}
    assert report.verdict == "invalid"
    assert "belongs to another issuer" in report.failed()["Revocation"].reason
    assert f"Not issued by {settings.CENTRE_NAME}" in report.summary
    page = response.content.decode()
    assert f"Not issued by {settings.CENTRE_NAME}." in page and did in page
    assert "this centre" not in page


def test_a_valid_credential_from_elsewhere_is_valid_but_never_ours(client, settings):
    key = Ed25519PrivateKey.generate()
    signed = signed_did_key_credential(key)
    _, report = verify(client, text=json.dumps(signed))
    assert report.verdict == "valid"
    assert report.issuer["ours"] is False
    assert report.summary.endswith(f"Not issued by {settings.CENTRE_NAME}.")
    assert any(c.name == "Issuer" and c.status == "warn" for c in report.checks)


def test_an_https_issuer_elsewhere_cannot_be_checked_offline_and_is_not_ours(client, settings):
    credential = sample_credential(1)
    credential["issuer"] = {**credential["issuer"], "id": "https://elsewhere.example/issuer"}
    credential["proof"] = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "verificationMethod": "https://elsewhere.example/issuer#key-1",
        "proofPurpose": "assertionMethod",
        "proofValue": "z" + "1" * 87,
    }
    _, report = verify(client, text=json.dumps(credential))
    assert report.verdict == "unverifiable"
    assert "Not issued by" in report.summary and "elsewhere.example" in report.checks[0].reason


def test_our_credential_and_jwt_name_the_earner_and_check_an_email(client, issued):
    credential = client.get(f"/public/assertions/{issued.pk}/credential").content.decode()
    token = issued.credential_jwt
    for text in (credential, token):
        _, report = verify(client, text=text)
        assert report.verdict == "valid", report.checks
        assert report.recipient["name"] == issued.recipient_name
        assert (
            f"Issued to {issued.recipient_name}"
            in {c.name: c for c in report.checks}["Earner"].reason
        )
        _, report = verify(client, text=text, recipient_email=issued.recipient_email.upper())
        assert report.verdict == "valid" and report.recipient["matches"] is True
        _, report = verify(client, text=text, recipient_email="impostor@example.org")
        assert report.verdict == "invalid"
        assert "Not issued to impostor@example.org" in report.summary


def test_an_email_is_checked_against_another_issuers_credential_too(client):
    key = Ed25519PrivateKey.generate()
    credential = sample_credential(1)
    email = "someone@example.org"
    identity = credential["credentialSubject"]["identifier"][0]
    identity["identityHash"] = ob2_hash(email, identity["salt"])
    credential["issuer"] = {**credential["issuer"], "id": multikey.did_key(key.public_key())}
    credential.pop("credentialStatus", None)
    signed = eddsa_rdfc_2022.add_proof(
        credential,
        private_key=key,
        verification_method=multikey.did_key_verification_method(key.public_key()),
    )
    _, report = verify(client, text=json.dumps(signed), recipient_email=email)
    assert report.verdict == "valid" and report.recipient["matches"] is True
    _, report = verify(client, text=json.dumps(signed), recipient_email="other@example.org")
    assert report.verdict == "invalid"


def ob2_hash(email, salt):
    from badges.openbadges.ob2 import hash_recipient

    return hash_recipient(email, salt)


def test_our_record_has_the_last_word_on_expiry(client, issued):
    """The demo's expired badge: its record says expired, so every format says expired."""
    from badges.models import Assertion

    Assertion.objects.filter(pk=issued.pk).update(expires_on=datetime.now(UTC) - timedelta(days=1))
    credential = client.get(f"/public/assertions/{issued.pk}/credential").content.decode()
    for text in (credential, issued.credential_jwt, f"{SITE}/public/assertions/{issued.pk}"):
        _, report = verify(client, text=text)
        assert report.verdict == "expired", (text[:40], report.checks)


def test_a_badge_url_with_a_trailing_slash_or_a_fragment_is_the_same_badge(client, issued):
    for url in (
        f"{SITE}/public/assertions/{issued.pk}/",
        f"{SITE}/public/assertions/{issued.pk}#top",
        f"{SITE}/public/assertions/{issued.pk}/credential/",
        f"{SITE}/public/assertions/{issued.pk}/credential?format=jwt",
    ):
        _, report = verify(client, text=url)
        assert report.verdict == "valid", (url, report.checks)


def test_the_api_gives_each_checks_code_and_whose_badge_it_is(client, issued):
    credential = client.get(f"/public/assertions/{issued.pk}/credential").json()
    body = client.post(
        "/api/v1/verify", {"credential": credential}, content_type="application/json"
    ).json()
    assert body["verdict"] == "valid"
    assert body["issuer"]["ours"] is True and body["recipient"]["name"] == issued.recipient_name
    assert all("code" in c for c in body["checks"])


def did_key_signed(key, credential):
    credential["issuer"] = {**credential["issuer"], "id": multikey.did_key(key.public_key())}
    credential.pop("credentialStatus", None)
    return credential


ODD_SHAPES = [
    {"type": {}},
    {"type": [{}], "id": 5},
    {"type": "Assertion", "id": "http://[x"},
    {"type": "OpenBadgeCredential", "issuer": ["x"], "credentialSubject": 7},
    {"type": "OpenBadgeCredential", "issuer": "did:key:z6Mk", "credentialSubject": {
        "achievement": {"alignment": 5, "resultDescription": [{"id": []}], "criteria": "x"},
        "result": [{"resultDescription": {}}, 3], "identifier": 5}},
    {"type": "OpenBadgeCredential", "validFrom": 5, "validUntil": [], "credentialStatus": 7},
]  # fmt: skip


@pytest.mark.parametrize("document", ODD_SHAPES)
def test_documents_of_odd_shapes_get_a_verdict_never_a_500(client, document):
    response, report = verify(client, text=json.dumps(document), recipient_email="a@example.org")
    assert response.status_code == 200 and report.verdict in ("invalid", "unverifiable")
    api = client.post("/api/v1/verify", {"credential": document}, content_type="application/json")
    assert api.status_code == 200


def test_a_pasted_address_that_is_not_one_gets_a_verdict(client):
    response, report = verify(client, text="https://[abc/x")
    assert response.status_code == 200 and report.verdict == "invalid"


def test_self_signed_tokens_of_odd_shapes_get_a_verdict(client):
    key = Ed25519PrivateKey.generate()
    did = multikey.did_key(key.public_key())
    vm = multikey.did_key_verification_method(key.public_key())
    import jwt as pyjwt

    odd_vc = pyjwt.encode({"iss": did, "jti": "urn:x", "nbf": 1, "vc": "ab"}, key,
                          algorithm="EdDSA", headers={"kid": vm})  # fmt: skip
    credential = did_key_signed(key, sample_credential(1))
    credential["credentialSubject"]["identifier"] = 5
    odd_identifier = jwt.sign(credential, key, kid=vm)
    credential = did_key_signed(key, sample_credential(1))
    credential["credentialSubject"]["identifier"][0]["salt"] = 5
    odd_salt = jwt.sign(credential, key, kid=vm)
    for token in (odd_vc, odd_identifier, odd_salt):
        response, report = verify(client, text=token, recipient_email="a@example.org")
        assert response.status_code == 200 and report.verdict == "invalid", report.checks


def test_a_vc_1_1_token_past_its_expiration_date_is_expired(client):
    import jwt as pyjwt

    key = Ed25519PrivateKey.generate()
    did = multikey.did_key(key.public_key())
    vc = did_key_signed(key, sample_credential(1))
    vc.pop("validFrom", None)
    vc.pop("validUntil", None)
    vc.update(issuanceDate="2020-01-01T00:00:00Z", expirationDate="2021-01-01T00:00:00Z")
    token = pyjwt.encode(
        {"iss": did, "jti": vc["id"], "nbf": 1577836800, "exp": 1609459200, "vc": vc},
        key, algorithm="EdDSA",
        headers={"kid": multikey.did_key_verification_method(key.public_key())},
    )  # fmt: skip
    _, report = verify(client, text=token)
    assert report.verdict == "expired", report.checks


def test_an_issuer_that_is_another_address_of_ours_is_not_valid(client, issued):
    key = Ed25519PrivateKey.generate()
    credential = sample_credential(1)
    credential["issuer"] = {
        **credential["issuer"],
        "id": f"{SITE}/public/issuers/{issued.badge_class.issuer_id}",
    }
    credential.pop("credentialStatus", None)
    signed = eddsa_rdfc_2022.add_proof(
        credential, private_key=key,
        verification_method=multikey.did_key_verification_method(key.public_key()),
    )  # fmt: skip
    _, report = verify(client, text=json.dumps(signed))
    assert report.verdict == "invalid" and "no issuer's keys" in report.failed()["Issuer"].reason


def test_a_pasted_certificate_address_is_not_rendered_to_be_verified(client, issued):
    _, report = verify(client, text=f"{SITE}/public/assertions/{issued.pk}/certificate.pdf")
    assert report.verdict == "invalid" and "no badge at that address" in report.summary
