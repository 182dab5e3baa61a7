"""Open Badges 3.0 credentials composed from plain data: no Django, no I/O, no signing.

The functions here turn frozen dataclasses into the JSON-LD of an ``OpenBadgeCredential`` (and of
the ``BitstringStatusListCredential`` its status points to); ``badges/credentials.py`` maps our
models onto the dataclasses, and ``badges/openbadges/vc`` signs and verifies the result.

Specifications (each function cites its section):

- Open Badges Specification v3.0 (1EdTech), https://www.imsglobal.org/spec/ob/v3p0/ — cited as
  "OB 3.0 §…"; the data model is Appendix B.1, https://www.imsglobal.org/spec/ob/v3p0/#data-model
- W3C Verifiable Credentials Data Model v2.0, https://www.w3.org/TR/vc-data-model-2.0/ — "VC 2.0".
- W3C Bitstring Status List v1.0, https://www.w3.org/TR/vc-bitstring-status-list/ — "BSL §…".
- JSON-LD 1.1 §4.1.11 (protected term definitions) and §4.1.8 (scoped contexts),
  https://www.w3.org/TR/json-ld11/ — for the EU extension context.

Output is plain JSON (str, int, float, bool, list, dict): what is composed is exactly what is signed
and stored. Dates are XML Schema dateTimes in UTC with whole seconds ("2026-01-15T10:30:00Z"), the
form VC 2.0 §4.9 and every verifier read alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from .vc.contexts import CREDENTIALS_V2, OPEN_BADGE_CREDENTIAL_CONTEXT

# OB 3.0 §B.1.2 (AchievementCredential), VC 2.0 §4.5 (Types).
CREDENTIAL_TYPES = ("VerifiableCredential", "OpenBadgeCredential")
# BSL §2.1 (BitstringStatusListEntry) and §2.2 (BitstringStatusListCredential).
STATUS_ENTRY_TYPE = "BitstringStatusListEntry"
STATUS_LIST_CREDENTIAL_TYPES = ("VerifiableCredential", "BitstringStatusListCredential")
REVOCATION = "revocation"
# OB 3.0 §B.2.2 AchievementType enumeration: every badge of the centre is a micro-credential.
MICRO_CREDENTIAL = "MicroCredential"
# OB 3.0 §B.2.10 ResultType: "Result" is "the result of an assessment" with free values.
RESULT_TYPE = "Result"
PASS, FAIL = "pass", "fail"
# What a learning outcome's Result says when no passed assessment demonstrated it: the learner
# may never have been assessed on it (an award by decision of the centre), so never "fail".
NOT_DEMONSTRATED = "not demonstrated"
EU_EXTENSION_TYPE = "EUMicroCredentialExtension"
EU_EXTENSION_PROPERTY = "euMicroCredential"


def xsd_datetime(moment: datetime) -> str:
    """An aware datetime as an XML Schema dateTimeStamp in UTC, whole seconds (VC 2.0 §4.9)."""
    if moment.tzinfo is None:
        raise ValueError("a credential date must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _compact(node: Mapping) -> dict:
    """Drop absent optional properties (None, "", empty lists): OB 3.0 has no nulls."""
    return {k: v for k, v in node.items() if v not in (None, "", [], ())}


# --- Data -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileData:
    """OB 3.0 §B.1.17 Profile, as the credential's ``issuer``.

    ``id`` must be the controller of the signing key (VC 2.0 §4.7 and the Data Integrity
    verification in ``vc/eddsa_rdfc_2022.py``). ``other_identifiers`` are further URIs of the same
    issuer (§B.1.11 IdentifierEntry, identifierType "identifier"), e.g. its OB 2.0 profile URL.
    """

    id: str
    name: str
    url: str | None = None
    email: str | None = None
    description: str | None = None
    image: str | None = None
    other_identifiers: tuple[str, ...] = ()


@dataclass(frozen=True)
class AlignmentData:
    """OB 3.0 §B.1.4 Alignment: one learning outcome of the course (a competency)."""

    target_name: str
    target_url: str
    target_description: str | None = None
    target_framework: str | None = None
    target_code: str | None = None
    # §B.2.1 AlignmentTargetType: a learning outcome is a competency.
    target_type: str = "ceasn:Competency"


@dataclass(frozen=True)
class ResultDescriptionData:
    """OB 3.0 §B.1.19 ResultDescription: how one learning outcome is recorded: ``pass`` when a
    passed assessment demonstrated it, ``not demonstrated`` otherwise (§B.1.19 allowedValue)."""

    id: str
    name: str
    alignment: AlignmentData | None = None
    allowed_values: tuple[str, ...] = (PASS, NOT_DEMONSTRATED)
    required_value: str | None = PASS
    result_type: str = RESULT_TYPE


@dataclass(frozen=True)
class EUMicroCredentialData:
    """The EU micro-credential elements OB 3.0 has no property for (Council Recommendation
    2022/C 243/02, Annex I), as our extension node; see :func:`eu_context`.

    Title, awarding body, date of issue and learning outcomes are OB 3.0 properties already
    (``name``, ``issuer``, ``validFrom``/``awardedDate``, ``alignment``/``result``);
    ``awarding_body`` repeats the issuer's name so the node reads on its own.
    """

    context_url: str
    ects_credits: float
    awarding_body: str
    eqf_level: int | None = None
    notional_workload_hours: float | None = None
    assessment_type: str | None = None
    participation_form: str | None = None
    quality_assurance: str | None = None


@dataclass(frozen=True)
class AchievementData:
    """OB 3.0 §B.1.1 Achievement: what the badge class awards."""

    id: str
    name: str
    description: str
    criteria_narrative: str
    criteria_url: str | None = None
    image: str | None = None
    achievement_type: str = MICRO_CREDENTIAL
    credits_available: float | None = None
    alignments: tuple[AlignmentData, ...] = ()
    result_descriptions: tuple[ResultDescriptionData, ...] = ()
    tags: tuple[str, ...] = ()
    eu: EUMicroCredentialData | None = None


@dataclass(frozen=True)
class IdentityData:
    """OB 3.0 §B.1.12 IdentityObject: the learner as a salted hash of their e-mail address.

    ``identity_hash`` is ``"sha256$" + hex(sha256(email + salt))`` (the OB 2.0 form, which
    §B.1.12 keeps), so the learner can prove the badge is theirs without it naming them.
    """

    identity_hash: str
    salt: str
    identity_type: str = "emailAddress"


@dataclass(frozen=True)
class ResultData:
    """OB 3.0 §B.1.18 Result: the learner's result for one ResultDescription."""

    result_description: str
    value: str


