"""CSV and other delimited text: encoding and delimiter detection, then streaming rows."""

import codecs
import csv
import io
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import charset_normalizer

from imports.declare.errors import ImportFileError
from imports.engine.readers.delimited_rows import (
    LineTooLong,
    RowSplitter,
    line_too_long,
    max_line_chars,
    physical_lines,
)
from imports.engine.readers.limits import ReadLimits
from imports.engine.readers.positioned import PositionedCsv

DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_BYTES = 64 * 1024


class BinaryFile(ImportFileError):
    """The file is binary data, not text in any encoding: no delimited file at all."""

# Small enough that decoding a block never asks the allocator for a large buffer: with megabyte blocks the
# process keeps tens of megabytes more after checking a big file.
_CHUNK_BYTES = 64 * 1024


def detect_encoding(path: Path) -> str:
    """The encoding to read the file with.

    A byte-order mark decides first. Then NUL bytes mean UTF-16 without a mark, which charset-normalizer
    recognises well. Otherwise the whole file is checked as UTF-8 and then as Windows-1252, the two encodings
    spreadsheets actually save; charset-normalizer's guess is the last resort, because on short Western samples it
    prefers rarer code pages (cp850, cp1250) over Windows-1252.
    """
    with open(path, "rb") as handle:
        sample = handle.read(_SAMPLE_BYTES)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        guess = charset_normalizer.from_bytes(sample).best()
        if guess is not None and guess.encoding.startswith("utf_16"):
            return guess.encoding
        raise BinaryFile("The file contains binary data, not text: upload a CSV, Excel or JSON file.")
    failure = _utf8_failure(path)
    if failure is None:
        return "utf-8"
    if failure[1]:
        raise ImportFileError(
            f"The file is UTF-8 text until line {failure[0]:,}, which holds bytes that are not UTF-8: save it "
            "again as CSV UTF-8."
        )
    if _decodes_whole_file(path, "cp1252"):
        return "cp1252"
    guess = charset_normalizer.from_path(path).best()
    if guess is None:
        raise ImportFileError("The file's text encoding could not be recognised: save it as CSV UTF-8.")
    return guess.encoding


def _utf8_failure(path: Path) -> tuple[int, bool] | None:
    """None when the whole file is UTF-8; else the line where it stops being UTF-8, and whether the text before
    held characters that only UTF-8 writes that way (then it is a UTF-8 file with broken bytes, not another
    encoding: reading it as Windows-1252 would turn every accent into two wrong letters)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines, multibyte = 1, False
    with open(path, "rb") as handle:
        while True:
            chunk = handle.read(_CHUNK_BYTES)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:
                before = chunk[: max(error.start, 0)]
                return lines + _line_ends(before), multibyte or not before.isascii()
            if not chunk:
                return None
            lines += _line_ends(chunk)
            multibyte = multibyte or not chunk.isascii()


def _line_ends(data: bytes) -> int:
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def _decodes_whole_file(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    with open(path, "rb") as handle:
        try:
            while chunk := handle.read(_CHUNK_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def detect_delimiter(sample: str) -> str:
    """The delimiter among `DELIMITERS` that splits the sample's rows into the most consistent number of columns.

    Each candidate parses the sample with the csv module (so quoted delimiters and line breaks are respected);
    the one whose most common column count occurs most often, and is above one, wins. Title rows above the header
    only lower a candidate's count a little, so they do not mislead it.
    """
    lines = sample.splitlines(keepends=True)
    if len(lines) > 1:
        sample = "".join(lines[:-1])  # the last line may be cut off mid-row
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            widths = [len(row) for row in csv.reader(io.StringIO(sample), delimiter=delimiter) if any(row)]
        except csv.Error:
            continue
        if not widths:
            continue
        width, frequency = Counter(widths).most_common(1)[0]
        score = (frequency, width) if width > 1 else (0, 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


class DelimitedSource:
    """Raw rows of a delimited text file, each a list of cell texts, read lazily every time `rows()` is called.

    A UTF-8 file is read by the import's own reader (PositionedCsv), so the wizard's preview and the import read
    it alike; a file in another encoding is decoded first and split by the same rules (`delimited_rows`), under the
    same limits, as it is converted for the import.
    """

    def __init__(self, path: Path, limits: ReadLimits | None = None):
        self.path = path
        self.limits = limits or ReadLimits.from_settings()
        self.encoding = detect_encoding(path)
        with open(path, encoding=self.encoding, newline="") as handle:
            self.delimiter = detect_delimiter(handle.read(_SAMPLE_BYTES))

    def rows(self) -> Iterator[list[str]]:
        if self.encoding in ("utf-8", "utf-8-sig"):
            start = len(codecs.BOM_UTF8) if self.encoding == "utf-8-sig" else 0
            for cells, _next_offset in PositionedCsv(self.path, self.delimiter, self.limits).rows(start):
                yield cells
            return
        yield from self._decoded_rows()

    def _decoded_rows(self) -> Iterator[list[str]]:
        row = line = first_line = 0

        def where() -> str:
            return f"Row {row:,} (line {first_line:,})"

        splitter = RowSplitter(self.delimiter, self.limits, where)

        def following() -> Iterator[str]:
            nonlocal line
            for text in lines:
                line += 1
                yield text

        with open(self.path, encoding=self.encoding, newline="") as handle:
            lines = physical_lines(handle.read, max_line_chars(self.limits))
            more = following()
            try:
                for text in lines:
                    row, line = row + 1, line + 1
                    first_line = line
                    yield splitter.row(text, more)
            except LineTooLong:
                raise line_too_long(self.limits, f"Row {row + 1:,} (line {line + 1:,})") from None
            except UnicodeDecodeError:
                raise ImportFileError(
                    f"The file is not valid {self.encoding} text near line {line:,}: save it as CSV UTF-8."
                ) from None

    def close(self) -> None:
        """Nothing stays open between reads."""
