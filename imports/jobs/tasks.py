"""Celery tasks: thin wrappers that take ids, run one phase of a job's kind, and ask the kind what is due next.

Acknowledged late and rejected (so re-queued) when their worker is lost, one message at a time per worker,
retried with backoff and jitter when the database connection drops. Running the same task twice is harmless:
the database decides who holds a job or chunk.
"""

from celery import shared_task

from imports.declare.tasks import RELIABLE
from imports.jobs.export_schedules import scheduled_exports_run, scheduled_failures_retry
from imports.jobs.kinds import kind_of
from imports.jobs.queueing import chunks_top_up
from imports.jobs.retention import (
    changesets_purge,
    export_files_purge,
    job_files_purge,
    lookup_data_purge,
    uploads_purge,
)
from imports.jobs.sweeper import jobs_sweep
from imports.models import ImportChunk, ImportExportJob


@shared_task(**RELIABLE)
def job_step(self, job_id: str, phase: str) -> str:
    """Run the job-wide `phase` of the job (its first phase is sent in its company's turn, the later ones by the
    sweeper when the run that should have done them stopped), then what is due next."""
    job = ImportExportJob.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    if not kind_of(job).phase(phase).step(job=job, lease=self.request.id, takes_turn=True):
        job.refresh_from_db()
        return job.job_status if job.is_finished else "not ours"
    return job_advance(job, lease=self.request.id)


@shared_task(**RELIABLE)
def chunk_step(self, chunk_id: int, phase: str) -> str:
    """Run the per-chunk `phase` of one chunk, then what is due next: the job-wide phase once this was the last
    chunk, or the job's next chunks.

    A chunk that is not this run's may still be the job's last one, done by a run whose worker died before it
    could go on (this delivery is then the same task again): going on is harmless to try.
    """
    job_id = ImportChunk.objects.filter(pk=chunk_id).values_list("job_id", flat=True).first()
    job = ImportExportJob.objects.filter(pk=job_id).first() if job_id else None
    if job is None:
        return "missing"
    chunk = kind_of(job).phase(phase).step(chunk_id=chunk_id, lease=self.request.id, on_progress=None)
    advanced = job_advance(job, lease=self.request.id)
    return "not ours" if chunk is None else advanced


def job_advance(job: ImportExportJob, *, lease) -> str:
    """Run the job-wide phases due now, here, then send the job's next chunks, a few at a time; the job's status.

    The first phase is left alone: a pending job starts in its company's turn (imports.jobs.queueing)."""
    kind = kind_of(job)
    previous = None
    while True:
        job.refresh_from_db()
        phase = kind.due(job)
        if phase is None or phase is kind.first or phase is previous:
            break
        if phase.per_chunk:
            chunks_top_up(job.pk)
            break
        if not phase.step(job=job, lease=lease, takes_turn=True):
            break
        previous = phase
    job.refresh_from_db()
    return job.job_status


@shared_task
def sweep_stale_jobs() -> dict:
    return jobs_sweep()


@shared_task
def purge_expired_job_files() -> int:
    """Uploaded files and reports past IMPORT_RETENTION_DAYS: of jobs, and of uploads left in the wizard; look-ups'
    uploads and results past their retention period; export and backup files past EXPORT_RETENTION_DAYS; then the
    files under MEDIA_ROOT that no job or upload refers to (imports.jobs.orphans)."""
    from imports.jobs.orphans import media_orphans_purge

    return (
        job_files_purge() + uploads_purge() + lookup_data_purge() + export_files_purge() + changesets_purge()
        + media_orphans_purge()
    )


@shared_task
def run_scheduled_exports() -> dict:
    """Every minute under beat: retry the scheduled exports that failed, then start the runs that are due. Retries
    come first so a run refused now is retried at the next beat, not in the same breath. Harmless when two beats
    overlap: the database hands each template, and each failure, to one of them."""
    return {"retried": scheduled_failures_retry(), "started": scheduled_exports_run()}