@dataclass(frozen=True)
class EvidenceData:
    """OB 3.0 §B.1.8 Evidence: a passed assessment, or an item the learner handed in for it,
    with a link where there is one (`genre`: what kind of item; `audience`: who it is for)."""

    name: str | None = None
    narrative: str | None = None
    id: str | None = None
    description: str | None = None
    genre: str | None = None
    audience: str | None = None


@dataclass(frozen=True)
class StatusEntryData:
    """BSL §2.1: this credential's entry in a status list credential."""

    status_list_credential: str
    index: int
    purpose: str = REVOCATION


@dataclass(frozen=True)
class CredentialData:
    """Everything an OpenBadgeCredential says (OB 3.0 §B.1.2 AchievementCredential)."""

    id: str
    issuer: ProfileData
    achievement: AchievementData
    recipient: IdentityData
    valid_from: datetime
    valid_until: datetime | None = None
    awarded_date: datetime | None = None
    credits_earned: float | None = None
    results: tuple[ResultData, ...] = ()
    evidence: tuple[EvidenceData, ...] = ()
    status: StatusEntryData | None = None
    name: str | None = None
    description: str | None = None
    # §B.1.3 AchievementSubject ``narrative``: how the achievement was earned, in words (an
    # award by decision of the centre, with its reason; which outcomes were not demonstrated).
    subject_narrative: str | None = None
    # §B.1.3 AchievementSubject ``id``: the holder's DID, in a copy bound to a wallet
    # (OpenID4VCI); the hosted credential has none (the learner has no DID).
    subject_id: str | None = None


# --- Composition ------------------------------------------------------------------------------


def profile_json(profile: ProfileData) -> dict:
    """OB 3.0 §B.1.17 Profile (id, type, name required for an issuer; url, email recommended)."""
    return _compact(
        {
            "id": profile.id,
            "type": ["Profile"],
            "name": profile.name,
            "url": profile.url,
            "email": profile.email,
            "description": profile.description,
            "image": {"id": profile.image, "type": "Image"} if profile.image else None,
            "otherIdentifier": [
                {"type": "IdentifierEntry", "identifier": uri, "identifierType": "identifier"}
                for uri in profile.other_identifiers
            ],
        }
    )


