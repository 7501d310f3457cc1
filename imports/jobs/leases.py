"""Who holds a job or a chunk: claims, leases, heartbeats, and the one rule that says a holder has died.

A run takes a job or a chunk by writing its lease (the Celery task's id, or a fresh id on the command line) and
keeps `heartbeat_at` fresh while it works. Another run may take the work over only when the holder has died:
its heartbeat is older than IMPORT_STALE_SECONDS, or its process on this machine is gone (`holder_died`). The
claims below and the sweeper (imports.jobs.sweeper) both ask that one rule. Work that stopped its worker
MAX_DEATHS times fails its job with a message instead of being retried forever.
"""

import logging
import os
import socket
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone

from companies.models import Company
from imports.declare.errors import ImportFileError
from imports.declare.targets import get_target
from imports.engine.commit import LeaseLost
from imports.jobs import status
from imports.jobs.kinds import kind_of
from imports.jobs.queueing import jobs_admit, turn_refusal
from imports.jobs.stopping import job_fail
from imports.models import ImportChunk, ImportExportJob

logger = logging.getLogger(__name__)

Status = ImportExportJob.Status
Chunk = ImportChunk.Status
RETRYABLE = (OperationalError, InterfaceError)  # the database went away: the same work is retried later
MAX_DEATHS = 3
JOB_POISON_MESSAGE = (
    "Reading the file stopped its worker three times (it may need more memory or time than the workers have); "
    "the job was stopped"
)


# --- The rule: has this holder died? ---------------------------------------------------------------------------


def stale_before(now: datetime | None = None) -> datetime:
    """A heartbeat older than this is a holder that stopped reporting."""
    return (now or timezone.now()) - timedelta(seconds=settings.IMPORT_STALE_SECONDS)


def process_alive(host: str, pid: int | None) -> bool:
    """False only when the run was on this machine and its process is gone (a worker child killed, say)."""
    if host != socket.gethostname() or not pid or pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def holder_died(*, heartbeat_at: datetime | None, stale: datetime, host: str = "", pid: int | None = None) -> bool:
    """Whether the run holding a lease has died: it stopped reporting, or its process is gone."""
    return heartbeat_at is None or heartbeat_at < stale or not process_alive(host, pid)


# --- Heartbeats ------------------------------------------------------------------------------------------------

# The threads whose database work is a rehearsal, rolled back at its end (a restore's dry run): see `rehearsal`.
_rehearsing: set[int] = set()


@contextmanager
def rehearsal() -> Iterator[None]:
    """Mark this thread's work, for the time of the block, as a rehearsal inside one transaction that will be
    rolled back. Its jobs and chunks are rows no other connection sees, so nobody can find them stale: they get no
    heartbeat thread. The beats of rows other connections see (the rehearsing job's own chunk) go on where a second
    connection may write meanwhile; on SQLite the rehearsal holds the one write lock, so they wait for its end
    (no other process can write, nor take the work over, before then either)."""
    owner = threading.get_ident()
    _rehearsing.add(owner)
    try:
        yield
    finally:
        _rehearsing.discard(owner)


@contextmanager
def lease_kept(model, pk, lease) -> Iterator[None]:
    """Refresh `heartbeat_at` of the `model` row `pk` every IMPORT_HEARTBEAT_SECONDS while it holds `lease`.

    Batches refresh a chunk's heartbeat as they commit, but some steps commit nothing for a long while (staging a
    big workbook, scanning a chunk, merging the scans): without a beat of their own, a stale threshold short
    enough to notice a dead worker within a minute would take live work away from them. The thread beats only
    while its process lives, so a killed worker goes silent at once; it never revives a lease taken over.
    """
    owner = threading.get_ident()
    if owner in _rehearsing:
        yield
        return
    stop = threading.Event()
    period = settings.IMPORT_HEARTBEAT_SECONDS
    single_writer = connection.vendor == "sqlite"

    def beat() -> None:
        try:
            while not stop.wait(period):
                if single_writer and owner in _rehearsing:
                    continue
                try:
                    model.objects.filter(pk=pk, lease=lease).update(heartbeat_at=timezone.now())
                except DatabaseError as error:  # the next beat tries again; the work itself notices a lost database
                    logger.warning("Heartbeat of %s %s missed: %s", model.__name__, pk, error)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"heartbeat-{model.__name__}-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


# --- Unexpected errors -------------------------------------------------------------------------------------------


