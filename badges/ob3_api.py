"""The Open Badges 3.0 API (1EdTech), for hosts and displayers: the centre as a host of its own
learners' credentials.

- OB 3.0 §6 (Open Badges API), https://www.imsglobal.org/spec/ob/v3p0/#api: getCredentials with
  ``limit``/``offset``/``since`` and the ``X-Total-Count`` and ``Link`` headers (§6.2.2, §6.3),
  getProfile and putProfile (§6.2.3, §6.2.4), getServiceDescription (§6.2.5), errors as
  ``Imsx_StatusInfo`` (§6.1, Appendix B.2.2).
- OB 3.0 §7 (Open Badges API security): dynamic client registration (§7.1, RFC 7591), the
  authorization code grant with PKCE S256 (§7.2, RFC 7636), token and refresh (§7.2.3–7.2.5),
  the four scopes (§7.2.1). django-oauth-toolkit is the authorization server; this module adds
  what it does not do: the registration the specification asks for, the service description
  document and the resource endpoints.

We host only the centre's own badges: ``upsertCredential`` (``POST /credentials``) answers 405
and its scope is neither offered in the service description nor grantable
(``OAUTH2_PROVIDER["SCOPES"]``).
"""

from __future__ import annotations

import json
import unicodedata
from ipaddress import ip_address
from urllib.parse import urlencode, urlsplit

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from drf_spectacular.utils import extend_schema
from oauth2_provider.contrib.rest_framework import OAuth2Authentication, TokenHasScope
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.views import AuthorizationView
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from config.throttling import client_ip, window_wait

from .connected_apps import (
    NAME_MAX_LENGTH,
    learner_credentials,
    learner_set_display_name,
)
from .models import RegisteredClient
from .openbadges import schemas
from .openbadges.vc.contexts import OPEN_BADGE_CREDENTIAL_CONTEXT

SCOPE = settings.OB3_SCOPE
CREDENTIAL_READONLY = SCOPE + "credential.readonly"
CREDENTIAL_UPSERT = SCOPE + "credential.upsert"
PROFILE_READONLY = SCOPE + "profile.readonly"
PROFILE_UPDATE = SCOPE + "profile.update"

MAX_LIMIT = 100  # credentials per page; a larger `limit` is answered with this many
REGISTRATION_RATE = (20, 3600)  # registrations, seconds, per client address
MAX_REGISTRATION_BYTES = 16 * 1024
MAX_URI_LENGTH = 2000
MAX_REDIRECT_URIS = 10
MAX_TEXT_LENGTH = 255  # client_name, software_id, software_version (Application.name's size)
LOOPBACK_HOSTS = {"localhost"}
# How a client authenticates at the token endpoint: with its secret (a confidential client, as
# OB 3.0 §7.1 expects), or not at all ("none": a public client, PKCE its only proof).
CONFIDENTIAL_AUTH_METHODS = ("client_secret_basic",)
AUTH_METHODS = (*CONFIDENTIAL_AUTH_METHODS, "none")


# --- Errors: Imsx_StatusInfo (OB 3.0 Appendix B.2.2) ---------------------------------------------

CODE_MINOR = {
    400: "invalid_data",
    401: "unauthorizedrequest",
    403: "forbidden",
    404: "not_found",
    405: "not_allowed",
    406: "not_acceptable",
    429: "server_busy",
    500: "internal_server_error",
}


def status_info(http_status: int, description: str, *, code_minor: str | None = None) -> dict:
    """An ``Imsx_StatusInfo``: what went wrong, in words and as the specification's code."""
    return {
        "imsx_codeMajor": "unsupported" if http_status == 405 else "failure",
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_codeMinor": {
            "imsx_codeMinorField": [
                {
                    "imsx_codeMinorFieldName": "ob3-api",
                    "imsx_codeMinorFieldValue": code_minor
                    or CODE_MINOR.get(http_status, "unknown"),
                }
            ]
        },
    }


def imsx_exception_handler(exc, context):
    """DRF's answer to an exception (status and headers: WWW-Authenticate, Retry-After), with an
    ``Imsx_StatusInfo`` body instead of DRF's ``{"detail": …}``."""
    response = drf_exception_handler(exc, context)
    if response is not None:
        detail = getattr(exc, "detail", None)
        description = detail if isinstance(detail, str) else str(exc)
        response.data = status_info(response.status_code, description)
    return response


