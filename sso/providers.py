"""The identity providers the centre trusts, from the environment (README, "Single sign-on").

``SSO_PROVIDERS`` (or the file named by ``SSO_PROVIDERS_FILE``) is a JSON list, one object per
provider; any number, each shown on the sign-in page by its name::

    [{"slug": "university", "name": "University of Example", "protocol": "oidc",
      "issuer": "https://id.example.edu", "client_id": "leads", "client_secret": "…",
      "passwords": "allowed",
      "roles": {"claim": "eduPersonAffiliation", "map": {"faculty": "instructor"}}}]

``protocol`` is ``oidc`` (OpenID Connect: ``issuer``, ``client_id``, ``client_secret``,
optional ``scopes``) or ``saml`` (SAML 2.0: ``metadata_url`` or ``metadata_file`` of the
identity provider, optional ``attributes`` naming its attributes, and ``trust_email``: whether
its ``mail`` is verified by the university). ``email_domains`` (optional) lists the domains whose
addresses the provider may vouch for. ``passwords`` is ``allowed`` (a person linked to it
may also sign in with a password) or ``sso_only``. ``roles`` grants a staff role only where the
centre maps a claim's value to it, explicitly; nothing else the provider says makes anyone staff.
"""

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

OIDC, SAML = "oidc", "saml"
PASSWORDS = ("allowed", "sso_only")
# The roles a provider's claim may be mapped to; never the Django admin's staff or superuser.
ROLES = {
    "learner": "is_learner",
    "instructor": "is_instructor",
    "course_leader": "is_course_leader",
    "leads_admin": "is_leads_admin",
}
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
# SAML attribute names (the eduPerson and inetOrgPerson OIDs' friendly names) by what they mean.
SAML_ATTRIBUTES = {
    "email": "mail",
    "given_name": "givenName",
    "family_name": "sn",
    "name": "displayName",
    "principal_name": "eduPersonPrincipalName",
    "affiliation": "eduPersonAffiliation",
}


@dataclass(frozen=True)
class RoleMap:
    claim: str
    values: dict  # claim value -> role key of ROLES

    def granted(self, claims) -> set[str]:
        """The User flags the claims grant (``is_instructor``, …)."""
        given = claims.get(self.claim)
        given = given if isinstance(given, list | tuple) else [given]
        return {ROLES[self.values[v]] for v in given if isinstance(v, str) and v in self.values}


@dataclass(frozen=True)
class Provider:
    slug: str
    name: str
    protocol: str
    passwords: str = "allowed"
    roles: RoleMap | None = None
    # OpenID Connect
    issuer: str = ""
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    scopes: str = "openid email profile"
    # SAML 2.0
    metadata_url: str = ""
    metadata_file: str = ""
    trust_email: bool = False
    attributes: dict = field(default_factory=dict)
    # The e-mail domains whose verified addresses may make or link accounts (empty: any).
    email_domains: tuple = ()

    @property
    def sso_only(self) -> bool:
        return self.passwords == "sso_only"

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    def vouches_for(self, email: str) -> bool:
        """Whether this provider's word on the address may make or link an account here."""
        domain = email.rpartition("@")[2].lower()
        return not self.email_domains or domain in self.email_domains

    def attribute(self, meaning: str) -> str:
        return self.attributes.get(meaning, SAML_ATTRIBUTES[meaning])


def _problem(index, entry, message):
    name = entry.get("slug") if isinstance(entry, dict) else None
    return ImproperlyConfigured(
        f"SSO_PROVIDERS entry {index + 1}{f' ({name})' if name else ''}: {message}"
    )


