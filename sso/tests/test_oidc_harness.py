"""The OpenID Provider harness (config/testing/oidc_provider.py) checked on its own, without the
centre: discovery, one authorization code flow with PKCE done with plain `requests`, the ID
token checked with joserfc against the provider's published keys, RP-initiated logout, the
wrong clock, and the test-only minting of ID tokens for another audience. If these pass, a
failing sign-in test is about the centre, not the harness."""

import hashlib
import os
import secrets
import threading
import time
from base64 import urlsafe_b64encode
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.errors import ExpiredTokenError
from joserfc.jwk import KeySet
from playwright.sync_api import expect

from config.testing.processes import HOST, free_port

REDIRECT_URI = "http://127.0.0.1:9/cb"  # never followed: nothing listens on port 9
POST_LOGOUT_URI = "http://127.0.0.1:9/signed-out"
CLIENT = {
    "client_id": "centre",
    "client_secret": "centre-secret",
    "redirect_uris": [REDIRECT_URI],
    "post_logout_redirect_uris": [POST_LOGOUT_URI],
}
ACCOUNTS = {
    "alice": {
        "sub": "alice-0001",
        "email": "alice@uni.example",
        "email_verified": True,
        "given_name": "Alice",
        "family_name": "Liddell",
        "name": "Alice Liddell",
        "eduPersonAffiliation": ["staff", "member"],
        "groups": ["ied-leaders"],
    }
}


