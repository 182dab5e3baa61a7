"""The Learner Credential Wallet's exchange (lcw.py) with a client we did not write:
tools/lcw-wallet plays LCW's part as @digitalcredentials/lcw-mock does (DCC's vc,
ed25519-signature-2020 and security-document-loader from npm) against a live server. It takes our
deep link, signs a DIDAuth for the challenge with its did:key and receives the badge's own
credential bound to that DID. DIDAuths made here with our Ed25519Signature2020 code check the
refusals: the wrong challenge, another key, a used or expired exchange."""

import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.cache import cache
from django.urls import reverse

from accounts.tests.factories import UserFactory
from badges import lcw
from badges.openbadges.vc import ed25519_signature_2020, multikey
from badges.services import assertion_revoke
from badges.tests.verifying import credential_report
from badges.wallet import OfferRefused
from courses.tests.factories import leads_admin

from .test_credentials import issue_one

WALLET = Path(__file__).resolve().parents[2] / "tools" / "lcw-wallet"
SITE = "https://centre.example"
VP_CONTEXT = ["https://www.w3.org/2018/credentials/v1", ed25519_signature_2020.SUITE_CONTEXT]


class Holder:
    """A wallet's did:key and its DIDAuth presentations (Ed25519Signature2020)."""

    def __init__(self):
        self.key = Ed25519PrivateKey.generate()
        self.did = multikey.did_key(self.key.public_key())
        self.vm = multikey.did_key_verification_method(self.key.public_key())

    def did_auth(self, challenge, *, key=None, domain=None, purpose="authentication"):
        presentation = {"@context": VP_CONTEXT, "type": ["VerifiablePresentation"],
                        "holder": self.did}  # fmt: skip
        return ed25519_signature_2020.add_proof(
            presentation, private_key=key or self.key, verification_method=self.vm,
            proof_purpose=purpose, challenge=challenge, domain=domain,
        )  # fmt: skip


def exchange_of(assertion):
    return lcw.lcw_exchange_create(assertion=assertion, acting_user=assertion.recipient)


def post(client, url, body):
    path = urlsplit(url).path
    return client.post(path, json.dumps(body), content_type="application/json")


# --- With the independent wallet on a live server ---------------------------------------------


@pytest.fixture
def lcw_wallet(live_server, settings):
    if (
        shutil.which("node") is None
        or not (WALLET / "node_modules" / "@digitalcredentials").is_dir()
    ):
        message = "the LCW wallet is not installed: npm ci --prefix tools/lcw-wallet"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    settings.SITE_URL = live_server.url

    def run(*args):
        done = subprocess.run(  # noqa: S603 - our own script, fixed arguments
            ["node", str(WALLET / "run.mjs"), *args],  # noqa: S607
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert done.stdout, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])

    return run


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("flow", ["deep link", "vcapi"])
def test_the_wallet_receives_the_badge_bound_to_its_did_once(lcw_wallet, flow):
    assertion = issue_one()
    exchange = exchange_of(assertion)
    args = [exchange.deep_link] if flow == "deep link" else [exchange.vcapi_link, "--vcapi"]
    result = lcw_wallet(*args)
    assert result["ok"], result
    received = result["body"]
    if flow == "vcapi":
        assert received["verifiablePresentation"]["type"] == ["VerifiablePresentation"]
        [received] = received["verifiablePresentation"]["verifiableCredential"]
    assert result["holder"].startswith("did:key:")
    assert received["credentialSubject"]["id"] == result["holder"]
    assert received["id"] == json.loads(assertion.credential_json)["id"]
    assert credential_report(received).verdict == "valid"
    # The exchange works once.
    again = lcw_wallet(*args)
    assert not again["ok"] and again["status"] == 404, again
    assert again["body"]["error"] == "unknown_exchange"
    # Revoking the badge revokes what the wallet holds.
    assertion_revoke(assertion=assertion, acting_user=leads_admin(), reason="Plagiarism")
    assert credential_report(received).verdict == "revoked"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "flags, error",
    [
        (["--challenge", "not-the-challenge"], "invalid_proof"),
        (["--sign-seed", "7"], "invalid_proof"),
    ],
)
def test_the_wallets_forged_did_auth_is_refused(lcw_wallet, flags, error):
    exchange = exchange_of(issue_one())
    result = lcw_wallet(exchange.deep_link, "--seed", "3", *flags)
    assert not result["ok"] and result["status"] == 401, result
    assert result["body"]["error"] == error
    # A refused DIDAuth does not spend the exchange: the wallet's own one still works.
    assert lcw_wallet(exchange.deep_link, "--seed", "3")["ok"]


