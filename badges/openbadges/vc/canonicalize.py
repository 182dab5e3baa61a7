"""RDF Dataset Canonicalization (RDFC-1.0) of JSON-LD documents, in safe mode, with pyld.

This is the transformation step of eddsa-rdfc-2022 (vc-di-eddsa §3.3.3): JSON-LD -> RDF dataset
(JSON-LD 1.1 API §8, Deserialize JSON-LD to RDF) -> canonical N-Quads (RDF Dataset
Canonicalization §4, RDFC-1.0).

Safe mode. JSON-LD silently drops what it cannot map to an IRI (an undefined term, a relative
``@type``, a free-floating value). Data that does not reach the RDF dataset is not covered by a
signature, so a verifier that drops it would call a document with injected, unsigned fields
"verified". Digital Bazaar's eddsa-rdfc-2022 cryptosuite therefore canonicalizes with jsonld.js's
``safe: true``, which turns every such event into an error. pyld has no safe mode, so
:class:`_SafeProcessor` rebuilds it: the ``on_property_dropped`` hook for terms, a check on every
value expansion drops, and a walk of the expanded document for what ``toRdf`` would skip
(relative or invalid IRIs, blank-node predicates, bad language tags).
See https://github.com/digitalbazaar/jsonld.js#safe-mode and w3c/json-ld-api#629.

Exactness against rdf-canonize (the JavaScript RDFC-1.0 implementation):

- pyld 3.3's N-Quads escaping matches RDFC-1.0 §4.x (canonical N-Quads) except for C0 control
  characters other than TAB/LF/CR, and DEL; literals holding those are rejected rather than
  canonicalized differently from other implementations.
- JSON has one number type: ``5.0`` is the integer 5 to JavaScript but a float to Python, and
  JSON-LD turns floats into ``xsd:double`` literals. Integral floats are read as integers, as
  every JavaScript verifier reads them.
- Like rdf-canonize (``maxWorkFactor: 1``) the "Hash N-Degree Quads" work is bounded, so a
  crafted document with many indistinguishable blank nodes fails fast instead of taking
  exponential time (RDFC-1.0 §6, "Dataset poisoning").

Speed. pyld re-processes every type-scoped context (Achievement, Alignment, Result, ...) for
every node because each type-scoped application creates a fresh active context. Processed
contexts are pure functions of (active context, local context, flags), so
:meth:`_SafeProcessor._process_context` memoizes them per canonicalizer: about twice as fast on an
OpenBadgeCredential (see ``bench.py``).
"""

import functools
import json
import math
import re
import threading
import uuid
from collections.abc import Callable, Mapping

from cachetools import LRUCache
from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver

from .loader import ContextNotAvailableError, OfflineDocumentLoader, default_loader

# Absolute IRI as RDF (and rdf-canonize) accept it: a scheme, then no character that N-Quads
# would have to escape in an IRIREF (RDF 1.1 N-Quads §7, production IRIREF).
_IRI = re.compile(r'[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>"{}|^`\\]*')
_BLANK_NODE = re.compile(r"_:[^\x00-\x20]+")
# BCP47-shaped, as jsonld.js checks it ('invalid @language value').
_LANGUAGE = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*")
# Characters pyld escapes differently from RDFC-1.0's canonical N-Quads, and lone surrogates
# (valid in JSON escapes, but not encodable as UTF-8 for hashing).
_UNPORTABLE_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

_RDF_DIRECTION = "i18n-datatype"  # as @digitalbazaar/eddsa-rdfc-2022-cryptosuite canonizes


class CanonicalizationError(ValueError):
    """The document could not be turned into canonical N-Quads."""


class UnsafeJsonLdError(CanonicalizationError):
    """Part of the document would not reach the RDF dataset (jsonld.js safe mode would fail)."""


