"""The look-up kind of job, run in this process with a stand-in service: rows cleaned, looked up and recorded with
their chunk's checkpoint, retried, cancelled, stopped at the time limit, and continued after a run that died."""


import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files import File
from django.utils import timezone

from imports.declare import ImportField, LookupResult, LookupService
from imports.declare import lookups as registry
from imports.declare.errors import FieldError
from imports.engine.lookups import results_csv
from imports.jobs import lookup_kind
from imports.jobs.inprocess import job_run
from imports.jobs.lookup_services import LookupRefused, lookup_cancel, lookup_job_create, lookup_retry
from imports.models import AuditEvent, ImportChunk, ImportExportJob


class NoTildeField(ImportField):
    def parse(self, text):
        if "~" in text:
            raise FieldError(f"{self.name} contains ~")
        return text


class EchoLookup(LookupService):
    """Answers a code: found unless it starts with N (not found) or R (failed, retryable)."""

    name = "Echo"
    verbose_name = "echo look-up"
    fields = (NoTildeField("code", required=True), ImportField("name"))
    result_columns = ("row", "code", "answer", "success", "error", "retryable")
    identifier = "code"
    batch_size = 3
    chunk_rows = 4
    asked: list[int] = []
    limit: timedelta | None = None
    fail_on = frozenset()
    stop_after: int | None = None

    def time_limit(self):
        return self.limit

    def result_base(self, values):
        return {"code": values["code"]} if "code" in values else {}

    def look_up(self, queries, context):
        for count, query in enumerate(queries, start=1):
            if self.stop_after is not None and count > self.stop_after:
                raise KeyboardInterrupt  # a worker killed mid-chunk: nothing after this is recorded
            type(self).asked.append(query.row)
            code = query.values["code"]
            if code.startswith("N"):
                yield LookupResult(query.row, False, {"code": code}, "Not found")
            elif code.startswith("R") and query.row not in self.fail_on:
                yield LookupResult(query.row, False, {"code": code}, "Look-up failed: busy", retryable=True)
            else:
                yield LookupResult(query.row, True, {"code": code, "answer": f"={code}"})


@pytest.fixture
def echo():
    service = EchoLookup()
    registry._services["echo"] = service
    EchoLookup.asked = []
    yield service
    del registry._services["echo"]
    for name in ("limit", "fail_on", "stop_after"):
        if name in vars(service):
            delattr(service, name)


@pytest.fixture
def start(company, user, write_file, echo):
    def create(text: str) -> ImportExportJob:
        path = write_file("codes.csv", text)
        with open(path, "rb") as handle:
            return lookup_job_create(
                company=company, service_name="Echo", file=File(handle, name="codes.csv"), file_name="codes.csv",
                via=AuditEvent.Via.CLI, user=user,
            )

    return create


def results(job) -> str:
    return b"".join(results_csv(job, EchoLookup())).decode("utf-8-sig")


FIRST, DYING, SECOND = (uuid.uuid4() for _ in range(3))
CODES = "code,name\n" + "".join(f"C{n},n{n}\n" for n in range(1, 11))


def test_every_row_gets_one_result_in_row_order_over_several_chunks(start):
    job = job_run(job=start(CODES))
    assert job.job_status == "completed", job.error_message
    assert job.chunks.count() == 3  # 10 rows, 4 a chunk
    assert (job.total_records, job.processed_records, job.failed_records) == (10, 10, 0)
    lines = results(job).splitlines()
    assert lines[0] == "row,code,answer,success,error,retryable"
    assert lines[1] == "1,C1,'=C1,True,,False"  # every cell is formula-safe
    assert [line.split(",")[0] for line in lines[1:]] == [str(n) for n in range(1, 11)]
    assert sorted(EchoLookup.asked) == list(range(1, 11))


def test_rows_that_fail_their_checks_are_recorded_without_a_look_up(start):
    job = job_run(job=start("code,name\nC1,a\n,b\nC~3,c\nN4,d\n"))
    assert job.job_status == "completed"
    assert EchoLookup.asked == [1, 4]
    failed = dict(job.lookup_results.filter(success=False).values_list("row_number", "error"))
    assert failed == {2: "Code is missing", 3: "code contains ~", 4: "Not found"}
    assert job.failed_records == 3


