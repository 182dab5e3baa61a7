"""The public Open Badges 3.0 URLs, and what an independent verifier makes of what they serve.

Everything handed to the JavaScript verifier (tools/vc-verifier: Digital Bazaar's stack, offline)
is fetched through our own views: the credential, the issuer's controller document and our
extension context, exactly as a verifier on the internet would get them.
"""

import json

import pytest
from django.core.files.base import ContentFile

from badges import identifiers, services, signing
from badges.openbadges import baking
from badges.services import assertion_issue, assertion_revoke
from badges.tests.verifying import credential_report, jwt_report
from courses.tests.factories import leads_admin

from .test_credentials import credential_of, issue_one
from .test_keys import assert_no_secret
from .test_services import cohort, complete

pytestmark = pytest.mark.django_db

SITE = "https://centre.example"
LD = {"HTTP_ACCEPT": "application/ld+json"}


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def issued():
    return issue_one()


def fetch(client, url, **headers):
    assert url.startswith(SITE), url
    return client.get(url.removeprefix(SITE), **headers)


def served(client, assertion):
    """(credential, controller document, {context url: context}) as our views serve them."""
    credential = fetch(client, identifiers.credential_url(assertion.pk), **LD).json()
    controller = fetch(client, credential["issuer"]["id"], **LD).json()
    contexts = {
        url: fetch(client, url).json()
        for url in credential["@context"]
        if url.startswith(SITE)  # ours; the others ship with the verifier's npm packages
    }
    return credential, controller, contexts


# --- /public/assertions/<id>/credential -----------------------------------------------------------


def test_the_credential_is_served_as_signed(client, issued):
    url = f"/public/assertions/{issued.pk}/credential"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+ld+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.content.decode() == issued.credential_json
    assert client.get(url, **LD)["Content-Type"] == "application/ld+json"
    assert client.get(url, HTTP_ACCEPT="application/json")["Content-Type"] == "application/json"
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_the_credential_as_a_vc_jwt(client, issued):
    url = f"/public/assertions/{issued.pk}/credential"
    for response in (
        client.get(url, {"format": "jwt"}),
        client.get(url, HTTP_ACCEPT="application/vc+jwt"),
    ):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/vc+jwt"
        assert response.content.decode() == issued.credential_jwt
    assert jwt_report(issued.credential_jwt).verified


def test_a_revoked_badge_keeps_its_credential_and_its_list_says_revoked(
    client, issued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assertion_revoke(assertion=issued, acting_user=leads_admin(), reason="Issued in error")
    response = client.get(f"/public/assertions/{issued.pk}/credential")
    assert response.status_code == 200
    status_list = fetch(client, credential_of(issued)["credentialStatus"]["statusListCredential"])
    from badges.openbadges.vc.status_list import BitstringStatusList

    bits = BitstringStatusList.decode(status_list.json()["credentialSubject"]["encodedList"])
    assert bits.get(issued.status_index) == 1


@pytest.mark.parametrize(
    "path",
    [
        "/public/assertions/00000000-0000-0000-0000-000000000000/credential",
        "/public/assertions/00000000-0000-0000-0000-000000000000/credential/image",
        "/public/assertions/not-a-uuid/credential",
        "/public/issuers/00000000-0000-0000-0000-000000000000/keys",
        "/public/status/00000000-0000-0000-0000-000000000000",
    ],
)
def test_unknown_ids_are_404(client, path):
    assert client.get(path).status_code == 404


def test_a_badge_issued_before_ob3_signing_has_no_credential_yet(client, issued):
    from badges.models import Assertion

    Assertion.objects.filter(pk=issued.pk).update(credential_json="", credential_jwt="")
    assert client.get(f"/public/assertions/{issued.pk}/credential").status_code == 404


# --- The independent verifier ---------------------------------------------------------------------

vcjs = pytest.mark.vcjs


@vcjs
def test_the_js_verifier_verifies_what_we_serve(client, issued, js_verify):
    credential, controller, contexts = served(client, issued)
    assert controller["id"] == credential["issuer"]["id"]  # the key's controller is the issuer
    result = js_verify(credential, controllers=[controller], contexts=contexts)
    assert result["verified"], result["errors"]


@vcjs
@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: c["credentialSubject"]["achievement"].update(name="Brain Surgery"),
        lambda c: c["credentialSubject"]["identifier"][0].update(identityHash="sha256$" + "0" * 64),
        lambda c: c.update(validUntil="2099-01-01T00:00:00Z"),
        lambda c: c["credentialSubject"]["achievement"]["euMicroCredential"].update(eqfLevel=8),
    ],
    ids=["name", "recipient", "validUntil", "eu-extension"],
)
def test_the_js_verifier_rejects_a_tampered_credential(client, issued, js_verify, tamper):
    credential, controller, contexts = served(client, issued)
    tamper(credential)
    result = js_verify(credential, controllers=[controller], contexts=contexts)
    assert not result["verified"]
    assert any("Invalid signature" in e["message"] for e in result["errors"]), result["errors"]