class _LockedLRU:
    """The two methods pyld's caches use, thread-safe: LRUCache reorders itself on reads."""

    def __init__(self, maxsize: int):
        self._cache = LRUCache(maxsize=maxsize)
        self._lock = threading.Lock()

    def get(self, key, default=None):
        with self._lock:
            return self._cache.get(key, default)

    def __setitem__(self, key, value):
        with self._lock:
            self._cache[key] = value

    def __len__(self):
        with self._lock:
            return len(self._cache)


def _context_key(local_ctx) -> tuple[object, bool]:
    """A memo key for a local context, and whether a hit must also be the same object."""
    if isinstance(local_ctx, str):
        return local_ctx, False
    if isinstance(local_ctx, list) and all(isinstance(c, str) for c in local_ctx):
        return tuple(local_ctx), False
    # Scoped contexts are objects inside cached context documents: the same object every time.
    return id(local_ctx), True


class _SafeProcessor(jsonld.JsonLdProcessor):
    """pyld's processor with jsonld.js-style safe mode and a shared processed-context memo."""

    def __init__(self, memo: _LockedLRU, subtrees: _LockedLRU):
        super().__init__(on_property_dropped=self._property_dropped)
        self._memo = memo
        self._subtrees = subtrees

    @staticmethod
    def _property_dropped(expanded_property):
        raise UnsafeJsonLdError(
            f"property {expanded_property!r} is not defined by the @context and would be dropped"
        )

    def _expand(
        self,
        active_ctx,
        active_property,
        element,
        options,
        inside_list=False,
        inside_index=False,
        type_scoped_ctx=None,
    ):
        key = _subtree_key(
            active_ctx, active_property, element, options, inside_list, inside_index,
            type_scoped_ctx,
        )  # fmt: skip
        if key is not None:
            text = self._subtrees.get(key)
            if text is not None:
                return json.loads(text)  # a fresh copy: to_rdf keeps references into it
        expanded = super()._expand(
            active_ctx, active_property, element, options, inside_list, inside_index,
            type_scoped_ctx,
        )  # fmt: skip
        # pyld returns None exactly where it drops a non-null value: a free-floating scalar,
        # a null @value, an object with only @language, a top-level object with only @id.
        if expanded is None and element is not None:
            raise UnsafeJsonLdError(f"JSON-LD expansion would drop {str(element)[:80]!r}")
        if key is not None:
            self._subtrees[key] = json.dumps(expanded)
        return expanded

    def expand(self, input_, options):
        expanded = super().expand(input_, options)
        _check_expanded(expanded)
        return expanded

    def _process_context(
        self,
        active_ctx,
        local_ctx,
        options,
        override_protected=False,
        propagate=True,
        validate_scoped=True,
        cycles=None,
    ):
        flags = (override_protected, propagate, validate_scoped)
        uid = active_ctx.get("_uuid")
        # `cycles` is only passed while a context is still being built (pyld pre-validates the
        # scoped contexts of a half-built context): never memoize those.
        if uid is None or cycles is not None:
            return super()._process_context(active_ctx, local_ctx, options, *flags, cycles)
        ctx_key, by_identity = _context_key(local_ctx)
        key = (uid, ctx_key, flags)
        hit = self._memo.get(key)
        if hit is not None and (not by_identity or hit[0] is local_ctx):
            return hit[1]
        processed = super()._process_context(active_ctx, local_ctx, options, *flags)
        if "_uuid" not in processed:
            if not isinstance(processed, dict):
                return processed
            # A stable id makes contexts processed on top of this one memoizable too.
            processed["_uuid"] = str(uuid.uuid4())
        # Holding local_ctx keeps its id() from being reused while the entry exists.
        self._memo[key] = (local_ctx, processed)
        return processed


