"""Tests of the LEADS course-template rules: credits, hours, outcomes, modality, assessment,
expiry."""

from dataclasses import FrozenInstanceError
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from courses import rules
from courses.rules import (
    ASSESSMENT_TYPES,
    BADGE_LEVELS,
    CREDITS,
    EQF_LEVELS,
    EU_MANDATORY_ELEMENTS,
    HOURS_PER_CREDIT,
    HYBRID_IN_PERSON_CAP,
    MODALITIES,
    MODALITY_PARTICIPATION_FORM,
    OUTCOMES,
    PARTICIPATION_FORMS,
    SELF_STUDY_PER_CREDIT,
    TEACHING_PER_CREDIT,
    Finding,
    blocking_findings,
    check_assessment_coverage,
    check_credits,
    check_expiry,
    check_hours,
    check_hybrid,
    check_in_person_sessions,
    check_outcome_count,
    problems,
)


def only(findings):
    assert len(findings) == 1, findings
    return findings[0]


def by_code(findings):
    return {finding.code: finding for finding in findings}


# --- Finding and constants --------------------------------------------------------------------


def test_finding_is_frozen_and_defaults_to_error():
    finding = Finding(code="x", ok=False, message="m")
    assert finding.field is None
    assert finding.severity == "error"
    assert finding.blocking
    with pytest.raises(FrozenInstanceError):
        finding.ok = True  # type: ignore[misc]


def test_advice_and_passed_findings_do_not_block():
    advice = Finding(code="a", ok=False, message="m", severity="advice")
    passed = Finding(code="b", ok=True, message="m")
    error = Finding(code="c", ok=False, message="m")
    assert not advice.blocking
    assert not passed.blocking
    assert blocking_findings([advice, passed, error]) == [error]
    assert problems([advice, passed, error]) == [advice, error]


def test_constants_from_the_guide():
    assert HOURS_PER_CREDIT == (25, 30)
    assert TEACHING_PER_CREDIT == (7, 8)
    assert SELF_STUDY_PER_CREDIT == (16, 17)
    assert CREDITS == (1, 6)
    assert OUTCOMES == (2, 5)
    assert HYBRID_IN_PERSON_CAP == 0.40
    assert EQF_LEVELS == (1, 2, 3, 4, 5, 6, 7, 8)


def test_modalities_with_the_guides_labels():
    assert {key: m.label for key, m in MODALITIES.items()} == {
        "self_paced": "Online self-paced",
        "asynchronous": "Online asynchronous",
        "synchronous": "Online synchronous",
        "blended": "Blended online",
        "hybrid": "Hybrid",
    }
    assert [k for k, m in MODALITIES.items() if m.in_person_allowed] == ["hybrid"]
    assert "should not exceed 40%" in MODALITIES["hybrid"].description
    assert all(m.description.endswith(".") for m in MODALITIES.values())


def test_badge_levels_assessment_types_and_participation_forms():
    assert list(BADGE_LEVELS) == [
        "beginner",
        "intermediate",
        "advanced",
        "expert_specialised",
        "professional_certification",
    ]
    assert list(ASSESSMENT_TYPES) == [
        "quiz",
        "assignment",
        "project",
        "portfolio",
        "exam",
        "presentation",
        "practical",
        "discussion",
        "reflection",
        "other",
    ]
    assert list(PARTICIPATION_FORMS) == ["online", "on_site", "blended"]
    assert len(EU_MANDATORY_ELEMENTS) == 9


def test_leads_blended_online_is_eu_online_and_hybrid_is_eu_blended():
    assert set(MODALITY_PARTICIPATION_FORM) == set(MODALITIES)
    assert MODALITY_PARTICIPATION_FORM["blended"] == "online"
    assert MODALITY_PARTICIPATION_FORM["hybrid"] == "blended"
    assert set(MODALITY_PARTICIPATION_FORM.values()) <= set(PARTICIPATION_FORMS)


# --- check_credits ----------------------------------------------------------------------------


@pytest.mark.parametrize("credits", [1, 2, 3, 4, 5, 6, 3.0, Decimal("6")])
def test_credits_one_to_six_pass(credits):
    finding = only(check_credits(credits))
    assert finding.ok
    assert finding.code == "credits_ok"
    assert finding.field == "credits"