def job_is_sensitive(job: ImportExportJob) -> bool:
    """Whether the job's rows may hold health data: a sensitive kind of job (look-ups), or any job about a target
    that declares sensitive fields (an import or export of the claims store)."""
    if kind_of(job).sensitive:
        return True
    try:
        return bool(get_target(job.target_model).sensitive_fields)
    except KeyError:
        return False


def unexpected_error_log(job: ImportExportJob, message: str, *args) -> None:
    """Log the exception being handled, for operators. For a kind of job whose rows are sensitive (health data),
    only the exception's type and where it was raised: its message may quote a value of a row."""
    if not job_is_sensitive(job):
        logger.exception(message, *args)
        return
    error = sys.exception()
    frames = traceback.extract_tb(error.__traceback__) if error is not None else []
    where = " < ".join(f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in reversed(frames))
    logger.error(f"{message}: %s at %s", *args, type(error).__name__, where)


# --- Jobs ------------------------------------------------------------------------------------------------------


def job_claim(job: ImportExportJob, lease, *, takes_turn: bool) -> bool:
    """Take a pending job; or one this very task was preparing when its worker died (Celery delivers the task
    again with the same id, which is the lease).

    With `takes_turn`, a pending job starts only when its company runs fewer jobs than it may and no older job of
    the company waits; else it waits again, unsent, until a job of the company ends. The company's row is locked
    first, so two workers claiming at once count one after the other.
    """
    with transaction.atomic():
        if takes_turn:
            Company.objects.select_for_update().filter(pk=job.company_id).first()
        current = ImportExportJob.objects.select_for_update().filter(pk=job.pk).first()
        if current is None:
            return False
        deaths = current.deaths
        if current.job_status == Status.RUNNING and current.lease is not None and str(current.lease) == str(lease):
            deaths += 1
        elif current.job_status != Status.PENDING:
            return False
        elif takes_turn and (refusal := turn_refusal(current)) is not None:
            status.job_waiting(current, reason=refusal)
            transaction.on_commit(lambda: jobs_admit(company_id=current.company_id))
            return False
        failing = deaths >= MAX_DEATHS
        if not failing:
            job.started_at = current.started_at
            status.job_started(job, lease=lease, deaths=deaths)
    if failing:
        job_fail(job, f"{JOB_POISON_MESSAGE} and nothing was imported.")
        return False
    return True


def job_lease_take(job: ImportExportJob, lease, *, chunks_in: str) -> bool:
    """Take a running job that nobody holds, for a job-wide step between the chunks' steps (the import's merge),
    once every chunk of the job is in status `chunks_in`."""
    with transaction.atomic():
        current = ImportExportJob.objects.select_for_update().filter(pk=job.pk).first()
        if current is None or current.job_status != Status.RUNNING or current.lease is not None:
            return False
        if current.chunks.exclude(status=chunks_in).exists() or not current.chunks.exists():
            return False
        ImportExportJob.objects.filter(pk=job.pk).update(lease=lease, heartbeat_at=timezone.now())
    job.refresh_from_db()
    return True


def job_guarded(job: ImportExportJob, lease, step: Callable[[], None], verb: str) -> bool:
    """Run a job-wide step under the job's lease; a file problem or a bug fails the job with a message, a lost
    database is raised."""
    try:
        with lease_kept(ImportExportJob, job.pk, lease):
            step()
    except ImportFileError as error:
        job_fail(job, str(error))
        return False
    except LeaseLost:
        return False
    except RETRYABLE:
        raise
    except Exception:
        unexpected_error_log(job, "Job %s could not be %s", job.pk, verb)
        job_fail(job, f"The file could not be {verb} because of an unexpected error. Quote job {job.pk} when "
                      "asking for help.")
        return False
    return True


# --- Chunks ----------------------------------------------------------------------------------------------------


