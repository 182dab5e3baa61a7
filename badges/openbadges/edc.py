"""European Digital Credentials (ELM v3) composed from plain data: no Django, no I/O, no signing.

The functions here turn frozen dataclasses into the JSON-LD of one ``EuropeanDigitalCredential``
shaped like the Commission's micro-credential sample with the Annex I elements
(``Sample-MC-Annex1-signed.jsonld``); ``badges/edc.py`` maps an issued badge onto the dataclasses
and seals the result (JAdES).

Specifications (each function cites its section):

- European Learning Model v3 (ELM), the ontology ``ELM.ttl`` and its documentation,
  https://europa.eu/europass/elm-browser/ — cited as "ELM <Class>".
- The European Digital Credential application profile (EDC AP), the SHACL shapes
  ``EDC-generic-no-cv.ttl`` — cited as "EDC AP <Shape>"; every document composed here must conform
  to them (``badges/tests/openbadges/test_edc_document.py``).
- W3C Verifiable Credentials Data Model v1.1, https://www.w3.org/TR/vc-data-model/ — "VC 1.1",
  which the EDC extends (its context comes first).
- Council Recommendation 2022/C 243/02 on micro-credentials, Annex I — "Annex I".

Every text is a language map (``{"en": "…"}``: JSON-LD 1.1 §4.6.4, ``@container: @language``),
so a second language is one more key; the display carries one ``IndividualDisplay`` per language.
Output is plain JSON: what is composed is exactly what is sealed and served.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from .ob3 import xsd_datetime

Text = Mapping[str, str]  # language code (BCP 47, e.g. "en") -> the text in that language

CREDENTIALS_V1 = "https://www.w3.org/2018/credentials/v1"
EDC_AP = "http://data.europa.eu/snb/model/context/edc-ap"
# VC 1.1 §4.1: the VC context first; then the ELM application profile's context.
CONTEXT = (CREDENTIALS_V1, EDC_AP)
# The EDC AP context, shipped (contexts/README.md): given to a JSON-LD processor, never fetched.
EDC_AP_CONTEXT_FILE = Path(__file__).with_name("contexts") / "edc-ap-context.jsonld"
CREDENTIAL_TYPES = ("VerifiableCredential", "EuropeanDigitalCredential")
# EDC AP EuropeanDigitalCredentialShape credentialSchema: the profile the document conforms to.
# We check against the shapes without controlled-vocabulary constraints (the vocabularies are not
# shipped), so that is the profile we name.
CREDENTIAL_SCHEMA = "http://data.europa.eu/snb/model/ap/edc-generic-no-cv"
SHACL_VALIDATOR = "ShaclValidator2017"

# Concepts of the EU controlled vocabularies, with the identifiers the Commission's samples use.
CREDENTIAL_PROFILES = "http://data.europa.eu/snb/credential/25831c2"
GENERIC_PROFILE = ("http://data.europa.eu/snb/credential/e34929035b", "Generic")
EQF = "http://data.europa.eu/snb/eqf/25831c2"
EDUCATION_CREDIT = "http://data.europa.eu/snb/education-credit/25831c2"
ECTS = ("http://data.europa.eu/snb/education-credit/6fcec5c5af", "European Credit Transfer System")
ENCODING = "http://data.europa.eu/snb/encoding/25831c2"
BASE64 = ("http://data.europa.eu/snb/encoding/6146cde7dd", "base64")
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type"
LANGUAGE = "http://publications.europa.eu/resource/authority/language"
COUNTRY = "http://publications.europa.eu/resource/authority/country"
LEARNING_ASSESSMENT = "http://data.europa.eu/snb/learning-assessment/25831c2"
# ELM ``mode`` (form of participation) as the samples give it; a form with no concept here is
# said in words only (an invented concept would be wrong in the full profile).
MODES = {
    "online": ("http://data.europa.eu/snb/learning-assessment/920fbb3cbe", "Online"),
    "blended": ("http://data.europa.eu/snb/learning-assessment/e92d221e4d", "Blended"),
}
# ISO 639-2/B codes of the EU language authority table, for the languages we write in.
LANGUAGES = {"en": ("ENG", "English"), "fr": ("FRA", "French"), "ur": ("URD", "Urdu")}
# Media types of the images we embed -> the EU file-type authority table's codes.
FILE_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/svg+xml": "SVG"}
# Names of the countries an awarding body is likely to be in (others are given by code alone).
COUNTRY_NAMES = {"PAK": "Pakistan", "GBR": "United Kingdom", "FRA": "France", "IRL": "Ireland"}

# The words each learning outcome's result is recorded with: those of the OB 3.0 credential
# (badges/openbadges/ob3.py PASS, NOT_DEMONSTRATED), so every format says the same.
DEMONSTRATED, NOT_DEMONSTRATED = "pass", "not demonstrated"
GRADING_SCHEME_TITLE = "Each learning outcome: pass or not demonstrated"
GRADING_SCHEME_DESCRIPTION = (
    "Each learning outcome is recorded as “pass” when a passed summative assessment "
    "demonstrated it, and “not demonstrated” otherwise: an outcome that was not assessed is "
    "never recorded as failed."
)


def edc_ap_context() -> dict:
    """A fresh parsed copy of the shipped EDC AP context document."""
    return json.loads(EDC_AP_CONTEXT_FILE.read_text(encoding="utf-8"))


# --- Data -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationData:
    """ELM Organisation (EDC AP OrganisationShape: ``legalName`` and ``location`` required): the
    awarding body, which is also the credential's issuer. ``legal_identifier`` is its
    registration (ELM ``registration``) and, as the issuer, its ``eIDASIdentifier`` (EDC AP
    IssuerNodeShape: exactly one)."""

    id: str
    legal_name: Text
    country_code: str  # EU country authority table, e.g. "PAK"
    homepage: str | None = None
    email: str | None = None
    legal_identifier: str | None = None


@dataclass(frozen=True)
class OutcomeResultData:
    """One learning outcome of the badge (ELM LearningOutcome) and whether the learner
    demonstrated it by assessment (the frozen ``outcome_results``)."""

    code: str  # LO1, LO2, …
    title: Text
    demonstrated: bool


@dataclass(frozen=True)
class ActivityData:
    """ELM LearningActivity: the course the learner took (its offering's dates, its hours, how
    and where it was delivered)."""

    title: Text
    hours: Decimal | float | None = None
    mode: str | None = None  # a key of MODES, or None when the form has no concept here
    participation_form: Text | None = None  # the form of participation, in words
    start: datetime | None = None
    end: datetime | None = None
    places: tuple[Text, ...] = ()  # where in-person parts take place (full address words)


@dataclass(frozen=True)
class ImageData:
    """ELM MediaObject: an embedded image (EDC AP MediaObjectShape: content, encoding, type)."""

    content: bytes
    media_type: str  # image/png, image/jpeg or image/svg+xml


@dataclass(frozen=True)
class CredentialData:
    """Everything one European Digital Credential of a micro-credential says (Annex I: title,
    awarding body, country, date of issue, learning outcomes, ECTS, EQF level, type of
    assessment, form of participation, quality assurance; and the optional supervision and
    identity checks, prerequisites, stackability)."""

    id: str  # urn:credential:<uuid> (what the Commission's samples and Europass use)
    local_id: str  # unique suffix of every node's id in this credential (the badge's uuid)
    awarding_body: OrganisationData
    learner_name: Text
    title: Text
    description: Text
    outcomes: tuple[OutcomeResultData, ...]
    issued_on: datetime
    display_title: Text  # what the display calls the credential ("Micro-credential")
    expires_on: datetime | None = None
    ects_credits: Decimal | float | None = None
    eqf_level: int | None = None
    hours: Decimal | float | None = None
    mode: str | None = None
    participation_form: Text | None = None
    assessment_type: Text | None = None
    quality_assurance: Text | None = None
    supervision: Text | None = None
    stackability: Text | None = None
    entry_requirement: Text | None = None
    # How it was awarded when that is not simply "passed every outcome": an award by decision of
    # the centre with its reason, recognition of prior learning (badges/record.py's sentences).
    award_note: Text | None = None
    overall_grade: Text | None = None
    activity: ActivityData | None = None  # None when the learner did not take the course
    image: ImageData | None = None
    homepage: str | None = None  # the verification page
    criteria_url: str | None = None  # the course's public page


# --- Small nodes ------------------------------------------------------------------------------


def _compact(node: Mapping) -> dict:
    """Drop absent optional properties (None, empty maps and lists)."""
    return {k: v for k, v in node.items() if v not in (None, "", [], (), {})}


def text(value: Text | None) -> dict | None:
    """A language map without empty entries (JSON-LD 1.1 §4.6.4 language maps)."""
    if not value:
        return None
    return {language: words for language, words in value.items() if words} or None


def concept(concept_id: str, scheme: str, label: str | None = None, notation: str | None = None):
    """SKOS Concept of a controlled vocabulary, as the samples write one (ELM uses SKOS)."""
    return _compact(
        {
            "id": concept_id,
            "type": "Concept",
            "inScheme": {"id": scheme, "type": "ConceptScheme"},
            "notation": notation,
            "prefLabel": {"en": label} if label else None,
        }
    )


def note(node_id: str, value: Text | None) -> dict | None:
    """ELM Note (EDC AP NoteShape: ``noteLiteral`` required)."""
    literal = text(value)
    if literal is None:
        return None
    return {"id": node_id, "type": "Note", "noteLiteral": literal}


def country(code: str) -> dict:
    """A country of the EU authority table (ELM ``countryCode``, ``spatial``)."""
    return concept(f"{COUNTRY}/{code}", COUNTRY, COUNTRY_NAMES.get(code), notation="country")


def language(code: str) -> dict:
    """A language of the EU authority table (ELM ``language``, ``primaryLanguage``)."""
    authority_code, name = LANGUAGES.get(code, (code.upper(), None))
    return concept(f"{LANGUAGE}/{authority_code}", LANGUAGE, name, notation="language")


def iso_duration(hours) -> str | None:
    """Hours as an XML Schema duration (ELM ``volumeOfLearning``, ``workload``): only seconds
    may have a fraction in xsd:duration, so 12.5 hours is PT12H30M, not PT12.5H."""
    if hours is None:
        return None
    minutes = round(Decimal(str(hours)) * 60)
    if minutes <= 0:
        return None
    whole_hours, rest = divmod(int(minutes), 60)
    return f"PT{whole_hours}H{rest}M" if rest else f"PT{whole_hours}H"


def _number(value) -> str:
    number = Decimal(str(value)).normalize()
    return f"{number:f}"


# --- Composition ------------------------------------------------------------------------------


def organisation_json(org: OrganisationData, *, as_issuer: bool = False) -> dict:
    """ELM Organisation (EDC AP OrganisationShape). As the credential's issuer it carries its
    legal identifier as ``eIDASIdentifier`` too (EDC AP IssuerNodeShape), as the sealed sample's
    issuer does; the awarding body names it as its ``registration``."""
    legal = None
    if org.legal_identifier:
        legal = {
            "id": f"{org.id}:legalIdentifier",
            "type": "LegalIdentifier",
            "spatial": country(org.country_code),
            "notation": org.legal_identifier,
        }
    return _compact(
        {
            "id": org.id,
            "type": "Organisation",
            "legalName": text(org.legal_name),
            "location": {
                "id": f"{org.id}:location",
                "type": "Location",
                "address": {
                    "id": f"{org.id}:address",
                    "type": "Address",
                    "countryCode": country(org.country_code),
                },
            },
            "homepage": {
                "id": f"{org.id}:homepage",
                "type": "WebResource",
                "contentURL": org.homepage,
            }
            if org.homepage
            else None,
            "contactPoint": {
                "id": f"{org.id}:contactPoint",
                "type": "ContactPoint",
                "emailAddress": {"id": f"mailto:{org.email}", "type": "Mailbox"},
            }
            if org.email
            else None,
            "registration": legal,
            "eIDASIdentifier": legal if as_issuer else None,
        }
    )


def awarding_process_json(data: CredentialData) -> dict:
    """ELM AwardingProcess (EDC AP AwardingProcessShape: ``awardingBody`` required): who awarded
    the achievement and when; its ``description`` says how when that was not by passing every
    outcome (an award by decision of the centre with its reason, or by recognition of prior
    learning)."""
    return _compact(
        {
            "id": f"urn:epass:awardingProcess:{data.local_id}",
            "type": "AwardingProcess",
            "awardingBody": organisation_json(data.awarding_body),
            "awardingDate": xsd_datetime(data.issued_on),
            "description": text(data.award_note),
        }
    )


def learning_outcome_json(data: CredentialData, outcome: OutcomeResultData) -> dict:
    """ELM LearningOutcome (EDC AP LearningOutcomeShape: ``title`` required), with its code."""
    return {
        "id": f"urn:epass:learningOutcome:{data.local_id}:{outcome.code}",
        "type": "LearningOutcome",
        "title": text(outcome.title),
        "identifier": {
            "id": f"urn:epass:identifier:{data.local_id}:{outcome.code}",
            "type": "Identifier",
            "schemeName": "Learning outcome code",
            "notation": outcome.code,
        },
    }


def _annex_notes(data: CredentialData) -> list[dict]:
    """The Annex I elements ELM has no property for, as labelled notes (ELM ``additionalNote``)."""
    labelled = (
        ("typeOfAssessment", "Type of assessment", data.assessment_type),
        ("formOfParticipation", "Form of participation", data.participation_form),
        ("qualityAssurance", "Type of quality assurance", data.quality_assurance),
        ("supervision", "Supervision and identity verification", data.supervision),
        ("stackability", "Integration and stackability options", data.stackability),
    )
    notes = []
    for key, label, value in labelled:
        words = text(value)
        if words:
            notes.append(
                note(
                    f"urn:epass:note:{data.local_id}:{key}",
                    {lang: f"{label}: {w}" for lang, w in words.items()},
                )
            )
    return notes


def mode_json(mode: str | None) -> dict | None:
    if mode not in MODES:
        return None
    concept_id, label = MODES[mode]
    return concept(concept_id, LEARNING_ASSESSMENT, label)


def specification_json(data: CredentialData) -> dict:
    """What the badge certifies: an ELM Qualification, the LearningAchievementSpecification
    subclass that carries ``EQFLevel`` (JSON ``eqfLevel``), as the Commission's Annex I sample
    does; not a partial qualification. ``creditPoint`` in ECTS (ELM CreditPoint, EDC AP
    CreditPointShape), ``volumeOfLearning`` in hours, ``mode`` of participation, the learning
    outcomes, ``entryRequirement`` (the prerequisites) and the other Annex I elements as notes."""
    eqf = None
    if data.eqf_level:
        eqf = concept(
            f"http://data.europa.eu/snb/eqf/{data.eqf_level}", EQF, f"Level {data.eqf_level}"
        )
    credits = None
    if data.ects_credits is not None:
        credits = {
            "id": f"urn:epass:creditPoint:{data.local_id}",
            "type": "CreditPoint",
            "framework": concept(ECTS[0], EDUCATION_CREDIT, ECTS[1]),
            "point": _number(data.ects_credits),
        }
    return _compact(
        {
            "id": f"urn:epass:qualification:{data.local_id}",
            "type": "Qualification",
            "title": text(data.title),
            "description": text(data.description),
            "eqfLevel": eqf,
            "creditPoint": credits,
            "volumeOfLearning": iso_duration(data.hours),
            "mode": mode_json(data.mode),
            "language": language(next(iter(text(data.title)))),
            "entryRequirement": note(
                f"urn:epass:note:{data.local_id}:entryRequirement", data.entry_requirement
            ),
            "isPartialQualification": False,
            "learningOutcome": [learning_outcome_json(data, o) for o in data.outcomes],
            "homepage": {
                "id": f"urn:epass:webResource:{data.local_id}:course",
                "type": "WebResource",
                "contentURL": data.criteria_url,
            }
            if data.criteria_url
            else None,
            "additionalNote": _annex_notes(data),
        }
    )


def assessment_json(data: CredentialData, process: dict) -> dict:
    """ELM LearningAssessment (EDC AP LearningAssessmentShape: ``title``, ``grade``,
    ``awardedBy`` required): the summative assessment, graded overall, with one part per
    learning outcome graded ``pass`` or ``not demonstrated`` (``hasPart``), as the OB 3.0
    credential's results are. Its specification names the type of assessment (Annex I) and the
    grading scheme."""
    assessment_title = data.assessment_type or {"en": "Assessment of the learning outcomes"}
    parts = [
        {
            "id": f"urn:epass:learningAssessment:{data.local_id}:{o.code}",
            "type": "LearningAssessment",
            "title": {lang: f"{o.code}: {w}" for lang, w in text(o.title).items()},
            "grade": note(
                f"urn:epass:note:{data.local_id}:grade:{o.code}",
                {"en": DEMONSTRATED if o.demonstrated else NOT_DEMONSTRATED},
            ),
            "awardedBy": process,
        }
        for o in data.outcomes
    ]
    every = bool(data.outcomes) and all(o.demonstrated for o in data.outcomes)
    grade = data.overall_grade or {"en": DEMONSTRATED if every else NOT_DEMONSTRATED}
    return _compact(
        {
            "id": f"urn:epass:learningAssessment:{data.local_id}",
            "type": "LearningAssessment",
            "title": text(assessment_title),
            "grade": note(f"urn:epass:note:{data.local_id}:grade", grade),
            "awardedBy": process,
            "assessedBy": organisation_json(data.awarding_body),
            "additionalNote": [
                n
                for n in [
                    note(
                        f"urn:epass:note:{data.local_id}:assessmentSupervision",
                        {
                            lang: f"Supervision and identity verification: {w}"
                            for lang, w in (text(data.supervision) or {}).items()
                        },
                    )
                ]
                if n
            ],
            "specifiedBy": {
                "id": f"urn:epass:learningAssessmentSpec:{data.local_id}",
                "type": "LearningAssessmentSpecification",
                "title": text(assessment_title),
                "gradingScheme": {
                    "id": f"urn:epass:gradingScheme:{data.local_id}",
                    "type": "GradingScheme",
                    "title": {"en": GRADING_SCHEME_TITLE},
                    "description": {"en": GRADING_SCHEME_DESCRIPTION},
                },
            },
            "hasPart": parts,
        }
    )


def activity_json(data: CredentialData, activity: ActivityData, process: dict) -> dict:
    """ELM LearningActivity (EDC AP LearningActivityShape: ``title``, ``awardedBy`` required):
    the course as the learner took it: its dates (``temporal``), ``workload``, where its
    in-person parts take place (``location``, in the awarding body's country) and its
    specification (hours as ``volumeOfLearning``, ``mode``), directed by the awarding body."""
    body = data.awarding_body
    period = None
    if activity.start or activity.end:
        period = _compact(
            {
                "id": f"urn:epass:period:{data.local_id}",
                "type": "PeriodOfTime",
                "startDate": xsd_datetime(activity.start) if activity.start else None,
                "endDate": xsd_datetime(activity.end) if activity.end else None,
            }
        )
    return _compact(
        {
            "id": f"urn:epass:activity:{data.local_id}",
            "type": "LearningActivity",
            "title": text(activity.title),
            "awardedBy": process,
            "directedBy": organisation_json(body),
            "temporal": period,
            "workload": iso_duration(activity.hours),
            "location": [
                {
                    "id": f"urn:epass:location:{data.local_id}:{i}",
                    "type": "Location",
                    "address": {
                        "id": f"urn:epass:address:{data.local_id}:{i}",
                        "type": "Address",
                        "countryCode": country(body.country_code),
                        "fullAddress": note(f"urn:epass:note:{data.local_id}:place:{i}", place),
                    },
                }
                for i, place in enumerate(activity.places, start=1)
                if text(place)
            ],
            "specifiedBy": _compact(
                {
                    "id": f"urn:epass:learningActivitySpec:{data.local_id}",
                    "type": "LearningActivitySpecification",
                    "title": text(activity.title),
                    "volumeOfLearning": iso_duration(activity.hours),
                    "mode": mode_json(activity.mode),
                    "additionalNote": [
                        n
                        for n in [
                            note(
                                f"urn:epass:note:{data.local_id}:activityParticipation",
                                {
                                    lang: f"Form of participation: {w}"
                                    for lang, w in (text(activity.participation_form) or {}).items()
                                },
                            )
                        ]
                        if n
                    ],
                }
            ),
        }
    )


def achievement_json(data: CredentialData) -> dict:
    """ELM LearningAchievement, the credential subject's claim (EDC AP LearningAchievementShape:
    ``title`` and ``awardedBy`` required): ``specifiedBy`` what it certifies, ``provenBy`` the
    assessment, ``influencedBy`` the course taken (absent for recognition of prior learning,
    where the learner did not take it), ``creditReceived`` the ECTS credits."""
    process = awarding_process_json(data)
    specification = specification_json(data)
    return _compact(
        {
            "id": f"urn:epass:learningAchievement:{data.local_id}",
            "type": "LearningAchievement",
            "title": text(data.title),
            "description": text(data.description),
            "awardedBy": process,
            "specifiedBy": specification,
            "provenBy": assessment_json(data, process),
            "influencedBy": activity_json(data, data.activity, process) if data.activity else None,
            "creditReceived": specification.get("creditPoint"),
            "additionalNote": [
                n for n in [note(f"urn:epass:note:{data.local_id}:award", data.award_note)] if n
            ],
        }
    )


def media_object_json(node_id: str, image: ImageData) -> dict:
    """ELM MediaObject, embedded base64 (EDC AP MediaObjectShape)."""
    file_type = FILE_TYPES[image.media_type]
    return {
        "id": node_id,
        "type": "MediaObject",
        "content": base64.b64encode(image.content).decode("ascii"),
        "contentEncoding": concept(BASE64[0], ENCODING, BASE64[1]),
        "contentType": concept(f"{FILE_TYPE}/{file_type}", FILE_TYPE, file_type, "file-type"),
    }


def display_json(data: CredentialData) -> dict:
    """ELM DisplayParameter (EDC AP DisplayParameterShape: ``title``, ``language``,
    ``primaryLanguage`` and ``individualDisplay`` required), one IndividualDisplay per language of
    the title, each showing the badge image on page 1 (EDC AP DisplayDetailShape), as the
    sample embeds its display image."""
    languages = list(text(data.display_title))
    displays = []
    for code in languages:
        detail = {
            "id": f"urn:epass:displayDetail:{data.local_id}:{code}",
            "type": "DisplayDetail",
            "page": 1,
        }
        if data.image is not None:
            detail["image"] = media_object_json(
                f"urn:epass:mediaObject:{data.local_id}:{code}", data.image
            )
        displays.append(
            {
                "id": f"urn:epass:individualDisplay:{data.local_id}:{code}",
                "type": "IndividualDisplay",
                "language": language(code),
                "displayDetail": detail,
            }
        )
    return _compact(
        {
            "id": f"urn:epass:displayParameter:{data.local_id}",
            "type": "DisplayParameter",
            "title": text(data.display_title),
            "description": text(data.title),
            "language": [language(code) for code in languages],
            "primaryLanguage": language(languages[0]),
            "individualDisplay": displays,
        }
    )


def european_digital_credential(data: CredentialData) -> dict:
    """ELM EuropeanDigitalCredential (EDC AP EuropeanDigitalCredentialShape): the credential of a
    micro-credential, shaped like the Commission's Annex I sample.

    ``issuanceDate``/``issued`` and ``validFrom`` are the badge's date of issue (VC 1.1 §4.6, ELM
    ``issued``), ``expirationDate`` its expiry if it has one (VC 1.1 §4.7); the issuer is the
    awarding body with its legal identifier (EDC AP IssuerNodeShape). The learner is named, not
    e-mailed: the profile requires no contact point for a Person, and a document that travels
    should not carry an address in clear.
    """
    issued = xsd_datetime(data.issued_on)
    return _compact(
        {
            "@context": list(CONTEXT),
            "id": data.id,
            "type": list(CREDENTIAL_TYPES),
            "credentialProfiles": concept(
                GENERIC_PROFILE[0], CREDENTIAL_PROFILES, GENERIC_PROFILE[1]
            ),
            "credentialSchema": {"id": CREDENTIAL_SCHEMA, "type": SHACL_VALIDATOR},
            "displayParameter": display_json(data),
            "identifier": {
                "id": f"urn:epass:identifier:{data.local_id}",
                "type": "Identifier",
                "schemeName": "Verification page",
                "notation": data.homepage,
            }
            if data.homepage
            else None,
            "credentialSubject": {
                "id": f"urn:epass:person:{data.local_id}",
                "type": "Person",
                "fullName": text(data.learner_name),
                "hasClaim": achievement_json(data),
            },
            "issuer": organisation_json(data.awarding_body, as_issuer=True),
            "issuanceDate": issued,
            "issued": issued,
            "validFrom": issued,
            "expirationDate": xsd_datetime(data.expires_on) if data.expires_on else None,
        }
    )