def alignment_json(alignment: AlignmentData) -> dict:
    """OB 3.0 §B.1.4 Alignment (targetName and targetUrl required)."""
    return _compact(
        {
            "type": ["Alignment"],
            "targetName": alignment.target_name,
            "targetUrl": alignment.target_url,
            "targetDescription": alignment.target_description,
            "targetFramework": alignment.target_framework,
            "targetCode": alignment.target_code,
            "targetType": alignment.target_type,
        }
    )


def result_description_json(description: ResultDescriptionData) -> dict:
    """OB 3.0 §B.1.19 ResultDescription (id, type, name and resultType required)."""
    return _compact(
        {
            "id": description.id,
            "type": ["ResultDescription"],
            "name": description.name,
            "resultType": description.result_type,
            "allowedValue": list(description.allowed_values),
            "requiredValue": description.required_value,
            "alignment": [alignment_json(description.alignment)] if description.alignment else None,
        }
    )


def eu_extension_json(eu: EUMicroCredentialData) -> dict:
    """Our extension node (OB 3.0 §7 Extending the Data Model: a new property with its own
    JSON-LD context). Numbers stay JSON numbers: no datatype coercion that two JSON-LD
    processors could serialise differently."""
    return _compact(
        {
            "type": [EU_EXTENSION_TYPE],
            "ectsCredits": eu.ects_credits,
            "awardingBody": eu.awarding_body,
            "eqfLevel": eu.eqf_level,
            "notionalWorkloadHours": eu.notional_workload_hours,
            "assessmentType": eu.assessment_type,
            "participationForm": eu.participation_form,
            "qualityAssurance": eu.quality_assurance,
        }
    )


def achievement_json(achievement: AchievementData) -> dict:
    """OB 3.0 §B.1.1 Achievement (id, type, name, description and criteria required)."""
    node = {
        "id": achievement.id,
        "type": ["Achievement"],
        "achievementType": achievement.achievement_type,
        "name": achievement.name,
        "description": achievement.description,
        # §B.1.6 Criteria: a URL and/or a narrative (Markdown).
        "criteria": _compact(
            {"id": achievement.criteria_url, "narrative": achievement.criteria_narrative}
        ),
        "image": {"id": achievement.image, "type": "Image"} if achievement.image else None,
        "creditsAvailable": achievement.credits_available,
        "alignment": [alignment_json(a) for a in achievement.alignments],
        "resultDescription": [result_description_json(r) for r in achievement.result_descriptions],
        "tag": list(achievement.tags),
    }
    if achievement.eu is not None:
        node[EU_EXTENSION_PROPERTY] = eu_extension_json(achievement.eu)
    return _compact(node)


def identity_json(identity: IdentityData) -> dict:
    """OB 3.0 §B.1.12 IdentityObject, hashed."""
    return {
        "type": "IdentityObject",
        "identityHash": identity.identity_hash,
        "identityType": identity.identity_type,
        "hashed": True,
        "salt": identity.salt,
    }


def evidence_json(evidence: EvidenceData) -> dict:
    """OB 3.0 §B.1.8 Evidence (type required; id optional, a URL of the evidence)."""
    return _compact(
        {
            "id": evidence.id,
            "type": ["Evidence"],
            "name": evidence.name,
            "narrative": evidence.narrative,
            "description": evidence.description,
            "genre": evidence.genre,
            "audience": evidence.audience,
        }
    )


def status_entry_json(status: StatusEntryData) -> dict:
    """BSL §2.1 BitstringStatusListEntry: ``statusListIndex`` is a string of digits, and the
    entry's own ``id`` is the list URL with the index as fragment (BSL §2.1, Example 1)."""
    return {
        "id": f"{status.status_list_credential}#{status.index}",
        "type": STATUS_ENTRY_TYPE,
        "statusPurpose": status.purpose,
        "statusListIndex": str(status.index),
        "statusListCredential": status.status_list_credential,
    }


