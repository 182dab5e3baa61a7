"""Domain rules of the LEADS course template, as pure functions.

The rules come from the LEADS micro-credentials guide (the framework, the course submission
checklist, the course template and the criteria for the digital badge) and, for the EU elements,
from the Council Recommendation on a European approach to micro-credentials.

Every ``check_*`` function takes plain values (or duck-typed objects, see the Protocols below) and
returns a list of :class:`Finding`: one for each rule it evaluated, passed or not, so that the
submission checklist can show a tick with its reason as well as a problem with its fix. No Django
here: forms, services and the checklist call these functions and decide what to do with them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal, Protocol

# --- Findings ---------------------------------------------------------------------------------

Severity = Literal["error", "advice"]
ERROR: Severity = "error"
ADVICE: Severity = "advice"


@dataclass(frozen=True)
class Finding:
    """The outcome of one rule.

    ``code`` is machine-readable (like a Django ``ValidationError`` code), ``message`` is the
    sentence the course leader reads, ``field`` names the input the finding belongs to (``None``
    when it concerns several inputs). ``severity`` tells what a failure means: ``"error"`` blocks
    submission, ``"advice"`` only informs, because the guide says "typically" or "about".
    """

    code: str
    ok: bool
    message: str
    field: str | None = None
    severity: Severity = ERROR

    @property
    def blocking(self) -> bool:
        """True when this finding should stop the course from being submitted."""
        return not self.ok and self.severity == ERROR


def blocking_findings(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that stop submission (failed errors), in their original order."""
    return [finding for finding in findings if finding.blocking]


def problems(findings: Iterable[Finding]) -> list[Finding]:
    """The failed findings, errors and advice alike, in their original order."""
    return [finding for finding in findings if not finding.ok]


# --- Constants from the guide -----------------------------------------------------------------

# LEADS guide, Micro-credential framework: "1 micro-credential at AKU LEADS typically equals about
# 25-30 hours of work. This would include about 7-8 hours of teaching and 16-17 hours of
# self-study ... a micro-credential could range from 1-6 credits (25-180 hours of workload)."
HOURS_PER_CREDIT = (25, 30)
TEACHING_PER_CREDIT = (7, 8)
SELF_STUDY_PER_CREDIT = (16, 17)
CREDITS = (1, 6)

# LEADS course submission checklist, item 5: "Course has 2-5 clear learning goals".
OUTCOMES = (2, 5)

# LEADS course template, Teaching & Learning Modality, Hybrid: "In-person time should not exceed
# 40% of the overall course learning hours to ensure the principle of flexibility".
HYBRID_IN_PERSON_CAP = 0.40


@dataclass(frozen=True)
class Modality:
    """A teaching and learning modality of the LEADS course template."""

    key: str
    label: str
    description: str
    # Only hybrid courses may have in-person teaching; the others are online modalities.
    in_person_allowed: bool


# LEADS course template, Teaching & Learning Modality (descriptions quoted from the guide).
MODALITIES: dict[str, Modality] = {
    modality.key: modality
    for modality in (
        Modality(
            key="self_paced",
            label="Online self-paced",
            description=(
                "No direct faculty-participant interaction; participants access course "
                "materials and complete the course requirements at their own pace, at the time "
                "and place of their choosing."
            ),
            in_person_allowed=False,
        ),
        Modality(
            key="asynchronous",
            label="Online asynchronous",
            description=(
                "Faculty-participant interaction held asynchronously. This is a time-delayed "
                "mode of teaching where participants are not required to participate in "
                "teaching sessions at the same time. The AKU-VLE, in addition to offline digital "
                "resources, can be used in this mode. Students can access instructional material "
                "whenever and wherever it is most convenient for them."
            ),
            in_person_allowed=False,
        ),
        Modality(
            key="synchronous",
            label="Online synchronous",
            description=(
                "Faculty-participant interaction held in real-time. Participants complete tasks "
                "before or after the session."
            ),
            in_person_allowed=False,
        ),
        Modality(
            key="blended",
            label="Blended online",
            description="Blend of synchronous and asynchronous modality.",
            in_person_allowed=False,
        ),
        Modality(
            key="hybrid",
            label="Hybrid",
            description=(
                "Mix of in-person and online teaching, where online teaching can be synchronous, "
                "asynchronous. Online materials and activities complement, supplement, and build "
                "upon in-person teaching time. In-person time should not exceed 40% of the "
                "overall course learning hours to ensure the principle of flexibility."
            ),
            in_person_allowed=True,
        ),
    )
}