def test_credits_ok_message():
    assert (
        only(check_credits(1)).message
        == "1 credit is within the guide's 1–6 (25–30 hours of work)."
    )
    assert only(check_credits(3)).message == (
        "3 credits is within the guide's 1–6 (75–90 hours of work)."
    )


def test_zero_credits():
    finding = only(check_credits(0))
    assert finding.code == "credits_too_few"
    assert finding.blocking
    assert finding.message == (
        "A micro-credential carries 1 to 6 credits (25–180 hours of work); 0 credits were entered."
    )


def test_seven_credits():
    finding = only(check_credits(7))
    assert finding.code == "credits_too_many"
    assert finding.blocking
    assert finding.message == (
        "A micro-credential carries at most 6 credits (180 hours of work); 7 credits were "
        "entered. Split the course into smaller micro-credentials."
    )


@pytest.mark.parametrize("credits", [2.5, Decimal("1.5"), "3", None, True])
def test_credits_must_be_whole_numbers(credits):
    finding = only(check_credits(credits))
    assert finding.code == "credits_not_whole"
    assert finding.message == (
        f"Credits must be a whole number from 1 to 6; {credits} was entered."
    )


# --- check_hours ------------------------------------------------------------------------------


def test_hours_short_message_spells_out_the_sum():
    findings = check_hours(credits=3, teaching_hours=20, self_study_hours=30, other_hours=10)
    total = findings[0]
    assert total.code == "hours_total_short"
    assert total.blocking
    assert total.field is None
    assert total.message == (
        "3 credits need 75–90 hours; the hours entered add up to 60 "
        "(20 teaching + 30 self-study + 10 other), 15 short."
    )


def test_hours_over_message():
    total = check_hours(credits=1, teaching_hours=10, self_study_hours=20, other_hours=5)[0]
    assert total.code == "hours_total_over"
    assert total.message == (
        "1 credit needs 25–30 hours; the hours entered add up to 35 "
        "(10 teaching + 20 self-study + 5 other), 5 over."
    )


def test_hours_ok_message_leaves_out_zero_other():
    total = check_hours(credits=1, teaching_hours=8, self_study_hours=17, other_hours=0)[0]
    assert total.ok
    assert total.code == "hours_total_ok"
    assert total.message == (
        "1 credit needs 25–30 hours; the hours entered add up to 25 "
        "(8 teaching + 17 self-study), within range."
    )


@pytest.mark.parametrize("credits", [1, 2, 3, 4, 5, 6])
def test_hours_boundaries_are_inclusive(credits):
    def total_code(hours):
        # Typical teaching and self-study, the rest as other work.
        teaching, self_study = 7 * credits, 16 * credits
        findings = check_hours(
            credits=credits,
            teaching_hours=teaching,
            self_study_hours=self_study,
            other_hours=hours - teaching - self_study,
        )
        return findings[0].code

    assert total_code(25 * credits) == "hours_total_ok"
    assert total_code(30 * credits) == "hours_total_ok"
    assert total_code(25 * credits - 1) == "hours_total_short"
    assert total_code(30 * credits + 1) == "hours_total_over"


def test_hours_fractional_boundaries_are_exact():
    # 0.1 + 0.2 style float sums must not push 90 hours over the range.
    findings = check_hours(credits=3, teaching_hours=22.1, self_study_hours=50.2, other_hours=17.7)
    assert findings[0].code == "hours_total_ok"
    assert "add up to 90 (22.1 teaching + 50.2 self-study + 17.7 other)" in findings[0].message

    findings = check_hours(credits=3, teaching_hours=22.1, self_study_hours=50.2, other_hours=17.8)
    assert findings[0].code == "hours_total_over"
    assert findings[0].message.endswith(", 0.1 over.")


def test_hours_accept_decimals():
    findings = check_hours(
        credits=2,
        teaching_hours=Decimal("15.5"),
        self_study_hours=Decimal("33"),
        other_hours=Decimal("1.5"),
    )
    assert findings[0].code == "hours_total_ok"


