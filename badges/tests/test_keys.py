"""Signing keys: encrypted at rest under BADGE_KEK, rotated like SECRET_KEY, withdrawn when
compromised, managed by `manage.py badge_keys`, and never shown anywhere."""

import base64
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from badges import identifiers, keys, services, signing
from badges.models import Issuer, SigningKey
from badges.openbadges.vc import multikey
from badges.services import issuer_get_default
from badges.tests.verifying import credential_report

from .test_credentials import credential_of, issue_one

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://centre.example"


def new_kek() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def secret_forms(signing_key) -> list[str]:
    """Every way the private key could be written down."""
    private = keys.private_key(signing_key)
    seed = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    forms = [
        seed.hex(),
        base64.b64encode(seed).decode().rstrip("="),
        base64.urlsafe_b64encode(seed).decode().rstrip("="),
        multikey.private_key_to_multibase(private),
        base64.b64encode(bytes(signing_key.private_key_ciphertext)).decode()[:24],
        bytes(signing_key.private_key_ciphertext).hex()[:32],
    ]
    return forms


def assert_no_secret(text: str, signing_key):
    for form in secret_forms(signing_key):
        assert form not in text
    assert "secretKeyMultibase" not in text and '"d":' not in text


# --- At rest --------------------------------------------------------------------------------------


def test_the_private_key_is_stored_only_as_ciphertext_under_the_kek():
    signing_key = keys.signing_key_create(issuer=issuer_get_default())
    signing_key.refresh_from_db()
    stored = bytes(signing_key.private_key_ciphertext)
    seed = keys.private_key(signing_key).private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    assert seed not in stored and len(stored) == 12 + 32 + 16  # nonce, seed, GCM tag
    assert signing_key.kek_id == keys.kek_id(keys.current_kek())
    public = keys.private_key(signing_key).public_key()
    assert multikey.public_key_to_multibase(public) == signing_key.public_key_multibase


def test_a_ciphertext_moved_to_another_key_does_not_decrypt():
    first = keys.signing_key_create(issuer=issuer_get_default())
    other = keys.signing_key_create(
        issuer=Issuer.objects.create(name="Other", url="https://o.example", email="o@o.example")
    )
    other.private_key_ciphertext = first.private_key_ciphertext
    with pytest.raises(keys.KeyUnavailable, match="does not decrypt"):
        keys.private_key(other)


def test_another_kek_cannot_decrypt_and_says_how_to_recover(settings):
    signing_key = keys.signing_key_create(issuer=issuer_get_default())
    settings.BADGE_KEK = new_kek()
    with pytest.raises(keys.KeyUnavailable, match="badge_keys rotate"):
        keys.private_key(signing_key)


def test_kek_rotation_with_fallbacks_then_rewrap(settings):
    signing_key = keys.signing_key_create(issuer=issuer_get_default())
    old = settings.BADGE_KEK
    settings.BADGE_KEK, settings.BADGE_KEK_FALLBACKS = new_kek(), [old]
    keys.private_key(signing_key)  # still decrypts, under the fallback
    out = StringIO()
    call_command("badge_keys", "rewrap", stdout=out)
    assert "Re-encrypted 1 key" in out.getvalue()
    settings.BADGE_KEK_FALLBACKS = []
    signing_key.refresh_from_db()
    assert signing_key.kek_id == keys.kek_id(keys.current_kek())
    keys.private_key(signing_key)


@pytest.mark.parametrize("value", ["", "c2hvcnQ=", "not base64 at all!", "A" * 60])
def test_a_malformed_kek_is_refused_naming_the_variable(value):
    with pytest.raises(ImproperlyConfigured, match="BADGE_KEK"):
        keys.parse_kek(value)


def test_no_kek_no_signing(settings):
    settings.BADGE_KEK = None
    with pytest.raises(ImproperlyConfigured, match="Set the BADGE_KEK environment variable"):
        keys.active_signing_key(issuer_get_default())
    assert not SigningKey.objects.exists()


def settings_in_subprocess(module, env, expression):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BADGE_KEK")}
    environment.update(env, DJANGO_SETTINGS_MODULE=module)
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip


def test_production_has_no_default_kek_and_checks_the_one_it_is_given():
    production = {
        "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "centre.example",
        "SITE_URL": "https://centre.example",
    }  # fmt: skip
    unset = settings_in_subprocess("config.settings.production", production, "settings.BADGE_KEK")
    # Without the key production does not start, and says which variable is missing.
    assert unset.returncode != 0 and "Set the BADGE_KEK environment variable" in unset.stderr
    bad = settings_in_subprocess(
        "config.settings.production", {**production, "BADGE_KEK": "short"}, "settings.BADGE_KEK"
    )
    assert bad.returncode != 0 and "BADGE_KEK must be base64 of 32 random bytes" in bad.stderr
    kek = new_kek()
    given = settings_in_subprocess(
        "config.settings.production", {**production, "BADGE_KEK": kek}, "settings.BADGE_KEK"
    )
    assert given.stdout.strip() == kek


def test_the_test_settings_make_an_ephemeral_kek_shared_with_their_workers():
    run = settings_in_subprocess(
        "config.settings.test", {}, "settings.BADGE_KEK == __import__('os').environ['BADGE_KEK']"
    )
    assert run.stdout.strip() == "True", run.stderr


