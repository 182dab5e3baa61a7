"""Ed25519 keys as Multikey strings, and did:key documents for them.

- Controlled Identifiers 1.0 §2.2.2 (Multikey): an Ed25519 public key is the multicodec header
  0xed01 followed by the 32 key bytes, base58-btc multibase encoded ('z'), so it starts "z6Mk";
  the secret key (``secretKeyMultibase``) uses header 0x8026 and starts "z3u2".
  https://www.w3.org/TR/cid-1.0/#Multikey
- vc-di-eddsa §2.1.1 (Multikey): any other header MUST be rejected for this suite.
- The did:key Method v0.7 §3.1.2 (Document Creation Algorithm), Multikey form:
  did:key:z6Mk... has one verification method, did:key:z6Mk...#z6Mk..., authorized for
  authentication, assertionMethod, capabilityInvocation and capabilityDelegation.
  https://w3c-ccg.github.io/did-method-key/

Every value is length-checked before it is decoded: base58 decoding (the ``base58`` package) is
quadratic in the length, and these strings arrive from anyone who pastes a credential into the
verifier. Each caller of :func:`base58btc_decode` names the longest value it can accept.
"""

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .contexts import CONTROLLER_DOCUMENT_CONTEXT

ED25519_PUB_HEADER = b"\xed\x01"
ED25519_PRIV_HEADER = b"\x80\x26"
MULTIKEY_TYPE = "Multikey"
# Same multibase encoding (vc-di-eddsa §2.1.2), kept readable for keys published before Multikey.
LEGACY_KEY_TYPE = "Ed25519VerificationKey2020"
DID_KEY_PREFIX = "did:key:"
VERIFICATION_RELATIONSHIPS = (
    "authentication",
    "assertionMethod",
    "capabilityInvocation",
    "capabilityDelegation",
)


def _base58_length(n_bytes: int) -> int:
    """The most base58 characters ``n_bytes`` bytes can take: the least L with 58^L >= 256^n.

    Leading zero bytes (one '1' each) never make a value longer than that.
    """
    length = 0
    while 58**length < 256**n_bytes:
        length += 1
    return length


# The longest multibase ('z' + base58) strings of what this module decodes.
PUBLIC_KEY_MULTIBASE_LENGTH = 1 + _base58_length(len(ED25519_PUB_HEADER) + 32)  # 48, always
SECRET_KEY_MULTIBASE_MAX_LENGTH = 1 + _base58_length(len(ED25519_PRIV_HEADER) + 64)  # 92
SIGNATURE_MULTIBASE_MAX_LENGTH = 1 + _base58_length(64)  # 89: an Ed25519 signature
# did:key:z6Mk...#z6Mk..., the longest did:key URL naming an Ed25519 key.
DID_KEY_URL_MAX_LENGTH = len(DID_KEY_PREFIX) + 2 * PUBLIC_KEY_MULTIBASE_LENGTH + 1  # 105


class MultikeyError(ValueError):
    """A string is not a well-formed Ed25519 Multikey (or did:key) value."""


def base58btc_encode(data: bytes) -> str:
    """Multibase base58-btc: 'z' + base58 (Bitcoin alphabet)."""
    return "z" + base58.b58encode(data).decode("ascii")


def base58btc_decode(value: str, *, max_length: int) -> bytes:
    """Bytes of a multibase base58-btc string of at most ``max_length`` characters ('z'
    included); MultikeyError if it is not one, or is longer, before any decoding."""
    if not isinstance(value, str) or not value.startswith("z") or len(value) < 2:
        raise MultikeyError("not a multibase base58-btc value (must start with 'z')")
    if len(value) > max_length:
        raise MultikeyError(
            f"{len(value):,} characters is too long: at most {max_length} are possible here"
        )
    try:
        return base58.b58decode(value[1:].encode("ascii"))
    except (ValueError, UnicodeEncodeError) as error:
        raise MultikeyError(f"invalid base58-btc: {error}") from error


