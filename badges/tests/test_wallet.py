"""OpenID4VCI 1.0 as our endpoints speak it, with holder proofs made here (the independent
wallet from npm walks the same flow in test_wallet_interop.py): an offer works once and for
minutes, the transaction code is required, the proof must be the holder's and fresh, and the
credential is the badge's own, bound to the holder, carrying the badge's status entry."""

import json
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.urls import reverse
from django.utils import timezone

from badges import openid4vci
from badges.models import WalletOffer
from badges.openbadges.vc import multikey
from badges.services import assertion_revoke
from badges.tests.verifying import credential_report, jwt_report
from badges.wallet import OfferRefused, wallet_offer_create
from courses.tests.factories import leads_admin

from .test_credentials import issue_one
from .vc.conftest import js_verify  # noqa: F401

pytestmark = pytest.mark.django_db
SITE = "https://centre.example"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


class Holder:
    """A wallet's key, as a did:key, and its proofs of possession (§8.2.1.1)."""

    def __init__(self):
        self.key = Ed25519PrivateKey.generate()
        self.did = multikey.did_key(self.key.public_key())
        self.kid = f"{self.did}#{self.did.removeprefix('did:key:')}"

    def proof(self, nonce, *, key=None, aud=SITE, typ="openid4vci-proof+jwt", iat=None):
        return pyjwt.encode(
            {"aud": aud, "iat": int(iat or time.time()), "nonce": nonce},
            key or self.key,
            algorithm="EdDSA",
            headers={"typ": typ, "kid": self.kid},
        )


def offer_of(assertion):
    _, uri, tx_code = wallet_offer_create(assertion=assertion, acting_user=assertion.recipient)
    offer = json.loads(parse_qs(urlsplit(uri).query)["credential_offer"][0])
    grant = offer["grants"][openid4vci.PRE_AUTHORIZED_GRANT]
    return offer, grant["pre-authorized_code"], tx_code


def token(client, code, tx_code):
    # RFC 6749 §4.1.3: a form, application/x-www-form-urlencoded.
    return client.post(
        reverse("wallet:token"),
        urlencode({"grant_type": openid4vci.PRE_AUTHORIZED_GRANT, "pre-authorized_code": code,
                   "tx_code": tx_code}),
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip


def nonce(client):
    return client.post(reverse("wallet:nonce")).json()["c_nonce"]


def credential(client, access_token, proof, configuration=openid4vci.LDP_VC):
    return client.post(
        reverse("wallet:credential"),
        json.dumps({"credential_configuration_id": configuration, "proofs": {"jwt": [proof]}}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {access_token}",
    )


@pytest.fixture
def issued():
    return issue_one()


def test_the_metadata_names_both_configurations_and_every_endpoint(client):
    metadata = client.get("/.well-known/openid-credential-issuer").json()
    assert metadata["credential_issuer"] == SITE
    assert metadata["credential_endpoint"] == f"{SITE}/oid4vci/credential"
    assert metadata["nonce_endpoint"] == f"{SITE}/oid4vci/nonce"
    configurations = metadata["credential_configurations_supported"]
    assert configurations[openid4vci.LDP_VC]["format"] == "ldp_vc"
    assert configurations[openid4vci.LDP_VC]["credential_signing_alg_values_supported"] == [
        "eddsa-rdfc-2022"
    ]
    assert configurations[openid4vci.JWT_VC]["format"] == "jwt_vc_json"
    server = client.get("/.well-known/oauth-authorization-server").json()
    assert server["token_endpoint"] == f"{SITE}/oid4vci/token"
    assert server["pre-authorized_grant_anonymous_access_supported"] is True


@pytest.mark.parametrize("configuration", [openid4vci.LDP_VC, openid4vci.JWT_VC])
def test_a_wallet_receives_the_badge_bound_to_its_key_and_revoking_the_badge_revokes_it(
    client, issued, configuration
):
    holder = Holder()
    offer, code, tx_code = offer_of(issued)
    assert offer["credential_configuration_ids"] == list(openid4vci.CONFIGURATIONS)
    answer = token(client, code, tx_code)
    assert answer.status_code == 200, answer.content
    access = answer.json()["access_token"]
    response = credential(client, access, holder.proof(nonce(client)), configuration)
    assert response.status_code == 200, response.content
    received = response.json()["credentials"][0]["credential"]
    hosted = json.loads(issued.credential_json)
    if configuration == openid4vci.LDP_VC:
        assert received["credentialSubject"]["id"] == holder.did
        assert received["id"] == hosted["id"]
        assert received["credentialStatus"] == hosted["credentialStatus"]
        report = credential_report(received)
    else:
        payload = pyjwt.decode(received, options={"verify_signature": False})
        assert payload["sub"] == holder.did
        assert payload["credentialStatus"] == hosted["credentialStatus"]
        report = jwt_report(received)
    assert report.verdict == "valid", report.checks
    assertion_revoke(assertion=issued, acting_user=leads_admin(), reason="Plagiarism")
    again = credential_report(received) if isinstance(received, dict) else jwt_report(received)
    assert again.verdict == "revoked"


def test_an_offer_works_once(client, issued):
    _, code, tx_code = offer_of(issued)
    assert token(client, code, tx_code).status_code == 200
    reused = token(client, code, tx_code)
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"


def test_an_expired_offer_is_refused(client, issued):
    _, code, tx_code = offer_of(issued)
    WalletOffer.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert token(client, code, tx_code).json()["error"] == "invalid_grant"


def test_a_wrong_transaction_code_is_refused_and_three_spend_the_offer(client, issued):
    _, code, tx_code = offer_of(issued)
    wrong = "000000" if tx_code != "000000" else "111111"
    for _ in range(3):
        answer = token(client, code, wrong)
        assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
    assert token(client, code, tx_code).json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    "bad, error",
    [
        ("other key", "invalid_proof"),
        ("stale nonce", "invalid_nonce"),
        ("wrong audience", "invalid_proof"),
        ("old proof", "invalid_proof"),
        ("wrong typ", "invalid_proof"),
        ("unknown configuration", "unknown_credential_configuration"),
        ("no token", "invalid_token"),
    ],
)
def test_each_bad_credential_request_is_refused_with_its_error_code(client, issued, bad, error):
    holder = Holder()
    _, code, tx_code = offer_of(issued)
    access = token(client, code, tx_code).json()["access_token"]
    fresh = nonce(client)
    proof, configuration = holder.proof(fresh), openid4vci.LDP_VC
    if bad == "other key":
        proof = holder.proof(fresh, key=Ed25519PrivateKey.generate())
    elif bad == "stale nonce":
        proof = holder.proof("not-a-nonce-we-gave")
    elif bad == "wrong audience":
        proof = holder.proof(fresh, aud="https://elsewhere.example")
    elif bad == "old proof":
        proof = holder.proof(fresh, iat=time.time() - 3600)
    elif bad == "wrong typ":
        proof = holder.proof(fresh, typ="JWT")
    elif bad == "unknown configuration":
        configuration = "UniversityDegree_jwt"
    elif bad == "no token":
        access = "not-a-token"
    response = credential(client, access, proof, configuration)
    assert response.json()["error"] == error
    assert response.status_code == (401 if error == "invalid_token" else 400)
    assert not WalletOffer.objects.filter(issued_at__isnull=False).exists()


def test_an_access_token_buys_one_credential(client, issued):
    holder = Holder()
    _, code, tx_code = offer_of(issued)
    access = token(client, code, tx_code).json()["access_token"]
    assert credential(client, access, holder.proof(nonce(client))).status_code == 200
    again = credential(client, access, holder.proof(nonce(client)))
    assert again.status_code == 401 and again.json()["error"] == "invalid_token"


def test_only_the_earner_makes_an_offer_and_never_of_a_revoked_badge(client, issued):
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory())
    url = reverse("wallet:add_to_wallet", args=[issued.pk])
    assert client.post(url).status_code == 404
    client.force_login(issued.recipient)
    page = client.post(url)
    assert page.status_code == 200 and "openid-credential-offer://" in page.content.decode()
    assert "Transaction code" in page.content.decode()
    assertion_revoke(assertion=issued, acting_user=leads_admin(), reason="Plagiarism")
    with pytest.raises(OfferRefused, match="revoked"):
        wallet_offer_create(assertion=issued, acting_user=issued.recipient)


