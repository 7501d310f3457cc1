"""Claim look-ups on real Celery workers (the configured broker and database): a whole job's every log record
holds no patient detail, and a worker killed in the middle of a job loses no recorded result and asks no recorded
claim again."""

import os
import signal
import time

import pytest
from django.core.files import File
from django_celery_results.models import TaskResult

from claims.models import Claim
from imports.jobs.lookup_services import lookup_error_log, lookup_job_create
from imports.models import AuditEvent, ImportExportLog
from tests.workers import job_finished, wait_for

from . import fake_payer as payer
from .fake_payer import FakePayer

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

HEADER = "claim_number,first_name,last_name,date_of_birth,subscriber_id\n"


def payer_environment(server: FakePayer, **overrides) -> dict[str, str]:
    """A worker's settings for asking the fake payer: short time-outs and backoffs, no rate limit in the way."""
    return {
        "CLAIMS_BACKEND": "payer", "CLAIMS_API_URL": server.url, "CLAIMS_API_TOKEN": payer.TOKEN,
        "CLAIMS_API_TIMEOUT": "0.5", "CLAIMS_API_CONNECT_TIMEOUT": "1", "CLAIMS_API_RETRIES": "2",
        "CLAIMS_API_BACKOFF_SECONDS": "0.01", "CLAIMS_API_BACKOFF_MAX_SECONDS": "0.05",
        "CLAIMS_API_RATE_PER_SECOND": "10000", "CLAIMS_API_BURST": "10000", "CLAIMS_MAX_IN_FLIGHT": "4",
        **overrides,
    }


def start_lookup(company, write_file, text: str):
    path = write_file("claims.csv", text)
    with open(path, "rb") as handle:
        return lookup_job_create(
            company=company, service_name="Claim", file=File(handle, name="claims.csv"), file_name="claims.csv",
            via=AuditEvent.Via.API, address="127.0.0.1",
        )


@pytest.fixture
def server():
    fake = FakePayer().start()
    yield fake
    fake.stop()


# --- Health data never reaches a log ----------------------------------------------------------------------------

# Patients of the file: names, dates of birth (as the file writes them and as ISO dates) and subscriber ids that
# appear nowhere else, so finding one anywhere means it leaked.
STORED = [  # in the local store: found, then a look-up whose patient does not match, then one not stored at all
    ("PHI-0001", "Quillonia", "Verbrugghe", "04/23/1961", "1961-04-23", "77104455901"),
    ("PHI-0002", "Ermengarde", "Zwicklbauer", "11/02/1948", "1948-11-02", "77104455902"),
    ("PHI-0003", "Thaddeus", "Oyelaran", "07/30/1990", "1990-07-30", "77104455903"),
]
BAD = ("PHI-0004", "Philippa~", "Marchbanks", "02/30/1972", "1972-02-30", "77104455904")  # X12 character, no such day


def secrets_of(patients) -> list[str]:
    return [value for patient in patients for value in patient[1:]]


def everything_logged(worker, job) -> str:
    """Every log record of the job: the worker's log at DEBUG, the job's log entries and error messages, its error
    log as the API gives it, and the tasks' arguments and results the result backend kept."""
    tasks = TaskResult.objects.all().values_list("task_args", "task_kwargs", "result", "traceback")
    parts = [
        worker.log,
        *ImportExportLog.objects.filter(job=job).values_list("message", flat=True),
        str(job.error_message),
        str(lookup_error_log(job)),
        *(str(task) for task in tasks),
    ]
    return "\n".join(parts)


