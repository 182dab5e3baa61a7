"""Writes to badges: the issuer, badge classes, issuing and revoking assertions.

Issuance is compose → sign → verify → store in one transaction, idempotent per enrollment: the
database's one-assertion-per-enrollment constraint settles any race, and a second attempt returns
the assertion that exists (STYLE.md, rules 4 and 5). Every assertion is stored with its signed
Open Badges 3.0 credential (credentials.py) and its revocation status entry (status.py).
"""

import copy
import logging
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from accounts.access import require_leads_admin
from accounts.audit import audit_record, field_changes
from accounts.side_effects import enqueue_on_commit
from assessments.selectors import numbered_outcomes, outcomes_demonstrated
from courses import rules
from courses.models import LIVE_STATUSES, CourseStatus, Enrollment
from evidence.selectors import badge_evidence

from . import credentials, keys, pathways, public_cache, record, status
from .images import default_badge_image
from .models import Assertion, BadgeClass, BadgeClassVersion, Issuer, SigningKey
from .openbadges.ob2 import hash_recipient

log = logging.getLogger(__name__)


class IssueRefused(Exception):
    pass


# --- Issuer and badge classes ---------------------------------------------------------------------


def issuer_get_default() -> Issuer:
    """The centre's issuer profile, made from the settings the first time it is needed."""
    issuer = Issuer.objects.order_by("created_at").first()
    if issuer is None:
        issuer = Issuer.objects.create(
            name=settings.CENTRE_NAME,
            url=settings.SITE_URL,
            email=settings.DEFAULT_FROM_EMAIL.split("<")[-1].rstrip(">").strip(),
            description=f"{settings.CENTRE_NAME} awards micro-credentials as Open Badges.",
        )
    return issuer


def criteria_narrative(course) -> str:
    """The criteria in words, from the approved template's outcomes and summative assessments."""
    outcomes = list(course.outcomes.all())
    lines = [
        f"Awarded for completing {course.title} ({course.credits} ECTS credit"
        f"{'s' if course.credits != 1 else ''}), graded pass or fail: the learner demonstrated "
        "every learning outcome in a summative assessment.",
        "",
        "Learning outcomes:",
        *[f"- {o.text}" for o in outcomes],
    ]
    assessments = [a for a in course.assessments.all() if a.summative]
    if assessments:
        lines += ["", "Assessments:"]
        lines += [f"- {a.title} ({a.get_kind_display().lower()})" for a in assessments]
    if course.evidence_required:
        lines += ["", f"Evidence: {course.evidence_required}"]
    return "\n".join(lines)


def alignments_for(course) -> list[dict]:
    """One OB alignment per learning outcome, pointing at the outcome on the catalogue page,
    coded as assessments numbers them (LO1, LO2, …)."""
    base = f"{settings.SITE_URL}/courses/{course.lineage}/"
    return [
        {
            "target_name": f"{code}: {o.text}"[:200],
            "target_url": f"{base}#outcome-{code[2:]}",
            "target_description": o.text,
            "target_framework": f"{course.title} learning outcomes",
            "target_code": code,
        }
        for code, o in numbered_outcomes([course.pk])[course.pk]
    ]


