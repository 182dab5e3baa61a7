"""Pathways: the LEADS team defines one, learners' badges stack into its badge, which says what
it stands on, and revoking a component never silently leaves it standing."""

import json

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.tests.factories import UserFactory
from badges import pathways
from badges.models import Assertion, Pathway
from badges.pathways import PathwayRefused, pathway_publish, pathway_save
from badges.services import DependentsUndecided, assertion_revoke
from courses.services import course_retire
from courses.tests.factories import leads_admin

from .factories import badge_course, issued_badge

pytestmark = pytest.mark.django_db


@pytest.fixture
def setups():
    return [badge_course(title=title) for title in ("Statistics", "Python", "Visualisation")]


def define(setups, *, rule="all", count=0, required=(), publish=True, **fields):
    badges = [setup[4] for setup in setups]
    pathway = pathway_save(
        acting_user=leads_admin(),
        name=fields.get("name", "Data Analyst"),
        description="Three courses that together make a junior data analyst.",
        rule=rule,
        count=count,
        eqf_level=fields.get("eqf_level", 5),
        badge_ids=[b.pk for b in badges],
        required_ids=[badges[i].pk for i in required],
    )
    if publish:
        pathway = pathway_publish(pathway=pathway, acting_user=leads_admin())
    return pathway


@pytest.fixture
def earn(django_capture_on_commit_callbacks):
    """Issue course badges as completion does, then run what their issuance owes after its
    commit (the pathway check a worker would run)."""

    def issue(setups, learner, *indexes):
        with django_capture_on_commit_callbacks(execute=True):
            return [issued_badge(learner=learner, course_setup=setups[i]) for i in indexes]

    return issue


def pathway_badge(pathway, learner):
    return Assertion.objects.filter(pathway=pathway, recipient=learner).first()


def test_the_pathway_badge_is_issued_with_the_last_badge_it_needs(setups, earn):
    pathway = define(setups)
    learner = UserFactory(is_learner=True, full_name="Amina Yusuf")
    earn(setups, learner, 0, 1)
    assert pathway_badge(pathway, learner) is None, "two of three badges earn nothing yet"
    components = earn(setups, learner, 2)
    components = list(Assertion.objects.filter(recipient=learner, enrollment__isnull=False))
    badge = pathway_badge(pathway, learner)
    assert badge is not None, "the third badge completes the pathway (tasks run inline in tests)"
    assert set(badge.components.all()) == set(components)
    assert badge.badge_version.ects_credits == sum(c.badge_version.ects_credits for c in components)
    assert badge.badge_version.eqf_level == 5
    assert "Statistics" in badge.narrative and "Data Analyst" in badge.narrative


def test_its_credential_lists_the_badges_it_stands_on_and_is_signed(setups, client, earn):
    pathway = define(setups)
    learner = UserFactory(is_learner=True)
    components = earn(setups, learner, 0, 1, 2)
    badge = pathway_badge(pathway, learner)
    credential = json.loads(badge.credential_json)
    evidence = credential["evidence"]
    assert {e["id"] for e in evidence} == {
        settings.SITE_URL + reverse("badges:assertion", args=[c.pk]) for c in components
    }
    assert all(e["genre"] == "Micro-credential" for e in evidence)
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["criteria"]["id"].endswith(f"/pathways/{pathway.pk}/")
    assert "stacking 3 micro-credentials" in credential["credentialSubject"]["narrative"]
    from badges.tests.verifying import credential_report

    assert credential_report(credential).verdict == "valid"


