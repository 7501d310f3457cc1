from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from imports import cli
from imports.cli import backups


class Command(BaseCommand):
    help = (
        "Back up a company: every kind of record as a CSV file an import reads back, in one ZIP archive with a "
        "manifest. Exit status 0: written; 2: nothing could be written."
    )

    def add_arguments(self, parser):
        parser.add_argument("--company", help="The company's slug; optional when only one company exists.")
        parser.add_argument("--output", required=True, help="The .zip file to write.")

    def handle(self, *args, company, output, **options):
        output = Path(output)
        try:
            job = backups.backup_to_file(company=cli.company_resolve(company), output=output)
        except cli.CommandFailure as error:
            self._fail(str(error))
        except DatabaseError as error:
            self._fail(f"The database stopped answering ({error}); run the same command again.")
        for line in backups.backup_lines(job, output):
            self.stdout.write(line)

    def _fail(self, message: str):
        self.stderr.write(message)
        raise SystemExit(cli.EXIT_NOTHING_RAN)
