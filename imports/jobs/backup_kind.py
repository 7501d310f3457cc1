"""The backup kind of job: count every target's records, write them all into one archive, finish.

    prepare (one run)             write (one chunk)                                    finish (one run)
    count each target's     ->    each target's import-compatible CSV, in the order ->  complete the job
    records as they stood         a restore imports them, into one ZIP, then its
    when the backup was asked     manifest; stored as the job's file

Like an export, a backup reads and never writes records: a run that died is simply done again, from the start, by
whoever takes the chunk over; a file is stored only once complete. The backup holds every target, claims (health
data) included, since it is the whole company: the kind is sensitive (an unexpected error is logged by its type
and place only), and its download is recorded in the audit trail.
"""

import time

from django.conf import settings
from django.utils import timezone

from imports.declare.errors import ImportFileError
from imports.declare.targets import dependency_order
from imports.engine import stored_files
from imports.engine.backups.manifest import BackupManifest, ManifestEntry, member_name
from imports.engine.backups.writing import BackupWriter, backup_columns, backup_rows, backup_rows_count
from imports.engine.exports.writers import WRITERS
from imports.engine.exports.writers.base import ReportInfo
from imports.engine.readers.limits import max_file_bytes
from imports.jobs import status
from imports.jobs.file_writing import file_kept, job_complete_when_done, one_chunk_laid_out, progress_shown
from imports.jobs.kinds import JobKind, Phase, kind_register
from imports.jobs.leases import chunk_claim, chunk_guarded, job_claim, job_guarded
from imports.models import ImportChunk, ImportExportJob, ImportExportLog

Status = ImportExportJob.Status
Chunk = ImportChunk.Status

COMPANY = "Company"  # what a backup or a restore is of, in the job's target column
_BLOCK_ROWS = 2000


def backup_file_name(job: ImportExportJob) -> str:
    """`backup-acme-2026-12-06-0930.zip`: whose and when it was asked for."""
    stamp = timezone.localtime(job.created_at).strftime("%Y-%m-%d-%H%M")
    return f"backup-{job.company.slug}-{stamp}.zip"


# --- Preparing -------------------------------------------------------------------------------------------------


def job_prepare(*, job: ImportExportJob, lease, takes_turn: bool = True) -> bool:
    """Take the job, count the records of every target and lay out the one chunk that writes them."""
    if not job_claim(job, lease, takes_turn=takes_turn):
        return False
    return job_guarded(job, lease, lambda: _prepare(job, lease), "prepared")


def _prepare(job: ImportExportJob, lease) -> None:
    rows = sum(backup_rows_count(target, job.company, as_of=job.created_at) for target in dependency_order())
    one_chunk_laid_out(job, lease, rows=rows)


# --- Writing ---------------------------------------------------------------------------------------------------


def chunk_write(*, chunk_id: int, lease, on_progress=None) -> ImportChunk | None:
    """Write the archive, from its first record (a run taken over starts again); None when not this run's."""
    chunk = chunk_claim(chunk_id, lease, waiting=(Chunk.PENDING,), working=Chunk.RUNNING)
    if chunk is None:
        return None
    return chunk_guarded(chunk, lease, lambda: _write(chunk, lease, on_progress), back_to=Chunk.PENDING)


def _write(chunk: ImportChunk, lease, on_progress) -> None:
    job = chunk.job
    scratch = stored_files.export_scratch_path(job)
    try:
        with open(scratch, "wb") as stream:
            manifest, sizes = _archive_write(job, chunk, lease, stream, on_progress)
        name = stored_files.export_publish(job, scratch, job.file_name)
    except OSError as error:
        raise ImportFileError(f"The backup file could not be written: {error.strerror or error}.") from None
    finally:
        scratch.unlink(missing_ok=True)
    file_kept(job, chunk, lease, name=name, rows=manifest.total_rows,
              options={**job.options, "manifest": manifest.to_data()})
    _too_large_to_restore_noted(job, manifest, sizes)


def _archive_write(job, chunk, lease, stream, on_progress) -> tuple[BackupManifest, dict[str, int]]:
    """Each target's file into the archive, then the manifest; the manifest and each file's unpacked size."""
    writer = BackupWriter(stream, made_at=job.created_at)
    entries, done = [], 0
    last_report = time.monotonic()
    for target in dependency_order():
        name = member_name(target)
        report = ReportInfo(title=f"{target.verbose_name_plural.capitalize()} of {job.company.name}",
                            generated_at=job.created_at)
        with writer.member(name) as member:
            csv_writer = WRITERS["csv"](member, backup_columns(target), report)
            block = []
            for row in backup_rows(target, job.company, as_of=job.created_at):
                block.append(row)
                if len(block) >= _BLOCK_ROWS:
                    csv_writer.write_rows(block)
                    block = []
                    if time.monotonic() - last_report >= settings.EXPORT_PROGRESS_SECONDS:
                        progress_shown(job, chunk, lease, done + csv_writer.rows_written, on_progress)
                        last_report = time.monotonic()
            if block:
                csv_writer.write_rows(block)
            csv_writer.close()
        entries.append(ManifestEntry(target, name, csv_writer.rows_written))
        done += csv_writer.rows_written
    manifest = BackupManifest(company=job.company.name, created_at=job.created_at, entries=tuple(entries))
    sizes = writer.sizes()
    writer.close(manifest)
    return manifest, sizes


def _too_large_to_restore_noted(job: ImportExportJob, manifest: BackupManifest, sizes: dict[str, int]) -> None:
    """A restore imports each file as a file of its own, under IMPORT_MAX_FILE_MB: say so on the job when a file
    is larger, so the limit is raised before the backup is needed."""
    limit = max_file_bytes()
    for entry in manifest.entries:
        size = sizes[entry.file]
        if size > limit:
            status.job_log(job, (
                f"The file of {entry.target.verbose_name_plural} unpacks to {size / 1024 / 1024:,.0f} MB: restoring "
                f"this backup needs IMPORT_MAX_FILE_MB of at least {size // (1024 * 1024) + 1} (it is "
                f"{settings.IMPORT_MAX_FILE_MB})."
            ), level=ImportExportLog.Level.WARNING)


# --- Finishing -------------------------------------------------------------------------------------------------


def job_finish(*, job: ImportExportJob, lease=None, takes_turn: bool = True) -> bool:
    """Complete the job once its archive is stored."""
    return job_complete_when_done(job, backup_summary)


def backup_summary(job: ImportExportJob) -> str:
    """"Backed up 1,234 records: 3 customer groups, 10 accounts, ..." from the job's manifest."""
    entries = BackupManifest.from_data(job.options["manifest"]).entries
    kinds = ", ".join(f"{entry.rows:,} {entry.target.verbose_name_plural}" for entry in entries)
    return f"Backed up {job.processed_records:,} records into {job.file_name}: {kinds}."


BACKUP = kind_register(JobKind(
    job_type=ImportExportJob.JobType.BACKUP,
    sensitive=True,
    phases=(
        Phase("prepare", job_prepare, runs_from=Status.PENDING),
        Phase("write", chunk_write, runs_from=Chunk.PENDING, per_chunk=True, works_as=Chunk.RUNNING),
        Phase("finish", job_finish, runs_from=Chunk.DONE),
    ),
))
