"""The job page's Continue import button: offered for a cancelled or failed import, it continues the same job."""

import pytest
from django.core.files import File
from django.urls import reverse

from imports.engine.options import ImportOptions
from imports.jobs.inprocess import job_run
from imports.jobs.services import job_create
from imports.jobs.stopping import job_cancel
from imports.models import ImportExportJob
from tests.conftest import GUIDE_CSV
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def make_job(company, write_file):
    def make(**options) -> ImportExportJob:
        with open(write_file("guide.csv", GUIDE_CSV), "rb") as handle:
            return job_create(company=company, target_name="Customer", file=File(handle, name="guide.csv"),
                              file_name="guide.csv", options=ImportOptions(**options))

    return make


def test_a_cancelled_import_offers_to_continue_and_continues_on_the_same_job(signed_in, make_job):
    job = make_job()
    job_cancel(job, "Cancelled.")
    page = signed_in.get(reverse("imports:job_detail", args=[job.pk])).content.decode()
    assert "Continue import" in page
    assert "Continue from the start: no row had been imported yet." in page
    assert f'action="{reverse("imports:job_resume", args=[job.pk])}"' in page

    response = signed_in.post(reverse("imports:job_resume", args=[job.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("imports:job_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.job_status == "pending"
    assert job.logs.filter(message__startswith="Continued by alice from the start").exists()
    page = signed_in.get(response["Location"]).content.decode()
    assert "The import continues from where it stopped." in page
    assert "Continue import" not in page


def test_the_page_names_the_row_the_import_continues_from(signed_in, make_job, settings):
    job = make_job()
    job_run(job=job)  # completed: nothing to offer
    assert "Continue import" not in signed_in.get(reverse("imports:job_detail", args=[job.pk])).content.decode()
    job.chunks.update(status="cancelled", checkpoint_row=1)
    ImportExportJob.objects.filter(pk=job.pk).update(job_status="cancelled")

    page = signed_in.get(reverse("imports:job_detail", args=[job.pk])).content.decode()

    assert "Continue from row 2: rows already imported are not imported again." in page


def test_a_dry_run_offers_no_continue_and_a_forced_post_says_why(signed_in, make_job):
    job = make_job(dry_run=True)
    job_cancel(job, "Cancelled.")
    assert "Continue import" not in signed_in.get(reverse("imports:job_detail", args=[job.pk])).content.decode()

    response = signed_in.post(reverse("imports:job_resume", args=[job.pk]), follow=True)

    assert "A dry run writes nothing, so there is nothing to continue" in response.content.decode()
    job.refresh_from_db()
    assert job.job_status == "cancelled"


def test_another_companys_job_is_not_found(client, make_job, other_company):
    job = make_job()
    job_cancel(job, "Cancelled.")
    client.force_login(UserFactory(company=other_company, username="bob"))

    assert client.post(reverse("imports:job_resume", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.job_status == "cancelled"


def test_continuing_needs_a_post(signed_in, make_job):
    job = make_job()
    job_cancel(job, "Cancelled.")

    assert signed_in.get(reverse("imports:job_resume", args=[job.pk])).status_code == 405
