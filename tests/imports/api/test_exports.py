"""The export API: start an export (or a template's), list, follow, preview, cancel and download export jobs; learn
what a target's exports offer. Every path with two companies: another company's job is a 404 like a job that never
was, and its rows never appear. Refusals are JSON, a bad request naming the part of it at fault."""

import csv
import io
import json
import uuid

import openpyxl
import pytest
from rest_framework.test import APIClient

from imports.jobs.export_services import export_template_save
from imports.jobs.inprocess import job_run
from imports.models import AuditEvent, ImportExportJob
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

EXPORTS = "/api/exports/"
Status = ImportExportJob.Status


def start(client, body, path: str = EXPORTS):
    return client.post(path, body, format="json")


def downloaded_rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def customers(company, other_company):
    """Three customers of Acme (two active), one of Globex."""
    mine = [
        CustomerFactory(company=company, account_number=f"100{n}", status=status, postal_code="02134")
        for n, status in enumerate(["active", "active", "inactive"])
    ]
    CustomerFactory(company=other_company, account_number="9001", status="active")
    return mine


@pytest.fixture
def finished(api, customers) -> ImportExportJob:
    """A completed CSV export of Acme's active customers, asked for through the API."""
    response = start(api, {"target": "Customer", "columns": ["account_number", "postal_code", "status"],
                           "filters": [{"field": "status", "op": "in", "value": ["active"]}]})
    return job_run(job=ImportExportJob.objects.get(pk=response.json()["id"]))


# --- Starting an export ----------------------------------------------------------------------------------------


def test_a_post_answers_202_with_the_pending_job_and_its_url(api, user, company, customers):
    response = start(api, {
        "target": "customer", "columns": ["account_number", "email"], "format": "XLSX",
        "filters": [{"field": "status", "op": "in", "value": ["active"]},
                    {"field": "connection_date", "op": "gte", "value": "2020-01-01"}],
    })

    assert response.status_code == 202, response.json()
    answer = response.json()
    job = ImportExportJob.objects.get(pk=answer["id"])
    assert (job.company, job.created_by, job.job_type, job.job_status) == (company, user, "export", Status.PENDING)
    assert response["Location"] == answer["url"] == f"http://testserver/api/exports/{job.pk}"
    assert (answer["status"], answer["target"], answer["format"]) == ("pending", "Customer", "excel")
    assert answer["columns"] == ["account_number", "email"]
    assert answer["filters"] == [{"field": "status", "op": "in", "value": ["active"]},
                                 {"field": "connection_date", "op": "gte", "value": "2020-01-01"}]
    assert answer["filters_described"] == ["Status is active", "Connection date from 2020-01-01"]
    assert (answer["requested_via"], answer["import_compatible"], answer["template"]) == ("api", False, None)
    assert (answer["file_url"], answer["cancel_url"]) == (None, f"{answer['url']}/cancel")
    assert answer["file_name"].startswith("customers-")
    assert answer["file_name"].endswith(".xlsx")


def test_no_columns_or_import_compatible_asks_for_exactly_the_columns_an_import_takes(api, customers):
    from imports.declare import get_target

    import_columns = [field.name for field in get_target("Customer").fields]
    plain = start(api, {"target": "Customer"}).json()
    compatible = start(api, {"target": "Customer", "columns": ["email"], "import_compatible": True}).json()

    for answer in (plain, compatible):
        assert (answer["columns"], answer["import_compatible"], answer["format"]) == (import_columns, True, "csv")


def test_a_template_gives_its_export_and_the_keys_sent_replace_its_own(api, company, user, customers):
    template = export_template_save(
        {"target": "Customer", "columns": ["account_number", "status"],
         "filters": [{"field": "status", "op": "in", "value": ["inactive"]}], "format": "json"},
        company=company, name="Dormant", user=user,
    )

    as_saved = start(api, {"template": "Dormant"}).json()
    as_csv = start(api, {"template": "Dormant", "format": "csv", "filters": []}).json()

    assert (as_saved["template"], as_saved["format"], as_saved["columns"]) == ("Dormant", "json",
                                                                              ["account_number", "status"])
    assert as_saved["filters_described"] == ["Status is inactive"]
    assert (as_csv["format"], as_csv["filters"], as_csv["columns"]) == ("csv", [], ["account_number", "status"])
    assert ImportExportJob.objects.get(pk=as_saved["id"]).template == template


