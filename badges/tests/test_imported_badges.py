"""Badges from other issuers in the backpack (imports.py, views_imported.py): import in every
format, verified by the one verifier; refusals that store nothing; the export unchanged; the
public profile's own section; nobody else's."""

import copy
import io
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.tests.factories import UserFactory
from badges.imports import ImportRefused, imported_badge_add, imported_badge_recheck
from badges.models import ImportedBadge
from badges.openbadges import baking
from badges.openbadges.vc import eddsa_rdfc_2022, jwt, multikey
from badges.openbadges.vc.bench import sample_credential
from badges.services import assertion_issue, assertion_revoke
from courses.tests.factories import leads_admin

from .test_services import cohort, complete

pytestmark = pytest.mark.django_db
SITE = "https://centre.example"
LIST = reverse("imported:list")
ELSEWHERE_OB2 = {
    "@context": "https://w3id.org/openbadges/v2",
    "type": "Assertion",
    "id": "https://badges.elsewhere.example/assertions/41",
    "badge": {"type": "BadgeClass", "name": "Safeguarding basics"},
    "recipient": {"type": "email", "identity": "sha256$00", "hashed": True},
    "issuedOn": "2024-05-01T00:00:00Z",
    "verification": {"type": "hosted"},
}


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE
    cache.clear()


@pytest.fixture
def learner():
    return UserFactory(full_name="Amina Yusuf")


@pytest.fixture
def key():
    return Ed25519PrivateKey.generate()


def foreign_credential(key, **changes):
    """An OB 3.0 credential of another issuer (a did:key), as test_verification.py makes one."""
    credential = sample_credential(1)
    credential["issuer"] = {
        **credential["issuer"],
        "id": multikey.did_key(key.public_key()),
        "name": "Elsewhere Academy",
    }
    credential.update(changes)
    credential.pop("credentialStatus", None)
    return credential


def signed(key, **changes):
    return eddsa_rdfc_2022.add_proof(
        foreign_credential(key, **changes),
        private_key=key,
        verification_method=multikey.did_key_verification_method(key.public_key()),
    )


def vc_jwt(key):
    kid = multikey.did_key_verification_method(key.public_key())
    return jwt.sign(foreign_credential(key), key, kid=kid)


