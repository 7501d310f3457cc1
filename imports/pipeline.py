"""Planning a batch: what becomes of each row (created, updated, unchanged, skipped or failed), decided with one
database query per batch before anything is written.

Validation runs column by column, so a value repeated down a column (a state, a city, a status) is checked once
per batch.
"""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db import models

from .errors import CellError, FieldError, ImportFileError
from .mapping import ColumnMapping
from .readers import SourceRow
from .targets import ImportContext, ImportTarget


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    FAILED = "failed"


MODE_ALIASES = {
    "create": "create",
    "create_only": "create",
    "update": "update",
    "update_only": "update",
    "upsert": "upsert",
    "create_update": "upsert",
}
DUPLICATE_STRATEGIES = ("skip", "update", "error", "create_new")


@dataclass(frozen=True)
class ImportOptions:
    """How rows are written.

    `mode` says which records a file may touch: `create` only new ones, `update` only existing ones, `upsert`
    both. `duplicates` says what `create` does with a row whose key already exists: skip it, update the record,
    fail the row, or create a new record under a generated key. In `update` and `upsert` an existing key is
    updated, since that is what those modes ask for.
    """

    mode: str = "upsert"
    duplicates: str = "skip"
    dry_run: bool = False

    @classmethod
    def parse(cls, *, mode: str | None = None, duplicates: str | None = None, dry_run: bool = False) -> "ImportOptions":
        resolved_mode = MODE_ALIASES.get((mode or "upsert").strip().lower())
        if resolved_mode is None:
            raise ImportFileError(f"Unknown mode '{mode}': use create, update or upsert.")
        resolved_duplicates = (duplicates or "skip").strip().lower()
        if resolved_duplicates not in DUPLICATE_STRATEGIES:
            raise ImportFileError(f"Unknown duplicate handling '{duplicates}': use {', '.join(DUPLICATE_STRATEGIES)}.")
        return cls(mode=resolved_mode, duplicates=resolved_duplicates, dry_run=bool(dry_run))


@dataclass(slots=True, eq=False)
class RowPlan:
    """One row on its way through the pipeline."""

    source: SourceRow
    columns: dict[str, str]  # field -> file column, shared by all rows of a job
    raw: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[CellError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    key: str | None = None
    existing: models.Model | None = None
    outcome: Outcome | None = None
    instance: models.Model | None = None
    changed: tuple[str, ...] = ()

    @property
    def number(self) -> int:
        return self.source.number

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    def fail(self, field_name: str | None, message: str) -> None:
        self.errors.append(
            CellError(field_name, self.columns.get(field_name), self.raw.get(field_name, ""), message)
        )

    def fields_with_errors(self) -> set[str | None]:
        return {error.field for error in self.errors}

    def final_value(self, name: str) -> Any:
        """The value the record will hold once written: the file's, else what is stored."""
        if name in self.values:
            return self.values[name]
        return getattr(self.existing, name, None) if self.existing is not None else None


class BatchPlanner:
    """Decides every row of a job, batch by batch; keeps the per-file indexes between batches."""

    def __init__(
        self,
        *,
        target: ImportTarget,
        mapping: ColumnMapping,
        width: int,
        options: ImportOptions,
        context: ImportContext,
    ):
        self.target = target
        self.options = options
        self.context = context
        self.width = width
        self.field_columns = mapping.field_columns(target)
        self.columns_by_field = {field.name: column for field, _index, column in self.field_columns}
        self.keys_seen = context.index("key")

    def plan(self, rows: list[SourceRow]) -> list[RowPlan]:
        plans = [RowPlan(source=row, columns=self.columns_by_field) for row in rows]
        self._clean(plans)
        self._check_keys_within_file(plans)
        existing = self.target.existing_by_key(self.context.company, (p.key for p in plans if p.key is not None))
        for plan in plans:
            plan.existing = existing.get(plan.key) if plan.key is not None else None
            self._decide(plan)
        self.target.check_batch([plan for plan in plans if not plan.failed], self.context)
        order = self.target.field_order
        for plan in plans:
            if plan.failed:
                plan.outcome = Outcome.FAILED
                plan.errors.sort(key=lambda error: order.get(error.field, len(order)))
        return plans

    def _clean(self, plans: list[RowPlan]) -> None:
        for import_field, index, column in self.field_columns:
            name, clean = import_field.name, import_field.clean
            memo: dict[str, tuple[Any, str | None]] = {}
            for plan in plans:
                raw = plan.source.cells[index]
                plan.raw[name] = raw
                result = memo.get(raw)
                if result is None:
                    try:
                        result = (clean(raw), None)
                    except FieldError as error:
                        result = (None, str(error))
                    memo[raw] = result
                value, message = result
                if message is not None:
                    plan.errors.append(CellError(name, column, raw, message))
                elif value is not None:
                    plan.values[name] = value
        for plan in plans:
            plan.key = plan.values.get(self.target.key)
            extra = plan.source.cells[self.width :]
            if any(cell.strip() for cell in extra):
                plan.fail(
                    None,
                    f"Row has {self.width + len(extra)} cells but the header has {self.width} columns: "
                    "a value probably contains the delimiter without quotes",
                )

    def _check_keys_within_file(self, plans: list[RowPlan]) -> None:
        for plan in plans:
            if plan.key is None:
                continue
            first = self.keys_seen.first_row(plan.key, plan.number)
            if first is not None:
                plan.fail(self.target.key, f"{self.target.duplicate_message} (same as row {first})")

    def _decide(self, plan: RowPlan) -> None:
        mode, key_field = self.options.mode, self.target.key
        if plan.existing is None:
            if mode != "update":
                self._plan_create(plan)
            elif plan.key is None:
                plan.fail(key_field, f"Missing required field: {key_field}")
            else:
                plan.fail(key_field, self.target.unknown_key_message(plan.key))
            return
        if mode != "create" or self.options.duplicates == "update":
            self._plan_update(plan)
        elif self.options.duplicates == "skip":
            if not plan.failed:
                plan.outcome = Outcome.SKIPPED
        elif self.options.duplicates == "error":
            plan.fail(key_field, self.target.duplicate_message)
        elif self.target.generates_keys:  # create_new: a fresh record under a generated key
            plan.values.pop(key_field, None)
            plan.key, plan.existing = None, None
            self._plan_create(plan)
        else:
            plan.fail(key_field, f"{self.target.duplicate_message}: {self.target.name} cannot generate a new one")

    def _plan_create(self, plan: RowPlan) -> None:
        values, failed_fields = plan.values, plan.fields_with_errors()
        for import_field in self.target.fields:
            if import_field.name not in values and import_field.name not in failed_fields:
                default = import_field.default_for(self.context)
                if default is not None:
                    values[import_field.name] = default
        self.target.complete_new(values, self.context)
        for import_field in self.target.fields:
            name = import_field.name
            generated = name == self.target.key and self.target.generates_keys
            if import_field.required and name not in values and name not in failed_fields and not generated:
                plan.fail(name, f"Missing required field: {name}")
        if not plan.failed:
            plan.outcome = Outcome.CREATED
            plan.instance = self.target.build(self.context.company, values)

    def _plan_update(self, plan: RowPlan) -> None:
        record = plan.existing
        changed = tuple(name for name, value in plan.values.items() if getattr(record, name) != value)
        if plan.failed:
            return
        if not changed:
            plan.outcome = Outcome.UNCHANGED
            return
        for name in changed:
            setattr(record, name, plan.values[name])
        plan.outcome, plan.instance, plan.changed = Outcome.UPDATED, record, changed
