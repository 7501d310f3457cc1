"""The undo pages seen through one company: another company's import, its records and its records' histories are
404; a refusal is said on the page; the records an import changed are listed, and only those."""

import pytest
from django.urls import reverse

from customers.models import Customer
from imports.jobs.inprocess import job_run
from imports.jobs.undo_services import undo_create
from imports.models import ImportExportJob
from tests.customers.test_customer_import import HEADER, row
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(company, run_import, write_file) -> ImportExportJob:
    run_import(write_file("first.csv", "\n".join([HEADER, row(1), row(2)]) + "\n"))
    return run_import(write_file("second.csv", "\n".join([HEADER, row(2, city="Shelbyville"), row(3)]) + "\n"))


def test_another_companys_import_records_and_history_are_not_found(client, other_company, imported):
    client.force_login(UserFactory(company=other_company, username="bob"))
    record = Customer.objects.get(account_number="5000000003")

    assert client.get(reverse("imports:job_undo", args=[imported.pk])).status_code == 404
    assert client.post(reverse("imports:job_undo", args=[imported.pk])).status_code == 404
    records = reverse("imports:records", args=["Customer"])
    assert client.get(f"{records}?import={imported.pk}&change=created").status_code == 404
    assert client.get(reverse("imports:record", args=["Customer", record.pk])).status_code == 404
    assert Customer.objects.count() == 3


def test_the_records_an_import_created_and_updated_are_listed_and_only_those(client, user, imported):
    client.force_login(user)
    records = reverse("imports:records", args=["Customer"])

    created = client.get(f"{records}?import={imported.pk}&change=created").content.decode()
    updated = client.get(f"{records}?import={imported.pk}&change=updated").content.decode()

    assert "5000000003" in created
    assert "5000000002" not in created
    assert "5000000001" not in created
    assert "5000000002" in updated
    assert "5000000003" not in updated
    assert "Only the 1 customers that the import of" in created


def test_a_record_page_shows_each_import_and_what_it_changed(client, user, imported):
    client.force_login(user)
    record = Customer.objects.get(account_number="5000000002")

    page = client.get(reverse("imports:record", args=["Customer", record.pk])).content.decode()

    assert "city: Springfield → Shelbyville" in page
    assert "first.csv" in page
    assert "Created it" in page


def test_an_undone_import_says_so_and_refuses_a_second_undo(client, user, imported):
    job_run(job=undo_create(imported, user=user, enqueue=False))
    client.force_login(user)

    page = client.get(reverse("imports:job_detail", args=[imported.pk])).content.decode()
    response = client.post(reverse("imports:job_undo", args=[imported.pk]), follow=True)

    assert f"Undone by {user.username} at" in page
    assert "it cannot be undone twice" in response.content.decode()
    assert ImportExportJob.objects.filter(job_type="undo").count() == 1
