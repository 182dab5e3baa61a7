"""Public Open Badges 3.0 URLs: signed credentials, issuers' keys, status lists, our context.

Shapes (stable, DESIGN.md "Public URLs"; ids are UUIDs):

- ``/public/assertions/<id>/credential``: the signed OpenBadgeCredential as stored
  (``application/vc+ld+json``, or ``application/ld+json`` / ``application/json`` when the client
  asks for those); ``?format=jwt`` or ``Accept: application/vc+jwt`` gives the VC-JWT.
- ``/public/assertions/<id>/credential/image``: the badge image with the signed credential baked in
  (OB 3.0 §Baking: PNG iTXt ``openbadgecredential``, SVG ``<openbadges:credential>``), in the
  badge image's own format, as ``/image`` is for OB 2.0.
- ``/public/issuers/<id>/keys``: the issuer's controller document (its published Multikeys), which
  is also the ``issuer.id`` of its credentials (see identifiers.py for why it is not
  ``/public/issuers/<id>``, the OB 2.0 profile, which stays as it was).
- ``/public/status/<id>``: a signed BitstringStatusListCredential, served from the cache.
- ``/public/contexts/eu-microcredential-ob3-v1.json``: our extension's JSON-LD 1.1 context.

Nothing here writes, except that a status list whose stored credential is older than its bits is
republished on read (status.py). No response ever holds private key material.
"""

import hashlib
import json

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from . import identifiers, signing, status
from .images import image_media_type, png_as_svg, version_image_bytes
from .models import Assertion, Issuer
from .openbadges import baking

VC_LD_JSON = "application/vc+ld+json"
VC_JWT = "application/vc+jwt"
LD_JSON = "application/ld+json"
JSON = "application/json"


def _respond(request, body: bytes, content_type: str, *, cache_control="public, no-cache"):
    """A public response revalidated by ETag, readable from any origin."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    response["Access-Control-Allow-Origin"] = "*"
    patch_vary_headers(response, ["Accept"])
    return response


def _json_type(request, default=VC_LD_JSON) -> str:
    accept = request.headers.get("Accept", "")
    for asked in (VC_LD_JSON, LD_JSON, JSON):
        if asked in accept:
            return asked
    return default


def _signed_assertion(pk) -> Assertion:
    assertion = get_object_or_404(
        Assertion.objects.only("pk", "credential_json", "credential_jwt"), pk=pk
    )
    if not assertion.credential_json:
        # Issued before OB 3.0 signing and not signed since (manage.py badge_keys sign-missing).
        raise Http404("This badge has no Open Badges 3.0 credential yet.")
    return assertion


@require_GET
def credential(request, pk):
    assertion = _signed_assertion(pk)
    wants_jwt = request.GET.get("format") == "jwt" or (
        VC_JWT in request.headers.get("Accept", "")
        and request.get_preferred_type([VC_JWT, VC_LD_JSON, LD_JSON, JSON]) == VC_JWT
    )
    if wants_jwt:
        return _respond(request, assertion.credential_jwt.encode("ascii"), VC_JWT)
    return _respond(request, assertion.credential_json.encode("utf-8"), _json_type(request))


@require_GET
def credential_image(request, pk):
    assertion = get_object_or_404(
        Assertion.objects.select_related("badge_version").only(
            "pk", "credential_json", "badge_version__image"
        ),
        pk=pk,
    )
    if not assertion.credential_json:
        raise Http404("This badge has no Open Badges 3.0 credential yet.")
    # ?as=svg: a PNG badge baked as an SVG too (images.png_as_svg); an SVG badge is an SVG.
    as_svg = request.GET.get("as") == "svg"
    digest = hashlib.sha256(assertion.credential_json.encode("utf-8")).hexdigest()[:16]
    key = f"baked-ob3:{assertion.pk}:{digest}:{'svg' if as_svg else 'own'}"
    data = cache.get(key)
    if data is None:
        image = version_image_bytes(assertion.badge_version)
        if as_svg and image.startswith(baking.PNG_SIGNATURE):
            image = png_as_svg(image)
        if image.startswith(baking.PNG_SIGNATURE):
            data = baking.bake_png(image, assertion.credential_json, fmt=baking.OB3)
        else:
            data = baking.bake_svg(
                image,
                verify=identifiers.credential_url(assertion.pk),
                body=assertion.credential_json,
                fmt=baking.OB3,
            )
        cache.set(key, data, 3600)
    response = _respond(request, data, image_media_type(data))
    if request.GET.get("download"):
        extension = "png" if data.startswith(baking.PNG_SIGNATURE) else "svg"
        response["Content-Disposition"] = (
            f'attachment; filename="badge-{assertion.pk}-ob3.{extension}"'
        )
    return response


@require_GET
def issuer_keys(request, pk):
    # Whoever reads our keys is about to canonicalize one of our credentials in this process
    # (the /verify/ page dispatches here in-process): make sure our extension context is served.
    signing.document_loader()
    issuer = get_object_or_404(Issuer.objects.only("pk"), pk=pk)
    document = signing.controller_document(issuer.pk)
    body = json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return _respond(request, body, _json_type(request, default=LD_JSON))


@require_GET
def status_list(request, pk):
    text = status.status_list_json(pk)
    if text is None:
        raise Http404("No such status list.")
    # Short-lived shared caching: a revocation shows within a minute even behind a proxy.
    return _respond(
        request,
        text.encode("utf-8"),
        _json_type(request),
        cache_control="public, max-age=60, must-revalidate",
    )


@require_GET
def eu_context_ob3(request):
    body = json.dumps(signing.eu_context_document(), sort_keys=True).encode("utf-8")
    return _respond(request, body, LD_JSON, cache_control="public, max-age=86400")
