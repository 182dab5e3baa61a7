"""A SAML 2.0 Identity Provider for tests: pysaml2's `saml2.server.Server` behind an HTTP server.

Usage: python tools/saml-idp/idp.py CONFIG.json   (config/testing/saml_idp.py writes the file)

The JSON object holds `port`, `entity_id`, `dir` (a temporary directory for the keys), `users`
(login -> attributes), `name_id_format` ("persistent" or "transient"), `mode`, and the service
provider's metadata as `sp_metadata_url` (fetched at each AuthnRequest, so the SP's server may
start after this one) or `sp_metadata` (the XML). Prints `ready <entity_id>` once it listens.

Endpoints (SAML 2.0 Bindings, sections 3.4 HTTP-Redirect and 3.5 HTTP-POST):

    GET  /idp/metadata        the IdP's metadata: signing certificate, SSO and SLO services
    GET  /idp/sso/redirect    an AuthnRequest (HTTP-Redirect); answers the login page
    POST /idp/sso/post        an AuthnRequest (HTTP-POST); answers the login page
    POST /idp/login           the login page's form; answers a form POSTing SAMLResponse to the ACS
    GET  /idp/slo/redirect    a LogoutRequest; answers a LogoutResponse redirect to the SP's SLO
    POST /test/mode           set the misbehaviour (form `mode=…`, JSON {"mode": …} or plain text)
    GET  /test/last-response  the last SAMLResponse sent (base64), for replay tests

Modes, each what a broken or hostile IdP would send (every other mode is signed, SHA-256):

    normal          response and assertion signed by the key the metadata publishes
    unsigned        neither the response nor the assertion signed
    tampered        signed, then the mail in the signed assertion changed: no signature verifies
    expired         issued by a clock two hours slow: every NotOnOrAfter is in the past
    wrong_audience  AudienceRestriction names another SP
    wrong_key       signed by a key that is not the one in the metadata (whose certificate the
                    signature's KeyInfo carries, as an attacker's would)

The keys and certificates are made at start in `dir` and never leave it. The IdP keeps no session:
every AuthnRequest shows the login page.
"""

import base64
import datetime
import hashlib
import html
import json
import logging
import re
import secrets
import shutil
import sys
import threading
import traceback
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, class_name
from saml2.authn_context import PASSWORDPROTECTEDTRANSPORT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import (
    NAME_FORMAT_URI,
    NAMEID_FORMAT_PERSISTENT,
    NAMEID_FORMAT_TRANSIENT,
    NameID,
)
from saml2.server import Server
from saml2.sigver import pre_signature_part
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

HOST = "127.0.0.1"
MODES = ("normal", "unsigned", "tampered", "expired", "wrong_audience", "wrong_key")
NAME_ID_FORMATS = {"persistent": NAMEID_FORMAT_PERSISTENT, "transient": NAMEID_FORMAT_TRANSIENT}
OTHER_AUDIENCE = "https://another-sp.example.org/saml/metadata"
CLOCK_SHIFT = datetime.timedelta(hours=-2)
TIME_ATTRIBUTES = (
    "issue_instant",
    "not_before",
    "not_on_or_after",
    "authn_instant",
    "session_not_on_or_after",
)

log = logging.getLogger("saml-idp")


