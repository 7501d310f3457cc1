"""SalesPro exports as SalesPro writes them: the seed's columns, dotted names included."""

import csv
import io

import pytest

import salespro.import_targets

EXPORT_COLUMNS = [
    "_id", "_created_at", "_updated_at", "isSale", "resultFullString", "customer.nameLast", "customer.nameFirst",
    "customer.estimateName", "salesrep.email", "salesrep.nameFirst", "salesrep.nameLast", "saleAmount",
]


def appointment(_id: str, **cells: str) -> dict[str, str]:
    """One export row, with a value in every column; `cells` replace some (dotted names through **{...})."""
    return {
        "_id": _id, "_created_at": "2025-06-18T14:30:00.000Z", "_updated_at": "2025-06-18T16:00:00.000Z",
        "isSale": "true", "resultFullString": "Sale - Windows", "customer.nameLast": "Doe",
        "customer.nameFirst": "John", "customer.estimateName": "Doe Residence", "salesrep.email": "ann@example.com",
        "salesrep.nameFirst": "Ann", "salesrep.nameLast": "Rep", "saleAmount": "$1,234.50", **cells,
    }


def export_text(rows: list[dict[str, str]], columns: list[str] = EXPORT_COLUMNS) -> str:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue()


@pytest.fixture
def write_export(write_file):
    """Write an export of `rows` and return its path (`bom=True` starts it with a UTF-8 byte-order mark)."""

    def write(rows, name="SalesPro2025-06-18.csv", *, bom=False, columns=EXPORT_COLUMNS):
        content = export_text(rows, columns).encode("utf-8-sig" if bom else "utf-8")
        return write_file(name, content)

    return write


@pytest.fixture
def key_look_ups(monkeypatch):
    """The look-ups of stored appointments by key, as a list that grows by one per look-up (the core's look-up
    bypasses Django's cursor on PostgreSQL, so query captures cannot see it there)."""
    calls = []
    real = salespro.import_targets.stored_rows

    def counted(model, **options):
        calls.append(sorted(options["values"]))
        return real(model, **options)

    monkeypatch.setattr(salespro.import_targets, "stored_rows", counted)
    return calls
