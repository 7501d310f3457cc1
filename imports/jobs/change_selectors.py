"""Reads of what imports changed (their changesets), always through one company: the records an import created
or updated, and a record's import history."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from companies.models import Company
from imports.declare.targets import ImportTarget
from imports.engine.change_runs import lines_holding, records_by_action, written
from imports.models import ImportChange, ImportExportJob

CHANGES = {"created": ImportChange.Action.CREATED, "updated": ImportChange.Action.UPDATED}


def change_counts(job: ImportExportJob) -> dict[str, int]:
    """How many records the import's changeset holds as created and as updated (0 and 0 once it is forgotten)."""
    counted = records_by_action(ImportChange.objects.filter(job=job))
    return {name: counted.get(action, 0) for name, action in CHANGES.items()}


def records_changed(queryset: QuerySet, *, company: Company, job_id, change: str) -> QuerySet:
    """`queryset` narrowed to the records the company's import `job_id` created or updated (`change`); nothing
    for an unknown change, job or another company's job."""
    action = CHANGES.get(change)
    if action is None:
        return queryset.none()
    return queryset.filter(written(ImportChange.objects.filter(job_id=job_id, job__company=company), action))


@dataclass(frozen=True)
class HistoryEntry:
    job: ImportExportJob
    written_at: datetime
    created: bool
    fields: list[tuple[str, object, object]]  # (field name, before, after)


def record_history(*, company: Company, target: ImportTarget, record_id: int) -> list[HistoryEntry]:
    """What each import did to the record, latest first: created it, or which fields it changed from what to what
    (a sensitive field's values are left out: None, None)."""
    meta = target.model._meta
    names = {field.attname: field.name for field in meta.concrete_fields}
    # The company's imports of the target, then the record's line under each (the changeset's one index).
    imports = ImportExportJob.objects.filter(
        company=company, job_type=ImportExportJob.JobType.IMPORT, target_model=target.name, dry_run=False,
        changes_purged_at__isnull=True,
    )
    changes = lines_holding(imports, record_id).select_related(
        "job", "job__created_by", "job__undone_by",
    ).order_by("-id")
    entries = []
    for change in changes:
        fields = []
        for attname, after in (change.after or {}).items():
            name = names.get(attname, attname)
            before = (change.before or {}).get(attname)
            fields.append((name, None, None) if name in target.sensitive_fields else (name, before, after))
        entries.append(HistoryEntry(change.job, change.written_at, change.action == ImportChange.Action.CREATED,
                                    fields))
    return entries