def test_typical_split_gives_passing_advice():
    findings = by_code(
        check_hours(credits=2, teaching_hours=15, self_study_hours=33, other_hours=7)
    )
    teaching = findings["teaching_per_credit_typical"]
    self_study = findings["self_study_per_credit_typical"]
    assert teaching.ok and self_study.ok
    assert teaching.severity == self_study.severity == "advice"
    assert teaching.field == "teaching_hours"
    assert self_study.field == "self_study_hours"
    assert (
        teaching.message
        == "Teaching comes to 7.5 hours per credit, within the guide's typical 7–8."
    )
    assert self_study.message == (
        "Self-study comes to 16.5 hours per credit, within the guide's typical 16–17."
    )


def test_low_teaching_is_advice_not_an_error():
    findings = check_hours(credits=3, teaching_hours=15, self_study_hours=50, other_hours=10)
    assert findings[0].code == "hours_total_ok"
    teaching = by_code(findings)["teaching_per_credit_low"]
    assert not teaching.ok
    assert teaching.severity == "advice"
    assert not teaching.blocking
    assert blocking_findings(findings) == []
    assert teaching.message == (
        "Teaching comes to 5 hours per credit (15 hours for 3 credits); the guide's typical "
        "split is about 7–8 hours of teaching per credit (21–24 for 3 credits). This is advice, "
        "not a requirement."
    )


def test_high_self_study_is_advice():
    findings = by_code(check_hours(credits=1, teaching_hours=7, self_study_hours=20))
    self_study = findings["self_study_per_credit_high"]
    assert self_study.severity == "advice"
    assert self_study.message == (
        "Self-study comes to 20 hours per credit (20 hours for 1 credit); the guide's typical "
        "split is about 16–17 hours of self-study per credit (16–17 for 1 credit). This is "
        "advice, not a requirement."
    )


@pytest.mark.parametrize(
    ("teaching", "code"),
    [(20, "low"), (21, "typical"), (24, "typical"), (25, "high")],
)
def test_teaching_split_boundaries(teaching, code):
    findings = by_code(check_hours(credits=3, teaching_hours=teaching, self_study_hours=50))
    assert f"teaching_per_credit_{code}" in findings


@pytest.mark.parametrize(
    ("self_study", "code"),
    [(47, "low"), (48, "typical"), (51, "typical"), (52, "high")],
)
def test_self_study_split_boundaries(self_study, code):
    findings = by_code(check_hours(credits=3, teaching_hours=22, self_study_hours=self_study))
    assert f"self_study_per_credit_{code}" in findings


def test_per_credit_is_rounded_in_words():
    findings = by_code(check_hours(credits=3, teaching_hours=20, self_study_hours=50))
    assert findings["teaching_per_credit_low"].message.startswith(
        "Teaching comes to 6.7 hours per credit (20 hours for 3 credits)"
    )


def test_hours_returns_three_findings_in_order():
    findings = check_hours(credits=3, teaching_hours=22, self_study_hours=50, other_hours=10)
    assert [f.code for f in findings] == [
        "hours_total_ok",
        "teaching_per_credit_typical",
        "self_study_per_credit_typical",
    ]


@pytest.mark.parametrize("credits", [0, -1, 2.5])
def test_hours_need_whole_credits(credits):
    finding = only(check_hours(credits=credits, teaching_hours=20, self_study_hours=40))
    assert finding.code == "hours_need_credits"
    assert finding.field == "credits"
    assert finding.message == (
        "The hours can be checked once the credits are a whole number from 1 to 6."
    )


def test_hours_are_still_checked_above_six_credits():
    # check_credits reports the 7; the hours are still worth checking against 175–210.
    total = check_hours(credits=7, teaching_hours=50, self_study_hours=115, other_hours=20)[0]
    assert total.code == "hours_total_ok"
    assert total.message.startswith("7 credits need 175–210 hours")


def test_negative_hours():
    findings = check_hours(credits=1, teaching_hours=-2, self_study_hours=20, other_hours=-1)
    assert [(f.code, f.field) for f in findings] == [
        ("hours_negative", "teaching_hours"),
        ("hours_negative", "other_hours"),
    ]
    assert findings[0].message == "Teaching hours cannot be negative; -2 was entered."
    assert findings[1].message == "Other hours cannot be negative; -1 was entered."


