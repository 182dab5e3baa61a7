"""Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite: create and verify.

Data Integrity EdDSA Cryptosuites v1.0 (W3C Recommendation), §3.3 eddsa-rdfc-2022:
https://www.w3.org/TR/vc-di-eddsa/#eddsa-rdfc-2022

- §3.3.3 Transformation: RDFC-1.0 canonical N-Quads of the document without its proof.
- §3.3.5 Proof Configuration: the proof options (the proof without ``proofValue``) with the
  document's ``@context``, canonicalized the same way.
- §3.3.4 Hashing: SHA-256(canonical proof configuration) || SHA-256(canonical document).
- §3.3.6 Proof Serialization: an Ed25519 (pure EdDSA, RFC 8032) signature of those 64 bytes,
  ``proofValue`` = multibase base58-btc of the 64 signature bytes.
- §3.3.2 Verify Proof, and Verifiable Credential Data Integrity 1.0 §4.4 (Verify Proof) and
  §4.5 (Retrieve Verification Method): the verification method must be authorized by its
  controller for the proof purpose. Error codes are those of VC Data Integrity §3.3 (Errors).

Open Badges 3.0 §8.3 (Linked Data Proof Format) asks for exactly this suite with
``proofPurpose: assertionMethod``; VC Data Model 2.0 verifiers (e.g. @digitalbazaar/vc) also
require the verification method's controller to be the credential's issuer.
"""

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from . import multikey
from .canonicalize import CanonicalizationError, Canonicalizer, default_canonicalizer
from .contexts import CREDENTIALS_V2, DATA_INTEGRITY_V2
from .loader import ContextNotAvailableError

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
ASSERTION_METHOD = "assertionMethod"
SUPPORTED_KEY_TYPES = (multikey.MULTIKEY_TYPE, multikey.LEGACY_KEY_TYPE)

# VC Data Integrity 1.0 §3.3 (Processing Errors).
PROOF_GENERATION_ERROR = "PROOF_GENERATION_ERROR"
MALFORMED_PROOF_ERROR = "MALFORMED_PROOF_ERROR"
PROOF_TRANSFORMATION_ERROR = "PROOF_TRANSFORMATION_ERROR"
PROOF_VERIFICATION_ERROR = "PROOF_VERIFICATION_ERROR"

# xsd:dateTimeStamp-ish, as @digitalbazaar/data-integrity checks proof.created (XMLSCHEMA11-2).
_XSD_DATETIME = re.compile(
    r"-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)"
    r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
)

ControllerDocuments = Callable[[str], Mapping | None] | Mapping[str, Mapping]


