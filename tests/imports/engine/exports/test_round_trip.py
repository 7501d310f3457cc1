"""An import-compatible export, in CSV, JSON or Excel, imports back through the product's own readers and field
cleaning with every value unchanged: ZIP codes keep their leading zero, phones and negative numbers stay bare, a
name that starts with `=` stays exactly that."""

import pytest

from imports.engine.exports.writers import WRITERS
from tests.imports.engine.exports.samples import RECORDS, ROUND_TRIP_TARGETS, import_compatible, imported_back, write

FILE_FORMATS = ["csv", "json", "excel"]


def test_every_format_has_a_writer():
    assert set(WRITERS) == {"csv", "excel", "json", "pdf"}
    assert [WRITERS[name].extension for name in ("csv", "excel", "json", "pdf")] == ["csv", "xlsx", "json", "pdf"]


@pytest.mark.parametrize("file_format", FILE_FORMATS)
@pytest.mark.parametrize("target_name", ROUND_TRIP_TARGETS)
def test_export_imports_back_with_every_value_unchanged(tmp_path, file_format, target_name):
    target, columns, rows = import_compatible(target_name)
    path = tmp_path / f"export.{WRITERS[file_format].extension}"

    writer = write(file_format, path, columns, rows, blocks=2)

    assert writer.rows_written == len(rows)
    expected = [{field.name: record.get(field.name) for field in target.fields} for record in RECORDS[target_name]]
    assert imported_back(path, target) == expected


@pytest.mark.parametrize("file_format", FILE_FORMATS)
def test_an_export_of_no_rows_imports_back_as_no_rows(tmp_path, file_format):
    target, columns, _rows = import_compatible("Customer")
    path = tmp_path / f"export.{WRITERS[file_format].extension}"

    writer = write(file_format, path, columns, [])

    assert writer.rows_written == 0
    if file_format == "json":
        assert path.read_bytes().strip() == b"[]"
    else:
        assert imported_back(path, target) == []
