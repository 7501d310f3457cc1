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
    assert response["Content-Type"] == "text/csv; charset=utf-8"  # as the API gives it
    assert body.splitlines()[1].startswith("1,Invalid email format,2,Bad,Email,notanemail")


def test_another_companys_user_gets_404_everywhere(client, other_company, job_with_report):
    client.force_login(UserFactory(company=other_company))

    for url in job_urls(job_with_report):
        assert client.get(url).status_code == 404


def test_media_files_are_not_served_at_any_public_url(client, user, job_with_report):
    client.force_login(user)

    assert client.get("/media/" + job_with_report.error_report.name).status_code == 404


GOOD_CSV = GUIDE_HEADER + "\nGood,Row,good@example.com,555-555-5556,1 A St,X,IL,62702,M9,,active,residential\n"


def test_dashboard_filters_by_status_type_user_and_date(client, user, company, write_file, run_import):
    import datetime as dt

    from django.utils import timezone

    other_user = UserFactory(company=company, username="bob")
    mine = run_import(write_file("mine.csv", GOOD_CSV), user=user)
    dry = run_import(write_file("dry.csv", GOOD_CSV), user=other_user, dry_run=True)
    old = run_import(write_file("old.csv", GOOD_CSV), user=user)
    ImportExportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    ImportExportJob.objects.filter(pk=dry.pk).update(job_status="failed")
    client.force_login(user)

    def listed(**filters):
        response = client.get(reverse("imports:job_list"), filters)
        return {job.pk for job in response.context["page"].object_list}

    assert listed() == {mine.pk, old.pk}  # dry runs only when asked for
    assert listed(dry_runs="on") == {mine.pk, dry.pk, old.pk}
    assert listed(status="failed", dry_runs="on") == {dry.pk}
    assert listed(user=str(other_user.pk), dry_runs="on") == {dry.pk}
    assert listed(user=str(other_user.pk)) == set()
    assert listed(job_type="export") == set()
    assert listed(target="Customer", date_from=(timezone.localdate() - dt.timedelta(days=7)).isoformat(),
                  dry_runs="on") == {mine.pk, dry.pk}
    assert listed(date_to=(timezone.localdate() - dt.timedelta(days=30)).isoformat()) == {old.pk}


def test_dashboard_chart_counts_rows_imported_per_day_without_dry_runs(client, user, write_file, run_import):
    run_import(write_file("a.csv", GOOD_CSV), user=user)
    run_import(write_file("b.csv", GUIDE_HEADER + "\n" + GOOD_CSV.splitlines()[1].replace("M9", "M8")
                          .replace("good@", "other@")), user=user)
    run_import(write_file("c.csv", GOOD_CSV), user=user, dry_run=True)
    client.force_login(user)

    chart = client.get(reverse("imports:job_list")).context["chart"]

    assert len(chart) == 30
    assert chart[-1]["rows"] == 2  # today: two imports of one row each; the dry run does not count
    assert chart[-1]["height"] == 100
    assert sum(bar["rows"] for bar in chart[:-1]) == 0


def test_records_page_lists_only_the_companys_records(client, user, other_company, write_file, run_import):
    run_import(write_file("mine.csv", GOOD_CSV))
    run_import(write_file("theirs.csv", GOOD_CSV.replace("Good,Row", "Their,Customer")), into=other_company)
    client.force_login(user)

    page = client.get(reverse("imports:records", args=["Customer"])).content.decode()

    assert "good@example.com" in page
    assert "Their" not in page
    assert client.get(reverse("imports:records", args=["Nothing"])).status_code == 404


def test_template_library_renames_edits_and_deletes(client, user, company, other_company):
    from imports.models import DataTemplate

    template = DataTemplate.objects.create(company=company, target_model="Customer", template_name="Old",
                                           field_mapping={"Zip": "postal_code"})
    DataTemplate.objects.create(company=company, target_model="Customer", template_name="Taken")
    DataTemplate.objects.create(company=other_company, target_model="Customer", template_name="Theirs")
    client.force_login(user)
    url = reverse("imports:template_edit", args=[template.pk])

    page = client.get(reverse("imports:template_list")).content.decode()
    assert "Old" in page
    assert "Theirs" not in page
    taken = client.post(url, {"template_name": "Taken", "mapping_text": "Zip = postal_code"})
    assert "Another template is already named &#x27;Taken&#x27;." in taken.content.decode()
    wrong = client.post(url, {"template_name": "New", "mapping_text": "Zip = zipcode"})
    assert "Customer has no field &#x27;zipcode&#x27;" in wrong.content.decode()

    client.post(url, {"template_name": "New", "mapping_text": "Zip = postal_code\nTown = city\nNotes ="})
    template.refresh_from_db()
    assert (template.template_name, template.field_mapping) == (
        "New", {"Zip": "postal_code", "Town": "city", "Notes": None},
    )
    client.post(reverse("imports:template_delete", args=[template.pk]))
    assert not DataTemplate.objects.filter(pk=template.pk).exists()


def test_the_claims_records_page_masks_patient_details_until_asked_and_records_the_showing(client, user, company):
    from claims.models import Claim
    from imports.models import AuditEvent

    Claim.objects.create(company=company, claim_number="ZE59426195", first_name="CHANTAL", last_name="KISA",
                         date_of_birth="1975-05-10", subscriber_id="057896633")
    client.force_login(user)
    url = reverse("imports:records", args=["Claim"])

    masked = client.get(url).content.decode()
    assert "ZE59426195" in masked
    assert "C•••" in masked
    assert "•••••6633" in masked
    assert [secret for secret in ("CHANTAL", "KISA", "1975-05-10", "057896633") if secret in masked] == []
    assert not AuditEvent.objects.exists()

    shown = client.get(url, {"show": "details"}).content.decode()
    assert "CHANTAL" in shown
    assert "057896633" in shown
    event = AuditEvent.objects.get()
    assert (event.action, event.job, event.company, event.user, event.via) == (
        "details_shown", None, company, user, "web"
    )


def test_a_records_page_without_sensitive_fields_shows_everything(client, user, write_file, run_import):
    run_import(write_file("mine.csv", GOOD_CSV))
    client.force_login(user)

    page = client.get(reverse("imports:records", args=["Customer"])).content.decode()

    assert "good@example.com" in page
    assert "Show details" not in page
