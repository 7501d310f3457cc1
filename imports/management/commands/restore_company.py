from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from imports import cli
from imports.cli import backups


class Command(BaseCommand):
    help = (
        "Restore a company from a backup archive (backup_company's .zip): every file imported, in the order its "
        "records depend on each other, creating new records and updating existing ones. With --dry-run, what it "
        "would do is worked out exactly and nothing is written. Exit status 0: every row restored; 1: some rows "
        "failed, the rest restored; 2: nothing could run."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup archive (.zip).")
        parser.add_argument("--company", help="The company's slug; optional when only one company exists.")
        parser.add_argument("--dry-run", action="store_true", help="Work out what the restore would do; write nothing.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object instead of a summary.")

    def handle(self, *args, file, company, dry_run, json: bool, **options):
        job = None
        try:
            job = backups.restore_from_file(company=cli.company_resolve(company), path=Path(file), dry_run=dry_run)
            job = backups.restore_run(job)
        except cli.CommandFailure as error:
            self._fail(str(error), json)
        except KeyboardInterrupt:
            self.stderr.write(backups.restore_interrupted(job))
            raise SystemExit(cli.EXIT_INTERRUPTED) from None
        except DatabaseError as error:
            self._fail(cli.database_lost(error), json, job)
        if job.job_status != job.Status.COMPLETED:
            self._fail(job.error_message, json, job)
        if json:
            self.stdout.write(backups.restore_json(job))
        else:
            for line in backups.restore_lines(job):
                self.stdout.write(line)
        raise SystemExit(backups.restore_exit_status(job))

    def _fail(self, message: str, as_json: bool, job=None):
        self.stderr.write(message)
        if as_json:
            self.stdout.write(backups.restore_json(job, error=message))
        elif job is not None:
            for line in backups.restore_lines(job):
                self.stdout.write(line)
        raise SystemExit(cli.EXIT_NOTHING_RAN)
