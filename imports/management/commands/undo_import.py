from django.core.management.base import BaseCommand
from django.db import DatabaseError

from imports import cli
from imports.cli import undo


class Command(BaseCommand):
    help = (
        "Undo an import: delete the records it created and give the records it updated their values back. A record "
        "changed since the import, or one other records now depend on, is kept and listed. With --dry-run, what the "
        "undo would do is worked out exactly and nothing is changed. Exit status 0: everything taken back; 1: done, "
        "with records kept; 2: refused or could not run."
    )

    def add_arguments(self, parser):
        parser.add_argument("job_id", help="The import job's id (as the dashboard and import_data show it).")
        parser.add_argument("--dry-run", action="store_true", help="Say what the undo would do; change nothing.")
        parser.add_argument(
            "--force", action="store_true", help="Take back records changed since the import too (their later "
            "changes are lost); records others depend on are still kept.",
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object instead of a summary.")

    def handle(self, *args, job_id, dry_run, force, json: bool, **options):
        result = None
        try:
            result = undo.undo_run(undo.import_find(job_id), dry_run=dry_run, force=force)
        except cli.CommandFailure as error:
            self._fail(str(error), json)
        except KeyboardInterrupt:
            self.stderr.write(undo.undo_interrupted(job_id))
            raise SystemExit(cli.EXIT_INTERRUPTED) from None
        except DatabaseError as error:
            self._fail(cli.database_lost(error), json)
        if json:
            self.stdout.write(undo.undo_json(result))
        else:
            for line in undo.undo_lines(result):
                self.stdout.write(line)
        if result.job_status != result.Status.COMPLETED:
            self.stderr.write(result.error_message or "The undo did not complete.")
        raise SystemExit(undo.undo_exit_status(result))

    def _fail(self, message: str, as_json: bool):
        self.stderr.write(message)
        if as_json:
            self.stdout.write(undo.undo_json(None, error=message))
        raise SystemExit(cli.EXIT_NOTHING_RAN)
