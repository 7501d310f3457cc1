"""Running an import job: lay it out, scan its chunks, merge what the scans found, run its chunks, finish it.

    prepare (one run)        scan chunks (in parallel)       merge (one run)        run chunks (in parallel)
    header, mapping,    ->   keys without a key, highest ->  repeats within the ->  validate, look up, write,
    rows cut in chunks       key, values spilled              file, keys reserved    batch by batch

The command line does all of it in its own process; the workers share the scans and the runs. The database holds
every bit of a job's progress. A run takes a job or a chunk with a lease; each batch commits together with its
chunk's checkpoint; a run that died is noticed (its heartbeat stops, or its process is gone) and another run
continues from the last checkpoint. A job whose chunk has stopped its worker three times fails with a message
instead of being retried forever.
"""

import logging
import os
import shutil
import socket
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from companies.models import Company
from imports.declare.errors import ImportFileError
from imports.declare.targets import get_target
from imports.engine import stored_files
from imports.engine.commit import LeaseLost, batch_write
from imports.engine.keys import keys_reserve_for_chunks
from imports.engine.links import links_finish
from imports.engine.mapping import ColumnMapping, normalise_header
from imports.engine.options import ImportOptions
from imports.engine.planning import BatchPlanner, ImportContext
from imports.engine.readers import SourceRow, sniffing
from imports.engine.readers.positioned import PositionedCsv
from imports.engine.readers.staging import stage
from imports.engine.references import references_judge
from imports.engine.report import error_report_build, report_needed
from imports.engine.scanning import chunk_scan, layout_read
from imports.engine.spill import ChunkSpill, bucket_count, duplicates_find
from imports.jobs.heartbeat import lease_kept
from imports.jobs.queueing import jobs_admit, turn_refusal
from imports.jobs.services import job_log, job_transition
from imports.models import ImportChunk, ImportDuplicate, ImportExportJob

logger = logging.getLogger(__name__)

Status = ImportExportJob.Status
Chunk = ImportChunk.Status
ProgressCallback = Callable[[ImportExportJob], None]
RETRYABLE = (OperationalError, InterfaceError)  # the database went away: the same work is retried later
MAX_DEATHS = 3
WRITING = "writing"  # the phase of an all-or-nothing job after every row passed validation
_FORMATS = {sniffing.CSV: "csv", sniffing.XLSX: "excel", sniffing.XLS: "excel", sniffing.JSON: "json"}


def job_run(*, job: ImportExportJob, on_progress: ProgressCallback | None = None) -> ImportExportJob:
    """Run a whole job in this process, step after step (the command line's way). Harmless when the job is
    already taken or finished.

    The company's limit of running jobs does not hold it back: the limit shares the workers, and this process is
    a worker of its own that an operator started to run this job now. It counts among the company's running
    jobs while it runs, since it shares the database with them.
    """
    lease = uuid.uuid4()
    if job_prepare(job=job, lease=lease, takes_turn=False):
        for chunk_id in _chunk_ids(job):
            chunk_scan_run(chunk_id=chunk_id, lease=lease)
        if job_merge(job=job, lease=lease):
            for chunk_id in _chunk_ids(job):
                chunk_run(chunk_id=chunk_id, lease=lease, on_progress=on_progress)
            if job_write_after_validation(job=job):
                for chunk_id in _chunk_ids(job):
                    chunk_run(chunk_id=chunk_id, lease=lease, on_progress=on_progress)
            job_finalize(job=job)
    job.refresh_from_db()
    return job


def validates_first(job: ImportExportJob) -> bool:
    """An all-or-nothing import checks every row, as a dry run does, before it writes any."""
    return bool(job.options.get("all_or_nothing")) and not job.dry_run


def _validating(job: ImportExportJob) -> bool:
    return validates_first(job) and job.layout.get("phase") != WRITING


def _chunk_ids(job: ImportExportJob) -> list[int]:
    return list(job.chunks.order_by("index").values_list("pk", flat=True))


def _scan_folder(job: ImportExportJob, index: int | None = None) -> Path:
    return stored_files.scan_folder(job, index)


# --- Preparing: the job's layout -------------------------------------------------------------------------------


def job_prepare(*, job: ImportExportJob, lease, takes_turn: bool = True) -> bool:
    """Take the job, find its header and mapping, and cut its rows into chunks waiting to be scanned.

    Returns False when the job is not this run's to prepare (taken, finished, or waiting its company's turn when
    `takes_turn`) or cannot be imported (it then fails with one clear sentence and nothing written).
    """
    if not _job_claim(job, lease, takes_turn=takes_turn):
        return False
    return _guarded(job, lease, lambda: _prepare(job, lease), "prepared")