def make_key_pair(directory: Path, name: str, common_name: str) -> tuple[Path, Path]:
    """An RSA key and its self-signed certificate: PEM files `<name>-key.pem`, `<name>-cert.pem`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = directory / f"{name}-key.pem", directory / f"{name}-cert.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_file.chmod(0o600)
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


def persistent_name_id(login: str) -> str:
    """Opaque, and the same for a login whichever run of the IdP issues it."""
    return hashlib.sha256(f"leads-test-idp:{login}".encode()).hexdigest()[:32]


def _shift_times(element, delta):
    """Move every timestamp of a SAML element and its descendants by `delta`."""
    for name in TIME_ATTRIBUTES:
        value = getattr(element, name, None)
        if value:
            moment = datetime.datetime.fromisoformat(value) + delta
            setattr(element, name, moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
    for child in element.children_with_values():
        _shift_times(child, delta)


def _tamper(xml: str, mail: str) -> str:
    """Change the mail (else the first attribute value) after signing, as a forger would."""
    pattern = re.compile(r"(<(?:\w+:)?AttributeValue\b[^>]*>)([^<]*)(</)")
    values = list(pattern.finditer(xml))
    target = next((m for m in values if m.group(2) == mail), values[0] if values else None)
    if target is None:
        raise ValueError("nothing to tamper with: the assertion has no attribute values")
    forged = "mallory@example.org" if "@" in target.group(2) else target.group(2) + "-forged"
    return xml[: target.start(2)] + forged + xml[target.end(2) :]


def _single(value):
    return value[0] if isinstance(value, list) else value


class IdentityProvider:
    """pysaml2's Server for one SP, with the users, the mode and the pending sign-ins."""

    def __init__(self, conf: dict):
        self.port = int(conf["port"])
        self.base = f"http://{HOST}:{self.port}"
        self.entity_id = conf.get("entity_id") or f"{self.base}/idp/metadata"
        self.dir = Path(conf["dir"])
        self.users = conf.get("users") or {}
        self.name_id_format = conf.get("name_id_format", "persistent")
        if self.name_id_format not in NAME_ID_FORMATS:
            raise ValueError(f"name_id_format must be one of {sorted(NAME_ID_FORMATS)}")
        self.want_authn_requests_signed = bool(conf.get("want_authn_requests_signed", False))
        self.sp_metadata_url = conf.get("sp_metadata_url")
        self.sp_metadata = conf.get("sp_metadata")
        if bool(self.sp_metadata_url) == bool(self.sp_metadata):
            raise ValueError("give exactly one of sp_metadata_url and sp_metadata")
        self.mode = "normal"
        self.set_mode(conf.get("mode") or "normal")
        self.xmlsec = shutil.which("xmlsec1")
        if self.xmlsec is None:
            raise RuntimeError("xmlsec1 is not installed (apt-get install xmlsec1)")

        self.key_file, self.cert_file = make_key_pair(self.dir, "idp", "LEADS test IdP")
        # The same name as the real certificate: only the key gives the forgery away.
        self.rogue_key_file, self.rogue_cert_file = make_key_pair(
            self.dir, "rogue", "LEADS test IdP"
        )
        self.metadata = create_metadata_string(
            None, config=self._config(self.key_file, self.cert_file)
        )
        if isinstance(self.metadata, bytes):
            self.metadata = self.metadata.decode()

        self.lock = threading.Lock()  # pysaml2's Server is not meant for concurrent use
        self._server = None
        self._server_metadata = None
        self._rogue = None
        self.pending = {}  # login page key -> (response args, RelayState)
        self.last_response = None

    # --- pysaml2 ---------------------------------------------------------------------------

    def _config(self, key_file, cert_file, sp_metadata=None) -> IdPConfig:
        endpoints = {
            "single_sign_on_service": [
                (f"{self.base}/idp/sso/redirect", BINDING_HTTP_REDIRECT),
                (f"{self.base}/idp/sso/post", BINDING_HTTP_POST),
            ],
            "single_logout_service": [(f"{self.base}/idp/slo/redirect", BINDING_HTTP_REDIRECT)],
        }
        conf = {
            "entityid": self.entity_id,
            "description": "LEADS test identity provider",
            "xmlsec_binary": self.xmlsec,
            "key_file": str(key_file),
            "cert_file": str(cert_file),
            "signing_algorithm": SIG_RSA_SHA256,
            "digest_algorithm": DIGEST_SHA256,
            "service": {
                "idp": {
                    "name": "LEADS test IdP",
                    "endpoints": endpoints,
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_TRANSIENT],
                    "want_authn_requests_signed": self.want_authn_requests_signed,
                    "sign_response": True,
                    "sign_assertion": True,
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": 15},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_URI,
                            "fail_on_missing_requested": False,
                        }
                    },
                }
            },
        }
        if sp_metadata:
            conf["metadata"] = {"inline": [sp_metadata]}
        return IdPConfig().load(conf)

    def _fetch_sp_metadata(self) -> str:
        if self.sp_metadata:
            return self.sp_metadata
        with urllib.request.urlopen(self.sp_metadata_url, timeout=10) as answer:  # noqa: S310 (the test's own URL)
            return answer.read().decode()

    def server(self) -> Server:
        """The Server for the SP's current metadata (fetched outside the lock: the SP's metadata
        view may itself ask for ours)."""
        sp_metadata = self._fetch_sp_metadata()
        with self.lock:
            if self._server is None or sp_metadata != self._server_metadata:
                config = self._config(self.key_file, self.cert_file, sp_metadata)
                self._server = Server(config=config)
                self._server_metadata = sp_metadata
            return self._server

    def rogue(self) -> Server:
        with self.lock:
            if self._rogue is None:
                self._rogue = Server(config=self._config(self.rogue_key_file, self.rogue_cert_file))
            return self._rogue

    def set_mode(self, mode: str):
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; one of {', '.join(MODES)}")
        self.mode = mode
        log.info("mode: %s", mode)

    # --- Single sign-on --------------------------------------------------------------------

    def receive_authn_request(self, saml_request, binding, relay_state, sigalg, signature) -> str:
        server = self.server()
        with self.lock:
            request = server.parse_authn_request(
                saml_request, binding, relay_state=relay_state, sigalg=sigalg, signature=signature
            )
            if request is None:
                raise ValueError("the AuthnRequest did not parse")
            # The ACS must be one the SP's metadata lists (pysaml2 refuses any other).
            args = server.response_args(request.message, [BINDING_HTTP_POST])
        key = secrets.token_urlsafe(16)
        self.pending[key] = (args, relay_state)
        log.info("AuthnRequest %s from %s", request.message.id, args["sp_entity_id"])
        return self.login_page(key, args["sp_entity_id"])

    def login(self, key, login) -> tuple[int, str]:
        if key not in self.pending:
            return 400, page("Unknown sign-in request", "<p>Start again from the service.</p>")
        args, relay_state = self.pending[key]
        if login not in self.users:
            return 200, self.login_page(key, args["sp_entity_id"], error=f"No such user: {login}")
        xml = self.authn_response(args, login)
        encoded = base64.b64encode(xml.encode()).decode()
        self.last_response = encoded
        fields = [("SAMLResponse", encoded)]
        if relay_state:
            fields.append(("RelayState", relay_state))
        hidden = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(value)}">'
            for name, value in fields
        )
        body = (
            f'<form id="saml-response" method="post" action="{html.escape(args["destination"])}">'
            f"{hidden}<noscript><p>JavaScript is off: press Continue to return to the service."
            f'</p></noscript><button type="submit">Continue</button></form>'
            '<script>document.getElementById("saml-response").submit();</script>'
        )
        return 200, page("Signing you in", body)

    def login_page(self, key, sp_entity_id, error=None) -> str:
        alert = f'<p role="alert">{html.escape(error)}</p>' if error else ""
        body = (
            f"<p>Sign in to {html.escape(sp_entity_id)}.</p>{alert}"
            '<form method="post" action="/idp/login">'
            f'<input type="hidden" name="key" value="{html.escape(key)}">'
            '<label for="login">Login</label> '
            '<input id="login" name="login" autocomplete="username" required autofocus> '
            '<button type="submit">Sign in</button></form>'
            f"<p>Test users: {html.escape(', '.join(sorted(self.users)))}</p>"
        )
        return page("Test IdP: sign in", body)

    def _name_id(self, login, sp_entity_id) -> NameID:
        if self.name_id_format == "persistent":
            value = persistent_name_id(login)
        else:
            value = secrets.token_hex(16)  # transient: new for every assertion
        return NameID(
            format=NAME_ID_FORMATS[self.name_id_format],
            name_qualifier=self.entity_id,
            sp_name_qualifier=sp_entity_id,
            text=value,
        )

    def authn_response(self, args, login) -> str:
        """The Response for the pending request `args`, signed or spoiled as the mode says.

        Every mode takes the same path, pysaml2's own: an unsigned Response, changed as the mode
        says, then the assertion and the response signed (Server._authn_response's order). So a
        refused response differs from an accepted one only by its misbehaviour.
        """
        mode = self.mode
        identity = {
            name: value if isinstance(value, list) else [value]
            for name, value in self.users[login].items()
        }
        server = self.server()
        signer = self.rogue() if mode == "wrong_key" else server
        with self.lock:
            response = server.create_authn_response(
                identity,
                args["in_response_to"],
                args["destination"],
                args["sp_entity_id"],
                name_id=self._name_id(login, args["sp_entity_id"]),
                authn={"class_ref": PASSWORDPROTECTEDTRANSPORT, "authn_auth": self.entity_id},
                sign_response=False,
                sign_assertion=False,
            )
            if mode == "unsigned":
                return str(response)
            assertion = _single(response.assertion)
            if mode == "expired":
                _shift_times(response, CLOCK_SHIFT)
            elif mode == "wrong_audience":
                for restriction in assertion.conditions.audience_restriction:
                    for audience in restriction.audience:
                        audience.text = OTHER_AUDIENCE
            assertion.signature = pre_signature_part(
                assertion.id,
                signer.sec.my_cert,
                2,
                sign_alg=SIG_RSA_SHA256,
                digest_alg=DIGEST_SHA256,
            )
            xml = str(
                signer.sign(
                    response,
                    to_sign=[(class_name(assertion), assertion.id)],
                    sign_alg=SIG_RSA_SHA256,
                    digest_alg=DIGEST_SHA256,
                )
            )
        if mode == "tampered":
            xml = _tamper(xml, _single(identity.get("mail", [""])))
        return xml

    # --- Single logout ---------------------------------------------------------------------

    def receive_logout_request(self, saml_request, relay_state, sigalg, signature) -> str:
        """The Location of the LogoutResponse (HTTP-Redirect, signed) to the SP's SLO service."""
        server = self.server()
        with self.lock:
            request = server.parse_logout_request(
                saml_request,
                BINDING_HTTP_REDIRECT,
                relay_state=relay_state,
                sigalg=sigalg,
                signature=signature,
            )
            if request is None:
                raise ValueError("the LogoutRequest did not parse")
            response = server.create_logout_response(
                request.message, [BINDING_HTTP_REDIRECT], sign=False
            )
            destination = server.response_args(request.message, [BINDING_HTTP_REDIRECT])[
                "destination"
            ]
            http_args = server.apply_binding(
                BINDING_HTTP_REDIRECT,
                str(response),
                destination,
                relay_state or "",
                response=True,
                sign=True,
                sigalg=SIG_RSA_SHA256,
            )
        log.info("LogoutRequest %s answered", request.message.id)
        return dict(http_args["headers"])["Location"]


