"""Backups and restores as jobs of the core: a backup holds every target of its company as import-compatible CSV
files with a manifest; restored into an empty company it gives the same records, target by target; its dry run
predicts the restore exactly and writes nothing; a restore taken over after its worker died goes on where it was.

Run on SQLite and on PostgreSQL (DATABASE_URL): the dry run's one rolled-back transaction behaves the same on both.
"""

import csv
import io
import json
import uuid
import zipfile
from pathlib import Path
from unittest import mock

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import timezone

from crm.models import Contact
from customers.models import Customer
from imports.declare.targets import all_targets, dependency_order, get_target
from imports.engine.backups.writing import backup_columns
from imports.jobs import restore_children, restore_kind
from imports.jobs.backup_services import (
    BackupRefused,
    backup_file_open,
    backup_job_create,
    restore_job_create,
    restore_now,
    restore_results,
)
from imports.jobs.inprocess import job_continue, job_run
from imports.jobs.stopping import job_cancel
from imports.models import AuditEvent, ImportChunk, ImportExportJob
from tests.backup_company import archive_file, company_fill, company_records, file_import

Status = ImportExportJob.Status
COUNTS = ("created", "updated", "unchanged", "skipped", "failed")


class WorkerKilled(BaseException):
    """Stands for a worker killed mid-way: no handler of the product catches it, nothing is cleaned up."""


def backed_up(company) -> Path:
    job = job_run(job=backup_job_create(company=company, via="cli", enqueue=False))
    assert job.job_status == Status.COMPLETED, job.error_message
    return Path(job.file.path)


def dry_run_of(path: Path, company) -> ImportExportJob:
    with archive_file(path) as file:
        job = restore_job_create(company=company, file=file, file_name=path.name, via="cli", enqueue=False)
    return job_run(job=job)


def restored(path: Path, company) -> ImportExportJob:
    with archive_file(path) as file:
        job = restore_job_create(company=company, file=file, file_name=path.name, via="cli", dry_run=False,
                                 enqueue=False)
    return job_run(job=job)


def counts_by_file(job: ImportExportJob) -> dict[str, tuple[int, ...]]:
    return {outcome["file"]: tuple(outcome[name] for name in COUNTS) for outcome in restore_results(job)}


def members(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name).decode("utf-8-sig") for name in archive.namelist()}


@pytest.fixture
def full_company(company):
    company_fill(company)
    return company


@pytest.fixture
def archive(full_company) -> Path:
    return backed_up(full_company)


# --- Backups ---------------------------------------------------------------------------------------------------


def test_a_backup_holds_every_target_as_an_import_compatible_csv_listed_in_its_manifest(full_company, archive):
    files = members(archive)
    manifest = json.loads(files.pop("manifest.json"))

    assert (manifest["format"], manifest["version"], manifest["company"]) == (
        "import-hub-company-backup", 1, "Acme Water")
    assert [entry["target"] for entry in manifest["targets"]] == [target.name for target in dependency_order()]
    assert set(files) == {entry["file"] for entry in manifest["targets"]}
    records = company_records(full_company)
    for entry in manifest["targets"]:
        target = get_target(entry["target"])
        rows = list(csv.reader(io.StringIO(files[entry["file"]])))
        assert rows[0] == [column.name for column in backup_columns(target)]
        assert entry["rows"] == len(rows) - 1 == len(records[target.name])
    assert ",0000000001," in files["customers.csv"]  # leading zeros kept
    assert ",02134," in files["customers.csv"]


def test_accounts_leave_their_primary_contact_to_the_contacts_file(archive):
    files = members(archive)

    header = files["accounts.csv"].splitlines()[0]
    assert "primary_contact" not in header
    assert "\r\nZoë,Ågren,zoe@example.com," in files["contacts.csv"]  # made by the account's row
    assert ",ACC-2002,,,true\r\n" in files["contacts.csv"]


def test_a_backup_holds_only_its_own_companys_records(full_company, other_company):
    file_import(other_company, "Customer", (
        "first_name,last_name,email,phone,service_address,city,state,postal_code,meter_number,account_number\n"
        "Other,Person,other@example.com,555-555-0000,9 Elm St,Springfield,IL,62701,MTR-9,9999999999\n"
    ))

    files = members(backed_up(full_company))
    theirs = members(backed_up(other_company))

    assert "9999999999" not in files["customers.csv"]
    assert theirs["customers.csv"].count("\n") == 2
    assert "9999999999" in theirs["customers.csv"]
    assert theirs["claims.csv"].count("\n") == 1  # the header alone