def test_hours_reject_non_numbers():
    with pytest.raises(TypeError):
        check_hours(credits=1, teaching_hours="8", self_study_hours=17)


# --- check_outcome_count ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "code", "message"),
    [
        (
            0,
            "outcome_count_too_few",
            "A course needs 2–5 learning outcomes; none are listed, add at least 2.",
        ),
        (
            1,
            "outcome_count_too_few",
            "A course needs 2–5 learning outcomes; 1 is listed, add at least 1 more.",
        ),
        (2, "outcome_count_ok", "2 learning outcomes, within the guide's 2–5."),
        (5, "outcome_count_ok", "5 learning outcomes, within the guide's 2–5."),
        (
            6,
            "outcome_count_too_many",
            "A course needs 2–5 learning outcomes; 6 are listed. Merge or remove 1 so that each "
            "one can be assessed.",
        ),
    ],
)
def test_outcome_count(n, code, message):
    finding = only(check_outcome_count(n))
    assert finding.code == code
    assert finding.ok == (code == "outcome_count_ok")
    assert finding.field == "outcomes"
    assert finding.message == message


# --- check_hybrid -----------------------------------------------------------------------------


def test_hybrid_exactly_forty_percent_passes():
    finding = only(check_hybrid(modality="hybrid", in_person_hours=32, total_hours=80))
    assert finding.ok
    assert finding.code == "hybrid_in_person_ok"
    assert finding.message == (
        "In-person teaching is 40% of the course's learning hours (32 of 80), within the 40% "
        "limit for hybrid courses."
    )


def test_hybrid_over_forty_percent_fails_with_the_numbers():
    finding = only(check_hybrid(modality="hybrid", in_person_hours=36, total_hours=80))
    assert finding.blocking
    assert finding.code == "hybrid_in_person_over_cap"
    assert finding.field == "in_person_hours"
    assert finding.message == (
        "In-person teaching is 45% of the course's learning hours (36 of 80); a hybrid course "
        "may have at most 40% in person (32 hours), so reduce it by 4 hours."
    )


def test_hybrid_just_over_the_cap_fails():
    finding = only(check_hybrid(modality="hybrid", in_person_hours=30.1, total_hours=75))
    assert finding.code == "hybrid_in_person_over_cap"
    assert "40.1%" in finding.message
    assert "reduce it by 0.1 hours" in finding.message


def test_hybrid_fraction_shown_with_one_decimal():
    finding = only(check_hybrid(modality="hybrid", in_person_hours=10, total_hours=30))
    assert finding.ok
    assert "33.3% of the course's learning hours (10 of 30)" in finding.message


def test_hybrid_without_in_person_hours_is_advice():
    finding = only(check_hybrid(modality="hybrid", in_person_hours=0, total_hours=80))
    assert finding.code == "hybrid_no_in_person"
    assert finding.severity == "advice"
    assert not finding.blocking


def test_hybrid_needs_total_hours():
    finding = only(check_hybrid(modality="hybrid", in_person_hours=10, total_hours=0))
    assert finding.code == "hybrid_total_missing"
    assert finding.blocking


def test_in_person_cannot_exceed_total():
    finding = only(check_hybrid(modality="hybrid", in_person_hours=90, total_hours=80))
    assert finding.code == "in_person_exceeds_total"
    assert finding.message == (
        "In-person hours (90) cannot be more than the course's 80 learning hours."
    )


@pytest.mark.parametrize("modality", ["self_paced", "asynchronous", "synchronous", "blended"])
def test_online_modalities_have_no_in_person_hours(modality):
    finding = only(check_hybrid(modality=modality, in_person_hours=0, total_hours=80))
    assert finding.ok
    assert finding.code == "in_person_none"

    finding = only(check_hybrid(modality=modality, in_person_hours=10, total_hours=80))
    assert finding.blocking
    assert finding.code == "in_person_not_hybrid"


