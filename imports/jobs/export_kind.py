"""The export kind of job: count the rows, write the file, finish.

    prepare (one run)            write (one chunk)                          finish (one run)
    check the spec, count   ->   rows from a server-side cursor, through ->  complete the job
    the rows, lay one chunk      the format's writer, into a hidden file;
                                 stored as the job's file when complete

An export reads and never writes records, so a run that died is simply done again: whoever takes the chunk over
writes the file from the start. Progress is committed about once a second, fenced by the chunk's lease and the
job's status, so a cancelled export stops within a second and leaves no file.
"""

import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from imports.declare.errors import ImportFileError
from imports.declare.targets import get_target
from imports.engine import stored_files
from imports.engine.commit import LeaseLost
from imports.engine.exports.spec import ExportSpec, ExportSpecError
from imports.engine.exports.writers import WRITERS
from imports.engine.exports.writers.base import ReportInfo
from imports.jobs import status
from imports.jobs.kinds import JobKind, Phase, kind_register
from imports.jobs.leases import chunk_claim, chunk_guarded, job_claim, job_guarded
from imports.models import ImportChunk, ImportExportJob

Status = ImportExportJob.Status
Chunk = ImportChunk.Status

_BLOCK_ROWS = 2000
_PROGRESS_SECONDS = 1.0


class PdfTooLong(ImportFileError):
    """A PDF is a report for people: it holds at most EXPORT_PDF_MAX_ROWS rows."""


def pdf_refusal(rows: int) -> str | None:
    """Why a PDF of `rows` rows cannot be made, or None when it can."""
    cap = settings.EXPORT_PDF_MAX_ROWS
    if rows <= cap:
        return None
    return (f"A PDF holds at most {cap:,} rows and this export has {rows:,}: narrow it with filters, or choose "
            "CSV, Excel or JSON, which hold any number of rows.")


def job_spec(job: ImportExportJob) -> ExportSpec:
    """The export the job was asked for, read again from its options (checked when the job was created; a field
    or an import job gone since fails the job with the reason)."""
    try:
        return ExportSpec.from_data(job.options["export"], company=job.company)
    except ExportSpecError as error:
        raise ImportFileError(f"The export can no longer run as it was asked: {error}") from None


def export_file_name(job: ImportExportJob, spec: ExportSpec) -> str:
    """`customers-2026-12-06-093012.xlsx`: what the rows are and when they were asked for, to the second."""
    stamp = timezone.localtime(job.created_at).strftime("%Y-%m-%d-%H%M%S")
    plural = spec.target.verbose_name_plural.replace(" ", "-")
    return f"{plural}-{stamp}.{WRITERS[spec.file_format].extension}"


# --- Preparing -------------------------------------------------------------------------------------------------


def job_prepare(*, job: ImportExportJob, lease, takes_turn: bool = True) -> bool:
    """Take the job, count its rows and lay out the one chunk that writes them."""
    if not job_claim(job, lease, takes_turn=takes_turn):
        return False
    return job_guarded(job, lease, lambda: _prepare(job, lease), "prepared")


def _prepare(job: ImportExportJob, lease) -> None:
    spec = job_spec(job)
    rows = spec.rows_count(job.company)
    if spec.file_format == "pdf" and (refusal := pdf_refusal(rows)):
        raise PdfTooLong(refusal)
    with transaction.atomic():
        prepared = ImportExportJob.objects.filter(pk=job.pk, lease=lease, job_status=Status.RUNNING).update(
            lease=None, heartbeat_at=timezone.now(), total_records=rows, file_format=spec.file_format,
        )
        if not prepared:
            raise LeaseLost(f"job {job.pk} was taken over while it was being prepared")
        if not job.chunks.exists():
            ImportChunk.objects.create(
                job=job, index=0, first_row=1, last_row=rows, start_offset=0, checkpoint_row=0,
                checkpoint_offset=0, status=Chunk.PENDING,
            )
    job.refresh_from_db()


# --- Writing ---------------------------------------------------------------------------------------------------


def chunk_write(*, chunk_id: int, lease, on_progress=None) -> ImportChunk | None:
    """Write the export's file, from its first row (a run taken over starts again); None when not this run's."""
    chunk = chunk_claim(chunk_id, lease, waiting=(Chunk.PENDING,), working=Chunk.RUNNING)
    if chunk is None:
        return None
    return chunk_guarded(chunk, lease, lambda: _write(chunk, lease, on_progress), back_to=Chunk.PENDING)