def credential_context(data: CredentialData) -> list[str]:
    """VC 2.0 §4.3 and OB 3.0 §B.1.2: the VC 2.0 context first, then OB 3.0.3, then ours."""
    contexts = list(OPEN_BADGE_CREDENTIAL_CONTEXT)
    if data.achievement.eu is not None:
        contexts.append(data.achievement.eu.context_url)
    return contexts


def open_badge_credential(data: CredentialData) -> dict:
    """An unsigned OpenBadgeCredential (OB 3.0 §B.1.2, VC 2.0 §4).

    ``credentialSubject`` (§B.1.3 AchievementSubject) identifies the learner by ``identifier``
    only: they have no DID, and §B.1.3 requires ``id`` or ``identifier``. One ``result`` per
    learning outcome points at its ResultDescription on the achievement (§B.1.18).
    """
    subject = _compact(
        {
            "id": data.subject_id,
            "type": ["AchievementSubject"],
            "identifier": [identity_json(data.recipient)],
            "achievement": achievement_json(data.achievement),
            "creditsEarned": data.credits_earned,
            "narrative": data.subject_narrative,
            "result": [
                {"type": ["Result"], "resultDescription": r.result_description, "value": r.value}
                for r in data.results
            ],
        }
    )
    document = {
        "@context": credential_context(data),
        "id": data.id,
        "type": list(CREDENTIAL_TYPES),
        "name": data.name or data.achievement.name,
        "description": data.description,
        "issuer": profile_json(data.issuer),
        "validFrom": xsd_datetime(data.valid_from),
        "validUntil": xsd_datetime(data.valid_until) if data.valid_until else None,
        "awardedDate": xsd_datetime(data.awarded_date) if data.awarded_date else None,
        "credentialSubject": subject,
        "evidence": [evidence_json(e) for e in data.evidence],
        "credentialStatus": status_entry_json(data.status) if data.status else None,
    }
    return _compact(document)


def bitstring_status_list_credential(
    *,
    id: str,
    issuer: str,
    encoded_list: str,
    valid_from: datetime,
    purpose: str = REVOCATION,
) -> dict:
    """An unsigned BitstringStatusListCredential (BSL §2.2).

    ``encoded_list`` comes from ``vc.status_list.BitstringStatusList.encode`` (GZIP, multibase
    base64url, at least 131,072 entries). The VC 2.0 context defines every term used here.
    """
    return {
        "@context": [CREDENTIALS_V2],
        "id": id,
        "type": list(STATUS_LIST_CREDENTIAL_TYPES),
        "issuer": issuer,
        "validFrom": xsd_datetime(valid_from),
        "credentialSubject": {
            "id": f"{id}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encoded_list,
        },
    }


# --- The EU extension's JSON-LD context ----------------------------------------------------------

EU_TERMS = (
    "ectsCredits",
    "eqfLevel",
    "notionalWorkloadHours",
    "assessmentType",
    "participationForm",
    "qualityAssurance",
    "awardingBody",
)


def eu_context(vocabulary: str) -> dict:
    """The JSON-LD 1.1 context of our EU micro-credential extension for OB 3.0 credentials.

    ``vocabulary`` is the IRI prefix of the terms (ending in "#"); the site uses the same IRIs as
    its OB 2.0 extension context, so both badge formats say the same thing. JSON-LD 1.1 features,
    as the OB 3.0 and VC 2.0 contexts use them:

    - ``@protected`` (JSON-LD 1.1 §4.1.11): a later context cannot redefine our terms, and ours
      redefine nothing of OB 3.0's (``id`` and ``type`` are the same definitions, which is allowed).
    - A type-scoped context (§4.1.8) on ``EUMicroCredentialExtension``, so the element names are
      defined only inside our node and cannot collide with other vocabularies elsewhere.

    The node hangs off the Achievement as ``euMicroCredential``. Every term maps to an IRI, so
    the extension is covered by the signature (safe-mode canonicalization drops nothing).
    """
    scoped = {"@protected": True, "id": "@id", "type": "@type"}
    scoped.update({term: {"@id": vocabulary + term} for term in EU_TERMS})
    return {
        "@context": {
            "@version": 1.1,
            "@protected": True,
            "id": "@id",
            "type": "@type",
            EU_EXTENSION_TYPE: {"@id": vocabulary + EU_EXTENSION_TYPE, "@context": scoped},
            EU_EXTENSION_PROPERTY: {"@id": vocabulary + EU_EXTENSION_PROPERTY},
        }
    }
