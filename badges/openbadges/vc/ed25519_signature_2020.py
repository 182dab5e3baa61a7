"""Ed25519Signature2020 Linked Data proofs: create and verify, offline.

The suite the Learner Credential Wallet (and @digitalcredentials/lcw-mock) signs a DIDAuth
presentation with. Ed25519 Signature 2020 (W3C CCG report),
https://w3c-ccg.github.io/lds-ed25519-2020/ :

- §4.1 (Ed25519Signature2020): ``type``, ``created``, ``verificationMethod``, ``proofPurpose``,
  ``proofValue`` (multibase base58-btc of the 64 signature bytes); the document's ``@context`` must
  include the suite context https://w3id.org/security/suites/ed25519-2020/v1.
- The data to sign, as @digitalcredentials/jsonld-signatures
  ``LinkedDataSignature.createVerifyData``
  computes it: SHA-256(URDNA2015 of the proof options with the document's ``@context``, without
  ``proofValue``) || SHA-256(URDNA2015 of the document without ``proof``). Unlike eddsa-rdfc-2022
  (eddsa_rdfc_2022.py) there is no ``cryptosuite`` and no suite context is appended.
- Proof purposes (VC Data Integrity §2.2, jsonld-signatures ``AuthenticationProofPurpose``):
  ``authentication`` proofs carry the verifier's ``challenge`` (and ``domain``, when it gave one);
  the verification method must be authorized for the purpose by its controller.

Verification methods are did:key only (Ed25519): the holder keys of DIDAuth. Nothing is fetched.
"""

import hashlib
from collections.abc import Mapping
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from . import multikey
from .canonicalize import CanonicalizationError, Canonicalizer, default_canonicalizer
from .eddsa_rdfc_2022 import (
    _XSD_DATETIME,
    MALFORMED_PROOF_ERROR,
    PROOF_GENERATION_ERROR,
    PROOF_TRANSFORMATION_ERROR,
    PROOF_VERIFICATION_ERROR,
    DataIntegrityError,
    _xsd_datetime,
    retrieve_verification_method,
)
from .loader import ContextNotAvailableError

PROOF_TYPE = "Ed25519Signature2020"
SUITE_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"
AUTHENTICATION = "authentication"


def _contexts(document: Mapping) -> list:
    value = document.get("@context")
    return value if isinstance(value, list) else [value]


def _hash(document: Mapping, canonicalizer: Canonicalizer) -> bytes:
    return hashlib.sha256(canonicalizer.canonicalize(document).encode("utf-8")).digest()


def hash_data(
    unsecured_document: Mapping,
    proof_options: Mapping,
    canonicalizer: Canonicalizer | None = None,
) -> bytes:
    """SHA-256(canonical proof options) || SHA-256(canonical document): the 64 signed bytes.

    ``proof_options`` is the proof without ``proofValue``; it takes the document's ``@context``.
    """
    canonicalizer = canonicalizer or default_canonicalizer()
    options = {k: v for k, v in proof_options.items() if k not in ("proofValue", "@context")}
    options["@context"] = unsecured_document.get("@context")
    try:
        return _hash(options, canonicalizer) + _hash(unsecured_document, canonicalizer)
    except (CanonicalizationError, ContextNotAvailableError) as error:
        raise DataIntegrityError(PROOF_TRANSFORMATION_ERROR, str(error)) from error


