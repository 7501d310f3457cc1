"""Reading a UTF-8 CSV file from any byte offset, knowing where each row ends.

This is what lets a worker start at its chunk's first row, or resume after the last committed batch, without
reading the rows before it. Most lines of a real export have no quote character at all; for those, splitting on
the delimiter gives exactly the cells the csv module gives, several times faster. A line with a quote (and the
lines that continue a quoted value) goes through the csv module itself.
"""

import csv
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


def _decoded(line: bytes, position: int) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        raise ImportFileError(f"The file is not valid UTF-8 text near byte {position}.") from None
