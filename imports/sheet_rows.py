"""Naming a row the way a person finds it in their file.

A job counts data rows (title rows above the header, the header and blank rows do not count), so data row 5 can
be row 10 of the sheet a person has open. Every message about a row gives both: "row 5, sheet row 10". The sheet
row is kept with a row's log entry, in its `record_data` under `SHEET_ROW` (beside the file's own columns, as
`_extra` is), so the log, the error report, the command line and the API all read it from one place.

Depends on nothing else of the project, so the models, the engine and every face may use it.
"""

SHEET_ROW = "_sheet_row"


def row_label(number: int, sheet_row: int | None) -> str:
    """'row 5, sheet row 10', or 'row 5' where the file has no sheet rows (JSON). No thousands separators: the
    comma already separates the two."""
    if sheet_row is None:
        return f"row {number}"
    return f"row {number}, sheet row {sheet_row}"


def logged_sheet_row(record_data) -> int | None:
    """The sheet row a log entry's `record_data` keeps, if any."""
    return record_data.get(SHEET_ROW) if isinstance(record_data, dict) else None
