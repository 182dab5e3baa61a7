"""The pathway rules as pure functions: what the form refuses and when a learner has earned it."""

import pytest

from badges import pathway_rules as rules
from badges.pathway_rules import Component


def components(*spec):
    """'A' an elective or any badge, 'A!' a required one; credits 2 each unless 'A:5'."""
    made = []
    for item in spec:
        name, _, credits = item.partition(":")
        made.append(
            Component(
                badge_class_id=name.rstrip("!"),
                required=name.endswith("!"),
                credits=int(credits or 2),
            )
        )
    return made


RP, C = "required_plus", components


def codes(**kwargs):
    kwargs.setdefault("published_badge_ids", {"A", "B", "C", "D"})
    return [p.code for p in rules.pathway_problems(**kwargs)]


def test_a_sound_pathway_has_no_problem():
    assert codes(rule="all", count=0, components=components("A", "B")) == []
    assert codes(rule="any", count=2, components=components("A", "B", "C")) == []
    assert codes(rule="required_plus", count=1, components=components("A!", "B", "C")) == []


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"rule": "all", "count": 0, "components": C("A")}, "too_few"),
        ({"rule": "all", "count": 0, "components": C("A", "A")}, "duplicate"),
        ({"rule": "all", "count": 0, "components": C("A", "X")}, "not_published"),
        ({"rule": "all", "count": 2, "components": C("A", "B")}, "count_unused"),
        ({"rule": "any", "count": 4, "components": C("A", "B", "C")}, "count_out_of_range"),
        ({"rule": "any", "count": 0, "components": C("A", "B")}, "count_out_of_range"),
        ({"rule": RP, "count": 1, "components": C("A", "B")}, "no_required"),
        ({"rule": RP, "count": 1, "components": C("A!", "B!")}, "no_electives"),
        ({"rule": RP, "count": 3, "components": C("A!", "B", "C")}, "count_out_of_range"),
        ({"rule": "any", "count": 1, "components": C("A!", "B")}, "required_unused"),
        ({"rule": "all", "count": 0, "components": C("A", "B"), "eqf_level": 9}, "eqf_out_of_range"),  # noqa: E501
        ({"rule": "best", "count": 0, "components": C("A", "B")}, "rule_unknown"),
    ],
)  # fmt: skip
def test_a_pathway_whose_rule_does_not_fit_is_refused(kwargs, code):
    assert code in codes(**kwargs)


def test_all_needs_every_badge():
    parts = components("A", "B", "C")
    assert not rules.progress(rule="all", count=0, components=parts, held={"A", "B"}).complete
    state = rules.progress(rule="all", count=0, components=parts, held={"A", "B", "C", "Z"})
    assert state.complete and state.counted == ("A", "B", "C")


def test_any_n_counts_whichever_badges():
    parts = components("A", "B", "C")
    state = rules.progress(rule="any", count=2, components=parts, held={"C"})
    assert (state.complete, state.more_needed, state.started) == (False, 1, True)
    assert rules.progress(rule="any", count=2, components=parts, held={"A", "C"}).complete


def test_required_plus_n_needs_the_required_ones_whatever_the_electives():
    parts = components("A!", "B", "C", "D")
    electives_only = rules.progress(
        rule="required_plus", count=1, components=parts, held={"B", "C"}
    )
    assert not electives_only.complete and electives_only.required_missing == ("A",)
    state = rules.progress(rule="required_plus", count=2, components=parts, held={"A", "D"})
    assert (state.complete, state.more_needed) == (False, 1)
    assert rules.progress(
        rule="required_plus", count=2, components=parts, held={"A", "B", "D"}
    ).complete


def test_nothing_held_is_not_started():
    state = rules.progress(rule="all", count=0, components=components("A", "B"), held=set())
    assert not state.started and not state.complete


def test_credits_are_what_every_holder_has_earned_at_least():
    parts = components("A!:5", "B:2", "C:3", "D:1")
    assert rules.minimum_credits(rule="required_plus", count=2, components=parts) == 5 + 1 + 2
    assert rules.minimum_credits(rule="any", count=2, components=parts) == 1 + 2
    assert rules.minimum_credits(rule="all", count=0, components=components("A:5", "B:3")) == 8


def test_the_rule_in_words():
    parts = components("A!", "B", "C")
    names = {"A": "Statistics", "B": "Python", "C": "R"}
    assert (
        rules.rule_sentence(rule="required_plus", count=1, names=names, components=parts)
        == "Earn Statistics and any 1 of the 2 electives."
    )
    assert rules.rule_sentence(rule="any", count=2, names=names, components=parts) == (
        "Earn any 2 of the 3 badges."
    )
