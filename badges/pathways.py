"""Pathways: stackable micro-credentials, their definition, learners' progress and their badges.

The LEADS team defines a pathway (:func:`pathway_save`, :func:`pathway_publish`): its course
badges, the rule that earns it (``pathway_rules``) and its own badge, a ``BadgeClass`` without a
course whose credits and criteria follow from the components. When a course badge is issued, the
learners' pathways are checked on commit (:func:`pathway_badges_award`, a Celery task) and the
pathway badge is issued once the rule holds: composed, signed and stored like a course badge,
standing on the learner's component badges (``Assertion.components``, frozen at issue, and listed
as the credential's evidence). The database allows one pathway badge per learner and pathway, so
a task delivered twice, a race or the beat sweep issue nothing twice, and nothing the centre
revoked is issued again.

Revoking a component never silently leaves a pathway badge standing on nothing: :func:`dependents`
tells the revocation page which pathway badges would no longer be earned, and the centre decides
(``services.assertion_revoke``); one the learner's other badges still earn stays, audited.
"""

import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.access import require_leads_admin
from accounts.audit import audit_record
from courses.models import Course, CourseStatus

from . import credentials, pathway_rules
from .images import default_badge_image
from .models import Assertion, BadgeClass, Pathway, PathwayComponent
from .openbadges.ob2 import hash_recipient

log = logging.getLogger(__name__)


class PathwayRefused(Exception):
    """A pathway cannot be saved or published as asked; ``problems`` says why. Safe to show."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(" ".join(p.message for p in self.problems))


# --- Reading a pathway ----------------------------------------------------------------------------


def components_of(pathway) -> list[pathway_rules.Component]:
    """The pathway's badges as the rules read them (prefetch ``components__badge_class``)."""
    return [
        pathway_rules.Component(
            badge_class_id=c.badge_class_id, required=c.required, credits=c.badge_class.ects_credits
        )
        for c in pathway.components.all()
    ]


def rule_sentence(pathway) -> str:
    rows = list(pathway.components.all())
    return pathway_rules.rule_sentence(
        rule=pathway.rule,
        count=pathway.count,
        names={c.badge_class_id: c.badge_class.name for c in rows},
        components=components_of(pathway),
    )


def _published_badge_ids(ids) -> set:
    """The badges among ``ids`` whose course has a version in the catalogue (a badge of an
    earlier version stands for the course: any version's badge counts)."""
    published = Course.objects.filter(status=CourseStatus.PUBLISHED).values("lineage")
    return set(
        BadgeClass.objects.filter(pk__in=ids, course__lineage__in=published).values_list(
            "pk", flat=True
        )
    )


def _with_components(pathways):
    return pathways.select_related("badge_class").prefetch_related(
        "components__badge_class__course"
    )


def published_pathways():
    """Published pathways with their badges and courses, for the catalogue and progress."""
    return _with_components(Pathway.objects.filter(published_at__isnull=False))


def pathway_public(pk) -> Pathway | None:
    """The pathway at its public address: published, or withdrawn with badges issued for it
    (they name it as their criteria); None otherwise."""
    pathway = _with_components(Pathway.objects.filter(pk=pk)).first()
    if pathway is None or not (pathway.published or pathway.assertions.exists()):
        return None
    return pathway


# --- The LEADS team defines pathways ---------------------------------------------------------


def _criteria(name, sentence, badges) -> str:
    lines = [f"Awarded for earning the pathway {name}. {sentence}", "", "Badges of the pathway:"]
    lines += [
        f"- {b.name} ({b.ects_credits} ECTS{', required' if required else ''})"
        for b, required in badges
    ]
    return "\n".join(lines)