@pytest.mark.vcjs
def test_the_js_verifier_accepts_the_holder_bound_credential(
    client,
    issued,
    js_verify,  # noqa: F811
):
    holder = Holder()
    _, code, tx_code = offer_of(issued)
    access = token(client, code, tx_code).json()["access_token"]
    received = credential(client, access, holder.proof(nonce(client))).json()["credentials"][0][
        "credential"
    ]
    controller = client.get(
        received["issuer"]["id"].removeprefix(SITE), HTTP_ACCEPT="application/ld+json"
    ).json()
    contexts = {
        url: client.get(url.removeprefix(SITE)).json()
        for url in received["@context"]
        if url.startswith(SITE)
    }
    result = js_verify(received, controllers=[controller], contexts=contexts)
    assert result["verified"], result["errors"]


@pytest.mark.parametrize(
    "body, authorization, error, status",
    [
        ("[" * 5000 + "]" * 5000, "Bearer x", "invalid_credential_request", 400),
        ("{}", "DPoP x", "invalid_token", 401),
    ],
    ids=["nested", "dpop"],
)
def test_odd_credential_requests_are_refused_never_500(client, body, authorization, error, status):
    response = client.post(
        reverse("wallet:credential"), body, content_type="application/json",
        HTTP_AUTHORIZATION=authorization,
    )  # fmt: skip
    assert response.status_code == status and response.json()["error"] == error


def test_a_proof_must_name_its_key_once_and_a_did_jwk_as_0(client, issued):
    import base64

    holder = Holder()
    jwk = pyjwt.algorithms.OKPAlgorithm.to_jwk(holder.key.public_key(), as_dict=True)
    did = "did:jwk:" + base64.urlsafe_b64encode(json.dumps(jwk).encode()).decode().rstrip("=")
    _, code, tx_code = offer_of(issued)
    access = token(client, code, tx_code).json()["access_token"]
    for headers in [
        {"typ": "openid4vci-proof+jwt", "kid": f"{did}#1"},
        {"typ": "openid4vci-proof+jwt", "kid": holder.kid, "jwk": jwk},
    ]:
        proof = pyjwt.encode(
            {"aud": SITE, "iat": int(time.time()), "nonce": nonce(client)},
            holder.key, algorithm="EdDSA", headers=headers,
        )  # fmt: skip
        assert credential(client, access, proof).json()["error"] == "invalid_proof"
