"""Writing a planned batch: records, log entries and the job's counters in one transaction."""

from collections import Counter

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .errors import KeysExhausted
from .models import ImportExportJob, ImportExportLog
from .pipeline import Outcome, RowPlan
from .targets import ImportContext, ImportTarget


def batch_write(
    *, job: ImportExportJob, target: ImportTarget, plans: list[RowPlan], context: ImportContext, columns: list[str]
) -> Counter:
    """Write one batch and advance the job's counters and checkpoint with it; return the outcome counts.

    A dry run writes the log entries and counters (the job's own bookkeeping) but no records.
    """
    creates = [plan for plan in plans if plan.outcome is Outcome.CREATED]
    if not context.dry_run:
        _assign_generated_keys(target, context, creates)
        creates = [plan for plan in creates if plan.outcome is Outcome.CREATED]
    updates = [plan for plan in plans if plan.outcome is Outcome.UPDATED]
    counts = Counter(plan.outcome for plan in plans)
    logs = [_log_entry(job, plan, columns) for plan in plans if plan.failed or plan.warnings]

    with transaction.atomic():
        if not context.dry_run:
            if creates:
                target.model.objects.bulk_create([plan.instance for plan in creates])
            if updates:
                _bulk_update(target, updates)
        ImportExportLog.objects.bulk_create(logs)
        ImportExportJob.objects.filter(pk=job.pk).update(
            processed_records=F("processed_records") + len(plans),
            created_records=F("created_records") + counts[Outcome.CREATED],
            updated_records=F("updated_records") + counts[Outcome.UPDATED],
            unchanged_records=F("unchanged_records") + counts[Outcome.UNCHANGED],
            skipped_records=F("skipped_records") + counts[Outcome.SKIPPED] + counts[Outcome.UNCHANGED],
            error_records=F("error_records") + counts[Outcome.FAILED],
        )
    return counts


def _assign_generated_keys(target: ImportTarget, context: ImportContext, creates: list[RowPlan]) -> None:
    needing = [plan for plan in creates if plan.key is None]
    if not needing:
        return
    try:
        keys = target.generate_keys(context.company, len(needing), avoid={p.key for p in creates if p.key})
    except KeysExhausted as error:
        for plan in needing:
            plan.fail(target.key, str(error))
            plan.outcome, plan.instance = Outcome.FAILED, None
        return
    keys_seen = context.index("key")
    for plan, key in zip(needing, keys, strict=True):
        plan.key = key
        setattr(plan.instance, target.key, key)
        # A later row of the file that names this key explicitly is a duplicate, not an update of this record.
        keys_seen.first_row(key, plan.number)


def _bulk_update(target: ImportTarget, updates: list[RowPlan]) -> None:
    changed = sorted({name for plan in updates for name in plan.changed})
    has_updated_at = any(field.name == "updated_at" for field in target.model._meta.concrete_fields)
    if has_updated_at:
        now = timezone.now()
        for plan in updates:
            plan.instance.updated_at = now
        changed.append("updated_at")
    target.model.objects.bulk_update([plan.instance for plan in updates], changed)


def _log_entry(job: ImportExportJob, plan: RowPlan, columns: list[str]) -> ImportExportLog:
    cells = plan.source.cells
    record_data = dict(zip(columns, cells, strict=False))
    if len(cells) > len(columns):
        record_data["_extra"] = cells[len(columns) :]
    if plan.failed:
        level = ImportExportLog.Level.ERROR
        message = "; ".join(error.message for error in plan.errors)
    else:
        level = ImportExportLog.Level.WARNING
        message = "; ".join(plan.warnings)
    return ImportExportLog(
        job=job,
        record_number=plan.number,
        log_level=level,
        message=message,
        record_data=record_data,
        details=[error.as_dict() for error in plan.errors] + [{"warning": text} for text in plan.warnings],
    )