def _design(pathway, badges, components) -> dict:
    """The pathway badge's design, from the pathway and its badges (what versions freeze)."""
    sentence = pathway_rules.rule_sentence(
        rule=pathway.rule,
        count=pathway.count,
        names={str(b.pk): b.name for b, _ in badges},
        components=components,
    )
    levels = list(pathway_rules_levels(b.level for b, _ in badges))
    return {
        "name": pathway.name,
        "description": pathway.description,
        "criteria_narrative": _criteria(pathway.name, sentence, badges),
        "level": levels[-1] if levels else "intermediate",
        "tags": ["pathway", "stackable micro-credential"],
        "alignments": [],
        "issue_mode": BadgeClass.IssueMode.AUTOMATIC,
        "message": f"Congratulations on completing the pathway {pathway.name}!",
        "ects_credits": pathway_rules.minimum_credits(
            rule=pathway.rule, count=pathway.count, components=components
        ),
        "eqf_level": pathway.eqf_level,
        "hours": None,
        "assessment_type": "Each micro-credential of the pathway was assessed in its own course.",
        "participation_form": ", ".join(
            sorted({b.participation_form for b, _ in badges if b.participation_form})
        ),
        "quality_assurance": "Each course of the pathway was approved through the LEADS "
        "submission process (Dean's review); the pathway was defined by the LEADS team.",
    }


def pathway_rules_levels(levels):
    """Badge levels in the catalogue's order, lowest first (the pathway takes the highest)."""
    from courses.rules import BADGE_LEVELS

    order = list(BADGE_LEVELS)
    return sorted({level for level in levels if level in order}, key=order.index)


@transaction.atomic
def pathway_save(
    *,
    acting_user,
    name: str,
    description: str,
    rule: str,
    count: int,
    badge_ids: list,
    required_ids=(),
    eqf_level: int | None = None,
    pathway: Pathway | None = None,
) -> Pathway:
    """Create a pathway, or change one, with its badges (in the order given) and its own badge.

    Refuses (:class:`PathwayRefused`) a pathway whose rule does not fit its badges or that holds
    a badge of a course not published; nothing is saved then. Badges already issued for the
    pathway keep what they said (their version is frozen); the next ones follow the change."""
    require_leads_admin(acting_user, "define pathways")
    name, description = (name or "").strip(), (description or "").strip()
    badge_ids = list(dict.fromkeys(str(i) for i in badge_ids))
    required = {str(i) for i in required_ids}
    badges = {str(b.pk): b for b in BadgeClass.objects.filter(pk__in=badge_ids)}
    components = [
        pathway_rules.Component(
            badge_class_id=i,
            required=i in required,
            credits=badges[i].ects_credits if i in badges else 0,
        )
        for i in badge_ids
    ]
    problems = pathway_rules.pathway_problems(
        rule=rule,
        count=count,
        components=components,
        published_badge_ids={str(i) for i in _published_badge_ids(badge_ids)},
        eqf_level=eqf_level,
    )
    if not name:
        problems.insert(
            0, pathway_rules.Problem("name_missing", "Give the pathway a name.", "name")
        )
    if not description:
        problems.append(
            pathway_rules.Problem(
                "description_missing", "Say what the pathway prepares for.", "description"
            )
        )
    if problems:
        raise PathwayRefused(problems)
    created = pathway is None
    if created:
        from .services import issuer_get_default

        pathway = Pathway(created_by=acting_user)
        pathway_badge = BadgeClass(issuer=issuer_get_default(), course=None)
    else:
        pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
        pathway_badge = BadgeClass.objects.select_for_update().get(pk=pathway.badge_class_id)
    pathway.name, pathway.description = name, description
    pathway.rule, pathway.count, pathway.eqf_level = rule, count or 0, eqf_level
    ordered = [(badges[i], i in required) for i in badge_ids]
    for field, value in _design(pathway, ordered, components).items():
        setattr(pathway_badge, field, value)
    if created or not pathway_badge.image:
        pathway_badge.image = default_badge_image(name=name, level=pathway_badge.level)
    pathway_badge.save()
    if created:
        from .services import _version_of

        version = _version_of(pathway_badge, number=1, pk=pathway_badge.pk)
        version.save()
        BadgeClass.objects.filter(pk=pathway_badge.pk).update(latest_version=version)
        pathway.badge_class = pathway_badge
    pathway.save()
    PathwayComponent.objects.filter(pathway=pathway).delete()
    PathwayComponent.objects.bulk_create(
        PathwayComponent(pathway=pathway, badge_class=badges[i], required=i in required, position=n)
        for n, i in enumerate(badge_ids)
    )
    audit_record(
        actor=acting_user,
        action="pathway.created" if created else "pathway.edited",
        target=pathway,
        summary=f"{'Defined' if created else 'Changed'} the pathway “{name}”: "
        f"{len(badge_ids)} badges, rule {rule}" + (f" (N = {count})" if count else "") + ".",
    )
    if pathway.published:
        _award_on_commit(pathway_ids=[pathway.pk])
    return pathway


