"""The settings refuse to start half-configured, and say which variable is wrong."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "SECRET_KEY": "x7#Kq!" * 10,
    "ALLOWED_HOSTS": "centre.example",
    "DATABASE_URL": "sqlite:///:memory:",
    "BADGE_KEK": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    "SITE_URL": "https://centre.example",
}


def manage(*args, **env):
    unset = {*PRODUCTION_ENV, "DJANGO_ALLOW_ASYNC_UNSAFE"} - {"DATABASE_URL"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production(**overrides):
    env = {**PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "config.settings.production"}
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "BADGE_KEK", "SITE_URL"])
def test_production_refuses_to_start_without_a_required_variable(missing):
    result = manage("check", **production(**{missing: None}))
    assert result.returncode == 1
    assert missing in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "site_url",
    ["", "http://centre.example", "centre.example", "https://", "https://centre.example/?a=1"],
)
def test_production_refuses_a_site_url_that_is_not_an_https_address(site_url):
    """SITE_URL is written into every signed credential for ever: never the demo's default."""
    result = manage("check", **production(SITE_URL=site_url))
    assert result.returncode == 1
    assert "Configuration error: " in result.stderr and "SITE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_takes_the_site_url_as_given_without_a_trailing_slash():
    code = "from django.conf import settings; print(settings.SITE_URL)"
    result = manage(
        "shell", "--no-imports", "-c", code, **production(SITE_URL="https://badges.example.edu/")
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://badges.example.edu"


def test_production_does_not_install_the_demo():
    """Its seed_demo makes accounts whose password README prints (DESIGN.md: never installed)."""
    result = manage("seed_demo", **production())
    assert result.returncode == 1
    assert "Unknown command: 'seed_demo'" in result.stderr
    code = "from django.conf import settings; print('demo' in settings.INSTALLED_APPS)"
    assert manage("shell", "--no-imports", "-c", code, **production()).stdout.strip() == "False"


def test_production_hashes_passwords_with_djangos_full_cost_and_local_settings_do_not():
    """The demo's sign-in is fast because the local settings hash the demo's published
    password cheaply (config/hashers.py); production keeps Django's default hasher."""
    code = (
        "from django.contrib.auth.hashers import get_hasher; h = get_hasher(); "
        "print(type(h).__module__ + '.' + type(h).__name__, h.iterations)"
    )
    prod = manage("shell", "--no-imports", "-c", code, **production())
    assert prod.returncode == 0, prod.stderr
    name, iterations = prod.stdout.split()
    assert name == "django.contrib.auth.hashers.PBKDF2PasswordHasher"
    assert int(iterations) >= 1_000_000
    local = manage(
        "shell", "--no-imports", "-c", code, DJANGO_SETTINGS_MODULE="config.settings.local",
        **{k: PRODUCTION_ENV[k] for k in ("SECRET_KEY", "BADGE_KEK", "DATABASE_URL")},
    )  # fmt: skip
    assert local.returncode == 0, local.stderr
    name, iterations = local.stdout.split()
    assert name == "config.hashers.LocalPBKDF2PasswordHasher"
    assert int(iterations) <= 20_000


def test_a_malformed_database_url_is_named_not_traced():
    result = manage("check", **production(DATABASE_URL="not a url at all"))
    assert result.returncode == 1
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_malformed_boolean_is_named():
    result = manage("check", **production(SECURE_SSL_REDIRECT="perhaps"))
    assert result.returncode == 1
    assert "SECURE_SSL_REDIRECT" in result.stderr


def test_check_deploy_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production())
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({"SEAL_CERTIFICATE_FILE": "/etc/leads/seal.pem"}, "SEAL_KEY_FILE"),
        ({"SEAL_KEY_FILE": "/etc/leads/seal.key"}, "SEAL_CERTIFICATE_FILE"),
        (
            {"SEAL_CERTIFICATE_FILE": "/etc/leads/seal.pem", "SEAL_KEY_FILE": "/etc/leads/k.pem"},
            "AWARDING_BODY_LEGAL_IDENTIFIER",
        ),
    ],
)
def test_production_refuses_half_a_seal(given, named):
    """Without a seal the centre runs (EDCs answer 503, PDFs say they are unsealed); half a
    seal, or one without the legal identifier every EDC carries, is a mistake named at start."""
    result = manage("check", **production(**given))
    assert result.returncode == 1
    assert "Configuration error: " in result.stderr and named in result.stderr
    assert "Traceback" not in result.stderr