def _guarded(job: ImportExportJob, lease, step: Callable[[], None], verb: str) -> bool:
    """Run a job-wide step under the job's lease; a file problem or a bug fails the job with a message, a lost
    database is raised."""
    try:
        with lease_kept(ImportExportJob, job.pk, lease):
            step()
    except ImportFileError as error:
        job_fail(job, str(error))
        return False
    except LeaseLost:
        return False
    except RETRYABLE:
        raise
    except Exception:
        logger.exception("Import job %s could not be %s", job.pk, verb)
        job_fail(job, f"The file could not be {verb} because of an unexpected error. Quote job {job.pk} when "
                      "asking for help.")
        return False
    return True


def _job_claim(job: ImportExportJob, lease, *, takes_turn: bool) -> bool:
    """Take a pending job; or one this very task was preparing when its worker died (Celery delivers the task
    again with the same id, which is the lease).

    With `takes_turn`, a pending job starts only when its company runs fewer jobs than it may and no older job of
    the company waits; else it waits again, unsent, until a job of the company ends. The company's row is locked
    first, so two workers claiming at once count one after the other.
    """
    now = timezone.now()
    with transaction.atomic():
        if takes_turn:
            Company.objects.select_for_update().filter(pk=job.company_id).first()
        current = ImportExportJob.objects.select_for_update().filter(pk=job.pk).first()
        if current is None:
            return False
        deaths = current.deaths
        if current.job_status == Status.RUNNING and current.lease is not None and str(current.lease) == str(lease):
            deaths += 1
        elif current.job_status != Status.PENDING:
            return False
        elif takes_turn and (refusal := turn_refusal(current)) is not None:
            ImportExportJob.objects.filter(pk=job.pk).update(queued_at=None)
            job_log(current, refusal)
            transaction.on_commit(lambda: jobs_admit(company_id=current.company_id))
            return False
        failing = deaths >= MAX_DEATHS
        if not failing:
            ImportExportJob.objects.filter(pk=job.pk).update(
                job_status=Status.RUNNING, lease=lease, heartbeat_at=now, deaths=deaths,
                started_at=current.started_at or now,
            )
    if failing:
        job_fail(job, "Reading the file stopped its worker three times (it may need more memory or time than "
                      "the workers have); the job was stopped and nothing was imported.")
        return False
    job.job_status, job.lease, job.heartbeat_at, job.deaths = Status.RUNNING, lease, now, deaths
    job.started_at = job.started_at or now
    job_log(job, "Job started." if deaths == 0 else "Job started again after its worker stopped.")
    return True


def _prepare(job: ImportExportJob, lease) -> None:
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
                "today": timezone.localdate().isoformat(),
            },
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
        for note in layout.mapping.notes:
            job_log(job, note)
    job.refresh_from_db()


# --- Scanning chunks -------------------------------------------------------------------------------------------


def chunk_scan_run(*, chunk_id: int, lease) -> ImportChunk | None:
    """Scan one chunk; the chunk, or None when it is not this run's to scan."""
    chunk = _chunk_claim(chunk_id, lease, waiting=(Chunk.SCANNING,), working=Chunk.SCANNING)
    if chunk is None:
        return None
    return _chunk_guarded(chunk, lease, lambda: _scan_chunk(chunk, lease))


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


def job_merge(*, job: ImportExportJob, lease) -> bool:
    """Once every chunk is scanned: find the repeats, reserve the generated keys, make the chunks ready to run.

    True when this call did it; whoever finishes the last scan calls it, and only one of them gets the job.
    """
    with transaction.atomic():
        current = ImportExportJob.objects.select_for_update().filter(pk=job.pk).first()
        if current is None or current.job_status != Status.RUNNING or current.lease is not None:
            return False
        if current.chunks.exclude(status=Chunk.SCANNED).exists() or not current.chunks.exists():
            return False
        ImportExportJob.objects.filter(pk=job.pk).update(lease=lease, heartbeat_at=timezone.now())
    job.refresh_from_db()
    return _guarded(job, lease, lambda: _merge(job, lease), "checked for repeated rows")


