"""Our issued badges as European Digital Credentials (ELM v3), sealed with the centre's seal.

Compose → seal, like ``credentials.py``: an issued badge's frozen record (the badge class version
it was issued from, with the issuer as it was, and the outcome results kept at issue) is mapped
onto the plain data of ``openbadges/edc.py``; the words that say how it was awarded are
``record.py``'s, the same the page, the PDF and the OB 3.0 credential use. Where the version
keeps nothing (supervision, stackability, prerequisites, in-person places)
the approved course version the badge class belongs to is read: approving freezes it. The
offering's title and dates are the assertion's own (``took_part``), kept at issue.

Two forms are served:

- uploadable (:func:`edc_json`): the JSON-LD document itself, which the Europass issuer accepts
  for sealing under its own seal;
- sealed (:func:`edc_sealed`): that document sealed with the centre's electronic seal
  (``seal.py``) as a JAdES baseline-B signature in the JWS JSON serialization, as Europass
  issues them (``Sample-MC-Annex1-signed.jsonld``).

The JAdES header (ETSI TS 119 182-1 v1.1.1, "JAdES"), all protected, follows the Commission's
sealed sample, without its timestamp:

- ``alg`` from the seal's key (RFC 7518 §3.1; JAdES §5.1.2), ``typ`` ``jose+json`` (JAdES
  §5.1.3: the JSON serialization), ``cty`` ``octet-stream`` (RFC 7515 §4.1.10; the value the
  sample carries: the payload is signed as the bytes served);
- ``kid``: base64 of the DER ``IssuerSerial`` (RFC 5035) of the seal's certificate (JAdES
  §5.1.4), ``x5t#S256`` (JAdES §5.1.7) and the chain in ``x5c`` (JAdES §5.1.8), the seal's own
  certificate first;
- ``sigT``, the claimed signing time in UTC (JAdES §5.2.1);
- ``b64`` false (RFC 7797: the payload is the JSON text itself, unencoded, as in the sample),
  with ``crit`` ``["b64", "sigT"]`` (RFC 7797 §6 requires ``b64`` to be critical; JAdES §5.1.11
  lists its own header parameters there).

The sample also carries ``adoTst`` and an unprotected ``etsiU`` (timestamps, validation data):
those need a trusted timestamping authority, which the centre does not have, so ours is a
baseline-B signature (JAdES §6.3 B-B), not B-T or B-LTA.
"""

from __future__ import annotations

import base64
import json
import logging
from datetime import UTC, date, datetime, time

from asn1crypto import core as asn1_core
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from jwcrypto import jwk, jws
from jwcrypto.common import json_encode

from courses import rules

from . import documents, record
from .images import image_media_type, version_image_bytes
from .models import Assertion
from .openbadges import edc
from .openbadges.ob3 import xsd_datetime
from .seal import Seal, SealUnavailable, load_seal
from .selectors import iso_date

log = logging.getLogger(__name__)

LANGUAGE = "en"
DISPLAY_TITLE = "Micro-credential"
CACHE_SECONDS = 24 * 3600
# JAdES §5.2.1 sigT: not in jwcrypto's registry of header parameters, so made known to it.
JADES_HEADERS = {
    "sigT": jws.JWSEHeaderParameter("Claimed signing time (JAdES)", True, True, None),
}
# The frozen words of the form of participation (rules.PARTICIPATION_FORMS) -> its key.
_PARTICIPATION_KEYS = {words: key for key, words in rules.PARTICIPATION_FORMS.items()}


def _en(value) -> dict | None:
    value = (value or "").strip() if isinstance(value, str) else value
    return {LANGUAGE: str(value)} if value else None


def credential_id(assertion) -> str:
    """``urn:credential:<uuid>``, the form of the Commission's samples, from the badge's id."""
    return f"urn:credential:{assertion.pk}"


def awarding_body(version) -> edc.OrganisationData:
    """The issuer as the badge version froze it, with the legal identifier and country of the
    centre (settings ``AWARDING_BODY_LEGAL_IDENTIFIER``, ``AWARDING_BODY_COUNTRY``)."""
    return edc.OrganisationData(
        id=f"urn:epass:org:{version.issuer_id}",
        legal_name={LANGUAGE: version.issuer_name},
        country_code=settings.AWARDING_BODY_COUNTRY,
        homepage=version.issuer_url or None,
        email=version.issuer_email or None,
        legal_identifier=settings.AWARDING_BODY_LEGAL_IDENTIFIER or None,
    )