def test_online_modality_with_in_person_hours_explains():
    finding = only(check_hybrid(modality="synchronous", in_person_hours=10, total_hours=80))
    assert finding.message == (
        "Online synchronous courses are taught fully online, so in-person hours should be 0; "
        "10 were entered. Choose Hybrid if part of the course is taught in person."
    )


def test_unknown_modality():
    finding = only(check_hybrid(modality="face_to_face", in_person_hours=0, total_hours=80))
    assert finding.code == "modality_unknown"
    assert finding.field == "modality"
    assert finding.message == (
        "Choose a teaching and learning modality: Online self-paced, Online asynchronous, "
        "Online synchronous, Blended online, Hybrid."
    )


def test_negative_in_person_hours():
    finding = only(check_hybrid(modality="hybrid", in_person_hours=-1, total_hours=80))
    assert finding.code == "in_person_negative"


# --- check_in_person_sessions -----------------------------------------------------------------


def test_sessions_with_place_and_timing_pass_as_dicts_or_objects():
    sessions = [
        {"place": "AKU Karachi campus", "timing": "First week"},
        SimpleNamespace(place="Chitral", timing="Towards the end"),
    ]
    finding = only(check_in_person_sessions(sessions))
    assert finding.ok
    assert finding.code == "in_person_sessions_ok"
    assert finding.message == "All 2 in-person sessions name a place and a time in the course."


def test_single_session_ok_message():
    finding = only(check_in_person_sessions([{"place": "Karachi", "timing": "Week 3"}]))
    assert finding.message == "The in-person session names a place and a time in the course."


def test_sessions_missing_place_or_timing():
    sessions = [
        {"place": "Karachi", "timing": "Week 1"},
        {"title": "Lab day", "place": "  ", "timing": "Middle"},
        SimpleNamespace(place="Chitral", timing=None),
        {},
    ]
    findings = check_in_person_sessions(sessions)
    assert [(f.code, f.field) for f in findings] == [
        ("in_person_session_no_place", "sessions[1].place"),
        ("in_person_session_no_timing", "sessions[2].timing"),
        ("in_person_session_no_place", "sessions[3].place"),
        ("in_person_session_no_timing", "sessions[3].timing"),
    ]
    assert all(f.blocking for f in findings)
    assert findings[0].message == (
        "In-person session 2 (Lab day) does not say where it takes place; name the campus or "
        "venue (for example AKU Karachi campus)."
    )
    assert findings[1].message == (
        "In-person session 3 does not say when in the course it happens (for example the first "
        "week, the middle or towards the end)."
    )


def test_online_sessions_are_skipped():
    sessions = [{"in_person": False, "place": "", "timing": ""}]
    finding = only(check_in_person_sessions(sessions))
    assert finding.code == "in_person_sessions_none"
    assert finding.ok


def test_no_sessions():
    finding = only(check_in_person_sessions([]))
    assert finding.ok
    assert finding.message == "No in-person sessions are listed, so no place or timing is needed."
    assert only(check_in_person_sessions([], in_person_hours=0)).ok


def test_in_person_hours_without_sessions():
    finding = only(check_in_person_sessions([], in_person_hours=12))
    assert finding.code == "in_person_sessions_missing"
    assert finding.blocking
    assert finding.message == (
        "The course has 12 in-person hours but no in-person sessions are listed; add each "
        "session with its place and when in the course it happens."
    )


# --- check_assessment_coverage ----------------------------------------------------------------

OUTCOME_A = {"id": 1, "label": "Design a lesson plan"}
OUTCOME_B = {"id": 2, "label": "Evaluate a lesson"}
OUTCOME_C = SimpleNamespace(id=3, label="Apply classroom routines")


def assessment(outcome_ids, *, summative=True, criteria=None, title=None):
    if criteria is None:
        criteria = [{"outcome_id": oid, "pass_fail": True} for oid in outcome_ids]
    return {
        "outcome_ids": outcome_ids,
        "summative": summative,
        "criteria": criteria,
        "title": title,
    }


