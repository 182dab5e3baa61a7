"""Security properties that are not one URL's permissions: public ids are UUIDs, hidden badges
stay hidden, sign-in is throttled (django-axes), the API is rate limited (DRF), CSRF and the
security headers hold.

The permission matrix (test_permission_matrix.py) already searches every page and API answer
for a hidden badge; the tests here check that search can succeed (the badge does show where it
should) and look at the places a matrix request does not reach (the API with a token).
"""

import re
import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse
from django.urls.converters import UUIDConverter
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD, UserFactory
from config.api_urls import ApiDocsView
from config.throttling import ApiAnonRateThrottle, ApiTokenRateThrottle, client_ip
from courses.api import OfferingEnrolmentsApi

from . import permission_matrix as matrix
from .test_permission_matrix import BROWSER_ACCEPT, PATTERNS, centre_in_a_transaction


@pytest.fixture(scope="module")
def centre(django_db_setup, django_db_blocker):
    yield from centre_in_a_transaction(django_db_blocker)


# --- IDs in public URLs are UUIDs -----------------------------------------------------------------

# Parameters of public URLs that are not ids of anything stored: the optional ".json" of the Open
# Badges URLs, and Django's signed password-reset link (an encoded id with an expiring HMAC).
NOT_IDS = {"suffix", "uidb64", "token"}
# Public documents that are the same for everyone, so take no id at all.
FIXED_DOCUMENTS = {"badges:eu_context", "badges:eu_schema", "badges:eu_context_ob3"}


def named_groups(regex: str) -> dict[str, str]:
    """{name: the group's own regex} for each (?P<name>…) of a regex, nesting respected."""
    groups, i = {}, 0
    while (i := regex.find("(?P<", i)) != -1:
        name = regex[i + 4 : regex.index(">", i)]
        depth, j = 0, i
        while True:
            if regex[j] == "\\":
                j += 2
                continue
            depth += {"(": 1, ")": -1}.get(regex[j], 0)
            j += 1
            if depth == 0:
                break
        groups[name] = regex[regex.index(">", i) + 1 : j - 1]
        i = j
    return groups


def parameter_is_uuid(pattern, name) -> bool:
    inner = pattern.pattern.pattern
    if isinstance(inner, RoutePattern):
        return isinstance(inner.converters.get(name), UUIDConverter)
    assert isinstance(inner, RegexPattern)
    body = named_groups(inner._regex)[name]
    return bool(
        re.fullmatch(body, str(uuid.uuid4()))
        and not re.fullmatch(body, "12345")
        and not re.fullmatch(body, "../etc")
    )


def is_public(pattern) -> bool:
    entry = matrix.PATTERNS.get(pattern.key)
    return pattern.route.startswith("public/") or (
        entry is not None and entry.expect["anonymous"] == 200
    )


def test_ids_in_public_urls_are_uuids():
    public = [p for p in PATTERNS if is_public(p)]
    assert len(public) > 10
    numeric = [
        f"{p.key}: {name}"
        for p in public
        for name in p.parameters
        if name not in NOT_IDS and not parameter_is_uuid(p, name)
    ]
    assert not numeric, f"public URLs whose ids are not UUIDs: {numeric}"


def test_every_public_url_names_its_object_by_uuid_or_is_a_fixed_document():
    for p in PATTERNS:
        if p.route.startswith("public/") and p.key not in FIXED_DOCUMENTS:
            ids = [n for n in p.parameters if n not in NOT_IDS]
            assert ids and all(parameter_is_uuid(p, n) for n in ids), p.key


def test_nothing_public_lists_assertions():
    """No public pattern without an id could list badges: every public URL of an assertion, or
    of a learner's badges, needs the UUID of that one assertion or learner."""
    for p in PATTERNS:
        if is_public(p) and re.search(r"assertion|learner", p.route):
            assert "pk" in p.parameters and parameter_is_uuid(p, "pk"), p.key


# --- Hidden badges --------------------------------------------------------------------------------


def signed_in(user):
    client = Client(HTTP_ACCEPT=BROWSER_ACCEPT)
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_hidden_badge_shows_only_to_its_owner_and_at_its_own_link(centre):
    hidden = str(centre.hidden.pk)
    owner = signed_in(centre.hidden_owner)
    assert hidden in owner.get(reverse("badges:backpack")).content.decode()
    anonymous = Client(HTTP_ACCEPT=BROWSER_ACCEPT)
    profile = reverse("badges:profile", kwargs={"pk": centre.hidden_owner.public_id})
    assert hidden not in anonymous.get(profile).content.decode()
    assert hidden not in owner.get(profile).content.decode()
    # Hiding takes it off the profile; its own link still verifies it (badges/views_pages.py).
    assert anonymous.get(reverse("badges:assertion", kwargs={"pk": hidden})).status_code == 200


