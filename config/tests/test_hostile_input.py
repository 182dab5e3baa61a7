"""Hostile input costs bounded work and is answered with a status and a sentence, never a 500.

The catalogue of config/tests/test_bad_input.py, for the inputs built to cost us work: nesting a
thousand levels deep in a JSON body (which json.loads would recurse through) or in an SVG (which
the DOM's walks would recurse through), hundreds of thousands of arrays, elements or PNG chunks,
key ids and proof values far longer than any real one (base58 decoding is quadratic), a body over
the size limit (Django's own 400). Each case names where it goes, the status and the words the
sender must see; the database's fingerprint proves nothing changed.
`bench/hostile_inputs.py` measures the same inputs and worse; these tests never time anything.

Then the verifier's rate limit: its 429 says when to come back (Retry-After).
"""

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client
from rest_framework.authtoken.models import Token

from badges.openbadges.vc import eddsa_rdfc_2022, multikey
from badges.openbadges.vc.bench import sample_credential
from badges.tests.admin_factories import png_bytes, png_chunk, svg_bytes
from config.parsers import json_refusal

from .test_bad_input import (
    MB,
    Sender,
    badge_edit,
    changed_tables,
    database_fingerprint,
    enrolments_api,
    response_text,
    result_body,
    upload,
    url,
)
from .test_permission_matrix import BROWSER_ACCEPT, centre_in_a_transaction


@pytest.fixture(scope="module")
def centre(django_db_setup, django_db_blocker):
    yield from centre_in_a_transaction(django_db_blocker)


@pytest.fixture(autouse=True)
def base58_decodes_only_short_values(monkeypatch):
    """Decoding a long value is the quadratic work these tests prove is never done: here it
    fails loudly instead of taking seconds."""
    decode = multikey.base58.b58decode

    def bounded(value):
        assert len(value) <= 100, f"base58-decoded {len(value):,} characters"
        return decode(value)

    monkeypatch.setattr(multikey.base58, "b58decode", bounded)


# --- Inputs ---------------------------------------------------------------------------------------

DEEP = 1000
NESTED_1000 = "[" * DEEP + "]" * DEEP
OBJECTS_1000 = '{"a":' * DEEP + "1" + "}" * DEEP
SVG_1000 = svg_bytes("<g>" * DEEP + "</g>" * DEEP)
SVG_FLOOD = svg_bytes("<g/>" * 500_000)  # 2 MB of elements, nested 2 deep
EMPTY_ARRAYS = "[" + "[]," * 600_000 + "[]]"  # shallow, but 600,001 arrays for json.loads to build
_PNG = png_bytes(256)
PNG_CHUNK_FLOOD = _PNG[:33] + png_chunk(b"tEXt", b"") * 150_000 + _PNG[33:]  # 1.8 MB


def did_key_credential(**proof_changes) -> dict:
    """A credential signed by a did:key of its own, its proof changed as given."""
    key = Ed25519PrivateKey.generate()
    credential = sample_credential(7)
    credential["issuer"] = {**credential["issuer"], "id": multikey.did_key(key.public_key())}
    credential.pop("credentialStatus", None)
    signed = eddsa_rdfc_2022.add_proof(
        credential,
        private_key=key,
        verification_method=multikey.did_key_verification_method(key.public_key()),
    )
    signed["proof"].update(proof_changes)
    return signed