@transaction.atomic
def badge_class_create(*, course, acting_user, image=None, **overrides) -> BadgeClass:
    """The badge of an approved course version, prefilled from its template.

    Fields in `overrides` (name, description, level, tags, …) replace the prefilled ones.
    """
    require_leads_admin(acting_user, "design badges")
    if course.status not in LIVE_STATUSES:
        raise IssueRefused("Only an approved or published course has a badge.")
    existing = BadgeClass.objects.filter(course=course).first()
    if existing:
        return existing
    name = overrides.get("name") or course.badge_name or course.title
    level = overrides.get("level") or course.badge_level or "beginner"
    badge = BadgeClass(
        issuer=issuer_get_default(),
        course=course,
        name=name,
        description=course.badge_description or course.aim or f"Awarded for {course.title}.",
        criteria_narrative=criteria_narrative(course),
        level=level,
        tags=[
            t for t in [rules.BADGE_LEVELS.get(level), course.unit.name, "micro-credential"] if t
        ],
        alignments=alignments_for(course),
        expires_after_months=course.badge_expiry_months,
        expires_on=course.badge_expiry_date,
        issue_mode=course.badge_issue_mode or BadgeClass.IssueMode.MANUAL,
        message=course.badge_message or f"Congratulations on completing {course.title}!",
        ects_credits=course.credits or 0,
        eqf_level=course.eqf_level,
        hours=course.total_hours or None,
        assessment_type=course.eu_assessment_type,
        participation_form=course.participation_form,
        quality_assurance=course.quality_assurance,
    )
    for field, value in overrides.items():
        setattr(badge, field, value)
    badge.image = image or default_badge_image(name=name, level=level)
    badge.save()
    # Version 1 at once, with the badge class's own id: its public page works before anything
    # is issued, and its URL is the one the first badges will carry.
    version = _version_of(badge, number=1, pk=badge.pk)
    version.save()
    BadgeClass.objects.filter(pk=badge.pk).update(latest_version=version)
    badge.latest_version = version
    return badge


def badge_class_for_enrollment(enrollment) -> BadgeClass | None:
    return (
        BadgeClass.objects.filter(course_id=enrollment.offering.course_id)
        .select_related("issuer", "course")
        .first()
    )


# --- Versions: what an issued badge keeps -----------------------------------------------------


def _version_of(badge, *, number, pk=None) -> BadgeClassVersion:
    version = BadgeClassVersion(badge_class=badge, number=number)
    if pk is not None:
        version.pk = pk
    version.set_design(badge)
    return version


def _versions_for_issue(version_ids) -> dict:
    """The versions issuance will use, read so they cannot change until it commits.

    On PostgreSQL they are read FOR KEY SHARE: parallel issuers share the lock, and the only
    writer of a version (bringing an unused one up to date, below) takes FOR UPDATE, so it never
    changes a version a badge being issued right now was composed from."""
    ids = [str(pk) for pk in version_ids]
    if not ids:
        return {}
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(BadgeClassVersion._meta.db_table)
        # Django has no FOR KEY SHARE; the table name is our own, the ids are parameters.
        found = BadgeClassVersion.objects.raw(
            f"SELECT * FROM {table} WHERE id = ANY(%s::uuid[]) FOR KEY SHARE",  # noqa: S608
            [ids],
        )
    else:
        found = BadgeClassVersion.objects.filter(pk__in=ids)
    return {v.pk: v for v in found}


def _version_renewed(badge) -> BadgeClassVersion:
    """The badge class's design has changed since its latest version: bring that version up to
    date when no badge uses it, or start the next one. Serialised per badge class."""
    # FOR NO KEY UPDATE: issuers' foreign-key checks (FOR KEY SHARE) on the row do not wait.
    badge = (
        BadgeClass.objects.select_for_update(no_key=True, of=("self",))
        .select_related("issuer", "course")
        .get(pk=badge.pk)
    )
    latest = (
        BadgeClassVersion.objects.filter(pk=badge.latest_version_id).first()
        if badge.latest_version_id
        else None
    )
    if latest is not None and latest.design() == badge.design():
        _versions_for_issue([latest.pk])
        return latest
    if latest is None:
        taken = BadgeClassVersion.objects.filter(badge_class=badge).count()
        version = _version_of(badge, number=taken + 1, pk=None if taken else badge.pk)
    else:
        # Unused, and no issuer holding it (SKIP LOCKED: one that is issuing from it right now
        # counts as a use): it may still change. Otherwise it is frozen and a new one follows.
        unused = (
            BadgeClassVersion.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=latest.pk)
            .filter(~Exists(Assertion.objects.filter(badge_version=OuterRef("pk"))))
            .first()
        )
        if unused is not None:
            unused.set_design(badge)
            unused.save()
            return unused
        version = _version_of(badge, number=latest.number + 1)
    version.save()
    BadgeClass.objects.filter(pk=badge.pk).update(latest_version=version)
    return version


