"""A stand-in look-up service with patient details, for the look-up pages' tests: registered by the `patient_echo`
fixture in this process only (a test runs its jobs in-process with job_run, not on a worker)."""

import threading

import pytest

from imports.declare import ImportField, LookupResult, LookupService
from imports.declare import lookups as registry

HEADER = "code,patient_name,date_of_birth,member_id"


FIRST_NAMES = ("ANA", "BEN", "CHANTAL", "DAVID", "EVA", "FARID", "GINA", "HUGO", "IRIS", "JOHN")


def rows(count: int, *, first: int = 1, prefix: str = "C") -> str:
    """Rows `first`.. of queries: code C<n>, patient <FIRST_NAMES[n % 10]> KISA born 05/10/19<n>, member 0578966<n>."""
    return "".join(
        f"{prefix}{n},{FIRST_NAMES[n % 10]} KISA,05/10/19{n % 100:02d},0578966{n % 100:02d}\n"
        for n in range(first, first + count)
    )


class PatientEcho(LookupService):
    """Answers a code: found unless it starts with N (not found) or R (failed, retryable, until `answers_now`).

    `pause_after` answers, it waits for `gate` to be set: a test holds a running job there (its answers so far
    committed, as batch_size divides them) to look at the page or cancel the job."""

    name = "PatientEcho"
    verbose_name = "patient echo look-up"
    fields = (
        ImportField("code", required=True, example="C1", help_text="The code to look up."),
        ImportField("patient_name", required=True, example="CHANTAL KISA"),
        ImportField("date_of_birth", required=True, example="05/10/1975", help_text="MM/DD/YYYY."),
        ImportField("member_id", example="057896633", help_text="Text: leading zeros kept."),
    )
    result_columns = (
        "row", "code", "answer", "patient_name", "date_of_birth", "member_id", "success", "error", "retryable",
    )
    sensitive_fields = frozenset({"patient_name", "date_of_birth", "member_id"})
    identifier = "code"
    batch_size = 5
    commit_seconds = 60.0
    answers_now = False
    pause_after: int | None = None
    gate: threading.Event | None = None
    max_mb = 10

    def max_file_mb(self):
        return self.max_mb

    def result_base(self, values):
        return {name: values[name] for name in ("code", "patient_name", "date_of_birth") if name in values}

    def look_up(self, queries, context):
        for count, query in enumerate(queries, start=1):
            if self.pause_after is not None and count == self.pause_after + 1:
                self.gate.wait(timeout=120)
            values = {**self.result_base(query.values), "member_id": query.values.get("member_id", "")}
            code = query.values["code"]
            if code.startswith("N"):
                yield LookupResult(query.row, False, values, "Not found")
            elif code.startswith("R") and not self.answers_now:
                yield LookupResult(query.row, False, values, "Look-up failed: busy", retryable=True)
            else:
                yield LookupResult(query.row, True, {**values, "answer": f"answer {code}"})


@pytest.fixture
def patient_echo():
    service = PatientEcho()
    registry._services["patientecho"] = service
    yield service
    del registry._services["patientecho"]
