"""The public catalogue: the home page's list of published courses, and each course's page."""

import json

from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from . import catalogue
from .forms_catalogue import CatalogueFilterForm
from .models import OfferingKind

# The characters that could end a <script> element or open a comment inside it, written as JSON
# escapes (the same as django.utils.html.json_script, which only writes type="application/json").
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld_script(data: dict) -> SafeString:
    """`data` as a <script type="application/ld+json"> element that no course text can break.

    The element is data, never executed, so the site's CSP (no inline scripts) allows it.
    """
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(_JSON_SCRIPT_ESCAPES)),  # noqa: S308 (escaped above)
    )


def catalogue_home(request):
    """The public home page: published courses, searched and filtered by a GET form."""
    form = CatalogueFilterForm(request.GET, units=catalogue.catalogue_units())
    filters = form.filters()
    courses = catalogue.published_courses(filters=filters)
    page = Paginator(courses, catalogue.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "courses/catalogue/home.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "page_numbers": page.paginator.get_elided_page_range(page.number, on_ends=1),
            "courses": page.object_list,
        },
    )


def course_page(request, lineage):
    """A course's public page, at a URL that stays the same across its versions."""
    shown = catalogue.published_course(lineage=lineage)
    if shown is None:
        raise Http404("No published course at this address.")
    today = timezone.localdate()
    prior_learning_open = shown.course.offerings.filter(
        kind=OfferingKind.PRIOR_LEARNING, starts_on__lte=today, ends_on__gte=today
    ).exists()
    return render(
        request,
        "courses/catalogue/course.html",
        {
            "page": shown,
            "course": shown.course,
            "json_ld": json_ld_script(shown.json_ld),
            "prior_learning_open": prior_learning_open,
        },
    )