def badge_versions_current(badges) -> dict:
    """{badge class id: the version to issue it from now}, whichever code path last edited the
    design (the centre's pages, the Django admin, a shell): the latest version when the design
    is unchanged (one query for the whole batch), otherwise a renewed one (a few per changed
    badge class, none per badge). Call inside the issuing transaction."""
    badges = list(badges)
    versions = _versions_for_issue({b.latest_version_id for b in badges if b.latest_version_id})
    current = {}
    for badge in badges:
        version = versions.get(badge.latest_version_id)
        if version is None or version.design() != badge.design():
            version = _version_renewed(badge)
        version.badge_class = badge  # loaded with its course: composing reads no more rows
        current[badge.pk] = version
    return current


@transaction.atomic
def badge_class_update(*, badge, acting_user, **fields) -> BadgeClass:
    """Change a badge design's presentation: name, description, criteria_narrative, level, tags,
    image (a checked file), expires_after_months, expires_on, message. Issue mode, alignments and
    the EU elements follow the approved course version and are not changed here.

    Saves only what differs, and audits it (who, when, each field's old and new value) in the
    same transaction; a value the model refuses raises ValidationError and records nothing.
    """
    editable = {
        "name", "description", "criteria_narrative", "level", "tags", "image",
        "expires_after_months", "expires_on", "message",
    }  # fmt: skip
    require_leads_admin(acting_user, "edit badge designs")
    unknown = set(fields) - editable
    if unknown:
        raise TypeError(f"Not a field of a badge design: {', '.join(sorted(unknown))}.")
    badge = BadgeClass.objects.select_for_update().get(pk=badge.pk)
    before = copy.copy(badge)
    for name, value in fields.items():
        setattr(badge, name, value)
    badge.clean_fields(exclude=[f.name for f in BadgeClass._meta.fields if f.name not in fields])
    changed = [name for name in fields if getattr(before, name) != getattr(badge, name)]
    if not changed:
        return badge
    badge.save(update_fields=[*changed, "updated_at"])
    audit_record(
        actor=acting_user,
        action="badge_class.edited",
        target=badge,
        summary=f"Edited the badge design “{badge.name}”: "
        + ", ".join(name.replace("_", " ") for name in changed)
        + ".",
        changes=field_changes(before, badge, changed),
    )
    return badge


# --- Issuing ------------------------------------------------------------------------------------


def _expiry(version, issued):
    if version.expires_on:
        return timezone.make_aware(
            timezone.datetime.combine(version.expires_on, timezone.datetime.min.time())
        )
    if version.expires_after_months:
        return issued + timedelta(days=round(version.expires_after_months * 30.44))
    return None


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _plain(text):
    """Free text as a credential can carry it: control characters (a word processor's soft line
    break, say) are not portable in a signed document, so they become spaces."""
    return _CONTROL_CHARACTERS.sub(" ", text)


def _evidence(results, handed_in):
    """The learner's passed summative assessments (their evidence, where it has a URL), each
    followed by what the learner handed in for it (`handed_in`: evidence.selectors.badge_evidence):
    its title, kind and SHA-256, and a link only to what the learner chose to share."""
    items = []
    for passed in results.passed:
        item = {
            "name": _plain(passed.title),
            "narrative": f"Passed on {passed.assessed_on:%-d %B %Y}"
            + (f". Feedback: {_plain(passed.feedback)}" if passed.feedback else "."),
        }
        if passed.evidence_url:
            item["id"] = passed.evidence_url
        items.append(item)
        items += [_handed_in(passed, piece) for piece in handed_in.get(passed.record_id, ())]
    return items


_GENRES = {"image": "Image", "pdf": "Document", "office": "Document", "video": "Video"}


