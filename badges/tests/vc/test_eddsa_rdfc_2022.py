"""eddsa-rdfc-2022 against published vectors, and verification that fails closed."""

import copy
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from badges.openbadges.vc import contexts, multikey
from badges.openbadges.vc.eddsa_rdfc_2022 import (
    MALFORMED_PROOF_ERROR,
    PROOF_GENERATION_ERROR,
    PROOF_TRANSFORMATION_ERROR,
    PROOF_VERIFICATION_ERROR,
    DataIntegrityError,
    add_proof,
    create_proof,
    hash_data,
    verify_credential,
    verify_proof,
)

from .conftest import ISSUER, golden_json, golden_text

CREATED = "2025-06-30T09:00:01Z"


def options_of(vector) -> dict:
    return {k: v for k, v in vector["proofOptions"].items() if k != "@context"}


# --- Published vectors -------------------------------------------------------------------------


def test_w3c_b1_hashes_signature_and_proof_value(examples_canonicalizer):
    vector = golden_json("w3c-vc-di-eddsa-b1/vector.json")
    for nquads, expected in [
        ("canonical-credential.nq", vector["credentialHash"]),
        ("canonical-proof-options.nq", vector["proofOptionsHash"]),
    ]:
        text = golden_text(f"w3c-vc-di-eddsa-b1/{nquads}")
        assert hashlib.sha256(text.encode()).hexdigest() == expected
    data = hash_data(vector["credential"], options_of(vector), examples_canonicalizer)
    assert data.hex() == vector["combinedHash"]
    key = multikey.private_key_from_multibase(vector["secretKeyMultibase"])
    assert key.sign(data).hex() == vector["signature"]


def test_w3c_b1_signed_credential_byte_exact(examples_canonicalizer):
    vector = golden_json("w3c-vc-di-eddsa-b1/vector.json")
    key = multikey.private_key_from_multibase(vector["secretKeyMultibase"])
    options = options_of(vector)
    signed = add_proof(
        vector["credential"],
        private_key=key,
        verification_method=options["verificationMethod"],
        created=options["created"],
        canonicalizer=examples_canonicalizer,
    )
    assert signed["proof"]["proofValue"] == vector["proofValue"]
    assert signed == vector["signedCredential"]


def test_w3c_b1_signed_credential_verifies(examples_canonicalizer):
    vector = golden_json("w3c-vc-di-eddsa-b1/vector.json")
    result = verify_proof(vector["signedCredential"], canonicalizer=examples_canonicalizer)
    assert result.verified, result.errors


def test_w3c_testvectors_https_method_byte_exact(examples_canonicalizer):
    vector = golden_json("w3c-vc-di-eddsa-testvectors/vector.json")
    signed = vector["signedCredential"]
    proof = signed["proof"]
    key = multikey.private_key_from_multibase(vector["secretKeyMultibase"])
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    data = hash_data(unsigned, options, examples_canonicalizer)
    assert data.hex() == vector["combinedHash"]
    again = create_proof(
        unsigned,
        private_key=key,
        verification_method=proof["verificationMethod"],
        created=proof["created"],
        canonicalizer=examples_canonicalizer,
    )
    assert again["proofValue"] == vector["proofValue"]
    controller = proof["verificationMethod"].partition("#")[0]
    controllers = {
        controller: multikey.controller_document(
            controller, {proof["verificationMethod"]: key.public_key()}
        )
    }
    result = verify_credential(
        signed, controllers=controllers, canonicalizer=examples_canonicalizer
    )
    assert result.verified, result.errors


def test_1edtech_ob30_vector_from_its_canonical_forms():
    vector = golden_json("1edtech-ob30-linked-data-proof/vector.json")
    proof_hash = hashlib.sha256(
        golden_text("1edtech-ob30-linked-data-proof/canonical-proof-options.nq").encode()
    ).digest()
    document_hash = hashlib.sha256(
        golden_text("1edtech-ob30-linked-data-proof/canonical-credential.nq").encode()
    ).digest()
    assert proof_hash.hex() == vector["proofOptionsHash"]
    assert document_hash.hex() == vector["credentialHash"]
    # The vector's secretKeyMultibase is the older 64-byte (seed + public key) form.
    key = multikey.private_key_from_multibase(vector["secretKeyMultibase"])
    assert multikey.public_key_to_multibase(key.public_key()) == vector["publicKeyMultibase"]
    seed = bytes.fromhex(vector["privateKeyHex"])[:32]
    assert Ed25519PrivateKey.from_private_bytes(seed).sign(b"x") == key.sign(b"x")
    signature = key.sign(proof_hash + document_hash)
    assert signature.hex() == vector["signature"]
    assert multikey.base58btc_encode(signature) == vector["proofValue"]


