import gc

import pytest

from common.collector import cycles_collected_after


def test_the_collector_is_paused_while_the_step_runs_and_on_again_after():
    seen = []

    @cycles_collected_after
    def step():
        seen.append(gc.isenabled())
        return "done"

    assert gc.isenabled()
    assert step() == "done"
    assert seen == [False]
    assert gc.isenabled()


def test_a_step_that_fails_turns_it_on_again():
    @cycles_collected_after
    def step():
        raise ValueError("bad row")

    with pytest.raises(ValueError, match="bad row"):
        step()
    assert gc.isenabled()


def test_a_step_inside_another_leaves_the_switch_to_the_outer_one():
    seen = []

    @cycles_collected_after
    def inner():
        seen.append(("inner", gc.isenabled()))

    @cycles_collected_after
    def outer():
        inner()
        seen.append(("outer after inner", gc.isenabled()))

    outer()
    assert seen == [("inner", False), ("outer after inner", False)]
    assert gc.isenabled()
