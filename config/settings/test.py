"""Tests. PostgreSQL and Redis come from DATABASE_URL and REDIS_URL when set (always in CI).

Celery runs inline by default; tests about background work start a real worker (see the
`celery_worker` fixture in conftest.py), which switches eager mode off for their duration.
"""

import base64
import os
import secrets
from pathlib import Path

from django.core.management.utils import get_random_secret_key

from .base import *  # noqa: F403
from .base import (
    AWARDING_BODY_LEGAL_IDENTIFIER,
    BADGE_KEK,
    CACHES,
    CENTRE_NAME,
    REDIS_URL,
    SEAL_CERTIFICATE_FILE,
    SEAL_KEY_FILE,
    SEAL_SIGNATORY_NAME,
    SEAL_SIGNATORY_ROLE,
)

SECRET_KEY = get_random_secret_key()
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The demo centre's seed_demo, which tests run (never installed in production).
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]  # noqa: F405
DEMO_SEED_ALLOWED = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
# What learners hand in goes to a directory of this run's own, removed with the machine's temp.
import tempfile  # noqa: E402

STORAGES["evidence"]["OPTIONS"]["location"] = tempfile.mkdtemp(prefix="evidence-")  # noqa: F405
if REDIS_URL:
    # The tests' cache lives in its own Redis database, which each test starts empty (conftest:
    # clearing a Redis cache flushes its whole database, so never the broker's or a running
    # centre's).
    from urllib.parse import urlsplit, urlunsplit

    _parts = urlsplit(REDIS_URL)
    # TEST_CACHE_REDIS_DB lets two test runs on one machine keep out of each other's cache.
    _cache_db = os.environ.get("TEST_CACHE_REDIS_DB", "15")
    CACHES["default"]["LOCATION"] = urlunsplit(_parts._replace(path=f"/{_cache_db}"))
    CACHES["default"]["KEY_PREFIX"] = "test"
# Sign-in throttling is off for speed (and for Client.login, which passes no request to the
# backends); config/tests/test_security.py turns it on where it tests it.
AXES_ENABLED = False
# An ephemeral key-encryption key for the badge signing keys, one per test run. It goes into the
# environment so that the Celery worker the tests start (worker_test.py) decrypts the same keys.
BADGE_KEK = BADGE_KEK or os.environ.setdefault(
    "BADGE_KEK", base64.b64encode(secrets.token_bytes(32)).decode()
)
# A self-signed seal per test run unless one is given; its directory goes into the environment
# (TEST_SEAL_DIR, not the SEAL_* names, which production subprocesses of the tests would take as
# theirs) so that the Celery worker the tests start seals with the same one.
if not (SEAL_CERTIFICATE_FILE and SEAL_KEY_FILE):
    from config.seal_files import ensure_self_signed_seal

    _seal_dir = os.environ.setdefault("TEST_SEAL_DIR", tempfile.mkdtemp(prefix="seal-"))
    SEAL_CERTIFICATE_FILE, SEAL_KEY_FILE = (
        str(path) for path in ensure_self_signed_seal(Path(_seal_dir), organisation=CENTRE_NAME)
    )
AWARDING_BODY_LEGAL_IDENTIFIER = AWARDING_BODY_LEGAL_IDENTIFIER or "TEST-LEGAL-ID-0000"
SEAL_SIGNATORY_NAME = SEAL_SIGNATORY_NAME or "Test Signatory"
SEAL_SIGNATORY_ROLE = SEAL_SIGNATORY_ROLE or "Director"
# Apps on this machine (http://127.0.0.1:…/callback) may register: RFC 8252 §7.3 loopback.
OAUTH2_PROVIDER = {**OAUTH2_PROVIDER, "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"]}  # noqa: F405
