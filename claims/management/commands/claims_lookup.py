from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from imports import cli
from imports.cli import lookups

SERVICE = "Claim"  # the claim look-up service (claims.import_targets.ClaimLookup)


class Command(BaseCommand):
    help = (
        "Look up the claims of a CSV file (claim_number, first_name, last_name, date_of_birth, subscriber_id; "
        "optional payer_id, provider_npi, service_date_from, service_date_to) where the company's claims settings "
        "say (its local claims store or a payer), and write the results file. Exit status 0: every claim found; "
        "1: some look-ups failed; 2: nothing could run, or the look-up stopped before its end."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="The CSV of claim queries.")
        parser.add_argument("--company", help="The company's slug; optional when only one company exists.")
        parser.add_argument(
            "--output",
            help="The results file (written over if it exists), or a folder for it. Default: <file>-results.csv "
                 "beside the file, or <file>-results-2.csv (-3, ...) when that exists.",
        )
        parser.add_argument(
            "--retry", metavar="JOB_ID",
            help="Run a look-up job again instead of a file: a failed or cancelled one continues where it stopped, "
                 "a completed one asks again only its look-ups that failed and can be retried.",
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object instead of a summary.")

    def handle(self, *args, **options):
        self.as_json = options["json"]
        job, progress = None, cli.ProgressBar("Claim look-ups", unit="look-ups")
        try:
            if bool(options["file"]) == bool(options["retry"]):
                raise cli.CommandFailure("Give either a FILE to look up or --retry JOB_ID.")
            company = cli.company_resolve(options["company"])
            if options["retry"]:
                stopped = lookups.lookup_job_get(company=company, service_name=SERVICE, job_id=options["retry"])
                results_file = lookups.ResultsFile(options["output"], Path(stopped.file_name))
                job = lookups.lookup_again(stopped)
            else:
                source = Path(options["file"])
                results_file = lookups.ResultsFile(options["output"], source)
                job = lookups.lookup_from_file(company=company, service_name=SERVICE, path=source)
            job = lookups.lookup_run_here(job, progress)
        except cli.CommandFailure as error:
            self._fail(str(error), job)
        except KeyboardInterrupt:
            self.stderr.write(lookups.lookup_interrupted(job) if job else "Stopped before any claim was looked up.")
            raise SystemExit(cli.EXIT_INTERRUPTED) from None
        except DatabaseError as error:
            self._fail(lookups.lookup_database_lost(error, job), None)
        finally:
            progress.close()

        results = None
        try:
            # A look-up stopped part-way still hands over what it found.
            if job.job_status == job.Status.COMPLETED or job.processed_records:
                results = lookups.lookup_results_write(job, results_file)
        except cli.CommandFailure as error:
            self._fail(str(error), job)
        except DatabaseError as error:
            self._fail(lookups.lookup_database_lost(error, job), None)
        if job.job_status != job.Status.COMPLETED:
            self._fail(self._stopped(job), job, results=results)

        if self.as_json:
            self.stdout.write(lookups.lookup_result_json(job, results=results))
        else:
            for line in lookups.lookup_summary_lines(job, results=results):
                self.stdout.write(line)
            if lookups.lookup_counts(job)["retryable"]:
                self.stdout.write(f"Ask the retryable ones again: manage.py claims_lookup --retry {job.pk}")
        raise SystemExit(lookups.lookup_exit_status(job))

    def _stopped(self, job) -> str:
        return f"{job.error_message} Continue it with: manage.py claims_lookup --retry {job.pk}"

    def _fail(self, message: str, job, *, results=None):
        """Nothing (more) could run: the reason on stderr, then the summary of what was done (or the JSON
        object)."""
        self.stderr.write(message)
        if self.as_json:
            self.stdout.write(lookups.lookup_result_json(job, results=results, error=message))
        elif job is not None and job.processed_records:
            for line in lookups.lookup_summary_lines(job, results=results):
                self.stdout.write(line)
        raise SystemExit(cli.EXIT_NOTHING_RAN)
