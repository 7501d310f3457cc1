"""Reading a UTF-8 CSV file from any byte offset, knowing where each row ends.

This is what lets a worker start at its chunk's first row, or resume after the last committed batch, without
reading the rows before it. Most lines of a real export have no quote character at all; for those, splitting on
the delimiter gives exactly the cells the csv module gives, several times faster. A line with a quote (and the
lines that continue a quoted value) goes through the csv module itself.
"""

import csv
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from imports.declare.errors import ImportFileError
from imports.engine.readers.delimited_rows import (
    LineTooLong,
    RowSplitter,
    line_too_long,
    max_line_chars,
    physical_lines,
)
from imports.engine.readers.limits import ReadLimits


class PositionedCsv:
    """Rows of a UTF-8 CSV read under `limits` (those in force when none are given) by the rules of
    `delimited_rows`, which the other CSV reader follows too."""

    def __init__(self, path: Path, delimiter: str, limits: ReadLimits | None = None):
        self.path = path
        self.delimiter = delimiter
        self.limits = limits or ReadLimits.from_settings()

    def rows(self, offset: int = 0) -> Iterator[tuple[list[str], int]]:
        """Rows from the row starting at byte `offset`: each with the offset where the next row starts."""
        for cells, _blank, next_offset in self._rows(offset, cells_wanted=True):
            yield cells, next_offset

    def data_rows(self, offset: int, after: int) -> Iterator[tuple[int, list[str], int]]:
        """The non-blank rows from byte `offset`, numbered on from `after` (the number of the data row before it):
        each row's number, its cells, and the offset where the next row starts.

        Blank rows (as `is_blank` says, which comes free here) are skipped and not counted. The chunk's scan, its
        import and the error report's look-up all walk rows this way, so one number names one row in each.
        """
        number = after
        for cells, blank, next_offset in self._rows(offset, cells_wanted=True):
            if not blank:
                number += 1
                yield number, cells, next_offset

    def sheet_rows(self, offset: int, after: int, sheet_after: int) -> Iterator[tuple[int, int, list[str], int]]:
        """`data_rows`, each row also with its sheet row: its place among all the file's rows (title rows, the
        header and blank rows included) as a spreadsheet program numbers it, counted on from `sheet_after` (the
        sheet row of the row before `offset`). Returns (number, sheet row, cells, next offset) for each row."""
        number, sheet = after, sheet_after
        for cells, blank, next_offset in self._rows(offset, cells_wanted=True):
            sheet += 1
            if not blank:
                number += 1
                yield number, sheet, cells, next_offset

    def rows_between(self, start: int, end: int) -> int:
        """How many rows, blank ones included, start between byte `start` and byte `end` (a row's start)."""
        if end <= start:
            return 0
        count = 0
        for _blank, next_offset in self.row_ends(start):
            count += 1
            if next_offset >= end:
                break
        return count

    def row_ends(self, offset: int = 0) -> Iterator[tuple[bool, int]]:
        """For each row from `offset`: whether it is blank, and the offset where the next row starts.

        The quick pass that cuts a file into chunks: a plain ASCII line is judged on its bytes, without decoding
        or splitting it. Blank means what `is_blank` says of the row's cells: nothing but delimiters and the
        whitespace `str.strip` removes.
        """
        for _cells, blank, next_offset in self._rows(offset, cells_wanted=False):
            yield blank, next_offset

    def chunk_starts(self, offset: int, every: int) -> tuple[int, list[tuple[int, int, int]]]:
        """Count the non-blank rows from byte `offset`, and find where rows 1, 1 + every, 1 + 2 * every, ... start
        (the byte after the row before, as `row_ends` gives it), and how many rows, blank ones included, come
        before each from `offset` (what makes a row's sheet row). Returns
        (rows, [(row number, start byte, rows before it), ...]).

        The same answer as walking `row_ends`, several times faster: a block of lines with no quote (nearly every
        block of a real export) is counted whole, in C; a block with a quote, a lone carriage return or bytes that
        are not UTF-8, and the block where a chunk starts, are walked row by row.
        """
        blank_bytes = re.escape(_ASCII_WHITESPACE.replace(b"\n", b"") + self.delimiter.encode())
        blank_text = r"(?:[^\S\n]|" + re.escape(self.delimiter) + r")"  # str.strip's whitespace is \s in text
        # A blank line is found by the line feed before it (or as the block's first line): a search for a literal
        # line feed runs at memchr speed, where testing every position for a line start does not.
        blank_lines = (
            re.compile(rb"\n(?=[" + blank_bytes + rb"]*\n)"), re.compile(rb"[" + blank_bytes + rb"]*\n"),
            re.compile(r"\n(?=" + blank_text + r"*\n)"), re.compile(blank_text + r"*\n"),
        )
        number, raw, starts, position = 0, 0, [], offset
        with open(self.path, "rb") as handle:
            while True:
                handle.seek(position)
                block = handle.read(self.block_bytes)
                cut = block.rfind(b"\n") + 1
                if cut:
                    end = position + cut
                    block = block[:cut]
                    next_first = (number // every + 1) * every + 1 if number % every else number + 1
                    counted = _rows_at_once(block, blank_lines, self.delimiter, self.limits)
                    if counted is not None and number + counted[0] < next_first:
                        number, raw, position = number + counted[0], raw + counted[1], end
                        continue
                else:  # no line feed: the file's last line, lines ending in a lone CR, or a giant line
                    end = position + len(block) if len(block) == self.block_bytes else None
                # Row by row to the end of this block (a quoted value may carry the walk a little past it).
                number, raw, position, finished = self._walk(position, end, number, raw, every, starts)
                if finished:
                    return number, starts

    def _walk(
        self, position: int, end: int | None, number: int, raw: int, every: int, starts: list
    ) -> tuple[int, int, int, bool]:
        """Rows from byte `position` until byte `end` is reached (None: the file's end), counted and noted as
        `chunk_starts` does; returns the counts (non-blank rows, all rows), the position reached, and whether the
        file ended."""
        for blank, next_offset in self.row_ends(position):
            if not blank:
                number += 1
                if (number - 1) % every == 0:
                    starts.append((number, position, raw))
            raw += 1
            position = next_offset
            if end is not None and position >= end:
                return number, raw, position, False
        return number, raw, position, True

    block_bytes = 256 * 1024  # how much is read and counted at once

    def _rows(self, offset: int, *, cells_wanted: bool) -> Iterator[tuple[list[str] | None, bool, int]]:
        blank_bytes = _ASCII_WHITESPACE + self.delimiter.encode()
        position = row_start = offset
        splitter = RowSplitter(self.delimiter, self.limits, lambda: self.where(row_start))
        quick = splitter.quick_chars
        with open(self.path, "rb") as handle:
            handle.seek(offset)
            lines = physical_lines(handle.read, max_line_chars(self.limits))

            def following() -> Iterator[str]:
                """The lines after a row's first, as many as the csv module asks for (it never reads ahead)."""
                nonlocal position
                for line in lines:
                    position += len(line)
                    yield _decoded(line, splitter)

            more = following()
            try:
                for line in lines:
                    row_start = position
                    position += len(line)
                    if not cells_wanted and len(line) <= quick and line.isascii() and b'"' not in line and (
                        b"\0" not in line
                    ):
                        yield None, not line.strip(blank_bytes), position
                        continue
                    cells = splitter.row(_decoded(line, splitter), more)
                    yield cells, not "".join(cells).strip(), position
            except LineTooLong:
                raise line_too_long(self.limits, self.where(position)) from None

    def where(self, row_start: int) -> str:
        """'Row R (line L)' for the row starting at byte `row_start`, counted from the file's start as a
        spreadsheet program and a text editor count them. Only worked out to refuse a row, so it may take a while."""
        rows = lines = 0
        with open(self.path, "rb") as handle:
            handle.seek(0)
            before = _bounded(handle, row_start)
            try:
                counted = _counting(physical_lines(before, max_line_chars(self.limits)))
                for _cells in csv.reader(counted, delimiter=self.delimiter):
                    rows += 1
                lines = counted.count
            except (csv.Error, LineTooLong, UnicodeDecodeError):
                return f"The row at byte {row_start:,}"
        return f"Row {rows + 1:,} (line {lines + 1:,})"

# The ASCII characters str.strip() treats as whitespace (str.isspace), for judging a line on its bytes.
_ASCII_WHITESPACE = bytes(code for code in range(128) if chr(code).isspace())


def _rows_at_once(
    block: bytes, blank_lines: tuple[re.Pattern, ...], delimiter: str, limits: ReadLimits
) -> tuple[int, int] | None:
    """The non-blank rows and all rows of a block of whole lines, counted without walking them; None when the block
    needs the walk: a quote (values may span lines), a NUL, a carriage return that is not part of a CRLF line end, bytes
    that are not UTF-8, or a line long enough to break a read limit (the walk says where)."""
    if b'"' in block or b"\0" in block or block.count(b"\r") != block.count(b"\r\n"):
        return None
    if block.isascii():
        after_line_feed, first = blank_lines[0], blank_lines[1]
        lines = block
    else:
        try:
            lines = block.decode()  # a cut after a line feed never splits a character
        except UnicodeDecodeError:
            return None
        after_line_feed, first = blank_lines[2], blank_lines[3]
    line_feed = "\n" if isinstance(lines, str) else b"\n"
    if not _within_limits(lines.split(line_feed), delimiter if isinstance(lines, str) else delimiter.encode(), limits):
        return None
    blank = len(after_line_feed.findall(lines)) + (1 if first.match(lines) else 0)
    rows = lines.count(line_feed)
    return rows - blank, rows


def _within_limits(lines: list, delimiter, limits: ReadLimits) -> bool:
    """Whether lines without quotes surely keep to the column and cell limits: a line is no longer than its
    longest cell, and holds one cell more than its delimiters."""
    longest = max(map(len, lines))
    if longest < limits.max_columns:
        return longest <= limits.max_cell_chars
    return longest <= limits.max_cell_chars and max(line.count(delimiter) for line in lines) < limits.max_columns


def _decoded(line: bytes, splitter: RowSplitter) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        raise ImportFileError(f"{splitter.where()} is not valid UTF-8 text: save the file as CSV UTF-8.") from None


def _bounded(handle, end: int) -> Callable[[int], bytes]:
    """A `read` that stops at byte `end`."""

    def read(size: int) -> bytes:
        return handle.read(max(0, min(size, end - handle.tell())))

    return read


class _counting:
    """Decoded lines, counted as they are taken."""

    def __init__(self, lines: Iterator[bytes]):
        self.lines, self.count = lines, 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.count += 1
        return line.decode("utf-8")
