"""The import kind of job: lay the file out, scan its chunks, merge what the scans found, run its chunks, finish.

    prepare (one run)        scan chunks (in parallel)       merge (one run)        run chunks (in parallel)
    header, mapping,    ->   keys without a key, highest ->  repeats within the ->  validate, look up, write,
    rows cut in chunks       key, values spilled              file, keys reserved    batch by batch

and finish (one run): complete the job, or, for an all-or-nothing job whose rows all passed validation, send its
chunks back to be written. A cancelled or failed job continued (imports.jobs.resuming) is prepared again: once
merged, it keeps its layout, its repeats and its reserved keys, and each unfinished chunk runs on from its
checkpoint; before that, it is laid out afresh. The phases are declared in `IMPORT` (imports.jobs.kinds); the
command line runs them in its own process (imports.jobs.inprocess), the workers share them (imports.jobs.tasks).
The database holds every bit of a job's progress: each batch commits together with its chunk's checkpoint, and a
run that died is continued from the last checkpoint by another (imports.jobs.leases).
"""

import logging
import shutil
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from imports.declare.errors import ImportFileError
from imports.declare.targets import get_target
from imports.declare.wording import counted
from imports.engine import stored_files
from imports.engine.cell_edits import CellEdits
from imports.engine.commit import LeaseLost, batch_write
from imports.engine.gate import Write, WriteGate, follow_up_queue
from imports.engine.keys import keys_reserve_for_chunks
from imports.engine.mapping import ColumnMapping, normalise_header
from imports.engine.options import ImportOptions
from imports.engine.planning import BatchPlanner, ImportContext, sheet_row_name
from imports.engine.readers import SourceRow, sniffing
from imports.engine.readers.positioned import PositionedCsv
from imports.engine.readers.staging import stage
from imports.engine.references import CYCLE, references_judge, verdict_field
from imports.engine.report import error_report_build, report_needed
from imports.engine.scanning import chunk_scan, layout_read, sheet_rows_shifted
from imports.engine.spill import ChunkSpill, bucket_count, duplicates_find
from imports.engine.validation_rules import ValidationRules, unique_name
from imports.engine.value_fixes import ValueFixes
from imports.jobs import status
from imports.jobs.kinds import JobKind, Phase, kind_register
from imports.jobs.leases import chunk_claim, chunk_guarded, job_claim, job_guarded, job_lease_take
from imports.jobs.stopping import import_settle, links_settle
from imports.models import ImportChunk, ImportDuplicate, ImportExportJob

logger = logging.getLogger(__name__)

Status = ImportExportJob.Status
Chunk = ImportChunk.Status
ProgressCallback = Callable[[ImportExportJob], None]
_FORMATS = {sniffing.CSV: "csv", sniffing.XLSX: "excel", sniffing.XLS: "excel", sniffing.JSON: "json"}


def _validating(job: ImportExportJob) -> bool:
    return WriteGate.of(job).validating


def _scan_folder(job: ImportExportJob, index: int | None = None) -> Path:
    return stored_files.scan_folder(job, index)


# --- Preparing: the job's layout -------------------------------------------------------------------------------


def job_prepare(*, job: ImportExportJob, lease, takes_turn: bool = True) -> bool:
    """Take the job, find its header and mapping, and cut its rows into chunks waiting to be scanned.

    Returns False when the job is not this run's to prepare (taken, finished, or waiting its company's turn when
    `takes_turn`) or cannot be imported (it then fails with one clear sentence and nothing written).
    """
    if not job_claim(job, lease, takes_turn=takes_turn):
        return False
    return job_guarded(job, lease, lambda: _prepare(job, lease), "prepared")


def job_merged(job: ImportExportJob) -> bool:
    """Whether the job's chunks were merged: its repeats are known and its generated keys reserved, so its chunks
    can run (or run on from their checkpoints)."""
    return "repeated_rows" in job.layout and job.chunks.exists()


