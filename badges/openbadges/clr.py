"""Comprehensive Learner Record 2.0 ``ClrCredential`` composed from plain data: no Django, no I/O.

A learner's record at the centre: every badge they hold, as the signed Open Badges 3.0
credentials the centre issued (embedded exactly as they were signed, never re-composed), the
achievements those credentials assert, and how a pathway's badge stands on its component badges.
``badges/clr.py`` gathers the data from our models; ``badges/signing.py`` signs the result with the
issuer's key, as it signs each badge.

Specification: 1EdTech Comprehensive Learner Record Standard v2.0,
https://www.imsglobal.org/spec/clr/v2p0/ — cited as "CLR 2.0" with the class or section name and
its anchor in that document (the data model is its Appendix B.1, one subsection per class):

- ClrCredential (#clrcredential), ClrSubject (#clrsubject), Association (#association) and the
  AssociationType enumeration (#associationtype);
- the JSON-LD context, https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json, and the JSON
  Schema, .../schema/json/clr_v2p0_clrcredential_schema.json (copies and provenance:
  ``clr_v2p0/README.md``);
- W3C Verifiable Credentials Data Model v2.0 (``VC 2.0``) for the envelope, and Open Badges 3.0
  (``OB 3.0``, ``ob3.py``) for the Profile, IdentityObject and Achievement shapes CLR 2.0 reuses.

Output is plain JSON, as in ``ob3.py``: what is composed is exactly what is signed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from . import ob3
from .vc.contexts import CREDENTIALS_V2, OB_V3P0_3

FILES_DIR = Path(__file__).with_name("clr_v2p0")

# The CLR 2.0 context as 1EdTech publishes it (its file here, and where the copy came from:
# clr_v2p0/README.md). Registered with the offline document loader by badges/clr.py.
CLR_V2P0_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
CLR_V2P0_CONTEXT_FILE = FILES_DIR / "context-2.0.1.json"
CLR_CREDENTIAL_SCHEMA_FILE = FILES_DIR / "clr_v2p0_clrcredential_schema.json"

# CLR 2.0 ClrCredential: "@context" starts with VC 2.0, then CLR 2.0, then OB 3.0 (the published
# schema checks those three positions); contexts the embedded achievements need follow.
CLR_CREDENTIAL_CONTEXT = (CREDENTIALS_V2, CLR_V2P0_CONTEXT, OB_V3P0_3)
# CLR 2.0 ClrCredential "type" and ClrSubject "type".
CREDENTIAL_TYPES = ("VerifiableCredential", "ClrCredential")
SUBJECT_TYPE = "ClrSubject"
ASSOCIATION_TYPE = "Association"

# CLR 2.0 AssociationType enumeration, the values our records use.
#
# A pathway's badge is the parent of the component badges it stands on: ``isParentOf`` with the
# pathway's achievement as ``sourceId`` and each component's as ``targetId``. The enumeration
# borrows CASE's hierarchy words, in which parent and child describe a structure (the pathway is
# made of its micro-credentials) — the relation a stackable credential has to its parts. It is
# also what 1EdTech's own CLR 2.0 sample does for a programme and its courses (the validator's
# ``inspector-clr/src/test/resources/clr20/complex.json``). ``isPartOf`` says the same thing read
# the other way (source: the component, target: the pathway); ``isChildOf`` likewise. One
# direction is enough, and the association then reads from the achievement the learner earned
# last, the pathway, down to what it was earned with.
IS_PARENT_OF = "isParentOf"
ASSOCIATION_TYPES = frozenset(
    {
        "exactMatchOf",
        "isChildOf",
        "isParentOf",
        "isPartOf",
        "isPeerOf",
        "isRelatedTo",
        "precedes",
        "replacedBy",
    }
)


class ClrCompositionError(ValueError):
    """What was given cannot make a ClrCredential (e.g. an embedded credential is not one)."""


def context_document() -> dict:
    """The shipped CLR 2.0 JSON-LD context (a fresh copy)."""
    return json.loads(CLR_V2P0_CONTEXT_FILE.read_text(encoding="utf-8"))


def credential_schema() -> dict:
    """1EdTech's published ClrCredential JSON Schema (draft 2019-09, self-contained)."""
    return json.loads(CLR_CREDENTIAL_SCHEMA_FILE.read_text(encoding="utf-8"))


# --- Data -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssociationData:
    """CLR 2.0 Association: a relation between two achievements of the record, by their ids."""

    source_id: str
    target_id: str
    association_type: str = IS_PARENT_OF

    def __post_init__(self):
        if self.association_type not in ASSOCIATION_TYPES:
            raise ClrCompositionError(f"not a CLR 2.0 AssociationType: {self.association_type}")


@dataclass(frozen=True)
class ClrData:
    """Everything a ClrCredential says (CLR 2.0 ClrCredential and ClrSubject).

    ``credentials`` are the learner's signed AchievementCredentials (OpenBadgeCredentials) as
    parsed from the JSON text that was signed, in the order the record lists them; ``learner`` is
    the learner as a salted hash of their e-mail address (OB 3.0 IdentityObject), never the
    address itself. ``partial`` is CLR 2.0 ClrCredential ``partial``: false when the record holds
    every achievement the issuer knows of for the learner.
    """

    id: str
    issuer: ob3.ProfileData
    name: str
    valid_from: datetime
    learner: ob3.IdentityData
    credentials: tuple[Mapping, ...]
    associations: tuple[AssociationData, ...] = ()
    description: str | None = None
    partial: bool = False


