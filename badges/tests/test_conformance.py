"""What our public URLs serve, checked by the independent 1EdTech tools (validator and bakery).

The documents are fetched through the site's own views (as a backpack or the validator would),
written to a folder keyed by URL, and handed to the validator, which runs offline in its own
virtualenv (tools/ob2-validator). CI requires these tools; locally they skip without the venv.
"""

import json
from pathlib import Path

import pytest
from django.test import Client

from badges.models import Assertion
from badges.services import assertion_issue, assertion_revoke
from courses.tests.factories import leads_admin

from .openbadges.conftest import VALIDATOR_DIR
from .test_services import cohort, complete

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/ld+json"}


@pytest.fixture
def issued(settings):
    settings.SITE_URL = "https://centre.example"
    _, instructor, plan, _, _, (enrollment, _) = cohort()
    complete(enrollment, plan, instructor)
    assertion, _ = assertion_issue(enrollment=enrollment)
    return assertion


def fetch(client, url, **headers):
    path = url.removeprefix("https://centre.example")
    return client.get(path, **headers)


def serve_folder(tmp_path: Path, client: Client, assertion: Assertion) -> Path:
    """Everything the validator fetches, as our views serve it."""
    docs = tmp_path / "docs"
    docs.mkdir()
    document = fetch(client, f"https://centre.example/public/assertions/{assertion.pk}", **JSON)
    assertion_doc = document.json()
    badge_doc = fetch(client, assertion_doc["badge"], **JSON).json()
    issuer_doc = fetch(client, badge_doc["issuer"], **JSON).json()
    for name, doc in [("assertion", assertion_doc), ("badge", badge_doc), ("issuer", issuer_doc)]:
        (docs / f"{name}.json").write_text(json.dumps(doc))
    (docs / "badge.png").write_bytes(fetch(client, badge_doc["image"]).content)
    (docs / "baked.png").write_bytes(fetch(client, assertion_doc["image"]).content)
    extension = badge_doc["extensions:EUMicroCredentialExtension"]
    context = fetch(client, extension["@context"])
    (docs / "eu.jsonld").write_bytes(context.content)
    schema_url = context.json()["obi:validation"][0]["obi:validationSchema"]
    (docs / "eu.schema.jsonld").write_bytes(fetch(client, schema_url).content)
    manifest = {
        badge_doc["image"]: "badge.png",
        assertion_doc["image"]: "baked.png",
        extension["@context"]: "eu.jsonld",
        schema_url: "eu.schema.jsonld",
    }
    (docs / "manifest.json").write_text(json.dumps(manifest))
    return docs


def validate(run_in_validator_venv, badge: Path, docs: Path, email: str):
    result = run_in_validator_venv(
        VALIDATOR_DIR / "validate.py", badge, docs, "--recipient-email", email
    )
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout), result.stderr


def test_hosted_documents_have_the_ob2_shape(client, issued):
    response = fetch(client, f"https://centre.example/public/assertions/{issued.pk}", **JSON)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    document = response.json()
    assert document["@context"] == "https://w3id.org/openbadges/v2"
    assert document["type"] == "Assertion"
    assert document["id"] == f"https://centre.example/public/assertions/{issued.pk}"
    assert document["recipient"] == {
        "type": "email", "hashed": True, "salt": issued.salt, "identity": issued.recipient_hash
    }  # fmt: skip
    assert document["verification"] == {"type": "HostedBadge"}
    assert issued.recipient_email not in response.content.decode()
    badge = fetch(client, document["badge"], **JSON).json()
    assert [a["targetCode"] for a in badge["alignment"]] == ["LO1", "LO2"]
    assert badge["extensions:EUMicroCredentialExtension"]["ectsCredits"] == 1
    # The same document with the .json suffix, and HTML for a browser.
    suffixed = client.get(f"/public/assertions/{issued.pk}.json")
    assert suffixed.json() == document


def test_a_revoked_assertion_answers_410_with_the_reason(client, issued):
    assertion_revoke(assertion=issued, acting_user=leads_admin(), reason="Issued in error")
    response = fetch(client, f"https://centre.example/public/assertions/{issued.pk}", **JSON)
    assert response.status_code == 410
    assert response.json() == {
        "@context": "https://w3id.org/openbadges/v2",
        "id": f"https://centre.example/public/assertions/{issued.pk}",
        "revoked": True,
        "revocationReason": "Issued in error",
    }


@pytest.mark.parametrize(
    "path",
    [
        "/public/assertions/not-a-uuid",
        "/public/assertions/00000000-0000-0000-0000-000000000000",
        "/public/assertions/00000000-0000-0000-0000-000000000000.json",
        "/public/badges/00000000-0000-0000-0000-000000000000/image",
        "/public/issuers/../../etc/passwd",
    ],
)
def test_unknown_or_malformed_ids_are_404(client, path):
    response = client.get(path, **JSON)
    assert response.status_code == 404
    assert b"Traceback" not in response.content


@pytest.mark.obtools
def test_the_1edtech_validator_accepts_our_hosted_assertion_and_baked_png(
    client, issued, tmp_path, run_in_validator_venv
):
    docs = serve_folder(tmp_path, client, issued)
    for badge in [docs / "assertion.json", docs / "baked.png"]:
        code, report, stderr = validate(run_in_validator_venv, badge, docs, issued.recipient_email)
        assert code == 0, (badge.name, report, stderr)
        assert report["valid"] is True
        assert report["errorCount"] == 0 and report["warningCount"] == 0


@pytest.mark.obtools
def test_the_bakery_unbakes_our_image_to_our_assertion(client, issued, tmp_path,
                                                       run_in_validator_venv):  # fmt: skip
    baked = tmp_path / "baked.png"
    baked.write_bytes(client.get(f"/public/assertions/{issued.pk}/image").content)
    result = run_in_validator_venv(
        "-c",
        "import sys; from openbadges_bakery import unbake; "
        "sys.stdout.write(unbake(open(sys.argv[1], 'rb')) or '')",
        baked,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["id"].endswith(f"/public/assertions/{issued.pk}")
