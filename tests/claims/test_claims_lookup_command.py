"""`manage.py claims_lookup`: a file of claim queries looked up from the command line, its results file written,
a summary without patient details, the exit status saying how it went."""

import csv
import io
import json
import os
from datetime import date, datetime

import pytest

from imports import cli
from imports.declare import FieldError, ImportField, LookupResult, LookupService
from imports.declare import lookups as registry
from imports.models import AuditEvent, ImportExportJob

pytestmark = pytest.mark.django_db

COMMAND = "claims_lookup"
HEADER = "claim_number,first_name,last_name,date_of_birth,subscriber_id\n"
CHANTAL = "ZE59426195,CHANTAL,KISA,05/10/1975,057896633\n"
JOHN = "ZE59426196,JOHN,DOE,01/15/1980,123456789\n"
UNKNOWN = "ZZ00000001,MARY,ROE,02/02/1990,555000111\n"
MISMATCH = "ZE59426196,JOHN,DOE,01/15/1981,123456789\n"
BAD_DATE = "ZE59426195,CHANTAL,KISA,13/45/1975,057896633\n"
# What the output may never show: the patients' names, dates of birth and subscriber ids.
PHI = ["CHANTAL", "KISA", "JOHN", "DOE", "MARY", "ROE", "05/10/1975", "01/15/198", "02/02/1990", "1975",
       "057896633", "123456789", "555000111"]


class UsDateField(ImportField):
    def parse(self, text):
        try:
            return datetime.strptime(text, "%m/%d/%Y").date()
        except ValueError:
            raise FieldError(f"{self.name} is not a real date: use MM/DD/YYYY") from None


class StandInClaimLookup(LookupService):
    """The claim look-up's shape, answered from a dictionary."""

    name = "Claim"
    verbose_name = "claim look-up"
    fields = (
        ImportField("claim_number", required=True), ImportField("first_name", required=True),
        ImportField("last_name", required=True), UsDateField("date_of_birth", required=True),
        ImportField("subscriber_id", required=True),
    )
    result_columns = ("row", "claim_number", "status", "patient_name", "success", "error", "retryable")
    sensitive_fields = frozenset({"first_name", "last_name", "patient_name", "date_of_birth", "subscriber_id"})
    identifier = "claim_number"
    store: dict = {}

    def result_base(self, values):
        base = {"claim_number": values.get("claim_number", "")}
        if values.get("first_name"):
            base["patient_name"] = f"{values['first_name']} {values.get('last_name', '')}"
        return base

    def look_up(self, queries, context):
        for query in queries:
            values = query.values
            claim = self.store.get(values["claim_number"])
            base = self.result_base(values)
            if claim is None:
                yield LookupResult(query.row, False, base, "Claim not found")
            elif claim != (values["first_name"], values["last_name"], values["date_of_birth"],
                           values["subscriber_id"]):
                yield LookupResult(query.row, False, base, "Patient details do not match")
            else:
                yield LookupResult(query.row, True, {**base, "status": "Finalized"})


@pytest.fixture(autouse=True)
def claims(company):
    service = StandInClaimLookup()
    service.store = {
        "ZE59426195": ("CHANTAL", "KISA", date(1975, 5, 10), "057896633"),
        "ZE59426196": ("JOHN", "DOE", date(1980, 1, 15), "123456789"),
    }
    registry._services["claim"] = service
    yield service
    del registry._services["claim"]


@pytest.fixture
def queries(write_file):
    def write(*rows: str, name: str = "claims.csv"):
        return write_file(name, HEADER + "".join(rows))

    return write


