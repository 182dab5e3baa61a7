"""Pathways: the LEADS team defines one, learners' badges stack into its badge, which says what
it stands on, and revoking a component never silently leaves it standing."""

import json

import pytest
from django.conf import settings
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.tests.factories import UserFactory
from assessments.tests.factories import assessment_plan
from badges import edc, pathways, selectors, supplement
from badges.models import Assertion, Pathway
from badges.pathways import PathwayRefused, pathway_publish, pathway_save
from badges.services import DependentsUndecided, assertion_revoke, badge_class_create
from courses.models import CourseStatus
from courses.rules import EU_MANDATORY_ELEMENTS
from courses.services import course_publish, course_retire, course_set_status, course_start_revision
from courses.tests.factories import leads_admin, running_offering

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
    assert badge.expires_on == min(c.expires_on for c in components), (
        "current no longer than the badges it stands on"
    )


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


# --- What an issued pathway badge says stays true ---------------------------------------------


def test_every_form_of_the_pathway_badge_names_what_it_stands_on(setups, earn):
    """A pathway badge has no outcomes of its own: its page, PDF supplement and EDC name the
    micro-credentials it stands on, never "outcomes demonstrated: none"."""
    pathway = define(setups)
    learner = UserFactory(is_learner=True)
    earn(setups, learner, 0, 1, 2)
    badge = pathway_badge(pathway, learner)
    view = selectors.assertion_view(badge, now=timezone.now())
    elements = {e.label: e.value for e in supplement.mandatory_elements(view, country="PAK")}
    data = edc.credential_data(badge)
    said = [
        view.outcomes_sentence,
        supplement.grade(badge),
        elements[EU_MANDATORY_ELEMENTS["learning_outcomes"]],
        data.award_note["en"],
        data.overall_grade["en"],
    ]
    for sentence in said:
        assert "none" not in sentence.lower(), sentence
        assert all(title in sentence for title in ("Statistics", "Python", "Visualisation"))
        assert "3 micro-credentials" in sentence


def test_renaming_a_pathway_leaves_its_issued_badges_as_they_were(setups, earn, client):
    pathway = define(setups, name="Data Analyst")
    learner = UserFactory(is_learner=True)
    earn(setups, learner, 0, 1, 2)
    badge = pathway_badge(pathway, learner)
    define_again = pathway_save(
        acting_user=leads_admin(),
        pathway=pathway,
        name="Senior Data Analyst",
        description="Renamed.",
        rule="all",
        count=0,
        eqf_level=5,
        badge_ids=[setup[4].pk for setup in setups],
    )
    assert define_again.name == "Senior Data Analyst"
    badge.refresh_from_db()
    assert badge.badge_version.awarded_for == "the pathway Data Analyst"
    page = client.get(reverse("badges:assertion", args=[badge.pk]), HTTP_ACCEPT="text/html")
    text = page.content.decode()
    assert "Data Analyst" in text and "Senior Data Analyst" not in text


def revised(setup):
    """Version 2 of a course setup's course, published, with its own plan, offering and badge:
    version 1's badge class stays as it was."""
    course = setup[0]
    draft, _ = course_start_revision(course=course, acting_user=course.leader)
    course_set_status(course=draft, to_status=CourseStatus.SUBMITTED, acting_user=draft.leader)
    course_set_status(
        course=draft, to_status=CourseStatus.APPROVED, acting_user=UserFactory(is_learner=False)
    )
    course_publish(course=draft, acting_user=leads_admin())
    instructor = UserFactory(is_instructor=True, is_learner=False)
    return (
        draft,
        assessment_plan(draft),
        running_offering(course=draft, instructors=[instructor]),
        instructor,
        badge_class_create(course=draft, acting_user=leads_admin()),
    )


def test_a_badge_of_a_later_version_of_a_course_counts_for_the_pathway(setups, earn):
    pathway = define(setups)  # names version 1's badges
    setups[2] = revised(setups[2])
    learner = UserFactory(is_learner=True)
    earn(setups, learner, 0, 1, 2)
    badge = pathway_badge(pathway, learner)
    assert badge is not None, "the Visualisation badge of version 2 stands for the course"
    assert setups[2][4].pk in {c.badge_class_id for c in badge.components.all()}
    pathway_publish(pathway=pathway, acting_user=leads_admin(), publish=False)
    pathway_publish(pathway=pathway, acting_user=leads_admin())  # still publishable


def test_revoking_a_badge_the_pathway_can_spare_leaves_the_pathway_badge_standing(setups, earn):
    """Any two of three: with the other two badges still held, the pathway is still earned, so
    nothing is asked and the pathway badge stands, recorded."""
    pathway = define(setups, rule="any", count=2)
    learner = UserFactory(is_learner=True)
    first, _ = earn(setups, learner, 0, 1)
    standing = pathway_badge(pathway, learner)
    earn(setups, learner, 2)
    assert pathways.dependents(first).lost == []
    assertion_revoke(assertion=first, acting_user=leads_admin(), reason="Wrong course")
    standing.refresh_from_db()
    assert standing.revoked_at is None
    assert AuditEntry.objects.filter(action="assertion.still_earned").count() == 1


def test_the_django_admin_revoke_action_says_which_badges_it_left_and_why(setups, earn, client):
    pathway = define(setups)
    learner = UserFactory(is_learner=True)
    first, *_ = earn(setups, learner, 0, 1, 2)
    admin = leads_admin()
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    page = client.post(
        reverse("admin:badges_assertion_changelist"),
        {
            "action": "revoke_selected",
            ACTION_CHECKBOX_NAME: [first.pk],
            "post": "yes",
            "reason": "Plagiarism",
        },
        follow=True,
    )
    text = page.content.decode()
    assert "0 badges revoked" in text
    assert "Not revoked" in text and "pathway badge stands on this badge" in text
    assert reverse("badge_admin:revoke", args=[first.pk]) in text
    first.refresh_from_db()
    assert first.revoked_at is None and pathway_badge(pathway, learner).revoked_at is None


def test_a_withdrawn_pathway_keeps_its_page_and_its_place_in_its_holders_list(setups, earn, client):
    """Its badges name its page as their criteria: withdrawing it must not make them point at
    nothing, nor hide the badge from the learner's pathways."""
    pathway = define(setups)
    learner = UserFactory(is_learner=True)
    earn(setups, learner, 0, 1, 2)
    unearned = define(setups, name="Never issued")
    for withdrawn in (pathway, unearned):
        pathway_publish(pathway=withdrawn, acting_user=leads_admin(), publish=False)
    page = client.get(reverse("badges:pathway", args=[pathway.pk]))
    assert page.status_code == 200 and "no longer offered" in page.content.decode()
    assert client.get(reverse("badges:pathway", args=[unearned.pk])).status_code == 404
    client.force_login(learner)
    mine = client.get(reverse("badges:my_pathways")).content.decode()
    assert "Data Analyst" in mine and "your pathway badge" in mine


def test_the_django_admin_shows_a_pathway_badge_but_does_not_change_it(setups, client):
    pathway = define(setups)
    admin = leads_admin()
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    url = reverse("admin:badges_badgeclass_change", args=[pathway.badge_class_id])
    page = client.get(url)
    assert page.status_code == 200 and 'name="name"' not in page.content.decode(), "read only"
    assert client.post(url, {"name": "Renamed behind the pathway's back"}).status_code == 403
    pathway.badge_class.refresh_from_db()
    assert pathway.badge_class.name == "Data Analyst"
