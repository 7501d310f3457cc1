"""Stored records of real targets, with the values exports get wrong most easily, and the way an import reads an
export back: the product's own readers, then each field's cleaning."""

import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from imports.declare.targets import ImportTarget, get_target
from imports.engine.exports.columns import ExportColumn, columns_available, columns_import_compatible
from imports.engine.exports.writers import WRITERS
from imports.engine.exports.writers.base import ReportInfo
from imports.engine.readers import Table

GENERATED_AT = dt.datetime(2024, 3, 9, 14, 5, tzinfo=dt.UTC)
REPORT = ReportInfo(title="Customers of Acme Utilities", generated_at=GENERATED_AT, filters=("status is active",))

# Per target, records as a database gives them: texts, dates, aware moments, decimals, booleans, None.
RECORDS: dict[str, list[dict[str, Any]]] = {
    "Customer": [
        {
            "first_name": "=SUM(A1)", "last_name": "O'Brien", "email": "jane@example.com", "phone": "+12125550108",
            "service_address": "12 Main St", "city": "Boston", "state": "MA", "postal_code": "02134",
            "meter_number": "MTR-0001", "account_number": "0042", "billing_address": "+1+cmd|' /C calc'!A0",
            "billing_city": "@foo", "billing_state": "NY", "billing_postal_code": "02134-0001", "status": "active",
            "customer_type": "residential", "rate_code": "-12.50", "connection_date": dt.date(2024, 1, 5),
            "notes": "Zoë's café, 2nd floor\nring twice",
        },
        {
            "first_name": "'=x", "last_name": "-", "email": None, "phone": "+14015550105", "service_address": None,
            "city": None, "state": None, "postal_code": "00501", "meter_number": "1e5", "account_number": "0043",
            "billing_address": "-2+3", "billing_city": "'quoted", "billing_state": None, "billing_postal_code": None,
            "status": "suspended", "customer_type": "commercial", "rate_code": "-5", "connection_date": None,
            "notes": "''+12125550108",
        },
    ],
    "MeterReading": [
        {"account_number": "0042", "meter_number": "MTR-0001", "reading_date": dt.date(2024, 2, 29),
         "reading_value": Decimal("12345.678"), "reading_type": "manual", "notes": "=1+1"},
        {"account_number": "0043", "meter_number": "007", "reading_date": dt.date(2023, 12, 31),
         "reading_value": Decimal("7.000"), "reading_type": "estimated", "notes": None},
        {"account_number": "0044", "meter_number": "008", "reading_date": dt.date(2024, 1, 1),
         "reading_value": Decimal("999999999999.999"), "reading_type": "automated", "notes": None},
    ],
    "Contact": [
        {"first_name": "Ann", "last_name": "Lee", "email": "ann@example.com", "phone": "+12125550109",
         "account": "0042", "job_title": "@CFO", "department": None, "is_primary": True},
        {"first_name": "Bo", "last_name": "Kim", "email": None, "phone": None, "account": "0042",
         "job_title": None, "department": "-", "is_primary": False},
    ],
    "SalesProAppointment": [
        {"salespro_id": "a1", "salespro_created_at": dt.datetime(2025, 6, 18, 14, 30, 0, 123000, tzinfo=dt.UTC),
         "salespro_updated_at": dt.datetime(2025, 6, 18, 0, 0, tzinfo=dt.UTC), "is_sale": True,
         "result_full_string": "=HYPERLINK(\"http://x\")", "customer_last_name": "Smith",
         "customer_first_name": "Al", "customer_estimate_name": None, "salesrep_email": "rep@example.com",
         "salesrep_first_name": "Rae", "salesrep_last_name": "Ng", "sale_amount": Decimal("-12.50")},
        {"salespro_id": "a2", "salespro_created_at": dt.datetime(2025, 6, 18, 14, 30, 0, 123456, tzinfo=dt.UTC),
         "salespro_updated_at": dt.datetime(1899, 12, 31, 23, 0, tzinfo=dt.UTC), "is_sale": False,
         "result_full_string": None, "customer_last_name": None, "customer_first_name": None,
         "customer_estimate_name": None, "salesrep_email": None, "salesrep_first_name": None,
         "salesrep_last_name": None, "sale_amount": Decimal("1234567.89")},
    ],
    "Claim": [
        {"claim_number": "CLM-1", "first_name": "Ana", "last_name": "Diaz", "date_of_birth": dt.date(1899, 5, 1),
         "subscriber_id": "000123", "payer_id": "60054", "status": "Pending", "status_code": "P1",
         "total_charged": Decimal("720.00"), "total_paid": Decimal("0.00"), "processed_date": dt.date(2024, 5, 2),
         "payer_claim_number": None, "check_number": "-0001", "service_date_from": dt.date(1900, 3, 1),
         "service_date_to": None, "paid_date": None},
    ],
}
ROUND_TRIP_TARGETS = list(RECORDS)


def rows_of(columns: Sequence[ExportColumn], records: list[dict[str, Any]]) -> list[tuple]:
    return [tuple(record.get(column.name) for column in columns) for record in records]


def import_compatible(target_name: str) -> tuple[ImportTarget, list[ExportColumn], list[tuple]]:
    target = get_target(target_name)
    columns = columns_import_compatible(target)
    return target, columns, rows_of(columns, RECORDS[target_name])


def every_column(target_name: str) -> tuple[ImportTarget, list[ExportColumn]]:
    target = get_target(target_name)
    return target, columns_available(target)


def write(file_format: str, path: Path, columns: Sequence[ExportColumn], rows: list[tuple],
          report: ReportInfo = REPORT, blocks: int = 1):
    """Write `rows` to `path` in `blocks` blocks; the writer, closed (its stream left open, then closed here)."""
    with open(path, "wb") as stream:
        writer = WRITERS[file_format](stream, columns, report)
        size = max(1, -(-len(rows) // blocks))
        for start in range(0, len(rows), size):
            writer.write_rows(rows[start : start + size])
        writer.close()
        assert not stream.closed
    return writer


def write_to_memory(file_format: str, columns: Sequence[ExportColumn], rows: list[tuple],
                    report: ReportInfo = REPORT) -> bytes:
    stream = io.BytesIO()
    writer = WRITERS[file_format](stream, columns, report)
    writer.write_rows(rows)
    writer.close()
    return stream.getvalue()


def imported_back(path: Path, target: ImportTarget) -> list[dict[str, Any]]:
    """Each row of the file as an import cleans it: {field name: value}."""
    with Table(path, header_score=target.header_score) as table:
        records = []
        for row in table.rows():
            cells = dict(zip(table.columns, row.cells, strict=True))
            records.append({field.name: field.clean(cells.get(field.name, "")) for field in target.fields})
        return records
