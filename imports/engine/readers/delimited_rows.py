"""One row of delimited text from its lines: the rule both CSV readers follow, so they cannot read a file apart.

Lines end the way spreadsheet programs and Python's universal newlines end them: at a line feed, a CR LF pair or a
carriage return alone, in any mix within one file. A line with no quote is split on the delimiter, which gives
exactly the csv module's cells, several times faster; a line with a quote goes to the csv module, which asks for
the next lines while a quoted value is open.

Every row is held to the read limits as it is read: the cell length (a quoted value is cut off by the csv module's
field limit as it grows, so a value that swallows the rest of the file never fills memory) and the column count.
A quoted value still open at the end of the file, or running over more lines than a spreadsheet cell can hold,
is refused as a quote that was opened and never closed: otherwise it would silently swallow the rows after it.
"""

import csv
import re
from collections.abc import Callable, Iterator
from itertools import chain

from imports.declare.errors import ImportFileError
from imports.engine.readers.limits import ReadLimits

# Excel keeps at most 253 line breaks in a cell, so a quoted value running over more lines than that did not come
# from a spreadsheet: it is a quote left open, swallowing the rows below it. A multi-line address (2-5 lines) or a
# note of a few paragraphs is far inside it.
MAX_LINES_IN_CELL = 254


def max_line_chars(limits: ReadLimits) -> int:
    """The longest line a row within the limits can take: every column filled to the cell limit, delimited.

    A longer line is refused before it is split, so one giant line never sits in memory whole."""
    return limits.max_columns * (limits.max_cell_chars + 3)


class LineTooLong(Exception):
    """A line longer than `max_line_chars`, found before it was read whole; the reader names where."""


_TEXT_LINE_ENDS = re.compile(r"(?<=\n)|(?<=\r)(?!\n)")


def physical_lines(read: Callable[[int], bytes | str], cap: int, block: int = 64 * 1024) -> Iterator[bytes | str]:
    """The lines `read` gives (bytes or text), each with its line end: LF, CRLF or a lone CR, as universal newlines
    split them. Read a block at a time; a line running over several blocks is joined, and refused with LineTooLong
    once it holds more than `cap` units, before the rest of it is read."""
    pieces, held = [], 0  # the start of a line that a block ended in
    while chunk := read(block):
        text = isinstance(chunk, str)
        if chunk[-1:] == ("\r" if text else b"\r"):
            chunk += read(1)  # a CR LF pair is never cut in two
        lines = [line for line in _TEXT_LINE_ENDS.split(chunk) if line] if text else chunk.splitlines(keepends=True)
        last = lines.pop() if lines[-1][-1:] not in ("\r", "\n", b"\r", b"\n") else None
        if lines:
            if pieces:
                lines[0] = lines[0][:0].join([*pieces, lines[0]])
                pieces, held = [], 0
                if len(lines[0]) > cap:
                    raise LineTooLong
            yield from lines
        if last is not None:
            pieces.append(last)
            held += len(last)
            if held > cap:
                raise LineTooLong
    if pieces:
        yield pieces[0][:0].join(pieces)


def line_too_long(limits: ReadLimits, where: str) -> ImportFileError:
    return ImportFileError(
        f"{where} is a line of more than {max_line_chars(limits):,} characters, longer than a row of "
        f"{limits.max_columns:,} columns (IMPORT_MAX_COLUMNS) of {limits.max_cell_chars:,} characters "
        "(IMPORT_MAX_CELL_CHARS) can be."
    )


class RowSplitter:
    """Cells of one row from its first line and, when a quoted value runs on, the lines after it.

    `where()` names the row being read for a refusal ("Row 12 (line 14)"); it is called only to refuse one.
    """

    def __init__(self, delimiter: str, limits: ReadLimits, where: Callable[[], str]):
        self.delimiter = delimiter
        self.limits = limits
        self.where = where
        # A line no longer than this cannot hold a cell over the limit nor too many columns: no need to look.
        self.quick_chars = min(limits.max_cell_chars, limits.max_columns - 1)

    def row(self, first: str, more: Iterator[str]) -> list[str]:
        """The row's cells; `first` is its first line with its line end, `more` the file's following lines."""
        if '"' not in first and "\0" not in first:
            text = first.rstrip("\r\n")
            cells = text.split(self.delimiter) if text else []
            if len(text) > self.quick_chars:
                self.check(cells)
            return cells
        return self._quoted(first, more)

    def check(self, cells: list[str]) -> None:
        """Refuse a row with more columns than the limit or a cell longer than it."""
        if len(cells) > self.limits.max_columns:
            self.limits.check_columns(len(cells), where=self.where())
        longest = max(map(len, cells), default=0)
        if longest > self.limits.max_cell_chars:
            self.limits.check_cell(longest, where=self.where())

    def _quoted(self, first: str, more: Iterator[str]) -> list[str]:
        state = {"lines": 1, "ended": False}

        def following() -> Iterator[str]:
            for line in more:
                state["lines"] += 1
                if state["lines"] > MAX_LINES_IN_CELL:
                    raise ImportFileError(
                        f"{self.where()} opens a quoted value that runs over more than {MAX_LINES_IN_CELL - 1} line "
                        "breaks, more than a spreadsheet cell holds: check for a quote that is opened but never "
                        "closed."
                    )
                yield line
            state["ended"] = True

        if "\0" in first:
            self._refuse_nul()
        # The field limit is the csv module's one global setting: set for this row only, put back after it.
        usual = csv.field_size_limit(self.limits.max_cell_chars)
        lines = chain([first], following())
        try:
            cells = next(csv.reader(lines, delimiter=self.delimiter), [])
        except csv.Error as error:
            if "field limit" in str(error):
                # A quoted value is cut off here as it grows, whether the cell is long or its quote never closes.
                raise ImportFileError(
                    f"{self.where()} has a cell of {self.limits.max_cell_chars + 1:,} characters or more; the limit "
                    f"is {self.limits.max_cell_chars:,} (IMPORT_MAX_CELL_CHARS); if the cell should be shorter, "
                    "check for a quote that is opened but never closed."
                ) from None
            raise ImportFileError(f"{self.where()} cannot be read: {error}.") from None
        finally:
            csv.field_size_limit(usual)
        if state["ended"]:
            raise ImportFileError(
                f"{self.where()} opens a quoted value that is never closed: add the closing quote, or double a "
                'quote that is part of the value ("").'
            )
        if any("\0" in cell for cell in cells):
            self._refuse_nul()
        if len(cells) > self.limits.max_columns:
            self.limits.check_columns(len(cells), where=self.where())
        return cells

    def _refuse_nul(self) -> None:
        raise ImportFileError(
            f"{self.where()} holds a NUL byte: the file is binary data, not text; upload a CSV, Excel or JSON file."
        )
