"""Learning-outcome verbs: the Dublin-descriptor table of outcome types and their verbs.

Source: "Practical and pedagogical aspects of micro-credentials" (Micro-GEAR lecture), table
"Learning outcome linked to / Related verbs", which the LEADS course template's "Development of
Competencies or Learning Outcomes" relies on: outcomes say what learners will be able to *do*
(LEADS checklist item 5: "clear learning goals (what learners will be able to do)").

Plain Python, no Django: forms and the submission checklist call :func:`check_outcome_verb`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from courses.rules import ADVICE, Finding


@dataclass(frozen=True)
class OutcomeType:
    """One row of the table: a type of learning outcome and the verbs that express it."""

    key: str
    label: str
    verbs: tuple[str, ...]


# The verbs exactly as the table lists them, in its order. Some verbs appear in two rows
# (Compare, Explain, Illustrate, Interpret, Critique, Appraise); the table does so too.
OUTCOME_TYPES: tuple[OutcomeType, ...] = (
    OutcomeType(
        key="knowledge",
        label="Knowledge acquisition and retention",
        verbs=(
            "Recognise",
            "Recall",
            "State",
            "Outline",
            "Identify",
            "Describe",
            "Match",
            "Order",
            "Name",
            "Label",
            "Reproduce",
        ),
    ),
    OutcomeType(
        key="comprehension",
        label="Understanding and comprehension",
        verbs=(
            "Interpret",
            "Exemplify",
            "Clarify",
            "Classify",
            "Paraphrase",
            "Summarise",
            "Infer",
            "Compare",
            "Explain",
            "Represent",
            "Translate",
            "Illustrate",
            "Categorise",
        ),
    ),
    OutcomeType(
        key="application",
        label="Application of knowledge in a given situation",
        verbs=("Apply", "Implement", "Demonstrate", "Illustrate", "Interpret", "Execute"),
    ),
    # The source splits this row in two ("Analysis, classification, structural understanding."
    # then "hypothesis testing, and evidencing." with no verbs of its own, continuing the same
    # teaching strategies); it is one row broken across lines, so it is joined here.
    OutcomeType(
        key="analysis",
        label=(
            "Analysis, classification, structural understanding, hypothesis testing, and evidencing"
        ),
        verbs=(
            "Analyse",
            "Differentiate",
            "Organise",
            "Attribute",
            "Appraise",
            "Critique",
            "Compare",
        ),
    ),
    OutcomeType(
        key="evaluation",
        label="Evaluating, evidencing and defending judgment or analysis",
        verbs=(
            "Evaluate",
            "Critique",
            "Appraise",
            "Argue",
            "Justify",
            "Explain",
            "Predict",
            "Support",
            "Defend",
        ),
    ),
    OutcomeType(
        key="creation",
        label="Creating, integrating, or synthesising ideas, concepts or practices coherently",
        verbs=(
            "Create",
            "Generate",
            "Plan",
            "Produce",
            "Design",
            "Modify",
            "Develop",
            "Invent",
            "Write",
        ),
    ),
)

# Outcome type label -> verbs, the table as a plain mapping.
OUTCOME_VERBS: dict[str, tuple[str, ...]] = {t.label: t.verbs for t in OUTCOME_TYPES}

# --- Inflections ------------------------------------------------------------------------------
# Outcomes are mostly written with the bare verb ("Apply ...", "will be able to analyse ..."), but
# competency lists also use "Designs ...", "Designing ..." or US spelling ("Analyze").

_IRREGULAR_FORMS = {
    "write": ("writes", "writing", "wrote", "written"),
    # Final consonant doubled before -ing/-ed; "label" in both British and US spelling.
    "plan": ("plans", "planning", "planned"),
    "infer": ("infers", "inferring", "inferred"),
    "label": ("labels", "labelling", "labelled", "labeling", "labeled"),
}


def _regular_forms(base: str) -> tuple[str, ...]:
    if base.endswith("y") and base[-2] not in "aeiou":
        third, past = base[:-1] + "ies", base[:-1] + "ied"
    elif base.endswith(("s", "sh", "ch", "x", "z")):
        third, past = base + "es", base + "ed"
    elif base.endswith("e"):
        third, past = base + "s", base + "d"
    else:
        third, past = base + "s", base + "ed"
    ing = base[:-1] + "ing" if base.endswith("e") and not base.endswith("ee") else base + "ing"
    return (base, third, ing, past)


def _spellings(base: str) -> tuple[str, ...]:
    """British spelling as in the table, plus the US one (Organise/Organize, Analyse/Analyze)."""
    if base.endswith("ise"):
        return (base, base[:-3] + "ize")
    if base.endswith("yse"):
        return (base, base[:-3] + "yze")
    return (base,)


def _forms(verb: str) -> set[str]:
    forms: set[str] = set()
    for spelling in _spellings(verb.lower()):
        forms.update(_IRREGULAR_FORMS.get(spelling, _regular_forms(spelling)))
        forms.add(spelling)
    return forms


# Any written form -> the verb as the table spells it.
VERB_FORMS: dict[str, str] = {
    form: verb for t in OUTCOME_TYPES for verb in t.verbs for form in _forms(verb)
}

# --- Vague verbs ------------------------------------------------------------------------------
# Verbs that name a state of mind rather than something a learner can be seen to do. Each comes
# with measurable verbs from the table to suggest instead.


@dataclass(frozen=True)
class _Vague:
    pattern: str
    suggestions: tuple[str, str, str]


_BE = r"(?:be|become|becomes|becoming|being|are|is)"
_NOUN_SUGGESTIONS = {
    "understanding": ("Explain", "Describe", "Apply"),
    "comprehension": ("Explain", "Summarise", "Interpret"),
    "knowledge": ("State", "Identify", "Describe"),
    "awareness": ("Identify", "Recognise", "Outline"),
    "appreciation": ("Explain", "Justify", "Evaluate"),
    "familiarity": ("Identify", "Describe", "Apply"),
}
_VAGUE: tuple[_Vague, ...] = (
    # Phrases first: "Demonstrate an understanding of" starts with a table verb but asks for a
    # state of mind; "Develop knowledge of" likewise.
    *(
        _Vague(
            pattern=(
                r"(?:gain|gains|gaining|have|has|having|develop|develops|developing|"
                r"demonstrate|demonstrates|demonstrating|show|shows|showing|acquire|acquires|"
                r"acquiring|build|builds|building)\s+(?:an?\s+|their\s+|the\s+|some\s+)?"
                r"(?:\w+\s+)?" + noun + r"(?:\s+(?:of|about|in|with|for))?\b"
            ),
            suggestions=suggestions,
        )
        for noun, suggestions in _NOUN_SUGGESTIONS.items()
    ),
    _Vague(rf"{_BE}\s+aware\s+of", ("Identify", "Recognise", "Outline")),
    _Vague(rf"{_BE}\s+familiar\s+with", ("Identify", "Describe", "Apply")),
    _Vague(r"familiari[sz]e(?:s|d)?", ("Identify", "Describe", "Apply")),
    _Vague(rf"{_BE}\s+exposed\s+to", ("Identify", "Describe", "Apply")),
    _Vague(r"understand(?:s|ing)?", ("Explain", "Describe", "Apply")),
    _Vague(r"comprehend(?:s|ing)?", ("Explain", "Summarise", "Interpret")),
    _Vague(r"grasp(?:s|ing)?", ("Explain", "Describe", "Apply")),
    _Vague(r"know(?:s|ing)?", ("State", "Identify", "Describe")),
    _Vague(r"learn(?:s|ing|t|ed)?", ("Describe", "Apply", "Demonstrate")),
    _Vague(r"appreciat(?:e|es|ing)", ("Explain", "Justify", "Evaluate")),
)
_VAGUE_RES = tuple(
    (re.compile(rf"(?:{v.pattern})\b", re.IGNORECASE), v.suggestions) for v in _VAGUE
)

# --- Lead-ins ---------------------------------------------------------------------------------
# Removed from the start of an outcome, repeatedly, until the verb comes first:
# "By the end of the course, participants will be able to design ..." -> "design ...".

_WHO = (
    r"(?:learners?|participants?|students?|trainees?|graduates?|candidates?|attendees?|"
    r"earners?|you|they|we)"
)
_MODAL = r"(?:will|shall|should|must|can|could|may)"
# "... of the course," or "... of this module" up to the comma, or up to the learners or modal
# named after it, so that "... of the course participants can design, build ..." keeps its verb.
_OF_CLAUSE = rf"(?:\s+of(?:\s+(?!(?:{_WHO}|{_MODAL})\b)[^\s,]+){{1,6}})?\s*,?"

_LEAD_INS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # Bullets and numbering: "-", "•", "1.", "2)", "(a)", "LO1:", "Outcome 2 -".
        r"^(?:[-*•·–]+|\(?\d{1,2}[.)]|\([a-z]\)|[a-z][.)]|(?:LO|outcome)\s*\d*\s*[:.)-])\s*",
        # "By the end, ..." / "By the end of this course, ..." / "At the end of the module ..."
        rf"^(?:by|at|towards)\s+the\s+end\b{_OF_CLAUSE}",
        rf"^(?:up)?on\s+(?:the\s+)?(?:successful\s+)?completion\b{_OF_CLAUSE}",
        r"^after\s+(?:completing|taking|finishing)\b(?:\s+[^\s,]+){1,4}\s*,",
        # Who: "Learners", "The participant", "Successful students", "You".
        rf"^(?:the\s+|all\s+|successful\s+|each\s+)?{_WHO}\b",
        # How able: "will be able to", "should be able to", "are able to".
        rf"^(?:{_MODAL}|are|is|be)?\s*(?:be\s+)?(?:able|expected)\s+to\b",
        rf"^{_MODAL}\b",
        r"^(?:have|has|gain|possess)?\s*(?:the\s+|an\s+)?(?:ability|skills?|capacity)\s+to\b",
        r"^(?:demonstrate|show)s?\s+(?:the\s+|an\s+|their\s+)?(?:ability|capacity)\s+to\b",
        r"^how\s+to\b",
        r"^to\b",
        r"^[\s:;,.–-]+",
    )
)

# Adverbs that may come before the verb: "Critically evaluate ...", "Effectively apply ...".
_ADVERB = re.compile(r"^([^\W\d_]+ly)\s+", re.IGNORECASE)
# Verbs outside the table that end in -ly like an adverb.
_LY_VERBS = frozenset({"supply", "reply", "comply", "multiply", "rely", "rally", "tally", "ally"})


def strip_lead_in(text: str) -> str:
    """The outcome with its lead-in removed, so that its verb comes first.

    "Learners will be able to analyse ..." -> "analyse ..."; "By the end, participants can
    design ..." -> "design ..."; "1. Apply ..." -> "Apply ...". Case is kept.
    """
    statement = text.strip()
    changed = True
    while changed and statement:
        changed = False
        for lead_in in _LEAD_INS:
            stripped = lead_in.sub("", statement, count=1).lstrip()
            if stripped != statement:
                statement, changed = stripped, True
                break
    # Skip an adverb before the verb, unless the word is itself a verb form ("apply", "supply").
    match = _ADVERB.match(statement)
    word = match.group(1).lower() if match else ""
    if match and word not in VERB_FORMS and word not in _LY_VERBS:
        statement = statement[match.end() :]
    return statement


@dataclass(frozen=True)
class OutcomeVerb:
    """What :func:`classify_outcome` found.

    ``verb`` is the verb as the table spells it when it is in the table ("Analyse" for "analyzes"),
    otherwise the first word as written (capitalised), or ``None`` when there is no word.
    ``outcome_type`` is the first row listing the verb (table order); ``outcome_types`` lists every
    row, as a few verbs appear in two. ``vague`` is true for verbs such as "understand", and
    ``suggestions`` then holds measurable verbs from the table to use instead.
    """

    text: str
    statement: str
    verb: str | None
    outcome_type: str | None
    outcome_types: tuple[str, ...]
    in_table: bool
    vague: bool
    suggestions: tuple[str, ...] = ()


_FIRST_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")


def _vague_match(statement: str) -> tuple[str, tuple[str, str, str]] | None:
    for pattern, suggestions in _VAGUE_RES:
        match = pattern.match(statement)
        if match:
            # Quote the phrase in one canonical case whatever the writer's ("UNDERSTAND").
            phrase = " ".join(match.group(0).lower().split())
            return phrase[0].upper() + phrase[1:], suggestions
    return None


def classify_outcome(text: str) -> OutcomeVerb:
    """The outcome type and verb of a learning outcome, from the table's verbs.

    Lead-ins are stripped first (see :func:`strip_lead_in`) and matching ignores case, so
    "Apply regression models to ...", "Learners will be able to analyse ..." and "By the end,
    participants can design ..." are all recognised.
    """
    statement = strip_lead_in(text)
    vague = _vague_match(statement)
    if vague:
        return OutcomeVerb(
            text=text,
            statement=statement,
            verb=vague[0],
            outcome_type=None,
            outcome_types=(),
            in_table=False,
            vague=True,
            suggestions=vague[1],
        )
    word = _FIRST_WORD.match(statement)
    if not word:
        return OutcomeVerb(
            text=text,
            statement=statement,
            verb=None,
            outcome_type=None,
            outcome_types=(),
            in_table=False,
            vague=False,
        )
    verb = VERB_FORMS.get(word.group(0).lower())
    if verb is None:
        written = word.group(0)
        return OutcomeVerb(
            text=text,
            statement=statement,
            verb=written[0].upper() + written[1:],
            outcome_type=None,
            outcome_types=(),
            in_table=False,
            vague=False,
        )
    types = tuple(t.label for t in OUTCOME_TYPES if verb in t.verbs)
    return OutcomeVerb(
        text=text,
        statement=statement,
        verb=verb,
        outcome_type=types[0],
        outcome_types=types,
        in_table=True,
        vague=False,
    )


# The sentences of the verb findings. Python fills them in here and static/js/outcome-verbs.js
# fills them in in the browser (browser_table ships them), so both say the same words.
MESSAGES = {
    "outcome_verb_vague": (
        "'{phrase}' cannot be observed; use a measurable verb such as {alternatives}."
    ),
    "outcome_verb_missing": (
        "Write the learning outcome as what learners will be able to do, starting with a verb "
        "such as Apply, Analyse or Design."
    ),
    "outcome_verb_not_in_table": (
        "'{verb}' is not in the table of learning-outcome verbs. It is allowed; check that it "
        "names something learners can be seen to do and that an assessment can judge."
    ),
    "outcome_verb_ok": "'{verb}' is a measurable verb for {kinds}.",
}


def _alternatives(verbs: tuple[str, ...]) -> str:
    return ", ".join(verbs[:-1]) + " or " + verbs[-1]


def browser_table() -> dict:
    """What static/js/outcome-verbs.js needs to classify an outcome exactly as this module does.

    The verb forms and the table's rows, the vague phrases, lead-ins and adverb as the regular
    expressions compiled above (their syntax reads the same in JavaScript; matching there is
    case-insensitive ASCII, which English outcomes are), and MESSAGES. A page ships it with
    ``json_script``, so the list is never copied by hand.
    """
    return {
        "verb_forms": VERB_FORMS,
        "verb_types": {
            verb: [t.label for t in OUTCOME_TYPES if verb in t.verbs]
            for verb in sorted(set(VERB_FORMS.values()))
        },
        "vague": [
            {"pattern": pattern.pattern, "suggestions": list(suggestions)}
            for pattern, suggestions in _VAGUE_RES
        ],
        "lead_ins": [lead_in.pattern for lead_in in _LEAD_INS],
        "adverb": _ADVERB.pattern,
        "ly_verbs": sorted(_LY_VERBS),
        "first_word": _FIRST_WORD.pattern,
        "messages": MESSAGES,
    }


def vague_verb(text: str, *, field: str | None = None) -> Finding | None:
    """A blocking finding when the outcome starts with a verb that cannot be observed, else None.

    Flags understand, know, learn, be aware of, appreciate, be familiar with, grasp, comprehend,
    be exposed to and phrases such as "demonstrate an understanding of", after the lead-in. The
    message names measurable verbs from the table: "'Understand' cannot be observed; use a
    measurable verb such as Explain, Describe or Apply."
    """
    match = _vague_match(strip_lead_in(text))
    if match is None:
        return None
    return _vague_finding(*match, field=field)


def _vague_finding(phrase: str, suggestions: tuple[str, ...], *, field: str | None) -> Finding:
    return Finding(
        code="outcome_verb_vague",
        ok=False,
        message=MESSAGES["outcome_verb_vague"].format(
            phrase=phrase, alternatives=_alternatives(suggestions)
        ),
        field=field,
    )


def check_outcome_verb(text: str, *, field: str | None = None) -> Finding:
    """One finding on the verb of a learning outcome.

    LEADS checklist item 5, "clear learning goals (what learners will be able to do)", with the
    verbs of the Dublin-descriptor table. A vague verb or a missing statement is an error; a verb
    outside the table is allowed and reported as advice, since the table is not exhaustive.
    """
    found = classify_outcome(text)
    if found.vague:
        return _vague_finding(found.verb, found.suggestions, field=field)
    if found.verb is None:
        return Finding(
            code="outcome_verb_missing",
            ok=False,
            message=MESSAGES["outcome_verb_missing"],
            field=field,
        )
    if not found.in_table:
        return Finding(
            code="outcome_verb_not_in_table",
            ok=False,
            message=MESSAGES["outcome_verb_not_in_table"].format(verb=found.verb),
            field=field,
            severity=ADVICE,
        )
    kinds = " or ".join(f"'{label}'" for label in found.outcome_types)
    return Finding(
        code="outcome_verb_ok",
        ok=True,
        message=MESSAGES["outcome_verb_ok"].format(verb=found.verb, kinds=kinds),
        field=field,
    )