class _Refused(Exception):
    def __init__(self, http_status: int, description: str, code_minor: str | None = None):
        super().__init__(description)
        self.response = Response(
            status_info(http_status, description, code_minor=code_minor), status=http_status
        )


# --- Resource endpoints (OB 3.0 §6.2) -----------------------------------------------------------


class TokenHasMethodScope(TokenHasScope):
    """The scope the view names for the request's method (``scopes_by_method``). A method the
    view does not implement needs none, so it is answered 405 rather than 403."""

    def get_scopes(self, request, view):
        # HEAD answers what GET would (its headers tell a badge count): the same scope.
        method = "GET" if request.method == "HEAD" else request.method
        return view.scopes_by_method.get(method, [])


@extend_schema(exclude=True)  # described by its own document (discovery), not /api/v1/schema/
class Ob3Api(APIView):
    authentication_classes = [OAuth2Authentication]
    permission_classes = [IsAuthenticated, TokenHasMethodScope]
    scopes_by_method: dict[str, list[str]] = {}

    def get_exception_handler(self):
        return imsx_exception_handler

    def handle_exception(self, exc):
        if isinstance(exc, _Refused):
            return exc.response
        return super().handle_exception(exc)


def _query_int(request, name: str, *, default: int, minimum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or len(raw) > 9 or int(raw) < minimum:
        raise _Refused(
            400,
            f"“{name}” must be a whole number of at least {minimum}.",
            code_minor="invalid_query_parameter",
        )
    return int(raw)


def _page_url(request, **params) -> str:
    query = {k: v for k, v in params.items() if v is not None}
    return f"{settings.SITE_URL}{request.path}?{urlencode(query)}"


class CredentialsApi(Ob3Api):
    """``GET /ims/ob/v3p0/credentials``: getCredentials (OB 3.0 §6.2.2), the signed-in learner's
    signed OpenBadgeCredentials, newest first, paginated as §6.3 says."""

    scopes_by_method = {"GET": [CREDENTIAL_READONLY]}

    def get(self, request):
        limit = min(_query_int(request, "limit", default=MAX_LIMIT, minimum=1), MAX_LIMIT)
        offset = _query_int(request, "offset", default=0, minimum=0)
        since_raw = request.query_params.get("since")
        since = None
        if since_raw is not None:
            try:
                since = parse_datetime(since_raw)
            except ValueError:
                since = None
            if since is None or since.tzinfo is None:
                raise _Refused(
                    400,
                    "“since” must be a date and time with its offset (ISO 8601).",
                    code_minor="invalid_query_parameter",
                )
        rows = learner_credentials(request.user, since=since)
        total = rows.count()
        page = [json.loads(row.credential_json) for row in rows[offset : offset + limit]]
        response = Response({"credential": page})
        response["X-Total-Count"] = str(total)
        links = {"first": 0, "last": max(0, (total - 1) // limit * limit)}
        if offset + limit < total:
            links["next"] = offset + limit
        if offset > 0:
            links["prev"] = max(0, offset - limit)
        response["Link"] = ", ".join(
            f'<{_page_url(request, limit=limit, offset=at, since=since_raw)}>; rel="{rel}"'
            for rel, at in links.items()
        )
        return response

    def post(self, request):
        # upsertCredential (§6.2.1) is for hosts that keep others' credentials; we do not.
        raise _Refused(405, "This host keeps only the centre's own badges; it accepts none.")


class ProfileNameForm(forms.Form):
    name = forms.CharField(max_length=NAME_MAX_LENGTH, strip=True)

    def clean_name(self):
        name = self.cleaned_data["name"]
        if any(unicodedata.category(ch).startswith("C") for ch in name):
            raise forms.ValidationError(
                "The name may not contain control characters.", code="control_characters"
            )
        return name


def profile_of(user) -> dict:
    """The learner as an OB 3.0 Profile (§B.1.14): their public profile's address, name and
    e-mail address."""
    return {
        "@context": list(OPEN_BADGE_CREDENTIAL_CONTEXT),
        "id": settings.SITE_URL + reverse("badges:profile", kwargs={"pk": user.public_id}),
        "type": ["Profile"],
        "name": user.full_name,
        "email": user.email,
    }


class ProfileApi(Ob3Api):
    """``GET``/``PUT /ims/ob/v3p0/profile``: getProfile and putProfile (OB 3.0 §6.2.3, §6.2.4).
    A PUT changes the learner's name only; their e-mail address is their sign-in and stays."""

    scopes_by_method = {"GET": [PROFILE_READONLY], "PUT": [PROFILE_UPDATE]}

    def get(self, request):
        return Response(profile_of(request.user))

    def put(self, request):
        body = request.data
        if not isinstance(body, dict):
            raise _Refused(400, "The body must be a Profile (a JSON object).")
        problems = schemas.errors(schemas.PROFILE, body)
        if problems:
            raise _Refused(400, "Not a Profile: " + "; ".join(problems[:5]))
        email = body.get("email")
        if email is not None and str(email).strip().lower() != request.user.email.lower():
            raise _Refused(400, "The e-mail address is the learner's sign-in: it cannot change.")
        form = ProfileNameForm(
            {"name": body.get("name") if isinstance(body.get("name"), str) else ""}
        )
        if not form.is_valid():
            raise _Refused(400, "name: " + " ".join(form.errors["name"]))
        with transaction.atomic():
            learner_set_display_name(user=request.user, name=form.cleaned_data["name"])
        return Response(profile_of(request.user), status=status.HTTP_200_OK)


# --- The service description document (OB 3.0 §6.2.5) ------------------------------------------


def _absolute(name: str) -> str:
    return settings.SITE_URL + reverse(name)


def _scopes_offered() -> dict[str, str]:
    """What an app may ask for: the scopes the authorization server grants, and only those."""
    return dict(oauth2_settings.SCOPES)


@never_cache
@require_GET
def discovery(request):
    """getServiceDescription: the OpenAPI 3.0 document that tells an app where to register,
    authorize and fetch tokens, and which scopes it may ask for. Public, no token."""
    ok = {"description": "OK"}
    document = {
        "openapi": "3.0.1",
        "info": {
            "title": f"{settings.SITE_NAME}: Open Badges API",
            "description": (
                f"{settings.CENTRE_NAME} hosts its learners' Open Badges 3.0 credentials. "
                "It keeps only its own badges: upsertCredential is not offered."
            ),
            "termsOfService": settings.OB3_TERMS_OF_SERVICE_URL,
            "version": "3.0",
            "x-imssf-image": settings.SITE_URL + static("favicon.svg"),
            "x-imssf-privacyPolicyUrl": settings.OB3_PRIVACY_POLICY_URL,
        },
        "servers": [
            {"url": settings.SITE_URL + "/ims/ob/v3p0", "description": settings.CENTRE_NAME}
        ],
        "tags": [
            {"name": "OpenBadgeCredentials"},
            {"name": "Profile"},
            {"name": "Discovery"},
        ],
        "paths": {
            "/credentials": {
                "get": {
                    "tags": ["OpenBadgeCredentials"],
                    "operationId": "getCredentials",
                    "parameters": [
                        {"name": name, "in": "query", "required": False, "schema": schema}
                        for name, schema in (
                            ("limit", {"type": "integer", "minimum": 1}),
                            ("offset", {"type": "integer", "minimum": 0}),
                            ("since", {"type": "string", "format": "date-time"}),
                        )
                    ],
                    "security": [{"OAuth2ACG": [CREDENTIAL_READONLY]}],
                    "responses": {"200": ok},
                }
            },
            "/profile": {
                "get": {
                    "tags": ["Profile"],
                    "operationId": "getProfile",
                    "security": [{"OAuth2ACG": [PROFILE_READONLY]}],
                    "responses": {"200": ok},
                },
                "put": {
                    "tags": ["Profile"],
                    "operationId": "putProfile",
                    "security": [{"OAuth2ACG": [PROFILE_UPDATE]}],
                    "responses": {"200": ok},
                },
            },
            "/discovery": {
                "get": {
                    "tags": ["Discovery"],
                    "operationId": "getServiceDescription",
                    "responses": {"200": ok},
                }
            },
        },
        "components": {
            "securitySchemes": {
                "OAuth2ACG": {
                    "type": "oauth2",
                    "description": "OAuth 2.0 Authorization Code Grant with PKCE (S256)",
                    "x-imssf-name": settings.CENTRE_NAME,
                    "x-imssf-registrationUrl": _absolute("ob3_api:register"),
                    "flows": {
                        "authorizationCode": {
                            "authorizationUrl": _absolute("ob3_api:authorize"),
                            "tokenUrl": _absolute("ob3_api:token"),
                            "refreshUrl": _absolute("ob3_api:token"),
                            "scopes": _scopes_offered(),
                        }
                    },
                }
            },
        },
    }
    return JsonResponse(document)


# --- Dynamic client registration (OB 3.0 §7.1, RFC 7591) ----------------------------------------


class RegistrationError(Exception):
    def __init__(self, description: str, error: str = "invalid_client_metadata"):
        super().__init__(description)
        self.error = error
        self.description = description


def _text(data, name: str, *, required: bool = True) -> str:
    value = data.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise RegistrationError(f"{name} is required, as a non-empty string.")
    if len(value) > MAX_TEXT_LENGTH:
        raise RegistrationError(f"{name} is longer than {MAX_TEXT_LENGTH} characters.")
    if any(unicodedata.category(ch).startswith("C") for ch in value):
        raise RegistrationError(f"{name} contains control characters.")
    return value.strip()


def _loopback_allowed(host: str) -> bool:
    if "http" not in oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES:
        return False
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _uri(value, name: str, *, error: str = "invalid_client_metadata") -> str:
    """An https URI (or http on the loopback, where the settings allow it: RFC 8252 §7.3),
    with a host, no user name or password, and no fragment."""
    if not isinstance(value, str) or not value:
        raise RegistrationError(f"{name} is required, as a URI.", error)
    if len(value) > MAX_URI_LENGTH or any(ch.isspace() or ord(ch) < 32 for ch in value):
        raise RegistrationError(f"{name} is not a URI of at most {MAX_URI_LENGTH} characters.")
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise RegistrationError(f"{name} is not a URI.", error) from None
    if parts.username or parts.password or parts.fragment or not host:
        raise RegistrationError(
            f"{name} must name a host, without credentials or a fragment.", error
        )
    if parts.scheme == "https" or (parts.scheme == "http" and _loopback_allowed(host)):
        return value
    raise RegistrationError(f"{name} must be an https address.", error)


def registration_metadata(data) -> dict:
    """The client metadata of a registration request (OB 3.0 §7.1.1.1), checked field by field;
    RegistrationError names the first that is wrong. Metadata we do not know is ignored, as RFC
    7591 §2 asks."""
    if not isinstance(data, dict):
        raise RegistrationError("The request body must be a JSON object.")
    metadata = {
        "client_name": _text(data, "client_name"),
        "client_uri": _uri(data.get("client_uri"), "client_uri"),
        "logo_uri": _uri(data.get("logo_uri"), "logo_uri"),
        "tos_uri": _uri(data.get("tos_uri"), "tos_uri"),
        "policy_uri": _uri(data.get("policy_uri"), "policy_uri"),
        "software_id": _text(data, "software_id"),
        "software_version": _text(data, "software_version"),
    }
    redirect_uris = data.get("redirect_uris")
    if (
        not isinstance(redirect_uris, list)
        or not redirect_uris
        or len(redirect_uris) > MAX_REDIRECT_URIS
    ):
        raise RegistrationError(
            f"redirect_uris must be a list of 1 to {MAX_REDIRECT_URIS} URIs.",
            "invalid_redirect_uri",
        )
    metadata["redirect_uris"] = [
        _uri(uri, "redirect_uris", error="invalid_redirect_uri") for uri in redirect_uris
    ]
    method = data.get("token_endpoint_auth_method", "client_secret_basic")
    if method not in AUTH_METHODS:
        raise RegistrationError(
            "token_endpoint_auth_method must be client_secret_basic (or none, for a public app)."
        )
    metadata["token_endpoint_auth_method"] = method
    grant_types = data.get("grant_types", ["authorization_code", "refresh_token"])
    if (
        not isinstance(grant_types, list)
        or "authorization_code" not in grant_types
        or not set(grant_types) <= {"authorization_code", "refresh_token"}
    ):
        raise RegistrationError(
            "grant_types must be authorization_code, with refresh_token if wanted."
        )
    metadata["grant_types"] = list(dict.fromkeys(grant_types))
    if data.get("response_types", ["code"]) != ["code"]:
        raise RegistrationError('response_types must be ["code"].')
    metadata["response_types"] = ["code"]
    scope = data.get("scope")
    if not isinstance(scope, str) or len(scope) > 2000:
        raise RegistrationError("scope is required, as the scopes separated by spaces.")
    offered = _scopes_offered()
    # The scopes we grant, of those asked for (RFC 7591 §2: the server may replace a value).
    granted = [s for s in dict.fromkeys(scope.split()) if s in offered]
    if not granted:
        raise RegistrationError("scope names none of the scopes this service offers.")
    metadata["scope"] = " ".join(granted)
    return metadata


@transaction.atomic
def client_register(metadata: dict) -> dict:
    """A django-oauth-toolkit application for checked ``metadata``; the registration response
    (RFC 7591 §3.2.1), with the client secret in clear this once (only its hash is kept)."""
    Application = get_application_model()
    confidential = metadata["token_endpoint_auth_method"] in CONFIDENTIAL_AUTH_METHODS
    secret = generate_client_secret() if confidential else ""
    application = Application(
        name=metadata["client_name"],
        client_type=(
            Application.CLIENT_CONFIDENTIAL if confidential else Application.CLIENT_PUBLIC
        ),
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(metadata["redirect_uris"]),
        client_secret=secret,
        registration_source=Application.RegistrationSource.DCR,
    )
    application.full_clean()
    application.save()
    RegisteredClient.objects.create(
        application=application, scope=metadata["scope"], metadata=metadata
    )
    answer = {
        "client_id": application.client_id,
        "client_id_issued_at": int(application.created.timestamp()),
        **metadata,
    }
    if confidential:
        answer |= {"client_secret": secret, "client_secret_expires_at": 0}
    return answer


def _registration_error(description: str, error: str = "invalid_client_metadata", status=400):
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@csrf_exempt  # an API endpoint: no cookies are read, so there is nothing to forge
@require_POST
def register(request):
    """``POST /ims/ob/v3p0/register``: an app registers itself (OB 3.0 §7.1, RFC 7591)."""
    limit, window = REGISTRATION_RATE
    wait = window_wait(f"rate:ob3-register:{client_ip(request)}", limit=limit, window=window)
    if wait:
        response = _registration_error("Too many registrations.", "slow_down", status=429)
        response["Retry-After"] = str(wait)
        return response
    if len(request.body) > MAX_REGISTRATION_BYTES:
        return _registration_error(f"The request is larger than {MAX_REGISTRATION_BYTES} bytes.")
    if request.content_type != "application/json":
        return _registration_error("The request must be JSON (Content-Type: application/json).")
    try:
        data = json.loads(request.body)
        metadata = registration_metadata(data)
    except (ValueError, RecursionError):
        return _registration_error("The request body is not JSON.")
    except RegistrationError as refused:
        return _registration_error(refused.description, refused.error)
    try:
        answer = client_register(metadata)
    except ValidationError as error:  # Application.full_clean: DOT's own checks of the URIs
        return _registration_error("; ".join(error.messages), "invalid_redirect_uri")
    response = JsonResponse(answer, status=201)
    response["Cache-Control"] = "no-store"
    return response


# --- The learner's consent (OB 3.0 §7.2.2) ------------------------------------------------------


class ConsentView(AuthorizationView):
    """django-oauth-toolkit's authorization endpoint with the site's own consent page
    (templates/oauth2_provider/authorize.html): the application's name, where it sends the
    learner back, and the scopes in words."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        redirect_uri = context.get("redirect_uri") or ""
        context["redirect_host"] = urlsplit(redirect_uri).netloc if redirect_uri else ""
        return context
