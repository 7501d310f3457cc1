"""The export kind of job: count the rows, write the file, finish.

    prepare (one run)            write (one chunk)                          finish (one run)
    check the spec, count   ->   rows from a server-side cursor, through ->  complete the job
    the rows, lay one chunk      the format's writer, into a hidden file;
                                 stored as the job's file when complete

An export reads and never writes records, so a run that died is simply done again: whoever takes the chunk over
writes the file from the start. Progress is committed every EXPORT_PROGRESS_SECONDS (a second by default), fenced
by the chunk's lease and the job's status, so a cancelled export stops within that time and leaves no file.
"""

import time

from django.conf import settings
from django.utils import timezone

from imports.declare.errors import ImportFileError
from imports.declare.targets import get_target
from imports.engine import stored_files
from imports.engine.exports.spec import ExportSpec, ExportSpecError
from imports.engine.exports.writers import WRITERS
from imports.engine.exports.writers.base import ReportInfo
from imports.jobs.file_writing import file_kept, job_complete_when_done, one_chunk_laid_out, progress_shown
from imports.jobs.kinds import JobKind, Phase, kind_register
from imports.jobs.leases import chunk_claim, chunk_guarded, job_claim, job_guarded
from imports.models import ImportChunk, ImportExportJob

Status = ImportExportJob.Status
Chunk = ImportChunk.Status


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
    one_chunk_laid_out(job, lease, rows=rows, file_format=spec.file_format)


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
    file_kept(job, chunk, lease, name=name, rows=writer.rows_written)


def _file_write(job, chunk, lease, spec: ExportSpec, report: ReportInfo, scratch, on_progress):
    """Write every row through the format's writer into `scratch`, showing progress every EXPORT_PROGRESS_SECONDS."""
    with open(scratch, "wb") as stream:
        writer = WRITERS[spec.file_format](stream, spec.columns, report)
        last_report = time.monotonic()
        for block in spec.blocks(job.company):
            writer.write_rows(block)
            if time.monotonic() - last_report >= settings.EXPORT_PROGRESS_SECONDS:
                progress_shown(job, chunk, lease, writer.rows_written, on_progress)
                last_report = time.monotonic()
        writer.close()
    return writer


# --- Finishing -------------------------------------------------------------------------------------------------


def job_finish(*, job: ImportExportJob, lease=None, takes_turn: bool = True) -> bool:
    """Complete the job once its file is stored."""
    return job_complete_when_done(job, export_summary)


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
