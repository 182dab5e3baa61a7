"""The verifier's view of this site, without a network request: our public documents (by
dispatching to our own public views in-process, so the exact bytes a client would get), our
issuers' controller documents and status lists, and our records of the badges we issued."""

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.test import RequestFactory
from django.urls import Resolver404, resolve

from . import signing, status
from .models import Assertion, Issuer
from .verification import Record

PUBLIC_PREFIXES = ("/public/",)
# The addresses of one issued badge whose record the verifier may consult.
BADGE_VIEWS = {
    "badges:assertion",
    "badges:assertion_image",
    "badges:credential",
    "badges:credential_image",
}
# The documents it reads by address: JSON (and the JWT), never a page, an image or a PDF.
DOCUMENT_VIEWS = {
    "badges:assertion",
    "badges:credential",
    "badges:badge_class",
    "badges:issuer",
    "badges:issuer_keys",
    "badges:status_list",
}


def _match(url):
    """The URL resolver's match for one of our public addresses, or None."""
    if not isinstance(url, str) or not url.startswith(settings.SITE_URL + "/"):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if not parts.path.startswith(PUBLIC_PREFIXES):
        return None
    try:
        return resolve(parts.path)
    except Resolver404:
        return None


def resolve_controller(url: str) -> dict | None:
    """The controller document at ``url`` when it is one of our issuers', read from the
    database (never a compromised key); None for anything else."""
    match = _match(url)
    if match is None or match.view_name != "badges:issuer_keys" or "#" in url or "?" in url:
        return None
    if not Issuer.objects.filter(pk=match.kwargs["pk"]).exists():
        return None
    return signing.controller_document(match.kwargs["pk"])


def resolve_status_list(url: str) -> dict | None:
    """Our signed status list credential at ``url`` (cache, then database), or None."""
    match = _match(url)
    if match is None or match.view_name != "badges:status_list" or "#" in url or "?" in url:
        return None
    return status.status_list_credential(match.kwargs["pk"])


class SiteSources:
    """One verification's window on this site; what it reads is kept for that verification."""

    def __init__(self):
        self._site = urlsplit(settings.SITE_URL)
        self._factory = RequestFactory()
        self._cache = {}
        self.centre_name = settings.CENTRE_NAME

    def _memo(self, kind, url, read):
        key = (kind, url)
        if key not in self._cache:
            self._cache[key] = read(url)
        return self._cache[key]

    def is_ours(self, url: str) -> bool:
        if not isinstance(url, str):
            return False
        try:
            parts = urlsplit(url)
        except ValueError:
            return False
        return (parts.scheme, parts.netloc) == (self._site.scheme, self._site.netloc) and (
            parts.path.startswith(PUBLIC_PREFIXES)
        )

    def get(self, url: str):
        """(status, text) of one of our public documents, as a client asking for JSON gets it."""
        return self._memo("get", url, self._dispatch)

    def _dispatch(self, url):
        if not self.is_ours(url):
            return None
        parts = urlsplit(url)
        try:
            match = resolve(parts.path)
        except Resolver404:
            return None
        if match.view_name not in DOCUMENT_VIEWS:
            return None
        request = self._factory.get(
            parts.path,
            data=dict(part.split("=", 1) for part in parts.query.split("&") if "=" in part),
            HTTP_ACCEPT="application/ld+json, application/json",
        )
        try:
            response = match.func(request, *match.args, **match.kwargs)
        except Exception:  # Http404 and the like: there is no such document
            return None
        if response.status_code not in (200, 410) or getattr(response, "streaming", False):
            return None
        try:
            return response.status_code, response.content.decode("utf-8")
        except UnicodeDecodeError:  # an image, not a document
            return None

    def get_json(self, url: str):
        found = self.get(url)
        if found is None:
            return None
        try:
            document = json.loads(found[1])
        except ValueError:
            return None
        return (found[0], document) if isinstance(document, dict) else None

    def controller(self, url: str):
        return self._memo("controller", url, resolve_controller)

    def status_list(self, url: str):
        return self._memo("status", url, resolve_status_list)

    def record(self, url: str) -> Record | None:
        return self._memo("record", url, self._record)

    @staticmethod
    def _record(url):
        match = _match(url)
        if match is None or match.view_name not in BADGE_VIEWS:
            return None
        assertion = (
            Assertion.objects.filter(pk=match.kwargs["pk"])
            .only(
                "recipient_name", "recipient_hash", "revoked_at", "expires_on", "revocation_reason"
            )
            .first()
        )
        if assertion is None:
            return None
        return Record(
            recipient_name=assertion.recipient_name,
            recipient_hash=assertion.recipient_hash,
            revoked_at=assertion.revoked_at,
            revocation_reason=assertion.revocation_reason,
            expires_on=assertion.expires_on,
        )

    @staticmethod
    def canonicalizer():
        return signing.canonicalizer()
