"""The import core's services: create an import job (its file, its mapping or template) and queue it.

Running a job lives in imports.jobs.inprocess (the command line, in its own process) and imports.jobs.tasks (the
workers, for the web and the API). A job's status changes only in imports.jobs.status, each change logged.
"""

from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction

from companies.models import Company
from imports.declare.errors import ImportFileError
from imports.declare.targets import ImportTarget, get_target
from imports.engine.mapping import mapping_validate
from imports.engine.options import ImportOptions
from imports.engine.readers.limits import check_file_size
from imports.engine.validation_rules import ValidationRules, validation_rules_parse
from imports.engine.value_fixes import ValueFixes
from imports.jobs.status import job_log
from imports.models import DataTemplate, ImportExportJob

Status = ImportExportJob.Status


def template_find(*, company: Company, target: ImportTarget, name: str) -> DataTemplate:
    """The company's active import template `name` for `target`."""
    template = DataTemplate.objects.filter(
        company=company,
        target_model=target.name,
        template_type=DataTemplate.TemplateType.IMPORT,
        template_name=name,
        is_active=True,
    ).first()
    if template is None:
        raise ImportFileError(f"No import template named '{name}' for {target.name}.")
    return template


def template_mapping(*, company: Company, target: ImportTarget, name: str) -> dict:
    """The column mapping of the company's active import template `name` for `target`."""
    return mapping_validate(target, template_find(company=company, target=target, name=name).field_mapping)


def template_rules(*, company: Company, target_name: str, name: str | None) -> ValidationRules:
    """The validation rules of the company's active import template `name` (none when no such template is left):
    the rules the wizard applies to an upload that took its mapping from the template."""
    if not name:
        return ValidationRules()
    template = DataTemplate.objects.filter(
        company=company, target_model=target_name, template_type=DataTemplate.TemplateType.IMPORT,
        template_name=name, is_active=True,
    ).only("validation_rules").first()
    return ValidationRules.from_dict(template.validation_rules if template else None)


def job_create(
    *,
    company: Company,
    target_name: str,
    file: File,
    file_name: str,
    options: ImportOptions,
    user=None,
    mapping: dict | None = None,
    template_name: str | None = None,
    sheet: str | None = None,
    batch_size: int | None = None,
    all_or_nothing: bool = False,
    idempotency_key: str = "",
    parent: ImportExportJob | None = None,
    via: str = "",
) -> ImportExportJob:
    """Store the file and create a pending import job; nothing is read yet (`parent`: the job that asked for this
    one, a restore for each of its files; `via`: the face that asks for it, ImportExportJob.Via, which a job
    started by another takes from its parent when not given).

    The size limit, the template and the explicit mapping are checked here, so a bad request fails before a job
    exists. A template's mapping, value fixes and validation rules are copied onto the job, so editing the template
    later does not change the job; the fixes given in `options` take precedence over the template's, and so do the
    rules given for a field in `options` over the template's rules of that field.
    With `all_or_nothing`, every row is validated before any is written, and none is written if one fails.
    A company's `idempotency_key` names one job: a second job with the same key raises IntegrityError, its file
    removed again.
    """
    target = get_target(target_name)
    check_file_size(file.size)
    explicit, fixes, rules = {}, options.fixes, options.rules
    if template_name:
        template = template_find(company=company, target=target, name=template_name)
        explicit = mapping_validate(target, template.field_mapping)
        fixes = ValueFixes.from_dict(template.value_fixes).overridden_by(fixes)
        rules = ValidationRules.from_dict(template.validation_rules).overridden_by(rules)
    explicit.update(mapping_validate(target, {} if mapping is None else mapping))
    # Checked again, whoever gave them: a rule saved on a template may no longer fit the target (a field removed).
    rules = validation_rules_parse(target, rules.as_dict())
    job = ImportExportJob(
        company=company,
        created_by=user,
        job_type=ImportExportJob.JobType.IMPORT,
        via=via or (parent.via if parent is not None else ""),
        target_model=target.name,
        file_name=Path(file_name).name,
        import_mode=options.mode,
        duplicate_handling=options.duplicates,
        dry_run=options.dry_run,
        options={
            "sheet": sheet,
            "template": template_name,
            "mapping": explicit,
            "batch_size": batch_size or settings.IMPORT_BATCH_SIZE,
            "all_or_nothing": all_or_nothing,
            "value_fixes": fixes.as_dict(),
        },
        validation_rules=rules.as_dict(),
        idempotency_key=idempotency_key,
        parent=parent,
    )
    job.file.save(Path(file_name).name, file, save=False)
    try:
        job.save()
    except IntegrityError:
        job.file.delete(save=False)
        raise
    job_log(job, f"Job created for {job.file_name}.")
    return job


def job_enqueue(job: ImportExportJob) -> None:
    """Send the job to the workers once the surrounding transaction commits, if its company may run another job
    now; else it waits, pending, for its turn.

    An unreachable broker does not fail the caller: the job is saved, stays pending with nothing sent, says that
    it waits for the workers, and the sweeper sends it when the broker answers again.
    """
    from imports.jobs.queueing import jobs_admit

    transaction.on_commit(lambda: jobs_admit(company_id=job.company_id))
