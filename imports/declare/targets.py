"""Import targets: what a domain app declares to make its model importable and exportable.

A target names its model, its fields (imports.declare.fields), the field that identifies a record within a company, and,
where it needs them, a few hooks: defaults that depend on other fields, checks against the database run once per
batch, and how to generate keys. The pipeline, the commands, the wizard and the API all work from this
declaration; no domain writes its own row loop.

Apps declare targets in an `import_targets.py` module with the `register` decorator; the core imports every
such module at start-up, the way the admin finds `admin.py`.

The contract a new domain meets (`register` and the system checks of imports.declare.checks enforce it, the
checks at `manage.py check` and every start-up, naming the target and what is wrong):
- a name no other target has, in any case;
- a model with a ForeignKey named `company` to companies.Company: every read and write is scoped by it;
- a `key` that is a field of the model, unique per company in the database: a UniqueConstraint on
  (company, key) with no condition (or one leaving out only a blank key), or unique_together;
- every name in `stored_field_names` (by default the fields and the key) a field of the model, unless the target
  reads it under that name by `record_lookups` or an annotation of its `queryset` (a value kept elsewhere);
- an `api_path` (its own /api/<api_path>/import routes) that no other target has, or None for the generic
  /api/imports/ alone.
"""

import graphlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models

from imports.declare.context import RowContext
from imports.declare.fields import DateTimeField, ImportField
from imports.declare.headers import normalise_header
from imports.declare.outcomes import RowPlan
from imports.declare.stored_rows import stored_rows

if TYPE_CHECKING:
    from companies.models import Company


@dataclass(frozen=True)
class UniqueInFile:
    """A field whose value may appear on only one row of a file (besides the key, which always must).

    With `only_when=("status", {None, "active"})`, only rows whose cleaned status is blank or active take part.
    """

    field: str
    only_when: tuple[str, frozenset] | None = None


