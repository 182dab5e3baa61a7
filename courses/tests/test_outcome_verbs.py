"""Tests of the learning-outcome verb table, lead-in stripping and vague-verb advice."""

import pytest

from courses.outcome_verbs import (
    OUTCOME_TYPES,
    OUTCOME_VERBS,
    VERB_FORMS,
    check_outcome_verb,
    classify_outcome,
    strip_lead_in,
    vague_verb,
)

KNOWLEDGE = "Knowledge acquisition and retention"
COMPREHENSION = "Understanding and comprehension"
APPLICATION = "Application of knowledge in a given situation"
ANALYSIS = "Analysis, classification, structural understanding, hypothesis testing, and evidencing"
EVALUATION = "Evaluating, evidencing and defending judgment or analysis"
CREATION = "Creating, integrating, or synthesising ideas, concepts or practices coherently"


# --- The table as data ------------------------------------------------------------------------


def test_table_has_the_six_outcome_types_in_the_seed_order():
    assert list(OUTCOME_VERBS) == [
        KNOWLEDGE,
        COMPREHENSION,
        APPLICATION,
        ANALYSIS,
        EVALUATION,
        CREATION,
    ]


@pytest.mark.parametrize(
    ("label", "verbs"),
    [
        (
            KNOWLEDGE,
            "Recognise, Recall, State, Outline, Identify, Describe, Match, Order, Name, Label, "
            "Reproduce",
        ),
        (
            COMPREHENSION,
            "Interpret, Exemplify, Clarify, Classify, Paraphrase, Summarise, Infer, Compare, "
            "Explain, Represent, Translate, Illustrate, Categorise",
        ),
        (APPLICATION, "Apply, Implement, Demonstrate, Illustrate, Interpret, Execute"),
        (ANALYSIS, "Analyse, Differentiate, Organise, Attribute, Appraise, Critique, Compare"),
        (
            EVALUATION,
            "Evaluate, Critique, Appraise, Argue, Justify, Explain, Predict, Support, Defend",
        ),
        (CREATION, "Create, Generate, Plan, Produce, Design, Modify, Develop, Invent, Write"),
    ],
)
def test_verbs_are_exactly_as_the_seed_lists_them(label, verbs):
    assert OUTCOME_VERBS[label] == tuple(verbs.split(", "))


def test_outcome_type_keys_are_unique():
    keys = [t.key for t in OUTCOME_TYPES]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(
    ("written", "verb"),
    [
        ("apply", "Apply"),
        ("applies", "Apply"),
        ("applying", "Apply"),
        ("applied", "Apply"),
        ("analyse", "Analyse"),
        ("analyze", "Analyse"),
        ("analyses", "Analyse"),
        ("analysing", "Analyse"),
        ("analyzing", "Analyse"),
        ("organize", "Organise"),
        ("summarizes", "Summarise"),
        ("categorizing", "Categorise"),
        ("recognized", "Recognise"),
        ("matches", "Match"),
        ("creating", "Create"),
        ("critiquing", "Critique"),
        ("arguing", "Argue"),
        ("writes", "Write"),
        ("writing", "Write"),
        ("planning", "Plan"),
        ("planned", "Plan"),
        ("inferring", "Infer"),
        ("labelling", "Label"),
        ("labeled", "Label"),
        ("identifies", "Identify"),
        ("exemplified", "Exemplify"),
    ],
)
def test_inflections_map_back_to_the_table_verb(written, verb):
    assert VERB_FORMS[written] == verb


def test_every_table_verb_maps_to_itself():
    for verbs in OUTCOME_VERBS.values():
        for verb in verbs:
            assert VERB_FORMS[verb.lower()] == verb


