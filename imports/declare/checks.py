"""System checks of every registered import target against its model, run by `manage.py check` and at start-up.

A target declared wrong otherwise fails far from its cause: on the first import (no company to scope rows by, a
key the database does not keep unique, a field the writer silently drops) or when two targets' API routes shadow
each other. Each error names the target and what is wrong, as `contrib.admin.checks` does for a ModelAdmin.
"""

from collections import defaultdict

from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from imports.declare.targets import DependencyCycle, ImportTarget, all_targets, dependency_order

COMPANY_MODEL = "companies.Company"
# The generic API routes live under /api/imports/: a target's own routes there would take their URL names.
RESERVED_API_PATHS = frozenset({"imports"})


def check_import_targets(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every registered target, whichever apps `check` was asked about: the core's faces use them all."""
    targets = all_targets()
    errors = [error for target in targets for error in _target_errors(target)]
    errors += [error for target in targets for error in _backup_errors(target, targets)]
    errors += [error for target in targets for error in _source_mapping_errors(target)]
    return errors + _api_path_errors(targets) + _cycle_errors(targets)


def _target_errors(target: ImportTarget) -> list[checks.CheckMessage]:
    model = target.model
    label = model._meta.label
    company = _model_field(model, "company")
    if not isinstance(company, models.ForeignKey) or company.related_model._meta.label != COMPANY_MODEL:
        return [
            checks.Error(
                f"Import target {target.name}: {label} has no ForeignKey named 'company' to {COMPANY_MODEL}.",
                hint="Every imported record belongs to one company: add "
                "company = models.ForeignKey('companies.Company', on_delete=models.CASCADE) to the model.",
                obj=type(target),
                id="imports.E001",
            )
        ]
    if _model_field(model, target.key) is None:
        return [
            checks.Error(
                f"Import target {target.name}: its key {target.key!r} is no field of {label}.",
                hint="Set `key` to the model field that identifies a record within a company.",
                obj=type(target),
                id="imports.E002",
            )
        ]
    errors = []
    if not _unique_per_company(model, target.key):
        errors.append(
            checks.Error(
                f"Import target {target.name}: {label} has no unique constraint on (company, {target.key}).",
                hint=f"Add models.UniqueConstraint(fields=['company', '{target.key}'], name=...) to the model's "
                "Meta.constraints, with no condition (or one that leaves out only a blank key): imports match "
                "records by this key, and the database must refuse a second record of one key.",
                obj=type(target),
                id="imports.E003",
            )
        )
    readable = set(target.record_lookups) | _annotations(target, company.related_model)
    for name in target.stored_field_names:
        if _model_field(model, name) is None and name not in readable:
            errors.append(
                checks.Error(
                    f"Import target {target.name}: the field {name!r} is compared with stored records "
                    f"(stored_field_names), but {label} has no field {name!r}.",
                    hint="Add the field to the model; or, for a value kept elsewhere, leave it out of "
                    "stored_field_names, or read it under this name with record_lookups or an annotation of "
                    "the target's queryset().",
                    obj=type(target),
                    id="imports.E004",
                )
            )
    return errors


def _backup_errors(target: ImportTarget, targets: list[ImportTarget]) -> list[checks.CheckMessage]:
    """What a company's backup and restore take from the declaration: the targets it depends on exist, and the
    columns its backup leaves out are fields an import can do without."""
    names = {other.name for other in targets}
    errors = [
        checks.Error(
            f"Import target {target.name}: it depends on {needed!r}, which is no registered import target.",
            hint=f"Name registered targets in depends_on: {', '.join(sorted(names))}.",
            obj=type(target),
            id="imports.E007",
        )
        for needed in target.depends_on
        if needed not in names
    ]
    for name in target.backup_omits:
        field = target.fields_by_name.get(name)
        if field is None or field.required or name == target.key:
            errors.append(
                checks.Error(
                    f"Import target {target.name}: its backup leaves out {name!r}, which is "
                    f"{'no field of the target' if field is None else 'a field an import needs'}.",
                    hint="backup_omits may name only optional fields the file can do without.",
                    obj=type(target),
                    id="imports.E008",
                )
            )
    return errors


def _source_mapping_errors(target: ImportTarget) -> list[checks.CheckMessage]:
    """A built-in mapping of another system's file names fields the target has, each fed by one column at most:
    otherwise it fails only when a company uses it."""
    fields = {field.name for field in target.fields}
    errors = []
    for source, mapping in target.source_mappings.items():
        named = [name for name in mapping.values() if name is not None]
        unknown = sorted(set(named) - fields)
        repeated = sorted({name for name in named if named.count(name) > 1})
        if unknown or repeated:
            errors.append(
                checks.Error(
                    f"Import target {target.name}: its source mapping {source!r} names "
                    + (f"fields it does not have: {', '.join(unknown)}" if unknown
                       else f"fields fed by two columns: {', '.join(repeated)}") + ".",
                    hint="Map each column of source_mappings to one of the target's fields, or to None.",
                    obj=type(target),
                    id="imports.E010",
                )
            )
    return errors


def _cycle_errors(targets: list[ImportTarget]) -> list[checks.CheckMessage]:
    try:
        dependency_order(targets)
    except DependencyCycle as error:
        return [checks.Error(str(error), hint="Remove one of the depends_on of the circle.", id="imports.E009")]
    return []


def _model_field(model: type[models.Model], name: str) -> models.Field | None:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if field.concrete else None


def _unique_per_company(model: type[models.Model], key: str) -> bool:
    """Whether the database keeps (company, key) unique. A constraint that leaves out blank keys counts: imports
    never write a blank key (a row without one fails), so every imported record is covered."""
    wanted = {"company", key}
    blank_key = ~models.Q(**{key: ""})
    meta = model._meta
    return any(
        isinstance(constraint, models.UniqueConstraint)
        and set(constraint.fields) == wanted
        and constraint.condition in (None, blank_key)
        for constraint in meta.constraints
    ) or any(set(fields) == wanted for fields in meta.unique_together)


def _annotations(target: ImportTarget, company_model: type[models.Model]) -> set[str]:
    """Names the target's queryset reads beyond the model's fields (a value kept on a related record). Building
    the queryset runs no query."""
    return set(target.queryset(company_model(pk=0)).query.annotations)


def _api_path_errors(targets: list[ImportTarget]) -> list[checks.CheckMessage]:
    by_path = defaultdict(list)
    for target in targets:
        if target.api_path is not None:
            by_path[target.api_path].append(target)
    errors = []
    for path, holders in by_path.items():
        names = ", ".join(target.name for target in holders)
        if len(holders) > 1:
            errors.append(
                checks.Error(
                    f"Import targets {names} declare one API path {path!r}: their routes would shadow each other.",
                    hint="Give each target its own api_path, or None for the generic /api/imports/ alone.",
                    obj=type(holders[-1]),
                    id="imports.E005",
                )
            )
        if path in RESERVED_API_PATHS:
            errors.append(
                checks.Error(
                    f"Import target {names}: the API path {path!r} is the generic import routes' own.",
                    hint="Choose another api_path; every target is importable under /api/imports/ already.",
                    obj=type(holders[0]),
                    id="imports.E006",
                )
            )
    return errors
