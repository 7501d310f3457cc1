"""A look-up job's rows: cleaned into queries, answered by the service, recorded with the chunk's checkpoint.

Results are recorded as they come, in any order (a payer answers some queries in a second, others in a minute),
each commit moving the chunk's checkpoint to the last row before which every row has its result. A row that has a
result is never looked up again: a worker that dies loses only the answers it had not yet recorded, and whoever
takes its chunk over starts at the checkpoint and passes over the rows recorded beyond it.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from imports.declare.bulk_insert import rows_insert
from imports.declare.formulas import escape_formula
from imports.declare.lookups import LookupQuery, LookupResult, LookupService
from imports.declare.outcomes import SourceRow
from imports.engine.commit import LeaseLost
from imports.engine.mapping import ColumnMapping
from imports.models import ImportChunk, ImportExportJob
from imports.models import LookupResult as StoredResult

_RESULT_FIELDS = [
    StoredResult._meta.get_field(name) for name in ("job", "row_number", "success", "retryable", "error", "values")
]
# The results file's columns the core fills itself; every other column comes from the result's values.
CORE_COLUMNS = frozenset({"row", "success", "error", "retryable"})


@dataclass
class LookupRunContext:
    """What the service may read of the job (imports.declare.lookups.LookupContext)."""

    company: object
    job_id: object
    today: date


class RowsCleaner:
    """Cleans a block of rows with the service's fields, column by column: queries for the rows that pass, failed
    results (naming each field and what is wrong, never its value) for the others."""

    def __init__(self, *, service: LookupService, mapping: ColumnMapping, width: int):
        self.service = service
        self.width = width
        self.field_columns = mapping.field_columns(service)
        self.required = [(item.name, item.label) for item in service.fields if item.required]
        self.order = service.field_order

    def clean(self, rows: list[SourceRow]) -> tuple[list[LookupQuery], list[LookupResult]]:
        values: list[dict] = [{} for _ in rows]
        errors: list[list[tuple[str, str]]] = [[] for _ in rows]
        for import_field, index, _column in self.field_columns:
            cleaned, invalid = import_field.clean_column([row.cells[index] for row in rows])
            for position, message in invalid.items():
                errors[position].append((import_field.name, message))
            for position, value in enumerate(cleaned):
                if value is not None:
                    values[position][import_field.name] = value
        queries, failed = [], []
        for row, row_values, row_errors in zip(rows, values, errors, strict=True):
            failed_fields = {name for name, _message in row_errors}
            row_errors += [
                (name, f"{label} is missing") for name, label in self.required
                if name not in row_values and name not in failed_fields
            ]
            if row_errors:
                row_errors.sort(key=lambda error: self.order.get(error[0], len(self.order)))
                failed.append(LookupResult(
                    row=row.number, success=False, values=self.service.result_base(row_values),
                    error="; ".join(message for _name, message in row_errors),
                ))
            else:
                queries.append(LookupQuery(row=row.number, values=row_values))
        return queries, failed


@dataclass
class Checkpoint:
    """The rows of a chunk read so far and which of them have results: the checkpoint is the last row before
    which every row has one."""

    row: int
    offset: int
    open_rows: dict[int, int] = field(default_factory=dict)  # row read, no result recorded yet -> its next offset
    answered: dict[int, int] = field(default_factory=dict)  # row recorded beyond the checkpoint -> its next offset

    def read(self, row: int, next_offset: int) -> None:
        self.open_rows[row] = next_offset

    def recorded(self, row: int) -> None:
        self.answered[row] = self.open_rows.pop(row)

    def advance(self) -> bool:
        """Move past every row now answered in sequence; whether it moved."""
        moved = False
        while (self.row + 1) in self.answered:
            self.row += 1
            self.offset = self.answered.pop(self.row)
            moved = True
        return moved


def results_commit(
    *, job: ImportExportJob, chunk: ImportChunk, lease, results: list[LookupResult], checkpoint: Checkpoint,
    done: bool,
) -> None:
    """Record `results` and move the chunk's checkpoint, in one transaction that first checks this run still
    holds the chunk (a second delivery of the same work, or a run presumed dead, finds it does not and stops)."""
    with transaction.atomic():
        fenced = ImportChunk.objects.filter(pk=chunk.pk, lease=lease, status=ImportChunk.Status.RUNNING).update(
            heartbeat_at=timezone.now(), checkpoint_row=checkpoint.row, checkpoint_offset=checkpoint.offset,
            status=ImportChunk.Status.DONE if done else ImportChunk.Status.RUNNING,
        )
        if not fenced:
            raise LeaseLost(f"chunk {chunk.pk} is no longer this run's")
        rows_insert(StoredResult, _RESULT_FIELDS, [
            [job.pk, result.row, result.success, result.retryable, result.error, result.values]
            for result in results
        ])
        if results:
            ImportExportJob.objects.filter(pk=job.pk).update(
                processed_records=F("processed_records") + len(results),
                failed_records=F("failed_records") + sum(1 for result in results if not result.success),
            )
    chunk.checkpoint_row, chunk.checkpoint_offset = checkpoint.row, checkpoint.offset


def rows_answered(job: ImportExportJob, first_row: int, last_row: int) -> set[int]:
    """Rows in first_row..last_row that already have a result (recorded beyond a checkpoint by a run that died)."""
    return set(
        StoredResult.objects.filter(job=job, row_number__range=(first_row, last_row)).values_list(
            "row_number", flat=True
        )
    )


def result_cells(service: LookupService, row: int, success: bool, error: str, retryable: bool,
                 values: dict) -> list[str]:
    core = {"row": str(row), "success": str(success), "error": error, "retryable": str(retryable)}
    return [
        core[name] if name in core else escape_formula(str(values.get(name, "")))
        for name in service.result_columns
    ]


def results_csv(job: ImportExportJob, service: LookupService, *, block: int = 2000) -> Iterator[bytes]:
    """The job's results file, UTF-8 with a BOM (Excel), in row order, streamed from the database a block of
    rows at a time; every cell escaped against formula injection."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(service.result_columns)
    after = 0
    while True:
        rows = list(
            StoredResult.objects.filter(job=job, row_number__gt=after)
            .order_by("row_number")
            .values_list("row_number", "success", "error", "retryable", "values")[:block]
        )
        for row_number, success, error, retryable, values in rows:
            writer.writerow(result_cells(service, row_number, success, error, retryable, values))
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        if len(rows) < block:
            return
        after = rows[-1][0]
