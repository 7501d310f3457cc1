"""What becomes of a row: its outcome (one fixed set), and the plan a batch makes of it before anything is written.

A target's hooks receive the rows as plans: they read the cleaned `values` and the stored record (`existing`),
fail a row with a message naming its field (`fail`), or warn about one that is imported anyway (`warn`).
"""

from enum import StrEnum
from typing import Any, NamedTuple

from imports.declare.errors import CellError


class SourceRow(NamedTuple):
    """One data row: `number` counts data rows from 1 (header and blank rows do not count); `cells` are texts.

    `blank_key` numbers the rows of a chunk whose key cell is empty (0, 1, 2, ...), so each gets the same
    generated key however the job's chunks are spread over workers; None when the row names its key.
    `sheet_row` is the row as a spreadsheet program numbers it (title rows, the header and blank rows counted),
    which is what a person finds in their file; None where the file has no sheet (JSON).
    """

    number: int
    cells: list[str]
    blank_key: int | None = None
    sheet_row: int | None = None


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    FAILED = "failed"


class RowPlan:
    """One row on its way through the pipeline.

    `values` holds the cleaned values the file gives (plus defaults, for a new record); `existing` the stored
    values of the record the row's key names, if any; `changed` the fields an update changes. (A plain slotted
    class: a batch makes a thousand of these, and a dataclass with factories costs five times as much.)
    """

    __slots__ = (
        "changed", "columns", "errors", "existing", "key", "outcome", "record_id", "source", "values", "warnings",
    )

    def __init__(self, source: SourceRow, columns: dict[str, tuple[str, int]]):
        self.source = source
        self.columns = columns  # field -> (file column, index), shared by all rows of a job
        self.values: dict[str, Any] = {}
        # Most rows have neither: a list is made only for a row that needs one.
        self.errors: list[CellError] | tuple = ()
        self.warnings: list[str] | tuple = ()
        self.key: str | None = None
        self.existing: dict[str, Any] | None = None
        self.outcome: Outcome | None = None
        self.changed: tuple[str, ...] = ()
        self.record_id: int | None = None  # a new record's primary key, given before it is written

    @property
    def number(self) -> int:
        return self.source.number

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    def fail(self, field_name: str | None, message: str) -> None:
        column, index = self.columns.get(field_name, (None, None))
        value = self.source.cells[index] if index is not None else ""
        self.add_error(CellError(field_name, column, value, message))

    def add_error(self, error: CellError) -> None:
        if not self.errors:
            self.errors = []
        self.errors.append(error)

    def warn(self, message: str) -> None:
        """Import the row, and note something the user should check (in the log and the error report)."""
        if not self.warnings:
            self.warnings = []
        self.warnings.append(message)

    def fields_with_errors(self) -> set[str | None]:
        return {error.field for error in self.errors}

    def final_value(self, name: str) -> Any:
        """The value the record will hold once written: the file's, else what is stored."""
        if name in self.values:
            return self.values[name]
        return self.existing.get(name) if self.existing is not None else None
