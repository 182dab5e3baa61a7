"""Demo courses in every state of the LEADS process, from the seeds' example areas."""

from datetime import date

from assessments.services import assessment_save
from courses.models import ContentUnit, Course, LearningOutcome
from courses.services import course_create
from leads.services import (
    course_revise,
    course_submit,
    submission_approve,
    submission_reject,
    submission_request_changes,
)

AFFIRMED = dict(
    affirms_aim=True,
    affirms_eligibility=True,
    affirms_prerequisites=True,
    affirms_resources=True,
    affirms_budget=True,
)

COURSES = [
    {
        "title": "Data Analytics with Python",
        "leader": "leader.data@leads.example",
        "state": "approved",
        "fields": dict(
            aim="Equip working professionals to clean, analyse and visualise business data "
            "with Python so that they can answer questions from their own organisation's data.",
            target_audience="Working professionals in business, government and NGOs who use "
            "spreadsheets daily; job seekers re-skilling into data roles.",
            eligibility="A bachelor's degree or two years of work experience with data.",
            prerequisites="Comfort with spreadsheets; no programming experience needed.",
            credits=2, teaching_hours=15, self_study_hours=33, other_hours=8,
            modality="asynchronous", in_person_hours=0,
            planned_start=date(2027, 1, 11), planned_end=date(2027, 3, 5),
            evidence_required="Three notebooks analysing a public data set and a final "
            "dashboard project, each passed against the rubric.",
            resources_note="Two instructors, the AKU-VLE and JupyterHub accounts.",
            budget_note="Funded from the department's continuing education budget.",
            badge_name="Data Analytics with Python",
            badge_description="The holder can clean, analyse and visualise tabular data with "
            "Python, shown in three notebooks and a dashboard project.",
            # Two years: data tools move fast. The demo's first cohort's badges have expired.
            badge_level="intermediate", badge_expiry_months=24, badge_issue_mode="automatic",
            badge_message="Congratulations! You have shown you can turn raw data into answers.",
            eqf_level=6,
            eu_assessment_type="Practical notebooks and a project, assessed pass/fail",
            quality_assurance="Internal quality assurance: approved by the Dean of the "
            "Department of Data Science under the LEADS process.",
            assessment_supervision="none",
            stackability="Stackable with SQL for Data Analysis towards a data skills pathway.",
        ),
        "outcomes": [
            "Apply Python and pandas to clean and combine messy tabular data.",
            "Analyse a data set to answer a business question with descriptive statistics.",
            "Create clear visualisations and a dashboard that communicate findings.",
        ],
        "units": [
            ("Python and notebooks for analysts", False, "", ""),
            ("Cleaning and combining data with pandas", False, "", ""),
            ("Descriptive statistics", False, "", ""),
            ("Visualisation and dashboards", False, "", ""),
        ],
        "assessments": [
            ("Data cleaning notebook", "assignment", "summative", [0]),
            ("Analysis notebook", "assignment", "summative", [1]),
            ("Dashboard project", "project", "summative", [2]),
        ],
    },
    {
        "title": "Leading School Improvement",
        "leader": "leader@leads.example",
        "state": "resubmitted",
        "fields": dict(
            aim="Develop middle leaders' skills to lead data-informed school improvement.",
            target_audience="Middle leaders, heads of department and head teachers in primary "
            "and secondary schools in Pakistan and East Africa.",
            eligibility="At least two years of teaching and a current leadership role.",
            prerequisites="None beyond the eligibility criteria.",
            credits=2, teaching_hours=16, self_study_hours=32, other_hours=8,
            modality="hybrid", in_person_hours=12,
            planned_start=date(2027, 2, 1), planned_end=date(2027, 3, 31),
            evidence_required="A school improvement plan and a reflective portfolio.",
            resources_note="Two faculty members, the VLE and a seminar room in Karachi.",
            budget_note="Covered by the Institute's continuing education budget.",
            badge_name="School Improvement Leader",
            badge_description="The holder has planned and evaluated a data-informed school "
            "improvement initiative.",
            badge_level="advanced", badge_expiry_months=36, badge_issue_mode="manual",
            badge_message="Congratulations on leading improvement in your school!",
            eqf_level=7,
            eu_assessment_type="Project and portfolio, assessed pass/fail against a rubric",
            quality_assurance="Internal: approved by the Dean of the Institute under the LEADS "
            "quality process.",
            assessment_supervision="none",
        ),
        "outcomes": [
            "Analyse school data to identify priorities for improvement.",
            "Design a professional development plan for a team of teachers.",
            "Evaluate the impact of an improvement initiative using evidence.",
        ],
        "units": [
            ("Using school data", False, "", ""),
            ("Leading change workshop", True, "AKU Karachi campus", "Week 3"),
            ("Professional development that works", False, "", ""),
            ("Evaluating impact", False, "", ""),
        ],
        "assessments": [
            ("School improvement plan", "project", "summative", [0, 1, 2]),
            ("Reflective portfolio", "portfolio", "formative", [2]),
        ],
        "changes": "Please make LO3 more specific about the evidence used, and name the week "
        "of the Karachi workshop in the schedule.",
        "revision": {
            "outcome": (2, "Evaluate the impact of an improvement initiative using student "
                        "outcome and observation evidence."),
        },
    },
    {
        "title": "Inclusive Learning in Primary Classrooms",
        "leader": "leader@leads.example",
        "state": "approved",
        "fields": dict(
            aim="Enable primary teachers to plan lessons in which every child can take part "
            "and make progress, including children with disabilities.",
            target_audience="Primary school teachers and teaching assistants.",
            eligibility="Practising or aspiring primary teachers.",
            prerequisites="None.",
            # An opening workshop on campus: a hybrid course, so its badge says "Blended
            # (online and on-site)" (rules.participation_form).
            credits=1, teaching_hours=8, self_study_hours=16, other_hours=4,
            modality="hybrid", in_person_hours=4,
            evidence_required="Two adapted lesson plans with a reflection on their use.",
            resources_note="One instructor and the VLE.", budget_note="Grant-funded.",
            badge_name="Inclusive Classroom Practitioner",
            badge_description="The holder adapts lessons so that every learner participates.",
            badge_level="beginner", badge_issue_mode="manual",
            badge_message="Well done: your classroom just became more inclusive.",
            eqf_level=5, eu_assessment_type="Assignments, pass/fail",
            quality_assurance="Internal: Dean's approval under the LEADS process.",
        ),
        "outcomes": [
            "Identify barriers to participation for learners in a primary classroom.",
            "Design lesson adaptations that remove those barriers.",
        ],
        "units": [
            ("Opening workshop", True, "AKU Karachi campus, IED", "Week 2"),
            ("What inclusion means", False, "", ""),
            ("Barriers and adaptations", False, "", ""),
            ("Planning inclusive lessons", False, "", ""),
        ],
        "assessments": [("Adapted lesson plans", "assignment", "summative", [0, 1])],
    },
    {
        "title": "Research Methods: Qualitative and Quantitative",
        "leader": "leader.data@leads.example",
        "state": "submitted",
        "fields": dict(
            aim="Prepare practitioners to design and carry out a small applied research study.",
            target_audience="Practitioners in education, health and development who evaluate "
            "their own programmes.",
            eligibility="A bachelor's degree.", prerequisites="None.",
            credits=3, teaching_hours=22, self_study_hours=50, other_hours=12,
            modality="blended", in_person_hours=0,
            evidence_required="A research proposal and a short mixed-methods report.",
            resources_note="Two instructors; NVivo and R licences.", budget_note="Department.",
            badge_name="Applied Research Methods",
            badge_description="The holder designs and reports a small mixed-methods study.",
            badge_level="intermediate", badge_issue_mode="automatic",
            badge_message="Congratulations, researcher!", eqf_level=7,
            eu_assessment_type="Proposal and report, pass/fail",
            quality_assurance="Internal: Dean's approval under the LEADS process.",
        ),
        "outcomes": [
            "Design a research question and a study that can answer it.",
            "Apply qualitative and quantitative methods to collect and analyse data.",
            "Evaluate the validity of findings and report them to stakeholders.",
        ],
        "units": [("Asking answerable questions", False, "", ""),
                  ("Qualitative methods", False, "", ""), ("Quantitative methods", False, "", ""),
                  ("Mixed methods and reporting", False, "", "")],
        "assessments": [("Research proposal", "assignment", "summative", [0]),
                        ("Mixed-methods report", "project", "summative", [1, 2])],
    },
    {
        "title": "Mentoring and Coaching for Early-Career Teachers",
        "leader": "leader@leads.example",
        "state": "changes_requested",
        "fields": dict(
            aim="Prepare experienced teachers to mentor and coach teachers in their first "
            "years.",
            target_audience="Experienced teachers asked to mentor new colleagues.",
            eligibility="Five years of teaching experience.",
            prerequisites="None.",
            credits=1, teaching_hours=7, self_study_hours=17, other_hours=4,
            modality="synchronous", in_person_hours=0,
            evidence_required="A recorded coaching conversation with a written reflection.",
            resources_note="One instructor; Zoom licence.", budget_note="Institute budget.",
            badge_name="Teacher Mentor", badge_description="The holder mentors new teachers.",
            badge_level="intermediate", badge_issue_mode="manual",
            badge_message="Congratulations, mentor!", eqf_level=6,
            eu_assessment_type="Recorded practice, pass/fail",
            quality_assurance="Internal: Dean's approval under the LEADS process.",
        ),
        "outcomes": [
            "Apply a coaching model in a conversation with a new teacher.",
            "Evaluate a mentee's lesson and give actionable feedback.",
        ],
        "units": [("Mentoring and coaching models", False, "", ""),
                  ("Feedback conversations", False, "", "")],
        "assessments": [("Recorded coaching conversation", "practical", "summative", [0, 1])],
        "changes": "The rubric needs separate criteria for the coaching model and for the "
        "feedback; and please add the readings to the self-study hours.",
    },
    {
        "title": "Biostatistics Refresher for Health Professionals",
        "leader": "leader.data@leads.example",
        "state": "rejected",
        "fields": dict(
            aim="Refresh the statistics health professionals need to read research papers.",
            target_audience="Nurses, midwives and allied health professionals.",
            eligibility="A health sciences degree.", prerequisites="None.",
            credits=1, teaching_hours=8, self_study_hours=16, other_hours=3,
            modality="self_paced", in_person_hours=0,
            evidence_required="Quizzes on each unit and a critical appraisal of one paper.",
            resources_note="Existing recorded lectures.", budget_note="No extra cost.",
            badge_name="Biostatistics Refresher", badge_description="Reads research statistics.",
            badge_level="beginner", badge_issue_mode="automatic",
            badge_message="Congratulations!", eqf_level=6,
            eu_assessment_type="Online quizzes, pass/fail",
            quality_assurance="Internal: Dean's approval under the LEADS process.",
        ),
        "outcomes": [
            "Interpret confidence intervals and p-values reported in a clinical paper.",
            "Critique the statistical methods of a published study.",
        ],
        "units": [("Describing data", False, "", ""), ("Inference", False, "", "")],
        "assessments": [("Unit quizzes and appraisal", "quiz", "summative", [0, 1])],
        "reject": "This duplicates the MSc Epidemiology module that is already open to "
        "these learners; please discuss a shorter, practice-focused course with the School.",
    },
    {
        "title": "Lesson Planning for Early Childhood Education",
        "leader": "leader@leads.example",
        "state": "draft",
        "fields": dict(
            aim="Help ECED teachers develop lesson plans for their classes.",
            target_audience="Early childhood teachers and caregivers.",
            credits=1, modality="hybrid", in_person_hours=0,
        ),
        "outcomes": ["Understand how young children learn through play."],
        "units": [("Play-based learning", True, "", "")],
        "assessments": [],
    },
    {
        "title": "SQL for Data Analysis",
        "leader": "leader.data@leads.example",
        "state": "revising",
        "fields": dict(
            aim="Teach analysts to query relational databases to answer business questions.",
            target_audience="Analysts and job seekers moving into data roles.",
            eligibility="Secondary school and basic computer skills.", prerequisites="None.",
            credits=1, teaching_hours=8, self_study_hours=17, other_hours=3,
            modality="asynchronous", in_person_hours=0,
            evidence_required="Weekly query exercises and a final analysis report.",
            resources_note="PostgreSQL sandbox and the VLE.", budget_note="Department budget.",
            badge_name="SQL for Data Analysis",
            badge_description="The holder writes SQL queries that answer business questions.",
            badge_level="beginner", badge_expiry_months=None, badge_issue_mode="automatic",
            badge_message="Congratulations: your first queries are behind you!", eqf_level=5,
            eu_assessment_type="Exercises and a report, pass/fail",
            quality_assurance="Internal: Dean's approval under the LEADS process.",
            stackability="Stackable with Data Analytics with Python.",
        ),
        "outcomes": [
            "Construct SQL queries that filter, join and aggregate tables.",
            "Analyse a business question with a sequence of queries and report the answer.",
        ],
        "units": [("Selecting and filtering", False, "", ""), ("Joins", False, "", ""),
                  ("Aggregation", False, "", ""), ("From question to query", False, "", "")],
        "assessments": [("Query exercises", "assignment", "summative", [0]),
                        ("Analysis report", "project", "summative", [1])],
    },
]  # fmt: skip