def test_a_template_name_used_for_several_targets_is_picked_by_the_target(api, company, customers):
    export_template_save({"target": "Customer"}, company=company, name="Everything")
    export_template_save({"target": "MeterReading", "format": "json"}, company=company, name="Everything")

    unsure = start(api, {"template": "Everything"})
    readings = start(api, {"template": "Everything", "target": "meterreading"})

    assert (unsure.status_code, unsure.json()["part"]) == (400, "template")
    assert "Several export templates are named 'Everything' (Customer, MeterReading)" in unsure.json()["detail"]
    assert (readings.status_code, readings.json()["target"], readings.json()["format"]) == (
        202, "MeterReading", "json")


@pytest.mark.parametrize(("body", "part", "words"), [
    ({"target": "Lead"}, "target", "Unknown model 'Lead'"),
    ({"columns": ["email"]}, "target", "Name the target to export"),
    ({"target": "Customer", "columns": ["email", "shoe_size"]}, "columns", "Unknown column 'shoe_size'"),
    ({"target": "Customer", "columns": "email"}, "columns", "Columns must be a list of column names"),
    ({"target": "Customer", "format": "docx"}, "format", "Unknown format 'docx': use csv, xlsx, json or pdf."),
    ({"target": "Customer", "filters": {"field": "status"}}, "filters", "Filters must be a list"),
    ({"target": "Customer", "filters": [{"field": "status"}]}, "filters", 'needs a "field" and a "value"'),
    ({"target": "Customer", "filters": [{"field": "status", "op": "like", "value": "a"}]}, "filters",
     "Unknown filter operator 'like'"),
    ({"target": "Customer", "filters": [{"field": "status", "op": "in", "value": ["asleep"]}]}, "filters",
     "Invalid status 'asleep'"),
    ({"target": "Customer", "filters": [{"field": "connection_date", "op": "gte", "value": "15/01/2024"}]},
     "filters", "use YYYY-MM-DD"),
    ({"target": "Customer", "filters": [{"field": "shoe_size", "value": "9"}]}, "filters",
     "Unknown filter field 'shoe_size'"),
    ({"target": "Customer", "import_compatible": "maybe"}, "import_compatible", "must be true or false"),
    ({"template": "Nope"}, "template", "No export template named 'Nope'"),
])
def test_a_bad_request_is_refused_naming_its_part_and_no_job_exists(api, customers, body, part, words):
    response = start(api, body)

    assert response.status_code == 400
    assert response.json()["part"] == part
    assert words in response.json()["detail"]
    assert set(response.json()) == {"detail", "part"}
    assert not ImportExportJob.objects.exists()


def test_a_body_that_is_no_object_or_no_json_is_refused_as_a_whole(api, customers):
    listed = start(api, [{"target": "Customer"}])
    broken = api.post(EXPORTS, "{target", content_type="application/json")
    as_form = api.post(EXPORTS, {"target": "Customer"}, format="multipart")

    assert (listed.status_code, listed.json()) == (400, {
        "detail": 'Send the export as a JSON object: {"target", "columns", "filters", "format"}.', "part": None,
    })
    assert broken.status_code == 400
    assert "JSON parse error" in broken.json()["detail"]
    assert as_form.status_code == 415
    assert "multipart/form-data" in as_form.json()["detail"]
    assert not ImportExportJob.objects.exists()


def test_a_pdf_over_its_row_cap_is_refused_with_the_way_out(api, customers, settings):
    settings.EXPORT_PDF_MAX_ROWS = 2

    response = start(api, {"target": "Customer", "format": "pdf"})

    assert (response.status_code, response.json()["part"]) == (400, "format")
    assert "at most 2 rows and this export has 3" in response.json()["detail"]


def test_another_companys_template_or_import_job_cannot_be_named(api, other_company, customers):
    export_template_save({"target": "Customer"}, company=other_company, name="Theirs")
    their_import = ImportExportJob.objects.create(company=other_company, job_type="import", target_model="Customer")

    template = start(api, {"template": "Theirs"})
    import_filter = start(api, {"target": "Customer", "filters": [{"field": "import_job",
                                                                   "value": str(their_import.pk)}]})

    assert (template.status_code, template.json()["part"]) == (400, "template")
    assert (import_filter.status_code, import_filter.json()["part"]) == (400, "filters")
    assert "No import of yours" in import_filter.json()["detail"]