# --- Lifecycle ------------------------------------------------------------------------------------


def test_one_active_key_per_issuer_by_the_database():
    issuer = issuer_get_default()
    keys.signing_key_create(issuer=issuer)
    with pytest.raises(keys.KeyRefused, match="rotate"):
        keys.signing_key_create(issuer=issuer)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        keys._new_key(issuer)


def test_rotation_retires_and_keeps_publishing_the_old_key():
    issuer = issuer_get_default()
    first = keys.signing_key_create(issuer=issuer)
    second = keys.signing_key_rotate(issuer=issuer, acting_user=None)
    first.refresh_from_db()
    assert first.status == SigningKey.Status.RETIRED and first.retired_at
    assert keys.active_signing_key(issuer) == second
    assert [k.pk for k in keys.published_keys(issuer.pk)] == [second.pk, first.pk]


def test_compromising_the_active_key_replaces_it_and_withdraws_it():
    issuer = issuer_get_default()
    first = keys.signing_key_create(issuer=issuer)
    with pytest.raises(keys.KeyRefused, match="reason"):
        services.signing_key_compromise(signing_key=first, reason=" ", acting_user=None)
    replacement = services.signing_key_compromise(
        signing_key=first, reason="Laptop stolen", acting_user=None
    )
    assert replacement.status == SigningKey.Status.ACTIVE
    assert [k.pk for k in keys.published_keys(issuer.pk)] == [replacement.pk]
    with pytest.raises(keys.KeyRefused, match="already"):
        services.signing_key_compromise(signing_key=first, reason="Again", acting_user=None)


# --- The command ----------------------------------------------------------------------------------


def command(*args) -> str:
    out, err = StringIO(), StringIO()
    call_command("badge_keys", *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_the_command_generates_lists_rotates_and_withdraws_keys():
    assert "No signing keys yet" in command("list")
    generated = command("generate")
    assert "Generated:" in generated
    with pytest.raises(CommandError, match="rotate"):
        command("generate")
    first = SigningKey.objects.get()
    assert "Now signing with:" in command("rotate")
    listing = command("list")
    assert first.fragment in listing and "retired" in listing and "active" in listing
    assert identifiers.verification_method_id(first) in listing
    assert_no_secret(listing + generated, first)
    second = SigningKey.objects.get(status="active")
    withdrawn = command("revoke-compromised", second.fragment, "--reason", "Leaked in a log")
    assert f"Withdrawn: {second.fragment}" in withdrawn and "Now signing with:" in withdrawn
    with pytest.raises(CommandError, match="No single signing key"):
        command("revoke-compromised", "key-nope", "--reason", "x")
    with pytest.raises(CommandError, match="No issuer"):
        command("rotate", "--issuer", "not-a-uuid")


def test_revoke_compromised_with_resign_re_signs_what_the_key_signed():
    assertion = issue_one()
    compromised = assertion.signing_key
    out = command("revoke-compromised", str(compromised.pk), "--reason", "Leaked", "--resign")
    assert "Re-signed 1 credential(s)" in out
    assertion.refresh_from_db()
    assert assertion.signing_key != compromised
    assert credential_report(credential_of(assertion)).verified


def test_sign_missing_signs_badges_issued_before_ob3_and_sets_revoked_bits():
    from badges.services import assertion_revoke
    from courses.tests.factories import leads_admin

    old, revoked = issue_one(), issue_one()
    assertion_revoke(assertion=revoked, acting_user=leads_admin(), reason="Error")
    from badges.models import Assertion

    # As they were before this feature: no credential, no status entry.
    Assertion.objects.filter(pk__in=[old.pk, revoked.pk]).update(
        credential_json="", credential_jwt="", signing_key=None, status_list=None,
        status_index=None,
    )  # fmt: skip
    assert "Signed 2 credential(s)" in command("sign-missing")
    old.refresh_from_db()
    revoked.refresh_from_db()
    assert credential_report(credential_of(old)).verified
    problems = credential_report(credential_of(revoked)).failed()
    assert problems["Revocation"].code == "REVOKED"
    assert "Signed 0 credential(s)" in command("sign-missing")


# --- Never shown ----------------------------------------------------------------------------------


def test_no_private_key_in_the_admin(admin_client):
    assertion = issue_one()
    signing_key = assertion.signing_key
    pages = [
        "/admin/",
        f"/admin/badges/assertion/{assertion.pk}/change/",
        "/admin/badges/assertion/",
        f"/admin/badges/issuer/{assertion.badge_class.issuer_id}/change/",
    ]
    from django.contrib import admin

    if SigningKey in admin.site._registry:
        pages += ["/admin/badges/signingkey/", f"/admin/badges/signingkey/{signing_key.pk}/change/"]
    for page in pages:
        response = admin_client.get(page)
        assert response.status_code == 200, page
        assert_no_secret(response.content.decode(), signing_key)


def test_repr_and_str_of_a_key_hold_nothing_secret():
    signing_key = keys.signing_key_create(issuer=issuer_get_default())
    assert_no_secret(repr(signing_key) + str(signing_key), signing_key)
    signer = signing.signer_for(signing_key.issuer)
    assert_no_secret(repr(signer), signing_key)