def _day(value: date | None) -> datetime | None:
    return datetime.combine(value, time(0), tzinfo=UTC) if value else None


def _activity(assertion, course, *, mode, participation_form) -> edc.ActivityData | None:
    """The course as the learner took it; none for a badge by recognition of prior learning
    (the learner did not take it) or one earned by a pathway (no single course)."""
    if assertion.prior_learning or course is None or assertion.enrollment_id is None:
        return None
    took_part = assertion.took_part or {}
    places = []
    for unit in course.content_units.all():
        place = (unit.place or "").strip()
        if unit.is_in_person and place and place not in places:
            places.append(place)
    return edc.ActivityData(
        title={LANGUAGE: course.title},
        hours=assertion.badge_version.hours,
        mode=mode,
        participation_form=participation_form,
        start=_day(iso_date(took_part.get("starts_on"))),
        end=_day(iso_date(took_part.get("ends_on"))),
        places=tuple({LANGUAGE: p} for p in places),
    )


def _image(version) -> edc.ImageData | None:
    try:
        data = version_image_bytes(version)
    except (OSError, ValueError) as error:  # a missing file must not stop the credential
        log.warning("Badge image of version %s not embedded in the EDC: %s", version.pk, error)
        return None
    return edc.ImageData(content=data, media_type=image_media_type(data))


def credential_data(assertion: Assertion) -> edc.CredentialData:
    """The EDC of an issued badge, from its frozen record only (see the module docstring)."""
    version = assertion.badge_version
    course = version.badge_class.course if version.badge_class.course_id else None
    results = assertion.outcome_results
    demonstrated = set(record.demonstrated_codes(results))
    texts = {r.get("code"): r.get("text") for r in results}
    outcomes = tuple(
        edc.OutcomeResultData(
            code=a.get("target_code") or f"LO{i + 1}",
            title={
                LANGUAGE: a.get("target_description")
                or texts.get(a.get("target_code"))
                or a.get("target_name")
                or f"LO{i + 1}"
            },
            demonstrated=(a.get("target_code") or f"LO{i + 1}") in demonstrated,
        )
        for i, a in enumerate(version.alignments)
    )
    form_key = _PARTICIPATION_KEYS.get(version.participation_form or "")
    mode = form_key if form_key in edc.MODES else None
    participation_form = _en(version.participation_form)
    supervision = entry = stackability = None
    if course is not None:
        supervision = _en(course.get_assessment_supervision_display())
        entry = _en(course.prerequisites)
        stackability = _en(course.stackability)
    narrative = record.credential_narrative(assertion)
    overall = None
    if assertion.by_decision:
        overall = _en(record.DECISION)
    elif assertion.prior_learning:
        overall = _en(record.PRIOR_LEARNING)
    elif assertion.pathway_id:  # it stands on the learner's badges, not on outcomes
        overall = _en(record.outcomes_statement(assertion))
    pk = str(assertion.pk)
    return edc.CredentialData(
        id=credential_id(assertion),
        local_id=pk,
        awarding_body=awarding_body(version),
        learner_name={LANGUAGE: assertion.recipient_name},
        title={LANGUAGE: version.name},
        description=_en(version.description) or {LANGUAGE: version.name},
        outcomes=outcomes,
        issued_on=assertion.issued_on,
        expires_on=assertion.expires_on,
        display_title={LANGUAGE: DISPLAY_TITLE},
        ects_credits=version.ects_credits,
        eqf_level=version.eqf_level or None,
        hours=version.hours or None,
        mode=mode,
        participation_form=participation_form,
        assessment_type=_en(version.assessment_type),
        quality_assurance=_en(version.quality_assurance),
        supervision=supervision,
        stackability=stackability,
        entry_requirement=entry,
        award_note=_en(narrative),
        overall_grade=overall,
        activity=_activity(assertion, course, mode=mode, participation_form=participation_form),
        image=_image(version),
        homepage=documents.absolute("badges:assertion", pk),
        criteria_url=settings.SITE_URL + version.criteria_path,
    )


def edc_document(assertion: Assertion) -> dict:
    """The uploadable European Digital Credential of an issued badge (JSON-LD)."""
    return edc.european_digital_credential(credential_data(assertion))


