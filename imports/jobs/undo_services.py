"""Asking for the undo of an import: what may be undone, and the undo job (imports.jobs.undo_kind) that does it.

The browser, the API and `undo_import` all come here, so a refusal reads the same everywhere.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from imports.declare.targets import get_target
from imports.engine.change_runs import records_by_action
from imports.engine.changesets import can_keep_changes
from imports.jobs import status
from imports.jobs.services import job_enqueue
from imports.models import ImportChange, ImportChunk, ImportExportJob

JobType, Status = ImportExportJob.JobType, ImportExportJob.Status


class UndoRefused(Exception):
    """The import cannot be undone (now, or ever): the message says why, in a sentence for the user."""


@dataclass(frozen=True)
class UndoPreview:
    """What an undo of an import would take back, counted from its changeset (before any dry run)."""

    created: int
    updated: int


def undo_refusal(job: ImportExportJob) -> str | None:
    """Why `job` cannot be undone now, in a sentence; None when it can."""
    if job.job_type != JobType.IMPORT:
        return "Only an import can be undone."
    if job.dry_run:
        return "This was a dry run: it wrote nothing, so there is nothing to undo."
    if job.undone_at is not None:
        who = f" by {job.undone_by.get_username()}" if job.undone_by is not None else ""
        return (f"This import was already undone{who} on {timezone.localtime(job.undone_at):%Y-%m-%d at %H:%M}: "
                "it cannot be undone twice.")
    if not job.is_finished:
        return "This import is still running: cancel it, or wait for its end, before undoing it."
    if not can_keep_changes(get_target(job.target_model)):
        return f"Imports of {get_target(job.target_model).verbose_name_plural} keep no record of their changes."
    if job.changes_purged_at is not None:
        return (f"What this import changed is kept {settings.IMPORT_UNDO_DAYS} days and was forgotten on "
                f"{timezone.localtime(job.changes_purged_at):%Y-%m-%d}: it can no longer be undone.")
    if undo_running(job) is not None:
        return "An undo of this import is already under way."
    if not ImportChange.objects.filter(job=job).exists():
        if job.created_records or job.updated_records:
            return ("This import ran while imports kept no record of their changes (IMPORT_KEEP_CHANGES was off): "
                    "it cannot be undone.")
        return "This import created and changed no records: there is nothing to undo."
    return None


def undo_running(job: ImportExportJob) -> ImportExportJob | None:
    """The undo of `job` (a real one or a dry run) that has not ended yet, if any."""
    return job.children.filter(job_type=JobType.UNDO).exclude(
        job_status__in=(Status.COMPLETED, Status.FAILED, Status.CANCELLED)
    ).first()


def undo_latest(job: ImportExportJob, *, dry_run: bool | None = None) -> ImportExportJob | None:
    """The latest undo of `job` (only dry runs, or only real ones, when `dry_run` says)."""
    undos = job.children.filter(job_type=JobType.UNDO)
    if dry_run is not None:
        undos = undos.filter(dry_run=dry_run)
    return undos.order_by("-created_at").first()


def undone_below(job: ImportExportJob) -> int:
    """Where an undo of `job` starts: below the records an earlier undo, stopped part way (cancelled, failed),
    already took back (its checkpoint: the lowest record id it did); 0 when none did."""
    stopped = ImportChunk.objects.filter(
        job__parent=job, job__job_type=JobType.UNDO, job__dry_run=False, checkpoint_offset__gt=0,
        job__job_status__in=(Status.CANCELLED, Status.FAILED),
    )
    return stopped.aggregate(lowest=Min("checkpoint_offset"))["lowest"] or 0


def undo_preview(job: ImportExportJob) -> UndoPreview:
    """How many records the import created and updated, as its changeset keeps them."""
    counted = records_by_action(ImportChange.objects.filter(job=job))
    return UndoPreview(
        created=counted.get(ImportChange.Action.CREATED, 0), updated=counted.get(ImportChange.Action.UPDATED, 0),
    )


def undo_create(
    job: ImportExportJob, *, user=None, dry_run: bool = False, force: bool = False, enqueue: bool = True,
    via: str = "",
) -> ImportExportJob:
    """Check that `job` may be undone and create its undo (or the undo's dry run), queued in its company's turn
    unless `enqueue` is false (the command line runs it itself). UndoRefused, with the reason, otherwise."""
    with transaction.atomic():
        current = ImportExportJob.objects.select_for_update().get(pk=job.pk)
        refusal = undo_refusal(current)
        if refusal is not None:
            raise UndoRefused(refusal)
        undo = ImportExportJob.objects.create(
            company_id=current.company_id, created_by=user if user is not None and user.is_authenticated else None,
            job_type=JobType.UNDO, via=via, target_model=current.target_model, file_name=current.file_name,
            dry_run=dry_run, options={"force": force, "below": undone_below(current)}, parent=current,
        )
        forced = ", records changed since included" if force else ""
        status.job_log(undo, f"{'Dry run of the undo' if dry_run else 'Undo'} of the import of {current.file_name} "
                             f"asked for{forced}.")
        if enqueue:
            job_enqueue(undo)
    return undo
