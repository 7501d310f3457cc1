"""Staging: every import file becomes a UTF-8 CSV that workers can read from any byte offset.

A UTF-8 CSV (the common case, and the big one) is used as it is. Other encodings, old Mac line endings, Excel
workbooks and JSON are converted once, row for row: title rows, cell texts and column order stay exactly as
they were, so the error report still shows the user's own cells.
"""

import codecs
import csv
from dataclasses import dataclass
from pathlib import Path

from imports.engine.readers import sniffing
from imports.engine.readers.delimited import DelimitedSource
from imports.engine.readers.jsonfile import JsonSource
from imports.engine.readers.workbooks import XlsSource
from imports.engine.readers.xlsx_stream import XlsxStream

_SAMPLE_BYTES = 64 * 1024


@dataclass(frozen=True)
class StagedFile:
    """A UTF-8 CSV: its path, its delimiter, where its first row starts, and what it was converted from."""

    path: Path
    delimiter: str
    start_offset: int
    source_format: str
    sheet: str | None = None
    sheet_names: tuple[str, ...] = ()
    converted: bool = False


def stage(path: Path, converted_path: Path, *, sheet: str | None = None) -> StagedFile:
    """Return `path` itself when it is already a UTF-8 CSV with \\n or \\r\\n line ends, else convert it into
    `converted_path`."""
    source_format = sniffing.detect_format(path)
    if source_format == sniffing.CSV:
        source = DelimitedSource(path)
        if source.encoding in ("utf-8", "utf-8-sig") and _has_line_feeds(path):
            bom = len(codecs.BOM_UTF8) if source.encoding == "utf-8-sig" else 0
            return StagedFile(path, source.delimiter, bom, source_format)
    elif source_format == sniffing.XLSX:
        source = XlsxStream(path, sheet)
    elif source_format == sniffing.XLS:
        source = XlsSource(path, sheet)
    else:
        source = JsonSource(path)
    try:
        _write_csv(source.rows(), converted_path)
    finally:
        source.close()
    return StagedFile(
        converted_path, ",", 0, source_format, getattr(source, "sheet", None),
        tuple(getattr(source, "sheet_names", ())), converted=True,
    )


def _has_line_feeds(path: Path) -> bool:
    """False for a file whose lines end in a lone carriage return (Excel for Mac's old "CSV (Macintosh)")."""
    with open(path, "rb") as handle:
        sample = handle.read(_SAMPLE_BYTES)
    return b"\n" in sample or b"\r" not in sample


def _write_csv(rows, destination: Path) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    with open(destination, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerows(rows)
