"""Reading an export's rows: on PostgreSQL they are fetched ahead, in a thread on a connection of its own, and must be
exactly the rows of the ORM's plain `values_list` (same rows, order, values and types, with filters and the targets'
readable lookups); the caller's commits between rows do not disturb them; stopped early or failing, the reading
leaves no thread or connection behind. On SQLite (and inside a transaction) the rows are read a page at a time, and
held to the same.

The tests run outside a test transaction, as an export job does: a second connection sees only committed rows."""

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from crm.models import Account, Contact, CustomerGroup
from customers.models import Customer
from imports.declare import get_target
from imports.engine.exports import rows as rows_module
from imports.engine.exports.columns import columns_available
from imports.engine.exports.rows import blocks_read
from imports.engine.exports.spec import ExportSpec
from readings.models import MeterReading
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)

AWKWARD_NOTES = ["", "Gate code 4411", 'Zoë said "hi", then left', "two\nlines", "=SUM(A1:A2)", "naïve ✓ 東京"]


@pytest.fixture(autouse=True)
def _small_blocks(monkeypatch):
    """Blocks and pages of a few rows, so that a few dozen records make many of them (and fill the queue ahead of
    the writer)."""
    monkeypatch.setattr(rows_module, "BLOCK_ROWS", 2)
    monkeypatch.setattr(rows_module, "PAGE_ROWS", 3)


@pytest.fixture
def customers(company, other_company):
    checked = timezone.make_aware(dt.datetime(2024, 3, 5, 14, 30, 15, 123456))
    made = [
        CustomerFactory(
            company=company, account_number=f"10{n:03d}", status=["active", "inactive", "suspended"][n % 3],
            connection_date=None if n % 5 == 0 else dt.date(2020, 1, 1) + dt.timedelta(days=n * 40),
            notes=AWKWARD_NOTES[n % len(AWKWARD_NOTES)], address_checked_at=checked if n % 4 == 0 else None,
            first_name=["Ada", "José", "Zoë"][n % 3],
        )
        for n in range(37)
    ]
    CustomerFactory(company=other_company, account_number="99999")
    return made


@pytest.fixture
def accounts(company):
    people = CustomerGroup.objects.create(company=company, name="Individuals", group_type="INDIVIDUAL")
    businesses = CustomerGroup.objects.create(company=company, name="Businesses", group_type="BUSINESS")
    head = Account.objects.create(company=company, account_number="ACC-1", name="Acme Holdings",
                                  customer_group=businesses, website="https://acme.example.com")
    for n in range(2, 27):
        individual = n % 2 == 0
        account = Account.objects.create(
            company=company, account_number=f"ACC-{n}", name=f"Account {n}", customer_group=people if individual
            else businesses, parent_account=None if individual else head, description=AWKWARD_NOTES[n % 6],
        )
        if individual and n % 4 == 0:
            Contact.objects.create(company=company, account=account, first_name=f"Pat {n}", last_name="Lee",
                                   email=f"pat{n}@example.com", phone="+15555550100", is_primary=True)


@pytest.fixture
def readings(customers, company):
    for n, customer in enumerate(customers[:20]):
        day = dt.date(2024, 1, 1) + dt.timedelta(days=n)
        MeterReading.objects.create(
            company=company, customer=customer, meter_number=customer.meter_number, reading_date=day,
            reading_value=Decimal(f"{n * 1000}.{n:03d}"), consumption=None if n % 3 == 0 else Decimal(f"-{n}.5"),
            notes=AWKWARD_NOTES[n % 6], reading_key=f"{customer.meter_number}@{day.isoformat()}",
        )


def _spec(target_name: str, company, filters=()) -> ExportSpec:
    """An export of every column the target offers."""
    columns = [column.name for column in columns_available(get_target(target_name))]
    return ExportSpec.from_data({"target": target_name, "columns": columns, "filters": list(filters)},
                                company=company)


def _plain_rows(spec: ExportSpec, company) -> list[tuple]:
    """The rows the ORM's plain `values_list` gives, on the caller's connection."""
    return list(spec.queryset(company).values_list(*(column.name for column in spec.columns)))


def _rows(spec: ExportSpec, company) -> list[tuple]:
    """The rows the export reads, its blocks laid end to end (none of them empty)."""
    blocks = list(spec.blocks(company))
    assert all(blocks)
    return [row for block in blocks for row in block]


def _typed(rows) -> list[list[tuple]]:
    return [[(type(value), value) for value in row] for row in rows]


def _readers() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "export-rows"]