@transaction.atomic
def pathway_publish(*, pathway, acting_user, publish: bool = True) -> Pathway:
    """Show the pathway in the catalogue and start issuing its badge (or withdraw it: its
    issued badges stay valid; no more are issued). Learners who already hold what it asks get
    its badge at once."""
    require_leads_admin(acting_user, "publish pathways")
    pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
    if publish:
        ids = list(pathway.components.values_list("badge_class_id", flat=True))
        unpublished = set(ids) - _published_badge_ids(ids)
        if unpublished:
            raise PathwayRefused(
                [
                    pathway_rules.Problem(
                        "not_published",
                        "A course of this pathway is no longer published: change the pathway "
                        "before publishing it.",
                    )
                ]
            )
    if publish == pathway.published:
        return pathway
    pathway.published_at = timezone.now() if publish else None
    pathway.save(update_fields=["published_at", "updated_at"])
    audit_record(
        actor=acting_user,
        action="pathway.published" if publish else "pathway.withdrawn",
        target=pathway,
        summary=f"{'Published' if publish else 'Withdrew'} the pathway “{pathway.name}”.",
    )
    if publish:
        _award_on_commit(pathway_ids=[pathway.pk])
    return pathway


# --- Learners' progress ---------------------------------------------------------------------------


def held_badges(learner_ids, *, now, excluding=None) -> dict:
    """{learner id: {course lineage: their current badge of that course}}: issued, not revoked,
    not expired (``excluding``: one badge to leave out, as if revoked). A course is known by its
    lineage, so a badge of any of its versions counts for a pathway that names another. One
    query; read a pathway's share of it with :func:`held_for`."""
    held: dict = {}
    rows = (
        Assertion.objects.filter(
            recipient_id__in=list(learner_ids),
            enrollment__isnull=False,
            revoked_at__isnull=True,
        )
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gt=now))
        .exclude(pk__in=[excluding] if excluding else [])
        .annotate(lineage=F("badge_class__course__lineage"))
        .only("pk", "recipient_id", "badge_class_id", "issued_on", "badge_version_id")
        .order_by("issued_on")
    )
    for assertion in rows:
        held.setdefault(assertion.recipient_id, {}).setdefault(assertion.lineage, assertion)
    return held


def held_for(pathway, held) -> dict:
    """{component badge class id: the learner's badge that counts for it}, from one learner's
    :func:`held_badges` (prefetch ``components__badge_class__course``, as
    :func:`published_pathways` does)."""
    found = {}
    for component in pathway.components.all():
        badge = held.get(component.badge_class.course.lineage)
        if badge is not None:
            found[component.badge_class_id] = badge
    return found


def learner_pathways(learner, *, now=None) -> list[dict]:
    """The published pathways a learner has started or earned, with where they stand: which of
    their badges count, which remain, and the pathway badge once issued."""
    now = now or timezone.now()
    held = held_badges([learner.pk], now=now).get(learner.pk, {})
    earned = {
        a.pathway_id: a
        for a in Assertion.objects.filter(recipient=learner, pathway__isnull=False).only(
            "pk", "pathway_id", "issued_on", "revoked_at"
        )
    }
    shown = list(published_pathways())
    withdrawn = set(earned) - {p.pk for p in shown}
    if withdrawn:  # a pathway withdrawn after its badge was issued to them stays in their list
        shown += _with_components(Pathway.objects.filter(pk__in=withdrawn))
    rows = []
    for pathway in shown:
        counting = held_for(pathway, held)
        state = pathway_rules.progress(
            rule=pathway.rule,
            count=pathway.count,
            components=components_of(pathway),
            held=counting,
        )
        if not state.started and pathway.pk not in earned:
            continue
        rows.append(
            {
                "pathway": pathway,
                "progress": state,
                "sentence": rule_sentence(pathway),
                "components": [
                    {
                        "component": c,
                        "badge": counting.get(c.badge_class_id),
                        "course": c.badge_class.course,
                    }
                    for c in pathway.components.all()
                ],
                "earned": earned.get(pathway.pk),
                "percent": min(
                    100, round(100 * len(state.counted) / max(1, _badges_needed(pathway, state)))
                ),
            }
        )
    return rows


