"""A real OpenID Provider for the tests of our OpenID Connect sign-in.

`tools/oidc-provider/server.mjs` runs panva's `oidc-provider` (OpenID Certified; we did not
write it) on 127.0.0.1, with the clients and accounts a test gives, a minimal sign-in page,
automatic consent, RP-initiated logout, and one test-only endpoint that mints ID tokens with the
provider's own signing key. `tools/oidc-provider/README.md` describes the server.

Registered for every app's tests by `pytest_plugins` in the root conftest.py. The `oidc_provider`
fixture gives a provider that is not yet started, so that its issuer is known before the test
configures the centre; the test starts it with its clients and accounts, and it is stopped, its
log's tail printed and its directory removed when the test ends, whether it passed or not:

    def test_sign_in(oidc_provider, browser_page):
        provider = oidc_provider.start(
            clients=[{"client_id": "centre", "client_secret": "s3cret",
                      "redirect_uris": [f"{browser_page.base_url}/accounts/oidc/callback/"]}],
            accounts={"alice": {"sub": "a1", "email": "alice@example.org", ...}},
        )
        browser_page.goto(...)            # the centre sends the browser to the provider
        provider.sign_in(browser_page, "alice")
"""

import json
import shutil
import signal
import subprocess
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

from config.testing.processes import (
    HOST,
    ROOT,
    _die_with_parent,
    _finalized_on_sigterm,
    _missing,
    _tail,
    free_port,
    terminate,
)

TOOL = ROOT / "tools" / "oidc-provider"
SERVER = TOOL / "server.mjs"
INSTALL = "npm ci --prefix tools/oidc-provider"
HTTP_TIMEOUT = 10
ANY_PASSWORD = "any password"  # noqa: S105 (the provider takes any password)
REDIRECTS = (301, 302, 303, 307, 308)


class _Forms(HTMLParser):
    """The forms of one of the provider's pages: their action and the inputs that carry a value."""

    def __init__(self, text):
        super().__init__()
        self.forms = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"id": attrs.get("id"), "action": attrs.get("action"), "data": {}})
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["data"][attrs["name"]] = attrs.get("value") or ""


