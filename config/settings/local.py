"""Development and demo: DEBUG on, e-mails printed to the console."""

import base64
import secrets

from django.conf import global_settings
from django.core.management.utils import get_random_secret_key

from config.seal_files import ensure_self_signed_seal

from .base import *  # noqa: F403
from .base import (
    AWARDING_BODY_LEGAL_IDENTIFIER,
    BADGE_KEK,
    BASE_DIR,
    CENTRE_NAME,
    SEAL_CERTIFICATE_FILE,
    SEAL_KEY_FILE,
    SEAL_SIGNATORY_NAME,
    SEAL_SIGNATORY_ROLE,
    env,
    env_bool,
)


def _local_secret_key():
    """A key generated once per checkout and kept outside git, so nothing secret is committed."""
    path = BASE_DIR / ".secret_key"
    if not path.exists():
        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


def _local_badge_kek():
    """The key that encrypts the badge signing keys, made once per checkout and kept outside
    git like .secret_key. Losing it loses the private keys (not what they signed): rotate then."""
    path = BASE_DIR / ".badge_kek"
    if not path.exists():
        path.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env.str("SECRET_KEY", default="") or _local_secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
BADGE_KEK = BADGE_KEK or _local_badge_kek()
if not (SEAL_CERTIFICATE_FILE and SEAL_KEY_FILE):
    # A self-signed seal made once per checkout outside git (.seal/), said to be one wherever shown.
    SEAL_CERTIFICATE_FILE, SEAL_KEY_FILE = (
        str(path) for path in ensure_self_signed_seal(BASE_DIR / ".seal", organisation=CENTRE_NAME)
    )
    SEAL_KEY_PASSWORD = None
AWARDING_BODY_LEGAL_IDENTIFIER = AWARDING_BODY_LEGAL_IDENTIFIER or "DEMO-LEGAL-ID-0000"
SEAL_SIGNATORY_NAME = SEAL_SIGNATORY_NAME or "Dr. Amina Rahman"
SEAL_SIGNATORY_ROLE = SEAL_SIGNATORY_ROLE or "Director, LEADS Centre (demonstration)"

# The demo centre: `manage.py seed_demo` (never installed in production).
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]  # noqa: F405
DEMO_SEED_ALLOWED = True
# A sign-in took 0.8-3 s on the demo, all of it hashing the password with production's
# 1,000,000 PBKDF2 iterations; the demo's password is printed for everyone (config/hashers.py).
PASSWORD_HASHERS = [
    "config.hashers.LocalPBKDF2PasswordHasher",
    *(h for h in global_settings.PASSWORD_HASHERS if not h.endswith(".PBKDF2PasswordHasher")),
]
# Apps on this machine (http://127.0.0.1:…/callback) may register: RFC 8252 §7.3 loopback.
OAUTH2_PROVIDER = {**OAUTH2_PROVIDER, "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"]}  # noqa: F405
