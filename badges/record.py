"""What an issued badge says, read from its frozen record (DESIGN.md, "Badges").

An assertion keeps the design version it was issued from (``Assertion.badge_version``) and, per
learning outcome, whether the learner demonstrated it by assessment (``outcome_results``, the
``assessments.selectors.outcomes_demonstrated`` answer at issue). Every format of a badge — page,
PDF, OB 2.0 narrative, OB 3.0 credential — takes its words from here, so they say the same thing
and only what is true: which outcomes were demonstrated by assessment and which were not, and an
award by decision of the centre ("Issue anyway") says so, with its recorded reason.
"""

from collections.abc import Iterable, Mapping

DECISION = "Awarded by decision of the centre"
PRIOR_LEARNING = "Awarded by recognition of prior learning"
PRIOR_LEARNING_SENTENCE = (
    f"{PRIOR_LEARNING}: the learner's evidence was judged against the course's learning outcomes "
    "instead of their taking the course."
)


def demonstrated_codes(results: Iterable[Mapping]) -> list[str]:
    return [r["code"] for r in results if r.get("demonstrated")]


def not_demonstrated_codes(results: Iterable[Mapping]) -> list[str]:
    return [r["code"] for r in results if not r.get("demonstrated")]


def every_outcome_demonstrated(results) -> bool:
    results = list(results)
    return bool(results) and all(r.get("demonstrated") for r in results)


def _codes(codes) -> str:
    return ", ".join(codes) if codes else "none"


def outcomes_sentence(results) -> str:
    """Which outcomes were demonstrated by assessment and which were not, in one sentence."""
    results = list(results)
    if every_outcome_demonstrated(results):
        return "Every learning outcome was demonstrated by assessment."
    return (
        f"Learning outcomes demonstrated by assessment: {_codes(demonstrated_codes(results))}. "
        f"Not demonstrated by assessment: {_codes(not_demonstrated_codes(results))}."
    )


def decision_sentence(override_reason: str) -> str:
    return f"{DECISION}. Reason: {override_reason.strip()}"


def issued_narrative(
    *, learner_name, course_title, offering_label, results, override_reason, prior_learning=False
):
    """The assertion's narrative (OB 2.0 ``narrative``) written at issue from what is true."""
    results = list(results)
    if prior_learning and not override_reason:
        return "\n".join(
            [
                f"{learner_name} was awarded this badge for {course_title} by recognition of "
                "prior learning: their evidence was judged against the course's learning "
                "outcomes instead of their taking the course.",
                outcomes_sentence(results),
            ]
        )
    if not override_reason and every_outcome_demonstrated(results):
        return (
            f"{learner_name} completed {course_title} ({offering_label}) and demonstrated every "
            "learning outcome in a summative assessment."
        )
    lines = []
    if override_reason:
        lines.append(
            f"{learner_name} was awarded this badge for {course_title} ({offering_label}) by "
            f"decision of the centre. Reason: {override_reason.strip()}"
        )
        if prior_learning:
            lines.append(PRIOR_LEARNING_SENTENCE)
    else:
        lines.append(f"{learner_name} completed {course_title} ({offering_label}).")
    lines.append(outcomes_sentence(results))
    return "\n".join(lines)


def stacked_names(assertion) -> list[str] | None:
    """The micro-credentials a pathway badge stands on, by name, as frozen in its evidence at
    issue; None for a course badge."""
    if not assertion.pathway_id:
        return None
    return [e.get("name", "") for e in assertion.evidence]


def outcomes_statement(assertion) -> str:
    """What the badge says it certifies, in one sentence: the outcomes demonstrated by
    assessment for a course badge; for a pathway badge (which has no outcomes of its own), the
    micro-credentials it stands on, each of which states its own outcomes."""
    names = stacked_names(assertion)
    if names is None:
        return outcomes_sentence(assertion.outcome_results)
    return (
        f"Earned by stacking {len(names)} micro-credentials of the centre: {_codes(names)}. "
        "Each states the learning outcomes its learner demonstrated, on its own verification page."
    )


def credential_narrative(assertion) -> str | None:
    """What the OB 3.0 credential subject's (and the EDC's) ``narrative`` says: nothing when
    every outcome was demonstrated by assessment and the badge was earned, not decided. It never
    names the learner, whom the credential identifies only by a hash. A pathway badge has no
    outcomes of its own and says what it stands on."""
    if assertion.pathway_id:
        return outcomes_statement(assertion)
    results = list(assertion.outcome_results)
    override_reason, prior_learning = assertion.override_reason, assertion.prior_learning
    if not override_reason and not prior_learning and every_outcome_demonstrated(results):
        return None
    parts = [decision_sentence(override_reason)] if override_reason else []
    if prior_learning:
        parts.append(PRIOR_LEARNING_SENTENCE)
    parts.append(outcomes_sentence(results))
    return "\n".join(parts)