def test_a_request_without_a_token_is_refused(customers):
    response = APIClient().post(EXPORTS, {"target": "Customer"}, format="json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


# --- Following, listing, cancelling ----------------------------------------------------------------------------


def test_a_completed_job_shows_its_counts_and_file_link(api, finished):
    answer = api.get(f"{EXPORTS}{finished.pk}").json()

    assert (answer["status"], answer["total_rows"], answer["processed_rows"], answer["progress"]) == (
        "completed", 2, 2, 100)
    assert answer["file_url"] == f"http://testserver/api/exports/{finished.pk}/file"
    assert answer["cancel_url"] is None
    assert answer["completed_at"] is not None


def test_another_companys_job_is_a_404_like_a_job_that_never_was(other_api, finished):
    unknown = uuid.uuid4()
    for suffix in ("", "/file"):
        foreign = other_api.get(f"{EXPORTS}{finished.pk}{suffix}")
        never = other_api.get(f"{EXPORTS}{unknown}{suffix}")
        assert foreign.status_code == never.status_code == 404
        assert foreign.json()["detail"].replace(str(finished.pk), "<id>") == \
            never.json()["detail"].replace(str(unknown), "<id>")
    cancel = other_api.post(f"{EXPORTS}{finished.pk}/cancel")
    assert cancel.status_code == 404
    assert not AuditEvent.objects.exists()


def test_an_import_job_is_no_export_job(api, company):
    imported = ImportExportJob.objects.create(company=company, job_type="import", target_model="Customer")

    assert api.get(f"{EXPORTS}{imported.pk}").status_code == 404
    assert api.get(f"{EXPORTS}not-a-uuid").status_code == 404
    assert api.get(EXPORTS).json()["count"] == 0


def test_the_list_holds_the_companys_export_jobs_only_newest_first(api, other_api, company, customers):
    first = start(api, {"target": "Customer"}).json()["id"]
    second = start(api, {"target": "Customer", "format": "json"}).json()["id"]
    theirs = start(other_api, {"target": "Customer"}).json()["id"]
    ImportExportJob.objects.create(company=company, job_type="import", target_model="Customer")

    mine = api.get(EXPORTS).json()
    other = other_api.get(EXPORTS).json()

    assert [job["id"] for job in mine["results"]] == [second, first]
    assert [job["id"] for job in other["results"]] == [theirs]


def test_the_list_filters_by_status_and_target_and_refuses_unknown_words(api, finished, customers):
    pending = start(api, {"target": "Customer"}).json()["id"]

    assert [job["id"] for job in api.get(EXPORTS, {"status": "pending"}).json()["results"]] == [pending]
    assert [job["id"] for job in api.get(EXPORTS, {"status": "completed"}).json()["results"]] == [str(finished.pk)]
    assert api.get(EXPORTS, {"target": "meterreading"}).json()["count"] == 0
    assert api.get(EXPORTS, {"target": "Customer"}).json()["count"] == 2
    assert api.get(EXPORTS, {"status": "done"}).status_code == 400
    assert "Unknown target 'Lead'" in api.get(EXPORTS, {"target": "Lead"}).json()["detail"]


def test_a_pending_export_is_cancelled_and_an_ended_one_cannot_be(api, finished, customers):
    pending = start(api, {"target": "Customer"}).json()

    cancelled = api.post(pending["cancel_url"])
    again = api.post(pending["cancel_url"])
    completed = api.post(f"{EXPORTS}{finished.pk}/cancel")

    assert (cancelled.status_code, cancelled.json()["status"], cancelled.json()["cancel_url"]) == (
        200, "cancelled", None)
    assert ImportExportJob.objects.get(pk=pending["id"]).job_status == Status.CANCELLED
    assert (again.status_code, again.json()) == (409, {"detail": "The export has already ended: cancelled."})
    assert completed.status_code == 409


# --- Downloading -----------------------------------------------------------------------------------------------


def test_the_file_downloads_as_an_attachment_of_the_companys_rows_and_is_audited(api, user, finished):
    response = api.get(f"{EXPORTS}{finished.pk}/file", HTTP_ACCEPT="text/csv", REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{finished.file_name}"'
    rows = downloaded_rows(response)
    assert [(row["account_number"], row["postal_code"]) for row in rows] == [("1000", "02134"), ("1001", "02134")]
    event = AuditEvent.objects.get()
    assert (event.action, event.job, event.user, event.via, event.address) == (
        AuditEvent.Action.DOWNLOAD, finished, user, "api", "203.0.113.9")


def test_a_json_export_downloads_as_json(api, customers):
    job_id = start(api, {"target": "Customer", "columns": ["account_number"], "format": "json"}).json()["id"]
    job_run(job=ImportExportJob.objects.get(pk=job_id))

    response = api.get(f"{EXPORTS}{job_id}/file")

    assert response["Content-Type"] == "application/json"
    assert json.loads(b"".join(response.streaming_content)) == [
        {"account_number": "1000"}, {"account_number": "1001"}, {"account_number": "1002"},
    ]


def test_an_excel_export_downloads_as_a_workbook_of_text_cells_that_keep_their_zeros(api, customers):
    body = {"target": "Customer", "columns": ["account_number", "postal_code"], "format": "xlsx"}
    job_id = start(api, body).json()["id"]
    job_run(job=ImportExportJob.objects.get(pk=job_id))

    response = api.get(f"{EXPORTS}{job_id}/file")

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["account_number", "postal_code"], ["1000", "02134"], ["1001", "02134"], ["1002", "02134"],
    ]


def test_no_file_while_pending_and_gone_once_deleted(api, finished, customers):
    pending = start(api, {"target": "Customer"}).json()
    not_yet = api.get(f"{EXPORTS}{pending['id']}/file", HTTP_ACCEPT="text/csv")
    finished.file.delete()
    gone = api.get(f"{EXPORTS}{finished.pk}/file")

    assert (not_yet.status_code, not_yet["Content-Type"]) == (409, "application/json")
    assert not_yet.json() == {"detail": "The export has no file to download: it is pending."}
    assert gone.status_code == 410
    assert "deleted after its retention period" in gone.json()["detail"]
    assert api.get(f"{EXPORTS}{finished.pk}").json()["file_url"] is None
    assert not AuditEvent.objects.exists()


# --- Preview and columns ---------------------------------------------------------------------------------------


def test_the_preview_shows_the_first_rows_and_the_count_of_the_companys_own_rows(api, other_api, customers):
    body = {"target": "Customer", "columns": ["account_number", "postal_code"],
            "filters": [{"field": "status", "value": ["active"]}]}

    mine = api.post(f"{EXPORTS}preview", body, format="json")
    theirs = other_api.post(f"{EXPORTS}preview", body, format="json")

    assert mine.status_code == 200
    assert mine.json() == {
        "target": "Customer", "format": "csv", "columns": ["account_number", "postal_code"],
        "filters_described": ["Status is active"], "total_rows": 2,
        "rows": [["1000", "02134"], ["1001", "02134"]], "refusal": None,
    }
    assert (theirs.json()["total_rows"], theirs.json()["rows"][0][0]) == (1, "9001")
    assert not ImportExportJob.objects.exists()


def test_the_preview_refuses_as_the_export_would_and_says_why_a_pdf_could_not_run(api, customers, settings):
    settings.EXPORT_PDF_MAX_ROWS = 2

    bad = api.post(f"{EXPORTS}preview", {"target": "Customer", "columns": ["nope"]}, format="json")
    pdf = api.post(f"{EXPORTS}preview", {"target": "Customer", "format": "pdf"}, format="json")

    assert (bad.status_code, bad.json()["part"]) == (400, "columns")
    assert pdf.status_code == 200
    assert "at most 2 rows" in pdf.json()["refusal"]


def test_the_columns_of_a_target_say_what_imports_back_and_how_each_filters(api):
    answer = api.get(f"{EXPORTS}columns", {"target": "meterreading"}).json()

    by_name = {column["name"]: column for column in answer["columns"]}
    assert (answer["target"], answer["records"]) == ("MeterReading", "meter readings")
    assert answer["import_compatible_columns"] == ["account_number", "meter_number", "reading_date",
                                                   "reading_value", "reading_type", "notes"]
    assert by_name["consumption"]["importable"] is False
    assert by_name["reading_date"] == {"name": "reading_date", "label": by_name["reading_date"]["label"],
                                       "kind": "date", "importable": True,
                                       "filter_operators": ["gte", "lte", "equals"], "choices": None}
    assert by_name["reading_type"]["filter_operators"] == ["in", "equals"]
    assert "manual" in by_name["reading_type"]["choices"]
    assert [fmt["name"] for fmt in answer["formats"]] == ["csv", "excel", "json", "pdf"]


def test_the_columns_need_a_known_target(api):
    missing = api.get(f"{EXPORTS}columns")
    unknown = api.get(f"{EXPORTS}columns", {"target": "Lead"})

    assert missing.status_code == unknown.status_code == 400
    assert missing.json()["detail"].startswith("Name the target: ?target=Customer (one of Account, Claim")
    assert unknown.json()["detail"].startswith("Unknown target 'Lead'")
