"""Our OB 3.0 credentials against 1EdTech's published JSON Schemas and JSON-LD safe mode.

The schemas are the shipped copies in ``badges/openbadges/schemas/`` (see its README.md), read
offline through ``badges.openbadges.schemas``. Safe mode uses the offline document loader that
signing uses (shipped contexts plus our EU extension context), so nothing is fetched.
"""

import copy
import re

import pytest
from pyld import jsonld
from referencing.exceptions import NoSuchResource

from accounts.tests.factories import UserFactory
from badges import signing
from badges.models import Assertion
from badges.openbadges import schemas
from badges.openbadges.vc.canonicalize import UnsafeJsonLdError
from badges.openbadges.vc.loader import OfflineDocumentLoader
from evidence.services import (
    HandInFile,
    HandInLink,
    moderation_policy_set,
    submission_hand_in,
    submission_judge,
)
from evidence.tests.factories import all_met, enrolled, offering_with_assessors, pdf, png

from .factories import issued_badge

pytestmark = pytest.mark.django_db
SITE = "https://centre.example"
LD = {"HTTP_ACCEPT": "application/ld+json"}
# Where VC 2.0's optional "undefined terms" context (and drafts of the VC 2.0 context) send every
# term nothing else defines ("@vocab"): such a term is not dropped by expansion but becomes an
# IRI that means nothing to anyone else (VC 2.0 §5.2). The shipped VC 2.0 context has no @vocab,
# so today undefined terms are dropped; the walk below rejects both.
ISSUER_DEPENDENT = "https://www.w3.org/ns/credentials/issuer-dependent#"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


def served_credential(client, assertion) -> dict:
    response = client.get(f"/public/assertions/{assertion.pk}/credential", **LD)
    assert response.status_code == 200, response.content[:300]
    return response.json()


@pytest.fixture
def credential(client):
    return served_credential(client, issued_badge())


@pytest.fixture
def credential_with_evidence(client, django_capture_on_commit_callbacks):
    """A badge issued on a judged hand-in: a shared file, a private file and a shared link,
    which the credential carries as Evidence with ``genre`` and ``audience``."""
    moderation_policy_set(acting_user=UserFactory(is_leads_admin=True), sample_percent=0,
                          every_not_yet=False)  # fmt: skip
    offering, assessor, _ = offering_with_assessors()
    enrollment = enrolled(offering, full_name="Amina Yusuf")
    assessment = offering.course.assessments.get()
    with django_capture_on_commit_callbacks(execute=True):
        submission = submission_hand_in(
            enrollment=enrollment, assessment=assessment, acting_user=enrollment.learner,
            files=[HandInFile(upload=pdf(), title="Five lesson plans", public=True),
                   HandInFile(upload=png(), title="Classroom photo")],
            links=[HandInLink(url="https://video.example/lesson-1", title="Lesson video",
                              public=True)],
            statement="I revised each plan after feedback.",
        )  # fmt: skip
        submission_judge(
            submission=submission,
            acting_user=assessor,
            criteria=all_met(submission),
            result="pass",
            feedback="Clear plans.",
        )
    document = served_credential(client, Assertion.objects.get(enrollment=enrollment))
    assert any("genre" in e and "audience" in e for e in document["evidence"])
    return document


# --- 1EdTech's JSON Schemas ---------------------------------------------------------------------


@pytest.mark.parametrize("name", schemas.names())
def test_every_shipped_schema_is_valid_in_the_draft_it_declares(name):
    schema = schemas.schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2019-09/schema#"
    assert schema["$id"].startswith("https://purl.imsglobal.org/spec/ob/v3p0/schema/")
    schemas.validator(name)  # check_schema raises on an invalid schema


def test_schema_references_resolve_offline_or_not_at_all():
    registry = schemas.registry()
    for name in schemas.names():
        assert registry.contents(schemas.schema(name)["$id"]) == schemas.schema(name)
    with pytest.raises(NoSuchResource, match="example.org"):
        registry.get_or_retrieve("https://example.org/elsewhere.json")