def _prepare(job: ImportExportJob, lease) -> None:
    if job_merged(job):
        _prepare_continued(job, lease)
        return
    target = get_target(job.target_model)
    explicit = job.options.get("mapping") or {}
    explicit_headers = {normalise_header(column) for column in explicit}

    def header_score(cells: list[str]) -> int:
        return target.header_score(cells) + sum(1 for cell in cells if normalise_header(cell) in explicit_headers)

    upload = stored_files.job_file_path(job)
    staged = stage(upload, stored_files.staged_scratch_path(job), sheet=job.options.get("sheet"))
    layout = layout_read(
        staged,
        target=target,
        explicit_mapping=explicit,
        required=target.required_columns(job.import_mode),
        header_score=header_score,
        chunk_rows=settings.IMPORT_CHUNK_ROWS,
        max_rows=settings.IMPORT_MAX_ROWS,
    )
    chunks = [
        ImportChunk(
            job=job, index=index, first_row=plan.first_row, last_row=plan.last_row, start_offset=plan.start_offset,
            checkpoint_row=plan.first_row - 1, checkpoint_offset=plan.start_offset, status=Chunk.SCANNING,
        )
        for index, plan in enumerate(layout.chunks)
    ]
    shutil.rmtree(_scan_folder(job), ignore_errors=True)
    staged_name = stored_files.staged_publish(job, staged)
    with transaction.atomic():
        prepared = ImportExportJob.objects.filter(pk=job.pk, lease=lease, job_status=Status.RUNNING).update(
            lease=None,
            heartbeat_at=timezone.now(),
            layout={
                "file": staged_name,
                "delimiter": staged.delimiter,
                "skip_columns": layout.skip_columns,
                "start_offset": staged.start_offset,
                # Each chunk's first sheet row, for messages naming rows as the spreadsheet shows them (a JSON
                # file has no sheet rows).
                **({} if staged.source_format == sniffing.JSON else {
                    "sheet_rows": [plan.sheet_row for plan in layout.chunks]
                }),
            },
            judged_on=timezone.localdate(),
            writing=False,
            file_format=_FORMATS[staged.source_format],
            field_mapping=layout.mapping.as_dict(),
            source_columns=layout.columns,
            total_records=layout.total_rows,
            options={**job.options, "sheet": staged.sheet},
        )
        if not prepared:
            raise LeaseLost(f"job {job.pk} was taken over while it was being prepared")
        job.chunks.all().delete()
        job.duplicates.all().delete()
        ImportChunk.objects.bulk_create(chunks)
        for note in (*layout.mapping.notes, *_fixes(job).unresolved(target, layout.mapping)):
            status.job_log(job, note)
    job.refresh_from_db()


def _fixes(job: ImportExportJob) -> ValueFixes:
    return ValueFixes.from_dict(job.options.get("value_fixes"))


def _rules(job: ImportExportJob) -> ValidationRules:
    """The company's own rules the job was asked with (kept on the job: a template edited later changes none)."""
    return ValidationRules.from_dict(job.validation_rules)


def _prepare_continued(job: ImportExportJob, lease) -> None:
    """A continued job: its staged CSV is made again where its stop deleted it (converting the same file gives the
    same rows at the same offsets), and its unfinished chunks wait to run on from their checkpoints."""
    upload, scratch = stored_files.job_file_path(job), stored_files.staged_scratch_path(job)
    staged = stage(upload, scratch, sheet=job.options.get("sheet"))
    staged_name = stored_files.staged_publish(job, staged)
    if staged_name != job.layout["file"] or staged.delimiter != job.layout["delimiter"]:
        raise ImportFileError("The file no longer reads as it did when the import started. Upload it again.")
    with transaction.atomic():
        prepared = ImportExportJob.objects.filter(pk=job.pk, lease=lease, job_status=Status.RUNNING).update(
            lease=None, heartbeat_at=timezone.now()
        )
        if not prepared:
            raise LeaseLost(f"job {job.pk} was taken over while it was being prepared again")
        job.chunks.exclude(status=Chunk.DONE).update(status=Chunk.PENDING, lease=None, queued_at=None, deaths=0)
    job.refresh_from_db()


# --- Scanning chunks -------------------------------------------------------------------------------------------


def chunk_scan_run(*, chunk_id: int, lease, on_progress: ProgressCallback | None = None) -> ImportChunk | None:
    """Scan one chunk; the chunk, or None when it is not this run's to scan."""
    chunk = chunk_claim(chunk_id, lease, waiting=(Chunk.SCANNING,), working=Chunk.SCANNING)
    if chunk is None:
        return None
    return chunk_guarded(chunk, lease, lambda: _scan_chunk(chunk, lease), back_to=Chunk.SCANNING)