def _badges_needed(pathway, state) -> int:
    total = len(pathway.components.all())
    if pathway.rule == pathway_rules.ANY:
        return pathway.count
    if pathway.rule == pathway_rules.REQUIRED_PLUS:
        return total - len(state.electives) + pathway.count
    return total


# --- Issuing pathway badges ------------------------------------------------------------------


def _award_on_commit(*, learner_ids=None, pathway_ids=None):
    from accounts.side_effects import enqueue_on_commit

    from .tasks import award_pathway_badges

    enqueue_on_commit(
        award_pathway_badges,
        [str(i) for i in learner_ids] if learner_ids is not None else None,
        [str(i) for i in pathway_ids] if pathway_ids is not None else None,
    )


def course_badges_issued_on_commit(assertions) -> None:
    """Called by course badge issuance: the learners' pathways are checked after the commit,
    when a published pathway holds one of the badges just issued."""
    badge_ids = {a.badge_class_id for a in assertions if a.enrollment_id}
    if not badge_ids:
        return
    courses = BadgeClass.objects.filter(pk__in=badge_ids).values("course__lineage")
    if not PathwayComponent.objects.filter(
        badge_class__course__lineage__in=courses, pathway__published_at__isnull=False
    ).exists():
        return
    _award_on_commit(learner_ids=sorted({a.recipient_id for a in assertions}))


def _learners_holding(pathway_ids) -> list:
    """Learners holding at least one current badge of the given pathways (all published ones
    when None) and not yet the pathway badge: the candidates of a sweep."""
    components = PathwayComponent.objects.filter(pathway__published_at__isnull=False)
    if pathway_ids is not None:
        components = components.filter(pathway_id__in=pathway_ids)
    return list(
        Assertion.objects.filter(
            enrollment__isnull=False,
            revoked_at__isnull=True,
            badge_class__course__lineage__in=components.values("badge_class__course__lineage"),
        )
        .values_list("recipient_id", flat=True)
        .distinct()
    )


def pathway_badges_award(*, learner_ids=None, pathway_ids=None, now=None) -> int:
    """Issue every pathway badge the learners have earned and not received (all learners who
    hold a pathway's badge when ``learner_ids`` is None: the sweep). Returns how many were
    issued. Safe to run twice: one pathway badge per learner and pathway, ever."""
    from accounts.models import User

    from .services import IssueRefused

    now = now or timezone.now()
    pathways = list(published_pathways())
    if pathway_ids is not None:
        wanted = {str(i) for i in pathway_ids}
        pathways = [p for p in pathways if str(p.pk) in wanted]
    if not pathways:
        return 0
    if learner_ids is None:
        learner_ids = _learners_holding([p.pk for p in pathways])
    issued = 0
    for start in range(0, len(learner_ids), 500):
        batch = list(learner_ids[start : start + 500])
        held = held_badges(batch, now=now)
        have = set(
            Assertion.objects.filter(recipient_id__in=batch, pathway__isnull=False).values_list(
                "recipient_id", "pathway_id"
            )
        )
        learners = User.objects.in_bulk(batch)
        for learner_id, badges in held.items():
            for pathway in pathways:
                if (learner_id, pathway.pk) in have:
                    continue
                state = pathway_rules.progress(
                    rule=pathway.rule,
                    count=pathway.count,
                    components=components_of(pathway),
                    held=held_for(pathway, badges),
                )
                if not state.complete:
                    continue
                try:
                    _, created = pathway_badge_issue(
                        pathway=pathway, learner=learners[learner_id], now=now
                    )
                except (IssueRefused, Pathway.DoesNotExist) as refused:
                    # One learner's refusal (a component revoked, or the pathway withdrawn, a
                    # moment ago) must not stop the others' badges; the next sweep looks again.
                    log.warning("Pathway badge of %s not issued: %s", learner_id, refused)
                    continue
                issued += created
    return issued


def _component_evidence(assertion) -> dict:
    """One component badge as the pathway credential's evidence (OB 2.0 and 3.0 Evidence): its
    verification page, name and date, so anyone can follow the stack down."""
    version = assertion.badge_version
    return {
        "id": settings.SITE_URL + reverse("badges:assertion", args=[assertion.pk]),
        "name": version.name,
        "narrative": f"Micro-credential of the pathway, issued on "
        f"{timezone.localtime(assertion.issued_on):%-d %B %Y} by {version.issuer_name} "
        f"({version.ects_credits} ECTS).",
        "genre": "Micro-credential",
    }


