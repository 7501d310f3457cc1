"""Filters of an export, per field: text contains or equals, one of the choices, a range of dates or numbers, yes or
no, and "created or updated by import job X".

A filter is data, the same in the builder, a template, the API and the command line:

    {"field": "status", "op": "in", "value": ["active", "pending"]}
    {"field": "reading_date", "op": "gte", "value": "2024-01-01"}
    {"field": "import_job", "op": "equals", "value": "<the job's id>"}

Values are read by the field's own type (a date filter takes what a date column takes), so a filter that cannot
match anything is refused with the reason, never silently empty.
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from imports.declare.errors import FieldError
from imports.declare.fields import ImportField
from imports.declare.targets import ImportTarget
from imports.engine.change_runs import written
from imports.models import ImportChange, ImportExportJob

IMPORT_JOB = "import_job"

TEXT_KINDS = frozenset({"text", "email", "phone", "us_state", "postal_code", "url"})
RANGE_KINDS = frozenset({"date", "datetime", "number", "money"})

# The operators each kind of field takes, with how they read in a sentence.
OPERATORS = {
    "contains": "contains",
    "equals": "is",
    "in": "is one of",
    "gte": "from",
    "lte": "up to",
}


def operators_for(kind: str) -> tuple[str, ...]:
    """The operators a field of `kind` can be filtered with, the first being the builder's default."""
    if kind in TEXT_KINDS:
        return ("contains", "equals")
    if kind == "choice":
        return ("in", "equals")
    if kind in RANGE_KINDS:
        return ("gte", "lte", "equals")
    return ("equals",)


class ExportFilterError(ValueError):
    """A filter that cannot be applied, with one sentence saying why."""


@dataclass(frozen=True)
class ExportFilter:
    """One condition on the records exported. `value` is the stored value (a list of them for "in"); for the
    import-job filter, the job."""

    field: str
    op: str
    value: Any
    label: str = ""
    job: ImportExportJob | None = None
    sensitive: bool = False  # a field of health data: its value is never written in words (pages, logs, reports)

    def to_data(self) -> dict:
        if self.field == IMPORT_JOB:
            return {"field": IMPORT_JOB, "op": "equals", "value": str(self.job.pk)}
        return {"field": self.field, "op": self.op, "value": _as_data(self.value)}

    def describe(self) -> str:
        """The filter in words, for the builder, the job page and the PDF report: `Status is one of active,
        pending`."""
        if self.field == IMPORT_JOB:
            when = timezone.localtime(self.job.created_at).strftime("%Y-%m-%d %H:%M")
            return f"Created or updated by the import of {self.job.file_name or 'a file'} ({when})"
        values = self.value if self.op == "in" else [self.value]
        shown = ", ".join(map(_shown, values))
        verb = OPERATORS["equals" if self.op == "in" and len(values) == 1 else self.op]
        if self.sensitive:
            shown = "a value withheld (health data)"
        elif self.op == "contains":
            shown = f"“{shown}”"
        return f"{self.label} {verb} {shown}"

    def condition(self, target: ImportTarget, company) -> tuple[dict[str, Any], Q]:
        """The annotations the condition needs and the condition itself, on `target.export_queryset(company)`."""
        if self.field == IMPORT_JOB:
            return {}, _written_by(self.job, target)
        lookup = target.record_lookup(self.field)
        annotations = {}
        if not isinstance(lookup, str):  # an expression (an account's primary contact): filtered as an annotation
            annotations = {f"_filter_{self.field}": lookup}
            lookup = f"_filter_{self.field}"
        value = self.value
        if self.op == "contains":
            return annotations, Q(**{f"{lookup}__icontains": value})
        if self.op == "in":
            return annotations, Q(**{f"{lookup}__in": value})
        if isinstance(value, str) and self.op == "equals":
            return annotations, Q(**{f"{lookup}__iexact": value})
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime) and _is_datetime(target, self.field):
            return annotations, _day_condition(lookup, self.op, value)
        suffix = {"equals": "", "gte": "__gte", "lte": "__lte"}[self.op]
        return annotations, Q(**{f"{lookup}{suffix}": value})


def filters_parse(data, *, target: ImportTarget, company) -> tuple[ExportFilter, ...]:
    """The filters given as data (a list of {"field", "op", "value"}), checked against `target`'s fields; raises
    ExportFilterError naming the first problem."""
    if data in (None, ""):
        return ()
    if not isinstance(data, list):
        raise ExportFilterError('Filters must be a list of {"field", "op", "value"} objects.')
    fields = {field.name: field for field in target.export_fields}
    return tuple(_filter_parse(item, fields, target, company) for item in data)