class ImportTarget:
    """Base class of every import target; subclasses set the class attributes and override hooks they need."""

    name: ClassVar[str]
    verbose_name_plural: ClassVar[str]
    model: ClassVar[type[models.Model]]
    fields: ClassVar[Sequence[ImportField]]
    key: ClassVar[str]
    key_label: ClassVar[str] = "key"
    # A key made of several fields (a meter and a day, say): their cleaned values joined by `compose_key` are
    # stored in the model field `key`, which is then no column of the file.
    key_parts: ClassVar[tuple[str, ...]] = ()
    unique_in_file: ClassVar[Sequence[UniqueInFile]] = ()
    # Targets that generate keys name their sequence and say how its numbers look as keys.
    key_sequence: ClassVar[str | None] = None
    last_key_number: ClassVar[int] = 0
    # Rows of the blank template users download ({field: text}); by default one row of the fields' examples.
    example_rows: ClassVar[Sequence[dict[str, str]]] = ()
    # Fields naming another record of this target by its key (an account's parent account): a foreign key to the
    # model itself, which a file gives as the key. The record may be stored or a row anywhere in the file;
    # references that name neither, or that make a cycle, are found on the whole file before any row is written
    # (imports.engine.references), and the core writes them, linking rows whose record comes later
    # (imports.engine.links).
    # Throughout planning the field's value is the key, in `values` and in `existing` alike.
    references_in_file: ClassVar[tuple[str, ...]] = ()
    # The target's own routes in the API (/api/<api_path>/import, and its jobs below it), or None for the generic
    # /api/imports/ alone. The URL names are "<api_path>-jobs", "<api_path>-job" and "<api_path>-job-errors".
    api_path: ClassVar[str | None] = None
    # Fields whose file value is not the model's column of that name (a foreign key given by the group's name, a
    # value kept on a related record), with the lookup or expression that reads them as a file gives them, for
    # exports and the records page (references_in_file read as their key without being named here).
    record_lookups: ClassVar[dict[str, "str | models.Expression"]] = {}
    # Fields holding health or personal data (a patient's name, date of birth, subscriber id): withheld from the
    # operators' error log and masked on the records page unless a user asks to see them.
    sensitive_fields: ClassVar[frozenset[str]] = frozenset()
    # Columns the product works out and a file never sets (a reading's consumption, a customer's verified
    # address): shown on the records page and offered by exports, ignored by imports.
    read_only_fields: ClassVar[Sequence[ImportField]] = ()
    # The targets (by name) whose records this target's rows name and which must therefore be imported first (an
    # account names its customer group, a reading its customer): a company's restore imports its files in this
    # order (`dependency_order`). A reference to the target itself (a parent account) is no dependency: the core
    # links such rows within one file.
    depends_on: ClassVar[tuple[str, ...]] = ()
    # Columns a company backup leaves out of this target's file because another target's file holds the same
    # facts (an account's primary contact is a contact of the contacts' file): restored from both, a contact
    # without an email would be made twice.
    backup_omits: ClassVar[tuple[str, ...]] = ()
    # Mappings of files other systems export, by what the file is ("Salesforce accounts (Data Loader export)"):
    # their column -> field, or None for a column left out. A company adds one to its templates from the template
    # library, and the wizard and the command line then use it like any template of its own.
    source_mappings: ClassVar[dict[str, dict[str, str | None]]] = {}

    def __repr__(self):
        return f"<ImportTarget {self.name}>"

    # --- Declaration helpers -----------------------------------------------------------------------------------

    @cached_property
    def fields_by_name(self) -> dict[str, ImportField]:
        return {field.name: field for field in self.fields}

    def label_of(self, name: str) -> str:
        """The label of field `name` ("Postal code"), as messages people read name it; the name itself for a name
        that is no field of the target."""
        field = self.fields_by_name.get(name)
        return field.label if field is not None else name

    def phrase_of(self, name: str) -> str:
        """Field `name` as a message names it after its first word ("postal code")."""
        field = self.fields_by_name.get(name)
        return field.phrase if field is not None else name

    @cached_property
    def field_order(self) -> dict[str, int]:
        return {field.name: position for position, field in enumerate(self.fields)}

    @cached_property
    def _header_names(self) -> frozenset[str]:
        names = set()
        for import_field in self.fields:
            names.add(normalise_header(import_field.name))
            names.update(normalise_header(synonym) for synonym in import_field.synonyms)
        return frozenset(names)

    def header_score(self, cells: Iterable[str]) -> int:
        """How many cells of a candidate header row name one of this target's fields."""
        return sum(1 for cell in cells if normalise_header(cell) in self._header_names)

    def required_columns(self, mode: str) -> list[str]:
        """Fields that must have a column in the file: the key alone for updates, else every required field."""
        if mode == "update":
            return list(self.key_parts or (self.key,))
        return [field.name for field in self.fields if field.required]

    @property
    def key_error_field(self) -> str:
        """The field a key's errors (missing, repeated, unknown) are reported on: the last part of a composite
        key (the day of a meter's reading), else the key itself."""
        return self.key_parts[-1] if self.key_parts else self.key

    def compose_key(self, values: dict[str, Any]) -> str | None:
        """A composite key from a row's cleaned values; None when a part is missing."""
        parts = [values.get(name) for name in self.key_parts]
        if any(part is None for part in parts):
            return None
        return "@".join(part.isoformat() if isinstance(part, date) else str(part) for part in parts)

    @property
    def record_fields(self) -> Sequence[ImportField]:
        """The fields the records page shows: what a file can set, and what the product works out (consumption,
        say)."""
        return (*self.fields, *self.read_only_fields)

    @cached_property
    def export_fields(self) -> tuple[ImportField, ...]:
        """Every column an export can hold: what a file can set, what the product works out, and when the record
        was created and last updated (where the model keeps those)."""
        named = {field.name for field in self.record_fields}
        model_fields = {field.name for field in self.model._meta.get_fields()}
        times = tuple(
            DateTimeField(name, label=label)
            for name, label in (("created_at", "Created"), ("updated_at", "Updated"))
            if name in model_fields and name not in named
        )
        return (*self.record_fields, *times)

    @cached_property
    def stored_field_names(self) -> list[str]:
        """The model fields a planned row is compared with: the fields a file can set, and the key."""
        names = [field.name for field in self.fields]
        return names if self.key in names else [*names, self.key]

    def template_rows(self) -> list[dict[str, str]]:
        return list(self.example_rows) or [{f.name: f.example for f in self.fields if f.example}]

    @property
    def duplicate_message(self) -> str:
        return f"Duplicate {self.key_label}"

    def unknown_key_message(self, key: str) -> str:
        return (
            f"Unknown {self.key_label} '{key}': no {self.name.lower()} has it, "
            "and update mode only changes existing records"
        )

    # --- Hooks -------------------------------------------------------------------------------------------------

    def queryset(self, company: "Company") -> models.QuerySet:
        return self.model.objects.filter(company=company)

    def existing_by_key(self, company: "Company", keys: set[str], names: list[str]) -> dict[str, dict[str, Any]]:
        """Stored values (`pk` and the fields `names`) of the company's records with one of `keys`, in one query."""
        if not keys:
            return {}
        columns = ["pk", *names]
        rows = stored_rows(self.model, company_id=company.pk, field=self.key, values=keys, columns=columns)
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        for name in self.references_in_file:
            if name in columns:
                self._ids_as_keys(records, name)
        return {record[self.key]: record for record in records}

    def _ids_as_keys(self, records: list[dict[str, Any]], name: str) -> None:
        """Put the key of the record each reference names in place of its id (one query)."""
        ids = {record[name] for record in records if record[name] is not None}
        keys = dict(self.model.objects.filter(pk__in=ids).values_list("pk", self.key)) if ids else {}
        for record in records:
            record[name] = keys.get(record[name])

    def complete_new(self, values: dict[str, Any], context: RowContext) -> None:
        """Fill defaults that depend on other fields of a new record (after each field's own default)."""

    def check_rows(self, plans: list[RowPlan], context: RowContext) -> None:
        """Checks and look-ups of every row's cleaned values, before keys are matched with stored records (a
        reference to another record, a date that must not be in the future). One query a batch at most."""

    def check_batch(self, plans: list[RowPlan], context: RowContext) -> None:
        """Checks that need the database or the rest of the file; fail rows with `plan.fail`. One query a batch."""

    def before_write(self, plans: list[RowPlan], context: RowContext) -> None:
        """Work a batch's writes need first, in the batch's transaction (real runs only): creating the records its
        rows refer to, say, and putting their ids into the rows' values."""

    def after_write(self, plans: list[RowPlan], context: RowContext) -> None:
        """Work on other records that a batch's writes call for, in the batch's transaction (real runs only)."""

    def undo_owned(self, company_id: int, created: dict[int, Any]) -> dict[int, list[tuple[type, int]]]:
        """The records an import wrote beside those it created, from the same rows, and not changed since (an
        account's primary contact): by the created record's id, as (model, id). `created` gives each created
        record's stamp (its written_at). An undo deletes them with their record instead of keeping it for them."""
        return {}

    def undo_scope(self, company_id: int, record_ids: list[int]) -> Any:
        """What an undo of these records will have to put right among other records once they are deleted or
        restored (read before the batch is undone); handed to after_undo."""
        return None

    def after_undo(self, company_id: int, scope: Any) -> None:
        """Work on other records that undoing a batch calls for, in the batch's transaction: figures worked out
        from the records it deleted or restored."""

    def integrity_message(self, plan: RowPlan, fields: tuple[str, ...] | None) -> str:
        """Why the database refused this row (a unique `fields` constraint, or None when it is not known).

        Planning has already checked the rules, so this happens when another import saved a conflicting record
        between this batch's check and its write.
        """
        if fields and self.key in fields:
            return f"{self.duplicate_message}: another import saved {self.key_label} {plan.key} meanwhile"
        if fields:
            named = [name for name in fields if name != "company"]
            values = ", ".join(f"{self.phrase_of(name)} {plan.final_value(name)}" for name in named)
            return f"Another record was saved meanwhile with the same {values}"
        return "The database refused this row; nothing of it was saved"

    @property
    def generates_keys(self) -> bool:
        return self.key_sequence is not None

    def format_key(self, company: "Company", number: int) -> str:
        """The key for sequence number `number` (targets that generate keys override this)."""
        return str(number)

    def key_number(self, company: "Company", key: str) -> int | None:
        """The sequence number a key given in a file stands for, when it has the generated form; generated keys
        then start above it and never collide with a key named further down the file."""
        return None

    def highest_key_number(self, company: "Company", keys: list[str]) -> int:
        """The highest sequence number among `keys` of the generated form (0 when there is none)."""
        numbers = [number for key in keys if (number := self.key_number(company, key)) is not None]
        return max(numbers, default=0)

    def after_import(self, job) -> None:
        """Follow-up work once an import (not a dry run) has completed, such as queueing slow checks that an
        import must never wait for. Runs after the job's completion is committed."""

    def export_queryset(self, company: "Company") -> models.QuerySet:
        """The records exports and the records page read (by `values_list` of field names), oldest first."""
        queryset = self.queryset(company).order_by("pk")
        if self._readable_records is None:
            return queryset
        return self._readable_records(model=queryset.model, query=queryset.query, using=queryset.db)

    def record_lookup(self, name: str) -> "str | models.Expression":
        """Where field `name` is read from, as files give it (a lookup path or an expression), for filters."""
        return self._readable_records.lookups.get(name, name) if self._readable_records is not None else name

    @cached_property
    def _readable_records(self) -> type["ReadableQuerySet"] | None:
        lookups = {**{name: f"{name}__{self.key}" for name in self.references_in_file}, **self.record_lookups}
        if not lookups:
            return None
        return type(f"{self.name}Records", (ReadableQuerySet,), {"lookups": lookups})


