"""The learner's record as a CLR 2.0 ClrCredential: 1EdTech's published schema, the independent
verifier (tools/vc-verifier: Digital Bazaar's stack, offline), what is in it, and the pages.

Badges are issued by the services (factories.issued_badge, pathways.pathway_badge_issue); the
issuer's controller document and our extension context are fetched through our own views, as a
verifier on the internet would get them. The CLR 2.0 context is the shipped copy of 1EdTech's
(badges/openbadges/clr_v2p0/), given to the verifier on its command line.
"""

import hashlib
import json
from datetime import timedelta

import pytest
import referencing
import referencing.exceptions
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from jsonschema.validators import validator_for

from accounts.tests.factories import UserFactory
from badges import clr, identifiers
from badges.openbadges import clr as clr_model
from badges.openbadges import schemas
from badges.openbadges.vc import eddsa_rdfc_2022
from badges.pathways import pathway_badge_issue, pathway_publish, pathway_save
from courses.tests.factories import leads_admin

from .factories import issued_badge, revoked_badge

pytestmark = pytest.mark.django_db

SITE = "https://centre.example"
LD = {"HTTP_ACCEPT": "application/ld+json"}
LEARNER_EMAIL = "amina.yusuf@learners.example"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def learner():
    return UserFactory(is_learner=True, full_name="Amina Yusuf", email=LEARNER_EMAIL)


@pytest.fixture
def record_of(learner):
    """The learner's two course badges, a third one revoked, and the pathway badge that stands
    on the two, issued by the lead's service as the Celery task would."""
    python = issued_badge(learner=learner, title="Data Analytics with Python")
    statistics = issued_badge(learner=learner, title="Statistics for Researchers")
    revoked = revoked_badge(learner=learner, title="Research Ethics")
    admin = leads_admin()
    pathway = pathway_save(
        acting_user=admin,
        name="Applied Data Science",
        description="Analyse research data with Python and sound statistics.",
        rule="all",
        count=0,
        badge_ids=[python.badge_class_id, statistics.badge_class_id],
        eqf_level=6,
    )
    pathway_publish(pathway=pathway, acting_user=admin)
    pathway_badge, created = pathway_badge_issue(pathway=pathway, learner=learner)
    assert created and pathway_badge.credential_json
    return {
        "python": python,
        "statistics": statistics,
        "revoked": revoked,
        "pathway": pathway_badge,
    }


def signed_record(learner, **kwargs) -> dict:
    text = clr.learner_record(learner, **kwargs)
    assert text is not None
    return json.loads(text)


def achievement_id(assertion) -> str:
    return json.loads(assertion.credential_json)["credentialSubject"]["achievement"]["id"]


def fetch(client, url, **headers):
    assert url.startswith(SITE), url
    return client.get(url.removeprefix(SITE), **headers)


def offline_documents(client, document) -> tuple[list, dict]:
    """(controller documents, {context url: context}) a verifier needs beyond its npm packages:
    the issuer's keys and our EU context from our views, and the shipped CLR 2.0 context."""
    controller = fetch(client, document["issuer"]["id"], **LD).json()
    contexts = {clr_model.CLR_V2P0_CONTEXT: clr_model.context_document()}
    for url in document["@context"]:
        if url.startswith(SITE):
            contexts[url] = fetch(client, url).json()
    return [controller], contexts


# --- 1EdTech's published JSON Schema --------------------------------------------------------------


def clr_schema_errors(instance) -> list[str]:
    schema = clr_model.credential_schema()
    cls = validator_for(schema)
    cls.check_schema(schema)

    def refuse(uri):
        raise referencing.exceptions.NoSuchResource(ref=uri)  # nothing is fetched

    registry = referencing.Registry(retrieve=refuse).with_resource(
        schema["$id"], referencing.Resource.from_contents(schema)
    )
    # The same RFC 3339 "date-time" check as the OB 3.0 schema tests.
    validator = cls(schema, registry=registry, format_checker=schemas._format_checker())
    return [f"{e.json_path}: {e.message[:300]}" for e in validator.iter_errors(instance)]


def test_the_shipped_schema_and_context_are_the_copies_the_readme_names():
    readme = (clr_model.FILES_DIR / "README.md").read_text(encoding="utf-8")
    for path in (clr_model.CLR_CREDENTIAL_SCHEMA_FILE, clr_model.CLR_V2P0_CONTEXT_FILE):
        assert hashlib.sha256(path.read_bytes()).hexdigest() in readme, path.name
    assert clr_model.credential_schema()["$id"] == (
        "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
    )