def _handed_in(passed, piece):
    """One item a learner handed in, as OB 2.0 and 3.0 Evidence. Its SHA-256 lets the learner
    prove later which file it was without the badge publishing the file."""
    submission = piece.submission
    item = {
        "name": _plain(piece.title),
        "narrative": f"Handed in by the learner for “{_plain(passed.title)}” on "
        f"{timezone.localtime(submission.submitted_at):%-d %B %Y}. SHA-256: {piece.sha256}",
        "genre": "Link"
        if piece.kind == "link"
        else "Written statement"
        if piece.kind == "text"
        else _GENRES.get(piece.file_kind, "File"),
    }
    if piece.public and piece.kind == "link":
        item["id"] = piece.url
    elif piece.public and piece.kind == "file":
        item["id"] = settings.SITE_URL + reverse("evidence:public_item", args=[piece.pk])
    if "id" in item:
        item["audience"] = "Anyone verifying this badge (shared by the learner)"
    return item


class _NoOverride(str):
    """An eligibility problem that no override reason lifts."""


def _eligibility_problem(enrollment, badge, *, manual, override_reason):
    if enrollment.withdrawn_at is not None:
        # A withdrawn learner earns nothing more here; a badge issued before stays as it is.
        return _NoOverride(f"{enrollment.learner} was withdrawn from this offering.")
    starts_on = enrollment.offering.starts_on
    if timezone.localdate() < starts_on:
        # Otherwise the badge would say "completed" a cohort that has not begun.
        return _NoOverride(
            f"This offering starts on {starts_on:%-d %b %Y}: no badge is issued for it before then."
        )
    if not manual and badge.issue_mode == BadgeClass.IssueMode.MANUAL:
        # A badge issued by hand is never issued on completion alone: the course leader confirms
        # and the LEADS team issues (LEADS guide, "Manual issue by role").
        return "This badge is issued by the LEADS team, not automatically."
    if enrollment.completed_at is None and not override_reason:
        return f"{enrollment.learner} has not completed the course."
    needs_confirmation = badge.issue_mode == BadgeClass.IssueMode.MANUAL
    if (
        manual
        and needs_confirmation
        and not enrollment.completion_confirmed_at
        and not override_reason
    ):
        return f"The course leader has not confirmed {enrollment.learner}'s completion yet."
    return None


def _build(
    enrollment, badge, version, *, results, handed_in, acting_user, narrative, override_reason, now
):
    learner = enrollment.learner
    salt = secrets.token_hex(16)
    email = learner.email.lower()
    frozen = results.as_json()
    # Whole seconds, as credentials carry dates (VC 2.0 §4.9): validFrom, validUntil and the
    # JWT's nbf and exp then say exactly what the record says.
    now = now.replace(microsecond=0)
    return Assertion(
        badge_class=badge,
        badge_version=version,
        outcome_results=frozen,
        enrollment=enrollment,
        recipient=learner,
        recipient_name=learner.full_name,
        recipient_email=email,
        salt=salt,
        recipient_hash=hash_recipient(email, salt),
        issued_on=now,
        expires_on=_expiry(version, now),
        narrative=_narrative(narrative, enrollment, badge, frozen, override_reason),
        evidence=_evidence(results, handed_in),
        took_part=offering_taken(enrollment.offering),
        prior_learning=enrollment.offering.is_prior_learning,
        automatic=acting_user is None,
        issued_by=acting_user,
        override_reason=override_reason,
    )


def offering_taken(offering) -> dict:
    """What an issued badge keeps of the offering its learner took (``Assertion.took_part``)."""
    return {
        "title": offering.label,
        "starts_on": offering.starts_on.isoformat(),
        "ends_on": offering.ends_on.isoformat(),
    }


def _narrative(given, enrollment, badge, frozen, override_reason):
    """The issuer's own narrative, or one written from the record; an award by decision always
    says so, with its reason."""
    if not given:
        return record.issued_narrative(
            learner_name=enrollment.learner.full_name,
            course_title=badge.course.title,
            offering_label=enrollment.offering.label,
            results=frozen,
            override_reason=override_reason,
            prior_learning=enrollment.offering.is_prior_learning,
        )
    if override_reason:
        return f"{given}\n{record.decision_sentence(override_reason)}"
    return given


