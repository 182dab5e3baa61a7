"""Open Badges 3.0 credentials: composition, sign → verify before storing, and every kind of
tampering rejected by the one verifier with the right reason (badges/verification.py).

Badges are issued through the real services (assertion_issue, assertions_issue_bulk), as the
centre issues them; the JavaScript verifier's view of the same credentials is in
test_credential_views.py.
"""

import copy
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext

from badges import identifiers, keys, services, signing
from badges.models import Assertion, SigningKey, StatusList
from badges.openbadges.vc import eddsa_rdfc_2022, multikey
from badges.openbadges.vc import jwt as vc_jwt
from badges.services import (
    IssueRefused,
    assertion_issue,
    assertion_revoke,
    assertions_issue_bulk,
    assertions_resign,
)
from badges.tests.verifying import credential_report, jwt_report
from courses.services import enrollment_mark_complete
from courses.tests.factories import enrolled_learners, leads_admin

from .test_services import cohort, complete

pytestmark = pytest.mark.django_db

SITE = "https://centre.example"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


def issue_one():
    _, instructor, plan, _, _, (enrollment, _) = cohort()
    complete(enrollment, plan, instructor)
    assertion, _ = assertion_issue(enrollment=enrollment)
    return assertion


@pytest.fixture
def issued():
    return issue_one()


def credential_of(assertion) -> dict:
    return json.loads(assertion.credential_json)


def unsigned(credential: dict) -> dict:
    return {k: v for k, v in credential.items() if k != "proof"}


# Our own badge, revoked or expired: the status list or the dates say so, and so does our record.
REVOKED = {"Revocation": "REVOKED", "Issuer's record": "REVOKED"}
EXPIRED = {"Validity period": "EXPIRED", "Issuer's record": "EXPIRED"}
# Names our issuer but its proof is not ours: never shown as ours.
NOT_OURS = {"Issuer": "PROOF_VERIFICATION_ERROR"}


def failed(credential, **options) -> dict[str, str]:
    """{check name: code} of what fails."""
    result = credential_report(credential, **options)
    return {name: check.code for name, check in result.failed().items()}


# --- What is composed -----------------------------------------------------------------------


