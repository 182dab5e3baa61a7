"""Settings shared by every environment. Everything that differs comes from the environment.

With nothing set the centre runs on SQLite with Celery tasks executed inline, so one command
shows a working site on a bare machine; DATABASE_URL and REDIS_URL switch it to PostgreSQL and
Redis (broker, results and cache).
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()


def env_url(name, parse, default=None):
    """Parse a URL-valued variable, naming the variable when it is malformed."""
    raw = env.str(name, default=default)
    if raw is None:
        return None
    try:
        return parse(raw)
    except Exception as exc:  # environ raises several types for a bad URL
        raise ImproperlyConfigured(f"{name} is not a valid URL ({exc}).") from exc


def env_typed(name, cast, default):
    try:
        return cast(name, default=default)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"{name} has a value that cannot be read ({exc}).") from exc


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name, default):
    """A yes/no variable. environ.Env.bool reads any unknown word as False; we refuse it."""
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value not in _TRUE | _FALSE:
        raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")
    return value in _TRUE


def database_config(raw):
    config = env.db_url_config(raw)
    if not config.get("ENGINE"):
        raise ValueError(f"unknown database scheme in {raw!r}")
    return config


# --- The centre -----------------------------------------------------------------------------
SITE_NAME = env.str("SITE_NAME", default="LEADS Micro-credentials")
CENTRE_NAME = env.str("CENTRE_NAME", default="LEADS Centre for Lifelong Learning")
# Absolute URLs (e-mails, badge JSON, QR codes) are built from this, never from the request's Host.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The number of the centre's LinkedIn page (optional): with it, a badge a learner adds to their
# LinkedIn profile shows the centre's logo; without it, LinkedIn shows the issuer's name as text.
LINKEDIN_ORGANIZATION_ID = env.str("LINKEDIN_ORGANIZATION_ID", default="").strip() or None
if LINKEDIN_ORGANIZATION_ID and not LINKEDIN_ORGANIZATION_ID.isdigit():
    raise ImproperlyConfigured(
        "LINKEDIN_ORGANIZATION_ID must be the number of the centre's LinkedIn page, "
        f"not {LINKEDIN_ORGANIZATION_ID!r}."
    )

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])

# --- Applications ---------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "csp",
    "axes",
    "oauth2_provider",
    "accounts",
    "courses",
    "leads",
    "assessments",
    "evidence",
    "badges",
    "sso",
]
# The demo centre (`demo`, seed_demo: accounts with a published password) is installed by the
# local and test settings only, never in production (DESIGN.md).

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.content_security.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a lockout noted during sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.centre",
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------------------------
DATABASES = {
    "default": env_url(
        "DATABASE_URL", database_config, default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="") or None
if REDIS_URL:
    env_url("REDIS_URL", env.cache_url_config)  # fail early, naming the variable
    CACHES = {
        "default": {
            "BACKEND": "config.cache.ReusingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="centre"),
            "TIMEOUT": 300,
            # An unreachable Redis must fail fast: pages fall back to building without it.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out sign-in before a password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, refusing passwords where single sign-on is the only way in.
    "sso.backends.AccountBackend",
]
# Single sign-on (sso/providers.py, README "Single sign-on"): the identity providers, as JSON.
SSO_PROVIDERS_JSON = env.str("SSO_PROVIDERS", default="")
SSO_PROVIDERS_FILE = env.str("SSO_PROVIDERS_FILE", default="")
# How far a provider's clock may be from ours when its tokens' times are checked.
SSO_CLOCK_LEEWAY_SECONDS = env_typed("SSO_CLOCK_LEEWAY_SECONDS", env.int, 60)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Sign-in throttling (django-axes) -------------------------------------------------------
# Five wrong passwords for one e-mail address from one address lock that pair out for 15
# minutes: the right password is refused too, while the same person elsewhere and everyone else
# on the same network can still sign in. Attempts are kept in the database (AccessAttempt);
# `manage.py axes_reset_username <e-mail>` lifts a lockout early.
AXES_ENABLED = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the sign-in form's field, which holds the e-mail
AXES_USERNAME_CALLABLE = "config.throttling.sign_in_username"
AXES_CLIENT_IP_CALLABLE = "config.throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "config.throttling.sign_in_locked_out"
AXES_RESET_ON_SUCCESS = True
# A lockout ends 15 minutes after the fifth failure, as the page says, however often the person
# tries again meanwhile.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# How many proxies in front of gunicorn append to X-Forwarded-For (1 behind one TLS proxy). With
# 0 the client is REMOTE_ADDR, which a client cannot forge; the sign-in lockout and the API's
# anonymous rate use the same rule (config/throttling.py, REST_FRAMEWORK["NUM_PROXIES"]).
TRUSTED_PROXY_COUNT = env_typed("TRUSTED_PROXY_COUNT", env.int, 0)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
# Input formats with ISO first, so date and time inputs show the value they were saved with.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # What learners hand in: outside MEDIA_ROOT, never served by a web server, only through the
    # views that check who asks (evidence/views_files.py).
    "evidence": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env.str("EVIDENCE_ROOT", default=str(BASE_DIR / "private" / "evidence")),
            "base_url": None,
        },
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Learners' evidence (README, "Evidence"): the largest video an assessment may allow, what each
# learner may keep stored in all, and how long files are kept after their offering ends (then
# removed; the title and SHA-256 stay, and so does every badge that names them).
EVIDENCE_MAX_VIDEO_MB = env.int("EVIDENCE_MAX_VIDEO_MB", default=200)
EVIDENCE_QUOTA_MB = env.int("EVIDENCE_QUOTA_MB", default=500)
EVIDENCE_RETENTION_DAYS = env.int("EVIDENCE_RETENTION_DAYS", default=730)
# A learner may resubmit work returned for rework until the deadline or this many days after
# the return, whichever is later.
EVIDENCE_REWORK_DAYS = env.int("EVIDENCE_REWORK_DAYS", default=14)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"


# --- Open Badges 3.0 signing keys ------------------------------------------------------------
# The key-encryption key (KEK) that encrypts the issuers' Ed25519 signing keys at rest with
# AES-256-GCM: base64 of 32 random bytes, from the environment only. No default here: local.py
# keeps one in the git-ignored .badge_kek file, test.py makes one per run, and production without
# it signs nothing (badges/keys.py refuses, naming the variable). After a KEK rotation the earlier
# KEKs go in BADGE_KEK_FALLBACKS (comma-separated) until `manage.py badge_keys rewrap` has
# re-encrypted the keys, as SECRET_KEY_FALLBACKS works for SECRET_KEY.
def env_badge_kek(name, raw):
    """A KEK as given, after checking it is base64 of 32 bytes (fails at start, naming it)."""
    import base64
    import binascii

    text = raw.strip()
    try:
        decoded = base64.urlsafe_b64decode(
            text.replace("+", "-").replace("/", "_") + "=" * (-len(text) % 4)
        )
    except (binascii.Error, ValueError):
        decoded = b""
    if len(decoded) != 32:
        raise ImproperlyConfigured(f"{name} must be base64 of 32 random bytes.")
    return text


BADGE_KEK = env.str("BADGE_KEK", default="") or None
if BADGE_KEK:
    BADGE_KEK = env_badge_kek("BADGE_KEK", BADGE_KEK)
BADGE_KEK_FALLBACKS = [
    env_badge_kek("BADGE_KEK_FALLBACKS", value)
    for value in env.list("BADGE_KEK_FALLBACKS", default=[])
]

# --- The centre's electronic seal and the awarding body in European Digital Credentials ------
# The seal signs EDCs (JAdES) and the PDF certificate and supplement (PAdES): PEM files, the
# seal's certificate first then its chain, and its RSA or EC key (badges/seal.py). In production a
# qualified electronic seal; local.py and test.py make a self-signed one where none is given.
SEAL_CERTIFICATE_FILE = env.str("SEAL_CERTIFICATE_FILE", default="") or None
SEAL_KEY_FILE = env.str("SEAL_KEY_FILE", default="") or None
SEAL_KEY_PASSWORD = env.str("SEAL_KEY_PASSWORD", default="") or None
# Who signs the certificate and supplement, printed under the seal.
SEAL_SIGNATORY_NAME = env.str("SEAL_SIGNATORY_NAME", default="")
SEAL_SIGNATORY_ROLE = env.str("SEAL_SIGNATORY_ROLE", default="")
# The awarding body's legal identifier in EDCs (ELM `legalIdentifier`, e.g. a national
# registration or VAT number) and its country (an EU authority-table code such as PAK or FRA).
AWARDING_BODY_LEGAL_IDENTIFIER = env.str("AWARDING_BODY_LEGAL_IDENTIFIER", default="")
AWARDING_BODY_COUNTRY = env.str("AWARDING_BODY_COUNTRY", default="PAK")

# --- E-mail ---------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="LEADS Centre <leads@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Celery ---------------------------------------------------------------------------------
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    # No broker: run tasks inline so the demo works on a bare machine.
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged only after it ran, so a worker killed mid-task leaves it for another;
# tasks are therefore written to be safe to run twice (STYLE.md, rule 5).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# With Redis down, publishing would block for ~20 s before failing. Fail fast instead: the work
# is recorded in the database first and a periodic sweep picks up what was not enqueued.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "max_retries": 1,
    "visibility_timeout": 60 * 60,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
# The result backend reconnects on a retry policy of its own (20 tries a second apart): with
# Redis down, each .delay() in a request waited ~19 s there, whatever the broker settings above.
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": CELERY_TASK_PUBLISH_RETRY_POLICY}
CELERY_BEAT_SCHEDULE = {
    # Tasks owed after a commit that the broker refused (accounts.side_effects): published again.
    "sweep-pending-tasks": {"task": "accounts.tasks.sweep_pending_tasks", "schedule": 60.0},
    # The safety net behind automatic issuance: completions whose badge was not issued (broker
    # down, worker killed) are issued within minutes.
    "sweep-unissued-badges": {"task": "badges.tasks.sweep_unissued_badges", "schedule": 120.0},
    # The safety net behind pathway badges: learners whose badges satisfy a published pathway
    # and who lack its badge (a lost task) receive it within minutes.
    "sweep-pathway-badges": {"task": "badges.tasks.award_pathway_badges", "schedule": 300.0},
    # Imports left pending by a broker outage are restarted; stuck ones fail after a day.
    "sweep-import-jobs": {"task": "courses.tasks.sweep_import_jobs", "schedule": 300.0},
    # Each assessor's daily e-mail: new work handed in, and samples waiting for moderation.
    "evidence-assessor-digests": {
        "task": "evidence.tasks.send_assessor_digests",
        "schedule": 24 * 60 * 60.0,
    },
    # Expired OAuth tokens and codes of the Open Badges 3.0 API, removed daily.
    "clear-expired-oauth-tokens": {
        "task": "badges.tasks.clear_expired_oauth_tokens",
        "schedule": 24 * 60 * 60.0,
    },
    # Learners' files past the retention rule (EVIDENCE_RETENTION_DAYS) are removed, daily.
    "sweep-evidence-retention": {
        "task": "evidence.tasks.sweep_evidence_retention",
        "schedule": 24 * 60 * 60.0,
    },
}

# A pending task is published again by the sweep once it is this many seconds old: long enough
# for the request that owes it to have published it itself after its commit.
PENDING_TASK_SWEEP_AFTER = env.int("PENDING_TASK_SWEEP_AFTER", default=30)

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # The API's client is the VLE, with a token (accounts/api_tokens.py). Sessions are left out
    # on purpose: a signed-in learner or course leader must not be able to act as the VLE from
    # a browser, and token requests need no CSRF token.
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: the browsable API needs inline scripts, which the CSP below forbids.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON parsed only after its size and nesting are checked (linear work), so a body nested
    # a thousand levels deep is a 400, not a RecursionError in json.loads (config/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["config.parsers.BoundedJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Per token (each token has its own account) and, for the few anonymous endpoints, per
    # client address. The classes read the rates at each request (config/throttling.py).
    "DEFAULT_THROTTLE_CLASSES": [
        "config.throttling.ApiTokenRateThrottle",
        "config.throttling.ApiAnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": env.str("API_RATE_PER_TOKEN", default="1200/minute"),
        "anon": env.str("API_RATE_ANONYMOUS", default="60/minute"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "LEADS Micro-credentials API",
    "DESCRIPTION": (
        "How a VLE or LMS enrols learners in offerings, pushes assessment results and reads "
        "completion back. Every request carries `Authorization: Token <key>`; the LEADS team "
        "issues tokens (`manage.py create_vle_token`). A token of a LEADS admin account acts on "
        "every course; any other token acts on the offerings of its account's unit's courses, "
        "and records results also where its account instructs the offering."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI is served from this site (drf-spectacular-sidecar): the CSP allows no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge from the public validator (an image from another origin).
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "persistAuthorization": False},
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Open Badges 3.0 API (OB 3.0 §6, §7): django-oauth-toolkit as its authorization server ---
# The scopes we implement, and only those: apps cannot be granted what nothing honours (we host
# only the centre's own credentials, so `credential.upsert` is not offered; badges/ob3_api.py).
OB3_SCOPE = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
# django-oauth-toolkit's own Application model, named so other models can point at it.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "SCOPES": {
        OB3_SCOPE + "credential.readonly": "See your badges (signed Open Badges 3.0 credentials)",
        OB3_SCOPE + "profile.readonly": "See your name and e-mail address",
        OB3_SCOPE + "profile.update": "Change the name shown on your badges' profile",
    },
    "DEFAULT_SCOPES": [OB3_SCOPE + "credential.readonly"],
    # An application asks only for the scopes it registered with (badges/ob3_scopes.py).
    "SCOPES_BACKEND_CLASS": "badges.ob3_scopes.RegisteredScopes",
    # OB 3.0 §7.2: authorization code grant with PKCE, S256 only (RFC 9700 §2.1.1).
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    # RFC 9700 (OAuth 2.0 Security BCP) throughout: bearer tokens in the Authorization header
    # only, no implicit or password grants, `iss` in the authorization response (RFC 9207),
    # tokens kept hashed, a replayed refresh token revokes its whole family.
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 60 * 60 * 24 * 90,
    "ROTATE_REFRESH_TOKEN": True,
    # Apps redirect to https; local and test settings also allow http (loopback only, as the
    # registration endpoint checks: RFC 8252 §7.3).
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
# What the service description document links to (x-imssf-privacyPolicyUrl, termsOfService):
# the centre's own pages where it has them; its home page until then.
OB3_PRIVACY_POLICY_URL = env.str("OB3_PRIVACY_POLICY_URL", default=f"{SITE_URL}/")
OB3_TERMS_OF_SERVICE_URL = env.str("OB3_TERMS_OF_SERVICE_URL", default=f"{SITE_URL}/")

# --- Security headers -----------------------------------------------------------------------
# Everything the pages use is served from this site: no CDN, no inline scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint logs each rendering step at INFO: noise in a server's log.
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
    },
}
