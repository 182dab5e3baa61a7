"""OpenID for Verifiable Credential Issuance 1.0: what the centre says as a credential issuer and
its own authorization server (pre-authorized code flow), and the checks on a wallet's proof of
possession. Plain functions; the writes are in ``wallet.py``, the endpoints in ``views_wallet.py``.

Sections cited are of OpenID for Verifiable Credential Issuance 1.0 (final, 2025) and RFC 8414
(OAuth 2.0 Authorization Server Metadata).
"""

import base64
import json
import time
from dataclasses import dataclass

import jwt as pyjwt
from django.conf import settings
from django.urls import reverse

from .openbadges import ob3
from .openbadges.vc import multikey
from .openbadges.vc.contexts import OPEN_BADGE_CREDENTIAL_CONTEXT

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
PROOF_TYPE = "openid4vci-proof+jwt"
PROOF_ALGORITHMS = ("EdDSA", "ES256")
HOLDER_METHODS = ("did:key", "did:jwk")
MAX_PROOF_LENGTH = 8_192  # a proof JWT with a did:jwk of a P-256 key is under 1 KB
PROOF_CLOCK_SKEW = 300  # seconds a wallet's clock may differ from ours

# The two ways a wallet may receive a badge (§A.1, §A.2).
LDP_VC = "OpenBadgeCredential_ldp_vc"
JWT_VC = "OpenBadgeCredential_jwt_vc_json"
CONFIGURATIONS = (LDP_VC, JWT_VC)


class Oid4vciError(Exception):
    """An error answered as the specification names it: ``code`` is the ``error`` value."""

    def __init__(self, code: str, description: str, status: int = 400):
        super().__init__(description)
        self.code, self.description, self.status = code, description, status

    def as_json(self) -> dict:
        return {"error": self.code, "error_description": self.description}


def credential_issuer() -> str:
    """§12.2.1: the Credential Issuer Identifier, our public address."""
    return settings.SITE_URL


def _url(name: str) -> str:
    return settings.SITE_URL + reverse(name)


def issuer_metadata(*, issuer_name: str, logo_url: str | None) -> dict:
    """§12.2.4 Credential Issuer Metadata, served at /.well-known/openid-credential-issuer.
    The centre is its own authorization server, so ``authorization_servers`` is left out."""
    display = [{"name": issuer_name, "locale": "en"}]
    if logo_url:
        display[0]["logo"] = {"uri": logo_url, "alt_text": f"{issuer_name} logo"}
    credential_display = [
        {
            "name": "Open Badge",
            "description": f"A micro-credential badge issued by {issuer_name}",
            "locale": "en",
            **({"logo": display[0]["logo"]} if logo_url else {}),
        }
    ]
    definition = {
        "@context": list(OPEN_BADGE_CREDENTIAL_CONTEXT),
        "type": list(ob3.CREDENTIAL_TYPES),
    }
    common = {
        "scope": "OpenBadgeCredential",
        "cryptographic_binding_methods_supported": list(HOLDER_METHODS),
        "proof_types_supported": {
            "jwt": {"proof_signing_alg_values_supported": list(PROOF_ALGORITHMS)}
        },
        "credential_metadata": {"display": credential_display},
    }
    return {
        "credential_issuer": credential_issuer(),
        "credential_endpoint": _url("wallet:credential"),
        "nonce_endpoint": _url("wallet:nonce"),
        "display": display,
        "credential_configurations_supported": {
            LDP_VC: {
                "format": "ldp_vc",
                "credential_signing_alg_values_supported": ["eddsa-rdfc-2022"],
                "credential_definition": definition,
                **common,
            },
            JWT_VC: {
                "format": "jwt_vc_json",
                "credential_signing_alg_values_supported": ["EdDSA"],
                "credential_definition": {"type": list(ob3.CREDENTIAL_TYPES)},
                **common,
            },
        },
    }


def authorization_server_metadata() -> dict:
    """RFC 8414 §2 with §12.3 of OpenID4VCI: the pre-authorized code grant, no client needed."""
    return {
        "issuer": credential_issuer(),
        "token_endpoint": _url("wallet:token"),
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "pre-authorized_grant_anonymous_access_supported": True,
        "response_types_supported": [],
        "token_endpoint_auth_methods_supported": ["none"],
    }


def credential_offer(*, configuration_ids, pre_authorized_code, tx_code_length) -> dict:
    """§4.1.1 Credential Offer Parameters, with a numeric transaction code shown to the learner."""
    return {
        "credential_issuer": credential_issuer(),
        "credential_configuration_ids": list(configuration_ids),
        "grants": {
            PRE_AUTHORIZED_GRANT: {
                "pre-authorized_code": pre_authorized_code,
                "tx_code": {
                    "input_mode": "numeric",
                    "length": tx_code_length,
                    "description": "Enter the code shown beside the QR code on your badge page.",
                },
            }
        },
    }


def offer_uri(offer: dict) -> str:
    """§4.1: the offer by value, in the custom scheme a wallet registers."""
    from urllib.parse import quote

    return "openid-credential-offer://?credential_offer=" + quote(
        json.dumps(offer, separators=(",", ":")), safe=""
    )


