"""The SAML test IdP (tools/saml-idp, config/testing/saml_idp.py) against a service provider made
with pysaml2 itself, without our views: before the SSO tests trust the IdP to refuse on cue, these
show that it signs what a real SP accepts, and that each misbehaviour is refused by that SP.

Every mode goes the same way through the IdP (unsigned response, the change, then pysaml2 signs),
so a refused response differs from the accepted one only by the mode's misbehaviour.
"""

import base64
import datetime
import threading
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string
from saml2.response import UnsolicitedResponse
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_TRANSIENT
from saml2.samlp import STATUS_SUCCESS
from saml2.sigver import SignatureError
from saml2.validate import ResponseLifetimeExceed
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from config.testing.processes import HOST, free_port
from config.testing.saml_idp import DEFAULT_USERS

SP_ENTITY_ID = "http://127.0.0.1:9/metadata"
ACS_URL = "http://127.0.0.1:9/acs"
SLO_URL = "http://127.0.0.1:9/slo"
NS = {
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
    "md": "urn:oasis:names:tc:SAML:2.0:metadata",
}


def _key_pair(directory: Path) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "throwaway SP")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = directory / "sp-key.pem", directory / "sp-cert.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


class ThrowawaySp:
    """A service provider made with pysaml2's Saml2Client: strict by default (response and
    assertion must be signed, no unsolicited responses, no clock slack)."""

    def __init__(self, directory: Path, *, strict=True, accepted_time_diff=0):
        directory.mkdir(parents=True, exist_ok=True)
        self.key_file, self.cert_file = _key_pair(directory)
        self.strict = strict
        self.accepted_time_diff = accepted_time_diff
        metadata = create_metadata_string(None, config=self._config())
        self.metadata = metadata.decode() if isinstance(metadata, bytes) else metadata
        self.client = None

    def _config(self, idp_metadata=None) -> SPConfig:
        conf = {
            "entityid": SP_ENTITY_ID,
            "key_file": str(self.key_file),
            "cert_file": str(self.cert_file),
            "accepted_time_diff": self.accepted_time_diff,
            "service": {
                "sp": {
                    "endpoints": {
                        "assertion_consumer_service": [(ACS_URL, BINDING_HTTP_POST)],
                        "single_logout_service": [(SLO_URL, BINDING_HTTP_REDIRECT)],
                    },
                    "want_response_signed": self.strict,
                    "want_assertions_signed": self.strict,
                    "allow_unsolicited": False,
                }
            },
        }
        if idp_metadata:
            conf["metadata"] = {"inline": [idp_metadata]}
        return SPConfig().load(conf)

    def trust(self, idp):
        """Load the running IdP's metadata, as our SP does from `idp.metadata_url`."""
        self.client = Saml2Client(self._config(idp.metadata_xml()))
        self.idp = idp
        return self

    def authn_request(self, relay_state="/after") -> tuple[str, str]:
        """(request id, HTTP-Redirect URL) of a new AuthnRequest to the IdP."""
        request_id, info = self.client.prepare_for_authenticate(
            entityid=self.idp.entity_id, relay_state=relay_state, binding=BINDING_HTTP_REDIRECT
        )
        return request_id, dict(info["headers"])["Location"]

    def parse(self, saml_response, outstanding):
        return self.client.parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, outstanding=outstanding
        )


class _Forms(HTMLParser):
    def __init__(self, text):
        super().__init__()
        self.forms = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action"), "fields": {}})
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""