def browser_rules() -> dict:
    """The guide's numbers that the template's pages check while the leader types
    (static/js/hours.js, static/js/in-person-cap.js). Pages ship them with ``json_script``, so
    the browser reads the same rules as the functions below and no number is copied by hand."""
    return {
        "hours_per_credit": list(HOURS_PER_CREDIT),
        "credits": list(CREDITS),
        "hybrid_in_person_cap_percent": round(HYBRID_IN_PERSON_CAP * 100),
        "modalities": {
            key: {"label": m.label, "in_person_allowed": m.in_person_allowed}
            for key, m in MODALITIES.items()
        },
    }


# LEADS guide, Criteria for Digital Badge, Level: "Beginner, intermediate, advanced, expert/
# specialized, professional certification".
BADGE_LEVELS: dict[str, str] = {
    "beginner": "Beginner",
    "intermediate": "Intermediate",
    "advanced": "Advanced",
    "expert_specialised": "Expert / specialised",
    "professional_certification": "Professional certification",
}

# LEADS course submission checklist, item 8: "Types of assessments are listed (e.g., quizzes,
# assignments, projects)"; the rest are the usual forms a course leader will name.
ASSESSMENT_TYPES: dict[str, str] = {
    "quiz": "Quiz",
    "assignment": "Assignment",
    "project": "Project",
    "portfolio": "Portfolio",
    "exam": "Exam",
    "presentation": "Presentation",
    "practical": "Practical",
    "discussion": "Discussion",
    "reflection": "Reflection",
    "other": "Other",
}

# Council Recommendation on a European approach to micro-credentials, mandatory element "Form of
# participation in the learning activity".
PARTICIPATION_FORMS: dict[str, str] = {
    "online": "Online",
    "on_site": "On-site",
    "blended": "Blended (online and on-site)",
}

# The EU's "blended" means online and on-site together, which is the LEADS *hybrid* modality; the
# LEADS "blended online" modality is fully online. Map, never compare the words.
MODALITY_PARTICIPATION_FORM: dict[str, str] = {
    "self_paced": "online",
    "asynchronous": "online",
    "synchronous": "online",
    "blended": "online",
    "hybrid": "blended",
}

# European Qualifications Framework levels (Council Recommendation, mandatory element "Level").
EQF_LEVELS: tuple[int, ...] = tuple(range(1, 9))

# Council Recommendation on a European approach to micro-credentials, Annex I, mandatory elements.
EU_MANDATORY_ELEMENTS: dict[str, str] = {
    "title": "Title of the micro-credential",
    "awarding_body": "Awarding body",
    "date_of_issue": "Date of issuing",
    "learning_outcomes": "Learning outcomes",
    "workload": "Notional workload needed to achieve the learning outcomes (in ECTS credits)",
    "level": "Level of the learning experience (EQF, QF-EHEA)",
    "assessment_type": "Type of assessment",
    "participation_form": "Form of participation in the learning activity",
    "quality_assurance": "Type of quality assurance used to underpin the micro-credential",
}


# --- Shapes accepted by the checks ------------------------------------------------------------
# Each shape may be an object with these attributes or a mapping with these keys (a model
# instance, a form's cleaned_data, a dict in a test). The Protocols document the attributes.


class SessionLike(Protocol):
    """An in-person session: ``place`` (campus or venue) and ``timing`` (when in the course).

    Optional: ``title`` (used in messages) and ``in_person`` (``False`` sessions are skipped;
    missing means in person).
    """

    place: str | None
    timing: str | None