def page(title, body) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body><main>"
        f"<h1>{html.escape(title)}</h1>{body}</main></body></html>"
    )


class Handler(BaseHTTPRequestHandler):
    idp: IdentityProvider

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def _dispatch(self, method):
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        try:
            route = (method, url.path)
            if route == ("GET", "/idp/metadata"):
                self._send(200, self.idp.metadata, "application/samlmetadata+xml")
            elif route == ("GET", "/idp/sso/redirect"):
                self._send_page(
                    200,
                    self.idp.receive_authn_request(
                        query["SAMLRequest"],
                        BINDING_HTTP_REDIRECT,
                        query.get("RelayState"),
                        query.get("SigAlg"),
                        query.get("Signature"),
                    ),
                )
            elif route == ("POST", "/idp/sso/post"):
                form = self._form()
                self._send_page(
                    200,
                    self.idp.receive_authn_request(
                        form["SAMLRequest"], BINDING_HTTP_POST, form.get("RelayState"), None, None
                    ),
                )
            elif route == ("POST", "/idp/login"):
                form = self._form()
                self._send_page(*self.idp.login(form.get("key"), form.get("login", "").strip()))
            elif route == ("GET", "/idp/slo/redirect"):
                location = self.idp.receive_logout_request(
                    query["SAMLRequest"],
                    query.get("RelayState"),
                    query.get("SigAlg"),
                    query.get("Signature"),
                )
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif route == ("POST", "/test/mode"):
                self.idp.set_mode(self._mode_from_body())
                self._send(200, self.idp.mode, "text/plain")
            elif route == ("GET", "/test/mode"):
                self._send(200, self.idp.mode, "text/plain")
            elif route == ("GET", "/test/last-response"):
                if self.idp.last_response is None:
                    self._send(404, "no response sent yet", "text/plain")
                else:
                    self._send(200, self.idp.last_response, "text/plain")
            else:
                self._send(404, f"no such endpoint: {method} {url.path}", "text/plain")
        except KeyError as missing:
            self._send(400, f"missing parameter {missing}", "text/plain")
        except urllib.error.URLError as exc:
            self._send(502, f"the SP's metadata could not be fetched: {exc}", "text/plain")
        except Exception as exc:  # a real IdP shows an error page; the log keeps the trace
            traceback.print_exc()
            self._send(400, f"{type(exc).__name__}: {exc}", "text/plain")

    def _body(self) -> str:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length).decode()

    def _form(self) -> dict:
        return {k: v[0] for k, v in parse_qs(self._body(), keep_blank_values=True).items()}

    def _mode_from_body(self) -> str:
        body = self._body().strip()
        content_type = self.headers.get("Content-Type", "")
        if "json" in content_type:
            return json.loads(body)["mode"]
        if "form" in content_type or body.startswith("mode="):
            return parse_qs(body)["mode"][0]
        return body

    def _send_page(self, status, text):
        self._send(status, text, "text/html; charset=utf-8")

    def _send(self, status, text, content_type):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):  # noqa: A002 (BaseHTTPRequestHandler's signature)
        sys.stderr.write(f"{self.address_string()} {format % args}\n")


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: idp.py CONFIG.json")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("saml2").setLevel(logging.WARNING)
    conf = json.loads(Path(argv[1]).read_text())
    Handler.idp = IdentityProvider(conf)
    httpd = ThreadingHTTPServer((HOST, Handler.idp.port), Handler)
    httpd.daemon_threads = True
    print(f"ready {Handler.idp.entity_id}", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()


if __name__ == "__main__":
    main(sys.argv)