# --- Our credentials ---------------------------------------------------------------------------


@pytest.fixture
def signed_https(credential, issuer_key, https_vm) -> dict:
    return add_proof(
        credential, private_key=issuer_key, verification_method=https_vm, created=CREATED
    )


@pytest.fixture
def controllers(controller_document) -> dict:
    return {ISSUER: controller_document}


def test_proof_shape(signed_https, https_vm):
    proof = signed_https["proof"]
    assert proof == {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": CREATED,
        "verificationMethod": https_vm,
        "proofPurpose": "assertionMethod",
        "proofValue": proof["proofValue"],
    }
    assert proof["proofValue"].startswith("z")
    signature = multikey.base58btc_decode(
        proof["proofValue"], max_length=multikey.SIGNATURE_MULTIBASE_MAX_LENGTH
    )
    assert len(signature) == 64


def test_add_proof_leaves_the_input_alone(credential, issuer_key, https_vm):
    before = copy.deepcopy(credential)
    add_proof(credential, private_key=issuer_key, verification_method=https_vm)
    assert credential == before


def test_https_issuer_round_trip(signed_https, controllers, https_vm):
    result = verify_credential(signed_https, controllers=controllers)
    assert result.verified, result.errors
    assert result.verification_methods == (https_vm,)


def test_controllers_may_be_a_callable(signed_https, controllers):
    assert verify_credential(signed_https, controllers=controllers.get).verified


def test_did_key_issuer_round_trip(did_key_credential, issuer_key):
    signed = add_proof(
        did_key_credential,
        private_key=issuer_key,
        verification_method=multikey.did_key_verification_method(issuer_key.public_key()),
    )
    assert verify_credential(signed).verified


def test_signing_needs_the_suite_context(issuer_key, https_vm):
    document = {"@context": [contexts.CREDENTIALS_V1], "type": ["VerifiableCredential"]}
    with pytest.raises(DataIntegrityError) as raised:
        create_proof(document, private_key=issuer_key, verification_method=https_vm)
    assert raised.value.code == PROOF_GENERATION_ERROR


def test_signing_refuses_undefined_terms(credential, issuer_key, https_vm):
    credential["unmapped"] = "would not be signed"
    with pytest.raises(DataIntegrityError) as raised:
        create_proof(credential, private_key=issuer_key, verification_method=https_vm)
    assert raised.value.code == PROOF_TRANSFORMATION_ERROR


def failure(document, **options):
    result = verify_credential(document, **options)
    assert not result.verified
    return result.errors[0]


def test_changed_field_is_rejected(signed_https, controllers):
    signed_https["credentialSubject"]["achievement"]["name"] = "Advanced Data Literacy"
    error = failure(signed_https, controllers=controllers)
    assert (error.code, str(error)) == (PROOF_VERIFICATION_ERROR, "invalid signature")


def test_changed_proof_option_is_rejected(signed_https, controllers):
    signed_https["proof"]["created"] = "2020-01-01T00:00:00Z"
    assert str(failure(signed_https, controllers=controllers)) == "invalid signature"


def test_added_undefined_term_is_rejected(signed_https, controllers):
    signed_https["credentialSubject"]["grade"] = "A+"
    assert failure(signed_https, controllers=controllers).code == PROOF_TRANSFORMATION_ERROR


def test_added_defined_term_is_rejected(signed_https, controllers):
    signed_https["description"] = "A defined term, so it changes the dataset"
    assert str(failure(signed_https, controllers=controllers)) == "invalid signature"


def test_wrong_key_is_rejected(credential, other_key, https_vm, controllers):
    signed = add_proof(credential, private_key=other_key, verification_method=https_vm)
    assert str(failure(signed, controllers=controllers)) == "invalid signature"