# --- Lead-ins ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "statement"),
    [
        ("Apply regression models to sales data", "Apply regression models to sales data"),
        ("Learners will be able to analyse survey data", "analyse survey data"),
        ("By the end, participants can design a lesson plan", "design a lesson plan"),
        ("By the end of this course, learners will be able to plan a unit", "plan a unit"),
        (
            "By the end of the course participants can design, build and test X",
            "design, build and test X",
        ),
        ("At the end of the module the learner should be able to explain X", "explain X"),
        ("Upon successful completion of the course, students will write X", "write X"),
        ("On completion, you will be able to describe X", "describe X"),
        ("After completing the course, graduates can apply X", "apply X"),
        ("Participants are able to identify X", "identify X"),
        ("The participant will demonstrate the ability to design X", "design X"),
        ("Have the skills to implement X", "implement X"),
        (
            "how to develop a lesson plan for an ECED class",
            "develop a lesson plan for an ECED class",
        ),
        ("To evaluate X", "evaluate X"),
        ("Be able to outline X", "outline X"),
        ("1. Apply X", "Apply X"),
        ("2) Apply X", "Apply X"),
        ("(a) Apply X", "Apply X"),
        ("- Apply X", "Apply X"),
        ("• Apply X", "Apply X"),
        ("LO1: Apply X", "Apply X"),
        ("Outcome 3 - Apply X", "Apply X"),
        ("Learners will: design X", "design X"),
        ("Critically evaluate X", "evaluate X"),
        ("Students can effectively apply X", "apply X"),
        ("  Apply X  ", "Apply X"),
    ],
)
def test_strip_lead_in(text, statement):
    assert strip_lead_in(text) == statement


def test_strip_lead_in_keeps_verbs_that_end_in_ly():
    assert strip_lead_in("Apply X") == "Apply X"
    assert strip_lead_in("Supply X") == "Supply X"


def test_strip_lead_in_is_case_insensitive():
    assert strip_lead_in("LEARNERS WILL BE ABLE TO APPLY X") == "APPLY X"
    assert strip_lead_in("by THE end, Participants CAN design X") == "design X"


# --- classify_outcome -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "verb", "outcome_type"),
    [
        ("Apply regression models to sales data", "Apply", APPLICATION),
        ("Learners will be able to analyse survey data", "Analyse", ANALYSIS),
        ("By the end, participants can design a lesson plan", "Design", CREATION),
        ("Recall the stages of child development", "Recall", KNOWLEDGE),
        ("Summarise a research article", "Summarise", COMPREHENSION),
        ("Justify a treatment choice", "Justify", EVALUATION),
        ("Students will analyze data", "Analyse", ANALYSIS),
        ("Designs curricula", "Design", CREATION),
        ("LEARNERS WILL BE ABLE TO APPLY X", "Apply", APPLICATION),
        ("how to develop a lesson plan for an ECED class", "Develop", CREATION),
    ],
)
def test_classify_outcome_finds_type_and_verb(text, verb, outcome_type):
    found = classify_outcome(text)
    assert found.verb == verb
    assert found.outcome_type == outcome_type
    assert found.in_table
    assert not found.vague
    assert found.text == text


def test_verb_in_two_rows_reports_both_types_first_row_first():
    found = classify_outcome("Compare two policies")
    assert found.outcome_type == COMPREHENSION
    assert found.outcome_types == (COMPREHENSION, ANALYSIS)

    found = classify_outcome("Explain the water cycle")
    assert found.outcome_types == (COMPREHENSION, EVALUATION)


def test_classify_unknown_verb_keeps_the_word():
    found = classify_outcome("Learners will use spreadsheets")
    assert found.verb == "Use"
    assert found.outcome_type is None
    assert found.outcome_types == ()
    assert not found.in_table
    assert not found.vague


def test_classify_vague_verb():
    found = classify_outcome("Students will understand risk")
    assert found.vague
    assert found.verb == "Understand"
    assert found.outcome_type is None
    assert found.suggestions == ("Explain", "Describe", "Apply")


def test_classify_empty_statement():
    for text in ("", "   ", "Learners will be able to", "1."):
        found = classify_outcome(text)
        assert found.verb is None
        assert not found.in_table


