"""The command line's exports: the export asked for by the options (a target or an export template, columns,
filters, a format), run as an export job in this process, its file copied where the operator asked.

Filters are written `FIELD<op>VALUE`, one per --filter:

    status=active            equals (any case)
    status=active|pending    one of (a choice field also takes commas: status=active,pending)
    email~@example.com       contains
    connection_date>=2024-01-01   from (dates, date-times and numbers)
    connection_date<=2024-12-31   up to
    import_job=<job id>      the records that import created or updated
"""

import re
import shutil
from pathlib import Path

from companies.models import Company
from imports.cli import CommandFailure
from imports.declare.targets import ImportTarget, get_target
from imports.engine.exports.filters import IMPORT_JOB
from imports.jobs.export_services import (
    ExportRefused,
    export_file_open,
    export_job_create,
    export_request_resolve,
)
from imports.jobs.stopping import job_cancel
from imports.models import AuditEvent, ImportExportJob

FILTER_HELP = (
    "A condition the records must meet, as FIELD=VALUE (equals, any case), FIELD~VALUE (contains), FIELD>=VALUE "
    "(from) or FIELD<=VALUE (up to); FIELD=a|b (or a,b for a choice field such as status) is one of the values; "
    "import_job=JOB_ID the records that import created or updated. Dates as YYYY-MM-DD. Repeat it for several "
    "conditions, which must all hold."
)
_FILTER = re.compile(r"^\s*(?P<field>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op>>=|<=|~|=)(?P<value>.*)$", re.DOTALL)
_OPERATORS = {">=": "gte", "<=": "lte", "~": "contains"}


def filter_read(text: str, target: ImportTarget) -> dict:
    """One --filter as the export's filter data; CommandFailure when it is not FIELD<op>VALUE."""
    match = _FILTER.match(text)
    if match is None:
        raise CommandFailure(f"--filter '{text}' is not FIELD=VALUE, FIELD~VALUE, FIELD>=VALUE or FIELD<=VALUE.")
    name, op, value = match["field"], match["op"], match["value"].strip()
    if op != "=":
        return {"field": name, "op": _OPERATORS[op], "value": value}
    if name != IMPORT_JOB and _is_list(value, _kind(target, name)):
        return {"field": name, "op": "in", "value": [part.strip() for part in re.split(r"[|,]", value)
                                                     if part.strip()]}
    return {"field": name, "op": "equals", "value": value}


def _kind(target: ImportTarget, name: str) -> str | None:
    return next((field.kind for field in target.export_fields if field.name == name), None)


def _is_list(value: str, kind: str | None) -> bool:
    """`a|b` lists values for any field (a field that cannot take a list is then refused with the reason); commas
    list them for choices only, since a text may hold a comma."""
    return "|" in value or (kind == "choice" and "," in value)


def export_from_options(
    *, company: Company, model: str | None, template: str | None, columns: str | None, filters: list[str],
    file_format: str | None, import_compatible: bool,
) -> ImportExportJob:
    """A pending export job of what the options ask for (not sent to the workers: the command runs it); the options
    given replace a template's. CommandFailure says why none could be created."""
    if not model and not template:
        raise CommandFailure("Name what to export with --model, or an export template with --template.")
    asked = {"target": model, "template": template, "format": file_format,
             "columns": _names(columns) if columns is not None else None,
             "import_compatible": True if import_compatible else None}
    try:
        data, saved = export_request_resolve({key: value for key, value in asked.items() if value is not None},
                                             company=company)
        target = get_target(str(data.get("target") or ""))
        if filters:
            data = {**data, "filters": [filter_read(text, target) for text in filters]}
        return export_job_create(data, company=company, via=AuditEvent.Via.CLI, template=saved, enqueue=False)
    except ExportRefused as refused:
        raise CommandFailure(_refusal_line(refused)) from None
    except KeyError as error:
        raise CommandFailure(error.args[0]) from None


def _names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise CommandFailure("--columns names no column: give them as a,b,c.")
    return names


def _refusal_line(refused: ExportRefused) -> str:
    """The refusal, naming the option at fault when the sentence itself does not."""
    option = {"columns": "--columns", "filters": "--filter", "format": "--format", "template": "--template"}
    flag = option.get(refused.part)
    message = str(refused)
    return f"{flag}: {message}" if flag and flag not in message else message


def export_file_copy(job: ImportExportJob, output: Path) -> None:
    """Copy the completed export's file to `output` (recorded in the audit trail as the command line's
    download); CommandFailure when it cannot be written."""
    try:
        handle, _name, _content_type = export_file_open(job, via=AuditEvent.Via.CLI)
    except ExportRefused as refused:
        raise CommandFailure(str(refused)) from None
    try:
        with handle, open(output, "wb") as copy:
            shutil.copyfileobj(handle, copy)
    except OSError as error:
        raise CommandFailure(f"Could not write {output}: {error.strerror or error}.") from None


def export_interrupted(job: ImportExportJob) -> str:
    """Ctrl-C while the file was written: the job ends cancelled and keeps no file; returns the line to print."""
    job.refresh_from_db()
    message = f"Stopped after {job.processed_records:,} of {job.total_records:,} rows; no file was written."
    job_cancel(job, message)
    return message