class OutcomeLike(Protocol):
    """A learning outcome: ``id`` (any hashable) and ``label`` (shown in messages; ``text`` is
    used when there is no ``label``)."""

    id: Any
    label: str


class CriterionLike(Protocol):
    """A rubric criterion of an assessment.

    ``outcome_id``: the outcome it judges; ``None`` or missing means every outcome the assessment
    assesses. ``pass_fail``: true when the criterion is judged pass (demonstrates the skill) or
    fail (does not), as the guide asks.
    """

    outcome_id: Any
    pass_fail: bool


class AssessmentLike(Protocol):
    """An assessment: ``outcome_ids`` (ids of the outcomes it assesses), ``summative`` (true when
    it counts towards the award; false for formative practice) and ``criteria`` (its rubric, a
    list of :class:`CriterionLike`). Optional: ``title`` (used in messages)."""

    outcome_ids: Iterable[Any]
    summative: bool
    criteria: Iterable[CriterionLike]


def _get(obj: Any, name: str, default: Any = None) -> Any:
    """Read ``name`` from a mapping or an object, so callers may pass dicts or model instances."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- Numbers in words -------------------------------------------------------------------------

Hours = int | float | Decimal


def _dec(value: Hours) -> Decimal:
    """An exact Decimal, so that 25·N and 40% boundaries are not blurred by float rounding."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"expected a number of hours, got {value!r}")
    if isinstance(value, float):
        return Decimal(str(value))
    return Decimal(value)


