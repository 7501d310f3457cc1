from django.core.management.base import BaseCommand

from customers.geocoding import LookupRefused, geocoding_enabled
from customers.models import Customer
from customers.verification import LookupsPaused, addresses_recheck, addresses_verify
from imports import cli
from imports.cli import EXIT_NOTHING_RAN, CommandFailure


class Command(BaseCommand):
    help = (
        "Check a company's pending service addresses now, in this process (imports queue this for the workers). "
        "With --recheck, addresses marked not verified are checked again too, e.g. once GOOGLE_MAPS_API_KEY is set."
    )

    def add_arguments(self, parser):
        parser.add_argument("--company", help="The company's slug; optional when only one company exists.")
        parser.add_argument("--recheck", action="store_true", help="Check not-verified addresses again as well.")

    def handle(self, *args, **options):
        try:
            company = cli.company_resolve(options["company"])
        except CommandFailure as error:
            self._fail(str(error))
        if options["recheck"]:
            count = addresses_recheck(company=company)
            self.stdout.write(f"{count:,} not-verified addresses of {company.name} will be checked again.")
        if not geocoding_enabled():
            self.stdout.write("GOOGLE_MAPS_API_KEY is not set: addresses are formatted offline and not verified.")
        totals, after_pk = {}, 0
        while True:
            try:
                run = addresses_verify(company_id=company.pk, after_pk=after_pk)
            except (LookupsPaused, LookupRefused) as error:
                self._summary(company, totals)
                self._fail(f"Stopped: {error}. The remaining addresses stay pending; run the command again later.")
            for status, count in run.statuses.items():
                totals[status] = totals.get(status, 0) + count
            if run.outcome == "busy":
                self._fail(f"Another run is checking the addresses of {company.name} now; it will finish them.")
            if run.outcome != "more":
                break
            after_pk = run.resume_after
        self._summary(company, totals)

    def _summary(self, company, totals: dict[str, int]) -> None:
        labels = dict(Customer.AddressStatus.choices)
        parts = ", ".join(f"{count:,} {labels[status].lower()}" for status, count in sorted(totals.items()) if count)
        details = f" ({parts})" if parts else ""
        self.stdout.write(f"{company.name}: {sum(totals.values()):,} addresses checked{details}.")

    def _fail(self, message: str):
        self.stderr.write(message)
        raise SystemExit(EXIT_NOTHING_RAN)
