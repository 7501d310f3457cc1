"""Running a whole job in this process, phase after phase of its kind (the command line's way)."""

import uuid
from collections.abc import Callable

from imports.jobs.kinds import JobKind, kind_of
from imports.models import ImportExportJob

ProgressCallback = Callable[[ImportExportJob], None]


def job_run(*, job: ImportExportJob, on_progress: ProgressCallback | None = None) -> ImportExportJob:
    """Run a whole job in this process, step after step. Harmless when the job is already taken or finished.

    The company's limit of running jobs does not hold it back: the limit shares the workers, and this process is
    a worker of its own that an operator started to run this job now. It counts among the company's running
    jobs while it runs, since it shares the database with them. It stops when a step finds nothing of its own to
    do (the job or its chunks are held by another run, or the job is finished).
    """
    kind = kind_of(job)
    lease = uuid.uuid4()
    if kind.first.step(job=job, lease=lease, takes_turn=False):
        job.refresh_from_db()
        _later_phases_run(kind, job, lease, on_progress)
    job.refresh_from_db()
    return job


def job_continue(*, job: ImportExportJob, on_progress: ProgressCallback | None = None) -> bool:
    """Run in this process what is due on a job another run started: its chunks whose holder died are taken over
    (imports.jobs.leases), its job-wide phases run once nobody holds the job. True when some step did work; False
    when everything due is held by a live run (or the job is pending, finished, or laid out by nobody yet)."""
    kind = kind_of(job)
    job.refresh_from_db()
    progressed = _later_phases_run(kind, job, uuid.uuid4(), on_progress)
    job.refresh_from_db()
    return progressed


def _later_phases_run(kind: JobKind, job: ImportExportJob, lease, on_progress) -> bool:
    """The phases after the first, as they come due, until one finds nothing of its own; whether any did work."""
    worked = False
    while (phase := kind.due(job)) is not None and phase is not kind.first:
        if phase.per_chunk:
            chunk_ids = job.chunks.order_by("index").values_list("pk", flat=True)
            done = [phase.step(chunk_id=chunk_id, lease=lease, on_progress=on_progress) for chunk_id in chunk_ids]
            progressed = any(chunk is not None for chunk in done)
        else:
            progressed = phase.step(job=job, lease=lease, takes_turn=False)
        job.refresh_from_db()
        if not progressed:
            break
        worked = True
    return worked
