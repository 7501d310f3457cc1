"""What is sent to the workers, and when: a company's jobs take their turn, a job's chunks go out a few at a time,
and a broker that cannot be reached delays work without losing it.

The database says what waits; the broker only carries the news. A pending job whose `queued_at` is empty has no
message out: it waits for its company's turn (IMPORT_MAX_RUNNING_JOBS_PER_COMPANY) or for the broker, and is sent
when a job of its company ends or, at the latest, by the next sweep. A chunk's `queued_at` likewise marks its
message; a job keeps at most IMPORT_MAX_CHUNKS_IN_FLIGHT chunks queued or running and sends the next as one ends,
so a small job of another company waits behind a few chunks, not behind every chunk of a big job.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from imports.models import ImportChunk, ImportExportJob

logger = logging.getLogger(__name__)

Status = ImportExportJob.Status
Chunk = ImportChunk.Status


def task_send(task, *args) -> bool:
    """Send a task; False when the broker cannot be reached (Celery's publish retry policy and the broker timeouts
    in settings bound how long that takes). What was not sent is found again by its empty `queued_at`."""
    try:
        task.apply_async(args=list(args))
    except (BrokerUnreachable, OSError) as error:
        logger.warning("The broker is unreachable; %s(%s) waits to be sent again: %s", task.name, args, error)
        return False
    return True


# --- A company's jobs take their turn ----------------------------------------------------------------------------


def _company_worker_jobs(company_id: int):
    """The company's jobs of the kinds the workers run: they share its turns."""
    from imports.jobs.kinds import worker_job_types

    return ImportExportJob.objects.filter(company_id=company_id, job_type__in=worker_job_types())


def turn_refusal(job: ImportExportJob) -> str | None:
    """Why the pending `job` may not start now (None when it may): its company runs as many jobs as it may, or an
    older job of the company waits before it. Called inside the claim's transaction, with the company locked."""
    imports = _company_worker_jobs(job.company_id).exclude(pk=job.pk)
    limit = settings.IMPORT_MAX_RUNNING_JOBS_PER_COMPANY
    running = imports.filter(job_status=Status.RUNNING).count()
    if running >= limit:
        return (
            f"Waiting for the company's other imports: {running} are running and at most {limit} run at once "
            "(IMPORT_MAX_RUNNING_JOBS_PER_COMPANY)."
        )
    older = Q(created_at__lt=job.created_at) | Q(created_at=job.created_at, pk__lt=job.pk)
    if imports.filter(older, job_status=Status.PENDING).exists():
        return "Waiting for the company's older imports to start first."
    return None


def jobs_admit(*, company_id: int) -> int:
    """Send the company's waiting jobs, oldest first, for as many as may run besides those running or already
    sent; return how many were sent. Best effort: the claim is what enforces the limit."""
    imports = _company_worker_jobs(company_id)
    taken = imports.filter(Q(job_status=Status.RUNNING) | Q(job_status=Status.PENDING, queued_at__isnull=False))
    free = settings.IMPORT_MAX_RUNNING_JOBS_PER_COMPANY - taken.count()
    if free <= 0:
        return 0
    waiting = imports.filter(job_status=Status.PENDING, queued_at__isnull=True).order_by("created_at", "pk")
    sent = 0
    for job_id in waiting.values_list("pk", flat=True)[:free]:
        sent += _job_send(job_id)
    return sent


def job_step_send(job_id, phase) -> bool:
    """Send the job-wide `phase` of the job to the workers."""
    from imports.jobs.tasks import job_step

    return task_send(job_step, str(job_id), phase.name)


def chunk_send(chunk_id: int, phase) -> bool:
    """Send the per-chunk `phase` of the chunk to the workers."""
    from imports.jobs.tasks import chunk_step

    return task_send(chunk_step, chunk_id, phase.name)


def _job_send(job_id) -> int:
    from imports.jobs.kinds import kind_of

    if not ImportExportJob.objects.filter(pk=job_id, job_status=Status.PENDING, queued_at__isnull=True).update(
        queued_at=timezone.now()
    ):
        return 0  # sent meanwhile by another run
    job = ImportExportJob.objects.get(pk=job_id)
    if job_step_send(job_id, kind_of(job).first):
        return 1
    ImportExportJob.objects.filter(pk=job_id, job_status=Status.PENDING).update(queued_at=None)
    return 0


def job_waiting_reason(job: ImportExportJob) -> str:
    """What a pending job waits for, in one sentence for its page and the API ("" once it has started)."""
    from imports.jobs.kinds import worker_job_types

    if job.job_status != Status.PENDING or job.job_type not in worker_job_types():
        return ""
    if job.queued_at is not None:
        return "Queued: waiting for a free worker."
    refusal = turn_refusal(job)
    if refusal is not None:
        return refusal
    return (
        "Waiting for the workers: the task queue could not be reached. The job is saved and starts by itself when "
        "the queue is back."
    )


# --- A job's chunks go out a few at a time -----------------------------------------------------------------------


def chunks_top_up(job_id) -> int:
    """Send the job's next waiting chunks, lowest first, so that at most IMPORT_MAX_CHUNKS_IN_FLIGHT of them are
    queued or running; return how many were sent.

    A chunk queued longer than IMPORT_STALE_SECONDS ago and still not taken counts as lost (a broker that restarts
    forgets its queue) and is sent again; a second delivery is harmless, the claim decides.
    """
    from imports.jobs.kinds import kind_of

    now = timezone.now()
    lost = now - timedelta(seconds=settings.IMPORT_STALE_SECONDS)
    with transaction.atomic():  # one top-up of a job at a time, so two chunks ending together send one each
        job = ImportExportJob.objects.select_for_update().filter(pk=job_id, job_status=Status.RUNNING).first()
        if job is None or job.lease is not None:
            return 0
        phase = kind_of(job).due(job)
        if phase is None or not phase.per_chunk:
            return 0
        chunks = job.chunks.all()
        waiting, working = phase.waiting(), phase.working()
        queued = waiting & Q(queued_at__gte=lost)
        free = settings.IMPORT_MAX_CHUNKS_IN_FLIGHT - chunks.filter(working | queued).count()
        if free <= 0:
            return 0
        unsent = chunks.filter(waiting).filter(Q(queued_at__isnull=True) | Q(queued_at__lt=lost))
        chunk_ids = list(unsent.order_by("index").values_list("pk", flat=True)[:free])
        ImportChunk.objects.filter(pk__in=chunk_ids).update(queued_at=now)
    sent = 0
    for chunk_id in chunk_ids:
        if chunk_send(chunk_id, phase):
            sent += 1
        else:
            ImportChunk.objects.filter(pk=chunk_id, queued_at=now).update(queued_at=None)
    return sent
