"""The look-up kind of job: lay the file out, look its chunks' rows up, finish.

    prepare (one run)             run chunks (in parallel)                       finish (one run)
    header, columns, rows    ->   clean, look up (the service), record each  ->  complete the job
    cut in chunks                 result with the chunk's checkpoint

A job retried after it failed or was cancelled goes back to pending and, in its company's turn, continues: its
preparation keeps the chunks it has, and each chunk goes on from its checkpoint, passing over rows that already
have a result. A completed job retried asks again only its failures marked retryable (imports.jobs.lookup_services).
"""

import time
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from imports.declare.errors import ImportFileError
from imports.declare.lookups import LookupResult, get_lookup
from imports.declare.outcomes import SourceRow
from imports.declare.wording import counted
from imports.engine import stored_files
from imports.engine.commit import LeaseLost
from imports.engine.lookups import Checkpoint, LookupRunContext, RowsCleaner, results_commit, rows_answered
from imports.engine.mapping import ColumnMapping
from imports.engine.readers import sniffing
from imports.engine.readers.delimited import BinaryFile
from imports.engine.readers.positioned import PositionedCsv
from imports.engine.readers.staging import stage
from imports.engine.scanning import layout_read
from imports.jobs.file_writing import job_complete_when_done
from imports.jobs.kinds import JobKind, Phase, kind_register
from imports.jobs.leases import chunk_claim, chunk_guarded, job_claim, job_guarded
from imports.models import ImportChunk, ImportExportJob

Status = ImportExportJob.Status
Chunk = ImportChunk.Status


class NotCsvFile(ImportFileError):
    """A look-up reads CSV files only; this one is something else (judged by its content)."""


class TimeLimitReached(ImportFileError):
    """The job ran longer than its service allows; it stops, FAILED, with its results so far kept."""


def lookup_file_check(path, service, scratch, company):
    """Stage a file of queries and read its layout: header, columns, rows and chunks. Raises ImportFileError with
    one sentence for a file that is not a CSV, has no rows, or lacks a required column (named).

    What is not a CSV is judged by content: another format the importer reads (Excel, JSON), a file it knows is no
    table (a PDF, an image, an archive, a damaged workbook), or binary data that is no text in any encoding."""
    not_csv = NotCsvFile(f"The file is not a CSV file: a {service.verbose_name} reads CSV files only.")
    if not Path(path).stat().st_size:
        raise ImportFileError("The file is empty.")
    try:
        file_format = sniffing.detect_format(path)
    except ImportFileError:
        file_format = None
    if file_format != sniffing.CSV:
        raise not_csv
    try:
        staged = stage(path, scratch)
    except BinaryFile:
        raise not_csv from None
    layout = layout_read(
        staged, target=service, explicit_mapping={}, required=service.required_columns(),
        header_score=service.header_score, chunk_rows=min(settings.IMPORT_CHUNK_ROWS, service.chunk_rows_for(company)),
        max_rows=settings.IMPORT_MAX_ROWS, missing_hint="Add them to the file's header row.",
    )
    return staged, layout


# --- Preparing -------------------------------------------------------------------------------------------------


def job_prepare(*, job: ImportExportJob, lease, takes_turn: bool = True) -> bool:
    """Take the job and lay out its rows in chunks ready to run; a job retried keeps its chunks and results."""
    if not job_claim(job, lease, takes_turn=takes_turn):
        return False
    return job_guarded(job, lease, lambda: _prepare(job, lease), "prepared")


def _prepare(job: ImportExportJob, lease) -> None:
    service = get_lookup(job.target_model)
    staged, layout = lookup_file_check(
        stored_files.job_file_path(job), service, stored_files.staged_scratch_path(job), job.company
    )
    staged_name = stored_files.staged_publish(job, staged)
    with transaction.atomic():
        prepared = ImportExportJob.objects.filter(pk=job.pk, lease=lease, job_status=Status.RUNNING).update(
            lease=None, heartbeat_at=timezone.now(), judged_on=job.judged_on or timezone.localdate(),
            layout={"file": staged_name, "delimiter": staged.delimiter, "skip_columns": layout.skip_columns,
                    "start_offset": staged.start_offset},
            file_format="csv", field_mapping=layout.mapping.as_dict(), source_columns=layout.columns,
            total_records=layout.total_rows,
        )
        if not prepared:
            raise LeaseLost(f"job {job.pk} was taken over while it was being prepared")
        if job.chunks.exists():  # retried: the chunks keep their checkpoints and the rows their results
            job.chunks.exclude(status=Chunk.DONE).update(status=Chunk.PENDING, lease=None, queued_at=None)
        else:
            ImportChunk.objects.bulk_create(
                ImportChunk(
                    job=job, index=index, first_row=plan.first_row, last_row=plan.last_row,
                    start_offset=plan.start_offset, checkpoint_row=plan.first_row - 1,
                    checkpoint_offset=plan.start_offset, status=Chunk.PENDING,
                )
                for index, plan in enumerate(layout.chunks)
            )
    job.refresh_from_db()


# --- Running chunks --------------------------------------------------------------------------------------------


