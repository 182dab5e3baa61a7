"""Assessors' pages: the queue and hand-in rules, judging against the rubric, blind moderation,
the course leader's referrals, the moderation sample and the submission pack's statement."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from courses.services import course_publish, offering_create
from courses.tests.factories import leads_admin
from evidence.models import (
    EvidenceSubmission,
    Extension,
    Judgement,
    Moderation,
    ModerationPolicy,
    SubmissionState,
)
from evidence.services import submission_judge
from leads import pack
from leads import selectors as leads_selectors
from leads.tests.factories import decided_course

from .factories import all_met, enrolled, handed_in, offering_with_assessors

pytestmark = pytest.mark.django_db


def judgement_data(submission, *, met=True, result="pass", feedback="", comment="", revision=None):
    data = {
        "result": result,
        "feedback": feedback,
        "revision": submission.revision if revision is None else revision,
    }
    for criterion in submission.assessment.criteria.all():
        data[f"met_{criterion.pk}"] = "met" if met else "not_met"
        data[f"comment_{criterion.pk}"] = comment
    return data


def fresh(submission):
    return EvidenceSubmission.objects.get(pk=submission.pk)


def judge_url(submission):
    return reverse("evidence:judge", args=[submission.pk])


def test_an_assessor_returns_work_for_rework_then_passes_the_next_attempt(client, no_sample):
    offering, first, _ = offering_with_assessors(outcomes=2)
    enrollment = enrolled(offering, full_name="Amina Yusuf")
    # The second assessment: its criterion is coded by the course's numbering (LO2).
    assessment = offering.course.assessments.get(title="Task 2")
    submission = handed_in(enrollment, assessment, statement="Five <b>lesson</b> plans.")
    client.force_login(first)

    queue = client.get(reverse("evidence:queue", args=[offering.pk]))
    assert queue.status_code == 200
    assert "Amina Yusuf" in queue.text and judge_url(submission) in queue.text

    page = client.get(judge_url(submission))
    assert page.status_code == 200
    # The statement is shown escaped; the file through the view that checks who asks.
    assert "Five &lt;b&gt;lesson&lt;/b&gt; plans." in page.text
    item = submission.items.get(kind="file")
    assert reverse("evidence:item_file", args=[item.pk]) in page.text
    assert "<legend" in page.text and "LO2: does apply skill 2." in page.text
    submission = fresh(submission)
    assert submission.state == SubmissionState.IN_REVIEW

    response = client.post(
        judge_url(submission),
        judgement_data(submission, met=False, result="rework", feedback="Add the reflections."),
    )
    assert response.status_code == 302
    assert fresh(submission).state == SubmissionState.RETURNED

    again = handed_in(enrollment, assessment, statement="With reflections.")
    page = client.get(judge_url(again))
    assert "Earlier attempts" in page.text and "Add the reflections." in page.text
    again = fresh(again)
    response = client.post(judge_url(again), judgement_data(again, feedback="Well done."))
    assert response.status_code == 302
    again = fresh(again)
    assert again.state == SubmissionState.PASSED and again.record.result == "pass"
    # Judged: the page shows the judgement and no form.
    page = client.get(judge_url(again))
    assert "Well done." in page.text and 'name="result"' not in page.text


def test_an_assessor_of_another_offering_is_told_nothing_and_changes_nothing(client, no_sample):
    offering, *_ = offering_with_assessors()
    submission = handed_in(enrolled(offering))
    _, stranger, _ = offering_with_assessors()
    client.force_login(stranger)
    assert client.get(judge_url(submission)).status_code == 404
    assert client.post(judge_url(submission), judgement_data(submission)).status_code == 404
    assert client.get(reverse("evidence:moderate", args=[submission.pk])).status_code == 404
    assert client.get(reverse("evidence:queue", args=[offering.pk])).status_code == 403
    submission = fresh(submission)
    assert submission.state == SubmissionState.SUBMITTED and submission.revision == 0
    assert not submission.judgements.exists()


def test_a_second_judgement_on_a_stale_revision_is_refused_with_the_first_assessors_name(
    client, no_sample
):
    offering, first, second = offering_with_assessors()
    submission = handed_in(enrolled(offering))
    client.force_login(first)
    client.get(judge_url(submission))
    read = fresh(submission)  # both assessors read this revision
    client.force_login(second)
    client.get(judge_url(submission))

    client.force_login(first)
    assert client.post(judge_url(submission), judgement_data(read)).status_code == 302
    settled = fresh(submission)

    client.force_login(second)
    response = client.post(
        judge_url(submission),
        judgement_data(read, met=False, result="not_yet", feedback="My own words here."),
    )
    assert response.status_code == 200
    assert "Imran Shah changed this submission while you were reading it" in response.text
    assert 'role="alert"' in response.text and "My own words here." in response.text
    after = fresh(submission)
    assert (after.state, after.revision) == (settled.state, settled.revision)
    assert after.judgements.count() == 1


def test_anonymous_marking_hides_the_learners_name_on_the_queue_and_judge_pages(client, no_sample):
    offering, first, _ = offering_with_assessors()
    assessment = offering.course.assessments.first()
    client.force_login(first)
    rules_url = reverse("evidence:rules", args=[offering.pk, assessment.pk])
    page = client.get(rules_url)
    due = re.search(r'name="due_at" value="([^"]+)"', page.text).group(1)
    response = client.post(
        rules_url,
        {"due_at": due, "max_file_mb": "20", "file_kinds": ["image", "pdf"],
         "anonymous_marking": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    # The deadline shown comes back unchanged.
    assert re.search(r'name="due_at" value="([^"]+)"', client.get(rules_url).text).group(1) == due

    from evidence.services import HandInFile

    from .factories import png

    submission = handed_in(
        enrolled(offering, full_name="Zainab Qureshi"),
        files=[HandInFile(upload=png(name="Zainab_Qureshi_plan.png"))],
    )
    queue = client.get(reverse("evidence:queue", args=[offering.pk]))
    assert "Zainab Qureshi" not in queue.text and submission.code in queue.text
    page = client.get(judge_url(submission))
    assert "Zainab" not in page.text and submission.code in page.text
    # Nor in the download's name: the assessor gets the code.
    item = submission.items.get()
    download = client.get(reverse("evidence:item_file", args=[item.pk]))
    assert "Zainab" not in download["Content-Disposition"]
    assert f"{submission.code}-1.png" in download["Content-Disposition"]


def test_the_leads_team_looking_in_does_not_tell_the_learner_it_is_in_review(client):
    offering, first, _ = offering_with_assessors()
    submission = handed_in(enrolled(offering))
    client.force_login(leads_admin())
    assert client.get(judge_url(submission)).status_code == 200
    assert fresh(submission).state == "submitted"
    client.force_login(first)
    client.get(judge_url(submission))
    assert fresh(submission).state == "in_review"


def test_moderation_is_blind_until_the_moderator_has_judged(client, sample_all):
    offering, first, second = offering_with_assessors()
    submission = handed_in(enrolled(offering))
    submission_judge(
        submission=submission, acting_user=first, criteria=all_met(submission), result="pass",
        feedback="Exemplary planning throughout.",
    )  # fmt: skip
    assert fresh(submission).moderation == Moderation.AWAITING
    client.force_login(second)
    listed = client.get(reverse("evidence:moderation_queue"))
    assert listed.status_code == 200 and submission.code in listed.text
    url = reverse("evidence:moderate", args=[submission.pk])
    for page in (client.get(url), client.get(judge_url(submission))):
        assert page.status_code == 200
        assert "Exemplary planning throughout." not in page.text
        assert "Imran Shah" not in page.text
    submission = fresh(submission)
    response = client.post(url, judgement_data(submission, feedback="Agreed: clear plans."))
    assert response.status_code == 302
    page = client.get(url)
    assert "Exemplary planning throughout." in page.text and "Imran Shah" in page.text
    assert "Agreed: clear plans." in page.text
    assert fresh(submission).state == SubmissionState.PASSED


def test_the_first_assessor_cannot_moderate(client, sample_all):
    offering, first, _ = offering_with_assessors()
    submission = handed_in(enrolled(offering))
    submission_judge(submission=submission, acting_user=first, criteria=all_met(submission),
                     result="pass")  # fmt: skip
    client.force_login(first)
    url = reverse("evidence:moderate", args=[submission.pk])
    assert submission.code not in client.get(reverse("evidence:moderation_queue")).text
    assert 'name="result"' not in client.get(url).text
    submission = fresh(submission)
    response = client.post(url, judgement_data(submission))
    assert "A second assessor moderates: not the one who judged it first." in response.text
    assert fresh(submission).moderation == Moderation.AWAITING
    assert not submission.judgements.filter(stage=Judgement.Stage.SECOND).exists()


def test_a_disagreement_reaches_the_course_leader_who_decides(client, sample_all):
    offering, first, second = offering_with_assessors()
    submission = handed_in(enrolled(offering))
    submission_judge(submission=submission, acting_user=first, criteria=all_met(submission),
                     result="pass", feedback="Meets every criterion.")  # fmt: skip
    client.force_login(second)
    submission = fresh(submission)
    client.post(
        reverse("evidence:moderate", args=[submission.pk]),
        judgement_data(submission, met=False, result="not_yet", feedback="Plans lack detail."),
    )
    submission = fresh(submission)
    assert submission.moderation == Moderation.REFERRED

    decide_url = reverse("evidence:decide", args=[submission.pk])
    assert client.get(decide_url).status_code == 404  # an assessor does not decide
    leader = offering.course.leader
    client.force_login(leader)
    listed = client.get(reverse("evidence:referrals"))
    assert listed.status_code == 200 and decide_url in listed.text
    page = client.get(decide_url)
    assert "Meets every criterion." in page.text and "Plans lack detail." in page.text
    refused = client.post(decide_url, {"result": "pass", "reason": "  ",
                                       "revision": submission.revision})  # fmt: skip
    assert refused.status_code == 200 and fresh(submission).moderation == Moderation.REFERRED
    response = client.post(
        decide_url,
        {"result": "pass", "reason": "The plans show it.", "revision": submission.revision},
    )
    assert response.status_code == 302
    submission = fresh(submission)
    assert submission.moderation == Moderation.RESOLVED
    assert submission.state == SubmissionState.PASSED


def test_the_moderation_sample_page_is_for_the_leads_team_only(client):
    offering, first, _ = offering_with_assessors()
    url = reverse("evidence:policy")
    for person in (first, offering.course.leader, UserFactory(is_learner=True)):
        client.force_login(person)
        assert client.get(url).status_code == 403
        assert client.post(url, {"sample_percent": "50"}).status_code == 403
    admin = leads_admin()
    client.force_login(admin)
    assert client.get(url).status_code == 200
    response = client.post(url, {"sample_percent": "35", "every_not_yet": "on"})
    assert response.status_code == 302
    policy = ModerationPolicy.objects.get()
    assert (policy.sample_percent, policy.every_not_yet) == (35, True)
    refused = client.post(url, {"sample_percent": "101"})
    assert refused.status_code == 200 and ModerationPolicy.objects.get().sample_percent == 35


def test_the_submission_pack_states_the_courses_moderation(no_sample):
    course, leads_submission = decided_course("approved")
    course = course_publish(course=course, acting_user=leads_admin())
    html = pack.pack_html(leads_selectors.submission_get(pk=leads_submission.pk))
    assert "Quality assurance in delivery: moderation" in html
    assert "No learner's evidence has been judged yet" in html

    assessor = UserFactory(is_instructor=True, is_learner=False)
    today = date.today()
    offering = offering_create(
        course=course, acting_user=leads_admin(), starts_on=today - timedelta(days=7),
        ends_on=today + timedelta(days=60), instructors=[assessor],
    )  # fmt: skip
    submission = handed_in(enrolled(offering))
    submission_judge(submission=submission, acting_user=assessor,
                     criteria=all_met(submission), result="pass")  # fmt: skip
    html = pack.pack_html(leads_selectors.submission_get(pk=leads_submission.pk))
    assert "assessors have judged 1 result from learners" in html


def test_the_offering_page_and_grid_link_to_the_queue_with_the_number_waiting(client):
    offering, first, _ = offering_with_assessors()
    handed_in(enrolled(offering))
    client.force_login(first)
    for name in ("courses:offering_detail", "assessments:grid"):
        page = client.get(reverse(name, args=[offering.pk]))
        assert "Evidence to judge (1 waiting)" in page.text


def test_an_instructor_grants_an_extension(client):
    offering, first, _ = offering_with_assessors()
    enrollment = enrolled(offering)
    assessment = offering.course.assessments.first()
    client.force_login(first)
    url = reverse("evidence:extension", args=[offering.pk])
    assert client.get(url).status_code == 200
    until = (timezone.localtime() + timedelta(days=40)).strftime("%Y-%m-%dT%H:%M")
    data = {"enrollment": enrollment.pk, "assessment": assessment.pk, "until": until}
    refused = client.post(url, {**data, "reason": "   "})
    assert refused.status_code == 200 and not Extension.objects.exists()
    response = client.post(url, {**data, "reason": "Illness, with a note."})
    assert response.status_code == 302
    extension = Extension.objects.get()
    assert timezone.localtime(extension.until).strftime("%Y-%m-%dT%H:%M") == until
