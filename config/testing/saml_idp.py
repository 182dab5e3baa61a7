"""A real SAML 2.0 Identity Provider (pysaml2's, tools/saml-idp/idp.py) for the SSO tests.

Registered for every app's tests by `pytest_plugins` in the root conftest.py. The `saml_idp`
fixture gives an IdP that is not yet running, because the test knows its service provider's
metadata (the live server's URL) only once that server runs:

    def test_sign_in(saml_idp, live_server, page):
        saml_idp.start(sp_metadata_url=live_server.url + "/accounts/sso/uni/saml/metadata/")
        ...  # point the SP at saml_idp.metadata_url, start the sign-in in the browser
        saml_idp.sign_in(page, "alice")
        saml_idp.set_mode("tampered")  # and the next sign-in brings a forged assertion

The IdP listens on 127.0.0.1 on a free port and keeps its keys and log in a temporary directory of
its own; it is stopped, the tail of its log printed (pytest shows it for a failed test) and the
directory removed when the test ends, whether it passed or not.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from config.testing.processes import (
    HOST,
    _die_with_parent,
    _finalized_on_sigterm,
    _tail,
    free_port,
    terminate,
)

ROOT = Path(__file__).resolve().parents[2]
IDP_SCRIPT = ROOT / "tools" / "saml-idp" / "idp.py"
MODES = ("normal", "unsigned", "tampered", "expired", "wrong_audience", "wrong_key")
NAME_ID_FORMATS = ("persistent", "transient")

# Attribute names as pysaml2's attribute maps know them: the IdP sends them under their
# urn:oid: names (NameFormat uri) with these as FriendlyName.
DEFAULT_USERS = {
    "alice": {
        "mail": "alice@example.org",
        "givenName": "Alice",
        "sn": "Liddell",
        "displayName": "Alice Liddell",
        "eduPersonPrincipalName": "alice@example.org",
        "eduPersonAffiliation": ["member", "staff"],
    },
    "bob": {
        "mail": "bob@example.org",
        "givenName": "Bob",
        "sn": "Builder",
        "displayName": "Bob Builder",
        "eduPersonPrincipalName": "bob@example.org",
        "eduPersonAffiliation": ["member", "student"],
    },
}


class SamlIdp:
    """The IdP subprocess: `start()` it with the SP's metadata, `close()` it at the end."""

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="saml-idp-"))
        self.log = self.dir / "idp.log"
        self.proc = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def entity_id(self) -> str:
        return f"{self.url}/idp/metadata"

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/idp/metadata"

    def start(
        self,
        *,
        sp_metadata_url: str | None = None,
        sp_metadata: str | None = None,
        users: dict | None = None,
        mode: str = "normal",
        name_id_format: str = "persistent",
        want_authn_requests_signed: bool = False,
        timeout: float = 30,
    ) -> "SamlIdp":
        """Start the IdP for one SP, given by its metadata's URL (fetched at each AuthnRequest)
        or its metadata XML. `users` maps a login to its attributes (DEFAULT_USERS if None)."""
        if (sp_metadata_url is None) == (sp_metadata is None):
            raise ValueError("give exactly one of sp_metadata_url and sp_metadata")
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if name_id_format not in NAME_ID_FORMATS:
            raise ValueError(f"name_id_format must be one of {NAME_ID_FORMATS}")
        if self.proc is not None:
            raise RuntimeError("the IdP is already running")
        config = self.dir / "config.json"
        config.write_text(
            json.dumps(
                {
                    "port": self.port,
                    "entity_id": self.entity_id,
                    "dir": str(self.dir),
                    "sp_metadata_url": sp_metadata_url,
                    "sp_metadata": sp_metadata,
                    "users": DEFAULT_USERS if users is None else users,
                    "mode": mode,
                    "name_id_format": name_id_format,
                    "want_authn_requests_signed": want_authn_requests_signed,
                }
            )
        )
        # The log is appended to by every start: look for this start's "ready" only.
        offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("a") as log:
            self.proc = subprocess.Popen(  # noqa: S603 (our own fixed command line)
                [sys.executable, str(IDP_SCRIPT), str(config)],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                preexec_fn=_die_with_parent(signal.SIGTERM),
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        ready = f"ready {self.entity_id}".encode()
        while ready not in self.log.read_bytes()[offset:]:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the SAML IdP did not start:\n{_tail(self.log)}")
            time.sleep(0.05)
        return self

    # --- Talking to it ----------------------------------------------------------------------

    def _call(self, path, data=None, content_type="text/plain") -> str:
        request = urllib.request.Request(  # noqa: S310 (our own http://127.0.0.1 URL)
            self.url + path,
            data=data.encode() if data is not None else None,
            headers={"Content-Type": content_type} if data is not None else {},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return answer.read().decode()

    def metadata_xml(self) -> str:
        """The IdP's metadata as the SP would fetch it from `metadata_url`."""
        return self._call("/idp/metadata")

    def set_mode(self, mode: str):
        """How the next responses misbehave: one of MODES ("normal" to behave again)."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self._call("/test/mode", mode)

    def last_response(self) -> str | None:
        """The last SAMLResponse the IdP sent (base64, as posted to the ACS), for a replay."""
        try:
            return self._call("/test/last-response")
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise

    def sign_in(self, page, login: str, *, timeout: float = 10_000):
        """On the IdP's login page (Playwright `page`), sign in as `login`; returns the browser's
        POST of the SAMLResponse to the SP's ACS (a Playwright Request) once it is sent."""
        form = page.locator('form[action="/idp/login"]')
        form.locator('input[name="login"]').fill(login, timeout=timeout)
        with page.expect_request(
            lambda r: r.method == "POST" and "SAMLResponse=" in (r.post_data or ""),
            timeout=timeout,
        ) as posted:
            form.locator('button[type="submit"]').click(timeout=timeout)
        return posted.value

    # --- Stopping ---------------------------------------------------------------------------

    def stop(self):
        if self.proc is None:
            return
        terminate(self.proc)
        self.proc = None

    def log_tail(self) -> str:
        return _tail(self.log)

    def close(self):
        try:
            self.stop()
            if self.log.exists():
                print(f"--- SAML IdP ---\n{self.log_tail()}")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def saml_idp():
    """A SAML IdP, not yet started: `saml_idp.start(sp_metadata_url=…)`. Always stopped."""
    if not shutil.which("xmlsec1"):
        reason = "xmlsec1 is not installed (apt-get install xmlsec1; scripts/bootstrap.sh does)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the SAML tests: {reason}")
        pytest.skip(reason)
    idp = SamlIdp()
    with _finalized_on_sigterm():
        try:
            yield idp
        finally:
            idp.close()