def test_a_credential_passes_the_achievementcredential_schema(credential):
    assert schemas.errors(schemas.ACHIEVEMENT_CREDENTIAL, credential) == []


def test_a_credential_with_evidence_passes_the_achievementcredential_schema(
    credential_with_evidence,
):
    assert schemas.errors(schemas.ACHIEVEMENT_CREDENTIAL, credential_with_evidence) == []


def test_the_schema_is_not_a_rubber_stamp(credential):
    """The schema rejects what OB 3.0 forbids, so the passes above mean something."""
    broken = copy.deepcopy(credential)
    del broken["credentialSubject"]["achievement"]["criteria"]
    broken["validFrom"] = "6 December 2026"
    broken["@context"] = list(reversed(broken["@context"]))
    problems = "\n".join(schemas.errors(schemas.ACHIEVEMENT_CREDENTIAL, broken))
    assert "$.validFrom" in problems and "$['@context']" in problems
    assert "$.credentialSubject" in problems


@pytest.mark.parametrize("with_evidence", [False, True])
def test_a_credential_passes_the_formal_achievementcredential_schema_as_served(
    with_evidence, credential, credential_with_evidence
):
    """The formal schema types ``proof`` as an array of Proof: we serve a proof set of one."""
    document = credential_with_evidence if with_evidence else credential
    assert isinstance(document["proof"], list)
    assert schemas.errors(schemas.ACHIEVEMENT_CREDENTIAL_FORMAL, document) == []


def test_the_api_response_and_profile_schemas_accept_what_we_would_serve(
    credential, credential_with_evidence
):
    """OB 3.0 §6.2.2 getCredentials: a GetOpenBadgeCredentialsResponse carrying our credentials;
    §B.1.17 Profile: our issuer as the credential embeds it. The shipped API schemas are for
    the API tests to come; this only shows they load, resolve and accept our documents."""
    response = {"credential": [credential, credential_with_evidence]}
    assert schemas.errors(schemas.GET_OPEN_BADGE_CREDENTIALS_RESPONSE, response) == []
    assert schemas.errors(schemas.PROFILE, credential["issuer"]) == []
    status = {"imsx_codeMajor": "failure", "imsx_severity": "error"}
    assert schemas.errors(schemas.IMSX_STATUS_INFO, status) == []
    assert schemas.errors(schemas.IMSX_STATUS_INFO, {"imsx_codeMajor": "oops"}) != []


# No status list test: 1EdTech publishes no schema for the BitstringStatusListCredential our
# credentialStatus points to (it is a W3C document, BSL §2.2); the schemas above only say that
# credentialStatus has an id and a type.


# --- JSON-LD safe mode ---------------------------------------------------------------------------


class UndefinedTerm(AssertionError):
    pass


def _absolute_iri(value) -> bool:
    return (
        isinstance(value, str) and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:\S*", value) is not None
    )


def _check_expanded(element, path="$") -> None:
    """Walk expanded JSON-LD: every property is a keyword or an absolute IRI outside the
    issuer-dependent namespace; every ``@type`` and node ``@id`` is an absolute IRI or blank node.
    """
    if isinstance(element, list):
        for i, item in enumerate(element):
            _check_expanded(item, f"{path}[{i}]")
        return
    if not isinstance(element, dict):
        return
    for key, value in element.items():
        if key.startswith("@"):
            # A value's @type (datatype) comes from the contexts, not from us: OB 3.0.3 types
            # awardedDate "xsd:dateTime" with no "xsd" prefix, which stays as written (an
            # absolute IRI with scheme "xsd" to jsonld.js and pyld alike).
            if key == "@type" and "@value" not in element:
                for iri in value if isinstance(value, list) else [value]:
                    if not _absolute_iri(iri) or iri.startswith(ISSUER_DEPENDENT):
                        raise UndefinedTerm(f"{path}: type {iri!r} is not defined")
            if key == "@id" and not _absolute_iri(value):
                raise UndefinedTerm(f"{path}: @id {value!r} is not an absolute IRI")
            if key in ("@graph", "@list", "@set", "@included", "@reverse"):
                _check_expanded(value, f"{path}.{key}")
            continue
        if not _absolute_iri(key) or key.startswith(ISSUER_DEPENDENT):
            raise UndefinedTerm(f"{path}: property {key!r} is not defined by the @context")
        _check_expanded(value, f"{path}.{key}")


