"""Who may open the LEADS pages. Learners and the public never reach them."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from courses.models import Course

from .services import may_view_course


def leads_people_only(view):
    """Course leaders, deans and designates, and the LEADS admin; anyone else is refused."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not (user.is_course_leader or user.is_dean or user.is_leads_admin):
            raise PermissionDenied("These pages are for course leaders, deans and the LEADS team.")
        return view(request, *args, **kwargs)

    return wrapped


def dean_only(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_dean:
            raise PermissionDenied("This page is for deans and their designates.")
        return view(request, *args, **kwargs)

    return wrapped


def course_for(user, pk, queryset=None) -> Course:
    """The course if this person may see it; otherwise 404, so others' drafts stay unknown."""
    course = get_object_or_404((queryset or Course.objects).select_related("unit", "leader"), pk=pk)
    if not may_view_course(user=user, course=course):
        raise Http404("No such course.")
    return course