def _sign_in_over_http(url, login, *, method="GET", data=None) -> dict:
    """Open the IdP's login page as a browser would, submit `login`; the form it answers, which
    would POST the SAMLResponse to the ACS, as {"action": …, "fields": {…}}."""
    session = requests.Session()
    page = session.request(method, url, data=data, timeout=10)
    assert page.status_code == 200, page.text
    (login_form,) = _Forms(page.text).forms
    assert "login" in login_form["fields"]
    answer = session.post(
        urljoin(url, login_form["action"]),
        data={**login_form["fields"], "login": login},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    (acs_form,) = _Forms(answer.text).forms
    assert 'document.getElementById("saml-response").submit()' in answer.text
    assert "<noscript>" in answer.text
    return acs_form


def _xml(saml_response) -> ET.Element:
    return ET.fromstring(base64.b64decode(saml_response))  # noqa: S314 (our own IdP's output)


def _metadata_certificate(idp) -> str:
    root = ET.fromstring(idp.metadata_xml())  # noqa: S314 (our own IdP's output)
    path = "md:IDPSSODescriptor/md:KeyDescriptor/ds:KeyInfo/ds:X509Data/ds:X509Certificate"
    return "".join(root.find(path, NS).text.split())


@pytest.fixture
def sp(tmp_path):
    return ThrowawaySp(tmp_path)


@pytest.fixture
def signed_in(saml_idp, sp):
    """Start the IdP for the SP (mode `normal`); `signed_in(login)` runs a whole sign-in and
    returns (request id, ACS form)."""
    saml_idp.start(sp_metadata=sp.metadata)
    sp.trust(saml_idp)

    def sign_in(login="alice"):
        request_id, url = sp.authn_request()
        return request_id, _sign_in_over_http(url, login)

    return sign_in


def test_a_normal_response_is_signed_twice_with_sha256_and_carries_the_users_attributes(
    saml_idp, sp, signed_in
):
    request_id, form = signed_in("alice")

    assert form["action"] == ACS_URL
    assert form["fields"]["RelayState"] == "/after"
    response = sp.parse(form["fields"]["SAMLResponse"], {request_id: "/after"})
    assert response is not None
    assert response.came_from == "/after"
    assert response.ava == {
        name: value if isinstance(value, list) else [value]
        for name, value in DEFAULT_USERS["alice"].items()
    }
    assert response.name_id.format == NAMEID_FORMAT_PERSISTENT
    assert response.assertion.issuer.text == saml_idp.entity_id

    # Signed, as the SP demanded (want_response_signed, want_assertions_signed): both
    # signatures verified against the metadata's certificate, both RSA-SHA256 over SHA-256.
    root = _xml(form["fields"]["SAMLResponse"])
    signatures = [root.find("ds:Signature", NS), root.find("saml:Assertion/ds:Signature", NS)]
    assert all(signature is not None for signature in signatures)
    for signature in signatures:
        method = signature.find("ds:SignedInfo/ds:SignatureMethod", NS)
        digest = signature.find("ds:SignedInfo/ds:Reference/ds:DigestMethod", NS)
        assert (method.get("Algorithm"), digest.get("Algorithm")) == (SIG_RSA_SHA256, DIGEST_SHA256)
    assert saml_idp.last_response() == form["fields"]["SAMLResponse"]


def test_the_idp_metadata_publishes_its_certificate_and_both_sso_bindings(saml_idp, sp):
    saml_idp.start(sp_metadata=sp.metadata)
    sp.trust(saml_idp)
    metadata = sp.client.metadata
    base = saml_idp.url
    for binding, path in [
        (BINDING_HTTP_REDIRECT, "/idp/sso/redirect"),
        (BINDING_HTTP_POST, "/idp/sso/post"),
    ]:
        services = metadata.single_sign_on_service(saml_idp.entity_id, binding)
        assert [service["location"] for service in services] == [base + path]
    services = metadata.single_logout_service(saml_idp.entity_id, BINDING_HTTP_REDIRECT, "idpsso")
    assert [service["location"] for service in services] == [base + "/idp/slo/redirect"]
    assert metadata.certs(saml_idp.entity_id, "idpsso", "signing")
    assert saml_idp.entity_id == saml_idp.metadata_url


def test_a_persistent_name_id_is_stable_and_a_transient_one_is_new_each_time(saml_idp, sp):
    saml_idp.start(sp_metadata=sp.metadata, name_id_format="persistent")
    sp.trust(saml_idp)
    name_ids = []
    for _ in range(2):
        request_id, url = sp.authn_request()
        form = _sign_in_over_http(url, "bob")
        name_ids.append(sp.parse(form["fields"]["SAMLResponse"], {request_id: "/"}).name_id)
    assert name_ids[0].text == name_ids[1].text
    assert "bob" not in name_ids[0].text  # opaque

    saml_idp.stop()
    saml_idp.start(sp_metadata=sp.metadata, name_id_format="transient")
    sp.trust(saml_idp)
    name_ids = []
    for _ in range(2):
        request_id, url = sp.authn_request()
        form = _sign_in_over_http(url, "bob")
        name_ids.append(sp.parse(form["fields"]["SAMLResponse"], {request_id: "/"}).name_id)
    assert {name_id.format for name_id in name_ids} == {NAMEID_FORMAT_TRANSIENT}
    assert name_ids[0].text != name_ids[1].text


def test_an_authn_request_by_http_post_is_answered_too(saml_idp, sp, signed_in):
    request_id, request = sp.client.create_authn_request(saml_idp.url + "/idp/sso/post")
    encoded = base64.b64encode(str(request).encode()).decode()
    form = _sign_in_over_http(
        saml_idp.url + "/idp/sso/post",
        "alice",
        method="POST",
        data={"SAMLRequest": encoded, "RelayState": "posted"},
    )
    assert form["fields"]["RelayState"] == "posted"
    response = sp.parse(form["fields"]["SAMLResponse"], {request_id: "posted"})
    assert response.ava["mail"] == ["alice@example.org"]


def test_an_unknown_login_is_asked_again_and_an_unregistered_acs_is_refused(
    saml_idp, sp, signed_in
):
    _, url = sp.authn_request()
    session = requests.Session()
    (form,) = _Forms(session.get(url, timeout=10).text).forms
    answer = session.post(
        urljoin(url, form["action"]), data={**form["fields"], "login": "mallory"}, timeout=10
    )
    assert 'role="alert"' in answer.text
    assert "No such user: mallory" in answer.text
    assert "SAMLResponse" not in answer.text

    # An AuthnRequest naming an ACS the SP's metadata does not list gets no login page.
    _, info = sp.client.prepare_for_authenticate(
        entityid=saml_idp.entity_id, assertion_consumer_service_url="http://127.0.0.1:9/evil"
    )
    answer = requests.get(dict(info["headers"])["Location"], timeout=10)
    assert answer.status_code == 400
    assert "Unknown entity or unsupported bindings" in answer.text
    assert 'name="login"' not in answer.text


# --- Refusals ---------------------------------------------------------------------------------


def _response_in_mode(saml_idp, sp, mode):
    saml_idp.start(sp_metadata=sp.metadata, mode=mode)
    sp.trust(saml_idp)
    request_id, url = sp.authn_request()
    return request_id, _sign_in_over_http(url, "alice")["fields"]["SAMLResponse"]


@pytest.mark.filterwarnings("ignore:The SAML service provider accepts unsigned:UserWarning")
def test_an_unsigned_response_is_refused_by_an_sp_that_wants_signatures(saml_idp, sp, tmp_path):
    request_id, saml_response = _response_in_mode(saml_idp, sp, "unsigned")
    root = _xml(saml_response)
    assert root.find(".//ds:Signature", NS) is None

    with pytest.raises(SignatureError, match="Signature missing"):
        sp.parse(saml_response, {request_id: "/"})

    # Nothing else is wrong with it: an SP that does not insist on signatures takes it.
    lenient = ThrowawaySp(tmp_path / "lenient", strict=False).trust(saml_idp)
    assert lenient.parse(saml_response, {request_id: "/"}).ava["mail"] == ["alice@example.org"]


def test_a_tampered_response_is_refused(saml_idp, sp):
    request_id, saml_response = _response_in_mode(saml_idp, sp, "tampered")
    mails = [
        value.text
        for value in _xml(saml_response).iterfind(
            ".//saml:Attribute[@FriendlyName='mail']/saml:AttributeValue", NS
        )
    ]
    assert mails == ["mallory@example.org"]  # changed after signing

    with pytest.raises(SignatureError, match="Failed to verify signature"):
        sp.parse(saml_response, {request_id: "/"})


def test_an_expired_response_is_refused(saml_idp, sp, tmp_path):
    request_id, saml_response = _response_in_mode(saml_idp, sp, "expired")
    root = _xml(saml_response)
    now = datetime.datetime.now(datetime.UTC)
    deadlines = [
        root.find("saml:Assertion/saml:Conditions", NS).get("NotOnOrAfter"),
        root.find(".//saml:SubjectConfirmationData", NS).get("NotOnOrAfter"),
    ]
    assert all(datetime.datetime.fromisoformat(deadline) < now for deadline in deadlines)

    with pytest.raises(ResponseLifetimeExceed):
        sp.parse(saml_response, {request_id: "/"})

    # Only the clock is wrong: an SP allowing three hours of skew takes it, signatures and all.
    tolerant = ThrowawaySp(tmp_path / "tolerant", accepted_time_diff=3 * 3600).trust(saml_idp)
    assert tolerant.parse(saml_response, {request_id: "/"}).ava["mail"] == ["alice@example.org"]


def test_a_response_for_another_audience_is_refused(saml_idp, sp):
    request_id, saml_response = _response_in_mode(saml_idp, sp, "wrong_audience")
    audiences = [a.text for a in _xml(saml_response).iterfind(".//saml:Audience", NS)]
    assert audiences and SP_ENTITY_ID not in audiences

    with pytest.raises(Exception, match="AudienceRestrictions conditions not satisfied"):
        sp.parse(saml_response, {request_id: "/"})


def test_a_response_signed_with_a_key_not_in_the_metadata_is_refused(saml_idp, sp):
    request_id, saml_response = _response_in_mode(saml_idp, sp, "wrong_key")
    # The forger's certificate rides in KeyInfo, as an attacker's would: the SP must ignore it.
    embedded = {
        "".join(cert.text.split())
        for cert in _xml(saml_response).iterfind(".//ds:X509Certificate", NS)
    }
    assert embedded and _metadata_certificate(saml_idp) not in embedded

    with pytest.raises(SignatureError, match="Failed to verify signature"):
        sp.parse(saml_response, {request_id: "/"})


def test_the_mode_changes_while_the_idp_runs(saml_idp, sp, signed_in):
    request_id, form = signed_in("alice")
    assert sp.parse(form["fields"]["SAMLResponse"], {request_id: "/"}) is not None

    saml_idp.set_mode("tampered")
    request_id, form = signed_in("alice")
    with pytest.raises(SignatureError):
        sp.parse(form["fields"]["SAMLResponse"], {request_id: "/"})

    saml_idp.set_mode("normal")
    request_id, form = signed_in("alice")
    assert sp.parse(form["fields"]["SAMLResponse"], {request_id: "/"}) is not None


def test_a_replayed_response_is_refused_once_its_request_is_consumed(saml_idp, sp, signed_in):
    request_id, form = signed_in("bob")
    replay = saml_idp.last_response()
    assert replay == form["fields"]["SAMLResponse"]
    outstanding = {request_id: "/"}
    assert sp.parse(form["fields"]["SAMLResponse"], outstanding) is not None

    # pysaml2 keeps no record of the assertions it has taken: as long as the caller still lists
    # the request as outstanding, the same response passes again. So our SP must consume the
    # request at its first answer, and remember the assertion IDs it has used until they expire.
    assert sp.parse(replay, outstanding) is not None

    del outstanding[request_id]
    with pytest.raises(UnsolicitedResponse):
        sp.parse(replay, outstanding)


# --- Single logout, SP metadata by URL, the browser helper ------------------------------------


def test_a_logout_request_is_answered_by_a_redirect_to_the_sps_slo(saml_idp, sp, signed_in):
    request_id, form = signed_in("alice")
    name_id = sp.parse(form["fields"]["SAMLResponse"], {request_id: "/"}).name_id
    destination = saml_idp.url + "/idp/slo/redirect"
    logout_id, logout_request = sp.client.create_logout_request(
        destination, saml_idp.entity_id, name_id=name_id, sign=False
    )
    info = sp.client.apply_binding(
        BINDING_HTTP_REDIRECT, str(logout_request), destination, "bye", sign=False
    )

    answer = requests.get(dict(info["headers"])["Location"], allow_redirects=False, timeout=10)

    assert answer.status_code == 302, answer.text
    location = urlsplit(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == SLO_URL
    query = {name: values[0] for name, values in parse_qs(location.query).items()}
    assert query["RelayState"] == "bye"
    assert query["SigAlg"] == SIG_RSA_SHA256 and query["Signature"]
    response = sp.client.parse_logout_request_response(query["SAMLResponse"], BINDING_HTTP_REDIRECT)
    assert response.response.in_response_to == logout_id
    assert response.response.status.status_code.value == STATUS_SUCCESS


class _MetadataHandler(BaseHTTPRequestHandler):
    metadata = ""

    def do_GET(self):
        body = self.metadata.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/samlmetadata+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002
        pass


def test_the_sp_metadata_may_be_given_by_url_and_is_fetched_when_needed(saml_idp, sp):
    handler = type("Handler", (_MetadataHandler,), {"metadata": sp.metadata})
    server = ThreadingHTTPServer((HOST, free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://{HOST}:{server.server_port}/saml/metadata/"
        saml_idp.start(sp_metadata_url=url)
        sp.trust(saml_idp)
        request_id, authn_url = sp.authn_request()
        form = _sign_in_over_http(authn_url, "alice")
        assert sp.parse(form["fields"]["SAMLResponse"], {request_id: "/"}) is not None
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.browser
def test_sign_in_drives_the_login_page_in_chromium(saml_idp, sp, signed_in, page):
    from conftest import CHROMIUM

    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    acs_posts = []

    def acs(route):
        acs_posts.append(route.request.url)
        route.fulfill(status=200, content_type="text/plain", body="signed in")

    page.route(ACS_URL, acs)
    request_id, url = sp.authn_request(relay_state="/home")
    page.goto(url)

    posted = saml_idp.sign_in(page, "alice")

    assert posted.url == ACS_URL
    fields = {name: values[0] for name, values in parse_qs(posted.post_data).items()}
    assert fields["RelayState"] == "/home"
    response = sp.parse(fields["SAMLResponse"], {request_id: "/home"})
    assert response.ava["mail"] == ["alice@example.org"]
    page.wait_for_load_state()
    assert acs_posts == [ACS_URL]
