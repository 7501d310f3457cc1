"""A user whose job finished is told on the next page of the product they open (and by the page they are on, which
asks `job_notices` while a job of theirs is going): once, with the counts and a link, for their own jobs only."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from imports.models import ImportExportJob
from tests.factories import UserFactory
from tests.imports.web.test_job_pages import KEYED_CSV, MORE_ROWS

pytestmark = pytest.mark.django_db

TEMPLATES = reverse("imports:template_list")


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)  # sets last_login: jobs that ended after it are news
    ImportExportJob.objects.all().delete()
    return client


def finished(job: ImportExportJob, **changes) -> ImportExportJob:
    """The job as if it ended just now (after the user signed in)."""
    ImportExportJob.objects.filter(pk=job.pk).update(completed_at=timezone.now() + dt.timedelta(seconds=1),
                                                     **changes)
    job.refresh_from_db()
    return job


def test_the_next_page_tells_that_a_job_finished_once_with_a_link(signed_in, user, write_file, run_import):
    job = finished(run_import(write_file("customers.csv", KEYED_CSV + MORE_ROWS), user=user))

    first = signed_in.get(TEMPLATES).content.decode()
    second = signed_in.get(TEMPLATES).content.decode()

    assert "Your import of customers.csv finished: 3 created, 1 failed." in first
    assert f'<a href="{reverse("imports:job_detail", args=[job.pk])}">See the job</a>' in first
    assert "Your import of customers.csv" not in second


def test_a_failed_or_cancelled_job_is_told_as_such(signed_in, user, write_file, run_import):
    finished(run_import(write_file("a.csv", KEYED_CSV), user=user), job_status="cancelled")

    page = signed_in.get(TEMPLATES).content.decode()

    assert "Your import of a.csv was cancelled." in page


def test_others_jobs_dry_runs_and_jobs_ended_before_sign_in_are_not_told(signed_in, user, company, write_file,
                                                                         run_import):
    finished(run_import(write_file("theirs.csv", KEYED_CSV), user=UserFactory(company=company, username="bob")))
    finished(run_import(write_file("rehearsal.csv", KEYED_CSV), user=user, dry_run=True))
    old = run_import(write_file("old.csv", KEYED_CSV), user=user)
    ImportExportJob.objects.filter(pk=old.pk).update(completed_at=user.last_login - dt.timedelta(minutes=5))

    page = signed_in.get(TEMPLATES).content.decode()

    assert "Your import" not in page


def test_the_jobs_own_page_does_not_tell_it_again(signed_in, user, write_file, run_import):
    job = finished(run_import(write_file("customers.csv", KEYED_CSV), user=user))

    own = signed_in.get(reverse("imports:job_detail", args=[job.pk])).content.decode()
    elsewhere = signed_in.get(TEMPLATES).content.decode()

    assert "Your import of customers.csv" not in own + elsewhere


def test_a_page_listens_while_a_job_is_going_and_the_answer_carries_the_notice(signed_in, user, write_file,
                                                                                run_import):
    job = run_import(write_file("customers.csv", KEYED_CSV), user=user)
    ImportExportJob.objects.filter(pk=job.pk).update(job_status="running", completed_at=None)

    page = signed_in.get(TEMPLATES).content.decode()
    finished(job, job_status="completed")
    answer = signed_in.get(reverse("imports:job_notices")).json()

    assert f'data-notices-url="{reverse("imports:job_notices")}"' in page
    assert answer["listen"] is False
    assert [notice["text"] for notice in answer["notices"]] == ["Your import of customers.csv finished: 2 created."]
