"""The Open Badges 3.0 API (badges/ob3_api.py) end to end, with an OAuth 2.0 client we did not
write (authlib's OAuth2Session, PKCE S256) against the live server: register, authorize (the
learner's consent posted by a Django test client signed in as the learner), exchange the code,
read the credentials page by page, refresh, read and change the profile. Every answer is
checked against 1EdTech's JSON Schemas shipped in badges/openbadges/schemas/.
"""

import json
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from django.test import Client

from accounts.tests.factories import UserFactory
from badges.openbadges import schemas

from .factories import issued_badge

pytestmark = [pytest.mark.django_db(transaction=True)]

SCOPE = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
READ_CREDENTIALS = SCOPE + "credential.readonly"
READ_PROFILE = SCOPE + "profile.readonly"
UPDATE_PROFILE = SCOPE + "profile.update"
ALL_SCOPES = f"{READ_CREDENTIALS} {READ_PROFILE} {UPDATE_PROFILE}"
REDIRECT_URI = "http://127.0.0.1:8765/callback"
BASE = "/ims/ob/v3p0"


@pytest.fixture
def site(live_server, settings, monkeypatch):
    settings.SITE_URL = live_server.url
    # authlib refuses http token endpoints unless told this is a test.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    return live_server.url


@pytest.fixture
def learner():
    return UserFactory(is_learner=True, full_name="Amina Yusuf")


@pytest.fixture
def two_badges(learner):
    first = issued_badge(learner=learner)
    second = issued_badge(learner=learner, title="Leading Change in Schools")
    return first, second