def _notify_on_commit(assertion_ids):
    """The learners' e-mails, owed in this transaction and sent after it commits (the outbox
    keeps them through a broker outage: accounts.side_effects)."""
    from .tasks import send_badge_emails

    enqueue_on_commit(send_badge_emails, [str(pk) for pk in assertion_ids])


@transaction.atomic
def assertion_issue(
    *, enrollment, acting_user=None, narrative="", override_reason="", now=None
) -> tuple[Assertion, bool]:
    """Issue the course's badge for one enrollment. Returns (assertion, created).

    `acting_user` None means automatic issuance on completion. A person (the LEADS team) may
    issue to a learner who has not completed only with a recorded `override_reason`. `now` is
    the moment of issue (the demo's and the tests' clock; everyone else leaves it out).
    """
    if acting_user is not None:
        require_leads_admin(acting_user, "issue badges")
    enrollment = (
        Enrollment.objects.select_for_update()
        .select_related("learner", "offering__course")
        .get(pk=enrollment.pk)
    )
    existing = Assertion.objects.filter(enrollment=enrollment).first()
    if existing:
        return existing, False
    badge = badge_class_for_enrollment(enrollment)
    if badge is None:
        raise IssueRefused(f"“{enrollment.offering.course.title}” has no badge designed yet.")
    problem = _eligibility_problem(
        enrollment, badge, manual=acting_user is not None, override_reason=override_reason.strip()
    )
    if problem:
        if isinstance(problem, _NoOverride):
            raise IssueRefused(problem)
        raise IssueRefused(problem + " Give a reason to issue it anyway.")
    results = outcomes_demonstrated([enrollment])[enrollment.pk]
    version = badge_versions_current([badge])[badge.pk]
    handed_in = badge_evidence([passed.record_id for passed in results.passed])
    assertion = _build(
        enrollment, badge, version, results=results, handed_in=handed_in, acting_user=acting_user,
        narrative=narrative, override_reason=override_reason.strip(), now=now or timezone.now(),
    )  # fmt: skip
    credentials.assertions_sign([assertion])
    try:
        with transaction.atomic():
            assertion.save()
    except IntegrityError:  # issued by a concurrent task a moment ago
        return Assertion.objects.get(enrollment=enrollment), False
    _notify_on_commit([assertion.pk])
    pathways.course_badges_issued_on_commit([assertion])
    return assertion, True


@transaction.atomic
def assertions_issue_bulk(*, enrollment_ids, acting_user=None, narrative="", now=None) -> dict:
    """Issue badges to many enrollments in one transaction, with a fixed number of queries.

    Enrollments that are not eligible are skipped and reported; ones that already have a badge
    are counted, never issued twice (the insert ignores conflicts on the enrollment).
    """
    if acting_user is not None:
        require_leads_admin(acting_user, "issue badges")
    enrollments = list(
        Enrollment.objects.filter(pk__in=enrollment_ids)
        .select_related("learner", "offering__course")
        .annotate(has_badge=Exists(Assertion.objects.filter(enrollment=OuterRef("pk"))))
    )
    badges = {
        b.course_id: b
        for b in BadgeClass.objects.filter(
            course_id__in={e.offering.course_id for e in enrollments}
        ).select_related("course", "issuer")
    }
    eligible, skipped, already = [], [], 0
    for enrollment in enrollments:
        if enrollment.has_badge:
            already += 1
            continue
        badge = badges.get(enrollment.offering.course_id)
        problem = (
            "no badge designed"
            if badge is None
            else _eligibility_problem(
                enrollment, badge, manual=acting_user is not None, override_reason=""
            )
        )
        if problem:
            skipped.append((enrollment.pk, problem))
            continue
        eligible.append((enrollment, badge))
    results = outcomes_demonstrated([enrollment for enrollment, _ in eligible])
    versions = badge_versions_current({badge.pk: badge for _, badge in eligible}.values())
    now = now or timezone.now()
    # What the learners handed in for the records their badges rest on: one query per batch.
    handed_in = badge_evidence(
        [passed.record_id for result in results.values() for passed in result.passed]
    )
    to_create = [
        _build(
            enrollment,
            badge,
            versions[badge.pk],
            results=results[enrollment.pk],
            handed_in=handed_in,
            acting_user=acting_user,
            narrative=narrative,
            override_reason="",
            now=now,
        )  # fmt: skip
        for enrollment, badge in eligible
    ]
    # Signed in one batch: one key decryption and one status allocation per issuer, no query
    # per badge; the inserts are the only per-badge database work.
    failures = credentials.assertions_sign(to_create, skip_failures=True)
    if failures:
        unsigned = {a.pk for a, _ in failures}
        to_create = [a for a in to_create if a.pk not in unsigned]
        skipped += [
            (a.enrollment_id, f"its credential could not be signed ({reason})")
            for a, reason in failures
        ]
    Assertion.objects.bulk_create(to_create, ignore_conflicts=True, batch_size=1000)
    created_ids = list(
        Assertion.objects.filter(pk__in=[a.pk for a in to_create]).values_list("pk", flat=True)
    )
    if created_ids:
        _notify_on_commit(created_ids)
        created = set(created_ids)
        pathways.course_badges_issued_on_commit([a for a in to_create if a.pk in created])
    return {"issued": len(created_ids), "already": already, "skipped": skipped,
            "raced": len(to_create) - len(created_ids)}  # fmt: skip