def _fmt(value: Decimal | int, places: int = 1) -> str:
    """A number as a person writes it: 20, 7.5, 6.7 (at most ``places`` decimals)."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(int(value))
    rounded = value.quantize(Decimal(1).scaleb(-places))
    text = format(rounded, "f").rstrip("0").rstrip(".")
    return text


def _credits_words(credits: int) -> str:
    return "1 credit" if credits == 1 else f"{credits} credits"


def _is_whole(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return False
    return _dec(value) == _dec(value).to_integral_value()


# --- Credits, hours and outcomes --------------------------------------------------------------


def check_credits(credits: Any) -> list[Finding]:
    """Credits must be a whole number from 1 to 6.

    LEADS guide, Micro-credential framework: "a micro-credential could range from 1-6 credits
    (25-180 hours of workload)".
    """
    low, high = CREDITS
    if not _is_whole(credits):
        return [
            Finding(
                code="credits_not_whole",
                ok=False,
                message=(
                    f"Credits must be a whole number from {low} to {high}; {credits!s} was entered."
                ),
                field="credits",
            )
        ]
    credits = int(credits)
    hours_low, hours_high = HOURS_PER_CREDIT
    if credits < low:
        return [
            Finding(
                code="credits_too_few",
                ok=False,
                message=(
                    f"A micro-credential carries {low} to {high} credits "
                    f"({hours_low * low}–{hours_high * high} hours of work); "
                    f"{credits} credits were entered."
                ),
                field="credits",
            )
        ]
    if credits > high:
        return [
            Finding(
                code="credits_too_many",
                ok=False,
                message=(
                    f"A micro-credential carries at most {high} credits "
                    f"({hours_high * high} hours of work); {credits} credits were entered. "
                    "Split the course into smaller micro-credentials."
                ),
                field="credits",
            )
        ]
    return [
        Finding(
            code="credits_ok",
            ok=True,
            message=(
                f"{_credits_words(credits).capitalize()} is within the guide's {low}–{high} "
                f"({hours_low * credits}–{hours_high * credits} hours of work)."
            ),
            field="credits",
        )
    ]


def _per_credit_finding(
    *,
    what: str,
    code: str,
    field: str,
    hours: Decimal,
    credits: int,
    typical: tuple[int, int],
) -> Finding:
    """Advice on one part of the guide's typical split of a credit's hours."""
    low, high = typical
    per_credit = hours / credits
    if low * credits <= hours <= high * credits:
        return Finding(
            code=f"{code}_typical",
            ok=True,
            message=(
                f"{what.capitalize()} comes to {_fmt(per_credit)} hours per credit, within the "
                f"guide's typical {low}–{high}."
            ),
            field=field,
            severity=ADVICE,
        )
    direction = "low" if hours < low * credits else "high"
    return Finding(
        code=f"{code}_{direction}",
        ok=False,
        message=(
            f"{what.capitalize()} comes to {_fmt(per_credit)} hours per credit "
            f"({_fmt(hours)} hours for {_credits_words(credits)}); the guide's typical split is "
            f"about {low}–{high} hours of {what} per credit ({low * credits}–{high * credits} "
            f"for {_credits_words(credits)}). This is advice, not a requirement."
        ),
        field=field,
        severity=ADVICE,
    )


def check_hours(
    *,
    credits: int,
    teaching_hours: Hours,
    self_study_hours: Hours,
    other_hours: Hours = 0,
) -> list[Finding]:
    """The notional hours must fit the credits; the teaching/self-study split is advice.

    LEADS guide, Micro-credential framework: 1 credit = 25–30 h of work, "about 7-8 hours of
    teaching and 16-17 hours of self-study, completion of tasks assigned, assessment or any other
    work". The total is an error when outside 25·N–30·N (both ends allowed). The split is only
    advice, because the guide says "about"; self-study is compared on its own, since ``other_hours``
    holds the tasks, assessment and other work the guide lists after it.

    Returns nothing but a ``hours_need_credits`` error while credits are not a whole number of at
    least 1, and only ``hours_negative`` errors while any hours are negative, because a range
    computed from such inputs would mislead.
    """
    if not _is_whole(credits) or int(credits) < 1:
        return [
            Finding(
                code="hours_need_credits",
                ok=False,
                message=(
                    "The hours can be checked once the credits are a whole number "
                    f"from {CREDITS[0]} to {CREDITS[1]}."
                ),
                field="credits",
            )
        ]
    credits = int(credits)
    parts = {
        "teaching_hours": ("teaching", _dec(teaching_hours)),
        "self_study_hours": ("self-study", _dec(self_study_hours)),
        "other_hours": ("other", _dec(other_hours)),
    }
    negative = [
        Finding(
            code="hours_negative",
            ok=False,
            message=f"{name.capitalize()} hours cannot be negative; {_fmt(value)} was entered.",
            field=field,
        )
        for field, (name, value) in parts.items()
        if value < 0
    ]
    if negative:
        return negative

    teaching = parts["teaching_hours"][1]
    self_study = parts["self_study_hours"][1]
    other = parts["other_hours"][1]
    total = teaching + self_study + other
    low, high = (per_credit * credits for per_credit in HOURS_PER_CREDIT)

    # Spell the sum out so the course leader can see which number to change.
    terms = [f"{_fmt(teaching)} teaching", f"{_fmt(self_study)} self-study"]
    if other:
        terms.append(f"{_fmt(other)} other")
    need = "needs" if credits == 1 else "need"
    sentence = (
        f"{_credits_words(credits)} {need} {low}–{high} hours; the hours entered add up to "
        f"{_fmt(total)} ({' + '.join(terms)})"
    )
    if total < low:
        code, ending = "hours_total_short", f", {_fmt(low - total)} short."
    elif total > high:
        code, ending = "hours_total_over", f", {_fmt(total - high)} over."
    else:
        code, ending = "hours_total_ok", ", within range."
    findings = [Finding(code=code, ok=code == "hours_total_ok", message=sentence + ending)]

    findings.append(
        _per_credit_finding(
            what="teaching",
            code="teaching_per_credit",
            field="teaching_hours",
            hours=teaching,
            credits=credits,
            typical=TEACHING_PER_CREDIT,
        )
    )
    findings.append(
        _per_credit_finding(
            what="self-study",
            code="self_study_per_credit",
            field="self_study_hours",
            hours=self_study,
            credits=credits,
            typical=SELF_STUDY_PER_CREDIT,
        )
    )
    return findings


def check_outcome_count(n: int) -> list[Finding]:
    """A course lists 2 to 5 learning outcomes.

    LEADS course submission checklist, item 5: "Course has 2–5 clear learning goals (what learners
    will be able to do)".
    """
    low, high = OUTCOMES
    if n < low:
        if n <= 0:
            listed, add = "none are listed", f"add at least {low}"
        else:
            listed = "1 is listed" if n == 1 else f"{n} are listed"
            add = f"add at least {low - n} more"
        return [
            Finding(
                code="outcome_count_too_few",
                ok=False,
                message=f"A course needs {low}–{high} learning outcomes; {listed}, {add}.",
                field="outcomes",
            )
        ]
    if n > high:
        extra = n - high
        return [
            Finding(
                code="outcome_count_too_many",
                ok=False,
                message=(
                    f"A course needs {low}–{high} learning outcomes; {n} are listed. Merge or "
                    f"remove {extra} so that each one can be assessed."
                ),
                field="outcomes",
            )
        ]
    return [
        Finding(
            code="outcome_count_ok",
            ok=True,
            message=f"{n} learning outcomes, within the guide's {low}–{high}.",
            field="outcomes",
        )
    ]


# --- Modality and in-person teaching ----------------------------------------------------------


def _percent(part: Decimal, whole: Decimal) -> str:
    return f"{_fmt(part * 100 / whole)}%"


def check_hybrid(*, modality: str, in_person_hours: Hours, total_hours: Hours) -> list[Finding]:
    """In-person hours: at most 40% of all learning hours for hybrid courses, none otherwise.

    LEADS course template, Teaching & Learning Modality: hybrid is a "mix of in-person and online
    teaching ... In-person time should not exceed 40% of the overall course learning hours";
    the other modalities are online ones. ``total_hours`` is the overall learning hours
    (teaching + self-study + other). Exactly 40% is allowed.
    """
    if modality not in MODALITIES:
        choices = ", ".join(m.label for m in MODALITIES.values())
        return [
            Finding(
                code="modality_unknown",
                ok=False,
                message=f"Choose a teaching and learning modality: {choices}.",
                field="modality",
            )
        ]
    label = MODALITIES[modality].label
    in_person = _dec(in_person_hours)
    total = _dec(total_hours)
    if in_person < 0:
        return [
            Finding(
                code="in_person_negative",
                ok=False,
                message=f"In-person hours cannot be negative; {_fmt(in_person)} was entered.",
                field="in_person_hours",
            )
        ]

    if not MODALITIES[modality].in_person_allowed:
        if in_person > 0:
            return [
                Finding(
                    code="in_person_not_hybrid",
                    ok=False,
                    message=(
                        f"{label} courses are taught fully online, so in-person hours should be "
                        f"0; {_fmt(in_person)} were entered. Choose Hybrid if part of the course "
                        "is taught in person."
                    ),
                    field="in_person_hours",
                )
            ]
        return [
            Finding(
                code="in_person_none",
                ok=True,
                message=f"{label} courses are taught fully online, with no in-person hours.",
                field="in_person_hours",
            )
        ]

    if total <= 0:
        return [
            Finding(
                code="hybrid_total_missing",
                ok=False,
                message=(
                    "Enter the course's learning hours first: the in-person share of a hybrid "
                    "course is measured against them."
                ),
                field="in_person_hours",
            )
        ]
    if in_person > total:
        return [
            Finding(
                code="in_person_exceeds_total",
                ok=False,
                message=(
                    f"In-person hours ({_fmt(in_person)}) cannot be more than the course's "
                    f"{_fmt(total)} learning hours."
                ),
                field="in_person_hours",
            )
        ]
    if in_person == 0:
        return [
            Finding(
                code="hybrid_no_in_person",
                ok=False,
                message=(
                    "A hybrid course mixes in-person and online teaching, but no in-person hours "
                    "were entered; enter them, or choose an online modality."
                ),
                field="in_person_hours",
                severity=ADVICE,
            )
        ]

    cap_percent = round(HYBRID_IN_PERSON_CAP * 100)
    cap_hours = total * cap_percent / 100
    share = _percent(in_person, total)
    # Compare in exact decimals: 32 of 80 hours is exactly 40% and must pass.
    if in_person * 100 > total * cap_percent:
        return [
            Finding(
                code="hybrid_in_person_over_cap",
                ok=False,
                message=(
                    f"In-person teaching is {share} of the course's learning hours "
                    f"({_fmt(in_person)} of {_fmt(total)}); a hybrid course may have at most "
                    f"{cap_percent}% in person ({_fmt(cap_hours)} hours), so reduce it by "
                    f"{_fmt(in_person - cap_hours)} hours."
                ),
                field="in_person_hours",
            )
        ]
    return [
        Finding(
            code="hybrid_in_person_ok",
            ok=True,
            message=(
                f"In-person teaching is {share} of the course's learning hours "
                f"({_fmt(in_person)} of {_fmt(total)}), within the {cap_percent}% limit for "
                "hybrid courses."
            ),
            field="in_person_hours",
        )
    ]


def check_in_person_sessions(
    sessions: Iterable[SessionLike | Mapping[str, Any]],
    *,
    in_person_hours: Hours | None = None,
) -> list[Finding]:
    """Each in-person session names its place and when in the course it happens.

    LEADS course template, Content and schedule: "If there is in-person teaching involved, it is
    important to indicate the specific placement and location of these sessions within the
    course, whether it be in the first week, middle, or towards the end, at AKU Karachi campus,
    Chitral, Syria, etc." (checklist item 6).

    ``sessions`` are objects or mappings with ``place`` and ``timing`` (see
    :class:`SessionLike`). Fields are reported as ``sessions[i].place`` with ``i`` counted from 0;
    messages count from 1. When ``in_person_hours`` is given and positive, an empty list of
    sessions is an error.
    """
    in_person = [s for s in sessions if _get(s, "in_person", True) is not False]
    if not in_person:
        if in_person_hours is not None and _dec(in_person_hours) > 0:
            return [
                Finding(
                    code="in_person_sessions_missing",
                    ok=False,
                    message=(
                        f"The course has {_fmt(_dec(in_person_hours))} in-person hours but no "
                        "in-person sessions are listed; add each session with its place and "
                        "when in the course it happens."
                    ),
                    field="sessions",
                )
            ]
        return [
            Finding(
                code="in_person_sessions_none",
                ok=True,
                message="No in-person sessions are listed, so no place or timing is needed.",
                field="sessions",
            )
        ]

    findings = []
    for index, session in enumerate(in_person):
        title = _get(session, "title")
        name = f"In-person session {index + 1}"
        if not _blank(title):
            name += f" ({str(title).strip()})"
        if _blank(_get(session, "place")):
            findings.append(
                Finding(
                    code="in_person_session_no_place",
                    ok=False,
                    message=(
                        f"{name} does not say where it takes place; name the campus or venue "
                        "(for example AKU Karachi campus)."
                    ),
                    field=f"sessions[{index}].place",
                )
            )
        if _blank(_get(session, "timing")):
            findings.append(
                Finding(
                    code="in_person_session_no_timing",
                    ok=False,
                    message=(
                        f"{name} does not say when in the course it happens (for example the "
                        "first week, the middle or towards the end)."
                    ),
                    field=f"sessions[{index}].timing",
                )
            )
    if findings:
        return findings
    count = len(in_person)
    subject = (
        "The in-person session names" if count == 1 else f"All {count} in-person sessions name"
    )
    return [
        Finding(
            code="in_person_sessions_ok",
            ok=True,
            message=f"{subject} a place and a time in the course.",
            field="sessions",
        )
    ]


def participation_form(
    *,
    modality: str,
    in_person_hours: Hours | None = 0,
    total_hours: Hours | None = 0,
    in_person_sessions: int = 0,
) -> str:
    """The EU element "form of participation in the learning activity", in words, from the
    approved template: its modality and its in-person teaching ("" when the template says
    neither).

    In-person teaching decides first: a course with in-person hours or in-person sessions is
    "Blended (online and on-site)" whatever its online modality is called (an on-campus workshop
    in a "blended online" course is still on-site participation), and "On-site" when all of its
    learning hours are in person (face to face). Without any, the modality maps to the EU's
    words (MODALITY_PARTICIPATION_FORM: every LEADS online modality is "Online"; hybrid, which
    is in person by definition, is blended).
    """
    hours = _dec(in_person_hours or 0)
    total = _dec(total_hours or 0)
    if hours > 0 or in_person_sessions > 0:
        key = "on_site" if total > 0 and hours >= total else "blended"
    else:
        key = MODALITY_PARTICIPATION_FORM.get(modality or "", "")
    return PARTICIPATION_FORMS.get(key, "")


# --- Assessment -------------------------------------------------------------------------------


def _outcome_label(outcome: Any) -> str:
    label = _get(outcome, "label")
    if _blank(label):
        label = _get(outcome, "text")
    if _blank(label):
        label = _get(outcome, "id")
    return str(label).strip()


def _quoted_list(labels: list[str]) -> str:
    quoted = [f"'{label}'" for label in labels]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _outcomes_phrase(count: int) -> str:
    return "1 learning outcome is" if count == 1 else f"{count} learning outcomes are"


def check_assessment_coverage(
    outcomes: Iterable[OutcomeLike | Mapping[str, Any]],
    assessments: Iterable[AssessmentLike | Mapping[str, Any]],
) -> list[Finding]:
    """Every outcome is assessed, and assessed summatively with a pass/fail criterion.

    LEADS course template, Assessment: "Micro-credentials are usually graded based on pass
    (demonstrates the skill) or fail (does not demonstrate a skill). Course designers would have to
    build in the evaluation of competencies into the programme delivery"; checklist item 8:
    "Rubrics or criteria for assessing each competency are outlined."

    Accepted shapes (objects or mappings):

    * outcome: ``id`` and ``label`` (or ``text``), see :class:`OutcomeLike`;
    * assessment: ``outcome_ids``, ``summative`` and ``criteria``, optional ``title``, see
      :class:`AssessmentLike`;
    * criterion: ``outcome_id`` (``None`` = all the assessment's outcomes) and ``pass_fail``, see
      :class:`CriterionLike`.

    An outcome is covered by a summative pass/fail criterion when some assessment with a true
    ``summative`` lists the outcome in ``outcome_ids`` and has a criterion with a true
    ``pass_fail`` whose ``outcome_id`` is the outcome's id or ``None``. Returns an empty list when
    there are no outcomes (:func:`check_outcome_count` reports that).
    """
    outcomes = list(outcomes)
    assessments = list(assessments)
    if not outcomes:
        return []
    labels = {_get(outcome, "id"): _outcome_label(outcome) for outcome in outcomes}

    findings: list[Finding] = []
    assessed: set[Any] = set()
    pass_fail: set[Any] = set()
    for index, assessment in enumerate(assessments):
        title = _get(assessment, "title")
        name = f"'{str(title).strip()}'" if not _blank(title) else f"{index + 1}"
        outcome_ids = list(_get(assessment, "outcome_ids", None) or ())
        unknown = [oid for oid in outcome_ids if oid not in labels]
        if unknown:
            ids = ", ".join(str(oid) for oid in unknown)
            findings.append(
                Finding(
                    code="assessment_unknown_outcome",
                    ok=False,
                    message=(
                        f"Assessment {name} refers to learning outcomes that are not in the "
                        f"course (id {ids}); pick the outcomes it assesses again."
                    ),
                    field=f"assessments[{index}].outcome_ids",
                )
            )
        known = [oid for oid in outcome_ids if oid in labels]
        assessed.update(known)
        if not _get(assessment, "summative", False):
            continue
        for criterion in _get(assessment, "criteria", None) or ():
            if not _get(criterion, "pass_fail", False):
                continue
            target = _get(criterion, "outcome_id")
            if target is None:
                pass_fail.update(known)
            elif target in known:
                pass_fail.add(target)

    unassessed = [label for oid, label in labels.items() if oid not in assessed]
    if unassessed:
        findings.append(
            Finding(
                code="outcomes_unassessed",
                ok=False,
                message=(
                    f"{_outcomes_phrase(len(unassessed))} not assessed by any assessment: "
                    f"{_quoted_list(unassessed)}. Every learning outcome needs at least one "
                    "assessment."
                ),
                field="assessments",
            )
        )
    else:
        findings.append(
            Finding(
                code="outcomes_assessed",
                ok=True,
                message="Every learning outcome is assessed by at least one assessment.",
                field="assessments",
            )
        )

    without = [label for oid, label in labels.items() if oid not in pass_fail]
    if without:
        findings.append(
            Finding(
                code="outcomes_without_pass_fail",
                ok=False,
                message=(
                    f"{_outcomes_phrase(len(without))} not judged pass or fail in a summative "
                    f"assessment: {_quoted_list(without)}. Micro-credentials are awarded on "
                    "pass (demonstrates the skill) or fail, so give each learning outcome a "
                    "pass/fail rubric criterion in a summative assessment."
                ),
                field="assessments",
            )
        )
    else:
        findings.append(
            Finding(
                code="outcomes_pass_fail",
                ok=True,
                message=(
                    "Every learning outcome has a pass/fail rubric criterion in a summative "
                    "assessment."
                ),
                field="assessments",
            )
        )
    return findings


# --- Badge expiry -----------------------------------------------------------------------------

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _date_words(day: date) -> str:
    # Spelled out without strftime so the wording does not depend on the server's locale.
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def check_expiry(
    *,
    expires_after_months: int | None = None,
    expiry_date: date | None = None,
    today: date,
) -> list[Finding]:
    """A badge may expire, either a number of months after issue or on a fixed date.

    LEADS guide, Criteria for Digital Badge, Expiry Date: "Specify whether the badge has an expiry
    date ... If the badge does not expire, this can left blank ... if your course covers skills
    that must be updated after a number of years then you could include an expiry date."

    A fixed date before ``today`` is an error (every badge issued would already have expired); a
    date of ``today`` is advice. Giving both forms is an error, as is a months value that is not a
    whole number of at least 1.
    """
    if expires_after_months is not None and expiry_date is not None:
        return [
            Finding(
                code="expiry_both",
                ok=False,
                message=(
                    "Give either a fixed expiry date or a number of months after issue, not both."
                ),
                field="expiry_date",
            )
        ]
    if expires_after_months is not None:
        if not _is_whole(expires_after_months) or int(expires_after_months) < 1:
            return [
                Finding(
                    code="expiry_months_invalid",
                    ok=False,
                    message=(
                        "The badge's validity must be a whole number of months, at least 1; "
                        f"{expires_after_months!s} was entered."
                    ),
                    field="expires_after_months",
                )
            ]
        months = int(expires_after_months)
        unit = "month" if months == 1 else "months"
        return [
            Finding(
                code="expiry_after_months",
                ok=True,
                message=f"Badges expire {months} {unit} after they are issued.",
                field="expires_after_months",
            )
        ]
    if expiry_date is not None:
        if expiry_date < today:
            return [
                Finding(
                    code="expiry_date_past",
                    ok=False,
                    message=(
                        f"The expiry date {_date_words(expiry_date)} is in the past (today is "
                        f"{_date_words(today)}), so every badge issued would already have "
                        "expired. Choose a later date, a number of months after issue, or no "
                        "expiry."
                    ),
                    field="expiry_date",
                )
            ]
        if expiry_date == today:
            return [
                Finding(
                    code="expiry_date_today",
                    ok=False,
                    message=(
                        f"The expiry date is today ({_date_words(today)}); badges issued from "
                        "tomorrow would already have expired."
                    ),
                    field="expiry_date",
                    severity=ADVICE,
                )
            ]
        return [
            Finding(
                code="expiry_date_ok",
                ok=True,
                message=f"Badges expire on {_date_words(expiry_date)}.",
                field="expiry_date",
            )
        ]
    return [
        Finding(
            code="expiry_none",
            ok=True,
            message="The badge does not expire.",
            field="expiry_date",
        )
    ]
