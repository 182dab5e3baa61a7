"""Tests. PostgreSQL and Redis come from DATABASE_URL and REDIS_URL when set (always in CI).

Celery runs inline by default; tests about background work start a real worker (see the
`celery_worker` fixture in conftest.py), which switches eager mode off for their duration.
"""

from django.core.management.utils import get_random_secret_key

from .base import *  # noqa: F403
from .base import CACHES, REDIS_URL

SECRET_KEY = get_random_secret_key()
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
if REDIS_URL:
    # Keep test keys apart from a developer's running centre on the same Redis.
    CACHES["default"]["KEY_PREFIX"] = "test"
