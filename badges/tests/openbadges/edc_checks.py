"""Independent checks of European Digital Credentials, shared by the EDC tests.

- SHACL: the document is read as RDF by rdflib's JSON-LD parser with the W3C VC v1 context and the
  EDC AP context given as data (the shipped copies; nothing is fetched), then validated by pyshacl
  against the Commission's ``EDC-generic-no-cv.ttl`` with ``inference="none"`` (the method of the
  ELM files' README).
- JAdES: the JWS JSON serialization is verified by joserfc (a JOSE library we did not write) with
  the public key of the ``x5c`` leaf certificate.
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Mapping
from pathlib import Path

import pyshacl
import rdflib
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jws
from joserfc.jwk import ECKey, RSAKey
from joserfc.jws import JWSRegistry
from joserfc.registry import HeaderParameter

from badges.openbadges import edc
from badges.openbadges.vc.contexts import CREDENTIALS_V1, bundled_context

ELM_DIR = Path(__file__).with_name("elm")
SHAPES_FILE = ELM_DIR / "EDC-generic-no-cv.ttl"
SEALED_SAMPLE_FILE = ELM_DIR / "Sample-MC-Annex1-signed.jsonld"


@functools.cache
def _shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES_FILE, format="turtle")


def _contexts() -> dict[str, dict]:
    return {
        CREDENTIALS_V1: bundled_context(CREDENTIALS_V1)["@context"],
        edc.EDC_AP: edc.edc_ap_context()["@context"],
    }


def graph(document: Mapping) -> rdflib.Graph:
    """The document as RDF, its context URLs replaced by the shipped context documents."""
    contexts = _contexts()
    named = document["@context"]
    named = [named] if isinstance(named, str) else named
    unknown = [url for url in named if url not in contexts]
    assert not unknown, f"contexts not shipped (would be fetched): {unknown}"
    local = {**document, "@context": [contexts[url] for url in named]}
    return rdflib.Graph().parse(data=json.dumps(local), format="json-ld")


def shacl_report(document: Mapping) -> tuple[bool, str]:
    conforms, _, text = pyshacl.validate(
        graph(document), shacl_graph=_shapes(), inference="none", advanced=False
    )
    return conforms, text


def _terms(context) -> set[str]:
    terms = set()
    if isinstance(context, list):
        for item in context:
            terms |= _terms(item)
    elif isinstance(context, Mapping):
        for term, definition in context.items():
            terms.add(term)
            if isinstance(definition, Mapping) and "@context" in definition:
                terms |= _terms(definition["@context"])
    return terms


def undefined_terms(document) -> set[str]:
    """Keys the contexts do not define: a JSON-LD processor would drop them silently, so what a
    reader of the JSON sees would not be in the credential's data."""
    known = _terms(list(_contexts().values())) | {"@context", "id", "type"}
    found = set()

    def walk(node):
        if isinstance(node, Mapping):
            for key, value in node.items():
                if key not in known:
                    found.add(key)
                # language maps: their keys are languages, not terms
                if not (
                    isinstance(value, Mapping) and all(isinstance(v, str) for v in value.values())
                ):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document)
    return found


def protected_header(sealed: Mapping) -> dict:
    segment = sealed["signatures"][0]["protected"]
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def leaf_certificate(sealed: Mapping) -> x509.Certificate:
    return x509.load_der_x509_certificate(base64.b64decode(protected_header(sealed)["x5c"][0]))


def jades_verify(sealed: Mapping) -> bytes:
    """The payload, once joserfc has verified the seal with the x5c leaf's public key (raises
    joserfc's BadSignatureError otherwise). JAdES header parameters are registered so that
    ``crit`` may name them; the sample's long header and payload are allowed."""
    public_key = leaf_certificate(sealed).public_key()
    key_type = ECKey if isinstance(public_key, ec.EllipticCurvePublicKey) else RSAKey
    key = key_type.import_key(public_key)
    registry = JWSRegistry(
        header_registry={
            "sigT": HeaderParameter("Claimed signing time (JAdES)", "str"),
            "adoTst": HeaderParameter("Timestamp (JAdES)", lambda value: None),
            "etsiU": HeaderParameter("Unsigned properties (JAdES)", lambda value: None),
        },
        algorithms=["RS256", "ES256", "ES384", "ES512"],
    )
    registry.max_header_length = 64_000
    registry.max_payload_length = 4_000_000
    return jws.deserialize_json(dict(sealed), key, registry=registry).payload