def _merge(job: ImportExportJob, lease) -> None:
    target = get_target(job.target_model)
    chunks = list(job.chunks.order_by("index"))
    fields = [target.key, *(rule.field for rule in target.unique_in_file)]
    folders = stored_files.scan_folders(job, [chunk.index for chunk in chunks])
    buckets = bucket_count(job.total_records)
    repeats = duplicates_find(folders, fields, buckets)
    if target.references_in_file:  # its verdicts are kept with the repeats, and loaded by the batches alike
        repeats += references_judge(target=target, company=job.company, chunk_folders=folders, buckets=buckets)
    if target.generates_keys and not job.dry_run:
        highest = max(chunk.highest_key for chunk in chunks)
        keys_reserve_for_chunks(target=target, company=job.company, chunks=chunks, above=highest)
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


# --- Running chunks --------------------------------------------------------------------------------------------


def chunk_run(*, chunk_id: int, lease, on_progress: ProgressCallback | None = None) -> ImportChunk | None:
    """Run one chunk from its checkpoint to its end; None when it is not this run's to run."""
    chunk = _chunk_claim(chunk_id, lease, waiting=(Chunk.PENDING,), working=Chunk.RUNNING)
    if chunk is None:
        return None
    return _chunk_guarded(chunk, lease, lambda: _run_chunk(chunk, lease, on_progress))


def _chunk_guarded(chunk: ImportChunk, lease, step: Callable[[], None]) -> ImportChunk | None:
    """Run a chunk's step. A problem with the file fails the job; a lost database connection or the task's time
    running out hands the chunk back and is raised for the caller to retry; losing the chunk to another run ends
    this one quietly."""
    try:
        with lease_kept(ImportChunk, chunk.pk, lease):
            step()
    except LeaseLost:
        return None
    except ImportFileError as error:
        job_fail(chunk.job, str(error))
    except RETRYABLE:
        _chunk_release(chunk, lease)
        raise
    except SoftTimeLimitExceeded:
        _chunk_release(chunk, lease, died=True)
        raise
    except Exception:
        logger.exception("Import job %s stopped in rows %s-%s", chunk.job_id, chunk.first_row, chunk.last_row)
        job_fail(
            chunk.job,
            f"The import stopped on an unexpected error after row {chunk.checkpoint_row:,}; rows saved until then "
            f"stay saved. Quote job {chunk.job_id} when asking for help.",
        )
    return chunk


