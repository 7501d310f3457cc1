"""The local claims store filled through the import core's three faces (command, API, wizard), with nothing of
its own there: the import target Claim, keyed by claim number."""

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.import_targets import ClaimTarget
from claims.models import Claim
from imports.declare import get_target
from imports.declare.checks import check_import_targets
from imports.jobs.inprocess import job_run
from imports.models import ImportUpload
from imports.web.blank_templates import template_csv
from tests.factories import UserFactory
from tests.imports.api.conftest import job_of, token_client, upload

pytestmark = pytest.mark.django_db

HEADER = (
    "claim_number,first_name,last_name,date_of_birth,subscriber_id,payer_id,status,status_code,total_charged,"
    "total_paid,processed_date,payer_claim_number,check_number,service_date_from,service_date_to"
)
GOOD_ROWS = [
    "ZE59426195,CHANTAL,KISA,05/10/1975,057896633,60054,Finalized,F1,720.00,351.00,08/08/2025,E1,CHK1,"
    "2025-07-14,07/14/2025",
    'ZE59426196,JOHN,DOE,1/15/1980,0123456789,,,P1,"1,500.00",0,2025-08-10,,,,',
]
BAD_ROWS = [
    "ZE59426197,JANE,SMITH,02/30/1980,000123,,,,,,,,,,",  # no such day
    "ZE59426198,JA~NE,SMITH,02/03/1980,000124,,,,,,,,,,",  # an X12 separator
    "ZE59426199,BOB,SMITH,02/03/1980,000125,,,ZZ,-5,,,,,,",  # no such code, a negative amount
    "ZE59426200,ANN,LEE,02/03/1980,000126,,Pending,F1,,,,,,,",  # a status its code contradicts
]
CLAIMS_CSV = "\n".join([HEADER, *GOOD_ROWS, *BAD_ROWS]) + "\n"
SECRETS = ("JANE", "JA~NE", "02/30/1980", "000123", "000124", "BOB", "000125", "ZZ", "-5", "ANN")


def test_the_claim_target_passes_the_system_checks():
    assert get_target("claim") is not None
    assert [error for error in check_import_targets() if error.obj is ClaimTarget] == []


def test_the_target_has_the_issues_columns_in_order():
    target = get_target("Claim")

    assert [field.name for field in target.fields] == [
        "claim_number", "first_name", "last_name", "date_of_birth", "subscriber_id", "payer_id", "status",
        "status_code", "total_charged", "total_paid", "processed_date", "payer_claim_number", "check_number",
        "service_date_from", "service_date_to", "paid_date",
    ]
    assert target.required_columns("upsert") == [
        "claim_number", "first_name", "last_name", "date_of_birth", "subscriber_id"
    ]
    assert (target.key, target.api_path, target.verbose_name_plural) == ("claim_number", "claims", "claims")


def test_import_data_stores_claims_and_fails_bad_rows_naming_fields_not_values(company, command, write_file):
    result = command("import_data", "--model", "Claim", "--file", str(write_file("claims.csv", CLAIMS_CSV)),
                     "--company", "acme", "--json")

    output = json.loads(result.stdout)
    assert (result.status, output["created"], output["failed"]) == (1, 2, 4)
    assert output["errors"] == [
        {"row": 3, "sheet_row": 4, "message": "Date of birth is not a real date: use MM/DD/YYYY"},
        {"row": 4, "sheet_row": 5,
         "message": "First name contains ~, *, : or ^, which a claim status request cannot carry"},
        {"row": 5, "sheet_row": 6, "message": "Status code is not an X12 277 claim status category code: use one "
                                              "such as F1, F2, P1, A3 or R4; Total charged cannot be negative"},
        {"row": 6, "sheet_row": 7,
         "message": "Status does not agree with status code: leave status blank to take the code's"},
    ]
    messages = " ".join(error["message"] for error in output["errors"])
    assert not [secret for secret in SECRETS if secret in messages]
    chantal, john = Claim.objects.filter(company=company).order_by("claim_number")
    assert (chantal.date_of_birth, chantal.subscriber_id, chantal.status, chantal.total_paid) == (
        dt.date(1975, 5, 10), "057896633", "Finalized", Decimal("351.00")
    )
    assert (chantal.service_date_from, chantal.service_date_to) == (dt.date(2025, 7, 14), dt.date(2025, 7, 14))
    # A blank status is the code's word; leading zeros are kept; money reads as spreadsheets show it.
    assert (john.status, john.status_code, john.subscriber_id, john.total_charged, john.processed_date) == (
        "Pending", "P1", "0123456789", Decimal("1500.00"), dt.date(2025, 8, 10)
    )
    assert (john.payer_id, john.payer_claim_number, john.service_date_from) == ("", "", None)


def test_the_operators_error_log_withholds_patient_details(company, command, write_file, settings):
    """The command's import_errors_Claim_*.log is an application log: a failed row's claim number and amounts are
    there to find the row, its patient's name, date of birth and subscriber id are not."""
    command("import_data", "--model", "Claim", "--file", str(write_file("claims.csv", CLAIMS_CSV)),
            "--company", "acme")

    log = next(settings.IMPORT_LOG_DIR.glob("import_errors_Claim_*.log")).read_text()
    assert "ZE59426197" in log
    assert '"first_name": "[withheld]"' in log
    patient_details = ("JANE", "JA~NE", "BOB", "ANN", "SMITH", "02/30/1980", "02/03/1980", "000123", "000125")
    assert [detail for detail in patient_details if detail in log] == []