def test_the_credential_is_an_ob3_open_badge_credential(issued):
    credential = credential_of(issued)
    issuer_id = f"{SITE}/public/issuers/{issued.badge_class.issuer_id}/keys"
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        f"{SITE}/public/contexts/eu-microcredential-ob3-v1.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == f"{SITE}/public/assertions/{issued.pk}/credential"
    assert credential["issuer"]["id"] == issuer_id
    assert credential["issuer"]["type"] == ["Profile"]
    assert credential["issuer"]["otherIdentifier"][0]["identifier"] == (
        f"{SITE}/public/issuers/{issued.badge_class.issuer_id}"
    )
    assert credential["validFrom"] == issued.issued_on.astimezone(UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    assert credential["validUntil"].startswith(f"{issued.expires_on.astimezone(UTC):%Y-%m-%d}")
    assert credential["proof"][0]["type"] == "DataIntegrityProof"
    assert credential["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["proof"][0]["proofPurpose"] == "assertionMethod"
    assert credential["proof"][0]["verificationMethod"] == (
        f"{issuer_id}#{issued.signing_key.fragment}"
    )


def test_the_learner_is_a_salted_hash_of_their_email_and_never_named(issued):
    subject = credential_of(issued)["credentialSubject"]
    assert "id" not in subject
    assert subject["identifier"] == [
        {
            "type": "IdentityObject",
            "identityHash": issued.recipient_hash,
            "identityType": "emailAddress",
            "hashed": True,
            "salt": issued.salt,
        }
    ]
    text = issued.credential_json + issued.credential_jwt
    assert issued.recipient_email not in text
    assert issued.recipient_name not in text


def test_the_achievement_carries_outcomes_results_credits_and_the_eu_elements(issued):
    credential = credential_of(issued)
    subject = credential["credentialSubject"]
    achievement = subject["achievement"]
    badge = issued.badge_version
    assert badge.pk == issued.badge_class_id  # version 1 keeps the badge class's id
    assert achievement["id"] == f"{SITE}/public/badges/{badge.pk}"
    assert achievement["achievementType"] == "MicroCredential"
    assert achievement["name"] == badge.name
    assert achievement["criteria"]["narrative"] == badge.criteria_narrative
    assert achievement["image"] == {"id": f"{SITE}/public/badges/{badge.pk}/image", "type": "Image"}
    assert achievement["creditsAvailable"] == badge.ects_credits == subject["creditsEarned"]
    assert [a["targetCode"] for a in achievement["alignment"]] == ["LO1", "LO2"]
    descriptions = achievement["resultDescription"]
    assert [d["id"] for d in descriptions] == [
        f"{SITE}/public/badges/{badge.pk}#result-LO1",
        f"{SITE}/public/badges/{badge.pk}#result-LO2",
    ]
    assert all(d["allowedValue"] == ["pass", "not demonstrated"] for d in descriptions)
    assert subject["result"] == [
        {"type": ["Result"], "resultDescription": d["id"], "value": "pass"} for d in descriptions
    ]
    eu = achievement["euMicroCredential"]
    assert eu["type"] == ["EUMicroCredentialExtension"]
    assert eu["ectsCredits"] == badge.ects_credits
    assert eu["awardingBody"] == badge.issuer_name == issued.badge_class.issuer.name
    assert [e["name"] for e in credential["evidence"]] == ["Task 1", "Task 2"]
    assert credential["evidence"][0]["id"] == "https://vle.example/s/1"
    status = credential["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    assert status["statusListCredential"] == f"{SITE}/public/status/{issued.status_list_id}"
    assert status["statusListIndex"] == str(issued.status_index)


def test_an_outcome_not_assessed_is_not_demonstrated_never_failed_and_the_decision_is_said():
    admin, instructor, plan, _, _, (enrollment, _) = cohort()
    from assessments.services import record_result

    record_result(
        enrollment=enrollment, assessment=plan[0], result="pass", acting_user=instructor
    )  # LO2 not yet shown: the badge is issued anyway, with a reason
    assertion, _ = assertion_issue(
        enrollment=enrollment, acting_user=admin, override_reason="Assessed outside the VLE"
    )
    subject = credential_of(assertion)["credentialSubject"]
    assert [r["value"] for r in subject["result"]] == ["pass", "not demonstrated"]
    assert subject["narrative"] == (
        "Awarded by decision of the centre. Reason: Assessed outside the VLE\n"
        "Learning outcomes demonstrated by assessment: LO1. Not demonstrated by assessment: LO2."
    )
    assert credential_report(credential_of(assertion)).verified


# --- Sign → verify ----------------------------------------------------------------------------


def test_sign_verify_round_trip(issued):
    result = credential_report(credential_of(issued))
    assert result.verified, result.checks
    assert [c.name for c in result.checks] == [
        "Issuer", "Proof", "Validity period", "Revocation", "Issuer's record", "Earner"
    ]  # fmt: skip


def test_the_vc_jwt_is_the_same_credential_signed_by_the_same_key(issued):
    header = vc_jwt.unverified_header(issued.credential_jwt)
    assert header == {"alg": "EdDSA", "kid": identifiers.verification_method_id(issued.signing_key),
                      "typ": "JWT"}  # fmt: skip
    token_credential = vc_jwt.verify(issued.credential_jwt, keys.public_key(issued.signing_key))
    assert token_credential == unsigned(credential_of(issued))
    assert jwt_report(issued.credential_jwt).verified


def test_a_credential_that_does_not_verify_is_never_stored(monkeypatch):
    _, instructor, plan, _, _, (enrollment, _) = cohort()
    complete(enrollment, plan, instructor)
    broken = eddsa_rdfc_2022.VerificationResult(
        False, (eddsa_rdfc_2022.DataIntegrityError("PROOF_VERIFICATION_ERROR", "no"),)
    )
    monkeypatch.setattr(eddsa_rdfc_2022, "verify_credential", lambda *a, **k: broken)
    with pytest.raises(signing.CredentialNotVerified, match="PROOF_VERIFICATION_ERROR"):
        assertion_issue(enrollment=enrollment)
    assert not Assertion.objects.exists()


def test_nothing_is_signed_or_issued_without_the_key_encryption_key(settings):
    _, instructor, plan, _, _, (enrollment, _) = cohort()
    complete(enrollment, plan, instructor)
    settings.BADGE_KEK = None
    with pytest.raises(ImproperlyConfigured, match="BADGE_KEK"):
        assertion_issue(enrollment=enrollment)
    assert not Assertion.objects.exists() and not SigningKey.objects.exists()


# --- Tampering ----------------------------------------------------------------------------------


def _set(path, value):
    def change(credential):
        node = credential
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return change


TAMPERING = {
    "changed name": _set(("credentialSubject", "achievement", "name"), "Brain Surgery"),
    "changed recipient": _set(
        ("credentialSubject", "identifier", 0, "identityHash"), "sha256$" + "0" * 64
    ),
    "changed result": _set(("credentialSubject", "result", 0, "value"), "distinction"),
    "changed validUntil": _set(("validUntil",), "2099-01-01T00:00:00Z"),
    "changed validFrom": _set(("validFrom",), "2001-01-01T00:00:00Z"),
    "changed issuer name": _set(("issuer", "name"), "Diploma Mill"),
    "changed credits": _set(
        ("credentialSubject", "achievement", "euMicroCredential", "ectsCredits"), 60
    ),  # fmt: skip
    "changed status index": _set(("credentialStatus", "statusListIndex"), "7"),
}


@pytest.mark.parametrize("change", TAMPERING.values(), ids=TAMPERING.keys())
def test_a_changed_credential_fails_its_signature(issued, change):
    credential = credential_of(issued)
    change(credential)
    assert failed(credential)["Proof"] == "PROOF_VERIFICATION_ERROR"
    assert "invalid signature" in str(credential_report(credential).failed()["Proof"].reason)


def test_a_changed_proof_value_is_rejected(issued):
    credential = credential_of(issued)
    signature = bytearray(
        multikey.base58btc_decode(credential["proof"][0]["proofValue"], max_length=89)
    )
    signature[10] ^= 0x01
    credential["proof"][0]["proofValue"] = multikey.base58btc_encode(bytes(signature))
    assert failed(credential) == NOT_OURS | {"Proof": "PROOF_VERIFICATION_ERROR"}
    credential["proof"][0]["proofValue"] = "not-multibase"
    assert failed(credential) == NOT_OURS | {"Proof": "MALFORMED_PROOF_ERROR"}


@pytest.mark.parametrize(
    "where", [(), ("credentialSubject",), ("credentialSubject", "achievement", "euMicroCredential")]
)
def test_an_added_undefined_term_is_rejected_not_ignored(issued, where):
    credential = credential_of(issued)
    node = credential
    for key in where:
        node = node[key]
    node["grade"] = "A+"  # no @context defines it: it would not be signed
    result = credential_report(credential).failed()["Proof"]
    assert result.code == "PROOF_TRANSFORMATION_ERROR"
    assert "grade" in result.reason


def test_a_missing_proof_is_rejected(issued):
    assert failed(unsigned(credential_of(issued))) == NOT_OURS | {"Proof": "MALFORMED_PROOF_ERROR"}


def test_a_credential_signed_with_a_key_the_issuer_did_not_publish_is_rejected(issued):
    """The right verification method id, but someone else's private key."""
    credential = credential_of(issued)
    forged = eddsa_rdfc_2022.add_proof(
        unsigned(credential),
        private_key=Ed25519PrivateKey.generate(),
        verification_method=credential["proof"][0]["verificationMethod"],
        canonicalizer=signing.canonicalizer(),
    )
    assert failed(forged) == NOT_OURS | {"Proof": "PROOF_VERIFICATION_ERROR"}


def test_a_credential_signed_by_another_issuers_key_is_rejected(issued):
    from badges.models import Issuer

    other = Issuer.objects.create(name="Other", url="https://other.example", email="o@o.example")
    key = keys.active_signing_key(other)
    forged = eddsa_rdfc_2022.add_proof(
        unsigned(credential_of(issued)),
        private_key=keys.private_key(key),
        verification_method=identifiers.verification_method_id(key),
        canonicalizer=signing.canonicalizer(),
    )
    problem = credential_report(forged).failed()["Proof"]
    assert problem.code == "PROOF_VERIFICATION_ERROR"
    assert "not the issuer" in problem.reason


def test_a_did_key_we_do_not_know_is_not_our_issuer(issued):
    stranger = Ed25519PrivateKey.generate()
    forged = eddsa_rdfc_2022.add_proof(
        unsigned(credential_of(issued)),
        private_key=stranger,
        verification_method=multikey.did_key_verification_method(stranger.public_key()),
        canonicalizer=signing.canonicalizer(),
    )
    assert failed(forged) == NOT_OURS | {"Proof": "PROOF_VERIFICATION_ERROR"}


# --- Revoked, expired, not yet valid --------------------------------------------------------------


def test_a_revoked_badge_fails_its_status_check(issued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assertion_revoke(assertion=issued, acting_user=leads_admin(), reason="Issued in error")
    problem = credential_report(credential_of(issued)).failed()
    assert {name: check.code for name, check in problem.items()} == {
        "Revocation": "REVOKED",
        "Issuer's record": "REVOKED",
    }
    jwt_problem = jwt_report(issued.credential_jwt).failed()
    assert jwt_problem["Revocation"].code == "REVOKED"


def test_revocation_shows_even_if_the_on_commit_publishing_never_ran(issued):
    # Inside a test transaction on-commit work never runs: the list's bits changed, its stored
    # credential did not, so the next read republishes it.
    assertion_revoke(assertion=issued, acting_user=leads_admin(), reason="Issued in error")
    assert failed(credential_of(issued)) == REVOKED


def test_an_expired_badge_verifies_as_expired(issued):
    later = issued.expires_on + timedelta(seconds=1)
    assert failed(credential_of(issued), now=later) == {
        "Validity period": "EXPIRED",
        "Issuer's record": "EXPIRED",
    }
    assert (
        jwt_report(issued.credential_jwt, now=later).failed()["Validity period"].code == "EXPIRED"
    )


def test_a_badge_issued_already_expired_is_still_signed_and_verifies_as_expired():
    _, instructor, plan, offering, badge, (enrollment, _) = cohort()
    badge.expires_on = (datetime.now(UTC) - timedelta(days=3)).date()
    badge.save()
    complete(enrollment, plan, instructor)
    assertion, _ = assertion_issue(enrollment=enrollment)
    assert failed(credential_of(assertion)) == {
        "Validity period": "EXPIRED",
        "Issuer's record": "EXPIRED",
    }


def test_a_badge_is_not_valid_before_its_valid_from(issued):
    earlier = issued.issued_on - timedelta(minutes=5)
    assert failed(credential_of(issued), now=earlier) == {"Validity period": "NOT_YET_VALID"}


# --- Keys: rotation and compromise ----------------------------------------------------------------


def test_rotation_keeps_earlier_credentials_verifiable(issued):
    first_key = issued.signing_key
    new_key = keys.signing_key_rotate(issuer=issued.badge_class.issuer, acting_user=None)
    later = issue_one()
    assert later.signing_key == new_key != first_key
    first_key.refresh_from_db()
    assert first_key.status == SigningKey.Status.RETIRED
    for assertion in (issued, later):
        assert credential_report(credential_of(assertion)).verified
        assert jwt_report(assertion.credential_jwt).verified
    document = signing.controller_document(issued.badge_class.issuer_id)
    assert {m["id"] for m in document["verificationMethod"]} == {
        identifiers.verification_method_id(first_key),
        identifiers.verification_method_id(new_key),
    }


def test_a_compromised_key_no_longer_verifies_what_it_signed_until_resigned(issued):
    compromised = issued.signing_key
    replacement = services.signing_key_compromise(
        signing_key=compromised, reason="Leaked", acting_user=None
    )
    problem = credential_report(credential_of(issued)).failed()["Proof"]
    assert problem.code == "PROOF_VERIFICATION_ERROR"
    assert "not in its controller document" in problem.reason
    assert not jwt_report(issued.credential_jwt).verified
    compromised.refresh_from_db()
    assert bytes(compromised.private_key_ciphertext) == b""
    with pytest.raises(keys.KeyRefused):
        keys.private_key(compromised)

    assert assertions_resign(signing_key=compromised) == 1
    issued.refresh_from_db()
    assert issued.signing_key == replacement
    assert credential_report(credential_of(issued)).verified
    with pytest.raises(IssueRefused):
        assertions_resign(signing_key=replacement)


# --- Bulk issuance ------------------------------------------------------------------------------


def completed_cohort(n):
    admin, instructor, plan, offering, badge, _ = cohort(0)
    enrollments = enrolled_learners(offering, n)
    for enrollment in enrollments:
        enrollment_mark_complete(enrollment=enrollment)  # the completion service, per learner
    return admin, [e.pk for e in enrollments]


def test_bulk_signing_makes_no_query_per_badge():
    """The same number of queries for 3 badges as for 30 (the first batch also makes the
    issuer's key and status list): only the inserts grow, and they go in batches."""
    counts = []
    for n in (1, 3, 30):
        admin, ids = completed_cohort(n)
        with CaptureQueriesContext(connection) as queries:
            assert assertions_issue_bulk(enrollment_ids=ids, acting_user=admin)["issued"] == n
        counts.append(len(queries))
    assert counts[1] == counts[2], counts


def test_bulk_issuance_of_1000_signs_every_badge(capsys):
    admin, ids = completed_cohort(1000)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = assertions_issue_bulk(enrollment_ids=ids, acting_user=admin)
        elapsed = time.perf_counter() - started
    assert result["issued"] == 1000
    inserts = [q for q in queries.captured_queries if 'INTO "badges_assertion"' in q["sql"]]
    others = len(queries) - len(inserts)
    # A fixed budget whatever the batch size; one of them asks whether a published pathway
    # counts these badges (pathways.course_badges_issued_on_commit).
    assert others <= 21, [q["sql"][:80] for q in queries.captured_queries]
    assert len(inserts) <= 1000 // 10  # batched (SQLite caps the rows per statement)
    with capsys.disabled():
        print(f"\nbulk issuance: 1000 badges signed in {elapsed:.1f} s "
              f"({elapsed * 1000 / 1000:.2f} ms per badge, {others} queries and "
              f"{len(inserts)} inserts)")  # fmt: skip
    rows = list(Assertion.objects.filter(enrollment_id__in=ids))
    assert all(a.credential_json and a.credential_jwt for a in rows)
    indexes = [(a.status_list_id, a.status_index) for a in rows]
    assert len(set(indexes)) == 1000
    assert StatusList.objects.count() == 1
    for assertion in rows[:: 1000 // 20]:  # a sample, verified from scratch
        assert credential_report(json.loads(assertion.credential_json)).verified


def test_an_issued_credential_does_not_change_when_read_again(issued):
    before = issued.credential_json
    issued.refresh_from_db()
    assert issued.credential_json == before
    assert credential_of(issued) == json.loads(copy.deepcopy(before))
