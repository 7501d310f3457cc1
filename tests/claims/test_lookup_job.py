"""A claim look-up job against the local claims store, end to end in this process: the guide's file in, the
guide's results file out, and nothing of the patients in what the job says about itself."""

import csv
import io
import json

import pytest
from django.core.files import File

from claims.import_targets import ClaimLookup
from imports.engine.lookups import results_csv
from imports.jobs.inprocess import job_run
from imports.jobs.lookup_services import lookup_error_log, lookup_job_create
from imports.models import AuditEvent

pytestmark = pytest.mark.django_db

QUERIES = (
    "claim_number,first_name,last_name,date_of_birth,subscriber_id\n"
    "ZE59426195,CHANTAL,KISA,05/10/1975,057896633\n"  # found
    "ZE59426196,JOHN,DOE,01/15/1980,123456789\n"  # pending
    "ZE59426197,JANE,SMITH,03/03/1970,555000111\n"  # no such claim
    "ZE59426198,PETRA,NOVAK,04/04/1964,000777888\n"  # stored for another patient
    "ZE59426199,OLGA,IVANOVA,02/30/1980,000999888\n"  # no such day
    "ZE59426200,MARIA,LO*PEZ,06/06/1966,111222333\n"  # an X12 separator
)
PATIENT_DETAILS = ("JANE", "SMITH", "PETRA", "NOVAK", "OLGA", "IVANOVA", "LO*PEZ", "03/03/1970", "1970",
                   "555000111", "000777888", "000999888", "111222333", "GRETA", "1959")


@pytest.fixture
def run_lookup(company, user, write_file):
    def run(text: str):
        with open(write_file("claims.csv", text), "rb") as handle:
            job = lookup_job_create(company=company, service_name="Claim", file=File(handle, name="claims.csv"),
                                    file_name="claims.csv", via=AuditEvent.Via.CLI, user=user)
        return job_run(job=job)

    return run


def test_the_guides_file_gives_the_guides_results(store_claim, run_lookup):
    store_claim()
    store_claim(claim_number="ZE59426196", first_name="JOHN", last_name="DOE",
                date_of_birth="1980-01-15", subscriber_id="123456789", status="Pending", status_code="P1",
                total_charged="500.00", total_paid="0.00", processed_date="2025-08-10", paid_date=None,
                payer_claim_number="", check_number="")
    store_claim(claim_number="ZE59426198", first_name="GRETA", last_name="NOVAK", date_of_birth="1959-01-01",
                subscriber_id="000777888")

    job = run_lookup(QUERIES)

    assert job.job_status == "completed", job.error_message
    assert (job.total_records, job.failed_records) == (6, 4)
    rows = list(csv.reader(io.StringIO(b"".join(results_csv(job, ClaimLookup())).decode("utf-8-sig"))))
    assert rows[0] == list(ClaimLookup.result_columns)
    assert rows[1][:9] == ["1", "ZE59426195", "Finalized", "CHANTAL KISA", "720.00", "351.00", "08/08/2025",
                           "True", ""]
    assert rows[2][:9] == ["2", "ZE59426196", "Pending", "JOHN DOE", "500.00", "0.00", "08/10/2025", "True", ""]
    assert [(row[0], row[2], row[7], row[8]) for row in rows[3:]] == [
        ("3", "Error", "False", "Claim not found"),
        ("4", "Error", "False", "Patient details do not match"),
        ("5", "Error", "False", "Date of birth is not a real date: use MM/DD/YYYY"),
        ("6", "Error", "False", "Last name contains ~, *, : or ^, which a claim status request cannot carry"),
    ]
    logged = [(entry.message, json.dumps(entry.record_data), json.dumps(entry.details)) for entry in job.logs.all()]
    said = json.dumps([job.error_message, lookup_error_log(job), logged])
    assert not [detail for detail in PATIENT_DETAILS if detail in said]
    assert [entry["claim_number"] for entry in lookup_error_log(job)] == [
        "ZE59426197", "ZE59426198", "ZE59426199", "ZE59426200"
    ]
