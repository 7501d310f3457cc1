"""The export pages: the builder (columns, order, the import-compatible switch, filters, format, preview, export,
save as a template, refusals shown beside their part with the input kept), export jobs on the dashboard and their
page (progress, cancel, the audited download, run again), the template library's export templates (run now, edit in
the builder, schedule), and two companies on every path."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from imports.declare import get_target
from imports.jobs.export_services import export_job_create, export_template_save
from imports.jobs.inprocess import job_run
from imports.models import AuditEvent, DataTemplate, ImportExportJob
from tests.customers.test_customer_import import HEADER, row
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

BUILDER = "/exports/"
Status = ImportExportJob.Status
IMPORT_COLUMNS = [field.name for field in get_target("Customer").fields]


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def customers(company, other_company):
    mine = [
        CustomerFactory(company=company, account_number=f"10{n:02d}", status="active" if n % 3 else "inactive",
                        postal_code="02134", connection_date=dt.date(2024, 1, 1 + n))
        for n in range(12)
    ]
    CustomerFactory(company=other_company, account_number="9001", status="active")
    return mine


def posted(columns=("account_number", "status"), *, order=None, format="csv", action="preview", **extra) -> dict:
    """A builder POST as the page sends it: every column in its order, the chosen ones ticked."""
    names = order or [*columns, *(name for name in IMPORT_COLUMNS if name not in columns)]
    return {"target": "Customer", "order": names, "columns": list(columns), "format": format, "action": action,
            **extra}


def page_text(response) -> str:
    return response.content.decode()


def checked_columns(response) -> list[str]:
    return [choice.column.name for choice in response.context["form"].columns if choice.chosen]


# --- The builder ---------------------------------------------------------------------------------------------


def test_the_navigation_links_the_builder_and_it_offers_every_target(signed_in):
    response = signed_in.get(BUILDER)

    page = page_text(response)
    assert '<a href="/exports/">Export</a>' in page
    assert "What do you want to export?" in page
    for name in ("Customer", "MeterReading", "Account", "Contact", "CustomerGroup", "SalesProAppointment", "Claim"):
        assert f"?target={name}" in page


def test_a_new_export_starts_with_the_import_compatible_columns_named_by_their_labels(signed_in):
    response = signed_in.get(BUILDER, {"target": "Customer"})

    page = page_text(response)
    assert checked_columns(response) == IMPORT_COLUMNS
    assert response.context["form"].import_compatible
    assert re.search(r'id="import-compatible"[^>]* checked', page)
    assert '<label for="column-box-postal_code">Postal code</label>' in page
    assert ">Address verification</label> <span class=\"badge\"" in page  # read-only, worked out by the product
    assert "postal_code</label>" not in page


def test_an_unknown_target_is_refused_with_the_known_ones(signed_in):
    response = signed_in.get(BUILDER, {"target": "Spaceship"})

    assert response.status_code == 400
    assert "Unknown model &#x27;Spaceship&#x27;: choose one of Account" in page_text(response)


def test_the_preview_shows_the_first_ten_rows_of_the_companys_own_and_the_count(signed_in, customers):
    response = signed_in.post(BUILDER, posted(("account_number", "postal_code")))

    preview = response.context["preview"]
    assert response.status_code == 200
    assert preview["total"] == 12
    assert preview["headers"] == ["Account number", "Postal code"]
    assert [row[0] for row in preview["rows"]] == [f"10{n:02d}" for n in range(10)]
    assert "9001" not in page_text(response)
    assert "12 rows</strong> to export as CSV" in page_text(response)


def test_filters_of_every_kind_narrow_the_preview_and_are_described(signed_in, customers):
    response = signed_in.post(BUILDER, posted(**{
        "filter-status-in": ["active"], "filter-connection_date-from": "2024-01-03",
        "filter-connection_date-to": "2024-01-08", "filter-account_number-op": "contains",
        "filter-account_number-value": "10",
    }))

    preview = response.context["preview"]
    assert [row for row in preview["rows"]] == [
        ["1002", "active"], ["1004", "active"], ["1005", "active"], ["1007", "active"],
    ]
    assert preview["filters"] == [
        "Account number contains “10”", "Status is active", "Connection date from 2024-01-03",
        "Connection date up to 2024-01-08",
    ]


def test_a_pdf_over_its_cap_shows_why_beside_the_format(signed_in, customers, settings):
    settings.EXPORT_PDF_MAX_ROWS = 5

    response = signed_in.post(BUILDER, posted(format="pdf"))

    page = page_text(response)
    assert "A PDF holds at most 5 rows and this export has 12" in response.context["preview"]["refusal"]
    format_part = page[page.index("<legend>Format</legend>"):page.index("builder-actions")]
    assert "A PDF holds at most 5 rows" in format_part


def test_export_creates_the_job_asked_for_and_opens_its_page(signed_in, customers, company, user):
    response = signed_in.post(BUILDER, posted(("postal_code", "account_number"), format="json", action="export",
                                              **{"filter-status-in": ["inactive"]}))

    job = ImportExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:job_detail", args=[job.pk])
    assert (job.company, job.created_by, job.job_type, job.file_format) == (company, user, "export", "json")
    assert job.options["via"] == "web"
    assert job.options["export"] == {
        "target": "Customer", "columns": ["postal_code", "account_number"],
        "filters": [{"field": "status", "op": "in", "value": ["inactive"]}], "format": "json",
    }


def test_a_refused_filter_is_shown_beside_its_field_and_nothing_entered_is_lost(signed_in, customers):
    order = ["status", "account_number", *(name for name in IMPORT_COLUMNS if name not in ("status", "account_number"))]
    response = signed_in.post(BUILDER, posted(("status", "account_number"), order=order, action="export", **{
        "filter-connection_date-from": "15/01/2024", "filter-city-value": "Spring", "filter-city-op": "equals",
        "template_name": "Monthly",
    }))

    page = page_text(response)
    form = response.context["form"]
    assert response.status_code == 400
    assert not ImportExportJob.objects.exists()
    date_filter = next(item for item in form.filters if item.name == "connection_date")
    assert "The filter on Connection date" in date_filter.error
    assert "use YYYY-MM-DD" in date_filter.error
    fieldset = page[page.index("<legend>Connection date</legend>"):]
    assert "use YYYY-MM-DD" in fieldset[:fieldset.index("</fieldset>")]
    assert 'value="15/01/2024"' in page
    assert 'name="filter-city-value" value="Spring"' in page
    assert '<option value="equals" selected>is</option>' in page
    assert 'value="Monthly"' in page
    assert checked_columns(response) == ["status", "account_number"]


def test_no_column_chosen_is_refused_beside_the_columns(signed_in, customers):
    response = signed_in.post(BUILDER, posted((), action="export"))

    assert response.status_code == 400
    assert '<p class="error" role="alert" id="error-columns">Choose at least one column.</p>' in page_text(response)
    assert not ImportExportJob.objects.exists()


def test_an_unknown_format_is_refused_beside_the_format(signed_in, customers):
    response = signed_in.post(BUILDER, posted(format="docx", action="export"))

    assert response.status_code == 400
    assert 'id="error-format">Unknown format &#x27;docx&#x27;' in page_text(response)


def test_a_move_button_reorders_the_columns_without_javascript(signed_in):
    response = signed_in.post(BUILDER, posted(("account_number", "status", "email"), move="down:account_number"))

    assert checked_columns(response) == ["status", "account_number", "email"]
    assert response.context["preview"] is None


def test_untick_all_and_tick_all_buttons_work_without_javascript(signed_in):
    none = signed_in.post(BUILDER, posted(("email",), pick="none"))
    every = signed_in.post(BUILDER, posted(("email",), pick="all"))

    assert checked_columns(none) == []
    assert len(checked_columns(every)) == len(get_target("Customer").export_fields)


def test_switching_import_compatible_on_selects_exactly_the_import_columns_in_order(signed_in):
    switched = signed_in.post(BUILDER, posted(("email", "consumption_is_not_here", "account_number"),
                                              import_compatible="on", action=""))

    assert checked_columns(switched) == IMPORT_COLUMNS
    assert switched.context["form"].import_compatible


def test_changing_a_column_while_the_switch_shows_on_turns_it_off(signed_in):
    fewer = [name for name in IMPORT_COLUMNS if name != "notes"]
    response = signed_in.post(BUILDER, posted(fewer, import_compatible="on", was_import_compatible="on", action=""))

    assert checked_columns(response) == fewer
    assert not response.context["form"].import_compatible


def test_the_import_job_filter_offers_the_companys_finished_real_imports_of_the_target(signed_in, company,
                                                                                      other_company):
    def job(**fields):
        values = {"company": company, "job_type": "import", "target_model": "Customer", "job_status": "completed",
                  "file_name": "mine.csv", **fields}
        return ImportExportJob.objects.create(**values)

    offered = job()
    cancelled = job(job_status="cancelled", file_name="stopped.csv")
    job(dry_run=True, file_name="dry.csv")
    job(job_status="running", file_name="running.csv")
    job(target_model="MeterReading", file_name="readings.csv")
    job(company=other_company, file_name="theirs.csv")

    response = signed_in.get(BUILDER, {"target": "Customer"})

    assert set(response.context["import_jobs"]) == {offered, cancelled}


def test_the_import_job_filter_keeps_the_rows_that_import_wrote(signed_in, company, customers, run_import,
                                                                 write_file):
    job = run_import(write_file("one.csv", f"{HEADER}\n{row(7777)}\n"))

    response = signed_in.post(BUILDER, posted(("account_number",), import_job=str(job.pk)))

    assert response.context["preview"]["rows"] == [["5000007777"]]


def test_health_data_is_masked_in_the_preview(signed_in, company):
    from claims.models import Claim

    Claim.objects.create(company=company, claim_number="ZE59426195", first_name="CHANTAL", last_name="KISA",
                         date_of_birth="1975-05-10", subscriber_id="057896633")
    response = signed_in.post(BUILDER, {"target": "Claim", "order": ["claim_number", "first_name"],
                                        "columns": ["claim_number", "first_name"], "action": "preview"})

    page = page_text(response)
    assert "ZE59426195" in page
    assert "CHANTAL" not in page
    assert "Patient details are masked here" in page


# --- Saving as a template ------------------------------------------------------------------------------------


def test_save_as_template_keeps_the_columns_filters_and_format(signed_in, company):
    response = signed_in.post(BUILDER, posted(("account_number", "email"), format="excel", action="save",
                                              template_name="Active customers", **{"filter-status-in": ["active"]}))

    template = DataTemplate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('imports:template_list')}#template-{template.pk}"
    assert (template.company, template.template_type, template.template_name, template.target_model) == (
        company, "export", "Active customers", "Customer"
    )
    assert (template.columns, template.file_format) == (["account_number", "email"], "excel")
    assert template.filters == [{"field": "status", "op": "in", "value": ["active"]}]


def test_a_taken_template_name_is_refused_beside_the_name_with_the_input_kept(signed_in, company):
    export_template_save({"target": "Customer"}, company=company, name="Weekly")

    response = signed_in.post(BUILDER, posted(("email",), action="save", template_name="Weekly"))

    page = page_text(response)
    assert response.status_code == 400
    assert 'id="error-name">An export template for customers is already called &#x27;Weekly&#x27;.' in page
    assert checked_columns(response) == ["email"]
    assert DataTemplate.objects.count() == 1


def test_a_template_opens_in_the_builder_filled_in_and_saving_changes_it(signed_in, company):
    template = export_template_save(
        {"target": "Customer", "columns": ["email", "city"], "format": "pdf",
         "filters": [{"field": "connection_date", "op": "gte", "value": "2024-01-05"},
                     {"field": "status", "op": "equals", "value": "active"}]},
        company=company, name="Report",
    )

    opened = signed_in.get(reverse("imports:template_edit", args=[template.pk]), follow=True)
    form = opened.context["form"]
    assert checked_columns(opened) == ["email", "city"]
    assert form.file_format == "pdf"
    assert form.template_name == "Report"
    assert {item.name: (item.low, item.chosen) for item in form.filters if item.active} == {
        "connection_date": ("2024-01-05", []), "status": ("", ["active"]),
    }
    signed_in.post(BUILDER, posted(("city",), action="save", template=str(template.pk), template_name="Report 2"))
    template.refresh_from_db()
    assert (template.template_name, template.columns, template.filters) == ("Report 2", ["city"], [])
    assert DataTemplate.objects.count() == 1


def test_a_filter_the_builder_has_no_input_for_is_kept(signed_in, company):
    template = export_template_save(
        {"target": "Customer", "columns": ["email"],
         "filters": [{"field": "city", "op": "contains", "value": "Spring"},
                     {"field": "city", "op": "contains", "value": "field"}]},
        company=company, name="Two cities",
    )

    opened = signed_in.get(BUILDER, {"template": str(template.pk)})
    extra = opened.context["form"].extra_filters
    assert [item.data for item in extra] == [{"field": "city", "op": "contains", "value": "field"}]
    signed_in.post(BUILDER, posted(("email",), action="save", template=str(template.pk), template_name="Two cities",
                                   **{"filter-city-value": "Spring", "extra_filter": [extra[0].posted]}))
    template.refresh_from_db()
    assert template.filters == [{"field": "city", "op": "contains", "value": "Spring"},
                                {"field": "city", "op": "contains", "value": "field"}]


# --- Export jobs -----------------------------------------------------------------------------------------------


def _export(company, user=None, **data):
    spec = {"target": "Customer", "columns": ["account_number", "status"],
            "filters": [{"field": "status", "op": "in", "value": ["active"]}], "format": "csv", **data}
    return export_job_create(spec, company=company, via="web", user=user, enqueue=False)


def test_the_job_page_shows_what_was_exported_and_the_download(signed_in, company, user, customers):
    job = job_run(job=_export(company, user))

    page = page_text(signed_in.get(reverse("imports:job_detail", args=[job.pk])))

    assert "Export of customers as CSV" in page
    assert "<li>Status is active</li>" in page
    assert "Account number, Status" in page
    assert f'href="{reverse("imports:export_download", args=[job.pk])}"' in page
    assert "Run again" in page
    assert "error report" not in page.lower()


def test_a_scheduled_runs_page_names_its_template_and_the_failed_run_it_retries(signed_in, company, template):
    failed = export_job_create({"target": "Customer"}, company=company, via="schedule", template=template,
                               enqueue=False)
    retry = export_job_create({"target": "Customer"}, company=company, via="schedule", template=template,
                              parent=failed, enqueue=False)

    page = page_text(signed_in.get(reverse("imports:job_detail", args=[retry.pk])))

    assert "by the schedule of “Active customers”" in page
    assert f'<a href="{reverse("imports:job_detail", args=[failed.pk])}">the run of' in page


def test_a_running_export_shows_live_progress_and_cancel(signed_in, company, user, customers):
    job = _export(company, user)

    page = page_text(signed_in.get(reverse("imports:job_detail", args=[job.pk])))
    progress = signed_in.get(reverse("imports:job_progress", args=[job.pk])).json()

    assert f'data-progress-url="{reverse("imports:job_progress", args=[job.pk])}"' in page
    assert "Cancel the export" in page
    assert (progress["status"], progress["finished"]) == ("pending", False)


def test_cancel_stops_an_export_through_the_export_service(signed_in, company, user, customers):
    job = _export(company, user)

    response = signed_in.post(reverse("imports:job_cancel", args=[job.pk]), follow=True)

    job.refresh_from_db()
    assert job.job_status == Status.CANCELLED
    assert "The export was cancelled; no file is kept." in page_text(response)
    again = signed_in.post(reverse("imports:job_cancel", args=[job.pk]), follow=True)
    assert "The export has already ended: cancelled." in page_text(again)


def test_a_download_is_an_attachment_recorded_in_the_audit_trail_with_the_address(signed_in, company, user,
                                                                                 customers):
    job = job_run(job=_export(company, user))

    response = signed_in.get(reverse("imports:export_download", args=[job.pk]), REMOTE_ADDR="203.0.113.9")

    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response["Content-Disposition"] == f'attachment; filename="{job.file_name}"'
    assert response["Content-Type"].startswith("text/csv")
    assert content.splitlines()[:2] == ["account_number,status", "1001,active"]
    event = AuditEvent.objects.get()
    assert (event.action, event.job, event.user, event.via, event.address) == (
        "download", job, user, "web", "203.0.113.9"
    )


def test_a_download_before_the_file_exists_says_why_on_the_job_page(signed_in, company, user, customers):
    job = _export(company, user)

    response = signed_in.get(reverse("imports:export_download", args=[job.pk]), follow=True)

    assert "The export has no file to download: it is pending." in page_text(response)
    assert not AuditEvent.objects.exists()


def test_the_upload_file_view_never_serves_an_exports_file_unaudited(signed_in, company, user, customers):
    job = job_run(job=_export(company, user))

    assert signed_in.get(reverse("imports:job_file", args=[job.pk])).status_code == 404


def test_run_again_asks_for_the_same_export_as_a_new_job(signed_in, company, user, customers):
    first = job_run(job=_export(company, user))

    response = signed_in.post(reverse("imports:export_run_again", args=[first.pk]))

    again = ImportExportJob.objects.exclude(pk=first.pk).get()
    assert response["Location"] == reverse("imports:job_detail", args=[again.pk])
    assert again.options["export"] == first.options["export"]
    assert (again.created_by, again.options["via"]) == (user, "web")


def test_change_and_run_again_opens_the_builder_with_the_jobs_export(signed_in, company, user, customers):
    job = _export(company, user, format="json")

    response = signed_in.get(BUILDER, {"job": str(job.pk)})

    assert checked_columns(response) == ["account_number", "status"]
    assert response.context["form"].file_format == "json"


def test_the_dashboard_lists_exports_beside_imports_with_their_download(signed_in, company, user, customers):
    done = job_run(job=_export(company, user))
    ImportExportJob.objects.create(company=company, job_type="import", target_model="Customer", file_name="in.csv")

    page = page_text(signed_in.get(reverse("imports:job_list")))

    assert '<span class="badge badge-export">Export</span> CSV' in page
    assert f'href="{reverse("imports:export_download", args=[done.pk])}"' in page
    assert "in.csv" in page
    assert "12 rows exported" not in page  # eight of the twelve are active
    assert "8 rows exported" in page
    assert page_text(signed_in.get(reverse("imports:job_list"), {"job_type": "export"})).count("badge-export") == 1


def test_the_records_page_offers_to_export_its_records(signed_in):
    page = page_text(signed_in.get(reverse("imports:records", args=["MeterReading"])))

    assert '<a class="button" href="/exports/?target=MeterReading">Export these</a>' in page


# --- Export templates in the library ---------------------------------------------------------------------------


@pytest.fixture
def template(company):
    return export_template_save(
        {"target": "Customer", "columns": ["account_number", "postal_code"], "format": "excel",
         "filters": [{"field": "status", "op": "in", "value": ["active"]}]},
        company=company, name="Active customers",
    )


def test_the_library_lists_export_templates_with_records_columns_format_and_filters(signed_in, template):
    page = page_text(signed_in.get(reverse("imports:template_list")))

    card = page[page.index(f'id="template-{template.pk}"'):]
    card = card[:card.index("</article>")]
    assert "Active customers" in card
    assert "<dd>Customers</dd>" in card
    assert "<dd>Account number, Postal code</dd>" in card
    assert "<dd>Excel (.xlsx)</dd>" in card
    assert "<dd>Status is active</dd>" in card
    assert "Not scheduled" in card
    assert f'href="/exports/?template={template.pk}"' in card


def test_run_now_starts_a_job_of_the_template(signed_in, user, template, customers):
    response = signed_in.post(reverse("imports:export_template_run", args=[template.pk]))

    job = ImportExportJob.objects.get()
    assert response["Location"] == reverse("imports:job_detail", args=[job.pk])
    assert (job.template, job.created_by, job.file_format) == (template, user, "excel")


def test_a_refused_run_is_shown_beside_its_template(signed_in, company, customers, settings):
    settings.EXPORT_PDF_MAX_ROWS = 2
    pdf = export_template_save({"target": "Customer", "format": "pdf"}, company=company, name="Report")

    response = signed_in.post(reverse("imports:export_template_run", args=[pdf.pk]))

    card = page_text(response)[page_text(response).index(f'id="template-{pdf.pk}"'):]
    assert response.status_code == 400
    assert "A PDF holds at most 2 rows and this export has 12" in card[:card.index("</article>")]
    assert not ImportExportJob.objects.exists()


def test_a_schedule_is_set_described_and_shows_its_next_run(signed_in, template):
    response = signed_in.post(reverse("imports:export_template_schedule", args=[template.pk]),
                              {"frequency": "weekly", "time": "07:00", "weekday": "0", "day": "15"}, follow=True)

    template.refresh_from_db()
    page = page_text(response)
    assert (template.schedule, template.schedule_time, template.schedule_weekday) == ("weekly", dt.time(7), 0)
    assert template.schedule_day is None  # a day of the month means nothing to a weekly schedule
    assert template.next_run_at is not None
    assert "Every Monday at 07:00" in page
    assert "runs every Monday at 07:00." in page
    assert timezone.localtime(template.next_run_at).strftime("%Y-%m-%d %H:%M") in page


def test_a_schedule_is_cleared(signed_in, template):
    url = reverse("imports:export_template_schedule", args=[template.pk])
    signed_in.post(url, {"frequency": "daily", "time": "06:30"})

    response = signed_in.post(url, {"frequency": "", "time": "06:30"}, follow=True)

    template.refresh_from_db()
    assert (template.schedule, template.next_run_at) == ("", None)
    assert "no longer runs on a schedule" in page_text(response)


@pytest.mark.parametrize(("entered", "words"), [
    ({"frequency": "hourly", "time": "07:00"}, "Choose how often it runs"),
    ({"frequency": "daily", "time": "7 o'clock"}, "is not a time"),
    ({"frequency": "monthly", "time": "07:00", "day": "first"}, "is not a day of the month"),
])
def test_a_schedule_that_cannot_be_read_is_refused_beside_its_form_as_entered(signed_in, template, entered, words):
    response = signed_in.post(reverse("imports:export_template_schedule", args=[template.pk]), entered)

    page = page_text(response)
    card = page[page.index(f'id="template-{template.pk}"'):]
    card = card[:card.index("</article>")]
    assert response.status_code == 400
    assert words in card
    assert f'value="{entered["time"]}"'.replace("'", "&#x27;") in card
    template.refresh_from_db()
    assert template.schedule == ""


def test_a_schedule_the_service_refuses_is_shown_beside_its_form(signed_in, template):
    response = signed_in.post(reverse("imports:export_template_schedule", args=[template.pk]),
                              {"frequency": "weekly", "time": ""})

    page = page_text(response)
    card = page[page.index(f'id="template-{template.pk}"'):]
    assert response.status_code == 400
    assert "Choose the time of day the export runs." in card[:card.index("</article>")]
    assert '<option value="weekly" selected>Weekly</option>' in card


# --- Two companies ---------------------------------------------------------------------------------------------


def test_another_companys_export_jobs_and_templates_are_404_on_every_path(client, company, other_company, customers):
    theirs_user = UserFactory(company=other_company)
    theirs_job = job_run(job=_export(other_company, theirs_user))
    theirs_template = export_template_save({"target": "Customer"}, company=other_company, name="Theirs")
    client.force_login(UserFactory(company=company))

    for name in ("job_detail", "job_progress", "export_download"):
        assert client.get(reverse(f"imports:{name}", args=[theirs_job.pk])).status_code == 404, name
    for name in ("job_cancel", "export_run_again"):
        assert client.post(reverse(f"imports:{name}", args=[theirs_job.pk])).status_code == 404, name
    assert client.get(BUILDER, {"job": str(theirs_job.pk)}).status_code == 404
    assert client.get(BUILDER, {"template": str(theirs_template.pk)}).status_code == 404
    assert client.post(BUILDER, posted(action="save", template=str(theirs_template.pk),
                                       template_name="Mine now")).status_code == 404
    for name in ("export_template_run", "export_template_schedule", "template_delete"):
        assert client.post(reverse(f"imports:{name}", args=[theirs_template.pk]),
                           {"frequency": "daily", "time": "07:00"}).status_code == 404, name
    assert client.get(reverse("imports:template_edit", args=[theirs_template.pk])).status_code == 404
    assert "Theirs" not in page_text(client.get(reverse("imports:template_list")))
    assert "badge-export" not in page_text(client.get(reverse("imports:job_list")))
    assert ImportExportJob.objects.filter(company=company).count() == 0
    assert not AuditEvent.objects.exists()
    theirs_template.refresh_from_db()
    assert (theirs_template.template_name, theirs_template.schedule) == ("Theirs", "")


def test_a_job_or_template_id_that_is_no_id_is_a_404(signed_in):
    assert signed_in.get(BUILDER, {"template": "nope"}).status_code == 404
    assert signed_in.get(BUILDER, {"job": "nope"}).status_code == 404

