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
    data = multikey.base58btc_decode(
        W3C["secretKeyMultibase"], max_length=multikey.SECRET_KEY_MULTIBASE_MAX_LENGTH
    )
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


# --- Lengths are checked before decoding (base58 decoding is quadratic in the length) ---------


def test_the_bounds_are_those_of_ed25519():
    assert multikey.PUBLIC_KEY_MULTIBASE_LENGTH == 48
    assert multikey.SIGNATURE_MULTIBASE_MAX_LENGTH == 89
    assert multikey.SECRET_KEY_MULTIBASE_MAX_LENGTH == 92
    assert len("did:key:") + 48 + 1 + 48 == multikey.DID_KEY_URL_MAX_LENGTH


@pytest.mark.parametrize(
    "signature",
    [
        b"\xff" * 64,  # the largest number: the longest encoding without a leading zero
        b"\x00" + b"\xff" * 63,  # a leading zero byte adds a '1' but never passes the bound
        b"\x00\x00" + b"\xff" * 62,
        b"\x00" * 64,  # all zeros: 64 '1's, the shortest
        b"\x00" * 63 + b"\x01",
        bytes(range(64)),
    ],
)
def test_every_64_byte_signature_fits_its_bound_and_decodes(signature):
    value = multikey.base58btc_encode(signature)
    assert 1 + 64 <= len(value) <= multikey.SIGNATURE_MULTIBASE_MAX_LENGTH
    decoded = multikey.base58btc_decode(value, max_length=multikey.SIGNATURE_MULTIBASE_MAX_LENGTH)
    assert decoded == signature


def test_a_signature_is_z_and_87_or_88_characters_unless_it_starts_with_zero_bytes():
    assert len(multikey.base58btc_encode(b"\xff" * 64)) == 89  # the longest
    assert len(multikey.base58btc_encode(b"\x01" + b"\x00" * 63)) == 88  # no leading zero
    assert len(multikey.base58btc_encode(b"\x00" + b"\xff" * 63)) == 89  # one: still 88 + z


def test_every_public_key_multibase_is_48_characters():
    for raw in (b"\x00" * 32, b"\xff" * 32, bytes(range(32))):
        value = multikey.base58btc_encode(multikey.ED25519_PUB_HEADER + raw)
        assert len(value) == multikey.PUBLIC_KEY_MULTIBASE_LENGTH


def test_secret_keys_of_both_forms_fit_their_bound():
    for raw in (b"\xff" * 32, b"\xff" * 64):
        value = multikey.base58btc_encode(multikey.ED25519_PRIV_HEADER + raw)
        assert len(value) <= multikey.SECRET_KEY_MULTIBASE_MAX_LENGTH


def test_a_value_one_character_too_long_is_refused_with_its_length():
    value = "z" + "2" * 88
    assert multikey.base58btc_decode(value, max_length=89)  # at the bound: decoded
    with pytest.raises(MultikeyError, match="90 characters is too long: at most 89"):
        multikey.base58btc_decode(value + "2", max_length=89)


def test_base58btc_decode_has_no_default_bound():
    with pytest.raises(TypeError):
        multikey.base58btc_decode("z2")  # every caller must say how long a value may be


@pytest.mark.parametrize(
    "decode",
    [multikey.public_key_from_multibase, multikey.private_key_from_multibase],
    ids=["public", "secret"],
)
def test_a_200_kb_key_is_refused_without_decoding(decode, monkeypatch):
    def never(_):
        raise AssertionError("decoded")

    monkeypatch.setattr(multikey.base58, "b58decode", never)
    with pytest.raises(MultikeyError, match="200,001 characters is too long"):
        decode("z" + "2" * 200_000)


def test_an_overlong_did_key_is_refused_first_and_not_repeated(monkeypatch):
    monkeypatch.setattr(multikey.base58, "b58decode", lambda _: pytest.fail("decoded"))
    did = "did:key:z6Mk" + "2" * 200_000
    with pytest.raises(MultikeyError, match="too long") as caught:
        multikey.resolve_did_key(did)
    assert len(str(caught.value)) < 200
    fragment_too = f"did:key:{W3C['publicKeyMultibase']}#{W3C['publicKeyMultibase']}x"
    with pytest.raises(MultikeyError, match="106 characters is too long"):
        multikey.resolve_did_key(fragment_too)


def test_the_longest_did_key_url_still_resolves():
    vm = multikey.did_key_verification_method(Ed25519PrivateKey.generate().public_key())
    assert len(vm) == multikey.DID_KEY_URL_MAX_LENGTH
    assert multikey.resolve_did_key(vm)["assertionMethod"] == [vm]
