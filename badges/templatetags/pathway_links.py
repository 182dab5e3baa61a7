"""The pathways a course's badge counts towards, for the course's catalogue page (the catalogue
belongs to ``courses``, which does not read badges: the template asks here)."""

from django import template

from ..models import PathwayComponent

register = template.Library()


@register.inclusion_tag("badges/pathways/_of_course.html")
def course_pathways(course):
    rows = (
        PathwayComponent.objects.filter(
            badge_class__course=course, pathway__published_at__isnull=False
        )
        .select_related("pathway")
        .order_by("pathway__name")
    )
    return {"pathways": [row.pathway for row in rows]}
