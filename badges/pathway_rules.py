"""What a pathway asks of a learner, as pure functions of its rule and badges.

A pathway (stackable micro-credentials, EU Council Recommendation 2022/C 243/02, principle
"stackable") is earned by holding a set of course badges chosen by a rule: all of them; any N of
them; or every required one plus N electives. The same functions answer the LEADS team's form
(:func:`pathway_problems`), the learner's progress page and the issuing task (:func:`progress`),
the pathway's credits (:func:`minimum_credits`) and its sentence (:func:`rule_sentence`), so no
two places decide differently whether a learner has earned a pathway.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

ALL, ANY, REQUIRED_PLUS = "all", "any", "required_plus"
RULES = (ALL, ANY, REQUIRED_PLUS)
MIN_BADGES = 2
MAX_BADGES = 30


@dataclass(frozen=True)
class Component:
    badge_class_id: object
    required: bool = False
    credits: int = 0


@dataclass(frozen=True)
class Problem:
    """Why a pathway cannot be saved as given: ``code`` for tests and forms, ``message`` to read,
    ``field`` the form field it belongs to (None for the whole form)."""

    code: str
    message: str
    field: str | None = None


@dataclass(frozen=True)
class Progress:
    counted: tuple = ()  # the badge class ids of the learner's badges that count
    required_missing: tuple = ()  # required badge class ids the learner does not hold
    more_needed: int = 0  # how many more badges (any N) or electives the learner needs
    complete: bool = False
    started: bool = False
    electives: tuple = field(default=())  # elective badge class ids (required_plus only)


def _required(rule, components: Sequence[Component]) -> list[Component]:
    if rule == ALL:
        return list(components)
    if rule == REQUIRED_PLUS:
        return [c for c in components if c.required]
    return []


def _choosable(rule, components: Sequence[Component]) -> list[Component]:
    if rule == ANY:
        return list(components)
    if rule == REQUIRED_PLUS:
        return [c for c in components if not c.required]
    return []


def pathway_problems(
    *,
    rule: str,
    count: int | None,
    components: Sequence[Component],
    published_badge_ids: Iterable,
    eqf_level: int | None = None,
) -> list[Problem]:
    """Everything wrong with a pathway as the LEADS team would save it; empty when it is sound.

    ``published_badge_ids`` are the badge classes whose course is published: only those can be
    in a pathway, since a learner could not otherwise earn them."""
    problems = []
    if rule not in RULES:
        return [Problem("rule_unknown", "Choose how the pathway is earned.", "rule")]
    ids = [c.badge_class_id for c in components]
    if len(ids) != len(set(ids)):
        problems.append(Problem("duplicate", "A badge is in the pathway twice.", "badges"))
    if len(ids) < MIN_BADGES:
        problems.append(
            Problem(
                "too_few",
                f"A pathway stacks at least {MIN_BADGES} course badges.",
                "badges",
            )
        )
    if len(ids) > MAX_BADGES:
        problems.append(
            Problem("too_many", f"A pathway stacks at most {MAX_BADGES} badges.", "badges")
        )
    published = set(published_badge_ids)
    unpublished = [i for i in ids if i not in published]
    if unpublished:
        problems.append(
            Problem(
                "not_published",
                "Only the badges of published courses can be in a pathway.",
                "badges",
            )
        )
    count = count or 0
    if rule == ALL and count:
        problems.append(
            Problem("count_unused", "N is used only by “any N” and “required plus N”.", "count")
        )
    if rule == ANY and not 1 <= count <= len(ids):
        problems.append(
            Problem(
                "count_out_of_range",
                f"N must be between 1 and the number of badges ({len(ids)}).",
                "count",
            )
        )
    if rule == REQUIRED_PLUS:
        required = _required(rule, components)
        electives = _choosable(rule, components)
        if not required:
            problems.append(
                Problem("no_required", "Mark at least one badge as required.", "required")
            )
        if not electives:
            problems.append(
                Problem(
                    "no_electives",
                    "Leave at least one badge as an elective, or choose “all of its badges”.",
                    "required",
                )
            )
        elif not 1 <= count <= len(electives):
            problems.append(
                Problem(
                    "count_out_of_range",
                    f"N must be between 1 and the number of electives ({len(electives)}).",
                    "count",
                )
            )
    if rule != REQUIRED_PLUS and any(c.required for c in components):
        problems.append(
            Problem(
                "required_unused",
                "Required badges are used only by “required plus N electives”.",
                "required",
            )
        )
    if eqf_level is not None and not 1 <= eqf_level <= 8:
        problems.append(Problem("eqf_out_of_range", "The EQF level is 1 to 8.", "eqf_level"))
    return problems


def progress(*, rule: str, count: int, components: Sequence[Component], held: Iterable) -> Progress:
    """Where a learner stands: ``held`` is the set of badge class ids of their current badges
    (issued, not revoked, not expired)."""
    held = set(held)
    ids = [c.badge_class_id for c in components]
    counted = tuple(i for i in ids if i in held)
    required_missing = tuple(
        c.badge_class_id for c in _required(rule, components) if c.badge_class_id not in held
    )
    choosable = _choosable(rule, components)
    chosen = sum(1 for c in choosable if c.badge_class_id in held)
    more_needed = max(0, count - chosen) if rule in (ANY, REQUIRED_PLUS) else 0
    return Progress(
        counted=counted,
        required_missing=required_missing,
        more_needed=more_needed,
        complete=not required_missing and more_needed == 0 and bool(ids),
        started=bool(counted),
        electives=tuple(c.badge_class_id for c in choosable) if rule == REQUIRED_PLUS else (),
    )


def minimum_credits(*, rule: str, count: int, components: Sequence[Component]) -> int:
    """The ECTS credits every holder of the pathway's badge has earned at least: the required
    badges' plus the N smallest of those a learner chooses from."""
    required = sum(c.credits for c in _required(rule, components))
    choosable = sorted(c.credits for c in _choosable(rule, components))
    return required + sum(choosable[:count]) if rule != ALL else required


def rule_sentence(*, rule: str, count: int, names: Mapping, components: Sequence[Component]) -> str:
    """The rule in words, naming the required badges (``names``: badge class id → name)."""
    total = len(components)
    if rule == ALL:
        return "Earn both badges." if total == 2 else f"Earn all {total} badges."
    if rule == ANY:
        return f"Earn any {count} of the {total} badges."
    required = [names[c.badge_class_id] for c in components if c.required]
    electives = total - len(required)
    return (
        f"Earn {', '.join(required)}"
        f" and any {count} of the {electives} elective{'s' if electives != 1 else ''}."
    )
