"""The job page and the dashboard: counts that add up to the rows, dry runs told apart (and hidden unless asked
for), the face each job came from, the chart, and a running job's page agreeing with itself without JavaScript."""

import pytest
from django.urls import reverse

from imports.jobs.progress import job_progress_data
from imports.models import ImportExportJob
from tests.conftest import GUIDE_CSV

pytestmark = pytest.mark.django_db

# The guide's two customers with account numbers of their own, so a second import finds both stored.
KEYED_CSV = GUIDE_CSV.replace(",,active", ",{n},active").replace("{n}", "1111111111", 1).replace("{n}", "2222222222")
# One more customer beside them, and a row with a bad email.
MORE_ROWS = (
    "Ann,Lee,ann@example.com,555-555-5557,9 Elm St,Springfield,IL,62703,MTR-3,3333333333,active,residential\n"
    "Bad,Email,notanemail,555-555-5558,1 A St,Springfield,IL,62704,MTR-4,4444444444,active,residential\n"
)


@pytest.fixture
def reimport(write_file, run_import, user):
    """A file imported once, then again with one new row and one bad row: 1 created, 2 unchanged, 1 failed."""
    run_import(write_file("first.csv", KEYED_CSV), user=user)
    return run_import(write_file("again.csv", KEYED_CSV + MORE_ROWS), user=user)


def counts_on_page(page: str) -> dict[str, str]:
    import re

    return dict(re.findall(r'<dd data-field="(\w+)">([^<]*)</dd>', page))


def test_the_job_page_counts_add_up_to_the_rows(client, user, reimport):
    client.force_login(user)

    page = client.get(reverse("imports:job_detail", args=[reimport.pk])).content.decode()

    counts = counts_on_page(page)
    assert counts == {"total_rows": "4", "processed_rows": "4", "created": "1", "updated": "0", "unchanged": "2",
                      "skipped": "0", "failed": "1"}
    outcomes = sum(int(counts[name]) for name in ("created", "updated", "unchanged", "skipped", "failed"))
    assert outcomes == int(counts["total_rows"])


def test_the_dashboard_the_progress_answer_and_the_api_agree_on_skipped(client, user, reimport):
    from tests.imports.api.conftest import token_client

    client.force_login(user)

    row = client.get(reverse("imports:job_list")).content.decode().split(f'data-job-counts="{reimport.pk}"')[1]
    answer = token_client(user).get(f"/api/imports/{reimport.pk}").json()

    assert '<td data-field="unchanged">2</td>' in row
    assert '<td data-field="skipped">0</td>' in row
    assert job_progress_data(reimport)["skipped"] == 0
    assert (answer["unchanged_rows"], answer["skipped_rows"]) == (2, 0)


def test_rows_skipped_by_the_mode_are_counted_as_skipped_only(client, user, write_file, run_import):
    run_import(write_file("first.csv", KEYED_CSV), user=user)
    job = run_import(write_file("again.csv", KEYED_CSV), user=user, mode="create", duplicates="skip")
    client.force_login(user)

    counts = counts_on_page(client.get(reverse("imports:job_detail", args=[job.pk])).content.decode())

    assert (counts["unchanged"], counts["skipped"], counts["total_rows"]) == ("0", "2", "2")


def test_dry_runs_are_hidden_from_the_dashboard_unless_asked_for_and_say_would(client, user, write_file,
                                                                               run_import):
    done = run_import(write_file("done.csv", KEYED_CSV), user=user)
    dry = run_import(write_file("rehearsal.csv", KEYED_CSV + MORE_ROWS), user=user, dry_run=True)
    client.force_login(user)

    hidden = client.get(reverse("imports:job_list"))
    shown = client.get(reverse("imports:job_list"), {"dry_runs": "on"})

    assert list(hidden.context["page"].object_list) == [done]
    assert "rehearsal.csv" not in hidden.content.decode()
    assert list(shown.context["page"].object_list) == [dry, done]
    row = shown.content.decode().split(f'data-job-counts="{dry.pk}"')[1].split("</tr>")[0]
    assert '<span class="badge badge-dry-run">Dry run</span>' in row
    assert '<span class="would">would create</span> <span data-field="created">1</span>' in row
    assert '<td><span data-field="unchanged">2</span></td>' in row
    assert '<span class="would">would fail</span> <span data-field="failed">1</span>' in row


def test_the_dashboard_says_so_when_there_is_nothing_to_chart(client, user):
    client.force_login(user)

    page = client.get(reverse("imports:job_list")).content.decode()

    assert "Nothing was imported in the last 30 days" in page
    assert 'class="day-chart"' not in page


def test_the_chart_has_axes_when_there_is_something_to_chart(client, user, write_file, run_import):
    run_import(write_file("done.csv", KEYED_CSV), user=user)
    client.force_login(user)

    page = client.get(reverse("imports:job_list")).content.decode()

    assert '<div class="chart-axis-y" aria-hidden="true"><span>2</span><span>0</span></div>' in page
    assert 'class="chart-axis-x"' in page


def test_a_long_file_name_keeps_its_whole_name_in_a_title(client, user, write_file, run_import):
    name = "customers_of_the_springfield_office_november_2026_corrected_final.csv"
    run_import(write_file(name, KEYED_CSV), user=user)
    client.force_login(user)

    page = client.get(reverse("imports:job_list")).content.decode()

    assert f'<td class="filename" title="{name}">{name}</td>' in page


def test_a_running_jobs_page_agrees_with_itself_without_javascript(client, user, write_file, run_import):
    job = run_import(write_file("big.csv", KEYED_CSV), user=user)
    ImportExportJob.objects.filter(pk=job.pk).update(
        job_status="running", total_records=100, processed_records=70, created_records=60, updated_records=0,
        unchanged_records=0, skipped_records=0, failed_records=10, completed_at=None,
    )
    client.force_login(user)

    page = client.get(reverse("imports:job_detail", args=[job.pk])).content.decode()

    assert f'<span class="badge badge-running" data-job-status="{job.pk}">Running</span>' in page
    assert 'value="70"' in page
    counts = counts_on_page(page)
    assert (counts["processed_rows"], counts["created"], counts["failed"]) == ("70", "60", "10")
    assert '<span data-field="status_label">Running</span>' in page


@pytest.mark.parametrize(("via", "shown"), [("web", "Browser"), ("api", "API"), ("cli", "Command line")])
def test_the_face_a_job_came_from_is_shown_on_the_dashboard_and_the_job_page(client, user, write_file, run_import,
                                                                           via, shown):
    job = run_import(write_file("c.csv", KEYED_CSV), user=user, via=via)
    client.force_login(user)

    listed = client.get(reverse("imports:job_list")).content.decode()
    page = client.get(reverse("imports:job_detail", args=[job.pk])).content.decode()

    badge = f'<span class="via via-{via}" title="Where the job was asked for">{shown}</span>'
    assert badge in listed
    assert badge in page
    assert f"<dt>From</dt><dd>{shown}</dd>" in page