def _build(spec, leader):
    course = course_create(leader=leader, unit=leader.unit, title=spec["title"])
    Course.objects.filter(pk=course.pk).update(**spec["fields"], **(
        AFFIRMED if spec["state"] != "draft" else {}))  # fmt: skip
    course.refresh_from_db()
    outcomes = [
        LearningOutcome.objects.create(course=course, position=i, text=text)
        for i, text in enumerate(spec["outcomes"])
    ]
    for i, (title, in_person, place, timing) in enumerate(spec["units"]):
        ContentUnit.objects.create(
            course=course, position=i, title=title, is_in_person=in_person, place=place,
            timing=timing,
        )  # fmt: skip
    for title, kind, purpose, indexes in spec["assessments"]:
        assessment_save(
            course=course,
            title=title,
            kind=kind,
            purpose=purpose,
            criteria={
                outcomes[i]: f"demonstrates it: {outcomes[i].text[0].lower()}"
                f"{outcomes[i].text[1:].rstrip('.')}, meeting every point of the rubric."
                for i in indexes
            },
        )
    return course


def _submit(course):
    return course_submit(
        course=course, acting_user=course.leader, signed_name=course.leader.full_name
    )


def seed_courses(people):
    """Create the demo courses once; a course whose title exists already is left alone."""
    made = {}
    for spec in COURSES:
        existing = Course.objects.filter(title=spec["title"]).order_by("-version").first()
        if existing:
            made[spec["title"]] = existing
            continue
        leader = people[spec["leader"]]
        course = _build(spec, leader)
        dean = course.unit.dean
        state = spec["state"]
        if state != "draft":
            submission = _submit(course)
        if state in {"approved", "revising"}:
            submission_approve(submission=submission, acting_user=dean, comment="Approved.")
        if state == "revising":
            course.refresh_from_db()
            course = course_revise(course=course, acting_user=leader)
        if state in {"changes_requested", "resubmitted"}:
            submission_request_changes(
                submission=submission, acting_user=dean, comment=spec["changes"]
            )
        if state == "resubmitted":
            index, text = spec["revision"]["outcome"]
            outcome = course.outcomes.all()[index]
            outcome.text = text
            outcome.save(update_fields=["text"])
            ContentUnit.objects.filter(course=course, is_in_person=True).update(
                timing="Week 3 (15–17 February)"
            )
            Course.objects.filter(pk=course.pk).update(other_hours=10)
            course.refresh_from_db()
            _submit(course)
        if state == "rejected":
            submission_reject(submission=submission, acting_user=dean, comment=spec["reject"])
        made[spec["title"]] = course
    return made
