"""The two kinds of failure an import knows.

A file error stops the whole job before anything is written (unreadable file, missing columns, over a limit);
a cell error fails one row and the rest carry on.
"""

from dataclasses import dataclass


class ImportFileError(Exception):
    """The file as a whole cannot be imported. `str(error)` is one sentence meant for the user."""


class FieldError(ValueError):
    """Raised by a field parser; the message is shown to the user as it is."""


@dataclass(frozen=True, slots=True)
class CellError:
    """One problem with one row: which field (None for the row as a whole), the file column, the value, why."""

    field: str | None
    column: str | None
    value: str
    message: str

    def as_dict(self) -> dict:
        return {"field": self.field, "column": self.column, "value": self.value, "message": self.message}
