"""Open Badges 2.0 documents against golden files and the spec's rules (badges.openbadges.ob2).

Golden files are the reviewed output; regenerate them after a deliberate change with
``OB2_UPDATE_GOLDEN=1 python -m pytest badges/tests/openbadges/test_ob2.py`` and review the diff.
"""

from __future__ import annotations

import dataclasses
import json
import os
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from badges.openbadges import ob2

from .conftest import ASSERTION_ID, RECIPIENT_EMAIL, SALT

GOLDEN = Path(__file__).resolve().parent / "golden"


def assert_matches_golden(document: dict, name: str) -> None:
    path = GOLDEN / name
    text = ob2.dumps(document, pretty=True)
    if os.environ.get("OB2_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def test_issuer_matches_golden(issuer_data):
    assert_matches_golden(ob2.issuer_json(issuer_data), "issuer.json")


def test_badgeclass_matches_golden(badgeclass_data):
    assert_matches_golden(ob2.badgeclass_json(badgeclass_data), "badgeclass.json")


def test_assertion_matches_golden(assertion_data):
    assert_matches_golden(ob2.assertion_json(assertion_data), "assertion.json")


def test_revoked_assertion_matches_golden(assertion_data):
    revoked = dataclasses.replace(
        assertion_data, revocation=ob2.RevocationData(reason="Awarded in error")
    )
    assert_matches_golden(ob2.revoked_assertion_json(revoked), "revoked_assertion.json")


def test_dumps_is_stable_and_compact(assertion_data):
    first = ob2.dumps(ob2.assertion_json(assertion_data))
    assert first == ob2.dumps(ob2.assertion_json(assertion_data))
    assert "\n" not in first
    assert json.loads(first) == ob2.assertion_json(assertion_data)


# --- hash_recipient: OB 2.0 §IdentityObject -------------------------------------------------------


def test_hash_recipient_matches_an_independently_computed_digest():
    # printf '%s' 'alice@example.org7c1f2e0a' | sha256sum  (GNU coreutils)
    expected = "sha256$a7eb2ba0a7f3beca42f01e347318374ee3e4c3d0c3790d648f6715c3ecc857f6"
    assert ob2.hash_recipient(RECIPIENT_EMAIL, SALT) == expected


def test_hash_recipient_lower_cases_the_address_only():
    assert ob2.hash_recipient("Alice@Example.ORG", SALT) == ob2.hash_recipient(
        RECIPIENT_EMAIL, SALT
    )
    # The salt is used as given: it is ours, and changing it would change every published hash.
    assert ob2.hash_recipient(RECIPIENT_EMAIL, "ABC") != ob2.hash_recipient(RECIPIENT_EMAIL, "abc")


def test_hash_recipient_without_salt_hashes_the_address_alone():
    # printf '%s' 'alice@example.org' | sha256sum
    expected = "sha256$7a64adf28737ea90719cbdf0b1a87a5effff3753b79c91d717f4f4153ead0498"
    assert ob2.hash_recipient(RECIPIENT_EMAIL, "") == expected


# --- Assertion ------------------------------------------------------------------------------------


def test_assertion_carries_only_the_hashed_recipient(assertion_data):
    document = ob2.assertion_json(assertion_data)
    assert document["recipient"] == {
        "type": "email",
        "hashed": True,
        "salt": SALT,
        "identity": ob2.hash_recipient(RECIPIENT_EMAIL, SALT),
    }
    assert RECIPIENT_EMAIL not in ob2.dumps(document)


def test_assertion_uses_hosted_verification_and_the_v2_context(assertion_data):
    document = ob2.assertion_json(assertion_data)
    assert document["@context"] == "https://w3id.org/openbadges/v2"
    assert document["verification"] == {"type": "HostedBadge"}


def test_minimal_assertion_omits_optional_properties(assertion_data):
    minimal = dataclasses.replace(
        assertion_data, expires=None, image=None, evidence=(), narrative=None
    )
    assert set(ob2.assertion_json(minimal)) == {
        "@context",
        "type",
        "id",
        "recipient",
        "badge",
        "verification",
        "issuedOn",
    }


def test_datetimes_are_converted_to_utc(assertion_data):
    cet = timezone(timedelta(hours=1))
    data = dataclasses.replace(assertion_data, issued_on=datetime(2025, 1, 15, 11, 30, tzinfo=cet))
    assert ob2.assertion_json(data)["issuedOn"] == "2025-01-15T10:30:00+00:00"


def test_naive_datetimes_are_refused(assertion_data):
    data = dataclasses.replace(assertion_data, issued_on=datetime(2025, 1, 15, 10, 30))
    with pytest.raises(ValueError, match="time zone"):
        ob2.assertion_json(data)


def test_unsalted_recipient_is_refused(assertion_data):
    with pytest.raises(ValueError, match="salted"):
        ob2.assertion_json(dataclasses.replace(assertion_data, salt=""))


def test_evidence_needs_an_id_or_a_narrative(assertion_data):
    data = dataclasses.replace(assertion_data, evidence=(ob2.EvidenceData(name="Untitled"),))
    with pytest.raises(ValueError, match="evidence"):
        ob2.assertion_json(data)


# --- Revocation: OB 2.0 §Revoking Hosted Assertions -----------------------------------------------


def test_revoked_assertion_is_stripped_to_id_and_reason(assertion_data):
    revoked = dataclasses.replace(assertion_data, revocation=ob2.RevocationData(reason="Fraud"))
    assert ob2.revoked_assertion_json(revoked) == {
        "@context": "https://w3id.org/openbadges/v2",
        "id": ASSERTION_ID,
        "revoked": True,
        "revocationReason": "Fraud",
    }


def test_revoked_assertion_without_reason_omits_it(assertion_data):
    revoked = dataclasses.replace(assertion_data, revocation=ob2.RevocationData())
    assert "revocationReason" not in ob2.revoked_assertion_json(revoked)


def test_full_document_of_a_revoked_assertion_is_refused(assertion_data):
    revoked = dataclasses.replace(assertion_data, revocation=ob2.RevocationData(reason="Fraud"))
    with pytest.raises(ValueError, match="revoked"):
        ob2.assertion_json(revoked)


def test_revoked_document_of_a_live_assertion_is_refused(assertion_data):
    with pytest.raises(ValueError, match="not revoked"):
        ob2.revoked_assertion_json(assertion_data)


# --- BadgeClass and Issuer ------------------------------------------------------------------------


def test_badgeclass_criteria_may_be_a_narrative_alone(badgeclass_data):
    data = dataclasses.replace(badgeclass_data, criteria_url=None)
    assert ob2.badgeclass_json(data)["criteria"] == {
        "narrative": badgeclass_data.criteria_narrative
    }


def test_badgeclass_without_criteria_is_refused(badgeclass_data):
    data = dataclasses.replace(badgeclass_data, criteria_url=None, criteria_narrative=None)
    with pytest.raises(ValueError, match="criteria"):
        ob2.badgeclass_json(data)


def test_badgeclass_omits_empty_alignment_and_tags(badgeclass_data):
    data = dataclasses.replace(badgeclass_data, alignments=(), tags=())
    document = ob2.badgeclass_json(data)
    assert "alignment" not in document and "tags" not in document


def test_issuer_verification_policy_only_when_set(issuer_data):
    assert "verification" not in ob2.issuer_json(issuer_data)
    data = dataclasses.replace(
        issuer_data,
        allowed_origins=("badges.example.edu",),
        starts_with=("https://badges.example.edu/public/",),
    )
    assert ob2.issuer_json(data)["verification"] == {
        "type": "VerificationObject",
        "allowedOrigins": ["badges.example.edu"],
        "startsWith": ["https://badges.example.edu/public/"],
    }


# --- Extensions: OB 2.0 §Extensions ---------------------------------------------------------------

EXTENSION = ob2.ExtensionData(
    context_url="https://badges.example.edu/contexts/eu-microcredential/context.json",
    types=("extensions:EUMicroCredentialExtension",),
    properties={"workloadECTS": 2, "eqfLevel": 7},
)


def test_extension_is_merged_under_its_property_name(badgeclass_data):
    data = dataclasses.replace(
        badgeclass_data, extensions={"extensions:EUMicroCredentialExtension": EXTENSION}
    )
    document = ob2.badgeclass_json(data)
    assert document["extensions:EUMicroCredentialExtension"] == {
        "@context": "https://badges.example.edu/contexts/eu-microcredential/context.json",
        "type": ["Extension", "extensions:EUMicroCredentialExtension"],
        "workloadECTS": 2,
        "eqfLevel": 7,
    }
    assert document["@context"] == "https://w3id.org/openbadges/v2"


@pytest.mark.parametrize("name", ["name", "issuer", "id", "@context"])
def test_extension_may_not_replace_a_badgeclass_property(badgeclass_data, name):
    with pytest.raises(ValueError, match="clashes"):
        ob2.badgeclass_json(dataclasses.replace(badgeclass_data, extensions={name: EXTENSION}))


@pytest.mark.parametrize("name", ["badge", "recipient", "verification"])
def test_extension_may_not_replace_an_assertion_property(assertion_data, name):
    with pytest.raises(ValueError, match="clashes"):
        ob2.assertion_json(dataclasses.replace(assertion_data, extensions={name: EXTENSION}))


def test_extension_name_must_be_an_iri(issuer_data):
    with pytest.raises(ValueError, match="IRI"):
        ob2.issuer_json(dataclasses.replace(issuer_data, extensions={"workload": EXTENSION}))


def test_extension_properties_may_not_set_reserved_keys():
    bad = dataclasses.replace(EXTENSION, properties={"type": "Other"})
    with pytest.raises(ValueError, match="may not set"):
        bad.to_json()


# --- Shipped context ------------------------------------------------------------------------------


def test_bundled_context_is_the_v2_context_and_a_fresh_copy():
    contexts = ob2.bundled_contexts()
    assert set(contexts) == {"https://w3id.org/openbadges/v2"}
    context = contexts[ob2.OB2_CONTEXT_URL]["@context"]
    assert context["hosted"] == "obi:HostedBadge"
    context["hosted"] = "changed"
    assert ob2.bundled_contexts()[ob2.OB2_CONTEXT_URL]["@context"]["hosted"] == "obi:HostedBadge"


def test_every_composed_term_is_defined_in_the_context(
    issuer_data, badgeclass_data, assertion_data
):
    # OB 2.0 §Open Badges Vocabulary: properties that do not map to a context term are not part of
    # the badge's meaning, so a typo in a key would silently drop data.
    terms = set(ob2.bundled_contexts()[ob2.OB2_CONTEXT_URL]["@context"]) | {"@context"}

    def keys(value):
        if isinstance(value, dict):
            for key, inner in value.items():
                yield key
                yield from keys(inner)
        elif isinstance(value, list):
            for inner in value:
                yield from keys(inner)

    documents = [
        ob2.issuer_json(dataclasses.replace(issuer_data, allowed_origins=("example.edu",))),
        ob2.badgeclass_json(badgeclass_data),
        ob2.assertion_json(assertion_data),
        ob2.revoked_assertion_json(
            dataclasses.replace(assertion_data, revocation=ob2.RevocationData(reason="x"))
        ),
    ]
    for document in documents:
        assert set(keys(document)) <= terms


def test_composed_dates_parse_as_utc(assertion_data):
    document = ob2.assertion_json(assertion_data)
    assert datetime.fromisoformat(document["issuedOn"]).tzinfo == UTC
