"""RDFC-1.0 canonicalization in safe mode: exact, fail-closed, and the same with the memo."""

import copy
from concurrent.futures import ThreadPoolExecutor

import pytest
from pyld import jsonld

from badges.openbadges.vc.bench import sample_credential
from badges.openbadges.vc.canonicalize import (
    CanonicalizationError,
    Canonicalizer,
    UnsafeJsonLdError,
    canonicalize,
)
from badges.openbadges.vc.loader import OfflineDocumentLoader

from .conftest import golden_json, golden_text


def plain_pyld(document, loader=None) -> str:
    """pyld's own normalize(), without our memo or safe mode: the reference for equality."""
    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": loader or OfflineDocumentLoader(),
    }
    return jsonld.normalize(copy.deepcopy(document), options)


def achievement(document):
    return document["credentialSubject"]["achievement"]


def test_w3c_b1_credential_canonical_form(examples_canonicalizer):
    vector = golden_json("w3c-vc-di-eddsa-b1/vector.json")
    expected = golden_text("w3c-vc-di-eddsa-b1/canonical-credential.nq")
    assert examples_canonicalizer.canonicalize(vector["credential"]) == expected


def test_w3c_b1_proof_options_canonical_form(examples_canonicalizer):
    vector = golden_json("w3c-vc-di-eddsa-b1/vector.json")
    expected = golden_text("w3c-vc-di-eddsa-b1/canonical-proof-options.nq")
    assert examples_canonicalizer.canonicalize(vector["proofOptions"]) == expected


def test_memoized_output_equals_plain_pyld_for_varied_credentials():
    canonicalizer = Canonicalizer()
    variants = []
    for i in range(5):
        document = sample_credential(i)
        achievement(document)["alignment"] = achievement(document)["alignment"][: i % 3 + 1]
        variants.append(document)
    duplicates = sample_credential(9)
    achievement(duplicates)["alignment"] = [achievement(duplicates)["alignment"][0]] * 3
    variants.append(duplicates)
    for document in variants * 2:  # the second round runs on a warm memo
        assert canonicalizer.canonicalize(document) == plain_pyld(document)


def test_a_shared_node_reused_from_the_memo_only_when_it_is_the_same_json():
    # The issuer and achievement nodes of a batch are expanded once; a node that differs only
    # in a JSON type, or that sits under another property, must not reuse that expansion.
    canonicalizer = Canonicalizer()
    variants = []
    for credits in (5, 5.5, "5", 6):
        document = sample_credential(1)
        achievement(document)["creditsAvailable"] = credits
        variants.append(document)
    moved = sample_credential(2)
    moved["credentialSubject"]["source"] = copy.deepcopy(moved["issuer"])
    variants.append(moved)
    renamed = sample_credential(3)
    renamed["issuer"]["name"] = "Another centre"
    variants.append(renamed)
    results = [canonicalizer.canonicalize(document) for document in variants * 2]
    assert results == [plain_pyld(document) for document in variants * 2]
    assert len(set(results)) >= 5  # 5 and "5" are one xsd:float literal


def test_canonicalizers_do_not_share_contexts_served_under_the_same_url():
    url = "https://badges.example.edu/contexts/ext.json"
    document = {"@context": url, "@id": "urn:x:1", "term": "v"}
    first = Canonicalizer(OfflineDocumentLoader({url: {"@context": {"term": "urn:a:term"}}}))
    second = Canonicalizer(OfflineDocumentLoader({url: {"@context": {"term": "urn:b:term"}}}))
    assert "<urn:a:term>" in first.canonicalize(document)
    assert "<urn:b:term>" in second.canonicalize(document)


def test_concurrent_use_gives_the_same_results():
    canonicalizer = Canonicalizer()
    documents = [sample_credential(i) for i in range(40)]
    expected = [plain_pyld(d) for d in documents[:5]]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(canonicalizer.canonicalize, documents))
    assert results[:5] == expected
    assert len(set(results)) == len(documents)


def test_integral_floats_are_integers_as_in_javascript(credential):
    as_float = copy.deepcopy(credential)
    achievement(as_float)["creditsAvailable"] = 5.0
    achievement(credential)["creditsAvailable"] = 5
    nquads = canonicalize(as_float)
    assert nquads == canonicalize(credential)
    assert '"5"^^<https://www.w3.org/2001/XMLSchema#float>' in nquads


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(unsignedField="x"), "not defined by the @context"),
        (lambda d: achievement(d).update(ects=5), "not defined by the @context"),
        (lambda d: d["credentialSubject"].update(nickname="Al"), "not defined by the @context"),
        (lambda d: d.update(**{"@foo": "x"}), "not defined by the @context"),
        (lambda d: d["type"].append("UndefinedType"), "@type 'UndefinedType'"),
        (lambda d: d.update(id="relative/credential/1"), "@id 'relative/credential/1'"),
        (lambda d: d.update(id="https://example.org/a b"), "not an absolute IRI"),
        (lambda d: achievement(d).update(name={"@value": None}), "would drop"),
        (lambda d: achievement(d).update(name={"@language": "en"}), "would drop"),
        (
            lambda d: achievement(d).update(name={"@value": "x", "@language": "en_GB!"}),
            "invalid @language",
        ),
        (lambda d: achievement(d).update(description="page\x0cbreak"), "control character"),
        (lambda d: achievement(d).update(description="lone \ud800"), "control character"),
        (lambda d: achievement(d).update(creditsAvailable=float("inf")), "not JSON"),
        (lambda d: achievement(d).update(creditsAvailable=1e-7), "JavaScript"),
        (lambda d: achievement(d).update(creditsAvailable=2**53 + 1), "JavaScript"),
    ],
)
def test_safe_mode_refuses_what_would_escape_the_signature(credential, mutate, message):
    mutate(credential)
    with pytest.raises(UnsafeJsonLdError, match=message):
        canonicalize(credential)


def test_an_undefined_term_is_silently_dropped_without_safe_mode(credential):
    """Why safe mode matters: plain JSON-LD canonicalizes the tampered document identically."""
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["grade"] = "A+ (added after signing)"
    assert plain_pyld(tampered) == plain_pyld(credential)
    with pytest.raises(UnsafeJsonLdError):
        canonicalize(tampered)


def test_text_that_every_implementation_escapes_alike_is_accepted(credential):
    text = 'Café “quoted” "x" back\\slash\nnew\tline\r 😀 \u2028'
    achievement(credential)["description"] = text
    nquads = canonicalize(credential)
    assert '"Café “quoted” \\"x\\" back\\\\slash\\nnew\\tline\\r 😀 \u2028"' in nquads


def ring(size: int) -> dict:
    nodes = [
        {"@id": f"_:b{i}", "http://example.org/next": {"@id": f"_:b{(i + 1) % size}"}}
        for i in range(size)
    ]
    return {"@graph": nodes}


@pytest.mark.parametrize("size", [2, 4, 50])
def test_indistinguishable_blank_nodes_fail_fast_like_rdf_canonize(size):
    canonicalizer = Canonicalizer(OfflineDocumentLoader(include_bundled=False))
    with pytest.raises(CanonicalizationError, match="work limit"):
        canonicalizer.canonicalize(ring(size))


def test_repeated_but_separable_blank_nodes_are_fine(credential):
    achievement(credential)["alignment"] = [achievement(credential)["alignment"][0]] * 3
    assert canonicalize(credential).count("AlignmentObject") == 3