def registration(**overrides):
    body = {
        "client_name": "Example Badge Displayer",
        "client_uri": "https://displayer.example/",
        "logo_uri": "https://displayer.example/logo.png",
        "tos_uri": "https://displayer.example/terms",
        "policy_uri": "https://displayer.example/privacy",
        "software_id": "c88b6ed8-269e-448e-99be-7e2ff47167d1",
        "software_version": "1.0.0",
        "redirect_uris": [REDIRECT_URI],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": ALL_SCOPES,
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def register(site, **overrides) -> dict:
    answer = requests.post(f"{site}{BASE}/register", json=registration(**overrides), timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.json()


def session_for(client: dict, scope=ALL_SCOPES) -> OAuth2Session:
    return OAuth2Session(
        client["client_id"],
        client.get("client_secret"),
        scope=scope,
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    )


def consent(session, site, person, *, verifier, allow=True):
    """The learner opens the authorization URL signed in and presses Allow; the redirect back
    to the app (its Location) is returned."""
    url, state = session.create_authorization_url(f"{site}{BASE}/authorize", code_verifier=verifier)
    parts = urlsplit(url)
    browser = Client()
    browser.force_login(person)
    page = browser.get(f"{parts.path}?{parts.query}")
    assert page.status_code == 200, page.content[:500]
    form = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    if allow:
        form["allow"] = "Authorize"
    answer = browser.post(parts.path, form)
    assert answer.status_code == 302, answer.content[:500]
    return answer["Location"], state, page


def connect(site, person, *, scope=ALL_SCOPES, client=None):
    client = client or register(site, scope=scope)
    session = session_for(client, scope)
    verifier = secrets.token_urlsafe(48)
    location, state, _ = consent(session, site, person, verifier=verifier)
    session.fetch_token(
        f"{site}{BASE}/token", authorization_response=location, code_verifier=verifier, state=state
    )
    return client, session


def assert_status_info(answer, status: int, code_minor: str):
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert schemas.errors(schemas.IMSX_STATUS_INFO, body) == []
    assert body["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == (
        code_minor
    )


def links(answer) -> dict[str, dict]:
    """{rel: query parameters} of the Link header."""
    found = {}
    for part in answer.headers["Link"].split(","):
        url, rel = part.split(";")
        query = parse_qs(urlsplit(url.strip()[1:-1]).query)
        found[rel.strip().removeprefix('rel="').removesuffix('"')] = query
    return found


# --- The whole journey --------------------------------------------------------------------------


def test_an_independent_client_registers_connects_and_reads_the_learners_badges(
    site, learner, two_badges
):
    discovery = requests.get(f"{site}{BASE}/discovery", timeout=10)
    assert discovery.status_code == 200
    document = discovery.json()
    assert document["openapi"].startswith("3.0")
    assert document["info"]["x-imssf-privacyPolicyUrl"].startswith("http")
    assert document["info"]["x-imssf-image"].startswith(site)
    scheme = document["components"]["securitySchemes"]["OAuth2ACG"]
    assert scheme["type"] == "oauth2"
    assert scheme["x-imssf-registrationUrl"] == f"{site}{BASE}/register"
    flow = scheme["flows"]["authorizationCode"]
    assert flow["authorizationUrl"] == f"{site}{BASE}/authorize"
    assert flow["tokenUrl"] == flow["refreshUrl"] == f"{site}{BASE}/token"
    # Only what we implement is offered: no upsert, since we host only our own badges.
    assert set(flow["scopes"]) == set(ALL_SCOPES.split())

    client = register(site, scope=ALL_SCOPES + " " + SCOPE + "credential.upsert")
    assert client["client_secret"] and client["client_secret_expires_at"] == 0
    assert client["scope"] == ALL_SCOPES  # upsert is not granted
    assert client["redirect_uris"] == [REDIRECT_URI]

    session = session_for(client)
    verifier = secrets.token_urlsafe(48)
    location, state, page = consent(session, site, learner, verifier=verifier)
    html = page.content.decode()
    assert "Example Badge Displayer" in html and "127.0.0.1:8765" in html
    assert "See your badges" in html and "Change the name" in html
    assert location.startswith(REDIRECT_URI + "?") and "code=" in location
    token = session.fetch_token(
        flow["tokenUrl"], authorization_response=location, code_verifier=verifier, state=state
    )
    assert token["token_type"].lower() == "bearer" and token["refresh_token"]
    assert set(token["scope"].split()) == set(ALL_SCOPES.split())

    first = session.get(f"{site}{BASE}/credentials", params={"limit": 1})
    assert first.status_code == 200, first.text
    assert first.headers["X-Total-Count"] == "2"
    assert schemas.errors(schemas.GET_OPEN_BADGE_CREDENTIALS_RESPONSE, first.json()) == []
    rels = links(first)
    assert rels["next"] == {"limit": ["1"], "offset": ["1"]}
    assert rels["last"] == {"limit": ["1"], "offset": ["1"]}
    assert "prev" not in rels
    second = session.get(f"{site}{BASE}/credentials", params={"limit": 1, "offset": 1})
    assert second.status_code == 200
    assert schemas.errors(schemas.GET_OPEN_BADGE_CREDENTIALS_RESPONSE, second.json()) == []
    assert "next" not in links(second) and links(second)["prev"]["offset"] == ["0"]
    got = [c for page_ in (first, second) for c in page_.json()["credential"]]
    assert len(got) == 2
    issued = {json.loads(a.credential_json)["id"] for a in two_badges}
    assert {c["id"] for c in got} == issued
    for credential in got:
        assert schemas.errors(schemas.ACHIEVEMENT_CREDENTIAL, credential) == []
        assert credential["proof"]  # our signed credential, as issued

    refreshed = session.refresh_token(flow["refreshUrl"])
    assert refreshed["access_token"] != token["access_token"]
    assert session.get(f"{site}{BASE}/credentials").status_code == 200

    profile = session.get(f"{site}{BASE}/profile")
    assert profile.status_code == 200
    assert schemas.errors(schemas.PROFILE, profile.json()) == []
    assert profile.json()["name"] == "Amina Yusuf"
    assert profile.json()["email"] == learner.email
    changed = session.put(f"{site}{BASE}/profile", json={**profile.json(), "name": "Amina Y."})
    assert changed.status_code == 200, changed.text
    assert schemas.errors(schemas.PROFILE, changed.json()) == []
    learner.refresh_from_db()
    assert learner.full_name == "Amina Y."

    # The learner sees the application on their page.
    browser = Client()
    browser.force_login(learner)
    apps = browser.get("/learn/connected-apps/")
    assert apps.status_code == 200
    assert "Example Badge Displayer" in apps.content.decode()


# --- Bad input ----------------------------------------------------------------------------------


def test_a_wrong_pkce_verifier_gets_no_token(site, learner):
    client = register(site)
    session = session_for(client)
    location, state, _ = consent(session, site, learner, verifier=secrets.token_urlsafe(48))
    with pytest.raises(OAuthError) as refused:
        session.fetch_token(
            f"{site}{BASE}/token",
            authorization_response=location,
            code_verifier=secrets.token_urlsafe(48),
            state=state,
        )
    assert refused.value.error == "invalid_grant"


def test_a_plain_pkce_challenge_is_refused(site, learner):
    client = register(site)
    verifier = secrets.token_urlsafe(48)
    session = OAuth2Session(
        client["client_id"], client["client_secret"], scope=ALL_SCOPES,
        redirect_uri=REDIRECT_URI, code_challenge_method="plain",
    )  # fmt: skip
    url, _ = session.create_authorization_url(f"{site}{BASE}/authorize", code_verifier=verifier)
    browser = Client()
    browser.force_login(learner)
    parts = urlsplit(url)
    answer = browser.get(f"{parts.path}?{parts.query}")  # refused before the consent page
    assert answer.status_code == 302
    assert answer["Location"].startswith(REDIRECT_URI)
    assert parse_qs(urlsplit(answer["Location"]).query)["error"] == ["invalid_request"]


def test_a_token_without_the_scope_is_refused(site, learner, two_badges):
    _, session = connect(site, learner, scope=READ_PROFILE)
    assert_status_info(session.get(f"{site}{BASE}/credentials"), 403, "forbidden")
    assert_status_info(
        session.put(f"{site}{BASE}/profile", json={"id": "x", "type": "Profile", "name": "Z"}),
        403,
        "forbidden",
    )
    assert session.get(f"{site}{BASE}/profile").status_code == 200
    # HEAD needs GET's scope: its headers would tell how many badges the learner holds.
    head = session.head(f"{site}{BASE}/credentials")
    assert head.status_code == 403 and "X-Total-Count" not in head.headers


def test_another_learners_token_does_not_see_this_learners_badges(site, learner, two_badges):
    other = UserFactory(is_learner=True, full_name="Tariq Mehmood")
    _, session = connect(site, other)
    answer = session.get(f"{site}{BASE}/credentials")
    assert answer.status_code == 200
    assert answer.headers["X-Total-Count"] == "0"
    assert answer.json() == {"credential": []}
    for badge in two_badges:
        assert str(badge.pk) not in answer.text
    assert session.get(f"{site}{BASE}/profile").json()["email"] == other.email


def test_a_disconnected_applications_tokens_are_refused(site, learner, two_badges):
    client, session = connect(site, learner)
    assert session.get(f"{site}{BASE}/credentials").status_code == 200
    from oauth2_provider.models import get_application_model

    application = get_application_model().objects.get(client_id=client["client_id"])
    browser = Client()
    browser.force_login(learner)
    done = browser.post(f"/learn/connected-apps/{application.pk}/disconnect/")
    assert done.status_code == 302
    answer = session.get(f"{site}{BASE}/credentials")
    assert_status_info(answer, 401, "unauthorizedrequest")
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    with pytest.raises(OAuthError):
        session.refresh_token(f"{site}{BASE}/token")
    assert "Example Badge Displayer" not in browser.get("/learn/connected-apps/").content.decode()
    from accounts.models import AuditEntry

    (entry,) = AuditEntry.objects.filter(action="ob3_api.disconnected")
    assert entry.actor == learner and entry.target_id == str(application.pk)


def test_expired_tokens_are_cleared_by_the_daily_task(learner):
    from datetime import timedelta

    from django.utils import timezone
    from oauth2_provider.models import get_access_token_model, get_application_model

    from badges.tasks import clear_expired_oauth_tokens

    application = get_application_model().objects.create(
        name="Old displayer", client_type="public", authorization_grant_type="authorization-code",
        redirect_uris=REDIRECT_URI,
    )  # fmt: skip
    tokens = get_access_token_model().objects
    old = tokens.create(user=learner, application=application, token="old", scope="",
                        expires=timezone.now() - timedelta(days=2))  # fmt: skip
    live = tokens.create(user=learner, application=application, token="live", scope="",
                         expires=timezone.now() + timedelta(hours=1))  # fmt: skip
    clear_expired_oauth_tokens()
    assert not tokens.filter(pk=old.pk).exists() and tokens.filter(pk=live.pk).exists()


def test_requests_without_a_token_or_with_bad_input_get_imsx_status_info(site, learner):
    assert_status_info(requests.get(f"{site}{BASE}/credentials", timeout=10), 401,
                       "unauthorizedrequest")  # fmt: skip
    _, session = connect(site, learner)
    assert_status_info(session.post(f"{site}{BASE}/credentials", json={}), 405, "not_allowed")
    for query in ({"limit": 0}, {"limit": "x"}, {"offset": -1}, {"since": "yesterday"}):
        answer = session.get(f"{site}{BASE}/credentials", params=query)
        assert_status_info(answer, 400, "invalid_query_parameter")
    profile = session.get(f"{site}{BASE}/profile").json()
    for body in (
        {**profile, "name": ""},
        {**profile, "name": "x" * 201},
        {**profile, "name": "Amina\u0000"},
        {**profile, "email": "someone.else@example.org"},
        {"name": "No id or type"},
        ["not", "an", "object"],
    ):
        assert_status_info(session.put(f"{site}{BASE}/profile", json=body), 400, "invalid_data")
    learner.refresh_from_db()
    assert learner.full_name == "Amina Yusuf"


@pytest.mark.parametrize(
    "overrides, error",
    [
        ({"client_name": None}, "invalid_client_metadata"),
        ({"client_name": "x" * 256}, "invalid_client_metadata"),
        ({"client_uri": "javascript:alert(1)"}, "invalid_client_metadata"),
        ({"logo_uri": "http://displayer.example/logo.png"}, "invalid_client_metadata"),
        ({"software_id": 12}, "invalid_client_metadata"),
        ({"redirect_uris": []}, "invalid_redirect_uri"),
        ({"redirect_uris": "https://displayer.example/cb"}, "invalid_redirect_uri"),
        ({"redirect_uris": ["http://displayer.example/cb"]}, "invalid_redirect_uri"),
        ({"redirect_uris": ["https://displayer.example/cb#frag"]}, "invalid_redirect_uri"),
        ({"redirect_uris": ["https://user:pw@displayer.example/cb"]}, "invalid_redirect_uri"),
        ({"redirect_uris": [f"https://d.example/{i}" for i in range(11)]}, "invalid_redirect_uri"),
        ({"token_endpoint_auth_method": "private_key_jwt"}, "invalid_client_metadata"),
        ({"grant_types": ["implicit"]}, "invalid_client_metadata"),
        ({"response_types": ["token"]}, "invalid_client_metadata"),
        ({"scope": SCOPE + "credential.upsert"}, "invalid_client_metadata"),
        ({"scope": None}, "invalid_client_metadata"),
    ],
)
def test_a_malformed_registration_is_refused(site, overrides, error):
    from oauth2_provider.models import get_application_model

    answer = requests.post(f"{site}{BASE}/register", json=registration(**overrides), timeout=10)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == error
    assert get_application_model().objects.count() == 0


def test_a_registration_that_is_not_json_or_too_large_is_refused(site):
    url = f"{site}{BASE}/register"
    not_json = requests.post(
        url, data="{", headers={"Content-Type": "application/json"}, timeout=10
    )
    assert not_json.status_code == 400
    huge = requests.post(url, json=registration(client_name="x" * 20_000), timeout=10)
    assert huge.status_code == 400
    assert requests.get(url, timeout=10).status_code == 405


def test_a_public_client_registers_without_a_secret_and_connects_with_pkce(site, learner):
    client = register(site, token_endpoint_auth_method="none")
    assert "client_secret" not in client
    _, session = connect(site, learner, client=client)
    assert session.get(f"{site}{BASE}/profile").status_code == 200


def test_an_application_asks_only_for_the_scopes_it_registered_with(site, learner):
    """RFC 7591 §2: the scopes granted at registration bound what the application may ask a
    learner for; asking for more is refused (invalid_scope) before any consent is shown."""
    client = register(site, scope=READ_PROFILE)
    assert client["scope"] == READ_PROFILE
    session = session_for(client, ALL_SCOPES)
    url, _ = session.create_authorization_url(
        f"{site}{BASE}/authorize", code_verifier=secrets.token_urlsafe(48)
    )
    parts = urlsplit(url)
    browser = Client()
    browser.force_login(learner)
    answer = browser.get(f"{parts.path}?{parts.query}")
    assert answer.status_code == 302 and "error=invalid_scope" in answer["Location"]
    # Within what it registered for, it connects as any application does.
    _, connected = connect(site, learner, scope=READ_PROFILE, client=client)
    assert connected.get(f"{site}{BASE}/profile").status_code == 200
