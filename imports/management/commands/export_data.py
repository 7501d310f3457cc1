from pathlib import Path

from django.core.management.base import BaseCommand

from imports import cli
from imports.declare.targets import all_targets, get_target
from imports.engine.exporting import EXPORT_FORMATS
from imports.jobs.services import export_run


class Command(BaseCommand):
    help = "Export a company's records as CSV or JSON, in columns the importer reads back unchanged."

    def add_arguments(self, parser):
        targets = ", ".join(target.name for target in all_targets())
        parser.add_argument("--model", required=True, help=f"What to export: {targets}.")
        parser.add_argument("--format", required=True, choices=EXPORT_FORMATS, dest="file_format")
        parser.add_argument("--output", required=True, help="The file to write.")
        parser.add_argument("--company", help="The company's slug; optional when only one company exists.")

    def handle(self, *args, model, file_format, output, company, **options):
        try:
            company = cli.company_resolve(company)
            target = get_target(model)
        except cli.CommandFailure as error:
            self._fail(str(error))
        except KeyError as error:
            self._fail(error.args[0])
        output = Path(output)
        if not output.parent.is_dir():
            self._fail(f"Folder not found: {output.parent}")
        job = export_run(company=company, target_name=target.name, file_format=file_format, output=output)
        if job.job_status == job.Status.FAILED:
            self._fail(job.error_message)
        self.stdout.write(f"Exported {job.total_records} {target.verbose_name_plural} to {output}")

    def _fail(self, message: str):
        self.stderr.write(message)
        raise SystemExit(cli.EXIT_NOTHING_RAN)