def chunk_claim(chunk_id: int, lease, *, waiting: tuple[str, ...], working: str) -> ImportChunk | None:
    """Take a chunk that waits (status in `waiting`, no lease), or one whose holder died while `working` on it
    (or this very task again: its earlier delivery stopped mid-way)."""
    now = timezone.now()
    with transaction.atomic():
        chunk = ImportChunk.objects.select_for_update().filter(pk=chunk_id).first()
        if chunk is None or (chunk.status not in waiting and chunk.status != working):
            return None
        job_status = ImportExportJob.objects.filter(pk=chunk.job_id).values_list("job_status", flat=True).first()
        if job_status != Status.RUNNING:
            return None
        deaths = chunk.deaths
        if chunk.lease is not None:
            died = str(chunk.lease) == str(lease) or holder_died(
                heartbeat_at=chunk.heartbeat_at, stale=stale_before(now), host=chunk.lease_host, pid=chunk.lease_pid
            )
            if not died:
                return None
            deaths += 1
        failing = deaths >= MAX_DEATHS
        if not failing:
            ImportChunk.objects.filter(pk=chunk_id).update(
                status=working, lease=lease, lease_host=socket.gethostname(), lease_pid=os.getpid(),
                heartbeat_at=now, deaths=deaths,
            )
    chunk = ImportChunk.objects.select_related("job", "job__company").get(pk=chunk_id)
    if failing:
        job_fail(chunk.job, chunk_poison_message(chunk))
        return None
    if deaths:
        status.job_log(
            chunk.job, f"Rows {chunk.first_row}-{chunk.last_row} taken over after row {chunk.checkpoint_row}."
        )
    return chunk


def chunk_poison_message(chunk: ImportChunk) -> str:
    return (
        f"Rows {chunk.first_row:,}-{chunk.last_row:,} stopped their worker three times (they may need more memory "
        f"or time than the workers have); the job was stopped. Rows up to {chunk.checkpoint_row:,} of that part "
        "and all finished parts were imported."
    )


def chunk_release(chunk: ImportChunk, lease, *, back_to: str, died: bool = False) -> None:
    """Hand the chunk back, waiting again in status `back_to` (best effort: the database may be the thing that is
    down)."""
    try:
        ImportChunk.objects.filter(pk=chunk.pk, lease=lease).exclude(status=Chunk.DONE).update(
            status=back_to, lease=None, deaths=F("deaths") + (1 if died else 0),
        )
    except RETRYABLE:
        logger.warning("Could not release chunk %s; the sweeper will", chunk.pk)


def chunk_guarded(chunk: ImportChunk, lease, step: Callable[[], None], *, back_to: str) -> ImportChunk | None:
    """Run a chunk's step. A problem with the file fails the job; a lost database connection or the task's time
    running out hands the chunk back (waiting in `back_to`, its phase's status) and is raised for the caller to
    retry; losing the chunk to another run ends this one quietly."""
    try:
        with lease_kept(ImportChunk, chunk.pk, lease):
            step()
    except LeaseLost:
        return None
    except ImportFileError as error:
        job_fail(chunk.job, str(error))
    except RETRYABLE:
        chunk_release(chunk, lease, back_to=back_to)
        raise
    except SoftTimeLimitExceeded:
        chunk_release(chunk, lease, back_to=back_to, died=True)
        raise
    except Exception:
        unexpected_error_log(
            chunk.job, "Job %s stopped in rows %s-%s", chunk.job_id, chunk.first_row, chunk.last_row
        )
        job_fail(
            chunk.job,
            f"The import stopped on an unexpected error after row {chunk.checkpoint_row:,}; rows saved until then "
            f"stay saved. Quote job {chunk.job_id} when asking for help.",
        )
    return chunk


def chunk_still_held(chunk: ImportChunk, lease) -> None:
    """LeaseLost unless this run still holds `chunk` and its job still runs: a whole-job step that writes no
    checkpoint of its own (a restore, a rehearsal) asks between its pieces of work."""
    held = ImportChunk.objects.filter(pk=chunk.pk, lease=lease, status=Chunk.RUNNING).exists()
    if not held or not ImportExportJob.objects.filter(pk=chunk.job_id, job_status=Status.RUNNING).exists():
        raise LeaseLost(f"job {chunk.job_id} was stopped or taken over")


def chunk_done(chunk: ImportChunk, lease, **job_changes) -> None:
    """The chunk is done, with `job_changes` written to its job, if this run still holds the chunk and the job
    still runs; LeaseLost otherwise."""
    with transaction.atomic():
        done = ImportChunk.objects.filter(pk=chunk.pk, lease=lease, status=Chunk.RUNNING).update(
            status=Chunk.DONE, lease=None, heartbeat_at=timezone.now(),
        )
        running = ImportExportJob.objects.filter(pk=chunk.job_id, job_status=Status.RUNNING)
        if not done or not (running.update(**job_changes) if job_changes else running.exists()):
            raise LeaseLost(f"job {chunk.job_id} was stopped or taken over before its chunk ended")
