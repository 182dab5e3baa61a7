"""Our assertions as signed Open Badges 3.0 credentials: compose → sign → verify → store.

The shape of Open edX credentials' issuance (``issuance/main.py``): an issued badge's frozen
record (its badge class version and outcome results) is mapped onto the plain data of
``openbadges/ob3.py``, composed, and signed and verified by ``signing.py`` before anything is
stored. Identifiers are ``identifiers.py``'s; status entries are handed out by ``status.py``.

Batch signing (:func:`assertions_sign`) decrypts the key once, allocates every status entry in one
locked update and builds the controller document once, so signing n badges makes no query per
badge: the caller's insert is the only per-badge database work.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime

from django.conf import settings

from . import identifiers, record, signing, status
from .models import Assertion, BadgeClassVersion, Issuer
from .openbadges import ob3

log = logging.getLogger(__name__)


# --- Composition from our models ----------------------------------------------------------------


def issuer_profile(issuer) -> ob3.ProfileData:
    """The issuer Profile: an Issuer, or the issuer as a badge version froze it (same names)."""
    return ob3.ProfileData(
        id=identifiers.issuer_controller_id(issuer.pk),
        name=issuer.name,
        url=issuer.url,
        email=issuer.email,
        description=issuer.description or None,
        image=settings.SITE_URL + issuer.image.url if issuer.image else None,
        other_identifiers=(identifiers.issuer_profile_url(issuer.pk),),
    )


def outcome_codes(version: BadgeClassVersion) -> list[str]:
    """The code of each learning outcome of the badge, in order (LO1, LO2, …)."""
    return [a.get("target_code") or f"LO{i + 1}" for i, a in enumerate(version.alignments)]


def _alignment(alignment: Mapping) -> ob3.AlignmentData:
    return ob3.AlignmentData(
        target_name=alignment["target_name"],
        target_url=alignment["target_url"],
        target_description=alignment.get("target_description") or None,
        target_framework=alignment.get("target_framework") or None,
        target_code=alignment.get("target_code") or None,
    )


def _number(value):
    if value is None:
        return None
    number = float(value)
    return int(number) if number.is_integer() else number


def achievement_data(version: BadgeClassVersion) -> ob3.AchievementData:
    """OB 3.0 Achievement of a badge class version (what an issued badge keeps); its id is the
    version's OB 2.0 BadgeClass URL (version 1's is the badge class's own)."""
    achievement_id = identifiers.badge_class_url(version.pk)
    alignments = [_alignment(a) for a in version.alignments]
    codes = outcome_codes(version)
    return ob3.AchievementData(
        id=achievement_id,
        name=version.name,
        description=version.description,
        criteria_narrative=version.criteria_narrative,
        criteria_url=settings.SITE_URL + version.criteria_path,
        image=identifiers.badge_class_image_url(version.pk),
        credits_available=_number(version.ects_credits),
        alignments=tuple(alignments),
        result_descriptions=tuple(
            # The outcome's alignment is on the achievement already: repeating it here would
            # only make every credential longer to canonicalize.
            ob3.ResultDescriptionData(
                id=f"{achievement_id}#result-{code}", name=alignment.target_name
            )
            for code, alignment in zip(codes, alignments, strict=True)
        ),
        tags=tuple(version.tags),
        eu=ob3.EUMicroCredentialData(
            context_url=identifiers.eu_context_url(),
            ects_credits=_number(version.ects_credits),
            awarding_body=version.issuer_name,
            eqf_level=version.eqf_level or None,
            notional_workload_hours=_number(version.hours) or None,
            assessment_type=version.assessment_type or None,
            participation_form=version.participation_form or None,
            quality_assurance=version.quality_assurance or None,
        ),
    )