def test_a_file_without_a_required_column_is_refused_before_a_job_exists(start):
    with pytest.raises(LookupRefused) as refused:
        start("name\na\n")
    assert refused.value.status == 400
    assert str(refused.value) == "Missing required columns: code. Add them to the file's header row."
    assert not ImportExportJob.objects.exists()


def test_a_file_that_is_not_a_csv_is_refused_as_such(start, echo):
    with pytest.raises(LookupRefused) as refused:
        start('[{"code": "C1"}]')
    assert refused.value.status == 415


@pytest.mark.parametrize("content", [
    b"%PDF-1.7\n1 0 obj <<>> endobj\n",  # a format known to be no table
    b"PK\x03\x04" + b"\0" * 100,  # a damaged workbook
    b"\x00\x01\x02\x03\xff\xfe" * 100,  # binary data, no text in any encoding
])
def test_what_is_no_text_table_at_all_is_refused_as_not_a_csv(start, content):
    with pytest.raises(LookupRefused) as refused:
        start(content)
    assert refused.value.status == 415
    assert str(refused.value) == "The file is not a CSV file: a echo look-up reads CSV files only."


def test_an_upload_is_recorded_in_the_audit_trail(start, user):
    job = start(CODES)
    event = AuditEvent.objects.get()
    assert (event.job, event.action, event.user, event.via) == (job, "upload", user, "cli")


def test_a_completed_job_retried_asks_again_only_its_retryable_failures(start, echo):
    job = job_run(job=start("code\nC1\nR2\nN3\nR4\nC5\nC6\n"))
    assert job.failed_records == 3
    EchoLookup.asked = []
    echo.fail_on = frozenset({2, 4})  # the payer answers now
    job = lookup_retry(job, via=AuditEvent.Via.API)
    assert job.job_status == "pending"
    job = job_run(job=job)
    assert job.job_status == "completed"
    assert sorted(EchoLookup.asked) == [2, 4]
    assert (job.processed_records, job.failed_records) == (6, 1)
    assert job.lookup_results.count() == 6


def test_a_completed_job_with_nothing_to_retry_is_refused(start):
    job = job_run(job=start("code\nC1\nN2\n"))
    with pytest.raises(LookupRefused) as refused:
        lookup_retry(job, via=AuditEvent.Via.API)
    assert refused.value.status == 409


def test_a_running_job_cannot_be_retried_and_a_finished_one_cannot_be_cancelled(start):
    job = start(CODES)
    with pytest.raises(LookupRefused):
        lookup_retry(job, via=AuditEvent.Via.API)
    job = job_run(job=job)
    with pytest.raises(LookupRefused):
        lookup_cancel(job, via=AuditEvent.Via.API)


def test_a_cancelled_job_retried_continues_where_it_stopped(start, user):
    job = start(CODES)
    lookup_kind.job_prepare(job=job, lease=FIRST, takes_turn=False)
    first = job.chunks.order_by("index").first()
    lookup_kind.chunk_run(chunk_id=first.pk, lease=FIRST)
    job = lookup_cancel(job, via=AuditEvent.Via.WEB, user=user)
    assert job.job_status == "cancelled"
    assert job.processed_records == 4
    EchoLookup.asked = []
    job = job_run(job=lookup_retry(job, via=AuditEvent.Via.WEB, user=user))
    assert job.job_status == "completed"
    assert sorted(EchoLookup.asked) == list(range(5, 11))
    assert job.lookup_results.count() == 10
    assert list(AuditEvent.objects.order_by("created_at").values_list("action", flat=True)) == [
        "upload", "cancel", "retry",
    ]


def test_a_job_past_its_time_limit_fails_with_its_results_kept_and_a_retry_continues(start, echo):
    echo.limit = timedelta(seconds=0)
    job = job_run(job=start(CODES))
    assert job.job_status == "failed"
    assert "time limit" in job.error_message
    kept = job.lookup_results.count()
    assert 0 < kept < 10
    assert results(job).count("\n") == kept + 1
    echo.limit = None
    job = job_run(job=lookup_retry(job, via=AuditEvent.Via.API))
    assert job.job_status == "completed"
    assert job.lookup_results.count() == 10
    assert sorted(EchoLookup.asked) == list(range(1, 11))  # no row asked twice


