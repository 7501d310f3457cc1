"""Reading a job's file through before any row is written, in two steps.

Laying out (once, quickly): find the header among the first ten non-blank rows, match columns to fields, count
the data rows and cut them into chunks, remembering the byte where each starts.

Scanning (one chunk at a time, on several workers at once): count the chunk's rows without a key, note the
highest generated-form key it names, and spill its keys and other must-be-unique values into buckets, from which
imports.engine.spill finds the rows that repeat an earlier row's value. All of it in flat memory, except for the
rows that name another row of the file (an account's parent account), which imports.engine.references judges together.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field

from companies.models import Company
from imports.declare.errors import ImportFileError
from imports.declare.targets import ImportTarget
from imports.engine.cell_edits import CellEdits
from imports.engine.mapping import ColumnMapping, map_columns
from imports.engine.readers import sniffing
from imports.engine.readers.limits import ReadLimits
from imports.engine.readers.positioned import PositionedCsv
from imports.engine.readers.staging import StagedFile
from imports.engine.readers.table import find_header, report_columns_to_skip, unique_columns
from imports.engine.spill import ChunkSpill
from imports.engine.validation_rules import ValidationRules, unique_name
from imports.engine.value_fixes import ColumnFixer, ValueFixes

_BLOCK_ROWS = 2000


@dataclass
class ChunkPlan:
    first_row: int
    start_offset: int
    last_row: int = 0
    sheet_row: int = 0  # the first row's place among all the file's rows, as a spreadsheet numbers it


@dataclass
class Layout:
    columns: list[str]
    skip_columns: int
    mapping: ColumnMapping
    total_rows: int = 0
    chunks: list[ChunkPlan] = field(default_factory=list)


@dataclass
class ChunkScan:
    blank_keys: int = 0
    highest_key_number: int = 0


def layout_read(
    staged: StagedFile,
    *,
    target: ImportTarget,
    explicit_mapping: dict,
    required: list[str],
    header_score: Callable[[list[str]], int],
    chunk_rows: int,
    max_rows: int,
    missing_hint: str = "Add them to the file or map columns to them.",
) -> Layout:
    """Header, mapping, row count and chunks; raises ImportFileError for a file that cannot be imported (a file
    missing required columns: naming them, then `missing_hint`, what to do)."""
    reader = PositionedCsv(staged.path, staged.delimiter)
    header, data_offset = _header(reader, staged, header_score)
    skip = report_columns_to_skip(header)
    columns = unique_columns(header[skip:])
    if not columns:
        raise ImportFileError(
            "The header row has no columns besides the error report's own (row_number, error_message, sheet_row)."
        )
    mapping = map_columns(target, columns, explicit_mapping)
    missing = mapping.missing(required)
    if missing:
        raise ImportFileError(
            f"Missing required columns: {', '.join(missing)}. {missing_hint}"
        )
    layout = Layout(columns=columns, skip_columns=skip, mapping=mapping)
    number, starts = reader.chunk_starts(data_offset, chunk_rows)
    ReadLimits(max_rows=max_rows).check_rows(number)
    if number == 0:
        raise ImportFileError("The file has a header row but no data rows.")
    header_rows = reader.rows_between(staged.start_offset, data_offset)  # title and blank rows, and the header
    for (first_row, start_offset, rows_before), following in zip(
        starts, [*starts[1:], (number + 1, None, None)], strict=True
    ):
        layout.chunks.append(ChunkPlan(
            first_row=first_row, start_offset=start_offset, last_row=following[0] - 1,
            sheet_row=header_rows + rows_before + 1,
        ))
    layout.total_rows = number
    return layout


def sheet_rows_shifted(reader: PositionedCsv, chunks, sheet_rows: list[int], numbers: set[int]) -> dict[int, int]:
    """The sheet rows of those data rows among `numbers` that blank rows above them push down, as {row: sheet
    row}: a row left out has sheet row `row + sheet_rows[0] - 1`, as every row has in a file without blank rows
    between its data rows.

    `chunks` are the job's chunks and `sheet_rows` each one's first sheet row (the layout's). A chunk whose rows
    hold no blank row (it ends where the next one starts) is worked out from where it starts; another is read,
    with the quick pass that cuts a file into chunks, once and only up to the last row wanted in it.
    """
    offset, found, ordered = sheet_rows[0] - 1, {}, sorted(numbers)
    for chunk in chunks:
        wanted = set(ordered[bisect_left(ordered, chunk.first_row) : bisect_right(ordered, chunk.last_row)])
        if not wanted or chunk.index >= len(sheet_rows):
            continue
        start = sheet_rows[chunk.index]
        following = sheet_rows[chunk.index + 1] if chunk.index + 1 < len(sheet_rows) else None
        if following is not None and following - start == chunk.last_row - chunk.first_row + 1:
            sheets = {number: start + number - chunk.first_row for number in wanted}
        else:
            sheets, number, sheet, last = {}, chunk.first_row - 1, start - 1, max(wanted)
            for blank, _next_offset in reader.row_ends(chunk.start_offset):
                sheet += 1
                if blank:
                    continue
                number += 1
                if number in wanted:
                    sheets[number] = sheet
                if number >= last:
                    break
        found.update((number, sheet) for number, sheet in sheets.items() if sheet != number + offset)
    return found


def _header(reader: PositionedCsv, staged: StagedFile, header_score) -> tuple[list[str], int]:
    """The header's cells and the offset where the data rows after it start."""
    return find_header(reader.rows(staged.start_offset), header_score, first=staged.source_format == sniffing.JSON)


def chunk_scan(
    reader: PositionedCsv,
    *,
    start_offset: int,
    first_row: int,
    last_row: int,
    skip_columns: int,
    mapping: ColumnMapping,
    target: ImportTarget,
    company: Company,
    spill: ChunkSpill,
    fixes: ValueFixes | None = None,
    rules: ValidationRules | None = None,
    edits: CellEdits | None = None,
) -> ChunkScan:
    """Scan rows first_row..last_row, starting at byte `start_offset`, a block of rows at a time, reading values
    with the job's `fixes` and cell `edits` as its batches will, and spilling the fields its `rules` want unique
    too."""
    result, block = ChunkScan(), []
    fixer = ColumnFixer(fixes or ValueFixes(), target, mapping)
    unique = (rules or ValidationRules()).unique_fields
    edits = edits or CellEdits()
    for number, cells, _next_offset in reader.data_rows(start_offset, after=first_row - 1):
        block.append(edits.applied(number, cells[skip_columns:] if skip_columns else cells))
        if len(block) == _BLOCK_ROWS or number == last_row:
            _scan_block(block, number - len(block) + 1, result, mapping, target, company, spill, fixer, unique)
            block = []
            if number == last_row:
                return result
    raise ImportFileError(f"The file changed while it was read: it ended before row {last_row:,}. Upload it again.")


def _column(rows: list[list[str]], index: int | None) -> list[str]:
    if index is None:
        return [""] * len(rows)
    return [cells[index] if index < len(cells) else "" for cells in rows]


def _scan_block(rows, first, result: ChunkScan, mapping, target, company, spill: ChunkSpill, fixer, unique) -> None:
    """One block of rows, column by column, with the same cleaning (value fixes first) the chunk's batches use."""
    numbers = list(range(first, first + len(rows)))
    cleaned = _cleaner(rows, mapping, target, fixer)
    if target.key_parts:
        keys = _composite_keys(target, cleaned)
    else:
        raw_keys = _column(rows, mapping.index_of(target.key))
        result.blank_keys += sum(1 for raw in raw_keys if not raw.strip())  # the same test as the batches'
        keys = cleaned(target.key)
    spill.add(target.key, keys, numbers)
    result.highest_key_number = max(
        result.highest_key_number, target.highest_key_number(company, [key for key in keys if key is not None])
    )
    for name, values in _unique_in_file_values(mapping, target, cleaned, unique):
        spill.add(name, values, numbers)
    for name in target.references_in_file:
        if mapping.index_of(name) is None:
            continue
        references = cleaned(name)
        spill.add_records(name, [
            (row, key, reference)
            for row, key, reference in zip(numbers, keys, references, strict=True)
            if reference is not None
        ])


def _cleaner(rows, mapping, target, fixer: ColumnFixer):
    """`cleaned(name)`: the block's column of field `name`, its value fixes applied, cleaned as the batches clean
    it (None where blank or invalid)."""

    def cleaned(name: str) -> list:
        values, _errors, _warnings = fixer.clean_column(
            target.fields_by_name[name], _column(rows, mapping.index_of(name)), rows
        )
        return values

    return cleaned


def _unique_in_file_values(mapping, target, cleaned, rule_fields: list[str]) -> list[tuple[str, list]]:
    """The values of each field the target wants unique within a file (besides its key), then of each a company's
    rule wants unique (`rule_fields`, under their own names), cleaned as the batches will clean them; None where a
    row has none or its rule does not apply to the row."""
    columns = []
    for rule in target.unique_in_file:
        if mapping.index_of(rule.field) is None:
            continue
        values = cleaned(rule.field)
        if rule.only_when is not None:
            name, allowed = rule.only_when
            conditions = cleaned(name)
            values = [v if condition in allowed else None for v, condition in zip(values, conditions, strict=True)]
        columns.append((rule.field, values))
    columns.extend((unique_name(name), cleaned(name)) for name in rule_fields if mapping.index_of(name) is not None)
    return columns


def repeats_within(
    rows: list[list[str]], numbers: list[int], *, mapping: ColumnMapping, target: ImportTarget,
    fixes: ValueFixes | None = None, rules: ValidationRules | None = None,
) -> list[tuple[int, str, int]]:
    """The rows among `rows` (a few, held in memory: the wizard's preview) that repeat an earlier one's key or
    must-be-unique value, as (row, field, first row): what the job's scan and merge find in a whole file
    (imports.engine.spill.duplicates_find), found on these rows alone, from values cleaned the same way."""
    cleaned = _cleaner(rows, mapping, target, ColumnFixer(fixes or ValueFixes(), target, mapping))
    keys = _composite_keys(target, cleaned) if target.key_parts else cleaned(target.key)
    found = []
    unique = (rules or ValidationRules()).unique_fields
    for name, values in [(target.key, keys), *_unique_in_file_values(mapping, target, cleaned, unique)]:
        first: dict = {}
        for value, number in zip(values, numbers, strict=True):
            if value is None:
                continue
            if value in first:
                found.append((number, name, first[value]))
            else:
                first[value] = number
    return sorted(found)


def _composite_keys(target, cleaned) -> list[str | None]:
    """Each row's composite key, from its parts cleaned as the batches will clean them."""
    parts = [cleaned(name) for name in target.key_parts]
    return [
        target.compose_key(dict(zip(target.key_parts, row_parts, strict=True)))
        for row_parts in zip(*parts, strict=True)
    ]
