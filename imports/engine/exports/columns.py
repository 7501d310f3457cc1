"""The columns an export offers for a target: every field a file can set, then what the product works out and
the record's times. The import-compatible set is exactly the fields an import reads back."""

from dataclasses import dataclass

from imports.declare.fields import ImportField
from imports.declare.targets import ImportTarget


@dataclass(frozen=True)
class ExportColumn:
    """One column of an export: a field of the target, and whether an import takes it back."""

    field: ImportField
    importable: bool

    @property
    def name(self) -> str:
        """The column's header in CSV, JSON and Excel files: the field's name, which imports map by itself."""
        return self.field.name

    @property
    def label(self) -> str:
        """The column's header for people (the PDF report)."""
        return self.field.label

    @property
    def kind(self) -> str:
        """The field's kind: text, email, phone, us_state, postal_code, choice, date, datetime, number, boolean,
        url."""
        return self.field.kind


def columns_available(target: ImportTarget) -> list[ExportColumn]:
    """Every column an export of `target` can hold, in the order the builder offers them."""
    importable = {field.name for field in target.fields}
    return [ExportColumn(field, field.name in importable) for field in target.export_fields]


def columns_import_compatible(target: ImportTarget) -> list[ExportColumn]:
    """Exactly the columns an import of `target` reads back, in the import's order."""
    return [ExportColumn(field, True) for field in target.fields]
