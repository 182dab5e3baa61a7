"""OpenID4VCI 1.0 with a wallet we did not write: tools/oid4vci-wallet runs Animo's
`@openid4vc/openid4vci` (npm) as the holder against this site on a live server. It takes the
offer URI, reads both metadata documents, exchanges the pre-authorized code with the
transaction code, fetches a nonce, proves possession with its own key (did:key or did:jwk) and
receives the credential, which Digital Bazaar's verifier then accepts. Each bad request is
refused with the error code the specification names."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from badges.services import assertion_revoke
from badges.tests.verifying import credential_report, jwt_report
from badges.wallet import wallet_offer_create
from courses.tests.factories import leads_admin

from .test_credentials import issue_one
from .vc.conftest import js_verify  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True)]
WALLET = Path(__file__).resolve().parents[2] / "tools" / "oid4vci-wallet"


@pytest.fixture
def wallet(live_server, settings):
    if shutil.which("node") is None or not (WALLET / "node_modules" / "@openid4vc").is_dir():
        message = "the OpenID4VCI wallet is not installed: npm ci --prefix tools/oid4vci-wallet"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    settings.SITE_URL = live_server.url  # the credential issuer the wallet talks to

    def run(*args):
        done = subprocess.run(  # noqa: S603 - our own script, fixed arguments
            ["node", str(WALLET / "wallet.mjs"), *args],  # noqa: S607
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert done.stdout, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])

    return run


def offer(assertion):
    _, uri, tx_code = wallet_offer_create(assertion=assertion, acting_user=assertion.recipient)
    return uri, tx_code


@pytest.mark.parametrize(
    "method, configuration",
    [("key", "OpenBadgeCredential_ldp_vc"), ("jwk", "OpenBadgeCredential_jwt_vc_json")],
)
def test_an_independent_wallet_receives_the_badge_bound_to_its_own_key(
    wallet,
    live_server,
    client,
    method,
    configuration,
    js_verify,  # noqa: F811
):
    assertion = issue_one()
    uri, tx_code = offer(assertion)
    result = wallet("--offer", uri, "--tx-code", tx_code, "--did-method", method,
                    "--configuration", configuration)  # fmt: skip
    assert result["ok"], result
    assert result["holder"].startswith(f"did:{method}:")
    received = result["credential"]
    if configuration.endswith("ldp_vc"):
        assert received["credentialSubject"]["id"] == result["holder"]
        assert credential_report(received).verdict == "valid"
        site = live_server.url
        controller = client.get(
            received["issuer"]["id"].removeprefix(site), HTTP_ACCEPT="application/ld+json"
        ).json()
        contexts = {
            url: client.get(url.removeprefix(site)).json()
            for url in received["@context"]
            if url.startswith(site)
        }
        verdict = js_verify(received, controllers=[controller], contexts=contexts)
        assert verdict["verified"], verdict["errors"]
    else:
        assert jwt_report(received).verdict == "valid"
    # Revoking the badge revokes what the wallet holds.
    assertion_revoke(assertion=assertion, acting_user=leads_admin(), reason="Plagiarism")
    report = credential_report(received) if isinstance(received, dict) else jwt_report(received)
    assert report.verdict == "revoked"


@pytest.mark.parametrize(
    "flags, step, error",
    [
        (["--tx-code", "000000"], "token", "invalid_grant"),
        (["--proof-key", "other"], "credential", "invalid_proof"),
        (["--nonce", "stale"], "credential", "invalid_nonce"),
        (["--configuration", "UniversityDegree_jwt"], "credential",
         "unknown_credential_configuration"),
    ],
)  # fmt: skip
def test_the_wallets_bad_requests_are_refused_with_the_specifications_error_codes(
    wallet, flags, step, error
):
    uri, tx_code = offer(issue_one())
    if flags[0] == "--tx-code":
        tx_code = "000000" if tx_code != "000000" else "111111"
        flags = []
    result = wallet("--offer", uri, "--tx-code", tx_code, *flags)
    assert not result["ok"] and result["step"] == step and result["error"] == error, result


def test_a_used_offer_is_refused_to_a_second_wallet(wallet):
    uri, tx_code = offer(issue_one())
    assert wallet("--offer", uri, "--tx-code", tx_code)["ok"]
    again = wallet("--offer", uri, "--tx-code", tx_code)
    assert not again["ok"] and again["step"] == "token" and again["error"] == "invalid_grant"
