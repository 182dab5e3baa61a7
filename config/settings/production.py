"""Production: gunicorn behind a TLS-terminating proxy, PostgreSQL, Redis, a worker and beat.

SECRET_KEY and ALLOWED_HOSTS have no defaults: a start without them fails with a sentence
naming the variable; so do BADGE_KEK, the key that encrypts the badge signing keys, which is
never generated here, and SITE_URL, the https address written into every signed credential.
The seal (SEAL_*) is optional, but not by halves.
The demo app (seed_demo) is not installed here: base.py leaves it out, local.py and test.py add it.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    AWARDING_BODY_LEGAL_IDENTIFIER,
    BADGE_KEK,
    SEAL_CERTIFICATE_FILE,
    SEAL_KEY_FILE,
    SEAL_SIGNATORY_NAME,
    env,
    env_bool,
    env_typed,
)

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set the ALLOWED_HOSTS environment variable.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Every badge's public URLs, issuer and signed credential carry SITE_URL for ever: base.py's
# default (the demo's http://127.0.0.1:8000) would make them point at nobody's machine, so
# production takes no default, and only an https address (STYLE.md, rule 9).
SITE_URL = env.str("SITE_URL", default="").strip().rstrip("/")
_site = urlsplit(SITE_URL)
if not SITE_URL:
    raise ImproperlyConfigured(
        "Set the SITE_URL environment variable: the centre's public https address, e.g. "
        "https://badges.example.edu. It is written into every badge and signed credential."
    )
if _site.scheme != "https" or not _site.hostname or _site.query or _site.fragment:
    raise ImproperlyConfigured(
        f"SITE_URL must be the centre's public https address (https://host), not {SITE_URL!r}: "
        "it is written into every badge and signed credential."
    )

# Every badge is signed as it is issued: a production centre without the key-encryption key
# would issue badges it cannot sign, so it does not start (STYLE.md, rule 9).
if not BADGE_KEK:
    raise ImproperlyConfigured(
        "Set the BADGE_KEK environment variable: the base64 32-byte key that encrypts the badge "
        "signing keys (python -c 'import base64,secrets; "
        "print(base64.b64encode(secrets.token_bytes(32)).decode())')."
    )

# The centre's electronic seal (European Digital Credentials, sealed PDFs) is optional: without
# one, EDCs answer 503 and PDFs are served unsealed, saying so. Half a seal, or a seal without
# the legal identifier an EDC must carry or the signatory a sealed certificate names, is a
# mistake, and the centre does not start with it.
if bool(SEAL_CERTIFICATE_FILE) != bool(SEAL_KEY_FILE):
    raise ImproperlyConfigured(
        "Set both SEAL_CERTIFICATE_FILE and SEAL_KEY_FILE (the seal's certificate chain and its "
        "private key, PEM), or neither."
    )
if SEAL_CERTIFICATE_FILE and not (AWARDING_BODY_LEGAL_IDENTIFIER and SEAL_SIGNATORY_NAME):
    raise ImproperlyConfigured(
        "With a seal, set AWARDING_BODY_LEGAL_IDENTIFIER (the centre's registered legal "
        "identifier, written into every European Digital Credential) and SEAL_SIGNATORY_NAME "
        "(who signs the sealed certificates)."
    )

# SAML sign-in keeps its requests in the cache, which every gunicorn process must share.
SSO_SHARED_CACHE_REQUIRED = True

STORAGES = {
    **STORAGES,  # noqa: F405 (the default storage and learners' evidence, base.py)
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_typed("SECURE_HSTS_SECONDS", env.int, 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://localhost:25")
vars().update(EMAIL_CONFIG)
