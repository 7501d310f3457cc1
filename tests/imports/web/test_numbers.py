"""Counts on the pages are written one way, with thousands separators (12,345), as the live updates write them."""

import re

import pytest
from django.urls import reverse

from crm.models import CustomerGroup
from imports.models import ImportExportJob
from tests.conftest import GUIDE_CSV
from tests.imports.web.test_review_guards import validated

pytestmark = pytest.mark.django_db

COUNTS = {
    "total_records": 23456, "processed_records": 23456, "created_records": 12345, "updated_records": 5678,
    "unchanged_records": 3210, "skipped_records": 3210, "failed_records": 2223,
}


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def assert_grouped(page: str, *numbers: int) -> None:
    for number in numbers:
        assert f"{number:,}" in page
        assert not re.search(rf"(?<![\w-]){number}(?![\w-])", page)  # written alone, not inside an id


def test_the_job_page_and_the_dashboard_group_thousands(signed_in, run_import, write_file):
    job = run_import(write_file("customers.csv", GUIDE_CSV))
    ImportExportJob.objects.filter(pk=job.pk).update(**COUNTS)

    job_page = signed_in.get(reverse("imports:job_detail", args=[job.pk])).text
    dashboard = signed_in.get(reverse("imports:job_list")).text

    assert_grouped(job_page, 23456, 12345, 5678, 2223)
    assert_grouped(dashboard, 23456, 12345, 5678, 2223)


def test_the_review_page_groups_thousands(signed_in, django_capture_on_commit_callbacks):
    created = validated(signed_in, django_capture_on_commit_callbacks)
    ImportExportJob.objects.filter(pk=created.validation_job.pk).update(**COUNTS)

    page = signed_in.get(reverse("imports:wizard_review", args=[created.pk])).text

    assert_grouped(page, 23456, 12345, 5678, 2223)
    assert "Import 18,023 rows (2,223 failing rows left out)</button>" in page


def test_the_records_page_groups_thousands(signed_in, company):
    CustomerGroup.objects.bulk_create(
        CustomerGroup(company=company, name=f"Group {number}", group_type="BUSINESS") for number in range(1234)
    )

    page = signed_in.get(reverse("imports:records", args=["CustomerGroup"])).text

    assert "1,234 in all" in page
    assert "1234 in all" not in page


def test_the_job_logs_summary_groups_thousands():
    from imports.jobs.import_kind import _summary

    summary = _summary(ImportExportJob(dry_run=False, **COUNTS))

    assert summary == ("Import finished: 23,456 rows, 12,345 created, 5,678 updated, 3,210 unchanged, 0 skipped, "
                       "2,223 failed.")
