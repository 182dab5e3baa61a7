"""Public badge documents kept in Redis while nothing they show has changed.

One shared badge can bring thousands of employers to its verification page in an hour. Building
the page costs a query and a template; a kept copy costs one Redis round trip (BENCHMARKS.md).
What keeps a copy from ever being stale:

- A *generation* token in the cache stands for "everything public as it is now". Any change a
  public document shows — a badge revoked, a badge design or one of its versions, issuer,
  course or signing key saved, credentials re-signed — replaces the token once the change
  commits (`invalidate`, called by the receivers in apps.py and by the services that write in
  bulk), at once and again when the change commits. A copy is served only if it was made
  under the current token, so every older copy is dropped at once; the token is read before
  the database, so a copy built from rows read before the commit carries an old token and is
  never served after it.
- Only visitors who are not signed in (no session cookie, no pending message) are served from,
  or stored to, the cache, and nothing that sets a cookie is stored: a signed-in visitor's page
  shows their name. Copies are keyed by the site's address and a format number, so a moved
  site or a new release never reads an old copy, and a migration drops them all.
- The verification page says when it was checked, to the minute: its copies are kept per minute,
  and never past the moment the badge expires.
- Redis unavailable means no cache, never an error: the page is built as without it.
"""

import hashlib
import logging
import uuid

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction

log = logging.getLogger(__name__)

GENERATION_KEY = "public-docs:generation"
SECONDS = {"page": 60, "json": 60}
# Bump when what the documents look like changes in a way the generation cannot see (a new
# template or JSON shape): copies made by the previous release are then never read.
FORMAT = 1


def _entry_key(kind, pk, variant, minute=""):
    site = hashlib.sha256(settings.SITE_URL.encode()).hexdigest()[:8]  # a moved site: new copies
    return f"public-docs:{FORMAT}:{site}:{kind}:{pk}:{variant}:{minute}"


def cacheable(request) -> bool:
    """A visitor with no session and no pending message: their page is everybody's page."""
    return not ({settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name} & set(request.COOKIES))


def _personal(request, response) -> bool:
    """Whether the response carries something of this visitor's own (as Django's cache
    middleware checks): a cookie being set, or a CSRF token put into the page."""
    return bool(response.cookies) or bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))


class Lookup:
    """The copy of one document, if there is a current one, and the generation to store under."""

    def __init__(self, kind, pk, variant, *, now):
        self.key = _entry_key(kind, pk, variant, f"{now:%Y%m%d%H%M}" if kind == "page" else "")
        self.kind, self.now = kind, now
        self.response, self.generation = None, None
        try:
            found = cache.get_many([self.key, GENERATION_KEY])
            self.generation = found.get(GENERATION_KEY) or _new_generation()
        except Exception:  # Redis down or unreachable: build the page as without a cache
            log.warning("Public document cache unavailable", exc_info=True)
            self.generation = None
            return
        entry = found.get(self.key)
        if entry is not None:
            generation, expires_at, response = entry
            if generation == self.generation and (expires_at is None or now < expires_at):
                self.response = response

    def store(self, request, response, *, expires_at=None):
        if self.generation is None or response.status_code not in (200, 410):
            return
        if _personal(request, response):
            return
        try:
            cache.set(self.key, (self.generation, expires_at, response), SECONDS[self.kind])
        except Exception:
            log.warning("Public document cache unavailable", exc_info=True)


def _new_generation():
    token = uuid.uuid4().hex
    if not cache.add(GENERATION_KEY, token, timeout=None):
        token = cache.get(GENERATION_KEY)
    return token


def invalidate() -> None:
    """Drop every kept copy now, and again once the current transaction commits: a copy made
    from the old rows between the two is dropped too."""
    _replace_generation()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_replace_generation, robust=True)


def _replace_generation():
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        # The copies live in the same Redis, with a bounded life (SECONDS): say it loudly.
        log.error("Could not invalidate the public document cache", exc_info=True)


def on_migrate(sender, **kwargs):
    """post_migrate: data migrations write through historical models, which send no signals."""
    invalidate()


def on_public_change(sender, instance=None, created=False, **kwargs):
    """post_save / post_delete receiver for the models public documents show."""
    if sender.__name__ == "Assertion" and created:
        return  # a new badge changes no existing document
    invalidate()