def expand_safely(document: dict, loader) -> list:
    """JSON-LD expansion that fails where jsonld.js's ``safeMode`` would, and a bit more.

    pyld 3.3 has no ``safeMode`` option. Its public equivalent is the ``on_property_dropped``
    hook, called for every property expansion ignores (a term no context defines): here it
    raises. Expansion keeps some things that do not mean anything either, so the expanded
    output is then walked (:func:`_check_expanded`): a relative ``@type`` or ``@id`` (which
    toRdf drops) and a property or type that only an ``@vocab`` caught (``issuer-dependent#…``,
    defined by no one) fail too. This is a check of the expanded output, not a compact/expand
    round trip. Contexts come from ``loader`` only.
    """

    def dropped(term):
        raise UndefinedTerm(f"property {term!r} is not defined by the @context")

    expanded = jsonld.expand(
        document, {"documentLoader": loader, "base": None}, on_property_dropped=dropped
    )
    _check_expanded(expanded)
    return expanded


@pytest.fixture
def served_loader(client):
    """The offline loader with every non-shipped context as our site serves it (the EU
    extension): what a verifier gets, and the same document signing registers."""
    loader = OfflineDocumentLoader()

    def with_site_contexts(document):
        for url in document["@context"]:
            if url.startswith(SITE):
                served = client.get(url.removeprefix(SITE)).json()
                assert served == signing.document_loader().load(url)
                if url not in loader:
                    loader.register(url, served)
        return loader

    return with_site_contexts


@pytest.mark.parametrize("with_evidence", [False, True])
def test_a_credential_expands_in_safe_mode_with_every_term_defined(
    with_evidence, credential, credential_with_evidence, served_loader
):
    document = credential_with_evidence if with_evidence else credential
    assert any(url.startswith(SITE) for url in document["@context"])  # the EU extension
    expanded = expand_safely(document, served_loader(document))
    text = str(expanded)
    assert "ectsCredits" in text  # our extension survived expansion, as IRIs
    if with_evidence:
        # OB 3.0.3's Evidence context maps both to schema.org.
        assert "https://schema.org/genre" in text and "https://schema.org/audience" in text
    # The project's own safe mode, which decides what a signature covers, agrees.
    signing.canonicalizer().to_dataset(document)


def _add(document, where, key, value):
    node = document
    for step in where:
        node = node[step]
    node[key] = value


UNDEFINED = [
    pytest.param((), "favouriteColour", "blue", id="top-level"),
    pytest.param(("credentialSubject", "achievement"), "level", "advanced", id="achievement"),
    pytest.param(("evidence", 1), "grade", "A", id="evidence"),
    pytest.param(
        ("credentialSubject", "achievement", "euMicroCredential"),
        "ectsGrade",
        "A",
        id="eu-extension",
    ),  # fmt: skip
    pytest.param(("evidence", 1), "type", ["Evidence", "Portfolio"], id="undefined-type"),
]


@pytest.mark.parametrize(("where", "key", "value"), UNDEFINED)
def test_an_undefined_property_fails_safe_mode(
    where, key, value, credential_with_evidence, served_loader
):
    document = copy.deepcopy(credential_with_evidence)
    _add(document, where, key, value)
    with pytest.raises(UndefinedTerm):
        expand_safely(document, served_loader(document))
    with pytest.raises(UnsafeJsonLdError):
        signing.canonicalizer().to_dataset(document)