def pkce_pair() -> tuple[str, str]:
    """A code verifier and its S256 challenge (RFC 7636 section 4.2)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorization_url(
    discovery, *, scope="openid email profile", redirect_uri=REDIRECT_URI, **extra
):
    verifier, challenge = pkce_pair()
    params = {
        "client_id": CLIENT["client_id"],
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": scope,
        "state": secrets.token_urlsafe(16),
        "nonce": secrets.token_urlsafe(16),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }
    params = {name: value for name, value in params.items() if value is not None}
    return f"{discovery['authorization_endpoint']}?{urlencode(params)}", params, verifier


def redeem(discovery, callback_url, verifier, *, auth_method="client_secret_basic"):
    code = parse_qs(urlsplit(callback_url).query)["code"][0]
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": callback_url.split("?")[0],
        "code_verifier": verifier,
    }
    auth = None
    if auth_method == "client_secret_basic":
        auth = (CLIENT["client_id"], CLIENT["client_secret"])
    else:
        data |= {"client_id": CLIENT["client_id"], "client_secret": CLIENT["client_secret"]}
    response = requests.post(discovery["token_endpoint"], data=data, auth=auth, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def verified_claims(provider, id_token) -> dict:
    """The ID token's claims once its signature checks against the provider's JWKS."""
    keys = KeySet.import_key_set(provider.jwks())
    return jwt.decode(id_token, keys, algorithms=["RS256"]).claims


def test_discovery_document(oidc_provider):
    provider = oidc_provider.start(clients=[CLIENT], accounts=ACCOUNTS)

    discovery = provider.discovery()

    assert discovery["issuer"] == provider.issuer
    assert provider.discovery_url == f"{provider.issuer}/.well-known/openid-configuration"
    assert "S256" in discovery["code_challenge_methods_supported"]
    assert discovery["end_session_endpoint"] == f"{provider.issuer}/session/end"
    assert discovery["response_types_supported"] == ["code"]
    assert {"client_secret_basic", "client_secret_post"} <= set(
        discovery["token_endpoint_auth_methods_supported"]
    )
    assert {"eduPersonAffiliation", "groups", "email"} <= set(discovery["claims_supported"])
    assert [key["alg"] for key in provider.jwks()["keys"]] == ["RS256"]


@pytest.mark.parametrize("auth_method", ["client_secret_basic", "client_secret_post"])
def test_code_flow_with_pkce_then_logout(oidc_provider, auth_method):
    provider = oidc_provider.start(clients=[CLIENT], accounts=ACCOUNTS)
    discovery = provider.discovery()
    url, params, verifier = authorization_url(discovery)
    browser = requests.Session()

    callback = provider.sign_in_http(url, "alice", session=browser)

    assert callback.startswith(f"{REDIRECT_URI}?")
    query = parse_qs(urlsplit(callback).query)
    assert query["state"] == [params["state"]]
    assert query["iss"] == [provider.issuer]  # RFC 9207
    tokens = redeem(discovery, callback, verifier, auth_method=auth_method)
    claims = verified_claims(provider, tokens["id_token"])
    assert claims["iss"] == provider.issuer
    assert claims["aud"] == "centre"
    assert claims["nonce"] == params["nonce"]
    assert claims["sub"] == "alice-0001"
    assert claims["email"] == "alice@uni.example"
    assert claims["email_verified"] is True
    assert (claims["given_name"], claims["family_name"]) == ("Alice", "Liddell")
    assert claims["eduPersonAffiliation"] == ["staff", "member"]
    assert claims["groups"] == ["ied-leaders"]
    assert claims["exp"] > time.time()

    # RP-initiated logout ends the provider's session and returns to the registered URI.
    end_session = discovery["end_session_endpoint"] + "?" + urlencode({
        "id_token_hint": tokens["id_token"],
        "post_logout_redirect_uri": POST_LOGOUT_URI,
        "state": "bye",
    })  # fmt: skip
    assert provider.sign_out_http(end_session, session=browser) == f"{POST_LOGOUT_URI}?state=bye"
    again, _, _ = authorization_url(discovery)
    response = browser.get(again, allow_redirects=True, timeout=10)
    assert 'id="login-form"' in response.text, "signed out, the provider asks to sign in again"


def test_pkce_is_required(oidc_provider):
    provider = oidc_provider.start(clients=[CLIENT], accounts=ACCOUNTS)
    url, _, _ = authorization_url(
        provider.discovery(), code_challenge=None, code_challenge_method=None
    )

    callback = provider.sign_in_http(url, "alice")

    query = parse_qs(urlsplit(callback).query)
    assert query["error"] == ["invalid_request"]
    assert "PKCE" in query["error_description"][0]


def test_unknown_login_is_refused(oidc_provider):
    provider = oidc_provider.start(clients=[CLIENT], accounts=ACCOUNTS)
    url, _, _ = authorization_url(provider.discovery())

    with pytest.raises(AssertionError, match="refused the login 'mallory'"):
        provider.sign_in_http(url, "mallory")


def test_claims_from_userinfo_only_and_extra_claims_under_their_own_scope(oidc_provider):
    provider = oidc_provider.start(
        clients=[CLIENT], accounts=ACCOUNTS, claims_in_id_token=False, extra_claims_scope="edu"
    )
    discovery = provider.discovery()
    assert "edu" in discovery["scopes_supported"]
    url, _, verifier = authorization_url(discovery, scope="openid email profile")

    tokens = redeem(discovery, provider.sign_in_http(url, "alice"), verifier)

    claims = verified_claims(provider, tokens["id_token"])
    assert "email" not in claims
    userinfo = requests.get(
        discovery["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=10,
    ).json()
    assert userinfo["email"] == "alice@uni.example"
    assert userinfo["given_name"] == "Alice"
    assert "eduPersonAffiliation" not in userinfo, "not without the edu scope"


def test_a_provider_clock_two_hours_behind_issues_expired_id_tokens(oidc_provider):
    issuer = oidc_provider.start(clients=[CLIENT], accounts=ACCOUNTS).issuer
    oidc_provider.stop()
    provider = oidc_provider.start(clients=[CLIENT], accounts=ACCOUNTS, clock_offset_seconds=-7200)
    assert provider.issuer == issuer, "restarted on the same port"
    discovery = provider.discovery()
    url, _, verifier = authorization_url(discovery)

    tokens = redeem(discovery, provider.sign_in_http(url, "alice"), verifier)

    claims = verified_claims(provider, tokens["id_token"])
    assert claims["exp"] < time.time() - 3000
    with pytest.raises(ExpiredTokenError):
        jwt.JWTClaimsRegistry().validate(claims)


def test_minted_id_token_for_another_audience_is_signed_by_the_provider(oidc_provider):
    provider = oidc_provider.start(clients=[CLIENT], accounts=ACCOUNTS)

    id_token = provider.mint_id_token("centre", "alice-0001", "n-0S6", aud="other")

    claims = verified_claims(provider, id_token)
    assert claims["aud"] == "other"
    assert claims["iss"] == provider.issuer
    assert (claims["sub"], claims["nonce"]) == ("alice-0001", "n-0S6")
    assert claims["email"] == "alice@uni.example"
    assert claims["exp"] > time.time()
    overridden = provider.mint_id_token("centre", "alice-0001", "n", iss="http://evil.example")
    assert verified_claims(provider, overridden)["iss"] == "http://evil.example"


class _ClientPage(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"the client"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def client_site():
    """A stand-in for the client's pages in the browser test, answering 200 to any GET: Chromium
    refuses port 9 (ERR_UNSAFE_PORT), and Playwright's routes do not catch redirects."""
    server = ThreadingHTTPServer((HOST, free_port()), _ClientPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.browser
def test_sign_in_and_logout_pages_in_chromium(oidc_provider, client_site, page):
    """`sign_in` fills the provider's page in Chromium; the logout confirmation submits itself."""
    if not os.path.exists(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")):
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    redirect_uri, post_logout_uri = f"{client_site}/cb", f"{client_site}/signed-out"
    client = {
        **CLIENT,
        "redirect_uris": [redirect_uri],
        "post_logout_redirect_uris": [post_logout_uri],
    }
    provider = oidc_provider.start(clients=[client], accounts=ACCOUNTS)
    discovery = provider.discovery()
    url, params, verifier = authorization_url(discovery, redirect_uri=redirect_uri)

    page.goto(url)
    expect(page.get_by_label("Login", exact=True)).to_be_visible()
    expect(page.get_by_label("Password", exact=True)).to_be_visible()
    provider.sign_in(page, "alice")

    assert page.url.startswith(f"{redirect_uri}?")
    assert parse_qs(urlsplit(page.url).query)["state"] == [params["state"]]
    tokens = redeem(discovery, page.url, verifier)
    end_session = discovery["end_session_endpoint"] + "?" + urlencode({
        "id_token_hint": tokens["id_token"],
        "post_logout_redirect_uri": post_logout_uri,
        "state": "bye",
    })  # fmt: skip
    page.goto(end_session)
    expect(page).to_have_url(f"{post_logout_uri}?state=bye")

    page.goto(authorization_url(discovery, redirect_uri=redirect_uri)[0])
    expect(page.locator("#login")).to_be_visible()  # signed out at the provider too
    provider.cancel_sign_in(page)
    assert parse_qs(urlsplit(page.url).query)["error"] == ["access_denied"]