@vcjs
def test_the_js_verifier_rejects_an_added_undefined_term(client, issued, js_verify):
    credential, controller, contexts = served(client, issued)
    credential["credentialSubject"]["achievement"]["euMicroCredential"]["grade"] = "A+"
    result = js_verify(credential, controllers=[controller], contexts=contexts)
    assert not result["verified"]
    assert any("Safe mode" in e["message"] for e in result["errors"]), result["errors"]


@vcjs
def test_the_js_verifier_follows_rotation_and_compromise(client, issued, js_verify):
    from badges import keys

    keys.signing_key_rotate(issuer=issued.badge_class.issuer, acting_user=None)
    later = issue_one()
    for assertion in (issued, later):
        credential, controller, contexts = served(client, assertion)
        result = js_verify(credential, controllers=[controller], contexts=contexts)
        assert result["verified"], result["errors"]
    services.signing_key_compromise(
        signing_key=issued.signing_key, reason="Leaked", acting_user=None
    )
    credential, controller, contexts = served(client, issued)
    assert not js_verify(credential, controllers=[controller], contexts=contexts)["verified"]


@vcjs
def test_the_js_verifier_verifies_the_status_list_credential(client, issued, js_verify):
    entry = credential_of(issued)["credentialStatus"]
    status_list = fetch(client, entry["statusListCredential"]).json()
    controller = fetch(client, status_list["issuer"], **LD).json()
    result = js_verify(status_list, controllers=[controller])
    assert result["verified"], result["errors"]


# --- The issuer's keys ----------------------------------------------------------------------------


def test_the_controller_document_publishes_the_issuers_keys(client, issued):
    issuer_id = issued.badge_class.issuer_id
    response = client.get(f"/public/issuers/{issuer_id}/keys")
    assert response.status_code == 200 and response["Content-Type"] == "application/ld+json"
    document = response.json()
    controller = f"{SITE}/public/issuers/{issuer_id}/keys"
    assert document["@context"][0] == "https://www.w3.org/ns/did/v1"
    assert document["id"] == controller
    assert document["alsoKnownAs"] == [f"{SITE}/public/issuers/{issuer_id}"]
    (method,) = document["verificationMethod"]
    assert method == {
        "id": f"{controller}#{issued.signing_key.fragment}",
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": issued.signing_key.public_key_multibase,
    }
    assert document["assertionMethod"] == [method["id"]]


def test_the_ob2_issuer_profile_is_unchanged(client, issued):
    """OB 2.0 validators read /public/issuers/<id> with a JSON-LD 1.0 processor, which cannot
    load the DID context a controller document needs: the keys live at /keys instead."""
    document = client.get(f"/public/issuers/{issued.badge_class.issuer_id}", **LD).json()
    assert document["@context"] == "https://w3id.org/openbadges/v2"
    assert document["type"] == "Issuer"
    assert "verificationMethod" not in document