def b64url(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def jwt_with_kid(kid: str) -> str:
    """A compact JWS naming ``kid``; its payload and signature do not matter (never reached)."""
    payload = b64url({"iss": "did:example:x", "jti": "urn:x", "nbf": 0})
    return f"{b64url({'alg': 'EdDSA', 'kid': kid})}.{payload}.{'A' * 86}"


def verify_api(s, body, content_type="application/json"):
    return s.api("post", url("api-verify"), body, content_type, token=False)


def verify_page(s, **data):
    return s.post(url("badges:verify"), data)


# --- The catalogue --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    area: str  # api, upload, public
    role: str  # who sends it (a role of the permission matrix)
    what: str  # the input, in words
    send: Callable[[Sender], object]
    status: int
    says: str  # words the sender must see (HTML unescaped)

    def __str__(self):
        return self.id


CASES = [
    # --- JSON request bodies: refused before json.loads recurses ------------------------------
    Case("api-verify-body-nested-1000", "api", "anonymous",
         "Verification API body whose credential is nested 1,000 arrays deep",
         lambda s: verify_api(s, '{"credential": ' + NESTED_1000 + "}"),
         400, "JSON parse error - the body is nested more than 64 levels deep."),
    Case("api-verify-body-objects-1000", "api", "anonymous",
         "Verification API body of 1,000 nested objects",
         lambda s: verify_api(s, OBJECTS_1000),
         400, "nested more than 64 levels deep"),
    Case("api-verify-body-1mb-unclosed", "api", "anonymous",
         "Verification API body of a million “[” never closed",
         lambda s: verify_api(s, '{"text": "x", "a": ' + "[" * MB),
         400, "nested more than 64 levels deep"),
    Case("api-verify-body-escaped-quote", "api", "anonymous",
         "Nesting after a string holding an escaped quote (a naive scanner loses count there)",
         lambda s: verify_api(s, '{"text": "\\"]", "a": ' + NESTED_1000 + "}"),
         400, "nested more than 64 levels deep"),
    Case("api-verify-multipart-credential-nested", "api", "anonymous",
         "Verification API form field `credential` nested 1,000 deep (multipart)",
         lambda s: s.client.post(url("api-verify"), {"credential": NESTED_1000}),
         400, "The JSON is nested more than 64 levels deep."),
    Case("api-verify-body-600000-arrays", "api", "anonymous",
         "Verification API body of 600,000 empty arrays (1.8 MB)",
         lambda s: verify_api(s, '{"credential": ' + EMPTY_ARRAYS + "}"),
         400, "JSON parse error - the body has more than 10,000 arrays and objects."),
    Case("api-verify-multipart-credential-600000-arrays", "api", "anonymous",
         "Verification API form field `credential` of 600,000 empty arrays (multipart)",
         lambda s: s.client.post(url("api-verify"), {"credential": EMPTY_ARRAYS}),
         400, "The JSON has more than 10,000 arrays and objects."),
    Case("api-verify-body-over-limit", "api", "anonymous",
         "Verification API body of 3 MB",
         lambda s: verify_api(s, json.dumps({"text": "x" * (3 * MB)})),
         400, "The request could not be understood."),
    Case("api-enrolments-body-nested-1000", "api", "anonymous",
         "Enrolment API body nested 1,000 deep (with the VLE's token)",
         lambda s: enrolments_api(s, '{"email": "a@example.org", "name": ' + NESTED_1000 + "}"),
         400, "nested more than 64 levels deep"),
    Case("api-results-body-nested-1000", "api", "anonymous",
         "Results API body nested 1,000 deep (with the VLE's token)",
         lambda s: s.api("post", url("api-results"),
                         json.dumps(result_body(s))[:-1] + ', "feedback": ' + NESTED_1000 + "}"),
         400, "nested more than 64 levels deep"),
    # --- SVG nested 1,000 deep, or 2 MB of elements: refused before the DOM is built -----------
    Case("verify-page-svg-nested-1000", "public", "anonymous",
         "SVG nested 1,000 elements deep uploaded to /verify/",
         lambda s: verify_page(s, file=upload("badge.svg", SVG_1000, "image/svg+xml")),
         200, "the SVG nests elements more than 64 levels deep"),
    Case("api-verify-svg-nested-1000", "api", "anonymous",
         "SVG nested 1,000 elements deep sent to the verification API (multipart)",
         lambda s: s.client.post(url("api-verify"), {"file": upload("badge.svg", SVG_1000)}),
         200, "the SVG nests elements more than 64 levels deep"),
    Case("verify-page-svg-500000-elements", "public", "anonymous",
         "SVG of 500,000 elements (2 MB) uploaded to /verify/",
         lambda s: verify_page(s, file=upload("badge.svg", SVG_FLOOD, "image/svg+xml")),
         200, "the SVG has more than 40,000 elements and attributes"),
    Case("verify-page-png-150000-chunks", "public", "anonymous",
         "PNG of 150,000 empty chunks uploaded to /verify/",
         lambda s: verify_page(s, file=upload("badge.png", PNG_CHUNK_FLOOD, "image/png")),
         200, "the PNG has more than 10,000 chunks"),
    Case("badge-image-png-150000-chunks", "upload", "leads_admin",
         "Badge image: a PNG of 150,000 empty chunks",
         lambda s: badge_edit(s, upload("badge.png", PNG_CHUNK_FLOOD, "image/png")),
         400, "The PNG is split into more than 10,000 chunks"),
    Case("badge-image-svg-nested-1000", "upload", "leads_admin",
         "Badge image: an SVG nested 1,000 elements deep",
         lambda s: badge_edit(s, upload("badge.svg", SVG_1000, "image/svg+xml")),
         400, "it nests elements more than 64 levels deep, far more than a badge image needs"),
    Case("badge-image-svg-500000-elements", "upload", "leads_admin",
         "Badge image: an SVG of 500,000 elements",
         lambda s: badge_edit(s, upload("badge.svg", SVG_FLOOD, "image/svg+xml")),
         400, "it has more than 40,000 elements and attributes"),
    # --- Key ids and proof values longer than any real one: refused before base58 decoding -----
    Case("verify-page-proof-value-200kb", "public", "anonymous",
         "Credential whose proofValue is 200,000 base58 characters, pasted into /verify/",
         lambda s: verify_page(s, text=json.dumps(did_key_credential(proofValue="z" + "2" * 200_000))),  # noqa: E501
         200, "proofValue: 200,001 characters is too long: at most 89 are possible here"),
    Case("api-verify-proof-value-90", "api", "anonymous",
         "Credential whose proofValue is one character longer than any signature's",
         lambda s: verify_api(s, {"credential": did_key_credential(proofValue="z" + "2" * 89)}),
         200, "proofValue: 90 characters is too long: at most 89 are possible here"),
    Case("api-verify-kid-did-key-400", "api", "anonymous",
         "VC-JWT whose kid is a did:key of 409 characters",
         lambda s: verify_api(s, {"text": jwt_with_kid("did:key:z6Mk" + "2" * 397)}),
         200, "409 characters is too long (at most 105)"),
    Case("api-verify-kid-200kb", "api", "anonymous",
         "VC-JWT whose kid is a did:key of 200,000 characters",
         lambda s: verify_api(s, {"text": jwt_with_kid("did:key:z6Mk" + "2" * 200_000)}),
         200, '"verdict":"invalid"'),
]  # fmt: skip


@pytest.fixture
def sender(centre):
    def make(role):
        client = Client(HTTP_ACCEPT=BROWSER_ACCEPT)
        user = centre.users[role]
        if user is not None:
            client.force_login(user)
        return Sender(client, centre)

    admin = centre.users["leads_admin"]
    centre.api_key = Token.objects.get_or_create(user=admin)[0].key
    return make


@pytest.mark.parametrize(
    "text, deeper_than_64",
    [
        ("[" * 64 + "]" * 64, False),
        ("[" * 65 + "]" * 65, True),
        ("[" * 65, True),  # never closed: the parser recurses all the same
        ('{"a":' * 64 + "1" + "}" * 64, False),
        ('["' + "[" * 100 + '"]', False),  # brackets in a string do not count
        ('["\\\\"' + "," + "[" * 65, True),  # an escaped backslash ends before the quote
        ('["\\"' + "[" * 100 + '"]', False),  # an escaped quote does not end the string
        ('"\\"], ' + "[" * 65 + '"', False),  # ...so these brackets are inside it
        ('"unterminated' + "[" * 100, False),
        ('"\\', False),
        ("]" * 100 + "[" * 64, False),
        ("", False),
    ],
)
def test_json_nesting_is_measured_outside_strings(text, deeper_than_64):
    assert (json_refusal(text) == "is nested more than 64 levels deep") is deeper_than_64


def test_json_of_too_many_arrays_and_objects_is_refused_whatever_its_depth():
    assert json_refusal("[" + "[]," * 9_998 + "[]]") is None  # 10,000 arrays: at the limit
    assert json_refusal("[" + "{}," * 10_000 + "{}]") == "has more than 10,000 arrays and objects"
    assert json_refusal('["' + "[]," * 20_000 + '"]') is None  # inside a string: not arrays


@pytest.mark.django_db
def test_a_body_nested_64_deep_is_parsed(client):
    body = '{"credential": ' + "[" * 63 + "]" * 63 + "}"
    response = client.post("/api/v1/verify", body, content_type="application/json")
    assert response.status_code == 200
    assert "nested" not in response.content.decode()


def test_the_catalogue_ids_are_unique():
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=str)
def test_hostile_input_is_refused_with_a_sentence_and_changes_no_row(case, sender):
    send = sender(case.role)
    before = database_fingerprint()
    response = case.send(send)
    after = database_fingerprint()
    text = response_text(response)
    assert response.status_code == case.status, (
        f"{case.id}: expected {case.status}, got {response.status_code}: {text[:500]}"
    )
    assert case.says in text, f"{case.id}: the answer does not say {case.says!r}: {text[:800]}"
    assert not changed_tables(before, after), (
        f"{case.id} changed rows in {changed_tables(before, after)}"
    )


