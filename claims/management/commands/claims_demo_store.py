"""Put the claims guide's sample claims in a company's local claims store, so the guide's example workflow (upload
its claims.csv, follow the progress, download the results) finds them. `make run` runs it for the demo company."""

from django.core.management.base import BaseCommand, CommandError

from claims.models import Claim
from companies.models import Company
from imports.declare import get_target


class Command(BaseCommand):
    help = "Store the claims guide's sample claims (CHANTAL KISA, JOHN DOE) in a company's local claims store."

    def add_arguments(self, parser):
        parser.add_argument("--company", default="demo", help="The company's slug (default: demo).")

    def handle(self, *args, **options):
        company = Company.objects.filter(slug=options["company"]).first()
        if company is None:
            raise CommandError(f"No company with the slug '{options['company']}'.")
        target = get_target("Claim")
        for row in target.template_rows():
            cleaned = {name: target.fields_by_name[name].clean(text) for name, text in row.items()}
            values = {name: value for name, value in cleaned.items() if value is not None}
            number = values.pop("claim_number")
            Claim.objects.update_or_create(company=company, claim_number=number, defaults=values)
        self.stdout.write(f"Sample claims stored for {company.name}: {len(target.template_rows())}.")