def test_missing_proof_is_rejected(credential, controllers):
    assert failure(credential, controllers=controllers).code == MALFORMED_PROOF_ERROR


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"cryptosuite": "eddsa-jcs-2022"}, PROOF_VERIFICATION_ERROR),
        ({"cryptosuite": "ecdsa-rdfc-2019"}, PROOF_VERIFICATION_ERROR),
        ({"type": "Ed25519Signature2020"}, MALFORMED_PROOF_ERROR),
        ({"proofValue": "uAAAA"}, MALFORMED_PROOF_ERROR),
        ({"proofValue": "z0OIl"}, MALFORMED_PROOF_ERROR),
        ({"proofValue": "z" + "1" * 20}, MALFORMED_PROOF_ERROR),
        ({"proofValue": 12}, MALFORMED_PROOF_ERROR),
        ({"created": "yesterday"}, MALFORMED_PROOF_ERROR),
        ({"proofPurpose": "authentication"}, PROOF_VERIFICATION_ERROR),
        ({"previousProof": "urn:uuid:1"}, PROOF_VERIFICATION_ERROR),
        ({"@context": [contexts.CREDENTIALS_V2]}, MALFORMED_PROOF_ERROR),
    ],
)
def test_malformed_or_foreign_proofs_are_rejected(signed_https, controllers, change, code):
    signed_https["proof"].update(change)
    assert failure(signed_https, controllers=controllers).code == code


def test_proof_that_is_not_an_object_is_rejected(signed_https, controllers):
    signed_https["proof"] = "z123"
    assert failure(signed_https, controllers=controllers).code == MALFORMED_PROOF_ERROR


def test_every_proof_of_a_set_must_verify(signed_https, controllers):
    broken = dict(signed_https["proof"], proofValue=signed_https["proof"]["proofValue"][:-2])
    signed_https["proof"] = [signed_https["proof"], broken]
    result = verify_credential(signed_https, controllers=controllers)
    assert not result.verified
    assert len(result.errors) == 1


def test_unknown_controller_document_is_rejected(signed_https):
    assert "not available" in str(failure(signed_https))


def test_method_not_authorized_for_assertion_is_rejected(signed_https, controller_document):
    controller_document = dict(controller_document, assertionMethod=[])
    error = failure(signed_https, controllers={ISSUER: controller_document})
    assert "not authorized for assertionMethod" in str(error)


def test_method_missing_from_controller_document_is_rejected(signed_https, controller_document):
    controller_document = dict(controller_document, verificationMethod=[])
    assert "not in its controller document" in str(
        failure(signed_https, controllers={ISSUER: controller_document})
    )


def test_controller_document_with_another_id_is_rejected(signed_https, controller_document):
    impostor = dict(controller_document, id="https://evil.example/issuer")
    assert "controller document id" in str(failure(signed_https, controllers={ISSUER: impostor}))


def test_key_of_another_controller_cannot_sign_for_the_issuer(credential, other_key, controllers):
    other = "https://other.example/issuers/1"
    signed = add_proof(credential, private_key=other_key, verification_method=f"{other}#key-1")
    controllers[other] = multikey.controller_document(
        other, {f"{other}#key-1": other_key.public_key()}
    )
    assert "is not the issuer" in str(failure(signed, controllers=controllers))
    assert verify_proof(signed, controllers=controllers).verified  # fine as a bare DI proof


def test_did_key_of_another_key_is_rejected(did_key_credential, issuer_key, other_key):
    signed = add_proof(
        did_key_credential,
        private_key=issuer_key,
        verification_method=multikey.did_key_verification_method(other_key.public_key()),
    )
    assert "is not the issuer" in str(failure(signed))


def test_did_key_that_is_not_ed25519_is_rejected(did_key_credential, issuer_key):
    p256 = "did:key:zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP"
    did_key_credential["issuer"]["id"] = p256
    signed = add_proof(
        did_key_credential,
        private_key=issuer_key,
        verification_method=f"{p256}#zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP",
    )
    assert failure(signed).code == PROOF_VERIFICATION_ERROR


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["@context"].__setitem__(0, "relative-context"),
        lambda d: d.__setitem__("@context", 5),
        lambda d: d["credentialSubject"].__setitem__("achievement", {"@id": 5}),
    ],
)
def test_malformed_json_ld_fails_verification_instead_of_raising(signed_https, controllers, mutate):
    mutate(signed_https)
    assert failure(signed_https, controllers=controllers).code == PROOF_TRANSFORMATION_ERROR


@pytest.mark.parametrize("document", [None, [], "a credential"])
def test_non_objects_fail_verification(document):
    assert not verify_credential(document).verified
    assert not verify_proof(document).verified