def chunk_run(*, chunk_id: int, lease, on_progress=None) -> ImportChunk | None:
    """Look up one chunk's rows from its checkpoint to its end; None when it is not this run's."""
    chunk = chunk_claim(chunk_id, lease, waiting=(Chunk.PENDING,), working=Chunk.RUNNING)
    if chunk is None:
        return None
    return chunk_guarded(chunk, lease, lambda: _run_chunk(chunk, lease, on_progress), back_to=Chunk.PENDING)


class _Recorder:
    """A chunk's results on their way to the database: committed in groups, by count or by time, so a slow
    service still shows progress; the job's time limit is checked at each."""

    def __init__(self, job: ImportExportJob, chunk: ImportChunk, lease, service, on_progress):
        self.job, self.chunk, self.lease, self.service, self.on_progress = job, chunk, lease, service, on_progress
        self.checkpoint = Checkpoint(chunk.checkpoint_row, chunk.checkpoint_offset)
        self.pending: list[LookupResult] = []
        self.done = False
        self.last_commit = time.monotonic()
        limit = service.time_limit()
        self.deadline = job.started_at + limit if limit is not None and job.started_at else None
        self.limit = limit

    def add(self, results: list[LookupResult]) -> None:
        self.pending.extend(results)
        if len(self.pending) >= self.service.batch_size or (
            time.monotonic() - self.last_commit >= self.service.commit_seconds
        ):
            self.commit()

    def commit(self) -> None:
        for result in self.pending:
            self.checkpoint.recorded(result.row)
        self.checkpoint.advance()
        self.done = self.checkpoint.row >= self.chunk.last_row
        results_commit(
            job=self.job, chunk=self.chunk, lease=self.lease, results=self.pending, checkpoint=self.checkpoint,
            done=self.done,
        )
        self.pending = []
        self.last_commit = time.monotonic()
        if self.on_progress is not None:
            self.job.refresh_from_db()
            self.on_progress(self.job)
        if self.deadline is not None and timezone.now() > self.deadline and self.checkpoint.row < self.chunk.last_row:
            minutes = int(self.limit.total_seconds() // 60)
            raise TimeLimitReached(
                f"The look-up stopped at its time limit of {minutes} minutes. The results so far can be downloaded; "
                "retry the job to look up the remaining rows."
            )


def _run_chunk(chunk: ImportChunk, lease, on_progress) -> None:
    job = chunk.job
    service = get_lookup(job.target_model)
    columns, layout = job.source_columns, job.layout
    width, skip = len(columns), layout["skip_columns"]
    cleaner = RowsCleaner(service=service, mapping=ColumnMapping.applied(columns, job.field_mapping), width=width)
    recorder = _Recorder(job, chunk, lease, service, on_progress)
    answered = rows_answered(job, chunk.checkpoint_row + 1, chunk.last_row)
    reader = PositionedCsv(stored_files.staged_path(job), layout["delimiter"])
    checkpoint = recorder.checkpoint

    def queries():
        """The chunk's rows still to look up, cleaned a block at a time; rows that fail their checks are recorded
        without a look-up."""
        block = []
        for number, cells, next_offset in reader.data_rows(checkpoint.offset, after=checkpoint.row):
            checkpoint.read(number, next_offset)
            if number in answered:
                checkpoint.recorded(number)
            else:
                cells = cells[skip:] if skip else cells
                if len(cells) < width:
                    cells += [""] * (width - len(cells))
                block.append(SourceRow(number, cells))
            last = number >= chunk.last_row
            if len(block) >= service.batch_size or (last and block):
                found, failed = cleaner.clean(block)
                block = []
                if failed:
                    recorder.add(failed)
                yield from found
            if last:
                return
        raise ImportFileError(
            f"The file changed while it was looked up: it ended before row {chunk.last_row:,}. Upload it again."
        )

    context = LookupRunContext(company=job.company, job_id=job.pk, today=job.judged_on or timezone.localdate())
    answers = service.look_up(queries(), context)
    try:
        for result in answers:
            recorder.add([result])
    finally:
        answers.close()
    if not recorder.done:
        recorder.commit()
    if checkpoint.row < chunk.last_row:
        raise RuntimeError(
            f"The look-up service left {chunk.last_row - checkpoint.row:,} rows of the chunk without an answer"
        )


# --- Finishing -------------------------------------------------------------------------------------------------


def job_finish(*, job: ImportExportJob, lease=None, takes_turn: bool = True) -> bool:
    """Complete the job once every chunk is done (whichever run finishes last does it; the others find it done)."""
    return job_complete_when_done(job, lookup_summary)


def lookup_summary(job: ImportExportJob) -> str:
    service = get_lookup(job.target_model)
    found = job.processed_records - job.failed_records
    retryable = job.lookup_results.filter(retryable=True).count()
    again = f" ({retryable:,} can be retried)" if retryable else ""
    return (
        f"{service.verbose_name.capitalize()} finished: {counted(job.total_records, 'row')}, {found:,} found, "
        f"{job.failed_records:,} failed{again}."
    )


LOOKUP = kind_register(JobKind(
    job_type=ImportExportJob.JobType.LOOKUP,
    sensitive=True,
    phases=(
        Phase("prepare", job_prepare, runs_from=Status.PENDING),
        Phase("run", chunk_run, runs_from=Chunk.PENDING, per_chunk=True, works_as=Chunk.RUNNING),
        Phase("finish", job_finish, runs_from=Chunk.DONE),
    ),
))
