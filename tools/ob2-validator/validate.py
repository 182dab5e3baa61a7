"""Run the 1EdTech Open Badges 2.0 validator (PyPI ``openbadges`` 1.1.2) with no network at all.

Run it with the validator's own interpreter (see ``setup.sh``)::

    .venv-ob2validator/bin/python tools/ob2-validator/validate.py BADGE DOCS_DIR \
        [--recipient-email EMAIL] [--full]

BADGE is a hosted assertion as JSON, or a baked ``.png``/``.svg``. DOCS_DIR holds what the
validator would fetch: every ``*.json`` file whose ``id`` is an http(s) URL is served at that URL,
and an optional ``manifest.json`` maps further URLs to files (images, or documents served at
another URL)::

    {"https://example.org/badges/1/image": "badge.png",
     "https://example.org/gone": {"file": "gone.json", "status": 410}}

The validator's own bundled OB 2.0 context (``OPENBADGES_CONTEXT_V2_DICT``) is served at
https://w3id.org/openbadges/v2 unless DOCS_DIR provides that URL itself.

How: ``openbadges.verify(..., cache_backend=<instance>)``. Every HTTP read the validator makes
(``fetch_http_node``, ``validate_image`` and the JSON-LD document loader) goes through a
``requests_cache.CachedSession`` built from the ``cache_backend`` option, and requests-cache 0.4
accepts a backend *instance* there. :class:`InjectedDocuments` is such a backend that answers from
DOCS_DIR and never stores anything. Anything else falls through to the transport, which is replaced
by one that refuses, so a missing document shows up as a named error instead of a network call.

Exit status: 0 when the report is valid with no errors, 1 when it is not, 2 on a usage error or when
the validator itself crashes.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

import requests
import requests.adapters
import requests_cache
from openbadges import verify
from openbadges.verifier.openbadges_context import (
    OPENBADGES_CONTEXT_V2_DICT,
    OPENBADGES_CONTEXT_V2_URI,
)
from openbadges.verifier.utils import jsonld_use_cache
from requests.structures import CaseInsensitiveDict
from requests_cache.backends.base import BaseCache

CONTENT_TYPES = {
    ".json": "application/ld+json",
    ".jsonld": "application/ld+json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}
MANIFEST = "manifest.json"


class OfflineError(requests.ConnectionError):
    """Raised instead of a network request for a URL that was not injected."""


class InjectedDocuments(BaseCache):
    """A requests-cache 0.4 backend that serves fixed documents and stores nothing.

    Responses are handed out with the current time as their timestamp, so the validator's
    ``expire_after`` never expires them and never triggers a refetch.
    """

    def __init__(self, documents: dict[str, tuple[int, str, bytes]]):
        super().__init__()
        self._entries = {}
        for url, (status, content_type, body) in documents.items():
            request = requests.Request("GET", url).prepare()
            self._entries[self.create_key(request)] = (request, status, content_type, body)

    def get_response_and_time(self, key, default=(None, None)):
        entry = self._entries.get(key)
        if entry is None:
            return default
        request, status, content_type, body = entry
        response = requests.Response()
        response.status_code = status
        response.reason = "Gone" if status == 410 else "OK"
        response.url = request.url
        response.request = request
        response.headers = CaseInsensitiveDict({"Content-Type": content_type})
        response._content = body
        # Without an explicit encoding requests guesses one from the bytes for .text.
        response.encoding = "utf-8"
        return response, datetime.utcnow()

    def save_response(self, key, response):
        pass

    def remove_old_entries(self, created_before):
        pass

    def delete(self, key):
        pass


def refuse_network(missed: list[str]):
    """Replace the HTTP transport with one that records the URL and refuses."""

    def send(self, request, **kwargs):
        missed.append(request.url)
        raise OfflineError(f"offline: {request.url} is not among the injected documents")

    requests.adapters.HTTPAdapter.send = send


def load_documents(docs_dir: Path) -> dict[str, tuple[int, str, bytes]]:
    """URL -> (status, content type, body) from DOCS_DIR, plus the bundled OB 2.0 context."""
    documents = {
        OPENBADGES_CONTEXT_V2_URI: (
            200,
            "application/ld+json",
            json.dumps(OPENBADGES_CONTEXT_V2_DICT).encode("utf-8"),
        )
    }
    for path in sorted(docs_dir.glob("*.json")):
        if path.name == MANIFEST:
            continue
        body = path.read_bytes()
        document_id = json.loads(body).get("id")
        if isinstance(document_id, str) and document_id.startswith(("http://", "https://")):
            documents[document_id] = (200, "application/ld+json", body)
    manifest_path = docs_dir / MANIFEST
    if manifest_path.exists():
        for url, entry in json.loads(manifest_path.read_text(encoding="utf-8")).items():
            if isinstance(entry, str):
                entry = {"file": entry}
            path = docs_dir / entry["file"]
            content_type = entry.get("content_type") or CONTENT_TYPES[path.suffix.lower()]
            documents[url] = (int(entry.get("status", 200)), content_type, path.read_bytes())
    return documents


def run(badge: Path, docs_dir: Path, recipient_email: str | None) -> tuple[dict, list[str]]:
    """Verify ``badge`` offline; return the validator's result and the URLs it could not get."""
    missed: list[str] = []
    refuse_network(missed)
    backend = InjectedDocuments(load_documents(docs_dir))
    options = {"cache_backend": backend}
    # Extension validation (tasks/extensions.py) loads contexts through the module-level
    # `jsonld_use_cache` loader, not the per-run session: give it the injected documents too.
    jsonld_use_cache["documentLoader"].session = requests_cache.CachedSession(backend=backend)
    profile = {"email": recipient_email} if recipient_email else None
    if badge.suffix.lower() in (".png", ".svg"):
        with badge.open("rb") as image:
            result = verify(image, recipient_profile=profile, **options)
    else:
        result = verify(badge.read_text(encoding="utf-8"), recipient_profile=profile, **options)
    return result, missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("badge", type=Path, help="assertion .json, or baked .png / .svg")
    parser.add_argument("docs_dir", type=Path, help="directory of documents to serve by URL")
    parser.add_argument("--recipient-email", help="check the hashed recipient against this e-mail")
    parser.add_argument("--full", action="store_true", help="print the graph and input too")
    args = parser.parse_args(argv)
    if not args.badge.is_file() or not args.docs_dir.is_dir():
        parser.error("BADGE must be a file and DOCS_DIR a directory")

    try:
        result, missed = run(args.badge, args.docs_dir, args.recipient_email)
    except Exception as error:  # the validator has crash paths of its own; report them plainly
        print(f"validator crashed: {type(error).__name__}: {error}", file=sys.stderr)
        return 2

    print(json.dumps(result if args.full else result["report"], indent=2, sort_keys=True))
    report = result["report"]
    for url in sorted(set(missed)):
        print(f"not injected: {url}", file=sys.stderr)
    ok = report["valid"] and report["errorCount"] == 0
    print(
        f"{'VALID' if ok else 'INVALID'}: errors={report['errorCount']} "
        f"warnings={report['warningCount']}",
        file=sys.stderr,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