def test_the_pathway_badge_page_names_the_pathway_and_its_components(setups, client, earn):
    pathway = define(setups)
    learner = UserFactory(is_learner=True)
    earn(setups, learner, 0, 1, 2)
    page = client.get(
        reverse("badges:assertion", args=[pathway_badge(pathway, learner).pk]),
        HTTP_ACCEPT="text/html",
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "Data Analyst" in text and "A pathway badge" in text
    assert text.count("Micro-credential of the pathway") == 3
    assert reverse("badges:pathway", args=[pathway.pk]) in text


def test_any_n_and_required_plus_n(setups, earn):
    any_two = define(setups, rule="any", count=2, name="Any two")
    required = define(setups, rule="required_plus", count=1, required=[0], name="Stats plus one")
    learner = UserFactory(is_learner=True)
    earn(setups, learner, 1, 2)
    assert pathway_badge(any_two, learner) is not None
    assert pathway_badge(required, learner) is None, "the required Statistics badge is missing"
    earn(setups, learner, 0)
    assert pathway_badge(required, learner) is not None


def test_a_revoked_badge_does_not_count(setups, earn):
    pathway = define(setups)
    learner = UserFactory(is_learner=True)
    first, *_ = earn(setups, learner, 0, 1)
    assertion_revoke(assertion=first, acting_user=leads_admin(), reason="Issued in error")
    earn(setups, learner, 2)
    assert pathway_badge(pathway, learner) is None
    assert pathways.pathway_badges_award() == 0, "the sweep agrees"


def test_issuing_twice_issues_once(setups, earn):
    pathway = define(setups)
    learner = UserFactory(is_learner=True)
    earn(setups, learner, 0, 1, 2)
    first = pathway_badge(pathway, learner)
    again, created = pathways.pathway_badge_issue(pathway=pathway, learner=learner)
    assert (again, created) == (first, False)
    assert pathways.pathway_badges_award() == 0
    assert Assertion.objects.filter(pathway=pathway).count() == 1


def test_publishing_awards_those_who_already_hold_what_it_asks(
    setups, earn, django_capture_on_commit_callbacks
):
    learner = UserFactory(is_learner=True)
    earn(setups, learner, 0, 1, 2)
    pathway = define(setups, publish=False)
    assert pathway_badge(pathway, learner) is None, "an unpublished pathway issues nothing"
    with django_capture_on_commit_callbacks(execute=True):
        pathway_publish(pathway=pathway, acting_user=leads_admin())
    assert pathway_badge(pathway, learner) is not None


def test_revoking_a_component_asks_the_centre_what_becomes_of_the_pathway_badge(setups, earn):
    pathway = define(setups)
    learner = UserFactory(is_learner=True)
    first, *_ = earn(setups, learner, 0, 1, 2)
    standing = pathway_badge(pathway, learner)
    with pytest.raises(DependentsUndecided) as refused:
        assertion_revoke(assertion=first, acting_user=leads_admin(), reason="Plagiarism")
    assert refused.value.dependents == [standing]
    first.refresh_from_db()
    assert first.revoked_at is None, "nothing is revoked until the centre decides"
    assertion_revoke(
        assertion=first, acting_user=leads_admin(), reason="Plagiarism", dependents="revoke"
    )
    standing.refresh_from_db()
    assert standing.revoked_at is not None
    assert "Plagiarism" in standing.revocation_reason and "stands on" in standing.revocation_reason
    assert pathways.pathway_badges_award() == 0, "a revoked pathway badge is never re-issued"


def test_keeping_the_pathway_badge_is_a_recorded_decision(setups, earn):
    from accounts.models import AuditEntry

    pathway = define(setups)
    learner = UserFactory(is_learner=True)
    first, *_ = earn(setups, learner, 0, 1, 2)
    standing = pathway_badge(pathway, learner)
    assertion_revoke(
        assertion=first, acting_user=leads_admin(), reason="Wrong name", dependents="keep"
    )
    standing.refresh_from_db()
    assert standing.revoked_at is None
    assert AuditEntry.objects.filter(action="assertion.kept_standing").count() == 1


def test_the_revoke_page_shows_what_stands_on_the_badge_and_requires_a_decision(
    setups, client, earn
):
    pathway = define(setups)
    learner = UserFactory(is_learner=True)
    first, *_ = earn(setups, learner, 0, 1, 2)
    client.force_login(leads_admin())
    url = reverse("badge_admin:revoke", args=[first.pk])
    page = client.get(url)
    assert "Pathway badges stand on this badge" in page.content.decode()
    refused = client.post(url, {"reason": "Plagiarism"})
    assert refused.status_code == 400
    assert "revoked too or kept" in refused.content.decode()
    first.refresh_from_db()
    assert first.revoked_at is None
    client.post(url, {"reason": "Plagiarism", "dependents": "revoke"})
    assert pathway_badge(pathway, learner).revoked_at is not None


def test_only_published_courses_badges_can_be_stacked(setups):
    course = setups[2][0]
    course_retire(course=course, acting_user=leads_admin(), comment="Replaced")
    with pytest.raises(PathwayRefused) as refused:
        define(setups)
    assert [p.code for p in refused.value.problems] == ["not_published"]
    assert not Pathway.objects.exists()


def test_the_leads_team_defines_a_pathway_through_the_form(setups, client):
    client.force_login(leads_admin())
    badges = [s[4] for s in setups]
    wrong = client.post(
        reverse("badge_admin:pathway_new"),
        {"name": "Analyst", "description": "Data", "rule": "any", "count": "5",
         "badges": [b.pk for b in badges]},
    )  # fmt: skip
    assert wrong.status_code == 400
    assert "N must be between 1 and the number of badges (3)" in wrong.content.decode()
    assert not Pathway.objects.exists()
    saved = client.post(
        reverse("badge_admin:pathway_new"),
        {"name": "Analyst", "description": "Data", "rule": "required_plus", "count": "1",
         "badges": [b.pk for b in badges], "required": [badges[0].pk], "eqf_level": "5"},
    )  # fmt: skip
    pathway = Pathway.objects.get()
    assert saved.status_code == 302
    assert pathway.components.filter(required=True).get().badge_class == badges[0]
    assert pathway.badge_class.ects_credits == badges[0].ects_credits + badges[1].ects_credits
    client.post(reverse("badge_admin:pathway_publish", args=[pathway.pk]), {"publish": "1"})
    pathway.refresh_from_db()
    assert pathway.published
    catalogue = client.get(reverse("badges:pathways")).content.decode()
    assert "Analyst" in catalogue and "Statistics" in catalogue


def test_the_learner_sees_their_progress(setups, client, earn):
    define(setups, name="Data Analyst")
    learner = UserFactory(is_learner=True)
    earn(setups, learner, 0)
    client.force_login(learner)
    page = client.get(reverse("badges:my_pathways")).content.decode()
    assert "Data Analyst" in page and "1 badge counts so far" in page
    other = UserFactory(is_learner=True)
    client.force_login(other)
    assert (
        "None of your badges counts towards a pathway"
        in client.get(reverse("badges:my_pathways")).content.decode()
    )


def test_an_unpublished_pathway_is_not_in_the_catalogue(setups, client):
    pathway = define(setups, publish=False)
    assert client.get(reverse("badges:pathway", args=[pathway.pk])).status_code == 404
    assert "Data Analyst" not in client.get(reverse("badges:pathways")).content.decode()


@pytest.mark.vcjs
def test_the_independent_verifier_accepts_the_pathway_credential(
    setups, client, earn, js_verify, settings
):
    from .test_credential_views import SITE, served

    settings.SITE_URL = SITE

    pathway = define(setups)
    learner = UserFactory(is_learner=True)
    earn(setups, learner, 0, 1, 2)
    credential, controller, contexts = served(client, pathway_badge(pathway, learner))
    assert len(credential["evidence"]) == 3
    result = js_verify(credential, controllers=[controller], contexts=contexts)
    assert result["verified"], result["errors"]
    credential["evidence"].pop()
    assert not js_verify(credential, controllers=[controller], contexts=contexts)["verified"]
