"""Ed25519Signature2020 (ed25519_signature_2020.py) against a golden DIDAuth signed by DCC's
@digitalcredentials/vc 10.0.2 + ed25519-signature-2020 7.0.0 (tools/lcw-wallet), and round trips."""

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from badges.openbadges.vc import ed25519_signature_2020 as suite
from badges.openbadges.vc import multikey
from badges.openbadges.vc.eddsa_rdfc_2022 import DataIntegrityError

# vc.signPresentation of createPresentation({holder, version: 1.0}), challenge "abc", domain
# "example.org", key seed 32 x 0x01.
HOLDER = "did:key:z6Mkon3Necd6NkkyfoGoHxid2znGc59LU3K7mubaRcFbLfLX"
GOLDEN = {
    "@context": [
        "https://www.w3.org/2018/credentials/v1",
        "https://w3id.org/security/suites/ed25519-2020/v1",
    ],
    "type": ["VerifiablePresentation"],
    "holder": HOLDER,
    "proof": {
        "type": "Ed25519Signature2020",
        "created": "2026-12-06T08:35:37Z",
        "verificationMethod": f"{HOLDER}#{HOLDER.removeprefix('did:key:')}",
        "proofPurpose": "authentication",
        "challenge": "abc",
        "domain": "example.org",
        "proofValue": (
            "zakKHt35JivzC6dUdGsgsJMU8CZFXAEiwMhrhUB7TEZtM"
            "R4Po76gLiPv3mok9KrzSzZKX5CeqHexqGiaka2jcHnP"
        ),
    },
}


def test_a_did_auth_signed_by_dccs_javascript_library_verifies():
    assert (
        suite.verify_proof(GOLDEN, expected_challenge="abc", expected_domain="example.org")
        == GOLDEN["holder"]
    )


@pytest.mark.parametrize(
    "change, options",
    [
        ({"holder": "did:key:z6MkqJAUa299LgRoKiaHtFG6KWVK1iUddAM5oUHsGRto9hfz"}, {}),
        ({}, {"expected_challenge": "abd"}),
        ({}, {"expected_domain": "example.com"}),
        ({}, {"expected_proof_purpose": "assertionMethod"}),
        ({}, {"expected_controller": "did:key:z6MkqJAUa299LgRoKiaHtFG6KWVK1iUddAM5oUHsGRto9hfz"}),
    ],
)
def test_a_changed_document_or_other_expectations_fail(change, options):
    with pytest.raises(DataIntegrityError):
        suite.verify_proof({**GOLDEN, **change}, **options)


def test_round_trip_and_a_tampered_proof_value():
    key = Ed25519PrivateKey.generate()
    did = multikey.did_key(key.public_key())
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2", suite.SUITE_CONTEXT],
        "type": ["VerifiablePresentation"],
        "holder": did,
    }
    signed = suite.add_proof(
        document,
        private_key=key,
        verification_method=multikey.did_key_verification_method(key.public_key()),
        challenge="c",
    )
    assert suite.verify_proof(signed, expected_challenge="c", expected_controller=did) == did
    other = multikey.base58btc_encode(bytes(64))
    with pytest.raises(DataIntegrityError, match="invalid signature"):
        suite.verify_proof({**signed, "proof": {**signed["proof"], "proofValue": other}})
