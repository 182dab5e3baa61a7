"""Public Open Badges URLs: JSON-LD for clients, HTML for browsers, baked images.

The shapes are stable (DESIGN.md, "Public URLs"); ids are UUIDs, so nothing can be listed by
guessing. A client that asks for JSON (or uses the .json suffix, or sends no Accept header, as
validators do) gets the OB 2.0 document; a browser gets the page. Revocation shows at once:
responses are revalidated (no-cache with an ETag) rather than cached blind.
"""

import functools
import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from courses.models import Course

from . import documents, public_cache, qr, selectors, views_pages
from .images import image_media_type, version_image_bytes
from .models import Assertion, Issuer
from .openbadges import baking

JSON_LD = "application/ld+json"


def wants_json(request, suffix):
    if suffix:
        return True
    accept = request.headers.get("Accept", "")
    if "text/html" not in accept:
        return True
    return _prefers_json(accept)


@functools.lru_cache(maxsize=256)
def _prefers_json(accept: str) -> bool:
    """Whether an Accept header that names text/html ranks JSON above it. Browsers send a few
    fixed headers: parsing one costs more than the rest of serving a kept page, so the answer
    is kept per header (a bounded few)."""
    request = HttpRequest()
    request.META["HTTP_ACCEPT"] = accept
    return request.get_preferred_type(["text/html", JSON_LD, "application/json"]) != "text/html"


def _json(request, document, status=200):
    return _revalidated(request, _json_document(request, document, status=status))


def _json_document(request, document, status=200):
    body = json.dumps(document, ensure_ascii=False, sort_keys=True).encode()
    response = HttpResponse(body, status=status, content_type=_json_type(request))
    response["ETag"] = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    response["Cache-Control"] = "public, no-cache"
    response["Access-Control-Allow-Origin"] = "*"
    patch_vary_headers(response, ["Accept"])
    return response


def _json_type(request):
    return JSON_LD if JSON_LD in request.headers.get("Accept", "") else "application/json"


def _revalidated(request, response):
    """304 Not Modified when the client's copy (If-None-Match) is this document."""
    etag = response["ETag"]
    if response.status_code != 200 or request.headers.get("If-None-Match") != etag:
        return response
    not_modified = HttpResponse(status=304)
    for header in ("ETag", "Cache-Control", "Access-Control-Allow-Origin", "Vary"):
        not_modified[header] = response[header]
    return not_modified


def _page(response):
    patch_vary_headers(response, ["Accept"])
    return response


@require_GET
def issuer(request, pk, suffix=""):
    obj = get_object_or_404(Issuer, pk=pk)
    if wants_json(request, suffix):
        return _json(request, documents.issuer_json(obj))
    return _page(views_pages.issuer_page(request, obj))


def _badge_class(pk):
    """A badge design version by its public id: version 1 has the badge class's own id, so
    every BadgeClass URL ever published answers."""
    return selectors.badge_version_public(pk)


@require_GET
def badge_class(request, pk, suffix=""):
    version = _badge_class(pk)
    if wants_json(request, suffix):
        return _json(request, documents.badge_class_json(version))
    return _page(views_pages.badge_class_page(request, version))


@require_GET
def badge_class_image(request, pk):
    badge = _badge_class(pk)
    data = version_image_bytes(badge)
    response = HttpResponse(data, content_type=image_media_type(data))
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _public_columns():
    """What the hosted assertion, its page and its image read, and not the rest: the course's
    template text and the signed credentials are most of the bytes of these rows."""
    course_fields = [
        f"badge_version__badge_class__course__{f.name}"
        for f in Course._meta.concrete_fields
        if f.name not in ("id", "title", "lineage")
    ]
    return ("credential_json", "credential_jwt", *course_fields)


def _assertion(pk):
    return get_object_or_404(
        Assertion.objects.select_related("badge_version__badge_class__course").defer(
            *_public_columns()
        ),
        pk=pk,
    )


@require_GET
def assertion(request, pk, suffix=""):
    """The verification page, or the hosted OB 2.0 assertion; kept copies are served to
    visitors while nothing on them has changed (public_cache.py)."""
    as_json = wants_json(request, suffix)
    now = timezone.now()
    kept = None
    if public_cache.cacheable(request):
        variant = _json_type(request) if as_json else "html"
        kept = public_cache.Lookup("json" if as_json else "page", pk, variant, now=now)
        if kept.response is not None:
            return _revalidated(request, kept.response) if as_json else kept.response
    obj = _assertion(pk)
    if as_json:
        # OB 2.0 §Revoking Hosted Assertions: a revoked hosted assertion answers 410 Gone.
        status = 410 if obj.revoked_at else 200
        response = _json_document(request, documents.assertion_json(obj), status=status)
    else:
        response = _page(views_pages.assertion_page(request, obj, now=now))
    if kept is not None:
        kept.store(request, response, expires_at=None if as_json else obj.expires_on)
    return _revalidated(request, response) if as_json else response


def baked_image(assertion_obj) -> bytes:
    """The badge image with this assertion baked in (PNG iTXt or SVG element), cached."""
    version = assertion_obj.badge_version
    key = (
        f"baked:{assertion_obj.pk}:{int(bool(assertion_obj.revoked_at))}:"
        f"{version.pk}:{version.image.name}"
    )
    data = cache.get(key)
    if data is None:
        document = documents.assertion_json(assertion_obj)
        image = version_image_bytes(version)
        data = baking.bake_hosted_assertion(
            image,
            assertion_id=document["id"],
            assertion_json=json.dumps(document, ensure_ascii=False, sort_keys=True),
        )
        cache.set(key, data, 3600)
    return data


@require_GET
def assertion_image(request, pk):
    obj = _assertion(pk)
    data = baked_image(obj)
    extension = "png" if data.startswith(baking.PNG_SIGNATURE) else "svg"
    response = HttpResponse(data, content_type=image_media_type(data))
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="badge-{obj.pk}.{extension}"'
    response["Cache-Control"] = "public, no-cache"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def assertion_qr(request, pk):
    """The QR code of a badge's verification page, its own image so the page stays light; the
    address it encodes does not change, so browsers and proxies keep it for a day."""
    if not Assertion.objects.filter(pk=pk).exists():
        raise Http404("No such badge.")
    url = settings.SITE_URL + reverse("badges:assertion", kwargs={"pk": pk})
    response = HttpResponse(qr.qr_svg_cached(url), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def eu_context(request):
    return _static_json(documents.eu_context(), JSON_LD)


@require_GET
def eu_schema(request):
    return _static_json(documents.eu_schema(), "application/schema+json")


def _static_json(document, content_type):
    response = JsonResponse(document)
    response["Content-Type"] = content_type
    response["Cache-Control"] = "public, max-age=86400"
    response["Access-Control-Allow-Origin"] = "*"
    return response