def test_a_run_that_died_mid_chunk_is_continued_without_asking_a_recorded_row_again(start, echo):
    job = start(CODES)
    lookup_kind.job_prepare(job=job, lease=FIRST, takes_turn=False)
    first = job.chunks.order_by("index").first()
    echo.stop_after = 3  # dies after three answers; the first commit (batch of 3) recorded them
    with pytest.raises(KeyboardInterrupt):
        lookup_kind.chunk_run(chunk_id=first.pk, lease=DYING)
    recorded = set(job.lookup_results.values_list("row_number", flat=True))
    assert recorded == {1, 2, 3}
    ImportChunk.objects.filter(pk=first.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    echo.stop_after = None
    EchoLookup.asked = []
    lookup_kind.chunk_run(chunk_id=first.pk, lease=SECOND)
    assert EchoLookup.asked == [4]
    for chunk in job.chunks.exclude(pk=first.pk):
        lookup_kind.chunk_run(chunk_id=chunk.pk, lease=SECOND)
    assert lookup_kind.job_finish(job=job)
    job.refresh_from_db()
    assert job.job_status == "completed"
    assert (job.processed_records, job.lookup_results.count()) == (10, 10)


def test_rows_recorded_beyond_the_checkpoint_are_passed_over(start, echo):
    """Results come in any order: a row answered before an earlier one is recorded, yet the checkpoint stays
    before the earlier row; a run that takes over passes over the recorded row."""
    job = start(CODES)
    lookup_kind.job_prepare(job=job, lease=FIRST, takes_turn=False)
    first = job.chunks.order_by("index").first()
    job.lookup_results.create(row_number=3, success=True, values={"code": "C3"})
    ImportExportJob.objects.filter(pk=job.pk).update(processed_records=1)
    lookup_kind.chunk_run(chunk_id=first.pk, lease=FIRST)
    assert 3 not in EchoLookup.asked
    assert sorted(EchoLookup.asked) == [1, 2, 4]
    first.refresh_from_db()
    assert (first.status, first.checkpoint_row) == ("done", 4)


def test_a_chunk_whose_last_result_fills_a_batch_completes(start):
    job = job_run(job=start("code\nC1\nC2\nC3\n"))  # three rows, three a batch: the last commit ends the chunk
    assert job.job_status == "completed"


def test_results_are_streamed_in_blocks(start):
    job = job_run(job=start(CODES))
    parts = list(results_csv(job, EchoLookup(), block=3))
    assert len(parts) == 4
    assert b"".join(parts).decode("utf-8-sig").count("\r\n") == 11


def test_the_job_log_and_summary_say_what_happened(start):
    job = job_run(job=start("code\nC1\nR2\nN3\n"))
    messages = list(job.logs.values_list("message", flat=True))
    assert "Echo look-up finished: 3 rows, 1 found, 2 failed (1 can be retried)." in messages


def test_a_purge_deletes_upload_and_results_and_says_so(start, settings):
    from imports.jobs.retention import lookup_data_purge

    job = job_run(job=start(CODES))
    path = Path(job.file.path)
    assert path.exists()
    ImportExportJob.objects.filter(pk=job.pk).update(completed_at=timezone.now() - timedelta(days=31))
    assert lookup_data_purge() == 1
    job.refresh_from_db()
    assert job.purged_at is not None
    assert not job.file
    assert not path.exists()
    assert not job.lookup_results.exists()
    assert AuditEvent.objects.filter(job=job, action="purge", via="system").exists()
    with pytest.raises(LookupRefused) as refused:
        lookup_retry(job, via=AuditEvent.Via.API)
    assert refused.value.status == 410
    assert lookup_data_purge() == 0





def test_a_service_without_look_up_cannot_be_registered():
    class Unfinished(LookupService):
        name = "Unfinished"
        verbose_name = "unfinished look-up"
        fields = (ImportField("code", required=True),)
        result_columns = ("row", "code", "success", "error", "retryable")

    with pytest.raises(TypeError, match="look_up"):
        registry.lookup_register(Unfinished)
    assert "unfinished" not in registry._services
