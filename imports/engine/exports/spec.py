"""What an export is asked for: the target, its columns in order, its filters and the file's format. The builder,
a template, the API and the command line all give it as the same data, checked here once:

    {"target": "Customer", "columns": ["account_number", "email"], "filters": [...], "format": "csv"}

No columns (or `"import_compatible": true`) means exactly the columns an import takes back.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import models

from imports.declare.targets import ImportTarget, get_target
from imports.engine.exports.columns import ExportColumn, columns_available, columns_import_compatible
from imports.engine.exports.filters import ExportFilter, ExportFilterError, filters_parse, queryset_filtered
from imports.engine.exports.rows import blocks_read

# The stored format values (the blueprint's: "excel" for .xlsx), with the names people and scripts also use.
FORMATS = ("csv", "excel", "json", "pdf")
FORMAT_ALIASES = {"xlsx": "excel", "xls": "excel"}
FORMAT_LABELS = {"csv": "CSV", "excel": "Excel (.xlsx)", "json": "JSON", "pdf": "PDF"}


class ExportSpecError(ValueError):
    """An export that cannot be run as asked: one sentence, and which part of the request (`target`, `columns`,
    `filters` or `format`) it is about."""

    def __init__(self, message: str, *, part: str):
        super().__init__(message)
        self.part = part


def format_read(value) -> str:
    """The stored format for a format as given (`xlsx` is `excel`); ExportSpecError when there is no such one."""
    given = str(value or "").strip().casefold()
    file_format = FORMAT_ALIASES.get(given, given)
    if file_format not in FORMATS:
        raise ExportSpecError(f"Unknown format '{value}': use csv, xlsx, json or pdf.", part="format")
    return file_format


@dataclass(frozen=True)
class ExportSpec:
    target: ImportTarget
    columns: tuple[ExportColumn, ...]
    filters: tuple[ExportFilter, ...]
    file_format: str

    @classmethod
    def from_data(cls, data: dict, *, company) -> "ExportSpec":
        """The export asked for by `data`, checked against the target's fields and `company`'s jobs."""
        if not isinstance(data, dict):
            raise ExportSpecError("An export is an object with a target, columns, filters and a format.",
                                  part="target")
        try:
            target = get_target(str(data.get("target") or ""))
        except KeyError as error:
            raise ExportSpecError(error.args[0], part="target") from None
        file_format = format_read(data.get("format") or "csv")
        columns = columns_read(target, data.get("columns"), import_compatible=bool(data.get("import_compatible")))
        try:
            filters = filters_parse(data.get("filters"), target=target, company=company)
        except ExportFilterError as error:
            raise ExportSpecError(str(error), part="filters") from None
        return cls(target, columns, filters, file_format)

    def to_data(self) -> dict:
        """The spec as JSON-safe data, which `from_data` reads back (kept on the job and in templates)."""
        return {
            "target": self.target.name,
            "columns": [column.name for column in self.columns],
            "filters": [export_filter.to_data() for export_filter in self.filters],
            "format": self.file_format,
        }

    @property
    def import_compatible(self) -> bool:
        """Whether the file's columns are exactly those an import takes back, in the import's order."""
        return [column.name for column in self.columns] == [field.name for field in self.target.fields]

    def filters_described(self) -> list[str]:
        return [export_filter.describe() for export_filter in self.filters]

    def queryset(self, company) -> models.QuerySet:
        """The records exported, oldest first."""
        queryset = self.target.export_queryset(company)
        return queryset_filtered(queryset, self.filters, target=self.target, company=company)

    def rows_count(self, company) -> int:
        return self.queryset(company).count()

    def blocks(self, company) -> Iterator[list[tuple]]:
        """The records' values in the columns' order, oldest first, in blocks of rows (imports.engine.exports.rows:
        on PostgreSQL fetched ahead while the caller writes), so memory stays flat whatever the number of rows."""
        return blocks_read(self.queryset(company), [column.name for column in self.columns])


def columns_read(target: ImportTarget, names, *, import_compatible: bool = False) -> tuple[ExportColumn, ...]:
    """The columns named, in the order given; none named (or `import_compatible`) gives the import's columns."""
    if import_compatible or not names:
        return tuple(columns_import_compatible(target))
    if isinstance(names, str):
        names = names.split(",")
    if not isinstance(names, list):
        raise ExportSpecError("Columns must be a list of field names.", part="columns")
    available = {column.name: column for column in columns_available(target)}
    chosen, seen = [], set()
    for name in (str(name).strip() for name in names):
        if name not in available:
            known = ", ".join(available)
            raise ExportSpecError(f"Unknown column '{name}' for {target.verbose_name_plural}: use {known}.",
                                  part="columns")
        if name in seen:
            raise ExportSpecError(f"Column '{name}' is named twice.", part="columns")
        seen.add(name)
        chosen.append(available[name])
    return tuple(chosen)