# --- Composition ------------------------------------------------------------------------------


def _compact(node: Mapping) -> dict:
    """Drop absent optional properties (None, empty lists), as ob3.py does."""
    return {k: v for k, v in node.items() if v not in (None, "", [], ())}


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _checked(credential: Mapping) -> Mapping:
    """An embedded credential must be a signed AchievementCredential with an id (CLR 2.0
    ClrSubject ``verifiableCredential``: AchievementCredentials, each verifiable on its own)."""
    types = set(_as_list(credential.get("type")))
    if "VerifiableCredential" not in types or not types & {
        "AchievementCredential",
        "OpenBadgeCredential",
    }:
        raise ClrCompositionError(f"not an AchievementCredential: {credential.get('id')}")
    if not isinstance(credential.get("id"), str) or not credential.get("proof"):
        raise ClrCompositionError("an embedded credential must have an id and its proof")
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping) or not isinstance(subject.get("achievement"), Mapping):
        raise ClrCompositionError(f"{credential['id']} asserts no achievement")
    return credential


def unique_credentials(credentials: Iterable[Mapping]) -> list[Mapping]:
    """Each credential once (by its id), in the order given: a set of credentials, as the
    ClrSubject's ``verifiableCredential`` is."""
    seen, unique = set(), []
    for credential in credentials:
        credential = _checked(credential)
        if credential["id"] not in seen:
            seen.add(credential["id"])
            unique.append(credential)
    return unique


def achievements(credentials: Iterable[Mapping]) -> list[dict]:
    """CLR 2.0 ClrSubject ``achievement``: the achievement each credential asserts, once each,
    copied from the signed credential (so the record and the credentials say the same thing)."""
    seen, found = set(), []
    for credential in credentials:
        achievement = credential["credentialSubject"]["achievement"]
        if achievement.get("id") not in seen:
            seen.add(achievement.get("id"))
            found.append(json.loads(json.dumps(achievement)))
    return found


def credential_context(credentials: Iterable[Mapping]) -> list[str]:
    """CLR 2.0 ClrCredential ``@context``: VC 2.0, CLR 2.0 and OB 3.0 first, in that order, then
    every further context the embedded credentials use (our EU extension), because their
    achievements are repeated in the ClrSubject and their terms must be defined there too."""
    contexts = list(CLR_CREDENTIAL_CONTEXT)
    for credential in credentials:
        for context in _as_list(credential.get("@context")):
            if not isinstance(context, str):
                raise ClrCompositionError("an embedded credential has an inline @context")
            if context not in contexts:
                contexts.append(context)
    return contexts


def association_json(association: AssociationData) -> dict:
    """CLR 2.0 Association (type, associationType, sourceId and targetId, all required)."""
    return {
        "type": ASSOCIATION_TYPE,
        "associationType": association.association_type,
        "sourceId": association.source_id,
        "targetId": association.target_id,
    }


def clr_credential(data: ClrData) -> dict:
    """An unsigned ClrCredential (CLR 2.0 ClrCredential; VC 2.0 §4).

    ``credentialSubject`` (CLR 2.0 ClrSubject) identifies the learner by ``identifier`` only (they
    have no DID), as our OB 3.0 credentials do. ``verifiableCredential`` holds the signed
    credentials as they were signed, each still verifiable on its own, with its results and
    evidence; ``achievement`` lists what they assert; ``association`` relates the achievements.
    An association whose two ends are not both achievements of this record is refused: it would
    point at nothing the record holds.
    """
    credentials = unique_credentials(data.credentials)
    if not credentials:
        # ClrSubject.verifiableCredential has minItems 1: an empty record is not a CLR.
        raise ClrCompositionError("a ClrCredential needs at least one credential")
    found = achievements(credentials)
    ids = {a.get("id") for a in found}
    for association in data.associations:
        if association.source_id not in ids or association.target_id not in ids:
            raise ClrCompositionError(
                f"association {association.source_id} -> {association.target_id}: "
                "both achievements must be in the record"
            )
    subject = _compact(
        {
            "type": [SUBJECT_TYPE],
            "identifier": [ob3.identity_json(data.learner)],
            "achievement": found,
            "verifiableCredential": [json.loads(json.dumps(c)) for c in credentials],
            "association": [association_json(a) for a in data.associations],
        }
    )
    document = {
        "@context": credential_context(credentials),
        "id": data.id,
        "type": list(CREDENTIAL_TYPES),
        "name": data.name,
        "description": data.description,
        "issuer": ob3.profile_json(data.issuer),
        "validFrom": ob3.xsd_datetime(data.valid_from),
        "partial": data.partial,
        "credentialSubject": subject,
    }
    # Not _compact: ``partial: false`` is a statement (the record is complete), not an absence.
    return {k: v for k, v in document.items() if v is not None}