def _filter_parse(item, fields: dict[str, ImportField], target: ImportTarget, company) -> ExportFilter:
    if not isinstance(item, dict) or not {"field", "value"} <= set(item):
        raise ExportFilterError('Each filter needs a "field" and a "value" (and an "op": contains, equals, in, gte '
                                'or lte).')
    name, value = item["field"], item["value"]
    if name == IMPORT_JOB:
        return ExportFilter(IMPORT_JOB, "equals", None, job=_import_job(value, target, company))
    field = fields.get(name)
    if field is None:
        known = ", ".join(sorted(fields))
        raise ExportFilterError(f"Unknown filter field '{name}' for {target.verbose_name_plural}: use one of "
                                f"{known}, or {IMPORT_JOB}.")
    sensitive = name in target.sensitive_fields
    allowed = operators_for(field.kind)
    op = item.get("op") or allowed[0]
    if op not in allowed:
        raise ExportFilterError(f"The filter on {field.label} cannot use '{op}': use {' or '.join(allowed)}.")
    if op == "in":
        values = value if isinstance(value, list) else [part for part in str(value).split(",") if part.strip()]
        if not values:
            raise ExportFilterError(f"The filter on {field.label} lists no values.")
        return ExportFilter(name, op, [_value(field, part, sensitive) for part in values], label=field.label,
                            sensitive=sensitive)
    if op == "contains":
        text = str(value).strip()
        if not text:
            raise ExportFilterError(f"The filter on {field.label} has no text to look for.")
        return ExportFilter(name, op, text, label=field.label, sensitive=sensitive)
    return ExportFilter(name, op, _value(field, value, sensitive), label=field.label, sensitive=sensitive)


def _value(field: ImportField, value, sensitive: bool = False) -> Any:
    """A filter's value read by the field's type, as a cell of that column would be. The message for a value that
    does not read quotes it, unless it is health data."""
    text = value if isinstance(value, str) else _as_data(value)
    if isinstance(text, bool):
        text = "true" if text else "false"
    text = str(text).strip()
    if not text:
        raise ExportFilterError(f"The filter on {field.label} has no value.")
    # A moment's filter given as a day ("created from 2024-01-15") means the whole day.
    parser = _DAY if field.kind == "datetime" and len(text) == 10 else field
    try:
        parsed = parser.parse(text)
    except FieldError as error:
        if sensitive:
            hint = f": {parser.format_hint}" if parser.format_hint else ""
            raise ExportFilterError(f"The filter on {field.label} is not a value this field takes{hint}.") from None
        raise ExportFilterError(f"The filter on {field.label}: {error}.") from None
    if parsed is None:
        raise ExportFilterError(f"The filter on {field.label} has no value.")
    return parsed


def _import_job(value, target: ImportTarget, company) -> ImportExportJob:
    try:
        job_id = uuid.UUID(str(value))
    except ValueError:
        raise ExportFilterError(f"'{value}' is not the id of an import job.") from None
    job = ImportExportJob.objects.filter(
        pk=job_id, company=company, job_type=ImportExportJob.JobType.IMPORT, dry_run=False
    ).first()
    if job is None:
        raise ExportFilterError(f"No import of yours has the id {job_id}.")
    if job.target_model.casefold() != target.name.casefold():
        raise ExportFilterError(f"Import job {job_id} imported {job.target_model} records, not "
                                f"{target.verbose_name_plural}.")
    return job


def _written_by(job: ImportExportJob, target: ImportTarget) -> Q:
    """The records the import created or updated, as its changeset keeps them. Once the changeset is forgotten
    (IMPORT_UNDO_DAYS), the records created or last updated while it wrote: between its start and its end, which
    takes in those another import of the same target wrote in that window too."""
    if job.changes_purged_at is None:
        return written(ImportChange.objects.filter(job=job))
    model_fields = {field.name for field in target.model._meta.get_fields()}
    start = job.started_at or job.created_at
    end = job.completed_at or timezone.now()
    condition = Q()
    for name in ("created_at", "updated_at"):
        if name in model_fields:
            condition |= Q(**{f"{name}__range": (start, end)})
    if not condition:
        return Q(pk__in=[])
    return condition


def _is_datetime(target: ImportTarget, name: str) -> bool:
    return any(field.name == name and field.kind == "datetime" for field in target.export_fields)


def _day_condition(lookup: str, op: str, day: dt.date) -> Q:
    """A date given for a moment: the whole day, in the site's time zone."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = start + dt.timedelta(days=1)
    if op == "gte":
        return Q(**{f"{lookup}__gte": start})
    if op == "lte":
        return Q(**{f"{lookup}__lt": end})
    return Q(**{f"{lookup}__gte": start, f"{lookup}__lt": end})


def _as_data(value):
    if isinstance(value, list):
        return [_as_data(part) for part in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bool) or value is None:
        return value
    return str(value)


def _shown(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


class _DayField(ImportField):
    """A datetime filter given as a day: read as a date."""

    kind = "date"

    def parse(self, text: str) -> dt.date:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise FieldError(f"Invalid date '{text}': use YYYY-MM-DD, e.g. 2024-01-15") from None


_DAY = _DayField("day")


def queryset_filtered(queryset: models.QuerySet, filters, *, target: ImportTarget, company) -> models.QuerySet:
    """`queryset` narrowed by every filter (all must hold)."""
    for export_filter in filters:
        annotations, condition = export_filter.condition(target, company)
        if annotations:
            queryset = queryset.annotate(**annotations)
        queryset = queryset.filter(condition)
    return queryset