# --- The verifier's 429 says when to come back ----------------------------------------------------


@pytest.fixture
def own_cache(settings):
    """A cache of this test's own: the shared test cache is emptied by other tests' runs."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "hostile-input-rate",
        }
    }


@pytest.fixture
def clock(monkeypatch):
    """The rate limit's clock, set by the test."""
    import config.throttling

    class Clock:
        now = 1_000_000.0

        def time(self):
            return self.now

    clock = Clock()
    monkeypatch.setattr(config.throttling, "time", clock)
    return clock


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path, send",
    [
        ("/verify/", lambda c, path: c.post(path, {"text": "x"})),
        ("/api/v1/verify", lambda c, path: c.post(path, {"text": "x"}, "application/json")),
    ],
    ids=["page", "api"],
)
def test_the_verifiers_429_carries_retry_after_until_its_window_ends(path, send, own_cache, clock):
    client = Client()
    responses = []
    for _ in range(30):  # RATE: 30 a minute, the first opening the window
        responses.append(send(client, path))
        clock.now += 1
    assert {r.status_code for r in responses} <= {200, 400}
    assert all("Retry-After" not in r for r in responses)
    clock.now += 12  # 42 s into the window
    limited = send(client, path)
    assert limited.status_code == 429
    assert limited["Retry-After"] == "18"
    assert "Too many verifications" in response_text(limited)
    clock.now += 17.5
    assert send(client, path)["Retry-After"] == "1"  # never 0: the window is not over yet


@pytest.mark.django_db
def test_another_address_is_not_limited(own_cache, clock):
    for _ in range(31):
        Client(REMOTE_ADDR="192.0.2.1").post("/verify/", {"text": "x"})
    assert Client(REMOTE_ADDR="192.0.2.1").post("/verify/", {"text": "x"}).status_code == 429
    other = Client(REMOTE_ADDR="192.0.2.2").post("/verify/", {"text": "x"})
    assert other.status_code == 200 and "Retry-After" not in other
