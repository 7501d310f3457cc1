"""Telling file formats apart by their content, never by their name."""

import zipfile
from pathlib import Path

from imports.declare.errors import ImportFileError

XLSX = "xlsx"
XLS = "xls"
CSV = "csv"
JSON = "json"

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_KNOWN_BINARIES = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
}
SUPPORTED = "CSV, Excel (.xlsx, .xls) or JSON"


def detect_format(path: Path) -> str:
    """Return 'csv', 'xlsx', 'xls' or 'json' for the file's content, or raise ImportFileError saying what it is."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if not head:
        raise ImportFileError("The file is empty.")
    if head.startswith(_ZIP_MAGIC):
        return _zip_kind(path)
    if head.startswith(_OLE2_MAGIC):
        return XLS
    for magic, description in _KNOWN_BINARIES.items():
        if head.startswith(magic):
            raise ImportFileError(f"This file is {description}, not a spreadsheet: upload a {SUPPORTED} file.")
    if _looks_like_json(head):
        return JSON
    return CSV


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise ImportFileError("The file looks like an Excel workbook but is damaged and cannot be opened.") from None
    if "xl/workbook.xml" in names:
        return XLSX
    if "content.xml" in names:
        raise ImportFileError("OpenDocument spreadsheets (.ods) are not supported: save the sheet as .xlsx or .csv.")
    raise ImportFileError(f"This file is a ZIP archive, not a spreadsheet: upload a {SUPPORTED} file.")


def _looks_like_json(head: bytes) -> bool:
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"{"):
        return True
    # A CSV could start with '[' in a title cell; JSON arrays of objects continue with '{' or close at once.
    return text.startswith(b"[") and text[1:].lstrip()[:1] in (b"{", b"]")
