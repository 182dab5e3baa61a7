from assessments.services import assessment_save


def assessment_plan(course, *, summative=True, formative=False):
    """One summative assessment per outcome (and optionally a formative one on all outcomes)."""
    outcomes = list(course.outcomes.all())
    plan = [
        assessment_save(
            course=course,
            title=f"Task {i + 1}",
            kind="assignment",
            purpose="summative" if summative else "formative",
            criteria={outcome: f"does {outcome.text.lower()}"},
        )
        for i, outcome in enumerate(outcomes)
    ]
    if formative:
        plan.append(
            assessment_save(
                course=course,
                title="Practice quiz",
                kind="quiz",
                purpose="formative",
                criteria=dict.fromkeys(outcomes, "tries it"),
            )  # fmt: skip
        )
    return plan