@pytest.mark.django_db
def test_a_visible_badge_does_show_on_its_owners_profile(centre):
    """The matrix's search would find a badge on a profile: the page lists visible ones."""
    profile = reverse("badges:profile", kwargs={"pk": centre.learner.public_id})
    body = Client(HTTP_ACCEPT=BROWSER_ACCEPT).get(profile).content.decode()
    assert str(centre.assertion.pk) in body
    assert str(centre.hidden.pk) not in body


@pytest.mark.django_db
def test_the_api_does_not_reveal_hidden_badges(centre):
    client = APIClient()
    key = Token.objects.get_or_create(user=centre.users["leads_admin"])[0].key
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    for path in [
        reverse("api-offering-enrolments", kwargs={"offering_id": centre.offering.pk}),
        reverse("api-schema"),
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert str(centre.hidden.pk) not in response.content.decode(), path


# --- Sign-in throttling (django-axes) -------------------------------------------------------------

HOME_IP, OTHER_IP = "203.0.113.10", "198.51.100.20"


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True


def sign_in(client, email, password, ip=HOME_IP, path=None, **extra):
    data = {"username": email, "password": password}
    return client.post(path or reverse("login"), data, REMOTE_ADDR=ip, **extra)


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def locked_out(response) -> bool:
    return response.status_code == 429 and "Too many wrong passwords" in response.content.decode()


@pytest.fixture
def person(db):
    return UserFactory(email="amina@example.org", full_name="Amina Yusuf")


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_out_with_a_clear_message(axes_on, person):
    client = Client()
    for _ in range(4):
        response = sign_in(client, person.email, "wrong password")
        assert response.status_code == 200
        assert "do not match an account" in response.content.decode()
    response = sign_in(client, person.email, "wrong password")
    assert locked_out(response)
    page = response.content.decode()
    assert "Too many wrong passwords for amina@example.org" in page
    assert "paused for 15 minutes" in page and "even the right password is refused" in page
    assert 'id="id_username"' in page  # the sign-in page itself, with the form
    assert reverse("password_reset") in page


@pytest.mark.django_db
def test_the_right_password_is_refused_until_the_cool_off_ends(axes_on, person):
    from axes.models import AccessAttempt

    client = Client()
    for _ in range(5):
        sign_in(client, person.email, "wrong password")
    response = sign_in(client, person.email, PASSWORD)
    assert locked_out(response)
    assert signed_in_as(client) is None
    # Fourteen minutes later: still locked.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    assert locked_out(sign_in(client, person.email, PASSWORD))
    # Sixteen minutes after the failures: the right password works again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = sign_in(client, person.email, PASSWORD)
    assert response.status_code == 302
    assert signed_in_as(client) == str(person.pk)


@pytest.mark.django_db
def test_others_are_unaffected_by_a_lockout(axes_on, person):
    for _ in range(5):
        sign_in(Client(), person.email, "wrong password")
    assert locked_out(sign_in(Client(), person.email, PASSWORD))
    # Someone else on the same network signs in.
    colleague = UserFactory(email="bilal@example.org")
    client = Client()
    assert sign_in(client, colleague.email, PASSWORD).status_code == 302
    assert signed_in_as(client) == str(colleague.pk)
    # The same person from elsewhere (the lockout is per e-mail and address) signs in too.
    client = Client()
    assert sign_in(client, person.email, PASSWORD, ip=OTHER_IP).status_code == 302
    assert signed_in_as(client) == str(person.pk)


@pytest.mark.django_db
def test_changing_the_case_of_the_address_buys_no_more_guesses(axes_on, person):
    for variant in [
        "Amina@example.org",
        "AMINA@EXAMPLE.ORG",
        " amina@example.org",
        "amina@Example.org",
    ]:  # noqa: E501
        assert not locked_out(sign_in(Client(), variant, "wrong password"))
    assert locked_out(sign_in(Client(), "amina@example.ORG", "wrong password"))


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_buys_no_more_guesses(axes_on, person):
    """With no trusted proxy (TRUSTED_PROXY_COUNT=0) the address is REMOTE_ADDR alone."""
    responses = [
        sign_in(Client(), person.email, "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        for n in range(5)
    ]
    assert locked_out(responses[-1])


def test_behind_a_trusted_proxy_the_client_is_the_address_the_proxy_saw(settings):
    factory = RequestFactory()
    request = factory.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "127.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7"  # not the 6.6.6.6 the client wrote itself


@pytest.mark.django_db
def test_a_successful_sign_in_clears_the_failures(axes_on, person):
    client = Client()
    for _ in range(4):
        sign_in(client, person.email, "wrong password")
    assert sign_in(client, person.email, PASSWORD).status_code == 302
    client = Client()
    for _ in range(4):
        assert not locked_out(sign_in(client, person.email, "wrong password"))


@pytest.mark.django_db
def test_the_django_admin_sign_in_is_throttled_too(axes_on):
    staff = UserFactory(email="admin@example.org", is_leads_admin=True)
    responses = [
        sign_in(Client(), staff.email, "wrong", path=reverse("admin:login")) for _ in range(5)
    ]
    assert locked_out(responses[-1])
    assert locked_out(sign_in(Client(), staff.email, PASSWORD, path=reverse("admin:login")))


# --- API rate limits (DRF) ------------------------------------------------------------------------


@pytest.fixture
def low_rates(settings):
    """Rates low enough to reach in a test. config/throttling.py reads them at each request."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/minute", "anon": "2/minute"},
    }


def token_client(user):
    # The throttle's history lives in the cache under the account's id: start this one afresh.
    cache.delete(f"throttle_token_{user.pk}")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_every_api_view_is_throttled_with_the_configured_rates():
    assert ApiTokenRateThrottle in api_settings.DEFAULT_THROTTLE_CLASSES
    assert ApiAnonRateThrottle in api_settings.DEFAULT_THROTTLE_CLASSES
    for view in (OfferingEnrolmentsApi, ApiDocsView):
        kinds = {type(t) for t in view().get_throttles()}
        assert {ApiTokenRateThrottle, ApiAnonRateThrottle} <= kinds, view
    for scope in ("token", "anon"):
        assert re.fullmatch(
            r"\d+/(second|minute|hour|day)", api_settings.DEFAULT_THROTTLE_RATES[scope]
        )  # noqa: E501


@pytest.mark.django_db
def test_a_token_past_its_rate_gets_429_and_others_do_not(low_rates, centre):
    admin = centre.users["leads_admin"]
    path = reverse("api-offering-enrolments", kwargs={"offering_id": centre.offering.pk})
    vle = token_client(admin)
    assert [vle.get(path).status_code for _ in range(3)] == [200, 200, 200]
    response = vle.get(path)
    assert response.status_code == 429
    assert "Request was throttled" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0
    # Writes count too, and nothing is written once throttled.
    before = centre.offering.enrollments.count()
    assert vle.post(path, {"email": "x@example.org", "name": "X"}, format="json").status_code == 429
    assert centre.offering.enrollments.count() == before
    # Another token has its own allowance.
    other = UserFactory(is_leads_admin=True, is_learner=False)
    assert token_client(other).get(path).status_code == 200


@pytest.mark.django_db
def test_anonymous_api_requests_are_limited_per_address(low_rates):
    first, second = "192.0.2.77", "192.0.2.78"
    for address in (first, second):
        cache.delete(f"throttle_anon_{address}")
    client = APIClient()
    path = reverse("api-schema")
    codes = [client.get(path, REMOTE_ADDR=first).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert client.get(path, REMOTE_ADDR=second).status_code == 200


# --- CSRF and headers -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_post_without_its_csrf_token_is_refused(centre):
    client = Client(enforce_csrf_checks=True)
    client.force_login(centre.hidden_owner)
    path = reverse("badges:set_visibility", kwargs={"pk": centre.hidden.pk})
    assert client.post(path, {"hidden": "0"}).status_code == 403
    centre.hidden.refresh_from_db()
    assert centre.hidden.hidden
    response = Client(enforce_csrf_checks=True).post(
        reverse("login"), {"username": "a@example.org", "password": "x"}
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_pages_carry_the_security_headers():
    response = Client().get(reverse("home"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_policy_built_once_is_django_csps_and_follows_the_settings():
    from csp.decorators import csp_update
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.test import RequestFactory, override_settings

    from config.content_security import ContentSecurityPolicyMiddleware

    def reference(request, response):
        return CSPMiddleware(lambda r: response).process_response(request, response)

    ours = ContentSecurityPolicyMiddleware(lambda r: HttpResponse())
    request = RequestFactory().get("/")
    expected = reference(request, HttpResponse())["Content-Security-Policy"]
    for _ in range(2):  # built, then kept
        got = ours.process_response(RequestFactory().get("/"), HttpResponse())
        assert got["Content-Security-Policy"] == expected
    changed = {"DIRECTIVES": {"default-src": ["'none'"]}}
    with override_settings(CONTENT_SECURITY_POLICY=changed):
        got = ours.process_response(RequestFactory().get("/"), HttpResponse())
        assert got["Content-Security-Policy"] == "default-src 'none'"
    assert (
        ours.process_response(RequestFactory().get("/"), HttpResponse())["Content-Security-Policy"]
        == expected
    )

    @csp_update({"img-src": ["https://images.example.org"]})
    def view(request):
        return HttpResponse()

    tailored = ours.process_response(request, view(RequestFactory().get("/")))
    assert "https://images.example.org" in tailored["Content-Security-Policy"]
