"""Check issued badges the way an employer's verifier does: through the public URLs only.

Each badge's signed Open Badges 3.0 credential is fetched from
``/public/assertions/<id>/credential`` on the running gunicorn, and verified by the centre's
verifier (badges/verification.py) with every document it needs — the issuer's keys, the status
list, the hosted assertion — fetched over HTTP from the same public URLs (kept for the run, as a
verifier caches them), never read from the database.
"""

import json
import multiprocessing
import urllib.request

_sources = None


class PublicUrls:
    """`verification.Sources` over HTTP: the documents a verifier would fetch."""

    def __init__(self, site_url):
        self.site_url = site_url.rstrip("/")
        self._cache = {}

    def is_ours(self, url):
        return isinstance(url, str) and url.startswith(self.site_url + "/public/")

    def fetch(self, url):
        if not url.startswith(self.site_url + "/"):
            raise ValueError(f"not a URL of the bench centre: {url}")
        request = urllib.request.Request(url, headers={"Accept": "application/ld+json"})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def get_json(self, url):
        if not self.is_ours(url):
            return None
        if url not in self._cache:
            status, body = self.fetch(url)
            self._cache[url] = (status, json.loads(body)) if status in (200, 410) else None
        return self._cache[url]


def _init(site_url):
    global _sources
    _sources = PublicUrls(site_url)


def _check(assertion_id):
    from badges.verification import verify_text

    status, body = _sources.fetch(
        f"{_sources.site_url}/public/assertions/{assertion_id}/credential"
    )
    if status != 200:
        return f"HTTP {status}"
    return verify_text(body.decode(), sources=_sources).verdict


def verify_all(site_url, assertion_ids, processes=2) -> dict:
    """{verdict: count} for these badges, checked through the public URLs in `processes`."""
    from django.db import connections

    connections.close_all()  # the forked checkers must not share the parent's connection
    context = multiprocessing.get_context("fork")
    with context.Pool(processes, initializer=_init, initargs=(site_url,)) as pool:
        verdicts = pool.map(_check, [str(pk) for pk in assertion_ids], chunksize=50)
    counts = {}
    for verdict in verdicts:
        counts[verdict] = counts.get(verdict, 0) + 1
    return counts
