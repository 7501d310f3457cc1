"""Planning a batch: what becomes of each row (created, updated, unchanged, skipped or failed), decided with one
database query per look-up and batch before anything is written.

Validation runs column by column, so a value repeated down a column (a state, a city, a status) is checked once
per batch. Repeats within the file were found before any batch ran (imports.engine.scanning), so a row's verdict does
not depend on which worker handles which rows.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from imports.declare.errors import CellError
from imports.declare.outcomes import Outcome, RowPlan, SourceRow
from imports.declare.targets import ImportTarget
from imports.engine.gate import WRITES_NOTHING, Write, WriteGate
from imports.engine.mapping import ColumnMapping
from imports.engine.options import ImportOptions
from imports.engine.references import CYCLE, MISSING, verdict_name
from imports.engine.validation_rules import RuleChecker
from imports.engine.value_fixes import ColumnFixer
from imports.models import ImportDuplicate

if TYPE_CHECKING:
    from companies.models import Company


def sheet_row_name(field_name: str) -> str:
    """The name the sheet row of a repeat's earlier row is kept under, beside the repeat (ImportDuplicate.field)."""
    return f"{field_name}:sheet"


@dataclass
class ImportContext:
    """What a job's rows are judged against: whose data, which day it is, and the file's repeated values."""

    company: "Company"
    today: date
    gate: WriteGate = WRITES_NOTHING  # imports.engine.gate: whether this run writes what it plans
    job_id: Any = None
    written_at: Any = None  # the stamp of the batch being written (imports.engine.commit), for the hooks that write
    # What a data row's sheet row is over its number where no blank row comes before it (the title rows, the header):
    # None for a file without sheet rows (JSON). A repeat's earlier row pushed down by blank rows has its sheet row
    # kept with the repeat (`sheet_row_name`).
    sheet_offset: int | None = None
    _duplicates: dict[tuple[str, int], int] = field(default_factory=dict)

    @property
    def dry_run(self) -> bool:
        """Whether the rows are only judged (the hooks that write are not called); checks may read it."""
        return not self.gate.allows(Write.ROWS)

    def load_duplicates(self, first_row: int, last_row: int) -> None:
        """Fetch the repeats among rows first_row..last_row (found when the job was prepared), in one query: a
        chunk's worth, since repeats are few and a query per batch would cost more than holding them."""
        if self.job_id is None:
            return
        repeats = ImportDuplicate.objects.filter(job_id=self.job_id, row_number__range=(first_row, last_row))
        self.duplicates_set(repeats.values_list("row_number", "field", "first_row"))

    def duplicates_set(self, repeats: Iterable[tuple[int, str, int]], sheet_rows: dict[int, int] | None = None) -> None:
        """Take the repeats as (row, field, first row): a job's from the database, the preview's found on its
        rows (imports.engine.scanning.repeats_within) with the sheet rows of those rows."""
        self._duplicates = {(name, row): first for row, name, first in repeats}
        if sheet_rows:
            for (name, row), first in list(self._duplicates.items()):
                if first in sheet_rows:
                    self._duplicates[sheet_row_name(name), row] = sheet_rows[first]

    def duplicate_of(self, field_name: str, row_number: int) -> int | None:
        """The earlier row with the same value of `field_name`, if this row repeats one."""
        return self._duplicates.get((field_name, row_number))

    def earlier_row(self, field_name: str, row_number: int) -> str | None:
        """The earlier row with the same value of `field_name`, named as a person finds it in the file: "sheet
        row 8", or "row 3" (a data row) in a file without sheet rows; None if this row repeats none."""
        first = self._duplicates.get((field_name, row_number))
        if first is None:
            return None
        sheet = self._duplicates.get((sheet_row_name(field_name), row_number))
        if sheet is None and self.sheet_offset is not None:
            sheet = first + self.sheet_offset
        return f"sheet row {sheet}" if sheet is not None else f"row {first}"