class ReadableQuerySet(models.QuerySet):
    """Records whose fields read as files give them: `values_list("customer_group")` gives the group's name where
    a plain queryset gives its id. (The ORM refuses an annotation named like a field, so the lookup is put in the
    field's place instead.)"""

    lookups: ClassVar[dict[str, "str | models.Expression"]] = {}

    def values_list(self, *fields, **options):
        return super().values_list(*(self.lookups.get(name, name) for name in fields), **options)


class AlreadyRegistered(Exception):
    """A second target was declared under a name (in any case) that a registered target already has."""


_registry: dict[str, ImportTarget] = {}


def register(target_class: type[ImportTarget]) -> type[ImportTarget]:
    """Class decorator that makes a target available to every import face (commands, wizard, API).

    Names are looked up in any case, so a second target whose name differs only in case would silently take the
    first one's place in every face: it is refused instead, naming both classes.
    """
    folded = target_class.name.casefold()
    if folded in _registry:
        registered = type(_registry[folded])
        raise AlreadyRegistered(
            f"The import target {target_class.name!r} ({target_class.__module__}.{target_class.__qualname__}) "
            f"cannot be registered: {registered.name!r} ({registered.__module__}.{registered.__qualname__}) "
            "is already registered under that name."
        )
    _registry[folded] = target_class()
    return target_class


