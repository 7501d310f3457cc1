"""What the kinds of job that write one file share (an export, a backup): one chunk writes the whole file, its
progress and its end committed under the chunk's lease and only while the job still runs; and, with the look-ups,
how a job whose chunks are all done is completed.

A file is written from its first row by whoever holds the chunk: a run taken over starts again, since reading
records twice changes nothing. So the chunk's checkpoint only shows progress; it is never continued from.
"""

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from imports.engine import stored_files
from imports.engine.commit import LeaseLost
from imports.jobs import status
from imports.models import ImportChunk, ImportExportJob

Status = ImportExportJob.Status
Chunk = ImportChunk.Status


def one_chunk_laid_out(job: ImportExportJob, lease, *, rows: int, **fields) -> None:
    """The end of preparing: the job, released, knows its `rows` (and `fields`), and its one chunk waits to write
    them. LeaseLost when the job was taken over meanwhile."""
    with transaction.atomic():
        prepared = ImportExportJob.objects.filter(pk=job.pk, lease=lease, job_status=Status.RUNNING).update(
            lease=None, heartbeat_at=timezone.now(), total_records=rows, **fields,
        )
        if not prepared:
            raise LeaseLost(f"job {job.pk} was taken over while it was being prepared")
        if not job.chunks.exists():
            ImportChunk.objects.create(
                job=job, index=0, first_row=1, last_row=rows, start_offset=0, checkpoint_row=0,
                checkpoint_offset=0, status=Chunk.PENDING,
            )
    job.refresh_from_db()


def progress_shown(job: ImportExportJob, chunk: ImportChunk, lease, rows: int, on_progress=None) -> None:
    """Show how far the file has got, if this run still holds the chunk and the job still runs; else LeaseLost,
    which stops the run (a cancel, or a takeover)."""
    with transaction.atomic():
        held = ImportChunk.objects.filter(pk=chunk.pk, lease=lease, status=Chunk.RUNNING).update(
            heartbeat_at=timezone.now(), checkpoint_row=rows,
        )
        running = held and ImportExportJob.objects.filter(pk=job.pk, job_status=Status.RUNNING).update(
            processed_records=rows,
        )
        if not running:
            raise LeaseLost(f"job {job.pk} was stopped or taken over")
    if on_progress is not None:
        # Set rather than reloaded: a reload per report leaves a model instance (a reference cycle through its
        # file fields) for the cyclic collector, which in a long-lived worker may run only rarely.
        job.processed_records = rows
        on_progress(job)


def file_kept(job: ImportExportJob, chunk: ImportChunk, lease, *, name: str, rows: int, **fields) -> None:
    """The file is stored as `name`: the chunk is done and the job holds the file (and `fields`). When the job was
    stopped or taken over meanwhile, the file is deleted again and LeaseLost raised."""
    with transaction.atomic():
        done = ImportChunk.objects.filter(pk=chunk.pk, lease=lease, status=Chunk.RUNNING).update(
            status=Chunk.DONE, lease=None, heartbeat_at=timezone.now(), checkpoint_row=rows,
        )
        kept = done and ImportExportJob.objects.filter(pk=job.pk, job_status=Status.RUNNING).update(
            file=name, processed_records=rows, total_records=rows, **fields,
        )
        if kept:
            return
    job.file.storage.delete(name)
    raise LeaseLost(f"job {job.pk} was stopped or taken over before its file was stored")


def job_complete_when_done(job: ImportExportJob, summary: Callable[[ImportExportJob], str]) -> bool:
    """Complete the job once every chunk is done, with `summary(job)` as its last word; whichever run gets here
    last does it, the others find nothing to do. Its working files go once the completion is committed."""
    with transaction.atomic():
        current = ImportExportJob.objects.select_for_update().get(pk=job.pk)
        if current.job_status != Status.RUNNING or current.lease is not None:
            return False
        if not current.chunks.exists() or current.chunks.exclude(status=Chunk.DONE).exists():
            return False
        status.job_completed(current, summary=summary(current))
        transaction.on_commit(lambda: stored_files.working_files_delete(current), robust=True)
    job.refresh_from_db()
    return True