def _write(chunk: ImportChunk, lease, on_progress) -> None:
    job = chunk.job
    spec = job_spec(job)
    report = ReportInfo(
        title=f"{spec.target.verbose_name_plural.capitalize()} of {job.company.name}",
        generated_at=timezone.now(), filters=spec.filters_described(), total_rows=job.total_records,
    )
    scratch = stored_files.export_scratch_path(job)
    try:
        writer = _file_write(job, chunk, lease, spec, report, scratch, on_progress)
        name = stored_files.export_publish(job, scratch, export_file_name(job, spec))
    except OSError as error:
        raise ImportFileError(f"The export file could not be written: {error.strerror or error}.") from None
    finally:
        scratch.unlink(missing_ok=True)
    _written(job, chunk, lease, writer.rows_written, name)


def _file_write(job, chunk, lease, spec: ExportSpec, report: ReportInfo, scratch, on_progress):
    """Write every row through the format's writer into `scratch`, showing progress about once a second."""
    with open(scratch, "wb") as stream:
        writer = WRITERS[spec.file_format](stream, spec.columns, report)
        last_report = time.monotonic()
        block = []
        for row in spec.rows(job.company):
            block.append(row)
            if len(block) >= _BLOCK_ROWS:
                writer.write_rows(block)
                block = []
                if time.monotonic() - last_report >= _PROGRESS_SECONDS:
                    _progress(job, chunk, lease, writer.rows_written, on_progress)
                    last_report = time.monotonic()
        if block:
            writer.write_rows(block)
        writer.close()
    return writer


def _progress(job: ImportExportJob, chunk: ImportChunk, lease, rows: int, on_progress) -> None:
    """Show how far the file has got, if the run still holds the chunk and the job still runs (else stop)."""
    with transaction.atomic():
        held = ImportChunk.objects.filter(pk=chunk.pk, lease=lease, status=Chunk.RUNNING).update(
            heartbeat_at=timezone.now(), checkpoint_row=rows,
        )
        running = held and ImportExportJob.objects.filter(pk=job.pk, job_status=Status.RUNNING).update(
            processed_records=rows,
        )
        if not running:
            raise LeaseLost(f"export {job.pk} was stopped or taken over")
    if on_progress is not None:
        job.refresh_from_db()
        on_progress(job)


def _written(job: ImportExportJob, chunk: ImportChunk, lease, rows: int, name: str) -> None:
    """The file is stored: the chunk is done, the job holds the file (or, stopped meanwhile, the file goes)."""
    with transaction.atomic():
        done = ImportChunk.objects.filter(pk=chunk.pk, lease=lease, status=Chunk.RUNNING).update(
            status=Chunk.DONE, lease=None, heartbeat_at=timezone.now(), checkpoint_row=rows,
        )
        kept = done and ImportExportJob.objects.filter(pk=job.pk, job_status=Status.RUNNING).update(
            file=name, processed_records=rows, total_records=rows,
        )
        if kept:
            return
    job.file.storage.delete(name)
    raise LeaseLost(f"export {job.pk} was stopped or taken over before its file was stored")


# --- Finishing -------------------------------------------------------------------------------------------------


def job_finish(*, job: ImportExportJob, lease=None, takes_turn: bool = True) -> bool:
    """Complete the job once its file is stored."""
    with transaction.atomic():
        current = ImportExportJob.objects.select_for_update().get(pk=job.pk)
        if current.job_status != Status.RUNNING or current.lease is not None:
            return False
        if not current.chunks.exists() or current.chunks.exclude(status=Chunk.DONE).exists():
            return False
        status.job_completed(current, summary=export_summary(current))
        transaction.on_commit(lambda: stored_files.working_files_delete(current), robust=True)
    job.refresh_from_db()
    return True


def export_summary(job: ImportExportJob) -> str:
    label = ImportExportJob.FileFormat(job.file_format).label
    return f"Exported {job.processed_records:,} {get_target(job.target_model).verbose_name_plural} as {label}."


EXPORT = kind_register(JobKind(
    job_type=ImportExportJob.JobType.EXPORT,
    phases=(
        Phase("prepare", job_prepare, runs_from=Status.PENDING),
        Phase("write", chunk_write, runs_from=Chunk.PENDING, per_chunk=True, works_as=Chunk.RUNNING),
        Phase("finish", job_finish, runs_from=Chunk.DONE),
    ),
))