# --- Our endpoints, with DIDAuths made here ---------------------------------------------------


@pytest.fixture
def site(settings):
    settings.SITE_URL = SITE


@pytest.mark.django_db
def test_the_deep_link_is_the_one_lcw_reads(site):
    exchange = exchange_of(issue_one())
    link = urlsplit(exchange.deep_link)
    assert f"{link.scheme}://{link.netloc}{link.path}" == "https://lcw.app/request.html"
    query = {k: v[0] for k, v in parse_qs(link.query).items()}
    assert query == {
        "issuer": "centre.example",
        "auth_type": "bearer",
        "challenge": exchange.challenge,
        "vc_request_url": f"{SITE}/lcw/exchanges/{exchange.exchange_id}/",
    }
    request = json.loads(parse_qs(urlsplit(exchange.vcapi_link).query)["request"][0])
    assert request == {"credentialRequestOrigin": SITE, "protocols": {"vcapi": exchange.url}}


@pytest.mark.django_db
def test_a_did_auth_gets_the_holder_bound_credential_once(client, site):
    assertion = issue_one()
    exchange = exchange_of(assertion)
    holder = Holder()
    response = post(client, exchange.url, holder.did_auth(exchange.challenge))
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    credential = response.json()
    assert credential["credentialSubject"]["id"] == holder.did
    assert (
        credential["credentialStatus"] == json.loads(assertion.credential_json)["credentialStatus"]
    )
    assert credential_report(credential).verdict == "valid"
    again = post(client, exchange.url, holder.did_auth(exchange.challenge))
    assert again.status_code == 404 and again.json()["error"] == "unknown_exchange"


@pytest.mark.django_db
def test_the_vcapi_exchange_asks_for_did_auth_then_answers_a_presentation(client, site):
    exchange = exchange_of(issue_one())
    request = post(client, exchange.url, {}).json()["verifiablePresentationRequest"]
    assert request["query"] == [{"type": "DIDAuthentication"}]
    assert request["challenge"] == exchange.challenge and request["domain"] == SITE
    endpoint = request["interact"]["service"][0]["serviceEndpoint"]
    holder = Holder()
    did_auth = holder.did_auth(request["challenge"], domain=request["domain"])
    answer = post(client, endpoint, {"verifiablePresentation": did_auth})
    assert answer.status_code == 200, answer.content
    [credential] = answer.json()["verifiablePresentation"]["verifiableCredential"]
    assert credential["credentialSubject"]["id"] == holder.did


@pytest.mark.django_db
def test_once_the_vcapi_request_names_our_domain_a_did_auth_without_it_is_refused(client, site):
    """No relay: a DIDAuth made for the same challenge without the domain we asked for (as a
    site the wallet really meant to answer would get) does not buy the badge."""
    exchange = exchange_of(issue_one())
    request = post(client, exchange.url, {}).json()["verifiablePresentationRequest"]
    holder = Holder()
    unbound = holder.did_auth(request["challenge"])
    answer = post(client, exchange.url, {"verifiablePresentation": unbound})
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_proof"
    bound = holder.did_auth(request["challenge"], domain=request["domain"])
    assert post(client, exchange.url, {"verifiablePresentation": bound}).status_code == 200


def _wrong_challenge(holder, exchange):
    return holder.did_auth("x" + exchange.challenge)


def _other_key(holder, exchange):
    return holder.did_auth(exchange.challenge, key=Ed25519PrivateKey.generate())


def _other_holder(holder, exchange):
    return {**holder.did_auth(exchange.challenge), "holder": Holder().did}


