"""The first rows of each sheet of a workbook, shown where the user picks the sheet to import: the header each
sheet's would be read from (title rows above it skipped, as the import does) and a few rows under it, so the right
sheet is recognised without opening the file."""

from dataclasses import dataclass, field
from itertools import islice

from imports.declare.errors import ImportFileError
from imports.declare.targets import get_target
from imports.engine.readers.table import Table
from imports.engine.stored_files import stored_file_local
from imports.models import ImportUpload

ROWS_SHOWN = 3
COLUMNS_SHOWN = 8
CHARACTERS_SHOWN = 40
SHEETS_PREVIEWED = 20  # a workbook of hundreds of sheets is still a quick page: the rest are listed by name


@dataclass
class SheetPreview:
    name: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    more_columns: int = 0
    problem: str = ""  # why nothing can be shown ("The sheet is empty.")


def sheet_previews(upload: ImportUpload) -> list[SheetPreview]:
    """A preview of each sheet of the upload's workbook, in the workbook's order."""
    target = get_target(upload.target_model)
    previews = []
    with stored_file_local(upload.file) as path:
        for position, name in enumerate(upload.sheet_names):
            if position >= SHEETS_PREVIEWED:
                previews.append(SheetPreview(name, problem="Not previewed: the workbook has many sheets."))
                continue
            try:
                with Table(path, sheet=name, header_score=target.header_score, streamed=True) as table:
                    rows = [row.cells for row in islice(table.rows(), ROWS_SHOWN)]
                    previews.append(SheetPreview(
                        name, columns=[_short(cell) for cell in table.columns[:COLUMNS_SHOWN]],
                        rows=[[_short(cell) for cell in cells[:COLUMNS_SHOWN]] for cells in rows],
                        more_columns=max(0, len(table.columns) - COLUMNS_SHOWN),
                        problem="" if rows else "A header row and no data rows.",
                    ))
            except ImportFileError as error:
                previews.append(SheetPreview(name, problem=str(error)))
    return previews


def _short(text: str) -> str:
    return text if len(text) <= CHARACTERS_SHOWN else text[: CHARACTERS_SHOWN - 1] + "…"
