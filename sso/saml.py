"""SAML 2.0 sign-in with pysaml2: we are a service provider (SP) to each SAML identity provider.

- Our SP metadata is served at ``/accounts/sso/<slug>/saml/metadata/`` for the university to
  register; the identity provider's metadata comes from its ``metadata_url`` or
  ``metadata_file`` (``providers.py``).
- Assertions must be signed by the key in the provider's metadata (``want_assertions_signed``),
  be for us (audience), be current (``SSO_CLOCK_LEEWAY_SECONDS``), answer a request we made
  (``InResponseTo``; unsolicited responses are refused) and be used once (``UsedAssertion``).
- The response arrives as a cross-site POST, which carries no session cookie (SameSite=Lax):
  the request we made is remembered in the cache by its id, and once the response checks out
  the browser is sent on to ``…/saml/done/`` with a single-use handoff (two minutes), where its
  session is there again and must hold the request it started: a handoff link sent to someone
  else signs nobody in and links nothing. A signed-in person links rather than signs in.
- The answer must come from the identity provider the request went to, not another of the same
  metadata; a refused answer uses up its request.
"""

import base64
import binascii
import calendar
import functools
import secrets
from datetime import UTC, datetime, timedelta

import saml2
from defusedxml import DefusedXmlException, ElementTree
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_PERSISTENT
from saml2.time_util import str_to_time

from .linking import Claims, SignInRefused, unreachable
from .models import UsedAssertion

XMLSEC = "/usr/bin/xmlsec1"
MAX_RESPONSE_BYTES = 256 * 1024  # a SAMLResponse is a few KB; more is not worth parsing
REQUEST_SECONDS = 15 * 60  # how long a person may take to sign in at the provider
HANDOFF_SECONDS = 120
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
TIMEOUT_SECONDS = 10
SESSION_REQUESTS = "sso_saml_requests"  # the request ids this browser started


def _urls(base, slug):
    return {
        "entity": base + reverse("sso:saml_metadata", args=[slug]),
        "acs": base + reverse("sso:saml_acs", args=[slug]),
    }


@functools.cache
def _client(slug, metadata_url, metadata_file, base) -> Saml2Client:
    urls = _urls(base, slug)
    metadata = {"remote": [{"url": metadata_url}]} if metadata_url else {"local": [metadata_file]}
    config = SPConfig()
    config.load(
        {
            "entityid": urls["entity"],
            "xmlsec_binary": XMLSEC,
            "metadata": metadata,
            "accepted_time_diff": settings.SSO_CLOCK_LEEWAY_SECONDS,
            "http_client_timeout": TIMEOUT_SECONDS,
            "allow_unknown_attributes": True,
            "service": {
                "sp": {
                    "name": settings.SITE_NAME,
                    "endpoints": {
                        "assertion_consumer_service": [(urls["acs"], saml2.BINDING_HTTP_POST)],
                    },
                    "want_assertions_signed": True,
                    "want_response_signed": False,
                    "allow_unsolicited": False,
                    "authn_requests_signed": False,
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "name_id_format_allow_create": True,
                }
            },
        }
    )
    return Saml2Client(config)


def client(provider, request) -> Saml2Client:
    base = request.build_absolute_uri("/").rstrip("/")
    return _client(provider.slug, provider.metadata_url, provider.metadata_file, base)


def metadata_xml(provider, request) -> str:
    return create_metadata_string(None, client(provider, request).config, valid=24 * 7)


def redirect_to_provider(request, provider):
    try:
        sp = client(provider, request)
        (idp,) = list(sp.metadata.identity_providers())[:1] or [None]
        if idp is None:
            raise SignInRefused(f"{provider.name}'s metadata names no identity provider.")
        request_id, info = sp.prepare_for_authenticate(
            entityid=idp, binding=saml2.BINDING_HTTP_REDIRECT
        )
    except SignInRefused:
        raise
    except Exception as error:  # pysaml2 raises many kinds for unreachable or bad metadata
        raise unreachable(provider) from error
    cache.set(_request_key(provider, request_id), {"idp": idp}, REQUEST_SECONDS)
    # The answer comes back without this browser's session (a cross-site POST); the handoff
    # after it must find the request here, so nobody else's sign-in can be finished in it.
    started = request.session.get(SESSION_REQUESTS, [])[-4:]
    request.session[SESSION_REQUESTS] = [*started, request_id]
    location = dict(info["headers"])["Location"]
    return redirect(location)


def _request_key(provider, request_id):
    return f"sso:saml-request:{provider.slug}:{request_id}"


def _in_response_to(xml: bytes) -> str:
    try:
        root = ElementTree.fromstring(xml)
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as error:
        raise SignInRefused("The identity provider's answer is not a SAML response.") from error
    if root.tag != f"{{{SAMLP}}}Response":
        raise SignInRefused("The identity provider's answer is not a SAML response.")
    return root.get("InResponseTo") or ""


