"""Ed25519 Multikey encoding and did:key documents."""

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from badges.openbadges.vc import multikey
from badges.openbadges.vc.multikey import MultikeyError

from .conftest import golden_json

W3C = golden_json("w3c-vc-di-eddsa-b1/vector.json")


def test_w3c_secret_key_gives_the_published_public_key():
    key = multikey.private_key_from_multibase(W3C["secretKeyMultibase"])
    assert multikey.public_key_to_multibase(key.public_key()) == W3C["publicKeyMultibase"]
    assert multikey.private_key_to_multibase(key) == W3C["secretKeyMultibase"]


def test_round_trips_and_prefixes():
    key = Ed25519PrivateKey.generate()
    public = multikey.public_key_to_multibase(key.public_key())
    secret = multikey.private_key_to_multibase(key)
    assert public.startswith("z6Mk") and secret.startswith("z3u2")
    assert multikey.public_key_from_multibase(public) == key.public_key()
    assert multikey.private_key_from_multibase(secret).public_key() == key.public_key()


@pytest.mark.parametrize(
    "value",
    [
        "6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",  # no multibase prefix
        "uAAAA",  # another multibase
        "z0OIl",  # not base58
        "zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP",  # a P-256 Multikey
        W3C["secretKeyMultibase"],  # a secret key where a public one is expected
        "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ",  # truncated
    ],
)
def test_public_keys_other_than_ed25519_multikey_are_rejected(value):
    with pytest.raises(MultikeyError):
        multikey.public_key_from_multibase(value)


def test_64_byte_secret_key_with_a_foreign_public_half_is_rejected():
    data = multikey.base58btc_decode(W3C["secretKeyMultibase"])
    other = Ed25519PrivateKey.generate().public_key()
    forged = multikey.base58btc_encode(data + multikey._raw_public(other))
    with pytest.raises(MultikeyError, match="does not match"):
        multikey.private_key_from_multibase(forged)


def test_did_key_document():
    did = "did:key:" + W3C["publicKeyMultibase"]
    vm = f"{did}#{W3C['publicKeyMultibase']}"
    document = multikey.resolve_did_key(vm)
    assert document["id"] == did
    assert document["verificationMethod"] == [
        {
            "id": vm,
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": W3C["publicKeyMultibase"],
        }
    ]
    for relationship in multikey.VERIFICATION_RELATIONSHIPS:
        assert document[relationship] == [vm]
    assert document["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
    ]


def test_did_key_helpers_agree():
    key = Ed25519PrivateKey.generate().public_key()
    vm = multikey.did_key_verification_method(key)
    assert vm.startswith(multikey.did_key(key) + "#z6Mk")
    assert multikey.resolve_did_key(vm)["assertionMethod"] == [vm]


@pytest.mark.parametrize(
    "did_url",
    [
        "did:web:example.com",
        "did:key:zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP",
        f"did:key:{W3C['publicKeyMultibase']}#key-1",
    ],
)
def test_did_key_resolution_refuses_other_dids(did_url):
    with pytest.raises(MultikeyError):
        multikey.resolve_did_key(did_url)