def test_all_outcomes_covered():
    findings = check_assessment_coverage([OUTCOME_A, OUTCOME_B], [assessment([1, 2])])
    assert [(f.code, f.ok) for f in findings] == [
        ("outcomes_assessed", True),
        ("outcomes_pass_fail", True),
    ]
    assert findings[0].message == "Every learning outcome is assessed by at least one assessment."
    assert findings[1].message == (
        "Every learning outcome has a pass/fail rubric criterion in a summative assessment."
    )


def test_unassessed_outcomes_are_listed_by_label():
    findings = by_code(
        check_assessment_coverage([OUTCOME_A, OUTCOME_B, OUTCOME_C], [assessment([2])])
    )
    unassessed = findings["outcomes_unassessed"]
    assert unassessed.blocking
    assert unassessed.field == "assessments"
    assert unassessed.message == (
        "2 learning outcomes are not assessed by any assessment: 'Design a lesson plan' and "
        "'Apply classroom routines'. Every learning outcome needs at least one assessment."
    )


def test_one_unassessed_outcome_message_is_singular():
    findings = by_code(check_assessment_coverage([OUTCOME_A, OUTCOME_B], [assessment([1])]))
    assert findings["outcomes_unassessed"].message.startswith(
        "1 learning outcome is not assessed by any assessment: 'Evaluate a lesson'."
    )


def test_formative_only_outcome_lacks_pass_fail():
    findings = by_code(
        check_assessment_coverage(
            [OUTCOME_A, OUTCOME_B],
            [assessment([1]), assessment([2], summative=False)],
        )
    )
    assert findings["outcomes_assessed"].ok
    without = findings["outcomes_without_pass_fail"]
    assert without.blocking
    assert without.message == (
        "1 learning outcome is not judged pass or fail in a summative assessment: 'Evaluate a "
        "lesson'. Micro-credentials are awarded on pass (demonstrates the skill) or fail, so "
        "give each learning outcome a pass/fail rubric criterion in a summative assessment."
    )


def test_graded_criterion_is_not_pass_fail():
    graded = assessment([1, 2], criteria=[{"outcome_id": 1, "pass_fail": True}, {"outcome_id": 2}])
    findings = by_code(check_assessment_coverage([OUTCOME_A, OUTCOME_B], [graded]))
    assert "'Evaluate a lesson'" in findings["outcomes_without_pass_fail"].message
    assert "'Design a lesson plan'" not in findings["outcomes_without_pass_fail"].message


def test_criterion_without_outcome_id_covers_all_the_assessments_outcomes():
    whole = assessment([1, 2], criteria=[{"pass_fail": True}])
    findings = by_code(check_assessment_coverage([OUTCOME_A, OUTCOME_B, OUTCOME_C], [whole]))
    assert "'Apply classroom routines'" in findings["outcomes_without_pass_fail"].message
    assert "'Design a lesson plan'" not in findings["outcomes_without_pass_fail"].message


def test_criterion_for_an_outcome_the_assessment_does_not_assess_does_not_count():
    stray = assessment([1], criteria=[{"outcome_id": 2, "pass_fail": True}])
    findings = by_code(check_assessment_coverage([OUTCOME_A, OUTCOME_B], [stray]))
    assert "'Design a lesson plan'" in findings["outcomes_without_pass_fail"].message


def test_assessments_as_objects():
    criterion = SimpleNamespace(outcome_id=3, pass_fail=True)
    project = SimpleNamespace(outcome_ids=[3], summative=True, criteria=[criterion], title="P")
    findings = check_assessment_coverage([OUTCOME_C], [project])
    assert all(f.ok for f in findings)


def test_unknown_outcome_id_in_an_assessment():
    findings = check_assessment_coverage(
        [OUTCOME_A, OUTCOME_B], [assessment([1, 2, 9], title="Quiz 1")]
    )
    unknown = by_code(findings)["assessment_unknown_outcome"]
    assert unknown.blocking
    assert unknown.field == "assessments[0].outcome_ids"
    assert unknown.message == (
        "Assessment 'Quiz 1' refers to learning outcomes that are not in the course (id 9); "
        "pick the outcomes it assesses again."
    )