class BatchPlanner:
    """Decides every row of a batch."""

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
        self.mapping = mapping
        self.field_columns = mapping.field_columns(target)
        self.columns_by_field = {field.name: (column, index) for field, index, column in self.field_columns}
        self.fixer = ColumnFixer(options.fixes, target, mapping)
        self.rules = RuleChecker(options.rules, target)
        self.stored_fields = target.stored_field_names
        # Defaults depend on the job (the company's rate, the day it started), never on the row: work them out once.
        self.defaults = [
            (field.name, default) for field in target.fields if (default := field.default_for(context)) is not None
        ]
        self.required = [
            field.name for field in target.fields
            if field.required and not (field.name == target.key and target.generates_keys)
        ]

    def plan(self, rows: list[SourceRow]) -> list[RowPlan]:
        columns = self.columns_by_field
        plans = [RowPlan(row, columns) for row in rows]
        self._clean(plans)
        self.rules.check(plans, self.context.earlier_row)
        self.target.check_rows(plans, self.context)
        self._check_keys_within_file(plans)
        if self.target.references_in_file:
            self._check_references_within_file(plans)
        existing = self.target.existing_by_key(
            self.context.company, {p.key for p in plans if p.key is not None}, self.stored_fields
        )
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
        rows = [plan.source.cells for plan in plans]
        names, columns = [], []
        for import_field, index, column in self.field_columns:
            raws = [cells[index] for cells in rows]
            values, errors, warnings = self.fixer.clean_column(import_field, raws, rows)
            for position, message in errors.items():
                plans[position].add_error(CellError(import_field.name, column, raws[position], message))
            for position, message in warnings.items():
                plans[position].warn(message)
            names.append(import_field.name)
            columns.append(values)
        by_row = zip(*columns, strict=True) if columns else [()] * len(plans)  # no column mapped: no values
        for plan, values in zip(plans, by_row, strict=True):
            plan.values = {name: value for name, value in zip(names, values, strict=True) if value is not None}
        key_field = self.target.key
        composite = bool(self.target.key_parts)
        for plan in plans:
            if composite:
                plan.key = self.target.compose_key(plan.values)
                if plan.key is not None:
                    plan.values[key_field] = plan.key
            else:
                plan.key = plan.values.get(key_field)
            extra = plan.source.cells[self.width :]
            if extra and any(cell.strip() for cell in extra):
                plan.fail(
                    None,
                    f"Row has {self.width + len(extra)} cells but the header has {self.width} columns: "
                    "a value probably contains the delimiter without quotes",
                )

    def _check_keys_within_file(self, plans: list[RowPlan]) -> None:
        key_field, reported = self.target.key, self.target.key_error_field
        for plan in plans:
            first = self.context.earlier_row(key_field, plan.number)
            if first is not None:
                plan.fail(reported, f"{self.target.duplicate_message} (same as {first})")

    def _check_references_within_file(self, plans: list[RowPlan]) -> None:
        """The verdicts on references to other records of the target, reached on the whole file beforehand."""
        target, duplicate_of, earlier_row = self.target, self.context.duplicate_of, self.context.earlier_row
        record = target.name.lower()
        for name in target.references_in_file:
            missing, cycle = verdict_name(name, MISSING), verdict_name(name, CYCLE)
            label, phrase = target.label_of(name), target.phrase_of(name)
            for plan in plans:
                reference = plan.values.get(name)
                if reference is None:
                    continue
                if duplicate_of(missing, plan.number) is not None:
                    plan.fail(name, f"Unknown {phrase} '{reference}': no row of this file and no stored {record} "
                                    f"has this {target.key_label}")
                    continue
                following = duplicate_of(cycle, plan.number)
                if following is None:
                    continue
                if following == plan.number:
                    plan.fail(name, f"{label} '{reference}' is this {record} itself: it cannot be its own {phrase}")
                else:
                    start = earlier_row(cycle, plan.number) if following else f"stored {record} {reference}"
                    plan.fail(name, f"{label} '{reference}' makes a cycle: following {phrase} from {start} leads "
                                    f"back to this {record}")

    def _decide(self, plan: RowPlan) -> None:
        mode, key_field, reported = self.options.mode, self.target.key, self.target.key_error_field
        if plan.existing is None:
            if mode != "update":
                self._plan_create(plan)
            elif plan.key is None:
                failed = plan.fields_with_errors() if plan.errors else ()  # an invalid value has said so already
                for name in self.target.key_parts or (key_field,):
                    if name not in plan.values and name not in failed:
                        plan.fail(name, f"Missing required field: {self.target.label_of(name)}")
            else:
                plan.fail(reported, self.target.unknown_key_message(plan.key))
            return
        if mode != "create" or self.options.duplicates == "update":
            self._plan_update(plan)
        elif self.options.duplicates == "skip":
            if not plan.failed:
                plan.outcome = Outcome.SKIPPED
        elif self.options.duplicates == "error":
            plan.fail(reported, self.target.duplicate_message)
        elif self.target.generates_keys:  # create_new: a fresh record under a generated key
            plan.values.pop(key_field, None)
            plan.key, plan.existing = None, None
            self._plan_create(plan)
        else:
            plan.fail(reported, f"{self.target.duplicate_message}: {self.target.name} cannot generate a new one")

    def _plan_create(self, plan: RowPlan) -> None:
        values = plan.values
        failed_fields = plan.fields_with_errors() if plan.errors else ()
        for name, default in self.defaults:
            if name not in values and name not in failed_fields:
                values[name] = default
        self.target.complete_new(values, self.context)
        for name in self.required:
            if name not in values and name not in failed_fields:
                plan.fail(name, f"Missing required field: {self.target.label_of(name)}")
        if not plan.errors:
            plan.outcome = Outcome.CREATED

    def _plan_update(self, plan: RowPlan) -> None:
        stored = plan.existing
        changed = tuple(name for name, value in plan.values.items() if stored[name] != value)
        if plan.failed:
            return
        plan.outcome, plan.changed = (Outcome.UPDATED, changed) if changed else (Outcome.UNCHANGED, ())
