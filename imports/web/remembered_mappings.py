"""A file mapped as before: when an upload's columns are those of a file the company already mapped for the same
target, the wizard maps it the same way at once and says where the mapping came from.

Columns are compared as a set of normalised headers ("E-mail" is "email"; the order does not matter). A saved
template comes first (a person saved it to be used again; the newest if several fit), then the newest import of
a file with those columns: a completed import or a dry run, whose mapping the job keeps as it applied it
(`field_mapping`, by the file's `source_columns`). Nothing new is stored: the jobs and templates are the memory.
"""

import uuid

from django.db.models import Q
from django.utils import timezone

from imports.declare.errors import ImportFileError
from imports.declare.headers import normalise_header
from imports.declare.targets import get_target
from imports.engine.mapping import map_columns
from imports.models import DataTemplate, ImportExportJob, ImportUpload
from imports.web.uploads import upload_apply_mapping

# How far back the jobs are searched: a file's mapping is remembered across this many of the company's latest
# imports of the target, so the search costs one bounded query however many jobs the company has run.
JOBS_SEARCHED = 200
FROM_TEMPLATE = "template"


def _headers(columns) -> frozenset[str]:
    return frozenset(normalise_header(column) for column in columns)


def _matching_template(upload: ImportUpload, headers: frozenset[str]) -> DataTemplate | None:
    templates = DataTemplate.objects.filter(
        company=upload.company, target_model=upload.target_model, template_type=DataTemplate.TemplateType.IMPORT,
        is_active=True,
    ).order_by("-updated_at")
    return next((template for template in templates if _headers(template.field_mapping) == headers), None)


def _matching_job(upload: ImportUpload, headers: frozenset[str]) -> ImportExportJob | None:
    jobs = (
        ImportExportJob.objects.filter(
            company=upload.company, job_type=ImportExportJob.JobType.IMPORT, target_model=upload.target_model,
        )
        .filter(Q(job_status=ImportExportJob.Status.COMPLETED) | Q(dry_run=True))
        .only("pk", "file_name", "created_at", "source_columns", "field_mapping", "options")
        .order_by("-created_at")[:JOBS_SEARCHED]
    )
    return next((job for job in jobs if job.source_columns and _headers(job.source_columns) == headers), None)


def upload_map_as_before(upload: ImportUpload) -> str:
    """Map the upload as the company's matching template or latest matching import did, if any; returns where the
    mapping came from (FROM_TEMPLATE or the job's id, for `mapped_as_notice`), "" when nothing matched."""
    headers = _headers(upload.columns)
    template = _matching_template(upload, headers)
    job = None if template is not None else _matching_job(upload, headers)
    if template is None and job is None:
        return ""
    target = get_target(upload.target_model)
    remembered = template.field_mapping if template is not None else job.field_mapping
    known = {column: name for column, name in remembered.items() if name is None or name in target.fields_by_name}
    try:
        mapping = map_columns(target, upload.columns, known, guess=True)
    except ImportFileError:
        return ""  # a mapping that no longer fits the target (an edited template): the automatic one stays
    upload_apply_mapping(upload, mapping)
    upload.template_name = template.template_name if template is not None else ""
    # How the values were read comes back with the columns (dates as MM/DD/YYYY, Closed as inactive).
    upload.value_fixes = dict(template.value_fixes if template is not None else job.options.get("value_fixes") or {})
    upload.save(update_fields=["mapping", "match_confidence", "template_name", "value_fixes"])
    return FROM_TEMPLATE if template is not None else str(job.pk)


def mapped_as_notice(upload: ImportUpload, source: str | None) -> str:
    """The sentence telling where the upload's mapping came from; "" for a source that is not one of the
    company's imports of this target (a tampered address)."""
    if source == FROM_TEMPLATE and upload.template_name:
        return f"Mapped with your template '{upload.template_name}', saved for files with these columns."
    try:
        job_id = uuid.UUID(source or "")
    except ValueError:
        return ""
    job = ImportExportJob.objects.filter(
        company=upload.company, job_type=ImportExportJob.JobType.IMPORT, target_model=upload.target_model, pk=job_id,
    ).only("file_name", "created_at").first()
    if job is None:
        return ""
    return f"Mapped as in your import of {job.file_name} on {timezone.localdate(job.created_at).isoformat()}."
