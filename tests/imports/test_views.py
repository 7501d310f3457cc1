"""The job pages: sign-in required, one company's jobs only, reports only through an authenticated view."""

import pytest
from django.urls import reverse

from imports.models import ImportExportJob
from tests.conftest import GUIDE_HEADER
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BAD_ROW_CSV = GUIDE_HEADER + "\nBad,Email,notanemail,555-555-5556,1 A St,X,IL,62702,M2,,active,residential\n"


@pytest.fixture
def job_with_report(company, write_file, run_import):
    return run_import(write_file("bad.csv", BAD_ROW_CSV))


def job_urls(job: ImportExportJob) -> list[str]:
    return [
        reverse("imports:job_detail", args=[job.pk]),
        reverse("imports:job_error_report", args=[job.pk]),
    ]


def test_every_page_needs_sign_in(client, job_with_report):
    for url in [reverse("imports:job_list"), *job_urls(job_with_report)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_job_list_shows_the_companys_jobs_newest_first(client, user, other_company, write_file, run_import):
    first = run_import(write_file("first.csv", BAD_ROW_CSV))
    second = run_import(write_file("second.csv", BAD_ROW_CSV))
    foreign = run_import(write_file("foreign.csv", BAD_ROW_CSV), into=other_company)
    client.force_login(user)

    response = client.get(reverse("imports:job_list"))

    jobs = list(response.context["page"].object_list)
    assert jobs == [second, first]
    assert foreign not in jobs
    assert "foreign.csv" not in response.content.decode()


def test_job_page_shows_counts_log_and_report_link(client, user, job_with_report):
    client.force_login(user)

    response = client.get(reverse("imports:job_detail", args=[job_with_report.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Invalid email format" in page
    assert reverse("imports:job_error_report", args=[job_with_report.pk]) in page


def test_log_filter_by_level(client, user, job_with_report):
    client.force_login(user)

    response = client.get(reverse("imports:job_detail", args=[job_with_report.pk]), {"level": "error"})

    assert {log.log_level for log in response.context["logs"].object_list} == {"error"}


def test_error_report_downloads_for_the_owner(client, user, job_with_report):
    client.force_login(user)

    response = client.get(reverse("imports:job_error_report", args=[job_with_report.pk]))

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="bad_errors.csv"'
    assert body.splitlines()[1].startswith("1,Invalid email format,Bad,Email,notanemail")


def test_another_companys_user_gets_404_everywhere(client, other_company, job_with_report):
    client.force_login(UserFactory(company=other_company))

    for url in job_urls(job_with_report):
        assert client.get(url).status_code == 404


def test_media_files_are_not_served_at_any_public_url(client, user, job_with_report):
    client.force_login(user)

    assert client.get("/media/" + job_with_report.error_report.name).status_code == 404
