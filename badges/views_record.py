"""The learner's record at the centre (badges/clr.py): what it holds, and its signed CLR 2.0
download. Both pages are the signed-in person's own: there is no URL for anyone else's."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from . import clr

VC_LD_JSON = "application/vc+ld+json"


@login_required
@require_GET
def record(request):
    """What the record holds: each badge, what a pathway badge stands on, and what is left out."""
    now = timezone.now()
    contents = clr.record_contents(request.user)
    rows = [
        {
            "assertion": a,
            "status": a.status(now),
            "stands_on": contents.stands_on.get(a.pk, []),
        }
        for a in contents.badges
    ]
    response = render(
        request,
        "badges/record.html",
        {"contents": contents, "rows": rows, "filename": _filename(now)},
    )
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _filename(now) -> str:
    return f"learner-record-{timezone.localdate(now).isoformat()}.json"


@login_required
@require_GET
def record_download(request):
    """The record as a signed ClrCredential, made now (application/vc+ld+json, an attachment).
    An empty record is no ClrCredential: 404, and the page offers no download."""
    now = timezone.now()
    text = clr.learner_record(request.user, now=now)
    if text is None:
        raise Http404("Your record is empty: no badge has been issued to you.")
    response = HttpResponse(text.encode("utf-8"), content_type=VC_LD_JSON)
    response["Content-Disposition"] = f'attachment; filename="{_filename(now)}"'
    # Personal, and signed afresh on each request: kept by no cache.
    patch_cache_control(response, private=True, no_store=True)
    return response
