"""Python's cycle collector paused while a request makes many objects that all live until
it ends (the import's steps and its preview page)."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def cycles_collected_after(step: Callable[P, R]) -> Callable[P, R]:
    """Python's cycle collector paused while a step runs, then run once. A 5 000-row import
    makes hundreds of thousands of objects that all live until the step ends (rows,
    activities, their checks; its preview's report, read back): the collector would walk
    all of them, and every other object of the process, several times over while they are
    made, for nothing to free (a quarter of an import step's time; reading the preview's
    report, 6 ms, took up to 190 ms in a process of three million objects, when that
    triggered a full collection); once is enough, when the step is done with them, and
    over the youngest generation only, which holds everything the step made: a full
    collection would also walk every object the process had before (Django's own, some
    40 ms), which the collector's own schedule looks at in its time.

    The pause is the process's, not the thread's: under a threaded server (gunicorn's
    threads) other requests of the same process run without cycle collection for the
    second or so a step takes. Nothing is lost: their cycles are collected when it is on
    again (their reference-counted objects are freed as ever). A step that starts while
    another's pause is on leaves the switch to the one that set it."""

    @functools.wraps(step)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if not gc.isenabled():
            return step(*args, **kwargs)
        gc.disable()
        try:
            return step(*args, **kwargs)
        finally:
            gc.enable()
            gc.collect(0)

    return run