def test_a_second_file_updates_claims_by_their_number(company, command, write_file):
    command("import_data", "--model", "Claim", "--file", str(write_file("a.csv", CLAIMS_CSV)), "--company", "acme")
    later = (
        "claim_number,first_name,last_name,date_of_birth,subscriber_id,status_code,total_paid\n"
        "ZE59426196,JOHN,DOE,01/15/1980,0123456789,F1,480.00\n"
    )

    result = command("import_data", "--model", "Claim", "--file", str(write_file("b.csv", later)), "--json")

    output = json.loads(result.stdout)
    assert (result.status, output["updated"], output["created"]) == (0, 1, 0)
    john = Claim.objects.get(company=company, claim_number="ZE59426196")
    assert (john.status, john.status_code, john.total_paid, john.total_charged) == (
        "Finalized", "F1", Decimal("480.00"), Decimal("1500.00")
    )


def test_a_file_without_the_patient_columns_is_refused_naming_them(company, command, write_file):
    result = command("import_data", "--model", "Claim", "--file",
                     str(write_file("short.csv", "claim_number,first_name\nZE1,ANN\n")))

    assert (result.status, result.stderr.strip()) == (
        2, "Missing required columns: last_name, date_of_birth, subscriber_id. Add them to the file or map columns "
        "to them."
    )
    assert not Claim.objects.exists()


def test_exported_claims_import_back_unchanged(company, command, run_import, write_file, tmp_path):
    run_import(write_file("claims.csv", CLAIMS_CSV), target="Claim")
    before = list(Claim.objects.order_by("pk").values())
    output = tmp_path / "out.csv"
    command("export_data", "--model", "Claim", "--format", "csv", "--output", str(output))

    job = run_import(output, target="Claim")

    assert (job.unchanged_records, job.created_records, job.updated_records, job.failed_records) == (2, 0, 0, 0)
    assert list(Claim.objects.order_by("pk").values()) == before


def test_the_api_imports_claims_under_its_own_route(company, user, other_company):
    api = token_client(user)

    response = upload(api, "/api/claims/import", CLAIMS_CSV, name="claims.csv")

    body = response.json()
    assert response.status_code == 202
    assert (body["target"], body["status"]) == ("Claim", "pending")
    job_run(job=job_of(response))
    status = api.get(f"/api/claims/import/{body['id']}").json()
    assert (status["status"], status["total_rows"], status["successful_rows"], status["failed_rows"]) == (
        "completed", 6, 2, 4
    )
    assert list(Claim.objects.filter(company=company).values_list("claim_number", flat=True)) == [
        "ZE59426195", "ZE59426196"
    ]
    assert not Claim.objects.filter(company=other_company).exists()


def test_another_companys_claims_import_is_404(user, other_company):
    job = job_of(upload(token_client(user), "/api/claims/import", CLAIMS_CSV, name="claims.csv"))
    outsider = token_client(UserFactory(company=other_company, username="mallory"))

    assert outsider.get(f"/api/claims/import/{job.pk}").status_code == 404


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_wizards_blank_template_has_the_guides_columns_and_the_guides_sample_imports(signed_in, run_import,
                                                                                        write_file):
    assert reverse("imports:blank_template", args=["Claim", "csv"]) in signed_in.get(
        reverse("imports:wizard")).content.decode()

    template = signed_in.get(reverse("imports:blank_template", args=["Claim", "csv"])).content
    sample = template_csv(get_target("Claim"), examples=True)
    rows = list(csv.DictReader(io.StringIO(sample.decode("utf-8-sig"))))
    job = run_import(write_file("sample.csv", sample), target="Claim")

    assert template.decode("utf-8-sig").splitlines() == [",".join(f.name for f in get_target("Claim").fields)]
    assert [(row["claim_number"], row["first_name"], row["last_name"], row["subscriber_id"]) for row in rows] == [
        ("ZE59426195", "CHANTAL", "KISA", "057896633"), ("ZE59426196", "JOHN", "DOE", "123456789")
    ]
    assert (job.created_records, job.failed_records) == (2, 0)


def test_the_wizard_imports_claims_the_whole_way(signed_in, company, django_capture_on_commit_callbacks):
    response = signed_in.post(reverse("imports:wizard_upload", args=["Claim"]),
                              {"file": SimpleUploadedFile("claims.csv", CLAIMS_CSV.encode())})
    assert response.status_code == 302, response.content
    created = ImportUpload.objects.latest("created_at")
    # The columns matched by themselves: the mapping step is accepted as offered.
    mapping = {f"column_{index}": created.mapping.get(column) or "" for index, column in enumerate(created.columns)}
    signed_in.post(reverse("imports:wizard_mapping", args=[created.pk]), {**mapping, "action": "next"})
    with django_capture_on_commit_callbacks():
        signed_in.post(reverse("imports:wizard_options", args=[created.pk]),
                       {"import_mode": "upsert", "duplicate_handling": "skip"})
    created.refresh_from_db()
    job_run(job=created.validation_job)

    with django_capture_on_commit_callbacks():
        signed_in.post(reverse("imports:wizard_start", args=[created.pk]),
                       {"dry_run": str(created.validation_job.pk)})
    created.refresh_from_db()
    job = job_run(job=created.import_job)

    assert (job.created_records, job.failed_records) == (2, 4)
    assert Claim.objects.filter(company=company).count() == 2
