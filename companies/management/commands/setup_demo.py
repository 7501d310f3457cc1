from django.core.management.base import BaseCommand

from companies.models import Company, User
from companies.services import api_token_for, company_create, user_create

DEMO_SLUG = "demo"
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "flowtrack-demo"


class Command(BaseCommand):
    help = "Create the demo company and its administrator if they do not exist yet, and print how to sign in."

    def handle(self, *args, **options):
        company = Company.objects.filter(slug=DEMO_SLUG).first() or company_create(
            name="Demo Utility Co.", slug=DEMO_SLUG
        )
        user = User.objects.filter(username=DEMO_USERNAME).first() or user_create(
            company=company, username=DEMO_USERNAME, password=DEMO_PASSWORD, is_superuser=True
        )
        self.stdout.write(f"Demo company: {company.name} (slug '{company.slug}', tenant {company.tenant_number})")
        self.stdout.write(f"Sign in as:   {user.username} / {DEMO_PASSWORD}")
        self.stdout.write(f"API token:    {api_token_for(user=user)}")