def _subtree_key(
    active_ctx, active_property, element, options, inside_list, inside_index, type_scoped_ctx
):
    """A memo key for the expansion of a named node inside a document, or None.

    Expansion is a pure function of the active context (and the type-scoped one to revert to),
    the property, the element and a few flags; a batch of credentials repeats the same issuer
    and achievement nodes in every document, so their expanded form is reused. Only objects
    with an ``id`` below the top level are memoized: the named nodes a batch shares. The key
    holds the element's JSON text in document order, in which 5, 5.0, "5" and true all differ.
    """
    if active_property is None or not isinstance(element, dict):
        return None
    if "id" not in element and "@id" not in element:
        return None
    uid = active_ctx.get("_uuid")
    scoped = type_scoped_ctx.get("_uuid") if type_scoped_ctx else ""
    if uid is None or scoped is None:
        return None
    try:
        text = json.dumps(element, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return None
    flags = (
        bool(inside_list),
        bool(inside_index),
        bool(options.get("isFrame")),
        bool(options.get("keepFreeFloatingNodes")),
        options.get("base"),
    )
    return (uid, scoped, active_property, flags, text)


def _fail(message: str):
    raise UnsafeJsonLdError(message)


def _check_reference(value, what: str) -> None:
    if not isinstance(value, str) or not (_IRI.fullmatch(value) or _BLANK_NODE.fullmatch(value)):
        _fail(f"{what} {value!r} is not an absolute IRI or blank node and would be dropped")


def _check_value_object(value: Mapping) -> None:
    literal = value["@value"]
    if isinstance(literal, str) and _UNPORTABLE_CHARACTERS.search(literal):
        _fail(
            "literal contains a control character or lone surrogate that RDFC-1.0 "
            f"implementations do not treat alike: {literal[:80]!r}"
        )
    datatype = value.get("@type")
    if datatype is not None and datatype != "@json" and not _IRI.fullmatch(str(datatype)):
        _fail(f"datatype {datatype!r} is not an absolute IRI")
    language = value.get("@language")
    if language is not None and not _LANGUAGE.fullmatch(str(language)):
        _fail(f"invalid @language value {language!r}")


def _check_expanded(element) -> None:
    """Fail where ``toRdf`` would silently skip part of an expanded document."""
    if isinstance(element, list):
        for item in element:
            _check_expanded(item)
        return
    if not isinstance(element, dict):
        return
    if "@value" in element:
        _check_value_object(element)
        return
    for key, value in element.items():
        if key == "@id":
            _check_reference(value, "@id")
        elif key == "@type":
            for type_ in value:
                _check_reference(type_, "@type")
        elif key == "@reverse":
            for prop, items in value.items():
                _check_property(prop)
                _check_expanded(items)
        elif key in ("@list", "@graph", "@included"):
            _check_expanded(value)
        elif not key.startswith("@"):
            _check_property(key)
            _check_expanded(value)


def _check_property(key: str) -> None:
    # A blank-node predicate is only kept in generalized RDF, which RDFC-1.0 input is not.
    if not _IRI.fullmatch(key):
        _fail(f"property {key!r} is not an absolute IRI and would be dropped")


_JS_SAFE_INTEGER = 2**53


def _as_javascript_numbers(value):
    """JSON numbers as a JavaScript verifier sees them: integral floats are integers.

    Numbers that jsonld.js may turn into a different literal are refused: integers beyond 2**53
    (it cannot hold them exactly), and fractions below 1e-6, which it prints as "1e-7" and so
    mistakes for integers (it writes 1e-7 as "0"^^xsd:...).
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            _fail(f"number {value!r} is not JSON")
        if value.is_integer():
            value = int(value)
        elif abs(value) < 1e-6:
            _fail(f"number {value!r} is not read the same way by JavaScript JSON-LD processors")
    if isinstance(value, int) and abs(value) > _JS_SAFE_INTEGER:
        _fail(f"integer {value!r} is not read the same way by JavaScript JSON-LD processors")
    if isinstance(value, dict):
        return {k: _as_javascript_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_javascript_numbers(v) for v in value]
    return value


class _BoundedRDFC10(URDNA2015):
    """pyld's URDNA2015 (identical output to RDFC-1.0) with rdf-canonize's work bound.

    rdf-canonize allows (number of blank nodes without a unique first-degree hash) **
    maxWorkFactor calls of Hash N-Degree Quads; when the first call happens, pyld's
    ``hash_to_blank_nodes`` holds exactly those blank nodes.
    """

    def __init__(self, max_work_factor: int):
        super().__init__()
        self._max_work_factor = max_work_factor
        self._remaining: int | None = None

    def modify_first_degree_component(self, id_, component, key):
        # pyld deep-copies the component, a flat {type, value} of strings: a shallow copy is
        # the same and a tenth of the cost (it runs for every blank node of every quad).
        if component["type"] != "blank node":
            return component
        return {**component, "value": "_:a" if component["value"] == id_ else "_:z"}

    def hash_n_degree_quads(self, id_, issuer):
        if self._remaining is None:
            non_unique = sum(len(ids) for ids in self.hash_to_blank_nodes.values())
            self._remaining = non_unique**self._max_work_factor
        if self._remaining <= 0:
            raise CanonicalizationError(
                "RDFC-1.0 work limit exceeded: too many indistinguishable blank nodes"
            )
        self._remaining -= 1
        return super().hash_n_degree_quads(id_, issuer)


def _unwrap(error: BaseException) -> BaseException | None:
    """The first of our own errors in an exception chain that pyld wrapped."""
    seen = error
    while seen is not None:
        if isinstance(seen, (CanonicalizationError, ContextNotAvailableError)):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


class Canonicalizer:
    """Canonicalizes JSON-LD documents with one offline loader; safe to share between threads."""

    def __init__(self, loader: OfflineDocumentLoader | None = None, *, max_work_factor: int = 1):
        self.loader = loader if loader is not None else default_loader()
        self.max_work_factor = max_work_factor
        # pyld's resolved (fetched) contexts, and our processed-context memo. Kept per
        # canonicalizer rather than in pyld's module-global cache, which is keyed by URL alone
        # and so would mix up two loaders that serve different documents.
        self._resolved = _LockedLRU(maxsize=1024)
        self._processed = _LockedLRU(maxsize=4096)
        self._subtrees = _LockedLRU(maxsize=256)

    def to_dataset(self, document: Mapping) -> dict:
        """The RDF dataset of ``document`` in pyld's form (JSON-LD 1.1 API §8.1, safe mode)."""
        options = {
            "documentLoader": self.loader,
            "contextResolver": ContextResolver(self._resolved, self.loader),
            "base": None,
            "rdfDirection": _RDF_DIRECTION,
            "produceGeneralizedRdf": False,
            "processingMode": "json-ld-1.1",
        }
        return self._call(
            _SafeProcessor(self._processed, self._subtrees).to_rdf,
            _as_javascript_numbers(document),
            options,
        )

    def canonicalize(self, document: Mapping) -> str:
        """Canonical N-Quads (RDFC-1.0) of the JSON-LD ``document``."""
        dataset = self.to_dataset(document)
        rdfc = _BoundedRDFC10(self.max_work_factor)
        return self._call(rdfc.main, dataset, {"format": "application/n-quads"})

    @staticmethod
    def _call(function: Callable, *args):
        try:
            return function(*args)
        except (CanonicalizationError, ContextNotAvailableError):
            raise
        except jsonld.JsonLdError as error:
            ours = _unwrap(error)
            if ours is not None:
                raise ours from error
            raise CanonicalizationError(f"invalid JSON-LD: {error}") from error
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
            # pyld lets some malformed input through as plain Python errors; to a verifier
            # it is all one thing: a document that cannot be canonicalized.
            raise CanonicalizationError(f"invalid JSON-LD: {error!r}") from error


@functools.cache
def default_canonicalizer() -> Canonicalizer:
    """The process-wide canonicalizer, using :func:`loader.default_loader`."""
    return Canonicalizer()


def canonicalize(document: Mapping, canonicalizer: Canonicalizer | None = None) -> str:
    """Canonical N-Quads (RDFC-1.0) of ``document`` with the shipped contexts."""
    return (canonicalizer or default_canonicalizer()).canonicalize(document)