def claims_from_response(request, provider) -> tuple[str, Claims]:
    """The posted SAMLResponse, checked (see the module docstring): (the request it answers,
    what it says of the person). :class:`SignInRefused` for anything not to be believed, with
    nothing changed."""
    posted = request.POST.get("SAMLResponse", "")
    if not posted or len(posted) > MAX_RESPONSE_BYTES:
        raise SignInRefused("No SAML response was received. Start again from the sign-in page.")
    try:
        xml = base64.b64decode(posted, validate=True)
    except (binascii.Error, ValueError) as error:
        raise SignInRefused("The identity provider's answer is not a SAML response.") from error
    request_id = _in_response_to(xml)
    outstanding = cache.get(_request_key(provider, request_id)) if request_id else None
    if outstanding is None:
        raise SignInRefused(
            "This sign-in answer was used already or answers no sign-in started here. Start "
            "again from the sign-in page."
        )
    try:
        response = client(provider, request).parse_authn_request_response(
            posted, saml2.BINDING_HTTP_POST, outstanding={request_id: "/"}
        )
    except Exception as error:  # pysaml2's refusals have many types; each means "not trusted"
        # One answer per request, good or bad: a refused one cannot be tried again and again.
        cache.delete(_request_key(provider, request_id))
        raise SignInRefused(
            f"{provider.name}'s answer could not be trusted ({_reason(error)}), so nobody is "
            "signed in. Start again from the sign-in page."
        ) from error
    if response is None or response.assertion is None:
        raise SignInRefused(f"{provider.name}'s answer holds no assertion; nobody is signed in.")
    if not cache.delete(_request_key(provider, request_id)):  # the same answer, twice at once
        raise SignInRefused("This sign-in answer was used already. Start again.")
    if response.issuer() != outstanding["idp"]:
        # Signed by another identity provider of the same metadata (a federation's, say).
        raise SignInRefused(
            f"The answer came from {response.issuer()}, not from {provider.name}; nobody is "
            "signed in."
        )
    _use_once(provider, response)
    return request_id, _claims(provider, response)


def _reason(error) -> str:
    words = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return (words[:160] or error.__class__.__name__).rstrip(".")


def _use_once(provider, response):
    assertion = response.assertion
    expires = timezone.now() + timedelta(hours=1)
    not_on_or_after = getattr(getattr(assertion, "conditions", None), "not_on_or_after", None)
    if not_on_or_after:  # kept as long as the assertion could be presented
        until = datetime.fromtimestamp(calendar.timegm(str_to_time(not_on_or_after)), tz=UTC)
        expires = max(expires, until)
    UsedAssertion.objects.filter(expires_at__lt=timezone.now()).delete()
    try:
        with transaction.atomic():
            UsedAssertion.objects.create(
                provider=provider.slug, assertion_id=assertion.id, expires_at=expires
            )
    except IntegrityError as error:
        raise SignInRefused(
            "This sign-in answer was used already. Start again from the sign-in page."
        ) from error


def _first(ava, name) -> str:
    values = ava.get(name) or []
    return str(values[0]).strip() if values else ""


def _claims(provider, response) -> Claims:
    ava = response.ava or {}
    name_id = response.assertion.subject.name_id
    persistent = name_id is not None and name_id.format == NAMEID_FORMAT_PERSISTENT
    subject = (name_id.text or "").strip() if persistent else ""
    subject = subject or _first(ava, provider.attribute("principal_name"))
    full_name = _first(ava, provider.attribute("name")) or " ".join(
        filter(None, (_first(ava, provider.attribute("given_name")),
                      _first(ava, provider.attribute("family_name"))))
    )  # fmt: skip
    raw = {key: list(values) for key, values in ava.items()}
    return Claims(
        subject=subject,
        email=_first(ava, provider.attribute("email")),
        email_verified=provider.trust_email,
        full_name=full_name,
        raw=raw,
    )


def handoff_store(provider, request_id, claims: Claims) -> str:
    token = secrets.token_urlsafe(32)
    cache.set(
        f"sso:saml-handoff:{token}",
        {"provider": provider.slug, "request": request_id, "claims": claims.__dict__},
        HANDOFF_SECONDS,
    )
    return token


def handoff_take(request, provider, token) -> Claims:
    """The checked answer, in the browser that started the sign-in (its session holds the
    request id), once."""
    key = f"sso:saml-handoff:{token}"
    data = cache.get(key) if token else None
    if not data or not cache.delete(key) or data["provider"] != provider.slug:
        raise SignInRefused("This sign-in was used already or took too long. Start again.")
    started = request.session.get(SESSION_REQUESTS, [])
    if data["request"] not in started:
        raise SignInRefused(
            "This sign-in was not started in this browser, so it does not sign anyone in here. "
            "Start again from the sign-in page."
        )
    request.session[SESSION_REQUESTS] = [r for r in started if r != data["request"]]
    return Claims(**data["claims"])
