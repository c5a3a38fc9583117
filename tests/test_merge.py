"""The three-way rule for an edit made on a stale copy (common/merge.py): base is what the
person opened, mine what they submitted, theirs the latest."""

import pytest

from common.merge import three_way

BASE = {"title": "Speech", "city": "Wuhan", "notes": "", "counterparts": frozenset({1})}


@pytest.mark.parametrize(
    "mine, theirs, values, outcome",
    [
        # only they changed it: their value, whatever the person sent back unchanged
        ({"title": "Speech"}, {"title": "Keynote"}, {"title": "Keynote"}, "theirs"),
        # only the person changed it: theirs is kept
        ({"title": "Mine"}, {"title": "Speech"}, {"title": "Mine"}, None),
        # both, to the same value: not a conflict
        ({"title": "Keynote"}, {"title": "Keynote"}, {"title": "Keynote"}, "same"),
        # both, to different values: a conflict, the person's value offered until chosen
        ({"title": "Mine"}, {"title": "Keynote"}, {"title": "Mine"}, "conflict"),
        # related lists are compared as sets
        (
            {"counterparts": frozenset({1})},
            {"counterparts": frozenset({1, 2})},
            {"counterparts": frozenset({1, 2})},
            "theirs",
        ),
        (
            {"counterparts": frozenset({1, 3})},
            {"counterparts": frozenset({1, 2})},
            {"counterparts": frozenset({1, 3})},
            "conflict",
        ),
        # emptied by them, untouched by the person: stays empty
        ({"city": "Wuhan"}, {"city": ""}, {"city": ""}, "theirs"),
    ],
)
def test_one_field(mine, theirs, values, outcome):
    [name] = mine
    merge = three_way({name: BASE[name]}, mine, theirs)
    assert merge.values == values
    assert (merge.outcome(name) if name in merge.theirs_changed else None) == outcome
    assert (name in merge.conflicts) == (outcome == "conflict")


def test_fields_merge_independently():
    mine = {**BASE, "city": "Yichang", "notes": "Mine", "title": "Mine"}
    theirs = {**BASE, "title": "Keynote", "notes": "Mine", "counterparts": frozenset({2})}

    merge = three_way(BASE, mine, theirs)

    assert merge.values == {
        "title": "Mine",  # both changed: the person chooses
        "city": "Yichang",  # only the person
        "notes": "Mine",  # both, alike
        "counterparts": frozenset({2}),  # only they
    }
    assert merge.conflicts == {"title"}
    assert merge.theirs_changed == {"title", "notes", "counterparts"}
    assert merge.mine_changed == {"title", "city", "notes"}


def test_a_field_left_out_of_the_submission_is_untouched():
    merge = three_way(BASE, {"title": "Mine"}, {**BASE, "city": "Yichang"})
    assert merge.values["city"] == "Yichang"
    assert merge.conflicts == frozenset()


def test_a_key_missing_from_base_or_theirs_is_empty():
    """A target cell that did not exist, or was cleared: None."""
    merge = three_way({"cell": None}, {"cell": 5}, {})
    assert merge.values == {"cell": 5}
    merge = three_way({}, {"cell": None}, {"cell": 7})
    assert (merge.values, merge.outcome("cell")) == ({"cell": 7}, "theirs")


def test_without_a_base_every_difference_is_a_choice():
    merge = three_way(
        None, {"title": "Mine", "city": "Wuhan"}, {"title": "Keynote", "city": "Wuhan"}
    )
    assert merge.conflicts == {"title"}
    assert merge.values == {"title": "Mine", "city": "Wuhan"}


def test_merging_again_after_a_third_change_never_reverts_it():
    """The refused form is merged on version 2; a third change comes in; the form's values
    are merged again with version 2 as the base."""
    first = three_way(BASE, {**BASE, "notes": "Mine"}, {**BASE, "title": "Keynote"})
    second = three_way(
        {**BASE, "title": "Keynote"},  # the version the merged form carried
        first.values,
        {**BASE, "title": "Keynote speech", "city": "Yichang"},
    )
    assert second.values == {**BASE, "title": "Keynote speech", "city": "Yichang", "notes": "Mine"}
    assert second.conflicts == frozenset()
