"""A real-sized SalesPro export: 50,000 appointments in batches of 500, then the same export again."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salespro.models import SalesProAppointment, SalesProSyncHistory, SalesProUser

from .conftest import EXPORT_COLUMNS

pytestmark = pytest.mark.django_db

ROWS = 50_000
BATCHES = ROWS // 500


def export_bytes(rows: int) -> bytes:
    """Rows as SalesPro writes them: a byte-order mark, dotted columns, a few dozen reps in mixed case, sales with
    and without an amount. Built as text in one go, since the csv module would take longer than the import."""
    lines = [",".join(EXPORT_COLUMNS)]
    for n in range(rows):
        rep = n % 40
        email = f"Rep{rep}@Example.com" if n % 2 else f"rep{rep}@example.com"
        sale, amount = ("true", f'"${n % 9000 + 1000:,}.{n % 100:02d}"') if n % 3 == 0 else ("", "")
        lines.append(
            f"SP{n:07d},2025-06-{n % 28 + 1:02d}T{n % 24:02d}:15:00.{n % 1000:03d}Z,2025-06-30T08:00:00Z,{sale},"
            f"Result {n % 17},Last{n},First{n},Estimate {n},{email},Rep,Number{rep},{amount}"
        )
    return ("\ufeff" + "\n".join(lines) + "\n").encode()


def test_fifty_thousand_rows_with_one_look_up_a_batch_then_all_unchanged(company, command, write_file,
                                                                         key_look_ups):
    path = str(write_file("SalesPro-big.csv", export_bytes(ROWS)))

    with CaptureQueriesContext(connection) as captured:
        first = command("csv_salespro_appointments", path, "--json")

    assert first.status == 0, first.stderr
    assert json.loads(first.stdout)["created"] == ROWS
    assert len(key_look_ups) == BATCHES
    assert all(len(keys) == 500 for keys in key_look_ups)
    assert len(captured) < 20 * BATCHES  # a handful of statements a batch, none a row
    assert SalesProAppointment.objects.filter(company=company).count() == ROWS
    assert SalesProUser.objects.filter(company=company).count() == 40
    assert SalesProAppointment.objects.filter(is_sale=True, sale_amount__isnull=False).count() == (ROWS + 2) // 3

    key_look_ups.clear()

    second = command("csv_salespro_appointments", path, "--json")

    output = json.loads(second.stdout)
    assert (second.status, output["created"], output["updated"], output["unchanged"], output["failed"]) == (
        0, 0, 0, ROWS, 0
    )
    assert len(key_look_ups) == BATCHES
    latest = SalesProSyncHistory.objects.order_by("-started_at").first()
    assert (latest.records_processed, latest.records_skipped) == (ROWS, ROWS)
