"""A pyld document loader that serves shipped and registered JSON-LD documents and fetches nothing.

A verifier that dereferences ``@context`` URLs over the network lets whoever controls the URL (or
the network) change what a signature means, and makes every verification depend on a remote
server. So the loader answers only for the contexts in ``contexts/`` (exact npm copies, see
``contexts.py``) and for documents the project registers by URL, and raises
:class:`ContextNotAvailableError` for anything else.

JSON-LD 1.1 API §9.4.1 (LoadDocumentCallback): https://www.w3.org/TR/json-ld11-api/#loaddocumentcallback
"""

import functools
import json
import threading
from collections.abc import Mapping

from . import contexts


class ContextNotAvailableError(LookupError):
    """The JSON-LD processor asked for a URL that is neither shipped nor registered."""

    def __init__(self, url: str):
        self.url = url
        super().__init__(
            f"JSON-LD document {url!r} is not available offline. Ship it with "
            "tools/vc-contexts/vendor.sh or register it with OfflineDocumentLoader.register(); "
            "this loader never fetches."
        )


class OfflineDocumentLoader:
    """Serves the shipped contexts plus documents registered by URL; never fetches.

    Instances are callables with pyld's ``documentLoader(url, options)`` signature. A URL's
    content cannot change once registered, because canonicalizers cache processed contexts by
    URL: silently serving new content under an old URL would change what old signatures mean.
    """

    def __init__(
        self,
        documents: Mapping[str, Mapping] | None = None,
        *,
        include_bundled: bool = True,
    ):
        self._lock = threading.Lock()
        self._registered: dict[str, str] = {}  # url -> canonical JSON text
        self._include_bundled = include_bundled
        for url, document in (documents or {}).items():
            self.register(url, document)

    def register(self, url: str, document: Mapping) -> None:
        """Serve ``document`` (a JSON object, e.g. a project extension context) at ``url``."""
        if not isinstance(document, Mapping):
            raise TypeError("a JSON-LD document must be a JSON object")
        text = json.dumps(document, sort_keys=True, ensure_ascii=False)
        with self._lock:
            known = self._registered.get(url)
            if known is None and self._include_bundled and url in contexts.bundled_urls():
                known = json.dumps(contexts.bundled_context(url), sort_keys=True)
            if known is not None and known != text:
                raise ValueError(f"{url!r} is already served with different content")
            self._registered[url] = text

    def __contains__(self, url: object) -> bool:
        return url in self._registered or (self._include_bundled and url in contexts.bundled_urls())

    def load(self, url: str) -> dict:
        """A fresh copy of the document at ``url``."""
        text = self._registered.get(url)
        if text is not None:
            return json.loads(text)
        if self._include_bundled and url in contexts.bundled_urls():
            return contexts.bundled_context(url)
        raise ContextNotAvailableError(url)

    def __call__(self, url: str, options: Mapping | None = None) -> dict:
        """pyld's RemoteDocument for ``url``.

        ``tag: static`` lets pyld's context resolver keep the processed context between
        operations (it only caches remote contexts carrying a tag): documents here never change.
        """
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": self.load(url),
            "tag": "static",
        }


@functools.cache
def default_loader() -> OfflineDocumentLoader:
    """The process-wide loader: shipped contexts, plus whatever the project registers at start."""
    return OfflineDocumentLoader()