def edc_json(assertion: Assertion) -> str:
    """The document as the text that is served and sealed (compact, UTF-8 as is)."""
    return json.dumps(edc_document(assertion), ensure_ascii=False, separators=(",", ":"))


# --- The seal (JAdES) ---------------------------------------------------------------------------


def issuer_serial(seal: Seal) -> str:
    """JAdES §5.1.4 ``kid``: base64 of the DER IssuerSerial (RFC 5035) of the seal's certificate."""
    certificate = asn1_x509.Certificate.load(
        seal.certificate.public_bytes(serialization.Encoding.DER)
    )
    value = IssuerSerial(
        {
            "issuer": [asn1_x509.GeneralName(name="directory_name", value=certificate.issuer)],
            "serial_number": certificate.serial_number,
        }
    )
    return base64.b64encode(value.dump()).decode("ascii")


class IssuerSerial(asn1_core.Sequence):
    """RFC 5035 §4 (ESS): ``IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber
    CertificateSerialNumber }``."""

    _fields = [
        ("issuer", asn1_x509.GeneralNames),
        ("serial_number", asn1_core.Integer),
    ]


def jades_header(seal: Seal, *, signed_at: datetime) -> dict:
    """The protected header (see the module docstring for each member and its source)."""
    return {
        "alg": seal.jose_algorithm(),
        "typ": "jose+json",
        "cty": "octet-stream",
        "kid": issuer_serial(seal),
        "x5t#S256": seal.x5t_s256(),
        "x5c": seal.x5c(),
        "sigT": xsd_datetime(signed_at),
        "b64": False,
        "crit": ["b64", "sigT"],
    }


def seal_payload(payload: str, *, seal: Seal, signed_at: datetime) -> dict:
    """JAdES baseline-B over ``payload`` in the JWS JSON general serialization (RFC 7515 §7.2.1)
    with the unencoded payload (RFC 7797): ``{"payload": "<the JSON text>", "signatures": […]}``."""
    key = jwk.JWK.from_pyca(seal.private_key)
    token = jws.JWS(payload.encode("utf-8"), header_registry=JADES_HEADERS)
    header = jades_header(seal, signed_at=signed_at)
    token.add_signature(key, alg=header["alg"], protected=json_encode(header))
    # jwcrypto cannot write an unencoded (bytes) payload into the JSON serialization: detach it
    # and put the text back ourselves (RFC 7797 §5.2: it is the payload as is).
    token.detach_payload()
    serialized = json.loads(token.serialize(compact=False))
    signatures = serialized.get("signatures") or [
        {"protected": serialized["protected"], "signature": serialized["signature"]}
    ]
    return {"payload": payload, "signatures": signatures}


def edc_sealed(assertion: Assertion, *, seal: Seal | None = None, now=None) -> dict:
    """The sealed EDC of an issued badge; :class:`SealUnavailable` when the centre has no seal
    (then only the uploadable form can be served)."""
    seal = seal or load_seal()
    signed_at = now or datetime.now(UTC)
    return seal_payload(edc_json(assertion), seal=seal, signed_at=signed_at)


def edc_sealed_text(assertion: Assertion) -> str:
    """The sealed EDC as served, from the cache while the badge and the seal stay as they are.

    Keyed by the badge, its revocation time (a revoked badge is never served from an older
    entry) and the seal certificate's digest (a new seal reseals)."""
    seal = load_seal()
    revoked = assertion.revoked_at.timestamp() if assertion.revoked_at else "current"
    key = f"edc-sealed:v1:{assertion.pk}:{revoked}:{seal.x5t_s256()}"
    text = cache.get(key)
    if text is None:
        text = json.dumps(edc_sealed(assertion, seal=seal), ensure_ascii=False)
        cache.set(key, text, CACHE_SECONDS)
    return text


def seal_state() -> dict:
    """What the pages say about the seal: whether EDCs can be sealed, and if the seal is the
    self-signed demonstration one."""
    try:
        seal = load_seal()
    except SealUnavailable:
        return {"available": False, "self_signed": False}
    return {"available": True, "self_signed": seal.self_signed}


def edc_links(assertion) -> dict:
    pk = str(assertion.pk)
    sealed = reverse("badges:edc", args=[pk])
    uploadable = reverse("badges:edc_uploadable", args=[pk])
    return {
        "sealed": sealed,
        "sealed_download": f"{sealed}?download=1",
        "uploadable": uploadable,
        "uploadable_download": f"{uploadable}?download=1",
    }