def _scan_chunk(chunk: ImportChunk, lease) -> None:
    job = chunk.job
    target = get_target(job.target_model)
    spill = ChunkSpill(_scan_folder(job, chunk.index), bucket_count(job.total_records))
    try:
        result = chunk_scan(
            PositionedCsv(stored_files.staged_path(job), job.layout["delimiter"]),
            start_offset=chunk.start_offset,
            first_row=chunk.first_row,
            last_row=chunk.last_row,
            skip_columns=job.layout["skip_columns"],
            mapping=ColumnMapping.applied(job.source_columns, job.field_mapping),
            target=target,
            company=job.company,
            spill=spill,
            fixes=_fixes(job),
            rules=_rules(job),
            edits=CellEdits.of_job(job.pk, job.source_columns, chunk.first_row, chunk.last_row),
        )
    finally:
        spill.close()
    stored_files.scan_publish(job, chunk.index)
    scanned = ImportChunk.objects.filter(pk=chunk.pk, lease=lease, status=Chunk.SCANNING).update(
        status=Chunk.SCANNED, lease=None, blank_keys=result.blank_keys, highest_key=result.highest_key_number,
        heartbeat_at=timezone.now(),
    )
    if not scanned:
        raise LeaseLost(f"chunk {chunk.pk} was taken over while it was scanned")


# --- Merging: repeats within the file, generated keys ----------------------------------------------------------


def job_merge(*, job: ImportExportJob, lease, takes_turn: bool = True) -> bool:
    """Once every chunk is scanned: find the repeats, reserve the generated keys, make the chunks ready to run.

    True when this call did it; whoever finishes the last scan calls it, and only one of them gets the job.
    """
    if not job_lease_take(job, lease, chunks_in=Chunk.SCANNED):
        return False
    return job_guarded(job, lease, lambda: _merge(job, lease), "checked for repeated rows")


def _merge(job: ImportExportJob, lease) -> None:
    target = get_target(job.target_model)
    chunks = list(job.chunks.order_by("index"))
    fields = [
        target.key, *(rule.field for rule in target.unique_in_file), *map(unique_name, _rules(job).unique_fields)
    ]
    folders = stored_files.scan_folders(job, [chunk.index for chunk in chunks])
    buckets = bucket_count(job.total_records)
    repeats = duplicates_find(folders, fields, buckets)
    if target.references_in_file:  # its verdicts are kept with the repeats, and loaded by the batches alike
        repeats += references_judge(target=target, company=job.company, chunk_folders=folders, buckets=buckets)
    repeats += _earlier_sheet_rows(job, chunks, repeats)
    gate = WriteGate.of(job)
    if target.generates_keys and gate.allows(Write.KEYS):
        highest = max(chunk.highest_key for chunk in chunks)
        keys_reserve_for_chunks(gate=gate, target=target, company=job.company, chunks=chunks, above=highest)
    now = timezone.now()
    with transaction.atomic():
        merged = ImportExportJob.objects.filter(pk=job.pk, lease=lease, job_status=Status.RUNNING).update(
            lease=None, heartbeat_at=now, layout={**job.layout, "repeated_rows": len(repeats)}
        )
        if not merged:
            raise LeaseLost(f"job {job.pk} was taken over while its repeats were merged")
        ImportDuplicate.objects.bulk_create(
            (ImportDuplicate(job=job, row_number=row, field=name, first_row=first) for row, name, first in repeats),
            batch_size=5000,
        )
        for chunk in chunks:  # sent a few at a time (imports.jobs.queueing)
            chunk.status, chunk.queued_at = Chunk.PENDING, None
        ImportChunk.objects.bulk_update(chunks, ["status", "key_base", "queued_at"])
    stored_files.scan_files_delete(job)
    job.refresh_from_db()


def _earlier_sheet_rows(job: ImportExportJob, chunks: list[ImportChunk], repeats) -> list[tuple[int, str, int]]:
    """The sheet row of each earlier row a message names (a repeat's first row, the row a cycle of references
    follows) that blank rows push down, kept beside the repeat (ImportContext.earlier_row works out the others)."""
    sheet_rows = job.layout.get("sheet_rows")
    named = [
        (row, name, first) for row, name, first in repeats
        if first and (":" not in name or name.endswith(f":{CYCLE}") or name == unique_name(verdict_field(name)))
    ]
    if not named or not sheet_rows:
        return []
    reader = PositionedCsv(stored_files.staged_path(job), job.layout["delimiter"])
    shifted = sheet_rows_shifted(reader, chunks, sheet_rows, {first for _row, _name, first in named})
    return [(row, sheet_row_name(name), shifted[first]) for row, name, first in named if first in shifted]


