"""The plain EDC composition (badges/openbadges/edc.py), checked by independent tools: pyshacl with
the Commission's shapes, and joserfc for the Commission's own seal (which proves the checks)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from joserfc.errors import BadSignatureError

from badges.openbadges import edc

from .edc_checks import (
    SEALED_SAMPLE_FILE,
    jades_verify,
    protected_header,
    shacl_report,
    undefined_terms,
)

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
BODY = edc.OrganisationData(
    id="urn:epass:org:0b5f7a52-2f7e-4a8e-9d0c-3c1f6a1e9b01",
    legal_name={"en": "LEADS Centre"},
    country_code="PAK",
    homepage="https://centre.example",
    email="leads@centre.example",
    legal_identifier="TEST-LEGAL-ID-0000",
)


def credential(**changes) -> edc.CredentialData:
    data = edc.CredentialData(
        id="urn:credential:9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c03",
        local_id="9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c03",
        awarding_body=BODY,
        learner_name={"en": "Ayesha Khan"},
        title={"en": "Data Analysis with SQL"},
        description={"en": "Querying and reporting."},
        outcomes=(
            edc.OutcomeResultData("LO1", {"en": "Write joins."}, True),
            edc.OutcomeResultData("LO2", {"en": "Report findings."}, True),
        ),
        issued_on=datetime(2026, 1, 15, 10, 30, tzinfo=UTC),
        display_title={"en": "Micro-credential"},
        expires_on=datetime(2028, 1, 15, 10, 30, tzinfo=UTC),
        ects_credits=2,
        eqf_level=6,
        hours=Decimal("50.5"),
        mode="online",
        participation_form={"en": "Online"},
        assessment_type={"en": "Project and written test"},
        quality_assurance={"en": "Internal review by the Dean"},
        supervision={"en": "Supervised online, with identity verification"},
        stackability={"en": "Counts towards the Data Analytics pathway"},
        entry_requirement={"en": "Basic spreadsheet skills"},
        activity=edc.ActivityData(
            title={"en": "Data Analysis with SQL"},
            hours=Decimal("50.5"),
            mode="online",
            participation_form={"en": "Online"},
            start=datetime(2025, 10, 1, tzinfo=UTC),
            end=datetime(2025, 12, 15, tzinfo=UTC),
            places=({"en": "AKU Karachi campus"},),
        ),
        image=edc.ImageData(PNG, "image/png"),
        homepage="https://centre.example/public/assertions/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c03",
        criteria_url="https://centre.example/courses/x/",
    )
    return edc.CredentialData(**{**data.__dict__, **changes})


def conforms(document):
    ok, report = shacl_report(document)
    assert ok, report
    assert undefined_terms(document) == set()


# --- The checks themselves, on the Commission's sealed sample -----------------------------------


def sample():
    return json.loads(SEALED_SAMPLE_FILE.read_text(encoding="utf-8"))


def test_the_commissions_sealed_sample_conforms_to_the_shapes():
    conforms(json.loads(sample()["payload"]))


def test_the_shapes_check_finds_what_sealing_adds_missing():
    payload = json.loads(sample()["payload"])
    del payload["issued"]
    del payload["issuer"]["eIDASIdentifier"]
    ok, report = shacl_report(payload)
    assert not ok
    assert "cred:issued" in report and "elm:eidasLegalIdentifier" in report


def test_joserfc_verifies_the_commissions_seal_and_rejects_one_changed_character():
    sealed = sample()
    assert jades_verify(sealed).decode("utf-8") == sealed["payload"]
    header = protected_header(sealed)
    assert header["b64"] is False and "b64" in header["crit"] and "sigT" in header["crit"]
    tampered = {**sealed, "payload": sealed["payload"].replace("Ana Andromeda", "Ana Andromedb")}
    with pytest.raises(BadSignatureError):
        jades_verify(tampered)


# --- Our composition ----------------------------------------------------------------------------


def test_a_full_micro_credential_conforms_and_defines_every_term():
    document = edc.european_digital_credential(credential())
    conforms(document)
    assert document["@context"] == [edc.CREDENTIALS_V1, edc.EDC_AP]
    assert document["type"] == ["VerifiableCredential", "EuropeanDigitalCredential"]
    assert document["expirationDate"] == "2028-01-15T10:30:00Z"
    claim = document["credentialSubject"]["hasClaim"]
    spec = claim["specifiedBy"]
    assert spec["creditPoint"]["point"] == "2"
    assert spec["eqfLevel"]["id"] == "http://data.europa.eu/snb/eqf/6"
    assert spec["volumeOfLearning"] == "PT50H30M"
    assert spec["entryRequirement"]["noteLiteral"] == {"en": "Basic spreadsheet skills"}
    notes = [n["noteLiteral"]["en"] for n in spec["additionalNote"]]
    assert "Type of quality assurance: Internal review by the Dean" in notes
    assert (
        "Integration and stackability options: Counts towards the Data Analytics pathway" in notes
    )
    assert [p["grade"]["noteLiteral"]["en"] for p in claim["provenBy"]["hasPart"]] == [
        "pass",
        "pass",
    ]
    assert claim["influencedBy"]["location"][0]["address"]["fullAddress"]["noteLiteral"] == {
        "en": "AKU Karachi campus"
    }
    assert document["issuer"]["eIDASIdentifier"]["notation"] == "TEST-LEGAL-ID-0000"


def test_the_learner_is_named_and_not_e_mailed():
    document = edc.european_digital_credential(credential())
    person = document["credentialSubject"]
    assert person["fullName"] == {"en": "Ayesha Khan"}
    assert "contactPoint" not in person


def test_a_decided_award_without_the_course_taken_says_so_and_still_conforms():
    sentence = "Awarded by decision of the centre. Reason: Assessed outside the VLE"
    data = credential(
        outcomes=(
            edc.OutcomeResultData("LO1", {"en": "Write joins."}, True),
            edc.OutcomeResultData("LO2", {"en": "Report findings."}, False),
        ),
        award_note={"en": sentence},
        overall_grade={"en": "Awarded by decision of the centre"},
        activity=None,
        expires_on=None,
        hours=None,
        eqf_level=None,
        entry_requirement=None,
        mode=None,
        image=edc.ImageData(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"),
    )
    document = edc.european_digital_credential(data)
    conforms(document)
    claim = document["credentialSubject"]["hasClaim"]
    assert claim["awardedBy"]["description"] == {"en": sentence}
    assert claim["additionalNote"][0]["noteLiteral"] == {"en": sentence}
    assert claim["provenBy"]["grade"]["noteLiteral"] == {"en": "Awarded by decision of the centre"}
    assert [p["grade"]["noteLiteral"]["en"] for p in claim["provenBy"]["hasPart"]] == [
        "pass",
        "not demonstrated",
    ]
    assert "influencedBy" not in claim and "expirationDate" not in document
    image = document["displayParameter"]["individualDisplay"][0]["displayDetail"]["image"]
    assert image["contentType"]["id"].endswith("/file-type/SVG")


def test_a_second_language_is_one_more_key_and_one_more_display():
    data = credential(
        title={"en": "Data Analysis with SQL", "fr": "Analyse de données avec SQL"},
        display_title={"en": "Micro-credential", "fr": "Microcertification"},
    )
    document = edc.european_digital_credential(data)
    conforms(document)
    display = document["displayParameter"]
    assert [d["language"]["id"][-3:] for d in display["individualDisplay"]] == ["ENG", "FRA"]
    assert document["credentialSubject"]["hasClaim"]["title"]["fr"].startswith("Analyse")


@pytest.mark.parametrize(
    ("hours", "duration"),
    [(Decimal("12.5"), "PT12H30M"), (40, "PT40H"), (Decimal("0.25"), "PT0H15M"), (None, None)],
)
def test_hours_are_xml_schema_durations(hours, duration):
    assert edc.iso_duration(hours) == duration


def test_without_a_legal_identifier_the_issuer_does_not_conform():
    """What the Commission's unsigned sample lacks too: the seal's legal identifier."""
    body = edc.OrganisationData(**{**BODY.__dict__, "legal_identifier": None})
    ok, report = shacl_report(edc.european_digital_credential(credential(awarding_body=body)))
    assert not ok and "elm:eidasLegalIdentifier" in report
