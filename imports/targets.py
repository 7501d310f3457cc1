"""Import targets: what a domain app declares to make its model importable and exportable.

A target names its model, its fields (imports.fields), the field that identifies a record within a company, and,
where it needs them, a few hooks: defaults that depend on other fields, checks against the database run once per
batch, and how to generate keys. The pipeline, the commands, the wizard and the API all work from this
declaration; no domain writes its own row loop.

Apps declare targets in an `import_targets.py` module with the `register` decorator; the core imports every
such module at start-up, the way the admin finds `admin.py`.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models

from .fields import ImportField
from .mapping import normalise_header

if TYPE_CHECKING:
    from companies.models import Company

    from .pipeline import RowPlan


@dataclass
class ImportContext:
    """What a job's rows are judged against: whose data, which day it is, and indexes over the file so far."""

    company: "Company"
    today: date
    dry_run: bool = False
    indexes: dict[str, "FirstSeenIndex"] = field(default_factory=dict)

    def index(self, name: str) -> "FirstSeenIndex":
        """A per-job index of values already seen in the file, e.g. keys or meter numbers."""
        return self.indexes.setdefault(name, FirstSeenIndex())


class FirstSeenIndex:
    """Remembers the first row on which each value appeared in the file."""

    def __init__(self):
        self._first_row: dict[Any, int] = {}

    def first_row(self, value, row_number: int) -> int | None:
        """The row that had `value` before `row_number`, or None (and `row_number` becomes its first row)."""
        first = self._first_row.setdefault(value, row_number)
        return None if first == row_number else first


class ImportTarget:
    """Base class of every import target; subclasses set the class attributes and override hooks they need."""

    name: ClassVar[str]
    verbose_name_plural: ClassVar[str]
    model: ClassVar[type[models.Model]]
    fields: ClassVar[Sequence[ImportField]]
    key: ClassVar[str]
    key_label: ClassVar[str] = "key"

    def __repr__(self):
        return f"<ImportTarget {self.name}>"

    # --- Declaration helpers -----------------------------------------------------------------------------------

    @cached_property
    def fields_by_name(self) -> dict[str, ImportField]:
        return {field.name: field for field in self.fields}

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
            return [self.key]
        return [field.name for field in self.fields if field.required]

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

    def existing_by_key(self, company: "Company", keys: Iterable[str]) -> dict[str, models.Model]:
        """Stored records of the company with one of `keys`, in one query."""
        keys = set(keys)
        if not keys:
            return {}
        records = self.queryset(company).filter(**{f"{self.key}__in": keys})
        return {getattr(record, self.key): record for record in records}

    def build(self, company: "Company", values: dict[str, Any]) -> models.Model:
        return self.model(company=company, **values)

    def complete_new(self, values: dict[str, Any], context: ImportContext) -> None:
        """Fill defaults that depend on other fields of a new record (after each field's own default)."""

    def check_batch(self, plans: list["RowPlan"], context: ImportContext) -> None:
        """Checks that need the database or the rest of the file; fail rows with `plan.fail`. One query a batch."""

    @property
    def generates_keys(self) -> bool:
        return type(self).generate_keys is not ImportTarget.generate_keys

    def generate_keys(self, company: "Company", count: int, *, avoid: set[str] = frozenset()) -> list[str]:
        """`count` new keys that no stored record has and that are not in `avoid` (keys the batch names itself).

        Only targets that can generate keys override this; raise imports.errors.KeysExhausted when none are left.
        """
        raise TypeError(f"{self.name} records cannot be given generated keys")

    def export_queryset(self, company: "Company") -> models.QuerySet:
        return self.queryset(company).order_by("pk")


_registry: dict[str, ImportTarget] = {}


def register(target_class: type[ImportTarget]) -> type[ImportTarget]:
    """Class decorator that makes a target available to every import face (commands, wizard, API)."""
    _registry[target_class.name.casefold()] = target_class()
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
