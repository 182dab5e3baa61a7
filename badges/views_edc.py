"""Public European Digital Credential URLs (DESIGN.md "Public URLs"; ids are UUIDs):

- ``/public/assertions/<id>/edc``: the EDC sealed with the centre's seal (JAdES, JWS JSON
  serialization), as Europass issues them; 503 with a sentence when the centre has no seal.
- ``/public/assertions/<id>/edc/uploadable``: the same document unsealed (JSON-LD), which the
  Europass issuer accepts for sealing under its own seal.

``?download=1`` names the file (``<badge-slug>-edc.jsonld``, ``…-edc-uploadable.jsonld``).

A revoked badge answers 410 Gone with a sentence, as its hosted OB 2.0 assertion does (OB 2.0
§Revoking Hosted Assertions), and its backpack offers no files: an EDC carries no status entry
a verifier could read (unlike the OB 3.0 credential, which ``/credential`` keeps serving because
its status list says "revoked"), so serving it would show a revoked badge as valid.

Anonymous and bounded: one query for the badge, its version, class and course; the course's
content units and the image (cached) for the document; the sealed document is cached.
"""

import hashlib

from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from . import edc
from .models import Assertion
from .seal import SealUnavailable

LD_JSON = "application/ld+json"
JSON = "application/json"

REVOKED = (
    "This badge was revoked by its issuer: its European Digital Credential is no longer served."
)
NO_SEAL = (
    "The centre has no electronic seal configured, so no sealed European Digital Credential can "
    "be served. The uploadable (unsealed) form is at {url}."
)


def _assertion(pk) -> Assertion:
    return get_object_or_404(
        Assertion.objects.select_related(
            "badge_version__badge_class__course", "enrollment__offering"
        ),
        pk=pk,
    )


def _gone():
    response = JsonResponse({"error": "revoked", "detail": REVOKED}, status=410)
    response["Cache-Control"] = "public, no-cache"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _respond(request, assertion, body: bytes, *, content_type: str, suffix: str):
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    # Revalidated every time, so a revocation shows at once; the server's copy is cached.
    response["Cache-Control"] = "public, no-cache"
    response["Access-Control-Allow-Origin"] = "*"
    if request.GET.get("download"):
        stem = slugify(assertion.badge_version.name)[:60] or "badge"
        response["Content-Disposition"] = f'attachment; filename="{stem}-{suffix}.jsonld"'
    return response


@require_GET
def edc_sealed(request, pk):
    assertion = _assertion(pk)
    if assertion.revoked:
        return _gone()
    try:
        text = edc.edc_sealed_text(assertion)
    except SealUnavailable:
        url = request.build_absolute_uri(edc.edc_links(assertion)["uploadable"])
        response = JsonResponse(
            {"error": "no_seal", "detail": NO_SEAL.format(url=url), "uploadable": url},
            status=503,
        )
        response["Cache-Control"] = "no-cache"
        return response
    return _respond(request, assertion, text.encode("utf-8"), content_type=JSON, suffix="edc")


@require_GET
def edc_uploadable(request, pk):
    assertion = _assertion(pk)
    if assertion.revoked:
        return _gone()
    body = edc.edc_json(assertion).encode("utf-8")
    return _respond(request, assertion, body, content_type=LD_JSON, suffix="edc-uploadable")
