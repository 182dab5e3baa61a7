"""OpenBadgeCredentials as VC-JWTs signed with EdDSA (Ed25519), per Open Badges 3.0 §8.2.

Open Badges 3.0 §8.2 (JSON Web Token Proof Format): https://www.imsglobal.org/spec/ob/v3p0/#jwt-proof

- §8.2.3 JOSE header: ``alg``, and ``kid`` (a URI dereferencing to the public JWK) or ``jwk``
  (the public JWK itself, never with ``d``), and optionally ``typ: JWT``; no other headers.
  RS256 is the minimum every verifier supports; EdDSA (RFC 8037) is permitted, so relying
  parties must support it to accept these tokens.
- §8.2.4 JWT payload: the credential's own members (VC Data Model 2.0 form) plus ``iss`` =
  issuer.id, ``jti`` = id, ``sub`` = credentialSubject.id, ``nbf`` = validFrom and ``exp`` =
  validUntil (when present), as NumericDates.
- §8.2.6 Verify: check the signature, then that each claim matches the credential; a token
  not yet valid or expired is not valid. Credentials following VC Data Model 1.1 carry the
  credential in a ``vc`` claim and use issuanceDate/expirationDate; those are read too.

Only EdDSA is accepted on verification: the algorithm comes from our allow-list, never from the
token, so ``alg: none`` and HMAC-with-the-public-key confusion are refused.
"""

from collections.abc import Mapping
from datetime import datetime

import jwt as pyjwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jwt.algorithms import OKPAlgorithm

ALGORITHM = "EdDSA"
REGISTERED_CLAIMS = ("iss", "sub", "aud", "exp", "nbf", "iat", "jti")


class VcJwtError(ValueError):
    """A VC-JWT could not be created, or is not a valid credential proof."""


def _numeric_date(value: str) -> int | float:
    """RFC 7519 §2 NumericDate of an XML Schema dateTime with a time zone."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError) as error:
        raise VcJwtError(f"{value!r} is not a dateTime") from error
    if moment.tzinfo is None:
        raise VcJwtError(f"{value!r} has no time zone")
    stamp = moment.timestamp()
    return int(stamp) if stamp.is_integer() else stamp


def _issuer_id(credential: Mapping):
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def _subject_id(credential: Mapping):
    subject = credential.get("credentialSubject")
    return subject.get("id") if isinstance(subject, Mapping) else None


def public_jwk(public_key: Ed25519PublicKey) -> dict:
    """The public JWK (RFC 8037 §2, kty OKP, crv Ed25519) of an Ed25519 key."""
    return OKPAlgorithm.to_jwk(public_key, as_dict=True)


def sign(
    credential: Mapping,
    private_key: Ed25519PrivateKey,
    *,
    kid: str | None = None,
) -> str:
    """§8.2.5: the Compact JWS of ``credential``.

    With ``kid`` (a URI the verifier can dereference to the public JWK) the header names the
    key; without it the public JWK is embedded, as §8.2.3 requires one of the two.
    """
    claims = {
        "iss": _issuer_id(credential),
        "jti": credential.get("id"),
        "sub": _subject_id(credential),
        "nbf": _numeric_date(credential["validFrom"]) if "validFrom" in credential else None,
        "exp": _numeric_date(credential["validUntil"]) if "validUntil" in credential else None,
    }
    for required in ("iss", "jti", "nbf"):
        if claims[required] is None:
            raise VcJwtError(f"the credential has nothing for the required {required} claim")
    clash = set(REGISTERED_CLAIMS) & set(credential)
    if clash:
        raise VcJwtError(f"the credential already has JWT claim names {sorted(clash)}")
    payload = {**credential, **{k: v for k, v in claims.items() if v is not None}}
    headers = {"kid": kid} if kid else {"jwk": public_jwk(private_key.public_key())}
    return pyjwt.encode(payload, private_key, algorithm=ALGORITHM, headers=headers)


def unverified_header(token: str) -> dict:
    """The JOSE header, to choose the key by ``kid`` or ``jwk`` before verifying."""
    try:
        return pyjwt.get_unverified_header(token)
    except pyjwt.PyJWTError as error:
        raise VcJwtError(f"not a JWS: {error}") from error


def _check_claim(name: str, claim, expected) -> None:
    if claim != expected:
        raise VcJwtError(f"{name} claim {claim!r} does not match the credential ({expected!r})")


def verify(token: str, public_key: Ed25519PublicKey, *, leeway: float = 0) -> dict:
    """§8.2.6: the credential in ``token`` if it is validly signed by ``public_key`` and current.

    Raises VcJwtError otherwise. The caller chooses ``public_key`` (for instance from the
    issuer's published keys by the header's ``kid``): an embedded ``jwk`` says nothing about who
    signed, so it is never trusted on its own.
    """
    header = unverified_header(token)
    if header.get("alg") != ALGORITHM:
        raise VcJwtError(f"algorithm {header.get('alg')!r} is not accepted (only {ALGORITHM})")
    if isinstance(header.get("jwk"), Mapping) and "d" in header["jwk"]:
        raise VcJwtError("the header exposes a private key")
    try:
        payload = pyjwt.decode(
            token,
            public_key,
            algorithms=[ALGORITHM],
            options={"require": ["iss", "jti", "nbf"], "verify_aud": False},
            leeway=leeway,
        )
    except pyjwt.PyJWTError as error:
        raise VcJwtError(f"invalid VC-JWT: {error}") from error

    if "vc" in payload:  # VC Data Model 1.1 form (§8.2.6 note)
        if not isinstance(payload["vc"], Mapping):
            raise VcJwtError("the vc claim is not a credential object")
        credential = dict(payload["vc"])
        valid_from, valid_until = "issuanceDate", "expirationDate"
    else:
        credential = {k: v for k, v in payload.items() if k not in REGISTERED_CLAIMS}
        valid_from, valid_until = "validFrom", "validUntil"
    _check_claim("iss", payload["iss"], _issuer_id(credential))
    _check_claim("jti", payload["jti"], credential.get("id"))
    if "sub" in payload or _subject_id(credential) is not None:
        _check_claim("sub", payload.get("sub"), _subject_id(credential))
    if valid_from not in credential:
        raise VcJwtError(f"the credential has no {valid_from}")
    _check_claim("nbf", payload["nbf"], _numeric_date(credential[valid_from]))
    if "exp" in payload or valid_until in credential:
        expected = _numeric_date(credential[valid_until]) if valid_until in credential else None
        _check_claim("exp", payload.get("exp"), expected)
    return credential