def plain_png():
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (20, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def baked_png(key):
    return baking.bake_png(plain_png(), json.dumps(signed(key)), fmt=baking.OB3)


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def post(client, **data):
    return client.post(LIST, data)


def our_badge():
    _, instructor, plan, _, _, (enrollment, _) = cohort()
    complete(enrollment, plan, instructor)
    return assertion_issue(enrollment=enrollment)[0]


# --- Importing ------------------------------------------------------------------------------------


def test_a_baked_png_from_another_issuer_is_imported_and_exported_unchanged(client, learner, key):
    data = baked_png(key)
    client.force_login(learner)
    response = post(client, file=upload("my badge.png", data, "image/png"))
    assert response.status_code == 302
    badge = ImportedBadge.objects.get(owner=learner)
    assert (badge.kind, badge.verdict, badge.filename) == ("png", "valid", "my_badge.png")
    assert badge.issuer_name == "Elsewhere Academy"
    assert badge.issuer_identifier.startswith("did:key:")
    assert badge.image.startswith("data:image/png;base64,")
    assert badge.name and any(c["name"] == "Proof" for c in badge.checks)

    download = client.get(reverse("imported:download", args=[badge.pk]))
    assert download.status_code == 200
    assert download.content == data
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"] == 'attachment; filename="my_badge.png"'
    assert download["X-Content-Type-Options"] == "nosniff"


def test_an_ob3_json_credential_signed_with_a_did_key_is_kept_byte_for_byte(learner, key, client):
    data = json.dumps(signed(key), indent=2).encode() + b"\n"
    badge, created = imported_badge_add(owner=learner, upload=upload("credential.json", data))
    assert created and badge.kind == "json" and badge.verdict == "valid"
    assert badge.format.startswith("Open Badges 3.0 (Data Integrity")
    client.force_login(learner)
    download = client.get(reverse("imported:download", args=[badge.pk]))
    assert download.content == data and download["Content-Type"] == "application/json"


def test_a_pasted_vc_jwt_is_imported(learner, key):
    token = vc_jwt(key)
    badge, created = imported_badge_add(owner=learner, text=f"  {token}\n")
    assert created and (badge.kind, badge.verdict) == ("jwt", "valid")
    assert badge.format == "Open Badges 3.0 (VC-JWT)"
    assert badge.text == token and badge.filename == "badge.jwt"
    assert badge.issuer_name == "Elsewhere Academy"


def test_an_ob2_badge_hosted_elsewhere_is_kept_as_cannot_be_checked_offline(learner):
    badge, _ = imported_badge_add(owner=learner, text=json.dumps(ELSEWHERE_OB2))
    assert badge.verdict == "unverifiable"
    assert badge.get_verdict_display() == "Cannot be checked offline"
    assert badge.name == "Safeguarding basics"
    assert badge.issuer_identifier == "https://badges.elsewhere.example"


def test_an_expired_credential_is_kept_and_shown_expired(learner, key):
    expired = signed(key, validFrom="2020-01-01T00:00:00Z", validUntil="2021-01-01T00:00:00Z")
    badge, _ = imported_badge_add(owner=learner, text=json.dumps(expired))
    assert badge.verdict == "expired"


def test_importing_the_same_file_twice_changes_nothing_and_says_so(client, learner, key):
    data = baked_png(key)
    client.force_login(learner)
    post(client, file=upload("b.png", data))
    badge = ImportedBadge.objects.get(owner=learner)
    response = post(client, file=upload("again.png", data))
    assert response.status_code == 302
    assert ImportedBadge.objects.filter(owner=learner).count() == 1
    page = client.get(LIST).content.decode()
    assert "already: nothing has changed" in page
    again, created = imported_badge_add(owner=learner, upload=upload("b.png", data))
    assert (again.pk, created) == (badge.pk, False)


# --- Refusals: nothing stored -------------------------------------------------------------------


def refused(client, learner, **data):
    client.force_login(learner)
    response = post(client, **data)
    assert response.status_code == 400
    assert not ImportedBadge.objects.exists()
    return response.content.decode()


def test_a_tampered_credential_is_refused_with_the_verifiers_reason(client, learner, key):
    tampered = copy.deepcopy(signed(key))
    tampered["credentialSubject"]["achievement"]["name"] = "Something grander"
    page = refused(client, learner, text=json.dumps(tampered))
    assert "Our verifier says: Not valid" in page and "signature does not verify" in page
    assert 'id="error-summary"' in page


def test_an_issuer_whose_name_is_not_text_is_kept_without_a_name(learner, key):
    from badges.imports import imported_badge_add

    credential = signed(key, issuer={"id": multikey.did_key(key.public_key()), "type": ["Profile"],
                                     "name": 5})  # fmt: skip
    badge, created = imported_badge_add(owner=learner, text=json.dumps(credential))
    assert created and badge.issuer_name == "" and badge.verdict == "valid"


def test_text_that_is_not_a_badge_is_refused(client, learner):
    page = refused(client, learner, text="Dear committee, please accept my badge.")
    assert "This is not a badge" in page
    page = refused(client, learner, text='{"name": "not a badge"}')
    assert "cannot be read as a badge" in page


def test_a_file_over_2_mb_is_refused(client, learner):
    page = refused(client, learner, file=upload("big.png", b"\x89PNG" + b"\0" * (3 * 1024**2)))
    assert "The file is larger than 2 MB." in page
    with pytest.raises(ImportRefused) as refusal:
        imported_badge_add(owner=learner, text="{" + " " * (2 * 1024**2) + "}")
    assert refusal.value.code == "too_large"


def test_a_badge_of_this_centre_is_refused_revoked_or_not(client):
    assertion = our_badge()
    image = client.get(f"/public/assertions/{assertion.pk}/image").content
    with pytest.raises(ImportRefused) as refusal:
        imported_badge_add(owner=assertion.recipient, upload=upload("ours.png", image))
    assert refusal.value.message.endswith("it is already in your backpack.")
    with pytest.raises(ImportRefused) as refusal:
        imported_badge_add(owner=UserFactory(), upload=upload("ours.png", image))
    assert refusal.value.code == "ours_not_yours"
    assertion_revoke(assertion=assertion, acting_user=leads_admin(), reason="Plagiarised")
    with pytest.raises(ImportRefused) as refusal:
        imported_badge_add(owner=assertion.recipient, upload=upload("ours.png", image))
    assert refusal.value.code == "ours"
    assert not ImportedBadge.objects.exists()


# --- Recheck, hide, remove; the public profile; nobody else's -------------------------------------


def test_recheck_stores_what_the_verifier_says_now(learner, key):
    badge, _ = imported_badge_add(owner=learner, text=json.dumps(ELSEWHERE_OB2))
    first = badge.checked_at
    badge = imported_badge_recheck(badge=badge, learner=learner)
    assert badge.verdict == "unverifiable" and badge.checked_at > first


def test_the_public_profile_shows_imported_badges_apart_with_their_verdicts(client, learner, key):
    imported_badge_add(owner=learner, text=json.dumps(signed(key)))
    imported_badge_add(owner=learner, text=json.dumps(ELSEWHERE_OB2))
    hidden, _ = imported_badge_add(owner=learner, text=vc_jwt(key))
    client.force_login(learner)
    client.post(reverse("imported:visibility", args=[hidden.pk]), {"hidden": "1"})
    client.logout()
    page = client.get(reverse("badges:profile", args=[learner.public_id])).content.decode()
    ours, _, theirs = page.partition("Badges from other issuers")
    assert theirs, "the imported badges have their own section"
    assert "Elsewhere Academy" not in ours and "Safeguarding basics" not in ours
    assert "“Elsewhere Academy”" in theirs and "did:key:" in theirs
    assert "Valid</span> when checked on" in theirs
    assert "Cannot be checked offline</span> when checked on" in theirs
    assert theirs.count("imported-badge") == 2  # the hidden one is not shown


def test_another_learner_cannot_see_download_or_change_an_imported_badge(client, learner, key):
    badge, _ = imported_badge_add(owner=learner, text=json.dumps(signed(key)))
    client.force_login(UserFactory())
    assert badge.name not in client.get(LIST).content.decode()
    assert client.get(reverse("imported:download", args=[badge.pk])).status_code == 404
    for name in ("recheck", "visibility", "remove"):
        assert client.post(reverse(f"imported:{name}", args=[badge.pk])).status_code == 404
    badge.refresh_from_db()
    assert not badge.hidden_from_profile


def test_the_owner_removes_an_imported_badge(client, learner, key):
    badge, _ = imported_badge_add(owner=learner, text=json.dumps(signed(key)))
    client.force_login(learner)
    assert client.post(reverse("imported:remove", args=[badge.pk])).status_code == 302
    assert not ImportedBadge.objects.exists()


def test_the_page_asks_for_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