# --- Running chunks --------------------------------------------------------------------------------------------


def chunk_run(*, chunk_id: int, lease, on_progress: ProgressCallback | None = None) -> ImportChunk | None:
    """Run one chunk from its checkpoint to its end; None when it is not this run's to run."""
    chunk = chunk_claim(chunk_id, lease, waiting=(Chunk.PENDING,), working=Chunk.RUNNING)
    if chunk is None:
        return None
    return chunk_guarded(chunk, lease, lambda: _run_chunk(chunk, lease, on_progress), back_to=Chunk.PENDING)


def _run_chunk(chunk: ImportChunk, lease, on_progress: ProgressCallback | None) -> None:
    job = chunk.job
    columns, layout = job.source_columns, job.layout
    width, skip = len(columns), layout["skip_columns"]
    planner = job_planner(job, today=job.judged_on)
    target, context = planner.target, planner.context
    if layout.get("repeated_rows", 1):
        context.load_duplicates(chunk.first_row, chunk.last_row)
    key_index = planner.mapping.index_of(target.key)
    batch_size = job.options.get("batch_size") or settings.IMPORT_BATCH_SIZE

    edits = CellEdits.of_job(job.pk, columns, chunk.checkpoint_row + 1, chunk.last_row)
    reader = PositionedCsv(stored_files.staged_path(job), layout["delimiter"])
    blank_keys, batch = chunk.checkpoint_keys, []
    sheet_after = _sheet_row_before_checkpoint(reader, chunk, layout)
    on_sheet = sheet_after is not None
    rows = reader.sheet_rows(chunk.checkpoint_offset, after=chunk.checkpoint_row, sheet_after=sheet_after or 0)
    for number, sheet_row, cells, next_offset in rows:
        if skip:
            cells = cells[skip:]
        if len(cells) < width:
            cells += [""] * (width - len(cells))
        cells = edits.applied(number, cells)
        blank_key = None
        if key_index is None or not cells[key_index].strip():  # the same test as the scan's
            blank_key, blank_keys = blank_keys, blank_keys + 1
        batch.append(SourceRow(number, cells, blank_key, sheet_row if on_sheet else None))
        last = number >= chunk.last_row
        if len(batch) == batch_size or last:
            batch_write(
                job=job, chunk=chunk, lease=lease, target=target, plans=planner.plan(batch), context=context,
                columns=columns, checkpoint_offset=next_offset, checkpoint_keys=blank_keys, last=last,
            )
            batch = []
            if on_progress is not None:
                job.refresh_from_db()
                on_progress(job)
            if last:
                return
    raise ImportFileError(
        f"The file changed while it was imported: it ended before row {chunk.last_row:,}. Upload it again."
    )


def job_planner(job: ImportExportJob, *, today) -> BatchPlanner:
    """What judges the job's rows, batch by batch, as of `today`: its target, mapping, options and value fixes.
    The repeats within the file are the caller's to load into its context (a chunk's, or a few rows')."""
    sheet_rows = job.layout.get("sheet_rows")
    context = ImportContext(
        company=job.company, today=today, gate=WriteGate.of(job), job_id=job.pk,
        sheet_offset=sheet_rows[0] - 1 if sheet_rows else None,
    )
    options = ImportOptions(
        mode=job.import_mode, duplicates=job.duplicate_handling, dry_run=context.dry_run, fixes=_fixes(job),
        rules=_rules(job),
    )
    return BatchPlanner(
        target=get_target(job.target_model), mapping=ColumnMapping.applied(job.source_columns, job.field_mapping),
        width=len(job.source_columns), options=options, context=context,
    )


def _sheet_row_before_checkpoint(reader: PositionedCsv, chunk: ImportChunk, layout: dict) -> int | None:
    """The sheet row of the row before the chunk's checkpoint, from the sheet row its first row has; the rows
    before a checkpoint in the chunk are counted again (only for a chunk continued part way). None for a file
    without sheet rows (JSON), or a job laid out before sheet rows were kept."""
    sheet_rows = layout.get("sheet_rows")
    if sheet_rows is None or chunk.index >= len(sheet_rows):
        return None
    return sheet_rows[chunk.index] - 1 + reader.rows_between(chunk.start_offset, chunk.checkpoint_offset)