def test_records_created_after_the_backup_was_asked_for_are_left_out(full_company):
    job = backup_job_create(company=full_company, via="cli", enqueue=False)
    ImportExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timezone.timedelta(minutes=1))
    job.refresh_from_db()

    job = job_run(job=job)

    assert job.job_status == Status.COMPLETED
    assert job.processed_records == 0
    assert all(entry["rows"] == 0 for entry in job.options["manifest"]["targets"])


def test_a_file_larger_than_an_import_may_be_is_noted_on_the_backup(full_company, settings):
    settings.IMPORT_MAX_FILE_MB = 0

    job = job_run(job=backup_job_create(company=full_company, via="cli", enqueue=False))

    assert job.job_status == Status.COMPLETED
    assert job.logs.filter(message__contains="restoring this backup needs IMPORT_MAX_FILE_MB of at least 1").exists()


def test_a_backup_download_is_recorded_in_the_audit_trail(full_company, user):
    job = job_run(job=backup_job_create(company=full_company, via="web", user=user, enqueue=False))

    handle, name, content_type = backup_file_open(job, via="web", user=user, address="10.0.0.7")
    handle.close()

    assert (name, content_type) == (job.file_name, "application/zip")
    assert name.startswith("backup-acme-")
    assert name.endswith(".zip")
    event = AuditEvent.objects.get(action=AuditEvent.Action.DOWNLOAD)
    assert (event.job, event.user, event.address, event.via) == (job, user, "10.0.0.7", "web")


def test_a_backups_file_is_deleted_after_the_retention_period(full_company, settings):
    from imports.jobs.retention import export_files_purge

    job = job_run(job=backup_job_create(company=full_company, via="cli", enqueue=False))
    path = Path(job.file.path)
    ImportExportJob.objects.filter(pk=job.pk).update(
        completed_at=timezone.now() - timezone.timedelta(days=settings.EXPORT_RETENTION_DAYS + 1)
    )

    assert export_files_purge() == 1

    job.refresh_from_db()
    assert not path.exists()
    with pytest.raises(BackupRefused) as refused:
        backup_file_open(job, via="cli")
    assert refused.value.status == 410


def test_an_unfinished_backup_has_no_file_to_download(full_company):
    job = backup_job_create(company=full_company, via="cli", enqueue=False)

    with pytest.raises(BackupRefused) as refused:
        backup_file_open(job, via="cli")
    assert refused.value.status == 409


# --- Restores: the round trip ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_an_empty_company_reproduces_it_as_its_dry_run_predicted(company, other_company):
    company_fill(company)
    archive = backed_up(company)

    dry_run = dry_run_of(archive, other_company)

    assert dry_run.job_status == Status.COMPLETED, dry_run.error_message
    assert all(not rows for rows in company_records(other_company).values())  # the dry run wrote nothing
    assert not ImportExportJob.objects.filter(parent=dry_run).exists()
    predicted = counts_by_file(dry_run)
    assert sum(outcome[0] for outcome in predicted.values()) == sum(map(len, company_records(company).values()))

    real = job_run(job=restore_now(dry_run, via="cli", enqueue=False))

    assert real.job_status == Status.COMPLETED, real.error_message
    assert counts_by_file(real) == predicted
    assert (real.created_records, real.failed_records) == (dry_run.created_records, 0)
    mine, theirs = company_records(company), company_records(other_company)
    for target in all_targets():
        assert theirs[target.name] == mine[target.name], target.name

    again = dry_run_of(archive, other_company)
    assert counts_by_file(again) == {outcome["file"]: (0, 0, outcome["rows"], 0, 0)
                                     for outcome in restore_results(again)}
    restored_again = restored(archive, other_company)
    assert counts_by_file(restored_again) == counts_by_file(again)
    assert company_records(other_company) == mine


def test_the_dry_run_predicts_updates_into_a_company_that_holds_some_records(archive, other_company):
    file_import(other_company, "Customer", (
        "first_name,last_name,email,phone,service_address,city,state,postal_code,meter_number,account_number\n"
        "Johnny,Doe,john.doe@example.com,+12125550108,12 Beacon St,Boston,MA,02134,MTR-0001,0000000001\n"
    ))

    dry_run = dry_run_of(archive, other_company)
    real = restored(archive, other_company)

    assert counts_by_file(dry_run)["customers.csv"] == (2, 1, 0, 0, 0)
    assert counts_by_file(real) == counts_by_file(dry_run)
    assert Customer.objects.get(company=other_company, account_number="0000000001").first_name == "John"


def test_the_dry_run_leaves_no_file_behind(archive, other_company):
    before = {path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}

    dry_run = dry_run_of(archive, other_company)

    after = {path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}
    assert after - before == {Path(dry_run.file.path)}