class DataIntegrityError(Exception):
    """A proof could not be created or did not verify; ``code`` is the spec's error code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code

    def __repr__(self) -> str:
        return f"DataIntegrityError({self.code}, {str(self)!r})"


@dataclass(frozen=True)
class VerificationResult:
    verified: bool
    errors: tuple[DataIntegrityError, ...] = ()
    verification_methods: tuple[str, ...] = field(default=())


def _xsd_datetime(value: datetime | str | None) -> str:
    if value is None:
        value = datetime.now(UTC)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("created must be timezone-aware")
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if not _XSD_DATETIME.fullmatch(value):
        raise ValueError(f"{value!r} is not an XML Schema dateTime")
    return value


def _has_suite_context(document_context) -> bool:
    contexts = document_context if isinstance(document_context, list) else [document_context]
    return CREDENTIALS_V2 in contexts or DATA_INTEGRITY_V2 in contexts


def _canonical_hash(document: Mapping, canonicalizer: Canonicalizer) -> bytes:
    return hashlib.sha256(canonicalizer.canonicalize(document).encode("utf-8")).digest()


def hash_data(
    unsecured_document: Mapping,
    proof_options: Mapping,
    canonicalizer: Canonicalizer | None = None,
) -> bytes:
    """§3.3.3-§3.3.5: proofConfigHash || transformedDocumentHash (64 bytes).

    ``proof_options`` is the proof without ``proofValue``; it is given the document's
    ``@context`` here (§3.3.5).
    """
    canonicalizer = canonicalizer or default_canonicalizer()
    if proof_options.get("type") != PROOF_TYPE or proof_options.get("cryptosuite") != CRYPTOSUITE:
        raise DataIntegrityError(
            PROOF_TRANSFORMATION_ERROR, f"proof is not a {PROOF_TYPE} with {CRYPTOSUITE}"
        )
    proof_config = {**proof_options, "@context": unsecured_document.get("@context")}
    if not _has_suite_context(proof_config["@context"]):
        # @digitalbazaar/data-integrity canonizes the proof with its suite context appended
        # when the document has neither the VC 2.0 nor the Data Integrity context.
        contexts = proof_config["@context"]
        contexts = contexts if isinstance(contexts, list) else [contexts]
        proof_config["@context"] = [*contexts, DATA_INTEGRITY_V2]
    try:
        return _canonical_hash(proof_config, canonicalizer) + _canonical_hash(
            unsecured_document, canonicalizer
        )
    except (CanonicalizationError, ContextNotAvailableError) as error:
        raise DataIntegrityError(PROOF_TRANSFORMATION_ERROR, str(error)) from error


def create_proof(
    unsecured_document: Mapping,
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    proof_purpose: str = ASSERTION_METHOD,
    created: datetime | str | None = None,
    canonicalizer: Canonicalizer | None = None,
) -> dict:
    """§3.3.1 Create Proof: the ``proof`` object for ``unsecured_document``.

    ``created`` defaults to now (whole seconds, UTC).
    """
    if "proof" in unsecured_document:
        raise DataIntegrityError(PROOF_GENERATION_ERROR, "the document already has a proof")
    if not _has_suite_context(unsecured_document.get("@context")):
        # Without it, "DataIntegrityProof" and "cryptosuite" are undefined terms in the proof.
        raise DataIntegrityError(
            PROOF_GENERATION_ERROR,
            f"the document's @context must include {CREDENTIALS_V2} or {DATA_INTEGRITY_V2}",
        )
    proof = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": _xsd_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    signature = private_key.sign(hash_data(unsecured_document, proof, canonicalizer))
    return {**proof, "proofValue": multikey.base58btc_encode(signature)}


def add_proof(unsecured_document: Mapping, **options) -> dict:
    """A copy of ``unsecured_document`` secured with an eddsa-rdfc-2022 proof.

    Takes the keyword arguments of :func:`create_proof`.
    """
    return {**unsecured_document, "proof": create_proof(unsecured_document, **options)}


def _controller_document(controller: str, controllers: ControllerDocuments | None) -> Mapping:
    if controller.startswith(multikey.DID_KEY_PREFIX):
        return multikey.resolve_did_key(controller)
    if controllers is None:
        document = None
    elif isinstance(controllers, Mapping):
        document = controllers.get(controller)
    else:
        document = controllers(controller)
    if not isinstance(document, Mapping):
        raise DataIntegrityError(
            PROOF_VERIFICATION_ERROR, f"controller document {controller!r} is not available"
        )
    if document.get("id") != controller:
        raise DataIntegrityError(
            PROOF_VERIFICATION_ERROR, f"controller document id is not {controller!r}"
        )
    return document


def _absolute(vm_id, base: str) -> str:
    if not isinstance(vm_id, str):
        return ""
    return base + vm_id if vm_id.startswith("#") else vm_id


def retrieve_verification_method(
    vm_id: str, proof_purpose: str, controllers: ControllerDocuments | None = None
) -> dict:
    """VC Data Integrity §4.5 and CID 1.0 §3.3: the verification method ``vm_id``, checked.

    The controller document is the one named by ``vm_id`` without its fragment (did:key
    documents are derived from the DID). The method must be listed in it, be controlled by it,
    be a Multikey-encoded Ed25519 key, and be authorized for ``proof_purpose``. The document is
    read as plain JSON, as CID 1.0 §3.3 allows: its ``@context`` is not interpreted.
    """
    controller = vm_id.partition("#")[0]
    try:
        document = _controller_document(controller, controllers)
    except multikey.MultikeyError as error:
        raise DataIntegrityError(PROOF_VERIFICATION_ERROR, str(error)) from error

    def listed(relationship: str) -> list:
        value = document.get(relationship, [])
        return value if isinstance(value, list) else [value]

    candidates = [*listed("verificationMethod"), *listed(proof_purpose)]
    method = next(
        (
            m
            for m in candidates
            if isinstance(m, Mapping) and _absolute(m.get("id", ""), controller) == vm_id
        ),
        None,
    )
    if method is None:
        raise DataIntegrityError(
            PROOF_VERIFICATION_ERROR, f"{vm_id!r} is not in its controller document"
        )
    authorized = {
        _absolute(m if isinstance(m, str) else m.get("id", ""), controller)
        for m in listed(proof_purpose)
    }
    if vm_id not in authorized:
        raise DataIntegrityError(
            PROOF_VERIFICATION_ERROR, f"{vm_id!r} is not authorized for {proof_purpose}"
        )
    if method.get("controller") != controller:
        raise DataIntegrityError(
            PROOF_VERIFICATION_ERROR, f"{vm_id!r} is not controlled by {controller!r}"
        )
    if method.get("type") not in SUPPORTED_KEY_TYPES:
        raise DataIntegrityError(
            PROOF_VERIFICATION_ERROR, f"unsupported verification method type {method.get('type')!r}"
        )
    return dict(method)


def _verify_one(
    unsecured: Mapping,
    proof,
    *,
    expected_proof_purpose: str,
    expected_controller: str | None,
    controllers: ControllerDocuments | None,
    canonicalizer: Canonicalizer | None,
) -> str:
    """Verify one proof (§3.3.2); the verification method id, or raise DataIntegrityError."""
    if not isinstance(proof, Mapping):
        raise DataIntegrityError(MALFORMED_PROOF_ERROR, "proof must be an object")
    if proof.get("type") != PROOF_TYPE:
        raise DataIntegrityError(MALFORMED_PROOF_ERROR, f"proof type must be {PROOF_TYPE}")
    if proof.get("cryptosuite") != CRYPTOSUITE:
        raise DataIntegrityError(
            PROOF_VERIFICATION_ERROR, f"unsupported cryptosuite {proof.get('cryptosuite')!r}"
        )
    for required in ("verificationMethod", "proofPurpose", "proofValue"):
        if not isinstance(proof.get(required), str):
            raise DataIntegrityError(MALFORMED_PROOF_ERROR, f"proof.{required} must be a string")
    if "previousProof" in proof:
        raise DataIntegrityError(PROOF_VERIFICATION_ERROR, "proof chains are not supported")
    if proof["proofPurpose"] != expected_proof_purpose:
        raise DataIntegrityError(
            PROOF_VERIFICATION_ERROR,
            f"proof purpose {proof['proofPurpose']!r} is not {expected_proof_purpose!r}",
        )
    for stamp in ("created", "expires"):
        if stamp in proof and not (
            isinstance(proof[stamp], str) and _XSD_DATETIME.fullmatch(proof[stamp])
        ):
            raise DataIntegrityError(MALFORMED_PROOF_ERROR, f"proof.{stamp} is not a dateTime")
    if "@context" in proof and proof["@context"] != unsecured.get("@context"):
        raise DataIntegrityError(
            MALFORMED_PROOF_ERROR, "proof @context differs from the document's @context"
        )
    try:
        signature = multikey.base58btc_decode(
            proof["proofValue"], max_length=multikey.SIGNATURE_MULTIBASE_MAX_LENGTH
        )
    except multikey.MultikeyError as error:
        raise DataIntegrityError(MALFORMED_PROOF_ERROR, f"proofValue: {error}") from error
    if len(signature) != 64:
        raise DataIntegrityError(MALFORMED_PROOF_ERROR, "proofValue is not a 64-byte signature")

    vm_id = proof["verificationMethod"]
    method = retrieve_verification_method(vm_id, expected_proof_purpose, controllers)
    if expected_controller is not None and method["controller"] != expected_controller:
        raise DataIntegrityError(
            PROOF_VERIFICATION_ERROR,
            f"verification method controller is not the issuer {expected_controller!r}",
        )
    try:
        public_key = multikey.public_key_from_multibase(method.get("publicKeyMultibase"))
    except (multikey.MultikeyError, TypeError) as error:
        raise DataIntegrityError(PROOF_VERIFICATION_ERROR, f"public key: {error}") from error

    options = {k: v for k, v in proof.items() if k not in ("proofValue", "@context")}
    data = hash_data(unsecured, options, canonicalizer)
    try:
        public_key.verify(signature, data)
    except InvalidSignature as error:
        raise DataIntegrityError(PROOF_VERIFICATION_ERROR, "invalid signature") from error
    return vm_id


def verify_proof(
    secured_document: Mapping,
    *,
    controllers: ControllerDocuments | None = None,
    expected_proof_purpose: str = ASSERTION_METHOD,
    expected_controller: str | None = None,
    canonicalizer: Canonicalizer | None = None,
) -> VerificationResult:
    """Verify every eddsa-rdfc-2022 proof on ``secured_document`` (a proof set: all must pass).

    ``controllers`` gives controller documents for non-did:key verification methods, as a
    mapping or a callable (controller id -> document or None); this module fetches nothing.
    """
    if not isinstance(secured_document, Mapping):
        error = DataIntegrityError(MALFORMED_PROOF_ERROR, "the document is not a JSON object")
        return VerificationResult(False, (error,))
    proofs = secured_document.get("proof")
    if not proofs:
        error = DataIntegrityError(MALFORMED_PROOF_ERROR, "the document has no proof")
        return VerificationResult(False, (error,))
    unsecured = {k: v for k, v in secured_document.items() if k != "proof"}
    errors, methods = [], []
    for proof in proofs if isinstance(proofs, list) else [proofs]:
        try:
            methods.append(
                _verify_one(
                    unsecured,
                    proof,
                    expected_proof_purpose=expected_proof_purpose,
                    expected_controller=expected_controller,
                    controllers=controllers,
                    canonicalizer=canonicalizer,
                )
            )
        except DataIntegrityError as error:
            errors.append(error)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            # Untrusted input of an unexpected shape fails verification; it never escapes.
            errors.append(DataIntegrityError(MALFORMED_PROOF_ERROR, f"malformed input: {error!r}"))
    return VerificationResult(not errors, tuple(errors), tuple(methods))


def issuer_id(credential: Mapping) -> str | None:
    """The credential's issuer IRI (VC Data Model 2.0 §4.7: a URL or an object with ``id``)."""
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def verify_credential(credential: Mapping, **options) -> VerificationResult:
    """:func:`verify_proof` for a verifiable credential: the key must be the issuer's."""
    issuer = issuer_id(credential) if isinstance(credential, Mapping) else None
    if not isinstance(issuer, str):
        error = DataIntegrityError(PROOF_VERIFICATION_ERROR, "the credential has no issuer id")
        return VerificationResult(False, (error,))
    return verify_proof(credential, expected_controller=issuer, **options)