class DependentsUndecided(IssueRefused):
    """Pathway badges stand on the badge being revoked and the centre has not said what
    becomes of them (``dependents``: the pathway badges)."""

    def __init__(self, dependents):
        self.dependents = dependents
        super().__init__(
            f"{len(dependents)} pathway badge{'s stand' if len(dependents) != 1 else ' stands'} "
            "on this badge: say whether to revoke it too or keep it."
        )


REVOKE_DEPENDENTS, KEEP_DEPENDENTS = "revoke", "keep"


@transaction.atomic
def assertion_revoke(*, assertion, acting_user, reason, dependents=None) -> Assertion:
    """Revoke a badge: immediate, visible everywhere, and the record is kept.

    When pathway badges stand on it that would no longer be earned without it
    (pathways.dependents), the centre decides: ``dependents`` is ``"revoke"`` (they are revoked
    too, saying why) or ``"keep"`` (they stand, and the decision is audited); without a decision
    nothing is revoked (:class:`DependentsUndecided`), so a pathway badge is never left standing
    on a revoked badge unnoticed. One the learner's other badges still earn stays, audited."""
    from .pathways import dependents as standing_on

    require_leads_admin(acting_user, "revoke badges")
    reason = (reason or "").strip()
    if not reason:
        raise IssueRefused(
            "Give the reason for revoking the badge: it is shown to anyone who checks it."
        )
    assertion = Assertion.objects.select_for_update().get(pk=assertion.pk)
    if assertion.revoked_at:
        raise IssueRefused("This badge was already revoked.")
    standing = standing_on(assertion)
    if standing.lost and dependents not in (REVOKE_DEPENDENTS, KEEP_DEPENDENTS):
        raise DependentsUndecided(standing.lost)
    _revoke(assertion, acting_user=acting_user, reason=reason)
    name = assertion.badge_version.name
    for pathway_badge in standing.lost:
        if dependents == REVOKE_DEPENDENTS:
            _revoke(
                Assertion.objects.select_for_update().get(pk=pathway_badge.pk),
                acting_user=acting_user,
                reason=f"A badge it stands on, “{name}”, was revoked: {reason}",
            )
        else:
            audit_record(
                actor=acting_user,
                action="assertion.kept_standing",
                target=pathway_badge,
                summary=f"Kept the pathway badge “{pathway_badge.badge_version.name}” of "
                f"{pathway_badge.recipient_name} standing although “{name}”, which it stands "
                "on, was revoked.",
            )
    for pathway_badge in standing.kept:
        audit_record(
            actor=acting_user,
            action="assertion.still_earned",
            target=pathway_badge,
            summary=f"The pathway badge “{pathway_badge.badge_version.name}” of "
            f"{pathway_badge.recipient_name} stands: “{name}” was revoked, and their other "
            "badges still earn the pathway.",
        )
    return assertion


