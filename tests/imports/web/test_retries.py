"""Retrying an import's failed rows from its page: the button, the corrected report's upload, the links both ways."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.models import Customer
from imports.jobs.inprocess import job_run
from imports.models import ImportExportJob
from tests.customers.test_customer_import import HEADER, row
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def first(company, write_file, run_import) -> ImportExportJob:
    rows = [row(1), row(2, email="not-an-email"), row(3, state="ZZ")]
    return run_import(write_file("customers.csv", "\n".join([HEADER, *rows]) + "\n"))


def page(client, job) -> str:
    return client.get(reverse("imports:job_detail", args=[job.pk])).content.decode()


def test_the_page_offers_both_ways_to_retry(client, user, first):
    client.force_login(user)

    html = page(client, first)

    assert "Retry the 2 failed rows" in html
    assert reverse("imports:job_retry", args=[first.pk]) in html
    assert "Upload the corrected error report" in html
    assert 'enctype="multipart/form-data"' in html


def test_retrying_as_they_are_starts_a_linked_job_and_opens_its_page(client, user, first):
    client.force_login(user)

    response = client.post(reverse("imports:job_retry", args=[first.pk]))

    retry = ImportExportJob.objects.get(parent=first)
    assert response.status_code == 302
    assert response.url == reverse("imports:job_detail", args=[retry.pk])
    assert (retry.created_by, retry.file_name) == (user, "customers_failed_rows.csv")
    html = page(client, retry)
    assert "Retry of the failed rows of" in html
    assert reverse("imports:job_detail", args=[first.pk]) in html
    assert reverse("imports:job_retry", args=[retry.pk]) not in html  # not before it has ended
    listed = page(client, first)
    assert "Retried as:" in listed
    assert reverse("imports:job_detail", args=[retry.pk]) in listed


def test_a_second_click_on_retry_opens_the_retry_the_first_started(client, user, first):
    client.force_login(user)
    started = client.post(reverse("imports:job_retry", args=[first.pk]))

    again = client.post(reverse("imports:job_retry", args=[first.pk]), follow=True)

    retry = ImportExportJob.objects.get(parent=first)  # one retry, not two
    assert started.url == again.redirect_chain[0][0] == reverse("imports:job_detail", args=[retry.pk])
    assert f"already being retried as job {retry.pk}" in again.content.decode()
    listed = page(client, first)
    assert reverse("imports:job_retry", args=[first.pk]) not in listed  # no button while it runs, but why
    assert "One retry at a time: retry again once" in listed
    job_run(job=retry)
    listed = page(client, first)
    assert reverse("imports:job_retry", args=[first.pk]) in listed
    assert "One retry at a time" not in listed


def test_the_corrected_report_is_uploaded_and_its_fixed_rows_import(client, user, company, first):
    client.force_login(user)
    fixed = f"row_number,error_message,{HEADER}\n2,Invalid email format,{row(2)}\n3,Invalid state code,{row(3)}\n"

    response = client.post(reverse("imports:job_retry_upload", args=[first.pk]),
                           {"file": SimpleUploadedFile("fixed.csv", fixed.encode())})

    retry = ImportExportJob.objects.get(parent=first)
    assert response.url == reverse("imports:job_detail", args=[retry.pk])
    retry = job_run(job=retry)
    assert (retry.created_records, retry.failed_records) == (2, 0)
    assert Customer.objects.filter(company=company).count() == 3


def test_a_refusal_is_one_message_on_the_first_jobs_page(client, user, company, write_file, run_import):
    clean = run_import(write_file("clean.csv", f"{HEADER}\n{row(1)}\n"))
    client.force_login(user)

    response = client.post(reverse("imports:job_retry", args=[clean.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("imports:job_detail", args=[clean.pk])
    assert f"Job {clean.pk} has no failed rows to retry." in response.content.decode()
    assert not ImportExportJob.objects.filter(parent=clean).exists()
    assert reverse("imports:job_retry", args=[clean.pk]) not in page(client, clean)
    assert "Upload the corrected error report" not in page(client, clean)


def test_a_bad_corrected_file_is_refused_with_its_sentence(client, user, first):
    client.force_login(user)

    response = client.post(reverse("imports:job_retry_upload", args=[first.pk]),
                           {"file": SimpleUploadedFile("fixed.csv", HEADER.encode() + b"\n")}, follow=True)

    assert "The file has a header row but no data rows." in response.content.decode()
    assert not ImportExportJob.objects.filter(parent=first).exists()


def test_a_dry_run_offers_no_retry(client, user, company, write_file, run_import):
    dry = run_import(write_file("c.csv", f"{HEADER}\n{row(1, email='bad')}\n"), dry_run=True)
    client.force_login(user)

    assert reverse("imports:job_retry", args=[dry.pk]) not in page(client, dry)
    assert "Upload the corrected error report" not in page(client, dry)


def test_another_companys_job_is_404(client, other_company, first):
    client.force_login(UserFactory(company=other_company, username="bob"))

    assert client.post(reverse("imports:job_retry", args=[first.pk])).status_code == 404
    assert client.post(reverse("imports:job_retry_upload", args=[first.pk])).status_code == 404
    assert not ImportExportJob.objects.filter(parent=first).exists()


def test_a_get_is_not_allowed(client, user, first):
    client.force_login(user)

    assert client.get(reverse("imports:job_retry", args=[first.pk])).status_code == 405
