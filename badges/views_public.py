"""Public Open Badges URLs: JSON-LD for clients, HTML for browsers, baked images.

The shapes are stable (DESIGN.md, "Public URLs"); ids are UUIDs, so nothing can be listed by
guessing. A client that asks for JSON (or uses the .json suffix, or sends no Accept header, as
validators do) gets the OB 2.0 document; a browser gets the page. Revocation shows at once:
responses are revalidated (no-cache with an ETag) rather than cached blind.
"""

import hashlib
import json

from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from . import documents, views_pages
from .models import Assertion, BadgeClass, Issuer
from .openbadges import baking

JSON_LD = "application/ld+json"


def wants_json(request, suffix):
    if suffix:
        return True
    accept = request.headers.get("Accept", "")
    if "text/html" not in accept:
        return True
    return request.get_preferred_type(["text/html", JSON_LD, "application/json"]) != "text/html"


def _json(request, document, status=200):
    body = json.dumps(document, ensure_ascii=False, sort_keys=True).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag and status == 200:
        response = HttpResponse(status=304)
    else:
        content_type = (
            JSON_LD if JSON_LD in request.headers.get("Accept", "") else "application/json"
        )
        response = HttpResponse(body, status=status, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = "public, no-cache"
    response["Access-Control-Allow-Origin"] = "*"
    patch_vary_headers(response, ["Accept"])
    return response


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
    return get_object_or_404(BadgeClass.objects.select_related("issuer", "course"), pk=pk)


@require_GET
def badge_class(request, pk, suffix=""):
    badge = _badge_class(pk)
    if wants_json(request, suffix):
        return _json(request, documents.badge_class_json(badge))
    return _page(views_pages.badge_class_page(request, badge))


def _image_type(data):
    return "image/png" if data.startswith(baking.PNG_SIGNATURE) else "image/svg+xml"


@require_GET
def badge_class_image(request, pk):
    badge = _badge_class(pk)
    data = _badge_image_bytes(badge)
    response = HttpResponse(data, content_type=_image_type(data))
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _badge_image_bytes(badge):
    key = f"badge-image:{badge.pk}:{badge.updated_at.timestamp()}"
    data = cache.get(key)
    if data is None:
        with badge.image.open("rb") as handle:
            data = handle.read()
        cache.set(key, data, 3600)
    return data


def _assertion(pk):
    return get_object_or_404(
        Assertion.objects.select_related("badge_class__issuer", "badge_class__course", "recipient"),
        pk=pk,
    )


@require_GET
def assertion(request, pk, suffix=""):
    obj = _assertion(pk)
    if wants_json(request, suffix):
        # OB 2.0 §Revoking Hosted Assertions: a revoked hosted assertion answers 410 Gone.
        status = 410 if obj.revoked_at else 200
        return _json(request, documents.assertion_json(obj), status=status)
    return _page(views_pages.assertion_page(request, obj))


def baked_image(assertion_obj) -> bytes:
    """The badge image with this assertion baked in (PNG iTXt or SVG element), cached."""
    badge = assertion_obj.badge_class
    key = (
        f"baked:{assertion_obj.pk}:{int(bool(assertion_obj.revoked_at))}:"
        f"{badge.updated_at.timestamp()}"
    )
    data = cache.get(key)
    if data is None:
        document = documents.assertion_json(assertion_obj)
        image = _badge_image_bytes(assertion_obj.badge_class)
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
    response = HttpResponse(data, content_type=_image_type(data))
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="badge-{obj.pk}.{extension}"'
    response["Cache-Control"] = "public, no-cache"
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