def _earliest(*moments):
    """A pathway badge is current no longer than the badges it stands on: the earliest expiry
    among them (None: none expires)."""
    given = [m for m in moments if m is not None]
    return min(given) if given else None


@transaction.atomic
def pathway_badge_issue(*, pathway, learner, now=None) -> tuple[Assertion, bool]:
    """Issue a pathway's badge to a learner whose current badges satisfy its rule. Returns
    (assertion, created); an existing one (issued or revoked) is returned as it is."""
    from .services import IssueRefused, _expiry, _notify_on_commit, badge_versions_current

    existing = Assertion.objects.filter(pathway=pathway, recipient=learner).first()
    if existing:
        return existing, False
    now = (now or timezone.now()).replace(microsecond=0)
    pathway = published_pathways().get(pk=pathway.pk)
    held = held_for(pathway, held_badges([learner.pk], now=now).get(learner.pk, {}))
    state = pathway_rules.progress(
        rule=pathway.rule, count=pathway.count, components=components_of(pathway), held=held
    )
    if not state.complete:
        raise IssueRefused(f"{learner} has not earned the pathway {pathway.name} yet.")
    badge = BadgeClass.objects.select_related("issuer").get(pk=pathway.badge_class_id)
    version = badge_versions_current([badge])[badge.pk]
    # The component badges, locked so a revocation racing this waits for it and then sees the
    # pathway badge that stands on them.
    components = list(
        Assertion.objects.select_for_update(of=("self",))
        .select_related("badge_version")
        .filter(pk__in=[held[i].pk for i in state.counted], revoked_at__isnull=True)
        .order_by("issued_on")
    )
    if len(components) != len(state.counted):
        raise IssueRefused(f"A badge of {learner}'s pathway was revoked a moment ago.")
    salt = secrets.token_hex(16)
    email = learner.email.lower()
    names = ", ".join(c.badge_version.name for c in components)
    assertion = Assertion(
        badge_class=badge,
        badge_version=version,
        outcome_results=[],
        pathway=pathway,
        recipient=learner,
        recipient_name=learner.full_name,
        recipient_email=email,
        salt=salt,
        recipient_hash=hash_recipient(email, salt),
        issued_on=now,
        expires_on=_earliest(_expiry(version, now), *(c.expires_on for c in components)),
        narrative=f"{learner.full_name} earned the pathway {pathway.name} by stacking "
        f"{len(components)} micro-credentials of the centre: {names}.",
        evidence=[_component_evidence(c) for c in components],
        automatic=True,
    )
    credentials.assertions_sign([assertion])
    try:
        with transaction.atomic():
            assertion.save()
    except IntegrityError:  # issued by a concurrent task a moment ago
        return Assertion.objects.get(pathway=pathway, recipient=learner), False
    assertion.components.set(components)
    _notify_on_commit([assertion.pk])
    return assertion, True


# --- Revocation: what stands on a badge ---------------------------------------------------------


@dataclass(frozen=True)
class Dependents:
    """The pathway badges, not revoked, that stand on a badge about to be revoked."""

    lost: list  # no longer earned without it: the centre decides what becomes of them
    kept: list  # still earned by the learner's other current badges: they stay true


def dependents(assertion, *, now=None) -> Dependents:
    """What stands on this badge, split by whether the learner's other current badges (as if
    this one were revoked) still satisfy each pathway's rule."""
    standing = list(
        assertion.pathway_badges.filter(revoked_at__isnull=True).select_related("badge_version")
    )
    if not standing:
        return Dependents(lost=[], kept=[])
    others = held_badges(
        [assertion.recipient_id], now=now or timezone.now(), excluding=assertion.pk
    ).get(assertion.recipient_id, {})
    rules = _with_components(Pathway.objects.filter(pk__in={a.pathway_id for a in standing}))
    earned = {
        p.pk
        for p in rules
        if pathway_rules.progress(
            rule=p.rule, count=p.count, components=components_of(p), held=held_for(p, others)
        ).complete
    }
    return Dependents(
        lost=[a for a in standing if a.pathway_id not in earned],
        kept=[a for a in standing if a.pathway_id in earned],
    )