def test_a_primary_contact_without_an_email_is_restored_once(company, other_company):
    file_import(company, "CustomerGroup", "name,group_type\nIndividuals,INDIVIDUAL\n")
    file_import(company, "Account", (
        "name,account_number,customer_group,primary_contact_first_name,primary_contact_last_name\n"
        "Ann Lee,ACC-3001,Individuals,Ann,Lee\n"
    ))

    real = restored(backed_up(company), other_company)

    assert real.job_status == Status.COMPLETED
    assert list(Contact.objects.filter(company=other_company).values_list("first_name", "is_primary")) == [
        ("Ann", True)
    ]
    assert company_records(other_company) == company_records(company)


# --- Restores: stopping ----------------------------------------------------------------------------------------


def broken_customers_archive(archive: Path, tmp_path: Path) -> Path:
    """The archive with a customers file the importer refuses as a whole (no required column but the names)."""
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = b"first_name,last_name\nAda,Lovelace\n" if name == "customers.csv" else source.read(name)
            target.writestr(name, content)
    return broken


def test_a_restore_stops_at_a_file_whose_import_fails_and_its_dry_run_says_so(archive, other_company, tmp_path):
    broken = broken_customers_archive(archive, tmp_path)

    dry_run = dry_run_of(broken, other_company)
    real = restored(broken, other_company)

    for job, verb in ((dry_run, "would stop"), (real, "stopped")):
        assert job.job_status == Status.FAILED
        assert f"The restore {verb} at the file of customers (customers.csv)" in job.error_message
        assert "missing" in job.error_message.lower()
    statuses = {outcome["file"]: outcome["status"] for outcome in restore_results(real)}
    assert statuses["claims.csv"] == Status.COMPLETED
    assert statuses["customers.csv"] == Status.FAILED
    assert statuses["contacts.csv"] == restore_children.NOT_STARTED
    assert {outcome["file"]: outcome["status"] for outcome in restore_results(dry_run)} == statuses


def test_a_restore_stopped_for_good_stops_its_running_import(full_company):
    restore = ImportExportJob.objects.create(company=full_company, job_type="restore", target_model="Company",
                                             job_status=Status.RUNNING, options={"manifest": {}})
    child = ImportExportJob.objects.create(company=full_company, job_type="import", target_model="Customer",
                                           job_status=Status.RUNNING, parent=restore)
    done = ImportExportJob.objects.create(company=full_company, job_type="import", target_model="Claim",
                                          job_status=Status.COMPLETED, parent=restore)

    job_cancel(restore, "Cancelled by alice.")

    child.refresh_from_db()
    done.refresh_from_db()
    assert (child.job_status, done.job_status) == (Status.CANCELLED, Status.COMPLETED)


def test_only_a_dry_run_that_completed_can_be_restored_for_real(archive, other_company):
    with archive_file(archive) as file:
        pending = restore_job_create(company=other_company, file=file, file_name="b.zip", via="cli", enqueue=False)
    with pytest.raises(BackupRefused) as refused:
        restore_now(pending, via="cli")
    assert refused.value.status == 409

    real = restored(archive, other_company)
    with pytest.raises(BackupRefused, match="Only the dry run"):
        restore_now(real, via="cli")


def test_a_dry_run_stopped_meanwhile_ends_within_a_batch_and_keeps_nothing(archive, other_company, settings,
                                                                          monkeypatch):
    from imports.engine.commit import LeaseLost
    from imports.jobs import import_kind

    settings.IMPORT_BATCH_SIZE = 1
    monkeypatch.setattr(restore_kind, "_STILL_OURS_SECONDS", 0)
    asked, original = [], restore_kind.chunk_still_held

    def cancelled_after_the_first_customer(chunk, lease):  # claims: asked 3 times; customers: before, then
        asked.append(1)
        if len(asked) >= 5:
            raise LeaseLost("cancelled from another page")
        original(chunk, lease)

    monkeypatch.setattr(restore_kind, "chunk_still_held", cancelled_after_the_first_customer)
    batches = []
    writes = import_kind.batch_write
    monkeypatch.setattr(import_kind, "batch_write", lambda **kw: batches.append(kw["job"].target_model) or writes(**kw))
    before = {path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}

    with archive_file(archive) as file:
        job = restore_job_create(company=other_company, file=file, file_name="acme.zip", via="cli", enqueue=False)
    job_run(job=job)

    assert batches == ["Claim", "Claim", "Customer"]
    job.refresh_from_db()
    assert "prediction" not in job.options
    assert all(not rows for rows in company_records(other_company).values())
    assert not ImportExportJob.objects.filter(job_type="import", company=other_company).exists()
    after = {path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}
    assert after - before == {Path(job.file.path)}


# --- Restores: taken over after a worker died ------------------------------------------------------------------


def chunks_gone_stale(job: ImportExportJob) -> None:
    """The chunks of `job` (a dead run's) stopped reporting long ago."""
    ImportChunk.objects.filter(job=job).update(heartbeat_at=timezone.now() - timezone.timedelta(hours=1))


