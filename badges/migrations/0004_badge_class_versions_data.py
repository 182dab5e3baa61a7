"""Version 1 of every badge class, with the badge class's own id, so every URL published so far
(the OB 2.0 BadgeClass, the OB 3.0 achievement id of every signed credential) stays the same;
every issued badge points at it, with its outcome results frozen from the current records.

Badges issued by decision of the centre ("Issue anyway") said they "demonstrated every learning
outcome": their generated narrative is replaced by what is true. A migration keeps its own copy
of the rule (assessments.selectors.outcomes_demonstrated as it is now), as migrations must.
"""

from collections import defaultdict

from django.db import migrations
from django.db.models import F

DESIGN_FIELDS = (
    "name", "description", "image", "criteria_narrative", "level", "tags", "alignments",
    "expires_after_months", "expires_on", "issue_mode", "message", "ects_credits", "eqf_level",
    "hours", "assessment_type", "participation_form", "quality_assurance",
)  # fmt: skip
ISSUER_FIELDS = ("name", "url", "email", "description", "image")
GENERATED_CLAIM = "and demonstrated every learning outcome"


def _value(value):
    if hasattr(value, "name") and hasattr(value, "storage"):
        return value.name or ""
    return value


def _results(apps, enrollment_ids):
    Enrollment = apps.get_model("courses", "Enrollment")
    LearningOutcome = apps.get_model("courses", "LearningOutcome")
    RubricCriterion = apps.get_model("assessments", "RubricCriterion")
    AssessmentRecord = apps.get_model("assessments", "AssessmentRecord")
    course_of = dict(
        Enrollment.objects.filter(pk__in=enrollment_ids).values_list("pk", "offering__course_id")
    )
    numbered = defaultdict(list)
    for outcome in LearningOutcome.objects.filter(course_id__in=set(course_of.values())).order_by(
        "course_id", "position", "id"
    ):
        numbered[outcome.course_id].append(outcome)
    judges = defaultdict(set)
    for assessment_id, outcome_id in RubricCriterion.objects.filter(
        assessment__course_id__in=set(course_of.values()), assessment__purpose="summative"
    ).values_list("assessment_id", "outcome_id"):
        judges[assessment_id].add(outcome_id)
    passed = defaultdict(list)
    for enrollment_id, assessment_id, title, assessed_on in (
        AssessmentRecord.objects.filter(
            enrollment_id__in=enrollment_ids, is_current=True, result="pass",
            assessment__purpose="summative",
        )
        .order_by("assessment__position", "assessment_id")
        .values_list("enrollment_id", "assessment_id", "assessment__title", "assessed_on")
    ):  # fmt: skip
        passed[enrollment_id].append((assessment_id, title, assessed_on))
    results = {}
    for enrollment_id, course_id in course_of.items():
        results[enrollment_id] = [
            {
                "code": f"LO{i + 1}",
                "text": outcome.text,
                "demonstrated": any(outcome.pk in judges[a] for a, _, _ in passed[enrollment_id]),
                "demonstrated_by": [
                    {"title": title, "assessed_on": day.isoformat()}
                    for a, title, day in passed[enrollment_id]
                    if outcome.pk in judges[a]
                ],
            }
            for i, outcome in enumerate(numbered[course_id])
        ]
    return results


def _codes(results, demonstrated):
    codes = [r["code"] for r in results if r["demonstrated"] == demonstrated]
    return ", ".join(codes) if codes else "none"


def _outcomes_sentence(results):
    if results and all(r["demonstrated"] for r in results):
        return "Every learning outcome was demonstrated by assessment."
    return (
        f"Learning outcomes demonstrated by assessment: {_codes(results, True)}. "
        f"Not demonstrated by assessment: {_codes(results, False)}."
    )


def forwards(apps, schema_editor):
    BadgeClass = apps.get_model("badges", "BadgeClass")
    BadgeClassVersion = apps.get_model("badges", "BadgeClassVersion")
    Assertion = apps.get_model("badges", "Assertion")
    for badge in BadgeClass.objects.select_related("issuer").iterator():
        version = BadgeClassVersion(id=badge.pk, badge_class_id=badge.pk, number=1)
        for name in DESIGN_FIELDS:
            setattr(version, name, _value(getattr(badge, name)))
        version.issuer_id = badge.issuer_id
        for name in ISSUER_FIELDS:
            setattr(version, f"issuer_{name}", _value(getattr(badge.issuer, name)))
        version.save()
        BadgeClass.objects.filter(pk=badge.pk).update(latest_version_id=version.pk)
    Assertion.objects.update(badge_version_id=F("badge_class_id"))
    ids = list(Assertion.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 1000):
        batch = list(
            Assertion.objects.filter(pk__in=ids[start : start + 1000]).select_related(
                "badge_class__course", "enrollment__offering"
            )
        )
        results = _results(apps, [a.enrollment_id for a in batch])
        for assertion in batch:
            assertion.outcome_results = found = results.get(assertion.enrollment_id, [])
            if assertion.override_reason and GENERATED_CLAIM in assertion.narrative:
                assertion.narrative = (
                    f"{assertion.recipient_name} was awarded this badge for "
                    f"{assertion.badge_class.course.title} by decision of the centre. "
                    f"Reason: {assertion.override_reason}\n" + _outcomes_sentence(found)
                )
            elif (
                assertion.override_reason and "by decision of the centre" not in assertion.narrative
            ):
                # The issuer's own words stay; the decision is said after them.
                assertion.narrative = (
                    f"{assertion.narrative}\nAwarded by decision of the centre. "
                    f"Reason: {assertion.override_reason}"
                ).strip()
        Assertion.objects.bulk_update(batch, ["outcome_results", "narrative"])


class Migration(migrations.Migration):
    dependencies = [
        ("badges", "0003_badge_class_versions"),
        ("assessments", "0002_initial"),
        ("courses", "0002_importjob"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
