"""JSON-LD contexts shipped with the repository, and the URLs they are published at.

The files in ``contexts/`` are exact copies of the contexts in npm packages, written by
``tools/vc-contexts/vendor.sh`` together with ``contexts/MANIFEST.json`` (URL -> file,
package@version, sha256). Nothing here fetches: see DESIGN.md, "Badges".

- VC Data Model 2.0 §4.3 (Contexts): https://www.w3.org/TR/vc-data-model-2.0/#contexts
- Open Badges 3.0 §B.1 (JSON-LD context): https://www.imsglobal.org/spec/ob/v3p0/#context-file
"""

import functools
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

CONTEXTS_DIR = Path(__file__).with_name("contexts")

CREDENTIALS_V1 = "https://www.w3.org/2018/credentials/v1"
CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context.json"
OB_V3P0_1 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json"
OB_V3P0_2 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
OB_V3P0_3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_V3P0_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"
BITSTRING_STATUS_LIST_V1 = "https://www.w3.org/ns/credentials/status/v1"

# What an OpenBadgeCredential we issue starts with (OB 3.0 §B.1: the VC context first).
OPEN_BADGE_CREDENTIAL_CONTEXT = (CREDENTIALS_V2, OB_V3P0_3)
# What a controller document publishing a Multikey starts with (CID 1.0 §2.1, DID Core §4).
CONTROLLER_DOCUMENT_CONTEXT = (DID_V1, MULTIKEY_V1)


class ContextIntegrityError(RuntimeError):
    """A shipped context file no longer matches the sha256 in MANIFEST.json."""


@functools.cache
def manifest() -> Mapping[str, Mapping[str, str]]:
    """URL -> {file, package, source, source_sha256, sha256}, as written by vendor.sh."""
    return json.loads((CONTEXTS_DIR / "MANIFEST.json").read_text(encoding="utf-8"))


@functools.cache
def _bundled_bytes() -> Mapping[str, bytes]:
    contents = {}
    for url, entry in manifest().items():
        data = (CONTEXTS_DIR / entry["file"]).read_bytes()
        # A hand edit would silently change what every signature covers: refuse to start.
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise ContextIntegrityError(
                f"{entry['file']} does not match MANIFEST.json; rerun tools/vc-contexts/vendor.sh"
            )
        contents[url] = data
    return contents


def bundled_context(url: str) -> dict:
    """A fresh parsed copy of the shipped context published at ``url`` (KeyError if none)."""
    return json.loads(_bundled_bytes()[url])


def bundled_urls() -> frozenset[str]:
    """Every context URL shipped in the repository."""
    return frozenset(manifest())
