"""Streaming a company's records out as CSV or JSON, in the columns the importer reads back unchanged."""

import csv
import json
from collections.abc import Iterator

from companies.models import Company
from imports.declare.formulas import escape_formula
from imports.declare.targets import ImportTarget

EXPORT_FORMATS = ("csv", "json")
_CHUNK_ROWS = 2000


def _records(target: ImportTarget, company: Company) -> Iterator[list[str | None]]:
    """Each record as its fields' texts (None where empty), read in chunks so memory stays flat."""
    names = [field.name for field in target.fields]
    rows = target.export_queryset(company).values_list(*names).iterator(chunk_size=_CHUNK_ROWS)
    for values in rows:
        yield [
            None if value is None or value == "" else field.to_text(value)
            for field, value in zip(target.fields, values, strict=True)
        ]


def records_export(*, target: ImportTarget, company: Company, file_format: str, stream) -> int:
    """Write every record of `company` to a text stream; return how many were written."""
    if file_format not in EXPORT_FORMATS:
        raise ValueError(f"Unknown export format '{file_format}': use csv or json.")
    names = [field.name for field in target.fields]
    count = 0
    if file_format == "csv":
        writer = csv.writer(stream)
        writer.writerow(names)
        for texts in _records(target, company):
            writer.writerow([escape_formula(text or "") for text in texts])
            count += 1
        return count
    stream.write("[")
    for texts in _records(target, company):
        stream.write(",\n" if count else "\n")
        stream.write(json.dumps(dict(zip(names, texts, strict=True)), ensure_ascii=False))
        count += 1
    stream.write("\n]\n" if count else "]\n")
    return count
