"""Imported appointments where people look at them: the records page, exports that import back, the admin."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

from .conftest import appointment

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(company, write_export, run_import):
    rows = [appointment("A1"), appointment("A2", isSale="", saleAmount="", **{"salesrep.email": "Bob@Example.com"})]
    return run_import(write_export(rows), target="SalesProAppointment")


def test_the_records_page_shows_appointments_with_their_rep(client, user, imported):
    client.force_login(user)

    page = client.get(reverse("imports:records", args=["SalesProAppointment"])).content.decode()

    assert "A1" in page
    assert "Bob@example.com" in page  # email-validator lower-cases the domain


def test_an_export_imports_back_unchanged(company, imported, command, tmp_path, run_import):
    output = tmp_path / "appointments.csv"

    result = command("export_data", "--model", "SalesProAppointment", "--format", "csv", "--output", str(output))
    job = run_import(output, target="SalesProAppointment")

    assert result.status == 0, result.stderr
    lines = output.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("salespro_id,salespro_created_at,salespro_updated_at,is_sale,")
    assert (job.total_records, job.unchanged_records, job.failed_records) == (2, 2, 0)


@pytest.mark.parametrize("model", ["salesprouser", "salesproappointment", "salesprosynchistory"])
def test_the_admin_lists_each_salespro_model(client, company, imported, command, write_export, model):
    command("csv_salespro_appointments", str(write_export([appointment("A3")], "sync.csv")))
    client.force_login(UserFactory(company=company, is_staff=True, is_superuser=True))

    response = client.get(reverse(f"admin:salespro_{model}_changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1
