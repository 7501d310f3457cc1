"""The hostile-file corpus: files built to make a reader run out of memory or time, or to slip past its limits.

Each module `tests/hostile/*_files.py` holds a list `FILES` of `HostileFile`s; the tests that run every file on
every path (command line, API, wizard, worker) collect them all.
"""

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple


class HostileFile(NamedTuple):
    """`make(path)` writes the file at `path` (its name is `name`, the extension included). `refusal` is a fragment
    of the one sentence that refuses it, or "" for a file that looks odd but must be read and imported correctly;
    then `rows` is how many data rows it holds."""

    name: str
    make: Callable[[Path], None]
    refusal: str
    rows: int = 0
