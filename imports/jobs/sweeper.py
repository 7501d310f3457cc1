"""The sweeper: finds work whose worker stopped reporting, or whose message never arrived, and queues it again.

It runs every IMPORT_SWEEP_SECONDS under Celery beat. Work is released before it is queued again (lease dropped,
a death counted), so a queue with no workers to empty it does not grow a message per sweep, and a chunk whose
worker stopped three times fails its job with a message instead of looping forever. It also sends, at every
sweep, the jobs that wait with no message out: those the broker could not take when they were created, and those
whose company's turn came while no job of the company ended to send them.
"""

from django.db.models import F, Q
from django.utils import timezone

from imports.jobs import status
from imports.jobs.kinds import chunk_phase_of, chunks_waiting, chunks_working, kinds_all, worker_job_types
from imports.jobs.leases import JOB_POISON_MESSAGE, MAX_DEATHS, chunk_poison_message, holder_died, stale_before
from imports.jobs.queueing import chunk_send, chunks_top_up, job_step_send, jobs_admit
from imports.jobs.stopping import job_fail
from imports.models import ImportChunk, ImportExportJob

Status = ImportExportJob.Status
Chunk = ImportChunk.Status


def jobs_sweep() -> dict[str, int]:
    """Re-queue stale chunks and jobs; return how many chunks and jobs were re-queued or failed."""
    now = timezone.now()
    stale = stale_before(now)
    counts = {"requeued_chunks": 0, "requeued_jobs": 0, "failed_jobs": 0}
    _sweep_stale_chunks(now, stale, counts)
    _sweep_waiting_chunks(now, stale, counts)
    _sweep_jobs(now, stale, counts)
    _sweep_job_phases(now, stale, counts)
    return counts


def _sweep_stale_chunks(now, stale, counts) -> None:
    """Chunks whose run stopped reporting: their worker died (or the command line running them was killed)."""
    dead = ImportChunk.objects.filter(
        chunks_working(),
        heartbeat_at__lt=stale,
        job__job_status=Status.RUNNING,
    )
    for chunk in dead.select_related("job"):
        if not holder_died(heartbeat_at=chunk.heartbeat_at, stale=stale):
            continue
        phase = chunk_phase_of(chunk.job, chunk.status)
        back = phase.runs_from
        released = ImportChunk.objects.filter(pk=chunk.pk, status=chunk.status, heartbeat_at__lt=stale).update(
            status=back, lease=None, deaths=F("deaths") + 1, queued_at=now
        )
        if not released:
            continue
        chunk.refresh_from_db()
        if chunk.deaths >= MAX_DEATHS:
            job_fail(chunk.job, chunk_poison_message(chunk))
            counts["failed_jobs"] += 1
        elif chunk_send(chunk.pk, phase):
            counts["requeued_chunks"] += 1
        else:
            ImportChunk.objects.filter(pk=chunk.pk, queued_at=now).update(queued_at=None)


def _sweep_waiting_chunks(now, stale, counts) -> None:
    """Waiting chunks of a job nobody is working on any more: their message was lost, or never sent (the broker
    was away when it should have been), or their job's runner died. The job's next chunks are sent, a few at a
    time as always.

    While some chunk of the job is running and reporting, its waiting chunks are waiting their turn (in the
    queue, or in the command line's loop) and are left alone: the chunks that end send the next.
    """
    busy_jobs = ImportChunk.objects.filter(lease__isnull=False, heartbeat_at__gte=stale).values("job")
    waiting = (
        ImportChunk.objects.filter(
            chunks_waiting(),
            job__job_status=Status.RUNNING,
            job__lease__isnull=True,
            job__heartbeat_at__lt=stale,
        )
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=stale))
        .exclude(job__in=busy_jobs)
    )
    for job_id in set(waiting.values_list("job_id", flat=True)):
        counts["requeued_chunks"] += chunks_top_up(job_id)


def _sweep_jobs(now, stale, counts) -> None:
    """Jobs waiting with no message out (or whose message was lost), and jobs whose first phase (the import's
    preparation) stopped reporting."""
    jobs = ImportExportJob.objects.filter(job_type__in=worker_job_types())
    lost = jobs.filter(job_status=Status.PENDING, queued_at__lt=stale)
    lost.update(queued_at=None)  # sent, never taken: a broker that restarted forgets its queue
    held_too_long = jobs.filter(job_status=Status.RUNNING, lease__isnull=False, heartbeat_at__lt=stale)
    for job in held_too_long:
        if not holder_died(heartbeat_at=job.heartbeat_at, stale=stale):
            continue
        if job.deaths + 1 >= MAX_DEATHS:
            job_fail(job, f"{JOB_POISON_MESSAGE}.")
            counts["failed_jobs"] += 1
            continue
        # Back to waiting, unsent: the admission below sends it in its company's turn (its place among the
        # running jobs is free now), by the age of the job.
        status.job_requeued(job, stale=stale)
    waiting = jobs.filter(job_status=Status.PENDING, queued_at__isnull=True)
    for company_id in set(waiting.values_list("company_id", flat=True)):
        counts["requeued_jobs"] += jobs_admit(company_id=company_id)


def _sweep_job_phases(now, stale, counts) -> None:
    """Jobs whose every chunk waits for a job-wide phase nobody runs (the import's merge once every chunk is
    scanned, its finish once every chunk is done): the run that should have gone on stopped in between. The
    phase is sent by the kind's table; the job's heartbeat is refreshed as it is sent, so the next sweeps leave
    it to that message for IMPORT_STALE_SECONDS."""
    recently_busy = ImportChunk.objects.filter(heartbeat_at__gte=stale).values("job")
    for kind in kinds_all():
        for phase in kind.later_job_phases():
            other_statuses = [value for value in Chunk.values if value != phase.runs_from]
            stuck = (
                ImportExportJob.objects.filter(
                    job_type=kind.job_type, job_status=Status.RUNNING, lease__isnull=True, heartbeat_at__lt=stale,
                    chunks__isnull=False,
                )
                .exclude(chunks__status__in=other_statuses)
                .exclude(pk__in=recently_busy)
                .distinct()
            )
            for job_id in stuck.values_list("pk", flat=True):
                if ImportExportJob.objects.filter(pk=job_id, lease__isnull=True, heartbeat_at__lt=stale).update(
                    heartbeat_at=now
                ):
                    counts["requeued_jobs"] += int(job_step_send(job_id, phase))
