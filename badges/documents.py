"""Our models as Open Badges 2.0 documents: the bridge between the database and ob2.py.

Every URL in a document is absolute, built from SITE_URL, and has the stable shape DESIGN.md
lists under "Public URLs".
"""

from django.conf import settings
from django.urls import reverse

from .models import Assertion, BadgeClassVersion, Issuer
from .openbadges import ob2

EU_CONTEXT_PATH = "/public/contexts/eu-microcredential-v1.json"
EU_SCHEMA_PATH = "/public/contexts/eu-microcredential-v1.schema.json"
EU_EXTENSION = "extensions:EUMicroCredentialExtension"


def absolute(name, *args):
    return settings.SITE_URL + reverse(name, args=[str(a) for a in args])


def eu_context_url():
    return settings.SITE_URL + EU_CONTEXT_PATH


def eu_context() -> dict:
    """The JSON-LD context of our extension for the EU micro-credential elements that Open
    Badges has no property for (Council Recommendation 2022/C 243/02, Annex I)."""
    base = settings.SITE_URL + EU_CONTEXT_PATH + "#"
    terms = ["ectsCredits", "eqfLevel", "notionalWorkloadHours", "assessmentType",
             "participationForm", "qualityAssurance", "awardingBody"]  # fmt: skip
    return {
        # Plain term definitions only: JSON-LD 1.0 processors (the 1EdTech validator's) read it.
        "@context": {
            "obi": "https://w3id.org/openbadges#",
            "EUMicroCredentialExtension": base + "EUMicroCredentialExtension",
            **{term: base + term for term in terms},
        },
        # OB 2.0 §Extensions: how validators check a node of this type.
        "obi:validation": [
            {
                "obi:validatesType": base + "EUMicroCredentialExtension",
                "obi:validationSchema": settings.SITE_URL + EU_SCHEMA_PATH,
            }
        ],
    }


def eu_schema() -> dict:
    """JSON Schema (draft 4, as OB 2.0 extension validators read) of the extension's node."""
    text = {"type": "string", "minLength": 1}
    return {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "title": "EU micro-credential elements (Council Recommendation 2022/C 243/02, Annex I)",
        "type": "object",
        "properties": {
            "ectsCredits": {"type": "number", "minimum": 0},
            "eqfLevel": {"type": "integer", "minimum": 1, "maximum": 8},
            "notionalWorkloadHours": {"type": "number", "minimum": 0},
            "assessmentType": text,
            "participationForm": text,
            "qualityAssurance": text,
            "awardingBody": text,
        },
        "required": ["ectsCredits", "awardingBody"],
    }


def issuer_data(issuer: Issuer) -> ob2.IssuerData:
    return ob2.IssuerData(
        id=absolute("badges:issuer", issuer.pk),
        name=issuer.name,
        url=issuer.url,
        email=issuer.email,
        description=issuer.description or None,
        image=settings.SITE_URL + issuer.image.url if issuer.image else None,
    )


def _eu_extension(version: BadgeClassVersion) -> ob2.ExtensionData:
    properties = {
        "ectsCredits": version.ects_credits,
        "awardingBody": version.issuer_name,
        "assessmentType": version.assessment_type,
        "participationForm": version.participation_form,
        "qualityAssurance": version.quality_assurance,
    }
    if version.eqf_level:
        properties["eqfLevel"] = version.eqf_level
    if version.hours:
        properties["notionalWorkloadHours"] = float(version.hours)
    return ob2.ExtensionData(
        context_url=eu_context_url(),
        types=("EUMicroCredentialExtension",),
        properties={k: v for k, v in properties.items() if v not in ("", None)},
    )


def badge_class_data(version: BadgeClassVersion) -> ob2.BadgeClassData:
    """The OB 2.0 BadgeClass of a version of a badge design: what the badges issued from it
    say, frozen (its URL is the version's; version 1's is the badge class's own id)."""
    return ob2.BadgeClassData(
        id=absolute("badges:badge_class", version.pk),
        issuer_id=absolute("badges:issuer", version.issuer_id),
        name=version.name,
        description=version.description,
        image=absolute("badges:badge_class_image", version.pk),
        criteria_url=settings.SITE_URL + version.criteria_path,
        criteria_narrative=version.criteria_narrative,
        alignments=tuple(ob2.AlignmentData(**a) for a in version.alignments),
        tags=tuple(version.tags),
        extensions={EU_EXTENSION: _eu_extension(version)},
    )


def assertion_data(assertion: Assertion) -> ob2.AssertionData:
    """The hosted assertion: its BadgeClass is the version it was issued from; its narrative,
    written at issue from the record, says which outcomes were demonstrated by assessment and,
    for an award by decision of the centre, that and why."""
    revocation = None
    if assertion.revoked_at:
        revocation = ob2.RevocationData(reason=assertion.revocation_reason)
    return ob2.AssertionData(
        id=absolute("badges:assertion", assertion.pk),
        badge_id=absolute("badges:badge_class", assertion.badge_version_id),
        recipient_email=assertion.recipient_email,
        salt=assertion.salt,
        issued_on=assertion.issued_on,
        expires=assertion.expires_on,
        image=absolute("badges:assertion_image", assertion.pk),
        evidence=tuple(ob2.EvidenceData(**e) for e in assertion.evidence),
        narrative=assertion.narrative or None,
        revocation=revocation,
    )


def issuer_json(issuer):
    return ob2.issuer_json(issuer_data(issuer))


def badge_class_json(version):
    return ob2.badgeclass_json(badge_class_data(version))


def assertion_json(assertion):
    data = assertion_data(assertion)
    if assertion.revoked_at:
        return ob2.revoked_assertion_json(data)
    return ob2.assertion_json(data)