def results_of(path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def assert_no_phi(*outputs: str) -> None:
    for output in outputs:
        for value in PHI:
            assert value not in output


def test_every_claim_found_exits_0_with_the_results_beside_the_file(command, queries, company):
    path = queries(CHANTAL, JOHN)

    result = command(COMMAND, str(path))

    assert result.status == cli.EXIT_OK, result.stderr
    job = ImportExportJob.objects.get()
    assert (job.company, job.job_type, job.target_model, job.job_status) == (company, "lookup", "Claim", "completed")
    written = path.parent / "claims-results.csv"
    assert f"Claim look-up of claims.csv (job {job.pk}): 2 rows, 2 found, 0 failed" in result.stdout
    assert f"Results: {written}" in result.stdout
    assert [(row["row"], row["claim_number"], row["success"]) for row in results_of(written)] == [
        ("1", "ZE59426195", "True"), ("2", "ZE59426196", "True"),
    ]


def test_failed_look_ups_exit_1_listed_by_row_and_claim_number_without_patient_details(command, queries):
    path = queries(CHANTAL, UNKNOWN, MISMATCH, BAD_DATE)

    result = command(COMMAND, str(path))

    assert result.status == cli.EXIT_ROWS_FAILED, result.stderr
    assert "4 rows, 1 found, 3 failed" in result.stdout
    assert "  row 2, claim_number ZZ00000001: Claim not found" in result.stdout
    assert "  row 3, claim_number ZE59426196: Patient details do not match" in result.stdout
    assert "  row 4, claim_number ZE59426195: date_of_birth" in result.stdout
    assert_no_phi(result.stdout, result.stderr)
    rows = results_of(path.parent / "claims-results.csv")
    assert [row["success"] for row in rows] == ["True", "False", "False", "False"]
    assert rows[0]["patient_name"] == "CHANTAL KISA"  # the results file is where patient details belong


def test_json_prints_one_object_with_counts_errors_and_the_results_path(command, queries):
    path = queries(CHANTAL, UNKNOWN)

    result = command(COMMAND, str(path), "--json")

    job = ImportExportJob.objects.get()
    assert result.status == cli.EXIT_ROWS_FAILED
    assert json.loads(result.stdout) == {
        "job_id": str(job.pk), "status": "completed", "total": 2, "processed": 2, "found": 1, "failed": 1,
        "retryable": 0, "results": str(path.parent / "claims-results.csv"),
        "errors": [{"row": 2, "claim_number": "ZZ00000001", "error": "Claim not found", "retryable": False}],
    }
    assert_no_phi(result.stdout, result.stderr)


def test_output_names_the_results_file_and_writes_over_it(command, queries, tmp_path):
    output = tmp_path / "out.csv"
    output.write_text("old results")

    result = command(COMMAND, str(queries(CHANTAL)), "--output", str(output))

    assert result.status == cli.EXIT_OK
    assert f"Results: {output}" in result.stdout
    assert [row["claim_number"] for row in results_of(output)] == ["ZE59426195"]


def test_an_earlier_results_file_is_kept_and_the_next_free_name_taken(command, queries):
    path = queries(CHANTAL)
    earlier = path.parent / "claims-results.csv"
    earlier.write_text("earlier results")

    first = command(COMMAND, str(path), "--json")
    second = command(COMMAND, str(path), "--json")

    assert earlier.read_text() == "earlier results"
    assert json.loads(first.stdout)["results"] == str(path.parent / "claims-results-2.csv")
    assert json.loads(second.stdout)["results"] == str(path.parent / "claims-results-3.csv")


def test_a_results_file_is_readable_by_its_owner_alone(command, queries):
    path = queries(CHANTAL)

    command(COMMAND, str(path))

    assert os.stat(path.parent / "claims-results.csv").st_mode & 0o777 == 0o600


def test_a_folder_as_output_gets_the_results_file_inside(command, queries, tmp_path):
    folder = tmp_path / "results"
    folder.mkdir()

    result = command(COMMAND, str(queries(CHANTAL)), "--output", str(folder), "--json")

    assert json.loads(result.stdout)["results"] == str(folder / "claims-results.csv")


@pytest.mark.parametrize(("make_args", "message"), [
    (lambda path, tmp: [str(path), "--output", str(tmp / "missing" / "out.csv")],
     "The folder for the results does not exist"),
    (lambda path, tmp: [str(path), "--output", str(path)], "--output names the input file"),
    (lambda path, tmp: [str(tmp / "nowhere.csv")], "File not found"),
    (lambda path, tmp: [str(path), "--company", "nobody"], "Unknown company 'nobody'."),
    (lambda path, tmp: [], "Give either a FILE to look up or --retry JOB_ID."),
    (lambda path, tmp: [str(path), "--retry", "5d1b6a0e-1d34-4f3e-9a43-3f0e1c2b9d10"],
     "Give either a FILE to look up or --retry JOB_ID."),
    (lambda path, tmp: ["--retry", "not-a-job"], "No claim look-up job not-a-job in company 'acme'."),
])
def test_what_cannot_run_exits_2_before_any_look_up(command, queries, tmp_path, make_args, message):
    result = command(COMMAND, *make_args(queries(CHANTAL), tmp_path))

    assert result.status == cli.EXIT_NOTHING_RAN
    assert message in result.stderr
    assert not ImportExportJob.objects.exists()


def test_a_file_missing_columns_is_refused_naming_them(command, write_file):
    path = write_file("claims.csv", "claim_number,first_name\nZE59426195,CHANTAL\n")

    result = command(COMMAND, str(path), "--json")

    assert result.status == cli.EXIT_NOTHING_RAN
    assert "Missing required columns: last_name, date_of_birth, subscriber_id" in result.stderr
    output = json.loads(result.stdout)
    assert (output["job_id"], output["status"], output["results"]) == (None, "failed", None)
    assert "Missing required columns" in output["error"]
    assert not ImportExportJob.objects.exists()
    assert not (path.parent / "claims-results.csv").exists()


def test_a_file_that_is_not_a_csv_is_refused(command, write_file):
    result = command(COMMAND, str(write_file("claims.json", '[{"claim_number": "ZE59426195"}]')))

    assert result.status == cli.EXIT_NOTHING_RAN
    assert "not a CSV file" in result.stderr


def test_several_companies_need_company_and_the_one_named_is_used(command, queries, other_company):
    path = queries(CHANTAL)

    refused = command(COMMAND, str(path))
    chosen = command(COMMAND, str(path), "--company", "globex", "--json")

    assert refused.status == cli.EXIT_NOTHING_RAN
    assert "Several companies exist (acme, globex): choose one with --company." in refused.stderr
    assert chosen.status == cli.EXIT_OK
    assert ImportExportJob.objects.get().company == other_company


def test_the_audit_trail_records_the_upload_and_the_results_written_from_the_command_line(command, queries):
    command(COMMAND, str(queries(CHANTAL)))

    job = ImportExportJob.objects.get()
    events = AuditEvent.objects.order_by("created_at")
    assert [(event.job, event.action, event.via, event.user, event.address) for event in events] == [
        (job, "upload", "cli", None, None), (job, "results_download", "cli", None, None),
    ]


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_progress_bar_shows_on_stderr(command, queries, monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)

    result = command(COMMAND, str(queries(CHANTAL, JOHN, UNKNOWN)))

    assert result.status == cli.EXIT_ROWS_FAILED
    assert "Claim look-ups: 100%" in terminal.getvalue()
    assert "3/3" in terminal.getvalue()
    assert "3/3" not in result.stdout


def test_ctrl_c_cancels_the_job_keeping_its_results_and_retry_continues_it(command, queries, monkeypatch, tmp_path):
    monkeypatch.setattr(StandInClaimLookup, "batch_size", 2)
    monkeypatch.setattr(StandInClaimLookup, "commit_seconds", 0)

    def interrupted(bar, job):
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(cli.ProgressBar, "__call__", interrupted)
        stopped = command(COMMAND, str(queries(CHANTAL, JOHN, UNKNOWN, CHANTAL)))

    job = ImportExportJob.objects.get()
    assert stopped.status == cli.EXIT_INTERRUPTED
    assert stopped.stderr.strip() == (
        f"Stopped after 1 of 4 rows; the results recorded until then are kept (job {job.pk}, cancelled)."
    )
    assert job.job_status == "cancelled"

    again = command(COMMAND, "--retry", str(job.pk), "--json", "--output", str(tmp_path))

    assert again.status == cli.EXIT_ROWS_FAILED
    output = json.loads(again.stdout)
    assert (output["status"], output["total"], output["found"], output["failed"]) == ("completed", 4, 3, 1)
    assert output["results"] == str(tmp_path / "claims-results.csv")
    assert len(results_of(output["results"])) == 4
    assert list(AuditEvent.objects.order_by("created_at").values_list("action", flat=True)) == [
        "upload", "cancel", "retry", "results_download",
    ]
