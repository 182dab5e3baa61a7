"""The frozen form of a course version: everything the Dean reads, as plain JSON.

A submission stores this; the checklist, the review page, the diff and the submission pack all
read it, so they show exactly what was signed whatever happens to the live rows later.
"""

from decimal import Decimal

from django.db.models import Prefetch

from assessments.models import Assessment
from courses import rules
from courses.models import Course


def _num(value):
    if value is None:
        return None
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return float(value)


def _date(value):
    return value.isoformat() if value else None


SCALAR_FIELDS = [
    "title", "aim", "target_audience", "eligibility", "prerequisites",
    "credits", "teaching_hours", "self_study_hours", "other_hours",
    "planned_start", "planned_end", "modality", "in_person_hours",
    "evidence_required", "resources_note", "budget_note",
    "affirms_aim", "affirms_eligibility", "affirms_prerequisites", "affirms_resources",
    "affirms_budget",
    "badge_name", "badge_description", "badge_level", "badge_expiry_months",
    "badge_expiry_date", "badge_issue_mode", "badge_message",
    "eqf_level", "eu_assessment_type", "quality_assurance", "assessment_supervision",
    "stackability",
]  # fmt: skip


def course_for_snapshot(course_id) -> Course:
    """The course with everything the snapshot reads, in a fixed number of queries."""
    return (
        Course.objects.select_related("unit", "leader")
        .prefetch_related(
            "outcomes",
            "content_units",
            "instructors",
            Prefetch(
                "assessments",
                queryset=Assessment.objects.prefetch_related("outcomes", "criteria"),
            ),
        )
        .get(pk=course_id)
    )


def course_snapshot(course: Course) -> dict:
    data = {}
    for name in SCALAR_FIELDS:
        value = getattr(course, name)
        if isinstance(value, Decimal):
            value = _num(value)
        elif hasattr(value, "isoformat"):
            value = _date(value)
        data[name] = value
    data.update(
        course_id=course.pk,
        lineage=str(course.lineage),
        version=course.version,
        unit=course.unit.name,
        unit_id=course.unit_id,
        leader=course.leader.full_name,
        leader_email=course.leader.email,
        instructors=[u.full_name for u in course.instructors.all()],
        total_hours=_num(course.total_hours),
        outcomes=[
            {"id": o.pk, "label": f"LO{i + 1}", "text": o.text}
            for i, o in enumerate(course.outcomes.all())
        ],
        content_units=[
            {"title": u.title, "is_in_person": u.is_in_person, "place": u.place, "timing": u.timing}
            for u in course.content_units.all()
        ],  # fmt: skip
        assessments=[
            {
                "id": a.pk,
                "title": a.title,
                "kind": a.kind,
                "purpose": a.purpose,
                "description": a.description,
                "outcome_ids": sorted(o.pk for o in a.outcomes.all()),
                "criteria": [
                    {"outcome_id": c.outcome_id, "pass_description": c.pass_description}
                    for c in a.criteria.all()
                ],
            }
            for a in course.assessments.all()
        ],
    )
    return data


def labels(snapshot: dict) -> dict:
    """Human labels for the coded values of a snapshot (modality, level, …)."""
    modality = rules.MODALITIES.get(snapshot.get("modality") or "")
    return {
        "modality": modality.label if modality else "",
        "badge_level": rules.BADGE_LEVELS.get(snapshot.get("badge_level") or "", ""),
        "participation_form": rules.participation_form(
            modality=snapshot.get("modality") or "",
            in_person_hours=snapshot.get("in_person_hours") or 0,
            total_hours=snapshot.get("total_hours") or 0,
            in_person_sessions=sum(
                1 for u in snapshot.get("content_units", []) if u.get("is_in_person")
            ),
        ),
    }