def create_proof(
    unsecured_document: Mapping,
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    proof_purpose: str = AUTHENTICATION,
    challenge: str | None = None,
    domain: str | None = None,
    created: datetime | str | None = None,
    canonicalizer: Canonicalizer | None = None,
) -> dict:
    """The ``proof`` object for ``unsecured_document`` (whose @context has the suite context)."""
    if "proof" in unsecured_document:
        raise DataIntegrityError(PROOF_GENERATION_ERROR, "the document already has a proof")
    if SUITE_CONTEXT not in _contexts(unsecured_document):
        raise DataIntegrityError(
            PROOF_GENERATION_ERROR, f"the document's @context must include {SUITE_CONTEXT}"
        )
    proof = {
        "type": PROOF_TYPE,
        "created": _xsd_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    if challenge is not None:
        proof["challenge"] = challenge
    if domain is not None:
        proof["domain"] = domain
    signature = private_key.sign(hash_data(unsecured_document, proof, canonicalizer))
    return {**proof, "proofValue": multikey.base58btc_encode(signature)}


def add_proof(unsecured_document: Mapping, **options) -> dict:
    """A copy of ``unsecured_document`` with the proof of :func:`create_proof`."""
    return {**unsecured_document, "proof": create_proof(unsecured_document, **options)}


def _string(proof: Mapping, name: str) -> str:
    value = proof.get(name)
    if not isinstance(value, str):
        raise DataIntegrityError(MALFORMED_PROOF_ERROR, f"proof.{name} must be a string")
    return value


def verify_proof(
    secured_document: Mapping,
    *,
    expected_proof_purpose: str = AUTHENTICATION,
    expected_challenge: str | None = None,
    expected_domain: str | None = None,
    expected_controller: str | None = None,
    canonicalizer: Canonicalizer | None = None,
) -> str:
    """Verify the document's one Ed25519Signature2020 proof; the verification method's
    controller (the signer's DID), or raise :class:`DataIntegrityError`.

    With ``expected_challenge`` the proof must carry exactly that challenge; with
    ``expected_domain`` that domain. A proof set or chain is refused: a DIDAuth has one proof.
    """
    if not isinstance(secured_document, Mapping):
        raise DataIntegrityError(MALFORMED_PROOF_ERROR, "the document is not a JSON object")
    proof = secured_document.get("proof")
    if not isinstance(proof, Mapping):
        raise DataIntegrityError(MALFORMED_PROOF_ERROR, "the document must have one proof object")
    if proof.get("type") != PROOF_TYPE:
        raise DataIntegrityError(MALFORMED_PROOF_ERROR, f"proof type must be {PROOF_TYPE}")
    if SUITE_CONTEXT not in _contexts(secured_document):
        raise DataIntegrityError(
            MALFORMED_PROOF_ERROR, f"the document's @context must include {SUITE_CONTEXT}"
        )
    vm_id = _string(proof, "verificationMethod")
    purpose = _string(proof, "proofPurpose")
    proof_value = _string(proof, "proofValue")
    if purpose != expected_proof_purpose:
        raise DataIntegrityError(
            PROOF_VERIFICATION_ERROR, f"proof purpose {purpose!r} is not {expected_proof_purpose!r}"
        )
    if "created" in proof and not (
        isinstance(proof["created"], str) and _XSD_DATETIME.fullmatch(proof["created"])
    ):
        raise DataIntegrityError(MALFORMED_PROOF_ERROR, "proof.created is not a dateTime")
    if expected_challenge is not None and proof.get("challenge") != expected_challenge:
        raise DataIntegrityError(PROOF_VERIFICATION_ERROR, "the proof's challenge is not ours")
    if expected_domain is not None and proof.get("domain") != expected_domain:
        raise DataIntegrityError(PROOF_VERIFICATION_ERROR, "the proof's domain is not ours")
    try:
        signature = multikey.base58btc_decode(
            proof_value, max_length=multikey.SIGNATURE_MULTIBASE_MAX_LENGTH
        )
    except multikey.MultikeyError as error:
        raise DataIntegrityError(MALFORMED_PROOF_ERROR, f"proofValue: {error}") from error
    if len(signature) != 64:
        raise DataIntegrityError(MALFORMED_PROOF_ERROR, "proofValue is not a 64-byte signature")
    if not vm_id.startswith(multikey.DID_KEY_PREFIX):
        raise DataIntegrityError(PROOF_VERIFICATION_ERROR, "only did:key verification methods")
    method = retrieve_verification_method(vm_id, expected_proof_purpose)
    if expected_controller is not None and method["controller"] != expected_controller:
        raise DataIntegrityError(
            PROOF_VERIFICATION_ERROR, f"the key is not {expected_controller!r}'s"
        )
    try:
        public_key = multikey.public_key_from_multibase(method.get("publicKeyMultibase"))
    except (multikey.MultikeyError, TypeError) as error:
        raise DataIntegrityError(PROOF_VERIFICATION_ERROR, f"public key: {error}") from error
    unsecured = {k: v for k, v in secured_document.items() if k != "proof"}
    try:
        public_key.verify(signature, hash_data(unsecured, proof, canonicalizer))
    except InvalidSignature as error:
        raise DataIntegrityError(PROOF_VERIFICATION_ERROR, "invalid signature") from error
    return method["controller"]
