"""VC-JWT (Open Badges 3.0 §8.2) with EdDSA."""

import base64
import json
from datetime import UTC, datetime

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization

from badges.openbadges.vc import jwt as vc_jwt
from badges.openbadges.vc.jwt import VcJwtError


def segments(token: str) -> list[dict]:
    def decode(part: str) -> dict:
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))

    header, payload, _ = token.split(".")
    return [decode(header), decode(payload)]


def epoch(value: str) -> int:
    return int(datetime.fromisoformat(value).timestamp())


@pytest.fixture
def kid(credential) -> str:
    return credential["issuer"]["id"] + "#key-1"


def test_header_and_payload_follow_ob30_8_2(credential, issuer_key, kid):
    token = vc_jwt.sign(credential, issuer_key, kid=kid)
    header, payload = segments(token)
    assert header == {"alg": "EdDSA", "kid": kid, "typ": "JWT"}
    assert payload["iss"] == credential["issuer"]["id"]
    assert payload["jti"] == credential["id"]
    assert payload["nbf"] == epoch(credential["validFrom"])
    assert payload["exp"] == epoch(credential["validUntil"])
    assert "sub" not in payload  # this subject is identified by identifier, not id
    assert {k: v for k, v in payload.items() if k not in vc_jwt.REGISTERED_CLAIMS} == credential


def test_round_trip_with_kid(credential, issuer_key, kid):
    token = vc_jwt.sign(credential, issuer_key, kid=kid)
    assert vc_jwt.unverified_header(token)["kid"] == kid
    assert vc_jwt.verify(token, issuer_key.public_key()) == credential


def test_without_kid_the_public_jwk_is_embedded(did_key_credential, issuer_key):
    did_key_credential["credentialSubject"]["id"] = "did:example:learner"
    token = vc_jwt.sign(did_key_credential, issuer_key)
    header, payload = segments(token)
    assert header["jwk"] == vc_jwt.public_jwk(issuer_key.public_key())
    assert set(header["jwk"]) == {"kty", "crv", "x"}
    assert payload["sub"] == "did:example:learner"
    assert vc_jwt.verify(token, issuer_key.public_key()) == did_key_credential


def test_alg_none_is_rejected(credential, issuer_key, kid):
    _, payload = segments(vc_jwt.sign(credential, issuer_key, kid=kid))
    token = pyjwt.encode(payload, None, algorithm="none")
    with pytest.raises(VcJwtError, match="'none' is not accepted"):
        vc_jwt.verify(token, issuer_key.public_key())


def test_hmac_with_the_public_key_as_secret_is_rejected(credential, issuer_key, kid):
    _, payload = segments(vc_jwt.sign(credential, issuer_key, kid=kid))
    secret = issuer_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    token = pyjwt.encode(payload, secret, algorithm="HS256")
    with pytest.raises(VcJwtError, match="not accepted"):
        vc_jwt.verify(token, issuer_key.public_key())


def test_wrong_key_and_tampering_are_rejected(credential, issuer_key, other_key, kid):
    token = vc_jwt.sign(credential, issuer_key, kid=kid)
    with pytest.raises(VcJwtError, match="invalid VC-JWT"):
        vc_jwt.verify(token, other_key.public_key())
    header, _, signature = token.split(".")
    claims = segments(token)[1]
    claims["name"] = "Something else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(VcJwtError, match="invalid VC-JWT"):
        vc_jwt.verify(f"{header}.{forged}.{signature}", issuer_key.public_key())


def test_not_yet_valid_and_expired_are_rejected(credential, issuer_key, kid):
    credential["validFrom"] = "2999-01-01T00:00:00Z"
    del credential["validUntil"]
    with pytest.raises(VcJwtError, match="not yet valid"):
        vc_jwt.verify(vc_jwt.sign(credential, issuer_key, kid=kid), issuer_key.public_key())
    credential["validFrom"] = "2001-01-01T00:00:00Z"
    credential["validUntil"] = "2002-01-01T00:00:00Z"
    with pytest.raises(VcJwtError, match="expired"):
        vc_jwt.verify(vc_jwt.sign(credential, issuer_key, kid=kid), issuer_key.public_key())


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("iss", "https://evil.example/issuer"),
        ("jti", "urn:uuid:other"),
        ("sub", "did:example:someone-else"),
        ("nbf", 1_000_000_000),
        ("exp", 4_000_000_000),
    ],
)
def test_claims_that_disagree_with_the_credential_are_rejected(
    credential, issuer_key, kid, claim, value
):
    _, payload = segments(vc_jwt.sign(credential, issuer_key, kid=kid))
    payload[claim] = value
    token = pyjwt.encode(payload, issuer_key, algorithm="EdDSA", headers={"kid": kid})
    with pytest.raises(VcJwtError, match=f"{claim} claim"):
        vc_jwt.verify(token, issuer_key.public_key())


def test_vc_data_model_1_1_form_is_read(issuer_key):
    credential = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "id": "urn:uuid:7b0e6c2a-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://issuer.example/1", "type": "Profile"},
        "issuanceDate": "2020-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner"},
    }
    claims = {
        "iss": "https://issuer.example/1",
        "jti": credential["id"],
        "sub": "did:example:learner",
        "nbf": epoch("2020-01-01T00:00:00Z"),
        "vc": credential,
    }
    token = pyjwt.encode(claims, issuer_key, algorithm="EdDSA")
    assert vc_jwt.verify(token, issuer_key.public_key()) == credential


def test_a_header_carrying_a_private_key_is_rejected(credential, issuer_key, kid):
    _, payload = segments(vc_jwt.sign(credential, issuer_key, kid=kid))
    jwk = {**vc_jwt.public_jwk(issuer_key.public_key()), "d": "c2VjcmV0"}
    token = pyjwt.encode(payload, issuer_key, algorithm="EdDSA", headers={"jwk": jwk})
    with pytest.raises(VcJwtError, match="private key"):
        vc_jwt.verify(token, issuer_key.public_key())


def test_signing_needs_the_claims_sources(credential, issuer_key):
    del credential["validFrom"]
    with pytest.raises(VcJwtError, match="nbf"):
        vc_jwt.sign(credential, issuer_key)


def test_numeric_dates_keep_fractions_and_need_a_zone():
    assert vc_jwt._numeric_date("2025-01-01T00:00:00.5Z") == 1735689600.5
    assert vc_jwt._numeric_date("2025-01-01T01:00:00+01:00") == epoch("2025-01-01T00:00:00Z")
    with pytest.raises(VcJwtError, match="time zone"):
        vc_jwt._numeric_date("2025-01-01T00:00:00")
    assert datetime.fromtimestamp(vc_jwt._numeric_date("2025-01-01T00:00:00Z"), UTC).year == 2025