@pytest.mark.parametrize(("target_name", "filters"), [
    ("Customer", []),
    ("Customer", [{"field": "status", "op": "in", "value": ["active", "suspended"]},
                  {"field": "connection_date", "op": "gte", "value": "2021-01-01"}]),
    ("Customer", [{"field": "notes", "op": "contains", "value": "zoë"}]),
    ("Account", []),
    ("Account", [{"field": "customer_group", "op": "equals", "value": "individuals"},
                 {"field": "primary_contact_email", "op": "contains", "value": "example"}]),
    ("MeterReading", [{"field": "reading_value", "op": "gte", "value": "3000"}]),
])
def test_rows_read_are_the_orms_rows_value_for_value_and_type_for_type(company, customers, accounts, readings,
                                                                      target_name, filters):
    spec = _spec(target_name, company, filters)
    expected = _plain_rows(spec, company)

    read = _rows(spec, company)

    assert len(expected) > rows_module.PAGE_ROWS  # several blocks or pages
    if filters:
        assert len(expected) < len(_plain_rows(_spec(target_name, company), company))  # the filters narrowed it
    assert _typed(read) == _typed(expected)
    assert _readers() == []


def test_the_readable_lookups_and_the_readings_values_come_through_as_stored(company, accounts, readings):
    """The values compared above are the meaningful ones: names for references, the primary contact's fields,
    decimals and dates as decimals and dates."""
    account = {row[2]: row for row in _rows(_spec("Account", company), company)}["ACC-4"]
    reading = _rows(_spec("MeterReading", company), company)[0]

    assert "Individuals" in account
    assert {"Pat 4", "pat4@example.com"} <= set(account)
    assert {type(value) for value in reading} >= {Decimal, dt.date, str}


def test_the_callers_commits_between_rows_do_not_disturb_the_reading(company, customers):
    """An export commits its progress about once a second on its own connection while it reads."""
    spec = _spec("Customer", company)
    expected = _plain_rows(spec, company)
    read = []

    for number, block in enumerate(spec.blocks(company)):
        read.extend(block)
        with transaction.atomic():
            Customer.objects.filter(pk=customers[0].pk).update(rate_code=f"R{number}")

    assert _typed(read) == _typed(expected)


def test_a_reading_stopped_early_leaves_no_thread_or_connection_behind(company, customers):
    """A cancelled export, or a writer's error, stops reading in the middle."""
    postgresql = connection.vendor == "postgresql"
    before = _database_sessions() if postgresql else 0
    blocks = ExportSpec.from_data({"target": "Customer", "columns": ["account_number"]},
                                  company=company).blocks(company)

    first = next(blocks)
    readers, sessions_while_reading = _readers(), _database_sessions() if postgresql else 0
    blocks.close()

    assert first[0] == ("10000",)
    assert _readers() == []
    if postgresql:
        # While it read, the rows came from a thread of their own on a connection of their own, which is closed.
        assert (len(readers), sessions_while_reading) == (1, before + 1)
        assert _database_sessions(settled_at=before) == before


def test_a_database_error_while_reading_reaches_the_caller(company, customers):
    broken = Customer.objects.filter(company=company).annotate(broken=RawSQL("SELECT 1 FROM no_such_table", []))

    with pytest.raises(DatabaseError):
        list(blocks_read(broken, ["account_number", "broken"]))

    assert _readers() == []


def test_inside_a_transaction_the_callers_own_uncommitted_rows_are_read(company, customers):
    with transaction.atomic():
        CustomerFactory(company=company, account_number="20000")

        blocks = blocks_read(Customer.objects.filter(company=company), ["account_number"])
        read = {row[0] for block in blocks for row in block}

        assert "20000" in read
        assert _readers() == []
    assert len(read) == len(customers) + 1


def _database_sessions(settled_at: int | None = None) -> int:
    """Sessions open on the test database (PostgreSQL); with `settled_at`, waits a little for the count to come
    down to it (a closed connection's server process ends just after)."""
    for _attempt in range(50):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
            sessions = cursor.fetchone()[0]
        if settled_at is None or sessions == settled_at:
            return sessions
        time.sleep(0.1)
    return sessions


def test_without_server_side_cursors_the_rows_are_read_a_page_at_a_time(company, customers, monkeypatch):
    """Behind a pooler that needs DISABLE_SERVER_SIDE_CURSORS, Django's cursor would take every row at once."""
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    spec = _spec("Customer", company)
    blocks = spec.blocks(company)

    first = next(blocks)
    readers = _readers()
    read = [*first, *(row for block in blocks for row in block)]

    assert readers == []
    assert len(first) == rows_module.PAGE_ROWS
    assert _typed(read) == _typed(_plain_rows(spec, company))
