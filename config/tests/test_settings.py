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
}


def manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "BADGE_KEK", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
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


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "BADGE_KEK"])
def test_production_refuses_to_start_without_a_required_variable(missing):
    result = manage("check", **production(**{missing: None}))
    assert result.returncode == 1
    assert missing in result.stderr
    assert "Traceback" not in result.stderr


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
