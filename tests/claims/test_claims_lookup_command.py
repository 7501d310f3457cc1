"""`manage.py claims_lookup`: a file of claim queries looked up from the command line, its results file written,
a summary without patient details, the exit status saying how it went."""

import csv
import datetime as dt
import io
import json
import os

import pytest

from claims.import_targets import ClaimLookup
from imports import cli
from imports.models import AuditEvent, ImportExportJob

from .fake_payer import PAID, UNAVAILABLE

pytestmark = pytest.mark.django_db

COMMAND = "claims_lookup"
HEADER = "claim_number,first_name,last_name,date_of_birth,subscriber_id\n"
CHANTAL = "ZE59426195,CHANTAL,KISA,05/10/1975,057896633\n"
JOHN = "ZE59426196,John,Doe,1/15/1980,123456789\n"
UNKNOWN = "ZZ00000001,MARY,ROE,02/02/1990,555000111\n"
MISMATCH = "ZE59426196,JOHN,DOE,01/15/1981,123456789\n"
BAD_DATE = "ZE59426195,CHANTAL,KISA,13/45/1975,057896633\n"
# What the output may never show: the patients' names, dates of birth and subscriber ids.
PHI = ["CHANTAL", "KISA", "John", "JOHN", "Doe", "DOE", "MARY", "ROE", "05/10/1975", "1/15/198", "02/02/1990",
       "1975", "057896633", "123456789", "555000111"]


@pytest.fixture(autouse=True)
def claims(store_claim):
    """The company's local claims store: CHANTAL's finalized claim and JOHN's pending one."""
    store_claim()
    store_claim(claim_number="ZE59426196", first_name="JOHN", last_name="DOE", date_of_birth=dt.date(1980, 1, 15),
                subscriber_id="123456789", status="Pending", status_code="P1", total_paid=None)


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
    assert f"Claims look-up of claims.csv (job {job.pk}): 2 rows, 2 found, 0 failed" in result.stdout
    assert f"Results: {written}" in result.stdout
    rows = results_of(written)
    assert list(rows[0])[:9] == [
        "row", "claim_number", "status", "patient_name", "total_charged", "total_paid", "processed_date", "success",
        "error",
    ]
    assert [(row["row"], row["claim_number"], row["status"], row["success"]) for row in rows] == [
        ("1", "ZE59426195", "Finalized", "True"), ("2", "ZE59426196", "Pending", "True"),
    ]
    assert (rows[0]["total_charged"], rows[0]["total_paid"], rows[0]["processed_date"]) == (
        "720.00", "351.00", "08/08/2025"
    )


def test_failed_look_ups_exit_1_listed_by_row_and_claim_number_without_patient_details(command, queries):
    path = queries(CHANTAL, UNKNOWN, MISMATCH, BAD_DATE)

    result = command(COMMAND, str(path))

    assert result.status == cli.EXIT_ROWS_FAILED, result.stderr
    assert "4 rows, 1 found, 3 failed" in result.stdout
    assert "  row 2, claim_number ZZ00000001: Claim not found" in result.stdout
    assert "  row 3, claim_number ZE59426196: Patient details do not match" in result.stdout
    assert "  row 4, claim_number ZE59426195: Date of birth is not a real date: use MM/DD/YYYY" in result.stdout
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
    (lambda path, tmp: ["--retry", "not-a-job"], "No claims look-up job not-a-job in company 'acme'."),
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
    assert chosen.status == cli.EXIT_ROWS_FAILED  # globex's store does not hold acme's claims
    assert "Claim not found" in json.loads(chosen.stdout)["errors"][0]["error"]
    assert ImportExportJob.objects.get().company == other_company


def test_the_audit_trail_records_the_upload_and_the_results_written_from_the_command_line(command, queries):
    command(COMMAND, str(queries(CHANTAL)))

    job = ImportExportJob.objects.get()
    events = AuditEvent.objects.order_by("created_at")
    assert [(event.job, event.action, event.via, event.user, event.address) for event in events] == [
        (job, "upload", "cli", None, None), (job, "results_download", "cli", None, None),
    ]


class Terminal(io.StringIO):
    """A stderr that says it is a terminal, as an operator's is (the bar stays silent otherwise)."""

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
    monkeypatch.setattr(ClaimLookup, "commit_seconds", 0)  # every result committed, and the bar told

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


@pytest.fixture
def payer_backend(fake_payer, settings):
    settings.CLAIMS_BACKEND = "payer"
    return fake_payer


def test_look_ups_that_can_be_retried_are_counted_and_retry_asks_only_them(command, queries, payer_backend,
                                                                            tmp_path):
    path = queries(f"ZE1,ANA,LEE,03/03/1970,{PAID}\n", f"ZE2,BEN,LEE,04/04/1970,{UNAVAILABLE}\n")

    first = command(COMMAND, str(path))

    job = ImportExportJob.objects.get()
    assert first.status == cli.EXIT_ROWS_FAILED, first.stderr
    assert "2 rows, 1 found, 1 failed (1 can be retried)" in first.stdout
    assert "  row 2, claim_number ZE2: Look-up failed" in first.stdout
    assert f"Ask the retryable ones again: manage.py claims_lookup --retry {job.pk}" in first.stdout
    asked = (payer_backend.count(PAID), payer_backend.count(UNAVAILABLE))

    again = command(COMMAND, "--retry", str(job.pk), "--json", "--output", str(tmp_path / "again.csv"))

    output = json.loads(again.stdout)
    assert again.status == cli.EXIT_ROWS_FAILED
    assert (output["job_id"], output["found"], output["failed"], output["retryable"]) == (str(job.pk), 1, 1, 1)
    assert payer_backend.count(PAID) == asked[0]  # the claim found is not asked again
    assert payer_backend.count(UNAVAILABLE) > asked[1]
    assert [row["success"] for row in results_of(tmp_path / "again.csv")] == ["True", "False"]
    assert_no_phi(first.stdout, first.stderr, again.stdout, again.stderr)


def test_a_look_up_stopped_at_its_time_limit_hands_over_the_results_so_far_and_exits_2(command, queries,
                                                                                        monkeypatch):
    monkeypatch.setattr(ClaimLookup, "time_limit", lambda service: dt.timedelta(0))
    monkeypatch.setattr(ClaimLookup, "commit_seconds", 0)

    result = command(COMMAND, str(queries(CHANTAL, JOHN, UNKNOWN)), "--json")

    job = ImportExportJob.objects.get()
    output = json.loads(result.stdout)
    assert result.status == cli.EXIT_NOTHING_RAN
    assert job.job_status == "failed"
    assert "time limit" in result.stderr
    assert f"Continue it with: manage.py claims_lookup --retry {job.pk}" in result.stderr
    assert output["status"] == "failed"
    assert 0 < output["processed"] < 3
    assert len(results_of(output["results"])) == output["processed"]
