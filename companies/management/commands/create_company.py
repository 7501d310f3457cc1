from django.core.management.base import BaseCommand

from companies.services import CompanySetupError, company_with_owner_create


class Command(BaseCommand):
    help = "Create a company (tenant) and its first user, and print that user's API token."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="Short unique name used on the command line, e.g. 'acme-water'.")
        parser.add_argument("--name", required=True, help="The company's display name.")
        parser.add_argument("--user", required=True, help="Username of the company's first user.")
        parser.add_argument("--password", required=True, help="That user's password.")

    def handle(self, *args, slug, name, user, password, **options):
        try:
            _company, _user, token = company_with_owner_create(
                slug=slug, name=name, username=user, password=password
            )
        except CompanySetupError as error:
            self.stderr.write(str(error))
            raise SystemExit(2) from None
        self.stdout.write(f"token: {token}")