def _process_alive(host: str, pid: int | None) -> bool:
    """False only when the run was on this machine and its process is gone (a worker child killed, say)."""
    if host != socket.gethostname() or not pid or pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _chunk_claim(chunk_id: int, lease, *, waiting: tuple[str, ...], working: str) -> ImportChunk | None:
    """Take a chunk that waits (status in `waiting`, no lease), or one whose run died while `working` on it."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.IMPORT_STALE_SECONDS)
    with transaction.atomic():
        chunk = ImportChunk.objects.select_for_update().filter(pk=chunk_id).first()
        if chunk is None or (chunk.status not in waiting and chunk.status != working):
            return None
        job_status = ImportExportJob.objects.filter(pk=chunk.job_id).values_list("job_status", flat=True).first()
        if job_status != Status.RUNNING:
            return None
        deaths = chunk.deaths
        if chunk.lease is not None:
            died = (
                str(chunk.lease) == str(lease)  # this very task again: its earlier delivery stopped mid-way
                or chunk.heartbeat_at is None
                or chunk.heartbeat_at < stale
                or not _process_alive(chunk.lease_host, chunk.lease_pid)
            )
            if not died:
                return None
            deaths += 1
        failing = deaths >= MAX_DEATHS
        if not failing:
            ImportChunk.objects.filter(pk=chunk_id).update(
                status=working, lease=lease, lease_host=socket.gethostname(), lease_pid=os.getpid(),
                heartbeat_at=now, deaths=deaths,
            )
    chunk = ImportChunk.objects.select_related("job", "job__company").get(pk=chunk_id)
    if failing:
        job_fail(chunk.job, chunk_poison_message(chunk))
        return None
    if deaths:
        job_log(chunk.job, f"Rows {chunk.first_row}-{chunk.last_row} taken over after row {chunk.checkpoint_row}.")
    return chunk


def chunk_poison_message(chunk: ImportChunk) -> str:
    return (
        f"Rows {chunk.first_row:,}-{chunk.last_row:,} stopped their worker three times (they may need more memory "
        f"or time than the workers have); the job was stopped. Rows up to {chunk.checkpoint_row:,} of that part "
        "and all finished parts were imported."
    )


def _chunk_release(chunk: ImportChunk, lease, *, died: bool = False) -> None:
    """Hand the chunk back (best effort: the database may be the thing that is down)."""
    back = Chunk.SCANNING if chunk.status in (Chunk.SCANNING, Chunk.SCANNED) else Chunk.PENDING
    try:
        ImportChunk.objects.filter(pk=chunk.pk, lease=lease).exclude(status=Chunk.DONE).update(
            status=back, lease=None, deaths=F("deaths") + (1 if died else 0),
        )
    except RETRYABLE:
        logger.warning("Could not release chunk %s; the sweeper will", chunk.pk)


def _run_chunk(chunk: ImportChunk, lease, on_progress: ProgressCallback | None) -> None:
    job = chunk.job
    target = get_target(job.target_model)
    columns, layout = job.source_columns, job.layout
    width, skip = len(columns), layout["skip_columns"]
    mapping = ColumnMapping.applied(columns, job.field_mapping)
    dry_run = job.dry_run or _validating(job)
    context = ImportContext(
        company=job.company, today=date.fromisoformat(layout["today"]), dry_run=dry_run, job_id=job.pk
    )
    if layout.get("repeated_rows", 1):
        context.load_duplicates(chunk.first_row, chunk.last_row)
    options = ImportOptions(mode=job.import_mode, duplicates=job.duplicate_handling, dry_run=dry_run)
    planner = BatchPlanner(target=target, mapping=mapping, width=width, options=options, context=context)
    key_index = mapping.index_of(target.key)
    batch_size = job.options.get("batch_size") or settings.IMPORT_BATCH_SIZE

    reader = PositionedCsv(stored_files.staged_path(job), layout["delimiter"])
    blank_keys, batch = chunk.checkpoint_keys, []
    for number, cells, next_offset in reader.data_rows(chunk.checkpoint_offset, after=chunk.checkpoint_row):
        if skip:
            cells = cells[skip:]
        if len(cells) < width:
            cells += [""] * (width - len(cells))
        blank_key = None
        if key_index is None or not cells[key_index].strip():  # the same test as the scan's
            blank_key, blank_keys = blank_keys, blank_keys + 1
        batch.append(SourceRow(number, cells, blank_key))
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


# --- Finishing -------------------------------------------------------------------------------------------------


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
            job_transition(current, Status.FAILED, message=(
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
            layout={**current.layout, "phase": WRITING}, heartbeat_at=now, processed_records=0, failed_records=0,
            **outcome_counters,
        )
        job_log(current, f"All {current.total_records:,} rows are valid; writing them now.")
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
        _links_finish(current)
        if report_needed(current):
            error_report_build(current)
        job_transition(current, Status.COMPLETED, message=_summary(current))
        transaction.on_commit(lambda: stored_files.working_files_delete(current), robust=True)
        if not current.dry_run:
            transaction.on_commit(lambda: get_target(current.target_model).after_import(current))
    return current


def _links_finish(job: ImportExportJob) -> None:
    """Settle the references to other records that the job's rows wrote (imports.engine.links); before the error report
    is built, since it may warn on rows."""
    target = get_target(job.target_model)
    if target.references_in_file and not job.dry_run:
        links_finish(job=job, target=target)


def job_fail(job: ImportExportJob, message: str) -> None:
    """Stop the job for good: its unfinished chunks are cancelled, rows already committed stay."""
    _job_stop(job, Status.FAILED, message)


def job_cancel(job: ImportExportJob, message: str) -> None:
    """Stop the job at the end of the batches now being written: committed batches stay, the job ends cancelled.

    Every run of the job finds its chunk cancelled when it next locks it, and stops without writing.
    """
    _job_stop(job, Status.CANCELLED, message)


def _job_stop(job: ImportExportJob, status: str, message: str) -> None:
    with transaction.atomic():
        current = ImportExportJob.objects.select_for_update().get(pk=job.pk)
        if current.is_finished:
            return
        current.chunks.filter(~Q(status=Chunk.DONE)).update(status=Chunk.CANCELLED, lease=None)
        _links_finish(current)  # the batches written stay, and so do the references they made
        if report_needed(current):
            error_report_build(current)
        job_transition(current, status, message=message)
    job.refresh_from_db()
    if job.file:
        stored_files.working_files_delete(job)


def _summary(job: ImportExportJob) -> str:
    verb = "Dry run finished (nothing written)" if job.dry_run else "Import finished"
    return (
        f"{verb}: {job.total_records} rows, {job.created_records} created, {job.updated_records} updated, "
        f"{job.unchanged_records} unchanged, {job.skipped_not_unchanged} skipped, "
        f"{job.failed_records} failed."
    )
