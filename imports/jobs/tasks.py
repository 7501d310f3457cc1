"""Celery tasks: thin wrappers that take ids, refetch, and call one service.

Acknowledged late and rejected (so re-queued) when their worker is lost, one message at a time per worker,
retried with backoff and jitter when the database connection drops. Running the same task twice is harmless:
the database decides who holds a job or chunk.
"""

from celery import shared_task

from imports.declare.tasks import RELIABLE
from imports.jobs.queueing import chunks_top_up
from imports.jobs.retention import job_files_purge, uploads_purge
from imports.jobs.running import (
    chunk_run,
    chunk_scan_run,
    job_finalize,
    job_merge,
    job_prepare,
    job_write_after_validation,
)
from imports.jobs.sweeper import jobs_sweep
from imports.models import ImportChunk, ImportExportJob


@shared_task(**RELIABLE)
def run_import_job(self, job_id: str) -> str:
    """Lay the job out, then queue the scans of its first chunks for whichever workers are free."""
    job = ImportExportJob.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    if job_prepare(job=job, lease=self.request.id):
        chunks_top_up(job.pk)
    job.refresh_from_db()
    return job.job_status


@shared_task(**RELIABLE)
def scan_import_chunk(self, chunk_id: int) -> str:
    """Scan one chunk and queue the next; the run that scans the last one merges the scans and queues the first
    chunks to run."""
    chunk = chunk_scan_run(chunk_id=chunk_id, lease=self.request.id)
    if chunk is None:
        return "not ours"
    merged = job_merge(job=chunk.job, lease=self.request.id)
    chunks_top_up(chunk.job_id)
    return "merged" if merged else "scanned"


@shared_task(**RELIABLE)
def merge_import_job(self, job_id: str) -> str:
    """Merge a job whose chunks are all scanned but whose merge never happened (its worker stopped between)."""
    job = ImportExportJob.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    if job_merge(job=job, lease=self.request.id):
        chunks_top_up(job.pk)
        return "merged"
    return "not ours"


@shared_task(**RELIABLE)
def run_import_chunk(self, chunk_id: int) -> str:
    """Run one chunk of rows from its checkpoint and queue the next; the run that finishes the last chunk
    completes the job.

    A chunk that is not this run's may still be the job's last one, done by a run whose worker died before it
    could complete the job (this delivery is then the same task again): completing is harmless to try.
    """
    chunk = chunk_run(chunk_id=chunk_id, lease=self.request.id)
    if chunk is None:
        job_id = ImportChunk.objects.filter(pk=chunk_id).values_list("job_id", flat=True).first()
        job = ImportExportJob.objects.filter(pk=job_id).first() if job_id else None
        if job is not None:
            job_settle(job)
        return "not ours"
    return job_settle(chunk.job)


@shared_task(**RELIABLE)
def finish_import_job(self, job_id: str) -> str:
    """Complete a job whose chunks are all done but which nobody completed (its last worker stopped between)."""
    job = ImportExportJob.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    return job_settle(job)


def job_settle(job: ImportExportJob) -> str:
    """After a chunk's last batch: an all-or-nothing job whose rows all passed validation has its chunks queued
    again to be written; any other job whose chunks are all done is completed; a job with chunks still waiting
    has the next sent."""
    if job_write_after_validation(job=job):
        chunks_top_up(job.pk)
        return "validated"
    job = job_finalize(job=job)
    if not job.is_finished:
        chunks_top_up(job.pk)
    return job.job_status


@shared_task
def sweep_stale_jobs() -> dict:
    return jobs_sweep()


@shared_task
def purge_expired_job_files() -> int:
    """Uploaded files and reports past IMPORT_RETENTION_DAYS: of jobs, and of uploads left in the wizard; then
    the files under MEDIA_ROOT that no job or upload refers to (imports.jobs.orphans)."""
    from imports.jobs.orphans import media_orphans_purge

    return job_files_purge() + uploads_purge() + media_orphans_purge()
