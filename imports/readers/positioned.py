"""Reading a UTF-8 CSV file from any byte offset, knowing where each row ends.

This is what lets a worker start at its chunk's first row, or resume after the last committed batch, without
reading the rows before it. Most lines of a real export have no quote character at all; for those, splitting on
the delimiter gives exactly the cells the csv module gives, several times faster. A line with a quote (and the
lines that continue a quoted value) goes through the csv module itself.
"""

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from imports.errors import ImportFileError


class PositionedCsv:
    def __init__(self, path: Path, delimiter: str):
        self.path = path
        self.delimiter = delimiter

    def rows(self, offset: int = 0) -> Iterator[tuple[list[str], int]]:
        """Rows from the row starting at byte `offset`: each with the offset where the next row starts."""
        for cells, _blank, next_offset in self._rows(offset, cells_wanted=True):
            yield cells, next_offset

    def records(self, offset: int = 0) -> Iterator[tuple[list[str], bool, int]]:
        """Like `rows`, with whether each row is blank (as `is_blank` says), which comes free here."""
        return self._rows(offset, cells_wanted=True)

    def row_ends(self, offset: int = 0) -> Iterator[tuple[bool, int]]:
        """For each row from `offset`: whether it is blank, and the offset where the next row starts.

        The quick pass that cuts a file into chunks: a plain ASCII line is judged on its bytes, without decoding
        or splitting it. Blank means what `is_blank` says of the row's cells: nothing but delimiters and the
        whitespace `str.strip` removes.
        """
        for _cells, blank, next_offset in self._rows(offset, cells_wanted=False):
            yield blank, next_offset

    def chunk_starts(self, offset: int, every: int) -> tuple[int, list[tuple[int, int]]]:
        """Count the non-blank rows from byte `offset`, and find where rows 1, 1 + every, 1 + 2 * every, ... start
        (the byte after the row before, as `row_ends` gives it). Returns (rows, [(row number, start byte), ...]).

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
        number, starts, position = 0, [], offset
        with open(self.path, "rb") as handle:
            while True:
                handle.seek(position)
                block = handle.read(self.block_bytes)
                cut = block.rfind(b"\n") + 1
                end = position + cut if cut else None  # no line end: the file's last line (or a giant one)
                if end is not None:
                    block = block[:cut]
                    next_first = (number // every + 1) * every + 1 if number % every else number + 1
                    rows = _rows_at_once(block, blank_lines)
                    if rows is not None and number + rows < next_first:
                        number, position = number + rows, end
                        continue
                # Row by row to the end of this block (a quoted value may carry the walk a little past it).
                number, position, finished = self._walk(position, end, number, every, starts)
                if finished:
                    return number, starts

    def _walk(self, position: int, end: int | None, number: int, every: int, starts: list) -> tuple[int, int, bool]:
        """Rows from byte `position` until byte `end` is reached (None: the file's end), counted and noted as
        `chunk_starts` does; returns the count, the position reached, and whether the file ended."""
        for blank, next_offset in self.row_ends(position):
            if not blank:
                number += 1
                if (number - 1) % every == 0:
                    starts.append((number, position))
            position = next_offset
            if end is not None and position >= end:
                return number, position, False
        return number, position, True

    block_bytes = 256 * 1024  # how much is read and counted at once

    def _rows(self, offset: int, *, cells_wanted: bool) -> Iterator[tuple[list[str] | None, bool, int]]:
        delimiter = self.delimiter
        blank_bytes = _ASCII_WHITESPACE + delimiter.encode()
        position = offset
        with open(self.path, "rb") as handle:
            handle.seek(offset)

            def continued(first: bytes) -> Iterator[str]:
                """The row's first line, then as many more as the csv module asks for (it never reads ahead)."""
                nonlocal position
                yield _decoded(first, position)
                while line := handle.readline():
                    position += len(line)
                    yield _decoded(line, position)

            readline = handle.readline
            while line := readline():
                position += len(line)
                if b'"' not in line and b"\0" not in line and line.find(b"\r", 0, -2) < 0:
                    if not cells_wanted and line.isascii():
                        yield None, not line.strip(blank_bytes), position
                        continue
                    try:
                        text = line.decode().rstrip("\r\n")
                    except UnicodeDecodeError:
                        raise ImportFileError(f"The file is not valid UTF-8 text near byte {position}.") from None
                    if "\r" not in text:
                        cells = text.split(delimiter) if text else []
                        yield cells, not "".join(cells).strip(), position
                        continue
                try:
                    cells = next(csv.reader(continued(line), delimiter=delimiter), [])
                except csv.Error as error:
                    raise ImportFileError(
                        f"The file cannot be read near byte {position}: {error}. "
                        "Check for a quote that is opened but never closed."
                    ) from None
                yield cells, not "".join(cells).strip(), position


# The ASCII characters str.strip() treats as whitespace (str.isspace), for judging a line on its bytes.
_ASCII_WHITESPACE = bytes(code for code in range(128) if chr(code).isspace())


def _rows_at_once(block: bytes, blank_lines: tuple[re.Pattern, ...]) -> int | None:
    """The non-blank rows of a block of whole lines, counted without walking them; None when the block needs the
    walk: a quote (values may span lines), a NUL, a carriage return that is not part of a CRLF line end, or bytes
    that are not UTF-8 (the walk says where)."""
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
    blank = len(after_line_feed.findall(lines)) + (1 if first.match(lines) else 0)
    return lines.count("\n" if isinstance(lines, str) else b"\n") - blank


def _decoded(line: bytes, position: int) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        raise ImportFileError(f"The file is not valid UTF-8 text near byte {position}.") from None
