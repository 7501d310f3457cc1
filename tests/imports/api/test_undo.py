"""Undoing an import through the API: 202 and the undo job, polled with GET; a dry run changes nothing; refusals
as one JSON sentence (409); another company's import is 404."""

import pytest

from customers.models import Customer
from imports.jobs.inprocess import job_run
from imports.models import ImportExportJob
from tests.customers.test_customer_import import HEADER, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(company, run_import, write_file) -> ImportExportJob:
    return run_import(write_file("customers.csv", "\n".join([HEADER, *(row(n) for n in range(1, 6))]) + "\n"))


def run_undo(answer: dict) -> ImportExportJob:
    return job_run(job=ImportExportJob.objects.get(pk=answer["id"]))


def test_an_undo_is_accepted_then_polled_and_takes_the_import_back(company, api, imported):
    response = api.post(f"/api/imports/{imported.pk}/undo", {}, format="json")

    assert response.status_code == 202
    answer = response.json()
    assert (answer["import_job_id"], answer["dry_run"], answer["status"]) == (str(imported.pk), False, "pending")
    run_undo(answer)
    polled = api.get(f"/api/imports/{imported.pk}/undo").json()
    assert (polled["status"], polled["changes"], polled["deleted"], polled["restored"], polled["kept"]) == (
        "completed", 5, 5, 0, 0)
    assert not Customer.objects.exists()


def test_a_dry_run_lists_what_would_be_kept_and_changes_nothing(company, api, imported):
    edited = Customer.objects.get(account_number="5000000002")
    edited.city = "Capital City"
    edited.save()

    answer = api.post(f"/api/imports/{imported.pk}/undo", {"dry_run": True}, format="json").json()
    run_undo(answer)

    polled = api.get(f"/api/imports/{imported.pk}/undo").json()
    assert (polled["dry_run"], polled["deleted"], polled["kept"]) == (True, 4, 1)
    assert polled["kept_records"][0]["record_id"] == edited.pk
    assert polled["kept_records"][0]["message"].startswith("5000000002 kept: changed since the import")
    assert Customer.objects.count() == 5


def test_a_second_undo_is_refused_with_a_sentence(company, api, imported):
    run_undo(api.post(f"/api/imports/{imported.pk}/undo", {}, format="json").json())

    response = api.post(f"/api/imports/{imported.pk}/undo", {}, format="json")

    assert response.status_code == 409
    assert "it cannot be undone twice" in response.json()["detail"]


def test_another_companys_import_is_not_found(company, other_api, imported):
    assert other_api.post(f"/api/imports/{imported.pk}/undo", {}, format="json").status_code == 404
    assert other_api.get(f"/api/imports/{imported.pk}/undo").status_code == 404
    assert Customer.objects.count() == 5


def test_an_import_never_undone_has_no_undo_to_show(company, api, imported):
    response = api.get(f"/api/imports/{imported.pk}/undo")

    assert response.status_code == 404
    assert response.json()["detail"].endswith("has not been undone, nor its undo rehearsed.")