def credential_data(
    assertion: Assertion,
    *,
    status_entry: ob3.StatusEntryData | None,
    achievement: ob3.AchievementData | None = None,
    issuer: ob3.ProfileData | None = None,
) -> ob3.CredentialData:
    """The credential of an assertion, from its frozen record only: the version it was issued
    from and the outcome results kept at issue. One Result per learning outcome, ``pass`` when
    it was demonstrated by assessment and ``not demonstrated`` otherwise (never ``fail`` for an
    outcome that was not assessed); an award by decision of the centre says so, with its
    reason, in the subject's narrative (OB 3.0 §B.1.3 AchievementSubject ``narrative``)."""
    version = assertion.badge_version
    achievement = achievement or achievement_data(version)
    demonstrated = set(record.demonstrated_codes(assertion.outcome_results))
    return ob3.CredentialData(
        id=identifiers.credential_url(assertion.pk),
        issuer=issuer or issuer_profile(version.frozen_issuer),
        achievement=achievement,
        recipient=ob3.IdentityData(identity_hash=assertion.recipient_hash, salt=assertion.salt),
        valid_from=assertion.issued_on,
        valid_until=assertion.expires_on,
        awarded_date=assertion.issued_on,
        credits_earned=achievement.credits_available,
        results=tuple(
            ob3.ResultData(
                result_description=description.id,
                value=ob3.PASS if code in demonstrated else ob3.NOT_DEMONSTRATED,
            )
            for code, description in zip(
                outcome_codes(version), achievement.result_descriptions, strict=True
            )
        ),
        evidence=tuple(
            ob3.EvidenceData(
                id=e.get("id"),
                name=e.get("name"),
                narrative=e.get("narrative"),
                description=e.get("description"),
                genre=e.get("genre"),
                audience=e.get("audience"),
            )  # fmt: skip
            for e in assertion.evidence
        ),
        status=status_entry,
        # Not the assertion's narrative: it names the learner, whom the credential identifies
        # only by the hash of their e-mail.
        subject_narrative=record.credential_narrative(assertion),
    )


def _issuer_loaded(group, issuer_id):
    """The issuer row already loaded with a badge of the batch (the key and status list are the
    issuer's; what is signed names the issuer as the version froze it)."""
    for assertion in group:
        if Assertion.badge_class.is_cached(assertion):
            badge = assertion.badge_class
            if str(badge.issuer_id) == str(issuer_id) and type(badge).issuer.is_cached(badge):
                return badge.issuer
    return None


def assertions_sign(
    assertions: list[Assertion],
    *,
    reuse_status: bool = False,
    skip_failures: bool = False,
) -> list[tuple[Assertion, str]]:
    """Compose, sign and verify the credentials of ``assertions`` in place (not saved).

    Run inside the issuing transaction. Sets ``credential_json``, ``credential_jwt``,
    ``signing_key``, ``status_list`` and ``status_index``; with ``reuse_status`` (re-signing) an
    assertion keeps the status entry it has. What is signed is the assertion's frozen record
    (``badge_version``, ``outcome_results``), never today's rows, so re-signing after a key
    compromise says exactly what was signed before.
    Queries: per issuer in the batch, a fixed few (issuer, key, published keys, status
    allocation).

    A credential that cannot be signed (its text cannot be canonicalized, or it does not verify)
    raises, unless ``skip_failures``: then that assertion is left unsigned and returned with the
    reason, and the rest of the batch is signed (one learner's odd feedback must not hold back a
    cohort). Returns the failures.
    """
    failures = []
    by_issuer: dict[object, list[Assertion]] = {}
    for assertion in assertions:
        by_issuer.setdefault(assertion.badge_version.issuer_id, []).append(assertion)
    for issuer_id, group in by_issuer.items():
        issuer = _issuer_loaded(group, issuer_id) or Issuer.objects.get(pk=issuer_id)
        signer = signing.signer_for(issuer)
        needs_entry = [a for a in group if not (reuse_status and a.status_list_id)]
        for assertion, (status_list, index) in zip(
            needs_entry,
            status.status_entries_allocate(issuer=issuer, count=len(needs_entry)),
            strict=True,
        ):
            assertion.status_list, assertion.status_index = status_list, index
        created = ob3.xsd_datetime(datetime.now(UTC))
        achievements: dict[object, ob3.AchievementData] = {}
        profiles: dict[object, ob3.ProfileData] = {}
        for assertion in group:
            version = assertion.badge_version
            if version.pk not in achievements:
                achievements[version.pk] = achievement_data(version)
                profiles[version.pk] = issuer_profile(version.frozen_issuer)
            entry = ob3.StatusEntryData(
                status_list_credential=identifiers.status_list_url(assertion.status_list_id),
                index=assertion.status_index,
            )
            document = ob3.open_badge_credential(
                credential_data(
                    assertion,
                    status_entry=entry,
                    achievement=achievements[version.pk],
                    issuer=profiles[version.pk],
                )
            )
            try:
                assertion.credential_json, assertion.credential_jwt = signer.sign(
                    document, created=created
                )
            except signing.SIGNING_ERRORS as error:
                if not skip_failures:
                    raise
                log.error("Credential of %s not signed: %s", assertion.pk, error)
                failures.append((assertion, str(error)))
                continue
            assertion.signing_key = signer.signing_key
    return failures
