"""The limits every import file is read under, whatever its format and whichever face reads it.

A hostile file must not be able to talk its way past them: each is checked *while* the file streams, before
anything large is built, and a file over one is refused with one sentence that names the limit and the setting
that raises it. The wizard's preview, the command line, the API and the workers read under the same limits, so a
file that passes one passes the others.
"""

from dataclasses import dataclass

from django.conf import settings

from imports.declare.errors import ImportFileError

# How deep a JSON record may nest: a record is an object of scalars, or of short lists / shallow objects of scalars.
# Fixed, not a setting: no real export of customers or readings nests deeper, and the depth is what a hostile file
# uses to make a parser's memory grow with its square.
JSON_MAX_DEPTH = 4


def max_file_bytes() -> int:
    """The largest import file accepted, in bytes (IMPORT_MAX_FILE_MB)."""
    return settings.IMPORT_MAX_FILE_MB * 1024 * 1024


def file_size_refusal(size: int) -> str | None:
    """The sentence that refuses a file of `size` bytes, or None when it is within IMPORT_MAX_FILE_MB.

    A sentence, not an exception: each face refuses in its own way (a form error, an API 413, an ImportFileError)
    with the same words.
    """
    if size > max_file_bytes():
        return f"The file is {size / 1024 / 1024:.1f} MB; the limit is {settings.IMPORT_MAX_FILE_MB} MB."
    return None


def check_file_size(size: int) -> None:
    """Raise ImportFileError for a file over IMPORT_MAX_FILE_MB."""
    if refusal := file_size_refusal(size):
        raise ImportFileError(refusal)


@dataclass(frozen=True)
class ReadLimits:
    """What one import file may hold. `from_settings()` gives the limits in force; tests pass smaller ones."""

    max_rows: int = 1_000_000
    max_columns: int = 1_000
    max_cell_chars: int = 32_767
    # A workbook (a ZIP archive) before it is opened: the sum of its members' uncompressed sizes, and how many
    # times larger than its compressed size any one member may unpack to (what zip-bomb defences check).
    max_unzipped_bytes: int = 1024 * 1024 * 1024
    max_zip_ratio: int = 100

    @classmethod
    def from_settings(cls) -> "ReadLimits":
        return cls(
            max_rows=settings.IMPORT_MAX_ROWS,
            max_columns=settings.IMPORT_MAX_COLUMNS,
            max_cell_chars=settings.IMPORT_MAX_CELL_CHARS,
            max_unzipped_bytes=settings.IMPORT_MAX_UNZIPPED_MB * 1024 * 1024,
            max_zip_ratio=settings.IMPORT_MAX_ZIP_RATIO,
        )

    def check_columns(self, count: int, row: int | None = None, *, where: str | None = None) -> None:
        """`where` names the place for the sentence ("Row 3 (line 4)", "Item 2 of the JSON array"); else `row`."""
        if count > self.max_columns:
            raise ImportFileError(
                f"{_place(row, where)} has {count:,} columns; the limit is {self.max_columns:,} (IMPORT_MAX_COLUMNS)."
            )

    def check_cell(self, length: int, row: int | None = None, *, where: str | None = None) -> None:
        if length > self.max_cell_chars:
            raise ImportFileError(
                f"{_place(row, where)} has a cell of {length:,} characters or more; the limit is "
                f"{self.max_cell_chars:,} (IMPORT_MAX_CELL_CHARS)."
            )

    def check_rows(self, count: int) -> None:
        if count > self.max_rows:
            raise ImportFileError(
                f"The file has more than {self.max_rows:,} rows, the limit (IMPORT_MAX_ROWS). Split it into smaller "
                "files."
            )


def _place(row: int | None, where: str | None) -> str:
    if where is not None:
        return where
    return f"Row {row:,}" if row is not None else "The file"