def _revoke(assertion, *, acting_user, reason):
    if assertion.revoked_at:
        return
    assertion.revoked_at = timezone.now()
    assertion.revoked_by = acting_user
    assertion.revocation_reason = reason
    assertion.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    # OB 3.0: the credential's bit in its status list, in this transaction; the signed list is
    # republished on commit.
    status.status_revoke(assertion=assertion)


# --- OB 3.0 credentials after the fact ----------------------------------------------------------


def _for_signing(queryset):
    # The frozen record only (the version and the results kept at issue), never today's rows.
    return queryset.select_related("badge_version__badge_class__course")


@transaction.atomic
def assertions_sign_missing(*, batch_size=1000) -> int:
    """Sign the credentials of assertions issued before OB 3.0 signing (none are left after).

    Returns how many were signed. Revoked ones get their bit set too.
    """
    signed = 0
    while True:
        batch = list(
            _for_signing(
                Assertion.objects.select_for_update(of=("self",)).filter(credential_json="")
            ).order_by("pk")[:batch_size]
        )
        if not batch:
            return signed
        credentials.assertions_sign(batch)
        Assertion.objects.bulk_update(
            batch,
            ["credential_json", "credential_jwt", "signing_key", "status_list", "status_index"],
        )
        public_cache.invalidate()  # bulk_update sends no post_save
        for assertion in batch:
            if assertion.revoked_at:
                status.status_revoke(assertion=assertion)
        signed += len(batch)


@transaction.atomic
def signing_key_compromise(
    *, signing_key: SigningKey, reason: str, acting_user
) -> SigningKey | None:
    """Withdraw a compromised key (keys.signing_key_mark_compromised: audited, replaced when it
    was active), and re-sign the issuer's status lists with the active key on commit, since the
    lists it signed no longer verify. Returns the replacement key, if one was made."""
    replacement = keys.signing_key_mark_compromised(
        signing_key=signing_key, reason=reason, acting_user=acting_user
    )
    issuer_id = signing_key.issuer_id
    transaction.on_commit(lambda: status.status_lists_republish(issuer_id=issuer_id))
    return replacement


@transaction.atomic
def assertions_resign(*, signing_key: SigningKey, batch_size=1000) -> int:
    """Re-sign, with the issuer's active key, every credential ``signing_key`` signed (after it
    was marked compromised). Status entries stay. Returns how many."""
    signing_key = SigningKey.objects.get(pk=signing_key.pk)
    if signing_key.status == SigningKey.Status.ACTIVE:
        raise IssueRefused("The active key signs new credentials; re-sign only a withdrawn one.")
    resigned = 0
    while True:
        batch = list(
            _for_signing(
                Assertion.objects.select_for_update(of=("self",)).filter(signing_key=signing_key)
            ).order_by("pk")[:batch_size]
        )
        if not batch:
            return resigned
        credentials.assertions_sign(batch, reuse_status=True)
        Assertion.objects.bulk_update(batch, ["credential_json", "credential_jwt", "signing_key"])
        public_cache.invalidate()  # bulk_update sends no post_save
        resigned += len(batch)


@transaction.atomic
def assertion_set_hidden(*, assertion, learner, hidden: bool) -> Assertion:
    """The learner hides (or shows) a badge on their public profile; its own URL keeps working."""
    if assertion.recipient_id != learner.pk:
        raise PermissionDenied("Only the badge's earner may hide it.")
    assertion.hidden = hidden
    assertion.save(update_fields=["hidden"])
    return assertion


def completions_without_badges(limit=5000):
    """Completed enrollments whose course issues its badge automatically but have none yet."""
    return (
        Enrollment.objects.active()
        .filter(
            completed_at__isnull=False,
            offering__course__badge_class__issue_mode=BadgeClass.IssueMode.AUTOMATIC,
        )
        .exclude(offering__course__status=CourseStatus.DRAFT)
        .filter(~Exists(Assertion.objects.filter(enrollment=OuterRef("pk"))))
        .order_by("completed_at")
        .values_list("pk", flat=True)[:limit]
    )