def test_a_whole_job_on_the_local_store_logs_no_patient_detail(company, write_file, start_worker):
    found, mismatched, _not_stored = STORED
    Claim.objects.create(company=company, claim_number=found[0], first_name=found[1], last_name=found[2],
                         date_of_birth=found[4], subscriber_id=found[5], status_code="F1", total_charged="10.00")
    Claim.objects.create(company=company, claim_number=mismatched[0], first_name="Someone", last_name="Else",
                         date_of_birth="1950-01-01", subscriber_id="999", status_code="F1")
    rows = [",".join((number, first, last, dob, sub)) for number, first, last, dob, _iso, sub in [*STORED, BAD]]
    worker = start_worker("w0", environment={"CLAIMS_BACKEND": "local"}, arguments=("--loglevel", "DEBUG"))

    job = start_lookup(company, write_file, HEADER + "\n".join(rows) + "\n")
    wait_for(lambda: job_finished(job), workers=[worker], what="the look-up to finish")

    assert (job.job_status, job.processed_records, job.failed_records) == ("completed", 4, 3)
    results = dict(job.lookup_results.values_list("row_number", "error"))
    assert results == {
        1: "", 2: "Patient details do not match", 3: "Claim not found",
        4: "First name contains ~, *, : or ^, which a claim status request cannot carry; "
           "Date of birth is not a real date: use MM/DD/YYYY",
    }
    logged = everything_logged(worker, job)
    assert str(job.pk) in worker.log  # the worker's log does speak of the job: the check below is not vacuous
    assert [secret for secret in secrets_of([*STORED, BAD]) if secret in logged] == []


def test_a_whole_job_asking_the_payer_logs_no_patient_detail(company, write_file, start_worker, server):
    """Every scenario of the fake payer, retries and time-outs included, on a worker logging at DEBUG."""
    scenarios = sorted(payer.SCENARIOS.items())
    patients = [
        (f"PAY-{index:04d}", f"Firstname{chr(65 + index)}q", f"Lastname{chr(65 + index)}z",
         f"03/{index + 1:02d}/1957", f"1957-03-{index + 1:02d}", subscriber)
        for index, (_name, subscriber) in enumerate(scenarios)
    ]
    rows = [",".join((number, first, last, dob, sub)) for number, first, last, dob, _iso, sub in patients]
    worker = start_worker("w0", environment=payer_environment(server), arguments=("--loglevel", "DEBUG"))

    job = start_lookup(company, write_file, HEADER + "\n".join(rows) + "\n")
    wait_for(lambda: job_finished(job), timeout=120, workers=[worker], what="the look-up to finish")

    assert job.job_status == "completed"
    assert job.processed_records == len(patients)
    assert server.count() >= len(patients)  # every row went to the payer, some more than once
    statuses = dict(job.lookup_results.values_list("row_number", "values__status"))
    assert {"Finalized", "Denied", "Pending", "Error"} <= set(statuses.values())
    logged = everything_logged(worker, job)
    assert str(job.pk) in worker.log
    assert [secret for secret in secrets_of(patients) if secret in logged] == []


# --- A worker killed mid-job --------------------------------------------------------------------------------------

ROWS = 160


def test_a_worker_killed_mid_job_loses_no_result_and_asks_no_recorded_claim_again(
    company, write_file, start_worker, server, tmp_path
):
    server.latency = 0.25  # four in flight: about 16 look-ups a second, so the job runs for ten seconds
    rows = [f"K-{n:04d},Ann,Lee,01/02/1970,SUB{n:06d}" for n in range(1, ROWS + 1)]
    recovery = {"IMPORT_HEARTBEAT_SECONDS": "1", "IMPORT_STALE_SECONDS": "4", "IMPORT_SWEEP_SECONDS": "1"}
    environment = payer_environment(server, **recovery)
    victim = start_worker("w0", environment=environment)

    job = start_lookup(company, write_file, HEADER + "\n".join(rows) + "\n")
    wait_for(lambda: job.lookup_results.count() >= 40, interval=0.05, workers=[victim],
             what="forty recorded results")
    os.kill(victim.process.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    recorded = set(job.lookup_results.values_list("values__claim_number", flat=True))
    rescuer = start_worker("w1", environment=environment,
                           arguments=("--beat", "--schedule", str(tmp_path / "beat")))
    wait_for(lambda: job_finished(job), timeout=180, workers=[victim, rescuer], what="the look-up to finish")

    assert job.job_status == "completed", job.error_message
    assert (job.total_records, job.processed_records, job.failed_records) == (ROWS, ROWS, 0)
    assert sorted(job.lookup_results.values_list("row_number", flat=True)) == list(range(1, ROWS + 1))
    asked_again = sorted(
        claim for (_subscriber, claim), arrivals in server.arrivals.items()
        if claim in recorded and any(arrival > killed_at for arrival in arrivals)
    )
    assert asked_again == []
    assert len(recorded) >= 40
