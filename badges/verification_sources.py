"""The verifier's view of this site: our public documents, read by dispatching to our own public
views in-process (the exact bytes a client would get), never over the network."""

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.test import RequestFactory
from django.urls import Resolver404, resolve

PUBLIC_PREFIXES = ("/public/",)


class SiteSources:
    def __init__(self):
        self._site = urlsplit(settings.SITE_URL)
        self._factory = RequestFactory()
        self._cache = {}

    def is_ours(self, url: str) -> bool:
        if not isinstance(url, str):
            return False
        parts = urlsplit(url)
        return (parts.scheme, parts.netloc) == (self._site.scheme, self._site.netloc) and (
            parts.path.startswith(PUBLIC_PREFIXES)
        )

    def get_json(self, url: str):
        if not self.is_ours(url):
            return None
        if url in self._cache:
            return self._cache[url]
        parts = urlsplit(url)
        try:
            match = resolve(parts.path)
        except Resolver404:
            return None
        request = self._factory.get(
            parts.path,
            data=dict(part.split("=", 1) for part in parts.query.split("&") if "=" in part),
            HTTP_ACCEPT="application/ld+json, application/json",
        )
        try:
            response = match.func(request, *match.args, **match.kwargs)
        except Exception:  # Http404 and the like: there is no such document
            response = None
        found = None
        if response is not None and response.status_code in (200, 410):
            try:
                found = (response.status_code, json.loads(response.content))
            except ValueError:
                found = None
        self._cache[url] = found
        return found