def _provider(index, entry) -> Provider:
    if not isinstance(entry, dict):
        raise _problem(index, entry, "must be an object.")
    slug, protocol = entry.get("slug", ""), entry.get("protocol", "")
    if not isinstance(slug, str) or not SLUG.match(slug):
        raise _problem(index, entry, "slug must be lower-case letters, digits and hyphens.")
    if not isinstance(entry.get("name"), str) or not entry["name"].strip():
        raise _problem(index, entry, "give the name people know it by (shown on sign-in).")
    if protocol not in (OIDC, SAML):
        raise _problem(index, entry, f"protocol must be {OIDC!r} or {SAML!r}.")
    if entry.get("passwords", "allowed") not in PASSWORDS:
        raise _problem(index, entry, f"passwords must be one of {', '.join(PASSWORDS)}.")
    required = ("issuer", "client_id", "client_secret") if protocol == OIDC else ()
    for key in required:
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise _problem(index, entry, f"{key} is required for OpenID Connect.")
    if protocol == OIDC and not _secure_address(entry["issuer"]):
        raise _problem(index, entry, "issuer must be an https address.")
    if protocol == SAML and not (entry.get("metadata_url") or entry.get("metadata_file")):
        raise _problem(index, entry, "metadata_url or metadata_file is required for SAML.")
    if entry.get("metadata_url") and not _secure_address(entry["metadata_url"]):
        raise _problem(index, entry, "metadata_url must be an https address.")
    for key in ("trust_email",):
        if not isinstance(entry.get(key, False), bool):
            raise _problem(index, entry, f"{key} must be true or false (JSON), not a string.")
    domains = entry.get("email_domains", [])
    if not isinstance(domains, list) or not all(isinstance(d, str) and d for d in domains):
        raise _problem(index, entry, 'email_domains must be a list such as ["example.edu"].')
    roles = entry.get("roles")
    role_map = None
    if roles is not None:
        values = roles.get("map") if isinstance(roles, dict) else None
        if not isinstance(values, dict) or not isinstance(roles.get("claim"), str):
            raise _problem(index, entry, 'roles must be {"claim": "…", "map": {value: role}}.')
        unknown = set(values.values()) - set(ROLES)
        if unknown:
            raise _problem(
                index, entry, f"roles map to {', '.join(sorted(unknown))}: not a role here "
                f"(the roles are {', '.join(ROLES)})."
            )  # fmt: skip
        role_map = RoleMap(claim=roles["claim"], values=dict(values))
    known = set(Provider.__dataclass_fields__) - {"roles"}
    given = {k: v for k, v in entry.items() if k in known}
    given["email_domains"] = tuple(d.lower().lstrip("@") for d in domains)
    return Provider(**given, roles=role_map)


def _secure_address(url) -> bool:
    """https, or plain http to this machine only (the demo's and the tests' providers)."""
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or not parts.hostname:
        return False
    return parts.scheme == "https" or (
        parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost")
    )


def _entries():
    text = settings.SSO_PROVIDERS_JSON
    if settings.SSO_PROVIDERS_FILE:
        try:
            text = Path(settings.SSO_PROVIDERS_FILE).read_text()
        except OSError as error:
            raise ImproperlyConfigured(f"SSO_PROVIDERS_FILE cannot be read: {error}") from error
    if not text.strip():
        return []
    try:
        entries = json.loads(text)
    except ValueError as error:
        raise ImproperlyConfigured(f"SSO_PROVIDERS is not valid JSON: {error}") from error
    if not isinstance(entries, list):
        raise ImproperlyConfigured("SSO_PROVIDERS must be a JSON list of providers.")
    return entries


@functools.cache
def _providers(_key) -> dict[str, Provider]:
    found = {}
    for index, entry in enumerate(_entries()):
        provider = _provider(index, entry)
        if provider.slug in found:
            raise _problem(index, entry, "another provider has the same slug.")
        found[provider.slug] = provider
    return found


def providers() -> dict[str, Provider]:
    """Every configured provider by slug, in the order given (read once per configuration)."""
    return _providers((settings.SSO_PROVIDERS_JSON, settings.SSO_PROVIDERS_FILE))


def provider_get(slug) -> Provider | None:
    return providers().get(slug)