# --- vague_verb -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Understand the principles of accounting",
            "'Understand' cannot be observed; use a measurable verb such as Explain, Describe "
            "or Apply.",
        ),
        (
            "Learners will know the safety rules",
            "'Know' cannot be observed; use a measurable verb such as State, Identify or Describe.",
        ),
        (
            "Students will learn to code",
            "'Learn' cannot be observed; use a measurable verb such as Describe, Apply or "
            "Demonstrate.",
        ),
        (
            "Participants will be aware of the risks",
            "'Be aware of' cannot be observed; use a measurable verb such as Identify, "
            "Recognise or Outline.",
        ),
        (
            "Appreciate cultural differences",
            "'Appreciate' cannot be observed; use a measurable verb such as Explain, Justify "
            "or Evaluate.",
        ),
        (
            "By the end, learners will be familiar with the VLE",
            "'Be familiar with' cannot be observed; use a measurable verb such as Identify, "
            "Describe or Apply.",
        ),
        (
            "Grasp the basics of statistics",
            "'Grasp' cannot be observed; use a measurable verb such as Explain, Describe or Apply.",
        ),
        (
            "Comprehend the main ideas",
            "'Comprehend' cannot be observed; use a measurable verb such as Explain, Summarise "
            "or Interpret.",
        ),
        (
            "Demonstrate an understanding of ethics",
            "'Demonstrate an understanding of' cannot be observed; use a measurable verb such "
            "as Explain, Describe or Apply.",
        ),
        (
            "Develop a deep understanding of markets",
            "'Develop a deep understanding of' cannot be observed; use a measurable verb such "
            "as Explain, Describe or Apply.",
        ),
        (
            "Gain knowledge of first aid",
            "'Gain knowledge of' cannot be observed; use a measurable verb such as State, "
            "Identify or Describe.",
        ),
        (
            "Become aware of bias",
            "'Become aware of' cannot be observed; use a measurable verb such as Identify, "
            "Recognise or Outline.",
        ),
        (
            "Be exposed to clinical settings",
            "'Be exposed to' cannot be observed; use a measurable verb such as Identify, "
            "Describe or Apply.",
        ),
    ],
)
def test_vague_verb_message_names_measurable_alternatives(text, message):
    finding = vague_verb(text)
    assert finding is not None
    assert finding.code == "outcome_verb_vague"
    assert not finding.ok
    assert finding.severity == "error"
    assert finding.message == message


def test_vague_verb_is_case_insensitive_and_quotes_one_case():
    finding = vague_verb("LEARNERS WILL UNDERSTAND X")
    assert finding is not None
    assert finding.message.startswith("'Understand' cannot be observed")


def test_vague_verb_suggestions_come_from_the_table():
    all_verbs = {verb for verbs in OUTCOME_VERBS.values() for verb in verbs}
    for text in ("Understand X", "Know X", "Learn X", "Be aware of X", "Appreciate X"):
        found = classify_outcome(text)
        assert found.suggestions
        assert set(found.suggestions) <= all_verbs


@pytest.mark.parametrize(
    "text",
    [
        "Apply X",
        "Demonstrate safe lifting",  # a table verb, not "demonstrate an understanding"
        "Develop a lesson plan",
        "Knowledge of X is assessed",  # "know" only as a whole word
        "Use spreadsheets",
        "",
    ],
)
def test_vague_verb_returns_none_for_other_verbs(text):
    assert vague_verb(text) is None


def test_vague_verb_carries_the_field():
    finding = vague_verb("Understand X", field="text")
    assert finding is not None
    assert finding.field == "text"


# --- check_outcome_verb -----------------------------------------------------------------------


def test_check_outcome_verb_ok():
    finding = check_outcome_verb("Learners will be able to apply X")
    assert finding.ok
    assert finding.code == "outcome_verb_ok"
    assert finding.message == (
        "'Apply' is a measurable verb for 'Application of knowledge in a given situation'."
    )


def test_check_outcome_verb_names_both_rows_for_shared_verbs():
    finding = check_outcome_verb("Critique a lesson")
    assert finding.message == f"'Critique' is a measurable verb for '{ANALYSIS}' or '{EVALUATION}'."


def test_check_outcome_verb_not_in_table_is_advice():
    finding = check_outcome_verb("Learners will use spreadsheets", field="text")
    assert finding.code == "outcome_verb_not_in_table"
    assert not finding.ok
    assert finding.severity == "advice"
    assert not finding.blocking
    assert finding.field == "text"
    assert finding.message.startswith("'Use' is not in the table of learning-outcome verbs.")
    assert "It is allowed" in finding.message


def test_check_outcome_verb_vague_is_blocking():
    finding = check_outcome_verb("Students will understand risk")
    assert finding.code == "outcome_verb_vague"
    assert finding.blocking
    assert finding == vague_verb("Students will understand risk")


def test_check_outcome_verb_missing():
    finding = check_outcome_verb("Learners will be able to")
    assert finding.code == "outcome_verb_missing"
    assert finding.blocking
    assert "what learners will be able to do" in finding.message
