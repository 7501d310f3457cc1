"""Peak memory of a piece of work, measured so that two runs of different sizes compare fairly."""

import gc
import tracemalloc
from collections.abc import Callable
from typing import TypeVar

Result = TypeVar("Result")


def peak_bytes(work: Callable[[], Result]) -> tuple[Result, int]:
    """Run `work` under tracemalloc; return its result and the most bytes it held at once.

    A full collection first: it empties CPython's free lists (small tuples, floats, dicts), whose blocks tracemalloc
    counts as held. Without it a run that starts with full free lists reuses them unseen and measures up to a
    megabyte less than one that starts after a full collection, which decides nothing about how memory grows."""
    gc.collect()
    tracemalloc.start()
    try:
        result = work()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