def _raw_public(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_to_multibase(public_key: Ed25519PublicKey) -> str:
    """``publicKeyMultibase`` of an Ed25519 public key ("z6Mk...")."""
    return base58btc_encode(ED25519_PUB_HEADER + _raw_public(public_key))


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    """The Ed25519 public key in a ``publicKeyMultibase`` value."""
    data = base58btc_decode(value, max_length=PUBLIC_KEY_MULTIBASE_LENGTH)
    if len(data) != 34 or not data.startswith(ED25519_PUB_HEADER):
        raise MultikeyError("not an Ed25519 public key Multikey (header 0xed01, 32 bytes)")
    return Ed25519PublicKey.from_public_bytes(data[2:])


def private_key_to_multibase(private_key: Ed25519PrivateKey) -> str:
    """``secretKeyMultibase`` of an Ed25519 private key: header 0x8026 + the 32-byte seed."""
    seed = private_key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return base58btc_encode(ED25519_PRIV_HEADER + seed)


def private_key_from_multibase(value: str) -> Ed25519PrivateKey:
    """The Ed25519 private key in a ``secretKeyMultibase`` value.

    Accepts the 32-byte seed form (CID 1.0) and the older 64-byte seed + public key form that
    earlier Digital Bazaar libraries and the 1EdTech OB 3.0 test vector use, checking that its
    public half belongs to the seed.
    """
    data = base58btc_decode(value, max_length=SECRET_KEY_MULTIBASE_MAX_LENGTH)
    if not data.startswith(ED25519_PRIV_HEADER) or len(data) not in (34, 66):
        raise MultikeyError("not an Ed25519 secret key Multikey (header 0x8026)")
    private_key = Ed25519PrivateKey.from_private_bytes(data[2:34])
    if len(data) == 66 and data[34:] != _raw_public(private_key.public_key()):
        raise MultikeyError("the public half of the secret key does not match its seed")
    return private_key


def did_key(public_key: Ed25519PublicKey) -> str:
    """The did:key DID of an Ed25519 public key."""
    return DID_KEY_PREFIX + public_key_to_multibase(public_key)


def did_key_verification_method(public_key: Ed25519PublicKey) -> str:
    """The id of the did:key's only verification method: did:key:z6Mk...#z6Mk..."""
    multibase = public_key_to_multibase(public_key)
    return f"{DID_KEY_PREFIX}{multibase}#{multibase}"


def verification_method(public_key: Ed25519PublicKey, *, controller: str, vm_id: str) -> dict:
    """A Multikey verification method object (CID 1.0 §2.2.2)."""
    return {
        "id": vm_id,
        "type": MULTIKEY_TYPE,
        "controller": controller,
        "publicKeyMultibase": public_key_to_multibase(public_key),
    }


def controller_document(
    controller: str,
    methods: dict[str, Ed25519PublicKey],
    *,
    assertion_methods: list[str] | None = None,
) -> dict:
    """A controller document for ``controller`` publishing Multikey verification methods.

    ``methods`` maps each verification method id (``controller#fragment``) to its key; all of
    them are authorized for ``assertionMethod`` unless ``assertion_methods`` says which.
    """
    return {
        "@context": list(CONTROLLER_DOCUMENT_CONTEXT),
        "id": controller,
        "verificationMethod": [
            verification_method(key, controller=controller, vm_id=vm_id)
            for vm_id, key in methods.items()
        ],
        "assertionMethod": list(methods if assertion_methods is None else assertion_methods),
    }


def resolve_did_key(did_url: str) -> dict:
    """The DID document of a did:key (Ed25519, Multikey form), from the DID itself.

    ``did_url`` may carry a fragment, which must then name the key itself. A did:key URL longer
    than one naming an Ed25519 key twice is refused first, and not repeated in the message.
    """
    if len(did_url) > DID_KEY_URL_MAX_LENGTH:
        raise MultikeyError(
            f"not an Ed25519 did:key: {len(did_url):,} characters is too long "
            f"(at most {DID_KEY_URL_MAX_LENGTH})"
        )
    if not did_url.startswith(DID_KEY_PREFIX):
        raise MultikeyError(f"not a did:key: {did_url!r}")
    did, _, fragment = did_url.partition("#")
    multibase = did[len(DID_KEY_PREFIX) :]
    public_key = public_key_from_multibase(multibase)  # rejects non-Ed25519 did:keys
    if fragment and fragment != multibase:
        raise MultikeyError(f"{did_url!r} names no key of {did}")
    vm_id = f"{did}#{multibase}"
    document = controller_document(did, {vm_id: public_key})
    for relationship in VERIFICATION_RELATIONSHIPS:
        document[relationship] = [vm_id]
    return document
