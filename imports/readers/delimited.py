"""CSV and other delimited text: encoding and delimiter detection, then streaming rows."""

import codecs
import csv
import io
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import charset_normalizer

from imports.errors import ImportFileError

DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_BYTES = 64 * 1024
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
        raise ImportFileError("The file contains binary data, not text: upload a CSV, Excel or JSON file.")
    for encoding in ("utf-8", "cp1252"):
        if _decodes_whole_file(path, encoding):
            return encoding
    guess = charset_normalizer.from_path(path).best()
    if guess is None:
        raise ImportFileError("The file's text encoding could not be recognised: save it as CSV UTF-8.")
    return guess.encoding


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
    """Raw rows of a delimited text file, each a list of cell texts, read lazily every time `rows()` is called."""

    def __init__(self, path: Path):
        self.path = path
        self.encoding = detect_encoding(path)
        with open(path, encoding=self.encoding, newline="") as handle:
            self.delimiter = detect_delimiter(handle.read(_SAMPLE_BYTES))

    def rows(self) -> Iterator[list[str]]:
        with open(self.path, encoding=self.encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=self.delimiter)
            try:
                yield from reader
            except csv.Error as error:
                raise ImportFileError(
                    f"The file cannot be read past line {reader.line_num}: {error}. "
                    "Check for a quote that is opened but never closed."
                ) from None
            except UnicodeDecodeError:
                raise ImportFileError(
                    f"The file is not valid {self.encoding} text near line {reader.line_num}: save it as CSV UTF-8."
                ) from None

    def close(self) -> None:
        """Nothing stays open between reads."""