def test_the_record_validates_against_the_published_clr_schema(learner, record_of):
    record = signed_record(learner)
    assert clr_schema_errors(record) == []
    # The schema does check: without its credentials the record is no ClrCredential.
    broken = {**record, "credentialSubject": {"type": ["ClrSubject"]}}
    assert any("verifiableCredential" in e for e in clr_schema_errors(broken))


# --- What the record holds ------------------------------------------------------------------------


def test_the_record_holds_every_badge_not_revoked_each_as_it_was_signed(learner, record_of):
    record = signed_record(learner)
    assert record["type"] == ["VerifiableCredential", "ClrCredential"]
    assert record["@context"][:3] == list(clr_model.CLR_CREDENTIAL_CONTEXT)
    assert record["partial"] is False
    subject = record["credentialSubject"]
    embedded = subject["verifiableCredential"]
    held = [record_of[k] for k in ("python", "statistics", "pathway")]
    # Embedded exactly as signed (and stored), oldest first; the revoked badge is not there.
    assert embedded == [json.loads(a.credential_json) for a in held]
    ids = {c["id"] for c in embedded}
    assert identifiers.credential_url(record_of["revoked"].pk) not in ids
    assert achievement_id(record_of["revoked"]) not in {a["id"] for a in subject["achievement"]}
    # Every achievement of the record, course and pathway badges alike, with its results in
    # its credential.
    assert [a["id"] for a in subject["achievement"]] == [achievement_id(a) for a in held]
    for credential in embedded[:2]:
        assert [r["value"] for r in credential["credentialSubject"]["result"]] == [
            "pass",
            "pass",
        ]


def test_a_pathway_badge_is_the_parent_of_the_badges_it_stands_on(learner, record_of):
    subject = signed_record(learner)["credentialSubject"]
    pathway = achievement_id(record_of["pathway"])
    assert subject["association"] == [
        {
            "type": "Association",
            "associationType": "isParentOf",
            "sourceId": pathway,
            "targetId": achievement_id(record_of[name]),
        }
        for name in ("python", "statistics")
    ]


def test_a_component_revoked_since_leaves_the_record_with_its_association(learner, record_of):
    """The centre kept the pathway badge standing: it stays, the revoked component goes."""
    from badges.services import KEEP_DEPENDENTS, assertion_revoke

    assertion_revoke(
        assertion=record_of["statistics"],
        acting_user=leads_admin(),
        reason="Plagiarised final project",
        dependents=KEEP_DEPENDENTS,
    )
    subject = signed_record(learner)["credentialSubject"]
    assert [(a["sourceId"], a["targetId"]) for a in subject["association"]] == [
        (achievement_id(record_of["pathway"]), achievement_id(record_of["python"]))
    ]
    assert achievement_id(record_of["statistics"]) not in {a["id"] for a in subject["achievement"]}


def test_an_expired_badge_stays_in_the_record(learner, record_of):
    later = record_of["python"].expires_on + timedelta(days=1)
    record = signed_record(learner, now=later)
    embedded = record["credentialSubject"]["verifiableCredential"]
    assert identifiers.credential_url(record_of["python"].pk) in {c["id"] for c in embedded}
    assert record["validFrom"] > embedded[0]["validUntil"]  # its own validUntil says so


def test_the_learner_is_a_salted_hash_of_their_email_never_the_address(learner, record_of):
    text = clr.learner_record(learner)
    assert LEARNER_EMAIL not in text and "Amina" not in text
    (identity,) = json.loads(text)["credentialSubject"]["identifier"]
    digest = hashlib.sha256((LEARNER_EMAIL + identity["salt"]).encode()).hexdigest()
    assert identity == {
        "type": "IdentityObject",
        "identityHash": f"sha256${digest}",
        "identityType": "emailAddress",
        "hashed": True,
        "salt": identity["salt"],
    }


def test_an_empty_record_is_none(learner):
    revoked_badge(learner=learner)
    assert clr.learner_record(learner) is None


def test_an_association_must_join_two_achievements_of_the_record(learner, record_of):
    contents = clr.record_contents(learner)
    data = clr.record_data(learner, contents, issuer=record_of["python"].badge_class.issuer,
                           now=timezone.now())  # fmt: skip
    stray = clr_model.AssociationData(
        source_id=achievement_id(record_of["pathway"]),
        target_id=achievement_id(record_of["revoked"]),
    )
    with pytest.raises(clr_model.ClrCompositionError, match="both achievements"):
        clr_model.clr_credential(clr_model.ClrData(**{**data.__dict__, "associations": (stray,)}))