@pytest.mark.obtools
def test_why_the_keys_are_not_in_the_ob2_profile(client, issued, tmp_path, run_in_validator_venv):
    """The 1EdTech OB 2.0 validator accepts our profile as it is, and refuses it the moment it
    becomes a controller document (the DID context's @protected is JSON-LD 1.1)."""
    from badges.openbadges.vc.contexts import bundled_context

    from .test_conformance import serve_folder, validate

    docs = serve_folder(tmp_path, client, issued)
    email = issued.recipient_email
    assert validate(run_in_validator_venv, docs / "assertion.json", docs, email)[0] == 0
    issuer = json.loads((docs / "issuer.json").read_text())
    controller = client.get(f"/public/issuers/{issued.badge_class.issuer_id}/keys").json()
    issuer["@context"] = [*controller["@context"], issuer["@context"]]
    issuer["verificationMethod"] = controller["verificationMethod"]
    issuer["assertionMethod"] = controller["assertionMethod"]
    (docs / "issuer.json").write_text(json.dumps(issuer))
    manifest = json.loads((docs / "manifest.json").read_text())
    for n, url in enumerate(controller["@context"]):
        (docs / f"context-{n}.jsonld").write_text(json.dumps(bundled_context(url)))
        manifest[url] = f"context-{n}.jsonld"
    (docs / "manifest.json").write_text(json.dumps(manifest))
    code, report, _ = validate(run_in_validator_venv, docs / "assertion.json", docs, email)
    assert code == 1 and not report["valid"]
    assert any(m["name"] == "JSONLD_COMPACT_DATA" for m in report["messages"]), report


def test_our_extension_context_is_served_and_is_what_the_loader_uses(client):
    response = client.get("/public/contexts/eu-microcredential-ob3-v1.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/ld+json"
    context = response.json()
    assert context == signing.eu_context_document()
    assert context["@context"]["@protected"] is True and context["@context"]["@version"] == 1.1
    url = f"{SITE}/public/contexts/eu-microcredential-ob3-v1.json"
    assert signing.document_loader().load(url) == context


# --- Baked ------------------------------------------------------------------------------------


def test_the_baked_png_holds_the_signed_credential(client, issued):
    response = client.get(f"/public/assertions/{issued.pk}/credential/image")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    text = baking.unbake_png(response.content, fmt=baking.OB3)
    assert text == issued.credential_json
    assert credential_report(json.loads(text)).verified
    with pytest.raises(baking.NoBadgeError):  # and no OB 2.0 assertion under the OB 3.0 path
        baking.unbake_png(response.content)
    download = client.get(f"/public/assertions/{issued.pk}/credential/image", {"download": 1})
    assert download["Content-Disposition"].endswith('-ob3.png"')


def test_the_baked_svg_holds_the_signed_credential(client):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>'
    admin, instructor, plan, _, badge, (first, second) = cohort()
    badge.image.save("badge.svg", ContentFile(svg))  # the design's image, before issue
    complete(first, plan, instructor)
    issued, _ = assertion_issue(enrollment=first)
    response = client.get(f"/public/assertions/{issued.pk}/credential/image")
    assert response["Content-Type"] == "image/svg+xml"
    verify, body = baking.read_svg_badge(response.content, fmt=baking.OB3)
    assert verify == identifiers.credential_url(issued.pk)
    assert body == issued.credential_json


# --- Nothing secret -----------------------------------------------------------------------------


def test_no_served_document_holds_private_key_material(client, issued):
    entry = credential_of(issued)["credentialStatus"]
    urls = [
        f"/public/assertions/{issued.pk}/credential",
        f"/public/assertions/{issued.pk}/credential?format=jwt",
        f"/public/assertions/{issued.pk}/credential/image",
        f"/public/issuers/{issued.badge_class.issuer_id}/keys",
        f"/public/issuers/{issued.badge_class.issuer_id}",
        entry["statusListCredential"].removeprefix(SITE),
        f"/public/assertions/{issued.pk}",
    ]
    for url in urls:
        response = client.get(url, **LD)
        assert response.status_code == 200, url
        assert_no_secret(response.content.decode("latin-1"), issued.signing_key)