def _assertion_purpose(holder, exchange):
    return holder.did_auth(exchange.challenge, purpose="assertionMethod")


def _other_domain(holder, exchange):
    return holder.did_auth(exchange.challenge, domain="https://elsewhere.example")


def _no_proof(holder, exchange):
    return {k: v for k, v in holder.did_auth(exchange.challenge).items() if k != "proof"}


def _did_web_holder(holder, exchange):
    return {**holder.did_auth(exchange.challenge), "holder": "did:web:centre.example"}


def _credential(holder, exchange):
    return {**holder.did_auth(exchange.challenge), "type": ["VerifiableCredential"]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "forge, status, error",
    [
        (_wrong_challenge, 401, "invalid_proof"),
        (_other_key, 401, "invalid_proof"),
        (_other_holder, 401, "invalid_proof"),
        (_assertion_purpose, 401, "invalid_proof"),
        (_other_domain, 401, "invalid_proof"),
        (_no_proof, 401, "invalid_proof"),
        (_did_web_holder, 400, "invalid_holder"),
        (_credential, 400, "invalid_presentation"),
    ],
)
def test_a_did_auth_that_is_not_the_holders_for_our_challenge_is_refused(
    client, site, forge, status, error
):
    exchange = exchange_of(issue_one())
    holder = Holder()
    response = post(client, exchange.url, forge(holder, exchange))
    assert response.status_code == status and response.json()["error"] == error, response.content
    # The exchange is still there for the wallet's real DIDAuth.
    assert post(client, exchange.url, holder.did_auth(exchange.challenge)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body", [b"not json", b"[1]", b'"x"', b"{" + b" " * 70_000 + b"}", b'{"proof": 5}']
)
def test_bad_bodies_are_refused_with_json_not_a_crash(client, site, body):
    exchange = exchange_of(issue_one())
    response = client.post(urlsplit(exchange.url).path, body, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert "error" in response.json()


@pytest.mark.django_db
def test_an_expired_or_unknown_exchange_is_refused(client, site):
    exchange = exchange_of(issue_one())
    cache.delete(f"lcw:exchange:{exchange.exchange_id}")  # what the cache does after 10 minutes
    response = post(client, exchange.url, Holder().did_auth(exchange.challenge))
    assert response.status_code == 404 and response.json()["error"] == "unknown_exchange"
    response = post(client, "/lcw/exchanges/" + "a" * 100 + "/", {})
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_badge_revoked_after_the_link_is_refused(client, site):
    assertion = issue_one()
    exchange = exchange_of(assertion)
    assertion_revoke(assertion=assertion, acting_user=leads_admin(), reason="Plagiarism")
    response = post(client, exchange.url, Holder().did_auth(exchange.challenge))
    assert response.status_code == 403 and response.json()["error"] == "credential_request_denied"


@pytest.mark.django_db
def test_a_revoked_badge_gets_no_link(site):
    assertion = issue_one()
    assertion_revoke(assertion=assertion, acting_user=leads_admin(), reason="Plagiarism")
    with pytest.raises(OfferRefused):
        exchange_of(assertion)


# --- The learner's page --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_learner_gets_a_link_and_qr_code_on_the_wallet_page(client, site):
    assertion = issue_one()
    client.force_login(assertion.recipient)
    page = client.get(reverse("wallet:add_to_wallet", args=[assertion.pk]))
    assert reverse("wallet:lcw_offer", args=[assertion.pk]) in page.content.decode()
    response = client.post(reverse("wallet:lcw_offer", args=[assertion.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="https://lcw.app/request.html?issuer=centre.example&amp;auth_type=bearer' in html
    assert "data:image/" in html
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_another_learner_cannot_make_a_link_for_the_badge(client, site):
    assertion = issue_one()
    client.force_login(UserFactory(is_learner=True))
    response = client.post(reverse("wallet:lcw_offer", args=[assertion.pk]))
    assert response.status_code == 404


def test_a_body_nested_too_deeply_is_refused_not_a_500(client, site):
    url = reverse("wallet:lcw_exchange", args=["anything"])
    body = "[" * 5000 + "]" * 5000
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