def test_building_the_record_costs_the_same_queries_for_more_badges(learner, record_of):
    with CaptureQueriesContext(connection) as few:
        clr.learner_record(learner)
    issued_badge(learner=learner, title="Qualitative Methods")
    issued_badge(learner=learner, title="Survey Design")
    with CaptureQueriesContext(connection) as more:
        clr.learner_record(learner)
    assert len(few.captured_queries) > 0
    assert len(more.captured_queries) == len(few.captured_queries)


# --- Signed like our badges, checked by code we did not write -------------------------------------


def test_python_verifies_the_record_with_the_published_key(learner, record_of):
    record = signed_record(learner)
    clr.document_loader()
    controller = clr.signing.controller_document(record_of["python"].badge_class.issuer_id)
    result = eddsa_rdfc_2022.verify_credential(record, controllers={controller["id"]: controller})
    assert result.verified, result.errors
    assert len(record["proof"]) == 1  # one signature


def test_the_js_verifier_verifies_the_record_and_each_credential_in_it(
    client, learner, record_of, js_verify
):
    record = signed_record(learner)
    controllers, contexts = offline_documents(client, record)
    result = js_verify(record, controllers=controllers, contexts=contexts)
    assert result["verified"], result["errors"]
    for credential in record["credentialSubject"]["verifiableCredential"]:
        controllers, contexts = offline_documents(client, credential)
        result = js_verify(credential, controllers=controllers, contexts=contexts)
        assert result["verified"], (credential["id"], result["errors"])


@pytest.mark.parametrize(
    "old, new",
    [
        ('"name":"Comprehensive Learner Record', '"name":"Comprehensive Learner Recorb'),
        # Inside an embedded credential: a learning outcome's result.
        ('"value":"pass"', '"value":"pasS"'),
        # The pathway's association to one of its components.
        ('"associationType":"isParentOf"', '"associationType":"isParentOF"'),
    ],
)
def test_one_character_changed_and_the_record_no_longer_verifies(
    client, learner, record_of, js_verify, old, new
):
    text = clr.learner_record(learner)
    assert text.count(old) >= 1
    tampered = json.loads(text.replace(old, new, 1))
    controllers, contexts = offline_documents(client, tampered)
    result = js_verify(tampered, controllers=controllers, contexts=contexts)
    assert not result["verified"]
    controller = controllers[0]
    assert not eddsa_rdfc_2022.verify_credential(
        tampered, controllers={controller["id"]: controller}
    ).verified


# --- The learner's pages --------------------------------------------------------------------------


def test_the_pages_need_a_signed_in_person(client):
    for url in ("/learn/record/", "/learn/record/clr.json"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/sign-in/"), url


def test_the_page_shows_what_the_record_holds_and_offers_the_download(client, learner, record_of):
    client.force_login(learner)
    page = client.get("/learn/record/").content.decode()
    for name in (
        "Data Analytics with Python",
        "Statistics for Researchers",
        "Applied Data Science",
    ):
        assert name in page
    assert "Research Ethics" not in page  # revoked: not in the record
    assert 'href="/learn/record/clr.json"' in page
    assert "1 revoked badge" in page


def test_the_download_is_a_signed_clr_attachment(client, learner, record_of):
    client.force_login(learner)
    response = client.get("/learn/record/clr.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+ld+json"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="learner-record-{today}.json"'
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    record = json.loads(response.content)
    assert record["type"] == ["VerifiableCredential", "ClrCredential"]
    assert clr_schema_errors(record) == []


def test_another_learner_gets_only_their_own_record(client, learner, record_of):
    other = UserFactory(is_learner=True, full_name="Bilal Khan")
    theirs = issued_badge(learner=other, title="Teaching Online")
    client.force_login(other)
    page = client.get("/learn/record/").content.decode()
    assert "Teaching Online" in page and "Data Analytics with Python" not in page
    record = json.loads(client.get("/learn/record/clr.json").content)
    ids = {c["id"] for c in record["credentialSubject"]["verifiableCredential"]}
    assert ids == {identifiers.credential_url(theirs.pk)}


def test_an_empty_record_says_so_and_offers_no_download(client):
    nobody = UserFactory(is_learner=True)
    client.force_login(nobody)
    page = client.get("/learn/record/").content.decode()
    assert "Your record is empty" in page
    assert "clr.json" not in page
    assert client.get("/learn/record/clr.json").status_code == 404


def test_the_backpack_links_to_the_record(client, learner, record_of):
    client.force_login(learner)
    assert 'href="/learn/record/"' in client.get("/learn/badges/").content.decode()