def test_no_assessments_lists_every_outcome():
    findings = by_code(check_assessment_coverage([OUTCOME_A, OUTCOME_B], []))
    assert "'Design a lesson plan' and 'Evaluate a lesson'" in (
        findings["outcomes_unassessed"].message
    )


def test_no_outcomes_gives_no_findings():
    assert check_assessment_coverage([], [assessment([1])]) == []


def test_outcome_label_falls_back_to_text_then_id():
    outcomes = [{"id": 1, "text": "Plan a unit"}, {"id": 2}]
    message = by_code(check_assessment_coverage(outcomes, []))["outcomes_unassessed"].message
    assert "'Plan a unit' and '2'" in message


# --- check_expiry -----------------------------------------------------------------------------

TODAY = date(2025, 5, 5)


def test_no_expiry():
    finding = only(check_expiry(today=TODAY))
    assert finding.ok
    assert finding.code == "expiry_none"
    assert finding.message == "The badge does not expire."


def test_expiry_date_in_the_past_is_an_error():
    finding = only(check_expiry(expiry_date=date(2024, 3, 1), today=TODAY))
    assert finding.blocking
    assert finding.code == "expiry_date_past"
    assert finding.field == "expiry_date"
    assert finding.message == (
        "The expiry date 1 March 2024 is in the past (today is 5 May 2025), so every badge "
        "issued would already have expired. Choose a later date, a number of months after "
        "issue, or no expiry."
    )


def test_expiry_date_yesterday_is_past():
    finding = only(check_expiry(expiry_date=date(2025, 5, 4), today=TODAY))
    assert finding.code == "expiry_date_past"


def test_expiry_date_today_is_advice():
    finding = only(check_expiry(expiry_date=TODAY, today=TODAY))
    assert finding.code == "expiry_date_today"
    assert finding.severity == "advice"
    assert not finding.blocking


def test_expiry_date_in_the_future():
    finding = only(check_expiry(expiry_date=date(2027, 12, 31), today=TODAY))
    assert finding.ok
    assert finding.message == "Badges expire on 31 December 2027."


@pytest.mark.parametrize(("months", "words"), [(1, "1 month"), (24, "24 months")])
def test_expiry_after_months(months, words):
    finding = only(check_expiry(expires_after_months=months, today=TODAY))
    assert finding.ok
    assert finding.field == "expires_after_months"
    assert finding.message == f"Badges expire {words} after they are issued."


@pytest.mark.parametrize("months", [0, -3, 1.5])
def test_expiry_months_must_be_positive_whole(months):
    finding = only(check_expiry(expires_after_months=months, today=TODAY))
    assert finding.code == "expiry_months_invalid"
    assert finding.blocking


def test_expiry_both_forms_is_an_error():
    finding = only(check_expiry(expires_after_months=12, expiry_date=date(2030, 1, 1), today=TODAY))
    assert finding.code == "expiry_both"
    assert finding.blocking


def test_today_is_required_and_arguments_keyword_only():
    with pytest.raises(TypeError):
        check_expiry(expiry_date=date(2030, 1, 1))  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        check_hours(3, 20, 40, 10)  # type: ignore[misc]


# --- Form of participation (EU element) --------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ({"modality": "asynchronous"}, "Online"),
        ({"modality": "self_paced"}, "Online"),
        ({"modality": "blended"}, "Online"),  # LEADS "blended online" is fully online
        # Before, the modality alone decided: an on-campus workshop in a "blended" course
        # still said "Online".
        ({"modality": "blended", "in_person_sessions": 1}, "Blended (online and on-site)"),
        (
            {"modality": "hybrid", "in_person_hours": 4, "total_hours": 28,
             "in_person_sessions": 1},
            "Blended (online and on-site)",
        ),
        ({"modality": "hybrid"}, "Blended (online and on-site)"),
        # Face to face: every learning hour in person.
        (
            {"modality": "hybrid", "in_person_hours": 28, "total_hours": 28,
             "in_person_sessions": 3},
            "On-site",
        ),
        ({"modality": ""}, ""),
    ],
)  # fmt: skip
def test_the_form_of_participation_follows_the_modality_and_the_in_person_teaching(
    template, expected
):
    assert rules.participation_form(**template) == expected
