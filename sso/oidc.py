"""OpenID Connect sign-in with Authlib: the authorization code flow with PKCE (S256), the
provider's discovery document, and the ID token checked before anything is believed — its
signature against the provider's published keys, issuer, audience (our client id), nonce and
expiry (``SSO_CLOCK_LEEWAY_SECONDS`` of clock difference allowed).

The state, nonce and code verifier live in the person's session until the provider sends them
back, once: a callback replayed, forged or from another browser finds none and is refused
before anything is asked of the provider.
"""

import functools

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from joserfc.errors import JoseError

from .linking import Claims, SignInRefused, unreachable

TIMEOUT_SECONDS = 10


@functools.cache
def _client(slug, issuer, client_id, client_secret, scopes):
    oauth = OAuth()
    return oauth.register(
        name=f"sso-{slug}",
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={
            "scope": scopes,
            "code_challenge_method": "S256",
            "default_timeout": TIMEOUT_SECONDS,
        },
    )


def client(provider):
    return _client(
        provider.slug, provider.issuer, provider.client_id, provider.client_secret, provider.scopes
    )


# ID tokens signed with one of these only: never "none", never HMAC with the client secret.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
                      "ES512", "EdDSA")  # fmt: skip


def _checked_metadata(provider):
    """The discovery document, held to what the centre was configured with: the issuer it names
    is the configured one (OIDC Discovery §4.3), and only asymmetric signatures are accepted
    for ID tokens whatever it lists."""
    app = client(provider)
    metadata = app.load_server_metadata()
    if metadata.get("issuer") != provider.issuer:
        raise SignInRefused(
            f"{provider.name}'s discovery document names another issuer; the centre trusts "
            "none of it. Tell the LEADS team."
        )
    allowed = [a for a in metadata.get("id_token_signing_alg_values_supported", ["RS256"])
               if a in SIGNING_ALGORITHMS] or ["RS256"]  # fmt: skip
    metadata["id_token_signing_alg_values_supported"] = allowed
    return app


def redirect_to_provider(request, provider, *, callback_url):
    """The redirect that starts a sign-in at the provider (state, nonce, PKCE kept in session)."""
    try:
        return _checked_metadata(provider).authorize_redirect(request, callback_url)
    except (requests.RequestException, ValueError, KeyError) as error:
        raise unreachable(provider) from error


def claims_from_callback(request, provider) -> tuple[Claims, str]:
    """The provider's answer, checked: (what it says of the person, the ID token for sign-out).
    :class:`SignInRefused` for anything not to be believed, with nothing changed."""
    if not request.GET.get("state") or not _state_known(request, provider):
        raise SignInRefused(
            "This sign-in link was used already or did not start here. Start again from the "
            "sign-in page."
        )
    if request.GET.get("error"):
        raise SignInRefused(f"{provider.name} did not sign you in: {request.GET['error']}.")
    try:
        app = _checked_metadata(provider)
        token = app.authorize_access_token(
            request,
            leeway=settings.SSO_CLOCK_LEEWAY_SECONDS,
            # Our client id must be an audience, and the issuer the configured one, whatever
            # else the token carries.
            claims_options={
                "iss": {"essential": True, "values": [provider.issuer]},
                "aud": {"essential": True, "values": [provider.client_id]},
            },
        )
    except (OAuthError, JoseError, ValueError) as error:
        raise SignInRefused(
            f"{provider.name}'s answer could not be trusted ({_reason(error)}), so nobody is "
            "signed in. Start again from the sign-in page."
        ) from error
    except requests.RequestException as error:
        raise unreachable(provider) from error
    claims = dict(token.get("userinfo") or {})
    if not claims:
        raise SignInRefused(f"{provider.name} sent no ID token, so nobody is signed in.")
    if "email" not in claims and "userinfo_endpoint" in app.load_server_metadata():
        try:
            extra = dict(app.userinfo(token=token))
        except requests.RequestException as error:
            raise unreachable(provider) from error
        if extra.get("sub") == claims.get("sub"):  # OIDC Core §5.3.2: else not to be used
            claims = {**extra, **claims}
    return (
        Claims(
            subject=str(claims.get("sub") or ""),
            email=str(claims.get("email") or ""),
            email_verified=claims.get("email_verified") is True,
            full_name=str(
                claims.get("name")
                or " ".join(filter(None, (claims.get("given_name"), claims.get("family_name"))))
            ),
            raw=claims,
        ),
        token.get("id_token", ""),
    )


def _state_known(request, provider) -> bool:
    return bool(request.session.get(f"_state_sso-{provider.slug}_{request.GET['state']}"))


def _reason(error) -> str:
    words = getattr(error, "description", None) or getattr(error, "error", None) or str(error)
    return str(words).strip().rstrip(".") or error.__class__.__name__


def sign_out_url(provider, *, id_token, after) -> str | None:
    """The provider's end-session URL (RP-initiated logout), or None if it has none."""
    try:
        metadata = client(provider).load_server_metadata()
    except (requests.RequestException, ValueError):
        return None
    if not metadata.get("end_session_endpoint"):
        return None
    return client(provider).create_logout_url(
        post_logout_redirect_uri=after, id_token_hint=id_token or None
    )["url"]