def restore_started(path: Path, company) -> ImportExportJob:
    with archive_file(path) as file:
        return restore_job_create(company=company, file=file, file_name=path.name, via="cli", dry_run=False,
                                  enqueue=False)


def test_a_restore_killed_between_two_files_goes_on_with_the_next(archive, full_company, other_company):
    job = restore_started(archive, other_company)
    original = restore_children.child_create
    made = []

    def dies_after_three(**kwargs):
        if len(made) == 3:
            raise WorkerKilled
        made.append(kwargs["entry"].file)
        return original(**kwargs)

    with mock.patch.object(restore_kind, "child_create", side_effect=dies_after_three), pytest.raises(WorkerKilled):
        job_run(job=job)
    job.refresh_from_db()
    assert job.job_status == Status.RUNNING
    assert ImportExportJob.objects.filter(parent=job, job_status=Status.COMPLETED).count() == 3

    chunks_gone_stale(job)
    assert job_continue(job=job)

    job.refresh_from_db()
    assert job.job_status == Status.COMPLETED, job.error_message
    children = ImportExportJob.objects.filter(parent=job)
    assert sorted(children.values_list("target_model", flat=True)) == sorted(t.name for t in all_targets())
    assert company_records(other_company) == company_records(full_company)
    assert ImportChunk.objects.get(job=job).deaths == 1


def test_a_restore_killed_inside_an_import_takes_that_import_over(archive, full_company, other_company):
    job = restore_started(archive, other_company)
    from imports.jobs import import_kind

    original = import_kind._run_chunk
    runs = []

    def dies_in_the_fifth_import(chunk, lease, on_progress):
        runs.append(chunk.job.target_model)
        if len(runs) == 5:
            raise WorkerKilled
        return original(chunk, lease, on_progress)

    with mock.patch.object(import_kind, "_run_chunk", side_effect=dies_in_the_fifth_import), \
            pytest.raises(WorkerKilled):
        job_run(job=job)
    stuck = ImportExportJob.objects.get(parent=job, job_status=Status.RUNNING)
    assert stuck.target_model == runs[-1]

    chunks_gone_stale(job)
    chunks_gone_stale(stuck)
    job_continue(job=job)

    job.refresh_from_db()
    assert job.job_status == Status.COMPLETED, job.error_message
    assert ImportExportJob.objects.filter(parent=job, target_model=stuck.target_model).count() == 1
    stuck.refresh_from_db()
    assert stuck.job_status == Status.COMPLETED
    assert company_records(other_company) == company_records(full_company)


def test_an_import_held_by_another_live_run_is_waited_for(archive, full_company, other_company):
    job = restore_started(archive, other_company)
    original = restore_children.job_run
    held = []

    def laid_out_then_taken_by_a_live_worker(*, job, on_progress=None):
        if held:
            return original(job=job, on_progress=on_progress)
        from imports.jobs.import_kind import job_prepare

        job_prepare(job=job, lease=uuid.uuid4(), takes_turn=False)
        ImportChunk.objects.filter(job=job).update(lease=uuid.uuid4(), heartbeat_at=timezone.now())
        held.append(job)
        job.refresh_from_db()
        return job

    def the_live_worker_dies_meanwhile(seconds):
        chunks_gone_stale(held[0])

    with mock.patch.object(restore_children, "job_run", side_effect=laid_out_then_taken_by_a_live_worker), \
            mock.patch.object(restore_children.time, "sleep", side_effect=the_live_worker_dies_meanwhile) as slept:
        job_run(job=job)

    job.refresh_from_db()
    assert slept.call_count == 1
    assert job.job_status == Status.COMPLETED, job.error_message
    assert ImportExportJob.objects.filter(parent=job).count() == len(all_targets())
    assert company_records(other_company) == company_records(full_company)


def test_a_restore_at_its_tasks_time_limit_hands_its_chunk_back_without_a_death(archive, full_company, other_company):
    job = restore_started(archive, other_company)
    original = restore_kind.child_run_to_end
    calls = []

    def out_of_time_on_the_second(child, **kwargs):
        calls.append(child)
        if len(calls) == 2:
            raise SoftTimeLimitExceeded
        return original(child, **kwargs)

    with mock.patch.object(restore_kind, "child_run_to_end", side_effect=out_of_time_on_the_second):
        job_run(job=job)
    chunk = ImportChunk.objects.get(job=job)
    assert (chunk.status, chunk.lease, chunk.deaths) == (ImportChunk.Status.PENDING, None, 0)

    job_continue(job=job)

    job.refresh_from_db()
    assert job.job_status == Status.COMPLETED, job.error_message
    assert company_records(other_company) == company_records(full_company)