def get_target(name: str) -> ImportTarget:
    """The registered target called `name` (any case); KeyError says which names exist."""
    try:
        return _registry[name.casefold()]
    except KeyError:
        known = ", ".join(sorted(target.name for target in _registry.values())) or "none"
        raise KeyError(f"Unknown model '{name}': choose one of {known}.") from None


def all_targets() -> list[ImportTarget]:
    return sorted(_registry.values(), key=lambda target: target.name)


class DependencyCycle(ValueError):
    """Targets that depend on each other in a circle (`depends_on`): no order imports each after what it needs."""


def dependency_order(targets: Iterable[ImportTarget] | None = None) -> list[ImportTarget]:
    """`targets` (every registered target by default) ordered so that each comes after the targets it depends on,
    directly or through others (contacts after customer groups, through accounts, even when accounts are not among
    `targets`); targets with nothing between them by name, so the order is the same on every run.
    DependencyCycle names the targets of a cycle."""
    everything = {target.name: target for target in all_targets()}
    chosen = everything if targets is None else {target.name: target for target in targets}
    everything.update(chosen)
    sorter = graphlib.TopologicalSorter(
        {name: [needed for needed in target.depends_on if needed in everything and needed != name]
         for name, target in everything.items()}
    )
    try:
        sorter.prepare()
    except graphlib.CycleError as error:
        circle = " -> ".join(error.args[1])
        raise DependencyCycle(f"Import targets depend on each other in a circle ({circle}): none can be "
                              "imported first.") from None
    ordered = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        ordered.extend(chosen[name] for name in ready if name in chosen)
        sorter.done(*ready)
    return ordered
