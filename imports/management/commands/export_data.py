from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from imports import cli
from imports.cli.exports import FILTER_HELP, export_file_copy, export_from_options, export_interrupted
from imports.declare.targets import all_targets, get_target
from imports.jobs.inprocess import job_run


class Command(BaseCommand):
    help = (
        "Export a company's records as CSV, Excel (xlsx), JSON or PDF: every record, or those the filters pick, in "
        "the columns asked for (by default exactly the columns an import reads back unchanged). Runs as an export "
        "job in this process and copies its file to --output. Exit status 0: the file is written; 2: nothing could "
        "run; 130: stopped with Ctrl-C."
    )

    def add_arguments(self, parser):
        targets = ", ".join(target.name for target in all_targets())
        parser.add_argument("--model", help=f"What to export: {targets}. Optional with --template.")
        parser.add_argument("--output", required=True, help="The file to write.")
        parser.add_argument("--company", help="The company's slug; optional when only one company exists.")
        parser.add_argument(
            "--format", dest="file_format", type=str.lower, choices=("csv", "xlsx", "json", "pdf"),
            help="csv (the default), xlsx (Excel), json or pdf (a report, up to EXPORT_PDF_MAX_ROWS rows).",
        )
        parser.add_argument("--columns", help="The columns in the file's order, as a,b,c (default: exactly the "
                                              "columns an import takes back).")
        parser.add_argument("--filter", dest="filters", action="append", default=[], metavar="FIELD=VALUE",
                            help=FILTER_HELP)
        parser.add_argument("--template", help="The name of a saved export template: its target, columns, filters "
                                               "and format, each replaced by the option given here.")
        parser.add_argument("--import-compatible", action="store_true",
                            help="Exactly the columns an import takes back, in the import's order (--columns is "
                                 "then ignored).")

    def handle(self, *args, output, company, **options):
        output = Path(output)
        try:
            company = cli.company_resolve(company)
            if not output.parent.is_dir():
                raise cli.CommandFailure(f"Folder not found: {output.parent}")
            job = export_from_options(
                company=company, model=options["model"], template=options["template"], columns=options["columns"],
                filters=options["filters"], file_format=options["file_format"],
                import_compatible=options["import_compatible"],
            )
        except cli.CommandFailure as error:
            self._fail(str(error))

        progress = cli.ProgressBar(f"{job.target_model} rows")
        try:
            job = job_run(job=job, on_progress=progress)
        except KeyboardInterrupt:
            self.stderr.write(export_interrupted(job))
            raise SystemExit(cli.EXIT_INTERRUPTED) from None
        except DatabaseError as error:
            self._fail(f"The database stopped answering ({error}); no file was written. Run the same command again.")
        finally:
            progress.close()
        if job.job_status != job.Status.COMPLETED:
            self._fail(job.error_message or f"The export ended {job.get_job_status_display().lower()}.")

        try:
            export_file_copy(job, output)
        except cli.CommandFailure as error:
            self._fail(str(error))
        records = get_target(job.target_model).verbose_name_plural
        self.stdout.write(f"Exported {job.total_records} {records} to {output} (job {job.pk})")

    def _fail(self, message: str):
        self.stderr.write(message)
        raise SystemExit(cli.EXIT_NOTHING_RAN)
