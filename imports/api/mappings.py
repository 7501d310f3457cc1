"""The `mapping` and `template` parts of an API upload: which file column feeds which field, given explicitly
(`{"E-mail Address": "email", "Notes": null}`, null to skip a column) or as the name of a template saved in the
wizard, or both (the mapping then wins over the template, column by column and field by field: a field the mapping
sends a column to is no longer fed by the template's column). Columns neither names are matched by name and
synonym, as without them.

Everything is checked before a job exists, each refusal naming the column, field or template at fault: a mapping
that is not an object of column to field, a field the target does not have, two columns sent to one field, a
column the file does not have (the file's header is read for it, found as the job will find it), a template the
company has not saved.
"""

import json
from dataclasses import dataclass, field

from django.core.files.uploadedfile import UploadedFile

from companies.models import Company
from imports.api.errors import BadImportRequest
from imports.api.json_parts import json_object_part
from imports.api.uploads import file_columns
from imports.declare.errors import ImportFileError
from imports.declare.headers import normalise_header
from imports.declare.targets import ImportTarget
from imports.jobs.selectors import import_template_list
from imports.models import DataTemplate

EXAMPLE = '{"E-mail Address": "email", "Notes": null}'
MAX_CHARS = 100_000  # a thousand columns with long names fit; a longer text is refused before it is parsed


@dataclass(frozen=True)
class UploadMapping:
    """What the job is told: the explicit mapping, the template's merged with the request's ({}: neither given),
    the template's name, recorded on the job (None: none), its value fixes and its validation rules (those of the
    request's options win over them)."""

    mapping: dict[str, str | None]
    template_name: str | None = None
    template_fixes: dict = field(default_factory=dict)
    template_rules: dict = field(default_factory=dict)


def mapping_parse(text: str | None) -> dict[str, str | None] | None:
    """The `mapping` part as an object of column to field (or None); BadImportRequest says what is wrong."""
    if text is None or not text.strip():
        return None
    given = json_object_part(text, part="mapping", example=EXAMPLE, max_chars=MAX_CHARS,
                             what="a JSON object of file column to field,")
    for column, value in given.items():
        if value is not None and not isinstance(value, str):
            raise BadImportRequest(
                f"mapping sends column '{column}' to {json.dumps(value)}: give a field name, or null to skip the "
                "column."
            )
    return {column: value or None for column, value in given.items()}


def _fields_check(target: ImportTarget, mapping: dict[str, str | None]) -> None:
    unknown = [(column, name) for column, name in mapping.items() if name and name not in target.fields_by_name]
    if unknown:
        sent = "; ".join(f"column '{column}' to '{name}'" for column, name in unknown)
        raise BadImportRequest(
            f"mapping sends {sent}: {target.name} has no such field. Fields are: {', '.join(target.fields_by_name)}."
        )


def _repeats_check(mapping: dict[str, str | None]) -> None:
    columns_of: dict[str, list[str]] = {}
    for column, name in mapping.items():
        if name:
            columns_of.setdefault(name, []).append(column)
    repeated = [(name, columns) for name, columns in columns_of.items() if len(columns) > 1]
    if repeated:
        name, columns = repeated[0]
        raise BadImportRequest(
            f"mapping sends columns {' and '.join(repr(column) for column in columns)} to {name}: a field takes "
            "one column. Send null for the one to skip."
        )


def _template(*, company: Company, target: ImportTarget, name: str) -> DataTemplate:
    templates = import_template_list(company=company).filter(target_model=target.name, is_active=True)
    template = templates.filter(template_name=name).first()
    if template is None:
        names = [saved.template_name for saved in templates]
        saved = f"Your {target.name} templates: {', '.join(names)}." if names else (
            f"You have no {target.name} templates: save one in the wizard's mapping step."
        )
        raise BadImportRequest(f"No import template named '{name}' for {target.name}. {saved}")
    return template


def _columns_check(target: ImportTarget, file: UploadedFile, mapping: dict[str, str | None]) -> None:
    """Every column the explicit mapping names is in the file's header (as written, or written differently)."""
    named = {normalise_header(column) for column in mapping}

    def header_score(cells: list[str]) -> int:  # as the job finds its header (imports.jobs.import_kind)
        return target.header_score(cells) + sum(1 for cell in cells if normalise_header(cell) in named)

    try:
        columns = file_columns(file, header_score=header_score)
    except ImportFileError as error:
        raise BadImportRequest(str(error)) from None
    present = {normalise_header(column) for column in columns}
    absent = [column for column in mapping if normalise_header(column) not in present]
    if absent:
        # A file without a header row has a data row in its place: for a target holding health data (a patient's
        # name), the sentence does not repeat it.
        listed = "" if target.sensitive_fields else f" Its columns are: {', '.join(columns)}."
        raise BadImportRequest(
            f"mapping names column{'s' if len(absent) > 1 else ''} {', '.join(repr(c) for c in absent)}, which "
            f"the file does not have.{listed}"
        )


def upload_mapping(*, company: Company, target: ImportTarget, file: UploadedFile, mapping_text: str | None,
                   template_text: str | None) -> UploadMapping:
    """The upload's explicit mapping and template, checked; BadImportRequest names what is wrong."""
    mapping = mapping_parse(mapping_text) or {}
    template_name = (template_text or "").strip() or None  # left out or blank: no template, as for options
    saved = None if template_name is None else _template(company=company, target=target, name=template_name)
    template = {} if saved is None else dict(saved.field_mapping)
    if mapping:
        _fields_check(target, mapping)
        _repeats_check(mapping)
        _columns_check(target, file, mapping)
    sent = {name for name in mapping.values() if name}
    merged = {column: name for column, name in template.items() if name not in sent}
    merged.update(mapping)
    if saved is None:
        return UploadMapping(mapping=merged)
    return UploadMapping(mapping=merged, template_name=template_name, template_fixes=dict(saved.value_fixes),
                         template_rules=dict(saved.validation_rules))