# --- The wallet's proof of possession (§8.2.1.1, Appendix F.1) ----------------------------------


@dataclass(frozen=True)
class Holder:
    did: str  # the DID the credential is bound to (credentialSubject.id)
    nonce: str  # the c_nonce the proof carries, for the caller to consume


def _b64url_json(segment: str) -> dict:
    padded = segment + "=" * (-len(segment) % 4)
    value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


def _key_of_did_key(did: str):
    """Ed25519 did:key (multicodec 0xed01), the common wallet key."""
    try:
        document = multikey.resolve_did_key(did)
    except multikey.MultikeyError as error:
        raise Oid4vciError("invalid_proof", f"The proof's key: {error}") from None
    method = document["verificationMethod"][0]
    return multikey.public_key_from_multibase(method["publicKeyMultibase"]), "EdDSA"


def _key_of_jwk(jwk: dict):
    kty, crv = jwk.get("kty"), jwk.get("crv")
    try:
        if kty == "OKP" and crv == "Ed25519":
            return pyjwt.algorithms.OKPAlgorithm.from_jwk(json.dumps(jwk)), "EdDSA"
        if kty == "EC" and crv == "P-256":
            return pyjwt.algorithms.ECAlgorithm.from_jwk(json.dumps(jwk)), "ES256"
    except (pyjwt.InvalidKeyError, ValueError, TypeError):
        pass
    raise Oid4vciError("invalid_proof", "The proof's key is not an Ed25519 or P-256 public key.")


def _holder_key(header: dict):
    """(DID, public key, the algorithm that key signs with) named by the proof's ``kid``."""
    kid = header.get("kid")
    if not isinstance(kid, str) or "#" not in kid:
        raise Oid4vciError(
            "invalid_proof", "The proof must name its key by a DID URL (did:key or did:jwk)."
        )
    if "jwk" in header or "x5c" in header:  # Appendix F.1: kid, jwk and x5c exclude each other
        raise Oid4vciError("invalid_proof", "The proof names its key twice (kid and jwk/x5c).")
    did, fragment = kid.split("#", 1)
    if did.startswith("did:key:"):
        key, algorithm = _key_of_did_key(kid)
        return did, key, algorithm
    if did.startswith("did:jwk:"):
        if fragment != "0":  # did:jwk §2.2: its one verification method is #0
            raise Oid4vciError("invalid_proof", "A did:jwk names its key as #0.")
        try:
            jwk = _b64url_json(did[len("did:jwk:") :])
        except (ValueError, UnicodeDecodeError):
            raise Oid4vciError("invalid_proof", "The did:jwk does not hold a JWK.") from None
        if "d" in jwk:
            raise Oid4vciError("invalid_proof", "The did:jwk holds a private key.")
        key, algorithm = _key_of_jwk(jwk)
        return did, key, algorithm
    raise Oid4vciError("invalid_proof", "The holder's key must be a did:key or a did:jwk.")


def check_proof(token, *, now: float | None = None) -> Holder:
    """§8.2.1.1: a ``jwt`` proof of possession, signed by the key its ``kid`` names, for us
    (``aud``), recent (``iat``), and carrying a nonce (whose freshness the caller checks and
    consumes). Refused with ``invalid_proof`` otherwise."""
    if not isinstance(token, str) or len(token) > MAX_PROOF_LENGTH or token.count(".") != 2:
        raise Oid4vciError("invalid_proof", "The proof is not a compact JWS.")
    try:
        header = _b64url_json(token.split(".", 1)[0])
    except (ValueError, UnicodeDecodeError):
        raise Oid4vciError("invalid_proof", "The proof's header is not JSON.") from None
    if header.get("typ") != PROOF_TYPE:
        raise Oid4vciError("invalid_proof", f"The proof's typ must be {PROOF_TYPE}.")
    if header.get("alg") not in PROOF_ALGORITHMS:
        raise Oid4vciError("invalid_proof", "The proof is signed with an algorithm we refuse.")
    did, key, algorithm = _holder_key(header)
    if header["alg"] != algorithm:
        raise Oid4vciError("invalid_proof", "The proof's algorithm does not fit its key.")
    try:
        claims = pyjwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=credential_issuer(),
            options={"require": ["aud", "iat"], "verify_iat": False},
        )
    except pyjwt.InvalidAudienceError:
        raise Oid4vciError("invalid_proof", "The proof is not addressed to this issuer.") from None
    except pyjwt.PyJWTError:
        raise Oid4vciError(
            "invalid_proof", "The proof's signature is not made by the key it names."
        ) from None
    now = time.time() if now is None else now
    issued = claims.get("iat")
    if not isinstance(issued, int | float) or abs(now - issued) > PROOF_CLOCK_SKEW:
        raise Oid4vciError("invalid_proof", "The proof was not made just now (iat).")
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise Oid4vciError("invalid_nonce", "The proof carries no nonce: ask the nonce endpoint.")
    return Holder(did=did, nonce=nonce)
