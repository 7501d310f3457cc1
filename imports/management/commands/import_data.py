import json
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand
from django.db import DatabaseError

from imports import cli
from imports.cli.resuming import job_resume_here, new_import_options_given, resume_conflicts
from imports.cli.retries import retry_create
from imports.cli.value_fixes import DATE_FORMAT_HELP, NO_ZIP_PADDING_HELP, VALUE_MAP_HELP, value_fixes_from_flags
from imports.declare.errors import ImportFileError
from imports.declare.targets import all_targets, get_target
from imports.engine.options import DUPLICATE_STRATEGIES, MODE_ALIASES, ImportOptions
from imports.engine.stored_files import error_report_local_path
from imports.engine.validation_rules import ValidationRules, validation_rules_parse
from imports.jobs.inprocess import job_run
from imports.jobs.services import job_create
from imports.models import ImportExportJob


class Command(BaseCommand):
    help = (
        "Import a CSV, Excel or JSON file into one of the import targets (Customer, ...). "
        "With --resume JOB_ID, continue a cancelled or failed import from where it stopped. "
        "Exit status 0: every row imported; 1: some rows failed, the rest imported; 2: nothing could run."
    )

    def add_arguments(self, parser):
        targets = ", ".join(target.name for target in all_targets())
        parser.add_argument(
            "--model", help=f"What the file holds: {targets}. Required unless --resume or --retry-failed."
        )
        parser.add_argument(
            "--file", help="The CSV, XLSX, XLS or JSON file to import. Required unless --resume or --retry-failed."
        )
        parser.add_argument(
            "--resume", metavar="JOB_ID",
            help="Continue a cancelled or failed import with its own file, mapping and options: rows already "
            "imported are not imported again.",
        )
        parser.add_argument(
            "--retry-failed", nargs="+", metavar=("JOB_ID", "FILE"),
            help="Retry the failed rows of import job JOB_ID as a new import with its options and mapping: as they "
            "are, or from FILE, its corrected error report. --model, --file and the import options are not needed.",
        )
        parser.add_argument("--company", help="The company's slug; optional when only one company exists.")
        parser.add_argument(
            "--mode", choices=sorted(MODE_ALIASES),
            help="create: new records only; update: existing only; upsert (default): both.",
        )
        parser.add_argument(
            "--duplicates", choices=DUPLICATE_STRATEGIES,
            help="In create mode, what to do with a row whose key already exists (default: skip).",
        )
        parser.add_argument("--mapping", help='A JSON file mapping file columns to fields: {"E-mail": "email"}.')
        parser.add_argument("--template", help="The name of a saved import template (its column mapping, value fixes "
                            "and validation rules).")
        parser.add_argument("--rules", metavar="FILE.json", help='A JSON file of your own validation rules by field: '
                            '{"phone": [{"rule": "unique", "message": "One customer per phone"}]}; they replace a '
                            "template's rules of the same field.")
        parser.add_argument("--sheet", help="The workbook sheet to read (default: the first).")
        parser.add_argument("--batch-size", type=int, help="Rows per batch (default: IMPORT_BATCH_SIZE).")
        parser.add_argument("--dry-run", action="store_true", help="Validate everything and write nothing.")
        parser.add_argument(
            "--all-or-nothing", action="store_true",
            help="Validate every row first; import nothing if any row fails.",
        )
        parser.add_argument("--date-format", action="append", metavar="[COLUMN=]FORMAT", help=DATE_FORMAT_HELP)
        parser.add_argument("--value-map", action="append", metavar="FIELD:VALUE=CHOICE", help=VALUE_MAP_HELP)
        parser.add_argument("--no-zip-padding", action="store_true", help=NO_ZIP_PADDING_HELP)
        parser.add_argument("--json", action="store_true", help="Print one JSON object instead of a summary.")

    def handle(self, *args, **options):
        as_json = options["json"]
        job = None
        try:
            job = self._resumed_job(options) if options["resume"] else self._create_job(options)
        except (cli.CommandFailure, ImportFileError) as error:
            self._fail(str(error), as_json)

        progress = cli.ProgressBar(f"{job.target_model} rows")
        try:
            job = job_run(job=job, on_progress=progress)
        except KeyboardInterrupt:
            self.stderr.write(cli.interrupted(job))
            raise SystemExit(cli.EXIT_INTERRUPTED) from None
        except DatabaseError as error:
            self._fail(cli.database_lost(error), as_json)
        finally:
            progress.close()
        if job.job_status == job.Status.FAILED:
            self._fail(job.error_message, as_json, job=job)

        cli.result_write(self.stdout, job, as_json=as_json)
        raise SystemExit(cli.exit_status(job))

    def _resumed_job(self, options):
        if conflicts := resume_conflicts(options):
            raise cli.CommandFailure(
                f"--resume continues a job with its own file, mapping and options: leave out {', '.join(conflicts)}."
            )
        company = cli.company_resolve(options["company"]) if options["company"] else None
        return job_resume_here(job_id=options["resume"], company=company)

    def _create_job(self, options):
        if options["retry_failed"]:
            if conflicts := new_import_options_given(options, besides=("retry_failed",)):
                raise cli.CommandFailure(
                    f"--retry-failed imports with the first job's mapping, options and validation rules: leave out "
                    f"{', '.join(conflicts)}."
                )
            return retry_create(options["retry_failed"], company_slug=options["company"])
        missing = [name for name in ("--model", "--file") if not options[name[2:]]]
        if missing:
            given = " and ".join(missing)
            raise cli.CommandFailure(
                f"Give {given} (the file to import and what it holds), --resume JOB_ID or --retry-failed JOB_ID."
            )
        company = cli.company_resolve(options["company"])
        try:
            target = get_target(options["model"])
        except KeyError as error:
            raise cli.CommandFailure(error.args[0]) from None
        path = Path(options["file"])
        if not path.is_file():
            raise cli.CommandFailure(f"File not found: {path}")
        mapping = _read_json(options["mapping"], "Mapping") if options["mapping"] else None
        rules = _rules_read(target, options["rules"]) if options["rules"] else None
        if options["batch_size"] is not None and options["batch_size"] < 1:
            raise cli.CommandFailure("--batch-size must be at least 1.")
        fixes = value_fixes_from_flags(
            target, date_formats=options["date_format"], value_maps=options["value_map"],
            no_zip_padding=options["no_zip_padding"],
        )
        import_options = ImportOptions.parse(
            mode=options["mode"] or "upsert", duplicates=options["duplicates"] or "skip", dry_run=options["dry_run"],
            fixes=fixes, rules=rules,
        )
        with open(path, "rb") as handle:
            return job_create(
                company=company,
                target_name=target.name,
                file=File(handle, name=path.name),
                file_name=path.name,
                options=import_options,
                mapping=mapping,
                template_name=options["template"],
                sheet=options["sheet"],
                batch_size=options["batch_size"],
                all_or_nothing=options["all_or_nothing"],
                via=ImportExportJob.Via.CLI,
            )

    def _fail(self, message: str, as_json: bool, job=None):
        report = error_report_local_path(job) if job is not None else None
        self.stderr.write(message)
        if report:  # an all-or-nothing import that stopped on failed rows: they are listed there
            self.stderr.write(f"Error report: {report}")
        if as_json:
            self.stdout.write(cli.result_json(job, error=message, error_report=report))
        raise SystemExit(cli.EXIT_NOTHING_RAN)


def _read_json(path_text: str, what: str):
    path = Path(path_text)
    if not path.is_file():
        raise cli.CommandFailure(f"{what} file not found: {path}")
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise cli.CommandFailure(f"{what} file {path} is not valid JSON: {error}.") from None


def _rules_read(target, path_text: str) -> ValidationRules:
    try:
        return validation_rules_parse(target, _read_json(path_text, "Rules"))
    except ImportFileError as error:
        raise cli.CommandFailure(f"{path_text}: {error}") from None
