from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError

from imports import cli
from imports.declare import ImportFileError
from salespro.models import SalesProSyncHistory
from salespro.services import sync_finish, sync_job_set, sync_start

DEFAULT_BATCH_SIZE = 500
TARGET_NAME = "SalesProAppointment"
KEY_COLUMN = "_id"
_COLUMNS_SHOWN = 15
Status = SalesProSyncHistory.Status


class Command(BaseCommand):
    help = (
        "Import appointments from a SalesPro CSV export: new _id values are created, known ones updated when the "
        "file's _updated_at is newer, the rest left unchanged. Exit status 0: every row imported; 1: some rows "
        "failed, the rest imported; 2: nothing could run."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The SalesPro export (CSV; Excel and JSON work too).")
        parser.add_argument("--company", help="The company's slug; optional when only one company exists.")
        parser.add_argument("--dry-run", action="store_true",
                            help="Report what would be created, updated, skipped and failed; write nothing.")
        parser.add_argument("--batch-size", type=int,
                            help=f"Rows per batch (default: the BATCH_SIZE environment variable, else "
                                 f"{DEFAULT_BATCH_SIZE}).")
        parser.add_argument("--json", action="store_true", help="Print one JSON object instead of a summary.")

    def handle(self, *args, **options):
        self.as_json, self.sync = options["json"], None
        try:
            batch_size = _batch_size(options["batch_size"], settings.SALESPRO_BATCH_SIZE)
            company = cli.company_resolve(options["company"])
        except cli.CommandFailure as error:
            self._fail(str(error))
        path = Path(options["path"])
        # A dry run writes nothing, not even its sync.
        self.sync = None if options["dry_run"] else sync_start(company=company, file_path=str(path.absolute()))

        job, progress = None, cli.ProgressBar("SalesPro appointments")
        try:
            if not path.is_file():
                raise cli.CommandFailure(f"File not found: {path}")
            job = appointments_import_create(
                company=company, path=path, dry_run=options["dry_run"], batch_size=batch_size
            )
            if self.sync is not None:
                sync_job_set(sync=self.sync, job=job)
            job = cli.job_run_here(job, progress)
        except (cli.CommandFailure, ImportFileError) as error:
            self._fail(str(error))
        except KeyboardInterrupt:
            self._stopped(job)
        except DatabaseError as error:
            # As import_customers: the output names no job, whose state the database could not say.
            self._fail(cli.database_lost(error), job=job, shown=False)
        finally:
            progress.close()
        if job.job_status == job.Status.FAILED:
            self._fail(job.error_message, job=job)

        self._record(Status.COMPLETED, job)
        sync_line = [] if self.sync is None else [f"Sync history: {self.sync.pk} ({self.sync.status})"]
        cli.result_write(self.stdout, job, as_json=self.as_json, extra_lines=sync_line)
        raise SystemExit(cli.exit_status(job))

    def _record(self, status: str, job=None, message: str = "") -> None:
        """End the run's sync, if it has one; best effort when the database is what failed."""
        if self.sync is None:
            return
        try:
            sync_finish(
                sync=self.sync, status=status, job=job, error_message=message,
                error_report=cli.error_report_path(job),
            )
        except DatabaseError:
            self.stderr.write("The sync history could not be updated: the database is not answering.")

    def _stopped(self, job) -> None:
        """Ctrl-C: the batches committed stay, the job and the sync end cancelled."""
        message = "Stopped before any row was imported." if job is None else cli.interrupted(job)
        self._record(Status.CANCELLED, job, message)
        self.stderr.write(message)
        raise SystemExit(cli.EXIT_INTERRUPTED)

    def _fail(self, message: str, job=None, *, shown: bool = True):
        """Nothing (more) could run: one line on stderr (and the JSON object), and the sync ends failed with the
        counts of what was saved before. `shown`: whether the output reports the job."""
        if job is not None:
            try:
                job.refresh_from_db()  # the counts of the batches committed before the failure
            except DatabaseError:
                job = None  # the database is gone: nothing more can be read or recorded
        self._record(Status.FAILED, job, message)
        job = job if shown else None
        report = cli.error_report_path(job)
        self.stderr.write(message)
        if report:  # a job stopped part-way lists the rows that failed before
            self.stderr.write(f"Error report: {report}")
        if self.as_json:
            self.stdout.write(cli.result_json(job, error=message, error_report=report))
        raise SystemExit(cli.EXIT_NOTHING_RAN)


def appointments_import_create(*, company, path: Path, dry_run: bool, batch_size: int):
    """A pending import job of a SalesPro appointments export; raises ImportFileError (and creates nothing) for a
    file that cannot be imported, such as one without an `_id` column.

    The job would refuse a file without the key column too, naming the field (`salespro_id`); a SalesPro user
    knows the column as `_id`, so the file is refused in those words before a job exists.
    """
    columns = cli.file_columns_without_key(target_name=TARGET_NAME, path=path)
    if columns is not None:
        shown = ", ".join(columns[:_COLUMNS_SHOWN]) + (", ..." if len(columns) > _COLUMNS_SHOWN else "")
        raise ImportFileError(f"missing required column: {KEY_COLUMN} (the file's columns are: {shown})")
    return cli.job_from_file(
        company=company, target_name=TARGET_NAME, path=path, mode="upsert", dry_run=dry_run, batch_size=batch_size
    )


def _batch_size(given: int | None, environment: str | None) -> int:
    """--batch-size, else the BATCH_SIZE environment variable, else 500; at least 1."""
    if given is not None:
        if given < 1:
            raise cli.CommandFailure("--batch-size must be at least 1.")
        return given
    if environment is None or not environment.strip():
        return DEFAULT_BATCH_SIZE
    try:
        size = int(environment)
    except ValueError:
        size = 0
    if size < 1:
        raise cli.CommandFailure(f"BATCH_SIZE must be a whole number of at least 1, not '{environment}'.")
    return size