class OidcProvider:
    """One `node tools/oidc-provider/server.mjs` process with a configuration of the test's own.

    The port, and so the issuer, is chosen when the object is made and kept across `stop()` and
    `start()`, so a test can restart the same provider with other options (a wrong clock, say);
    the signing key is new at every start.
    """

    def __init__(self):
        self.port = free_port()
        self.issuer = f"http://{HOST}:{self.port}"
        self.dir = Path(tempfile.mkdtemp(prefix="oidc-provider-"))
        self.log = None
        self.proc = None
        self.runs = 0

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def start(
        self,
        *,
        clients: list[dict],
        accounts: dict[str, dict],
        clock_offset_seconds: int = 0,
        claims_in_id_token: bool = True,
        extra_claims_scope: str | None = None,
        timeout: float = 30,
    ) -> "OidcProvider":
        """Start the provider and wait until it listens.

        `clients`: `{client_id, client_secret, redirect_uris, post_logout_redirect_uris}`, and any
        other client metadata of oidc-provider's as is. `accounts`: login name → claims (`sub`,
        defaulting to the login name, `email`, `email_verified`, `given_name`, ...).
        `clock_offset_seconds` shifts the provider's clock (-7200: its ID tokens are expired when
        issued). With `claims_in_id_token=False` the ID token of the code flow carries no
        scope claims (oidc-provider's default); they come from userinfo only. Claims beyond the
        standard ones are released always (with `openid`), or only with `extra_claims_scope`.
        """
        _require_tool()
        if self.proc is not None:
            raise RuntimeError("the OpenID Provider is already running")
        self.runs += 1
        self.log = self.dir / f"oidc-provider-{self.runs}.log"
        config = self.dir / f"config-{self.runs}.json"
        config.write_text(
            json.dumps(
                {
                    "port": self.port,
                    "issuer": self.issuer,
                    "clients": clients,
                    "accounts": accounts,
                    "clock_offset_seconds": clock_offset_seconds,
                    "claims_in_id_token": claims_in_id_token,
                    "extra_claims_scope": extra_claims_scope,
                }
            )
        )
        with self.log.open("a") as log:
            self.proc = subprocess.Popen(  # noqa: S603 (our own fixed command line)
                [shutil.which("node"), str(SERVER), str(config)],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=_die_with_parent(signal.SIGTERM),
            )  # fmt: skip
        ready = f"ready {self.issuer}"
        deadline = time.monotonic() + timeout
        while ready not in self.log.read_text(errors="replace"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                tail = _tail(self.log)
                self.stop()
                raise RuntimeError(f"the OpenID Provider did not start:\n{tail}")
            time.sleep(0.05)
        return self

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def discovery(self) -> dict:
        response = requests.get(self.discovery_url, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        return response.json()

    def jwks(self) -> dict:
        response = requests.get(self.discovery()["jwks_uri"], timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        return response.json()

    def mint_id_token(
        self, client_id: str, sub: str, nonce: str | None = None, aud: str | None = None, **claims
    ) -> str:
        """An ID token signed with the provider's own key, as if issued to `client_id` for `sub`
        (with that account's claims, if `sub` is one of the accounts'), but with `aud` if given,
        and with `claims` (`iss`, `exp`, ...) put over the rest. Only this harness can do it."""
        params = {"client_id": client_id, "sub": sub, "claims": json.dumps(claims)}
        if nonce is not None:
            params["nonce"] = nonce
        if aud is not None:
            params["aud"] = aud
        response = requests.get(f"{self.issuer}/test/id-token", params=params, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        return response.json()["id_token"]

    def answer_tokens(self, mode: str) -> None:
        """From now on the token endpoint's ID token is `normal`, `tampered_signature` (one
        character of its signature changed) or `wrong_audience` (signed again with the
        provider's own key for another audience): a broken or hostile provider."""
        response = requests.post(
            f"{self.issuer}/test/token-answer", json={"mode": mode}, timeout=HTTP_TIMEOUT
        )
        response.raise_for_status()

    # --- Browser (Playwright) -------------------------------------------------------------------

    def sign_in(self, page, login: str, password: str = ANY_PASSWORD) -> None:
        """On the provider's sign-in page: fill in the login (any password does), submit, and wait
        until the browser has left the provider (consent is given without a page)."""
        page.locator("#login").fill(login)
        page.locator("#password").fill(password)
        page.locator("#sign-in").click()
        self._wait_away(page)

    def cancel_sign_in(self, page) -> None:
        """On the provider's sign-in page: cancel, which sends `error=access_denied` to the
        client's redirect URI."""
        page.locator("#cancel").click()
        self._wait_away(page)

    def _wait_away(self, page):
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            page.wait_for_url(lambda url: not url.startswith(f"{self.issuer}/"))
        except PlaywrightTimeout as error:
            text = page.locator("body").inner_text()
            raise AssertionError(f"still at the provider, {page.url}:\n{text}") from error
        if page.url.startswith("chrome-error:"):
            # Chromium refuses some ports outright (9, 1, 6000, ...: ERR_UNSAFE_PORT).
            raise AssertionError("Chromium could not open the page the provider redirected to")

    # --- Without a browser (requests) -----------------------------------------------------------

    def sign_in_http(
        self,
        authorization_url: str,
        login: str,
        *,
        session: requests.Session | None = None,
        password: str = ANY_PASSWORD,
    ) -> str:
        """Follow `authorization_url` as a browser would, signing in as `login` on the way, and
        return the URL the provider finally redirects to outside itself (the client's redirect
        URI with `code`, `state` and `iss`, or with `error`). The URL is not followed.

        `session` (a `requests.Session`) keeps the provider's cookies between calls, as a browser
        does; pass the same one to `sign_out_http`."""
        session = session or requests.Session()
        url = authorization_url
        response = session.get(url, allow_redirects=False, timeout=HTTP_TIMEOUT)
        for _ in range(20):
            if response.status_code in REDIRECTS:
                url = urljoin(url, response.headers["Location"])
                if not url.startswith(f"{self.issuer}/"):
                    return url
                response = session.get(url, allow_redirects=False, timeout=HTTP_TIMEOUT)
            elif response.status_code == 200 and 'id="login-error"' in response.text:
                raise AssertionError(f"the provider refused the login {login!r}")
            elif response.status_code == 200 and 'id="login-form"' in response.text:
                form = _form(response.text, "login-form")
                url = urljoin(url, form["action"])
                data = {**form["data"], "login": login, "password": password, "action": "sign-in"}
                response = session.post(url, data=data, allow_redirects=False, timeout=HTTP_TIMEOUT)
            else:
                break
        raise _unexpected(response, url)

    def sign_out_http(self, end_session_url: str, *, session: requests.Session) -> str:
        """RP-initiated logout: open `end_session_url`, confirm that the session ends, and return
        where the provider redirects (the post-logout redirect URI with `state`, or its own
        "signed out" page)."""
        response = session.get(end_session_url, allow_redirects=False, timeout=HTTP_TIMEOUT)
        if response.status_code != 200:
            raise _unexpected(response, end_session_url)
        form = _form(response.text)
        url = urljoin(end_session_url, form["action"])
        data = {**form["data"], "logout": "yes"}
        response = session.post(url, data=data, allow_redirects=False, timeout=HTTP_TIMEOUT)
        if response.status_code not in REDIRECTS:
            raise _unexpected(response, url)
        return urljoin(url, response.headers["Location"])

    # --- Stopping -------------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop the server and print the tail of its log (pytest shows it for a failed test)."""
        if self.proc is None:
            return
        terminate(self.proc)
        self.proc = None
        print(f"--- oidc-provider ({self.issuer}, run {self.runs}) ---\n{_tail(self.log)}")

    def close(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def _unexpected(response, url) -> AssertionError:
    text = response.text[:2000]
    return AssertionError(f"the provider answered {response.status_code} at {url}:\n{text}")


def _form(text, form_id=None) -> dict:
    forms = _Forms(text).forms
    for form in forms:
        if form_id is None or form["id"] == form_id:
            return form
    raise AssertionError(f"no form {form_id or ''} on the provider's page:\n{text[:2000]}")


def _require_tool():
    if shutil.which("node") is None:
        _missing("Node.js is not installed; the OpenID Provider harness needs node 20 or later")
    if not (TOOL / "node_modules" / "oidc-provider").is_dir():
        _missing(f"the OpenID Provider harness is not installed: run `{INSTALL}`")


@pytest.fixture
def oidc_provider():
    """An `OidcProvider` of this test's own, not yet started: `oidc_provider.start(clients=…,
    accounts=…)` starts it (and returns it). Stopped, whatever the outcome, when the test ends."""
    _require_tool()
    provider = OidcProvider()
    with _finalized_on_sigterm():
        try:
            yield provider
        finally:
            provider.close()