# --- Finishing -------------------------------------------------------------------------------------------------


def job_finish(*, job: ImportExportJob, lease=None, takes_turn: bool = True) -> bool:
    """Once every chunk is done (whichever run finishes last does it; the others find it done): send the chunks of
    an all-or-nothing job back to be written, or complete the job. True when it did either."""
    if job_write_after_validation(job=job):
        return True
    job = job_finalize(job=job)
    return job.is_finished


def job_write_after_validation(*, job: ImportExportJob) -> bool:
    """Once every row of an all-or-nothing job is validated: if any failed, fail the job with nothing written;
    else send its chunks back to their first row to be written. True when the chunks must now run again."""
    with transaction.atomic():
        current = ImportExportJob.objects.select_for_update().get(pk=job.pk)
        if not _all_chunks_done(current) or not _validating(current):
            return False
        outcome_counters = dict.fromkeys(
            ("created_records", "updated_records", "unchanged_records", "skipped_records"), 0
        )
        if current.failed_records:
            ImportExportJob.objects.filter(pk=job.pk).update(**outcome_counters)
            current.refresh_from_db()
            error_report_build(current)
            status.job_failed(current, message=(
                f"Nothing was imported: {current.failed_records:,} of {current.total_records:,} rows failed and "
                "the import was set to import nothing if any row fails. Fix the rows in the error report and "
                "import the file again."
            ))
            job.refresh_from_db()
            return False
        current.logs.filter(record_number__isnull=False).delete()  # row warnings: noted again while writing
        now = timezone.now()
        current.chunks.update(
            status=Chunk.PENDING, lease=None, queued_at=None, checkpoint_row=F("first_row") - 1,
            checkpoint_offset=F("start_offset"), checkpoint_keys=0,
        )
        ImportExportJob.objects.filter(pk=job.pk).update(
            writing=True, heartbeat_at=now, processed_records=0, failed_records=0,
            **outcome_counters,
        )
        status.job_log(current, f"All {current.total_records:,} rows are valid; writing them now.")
    job.refresh_from_db()
    return True


def _all_chunks_done(job: ImportExportJob) -> bool:
    """Whether the job is running, held by no preparation or merge, and every one of its chunks is done."""
    if job.job_status != Status.RUNNING or job.lease is not None:
        return False
    return job.chunks.exists() and not job.chunks.exclude(status=Chunk.DONE).exists()


def job_finalize(*, job: ImportExportJob) -> ImportExportJob:
    """Complete the job once every chunk is done (whichever run finishes last does it; the others find it done)."""
    with transaction.atomic():
        current = ImportExportJob.objects.select_for_update().get(pk=job.pk)
        if not _all_chunks_done(current) or _validating(current):
            return current
        links_settle(current)
        if report_needed(current):
            error_report_build(current)
        status.job_completed(current, summary=_summary(current))
        transaction.on_commit(lambda: stored_files.working_files_delete(current), robust=True)
        gate = WriteGate.of(current)
        if gate.allows(Write.FOLLOW_UP):
            transaction.on_commit(
                lambda: follow_up_queue(gate=gate, target=get_target(current.target_model), job=current)
            )
    return current


def _summary(job: ImportExportJob) -> str:
    verb = "Dry run finished (nothing written)" if job.dry_run else "Import finished"
    return (
        f"{verb}: {counted(job.total_records, 'row')}, {job.created_records:,} created, "
        f"{job.updated_records:,} updated, {job.unchanged_records:,} unchanged, {job.skipped_not_unchanged:,} skipped, "
        f"{job.failed_records:,} failed."
    )


IMPORT = kind_register(JobKind(
    job_type=ImportExportJob.JobType.IMPORT,
    on_stop=import_settle,
    phases=(
        Phase("prepare", job_prepare, runs_from=Status.PENDING),
        Phase("scan", chunk_scan_run, runs_from=Chunk.SCANNING, per_chunk=True, works_as=Chunk.SCANNING),
        Phase("merge", job_merge, runs_from=Chunk.SCANNED),
        Phase("run", chunk_run, runs_from=Chunk.PENDING, per_chunk=True, works_as=Chunk.RUNNING),
        Phase("finish", job_finish, runs_from=Chunk.DONE),
    ),
))
