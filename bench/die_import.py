"""django-import-export 4.4 importing a customers file in bulk mode, as its documentation sets it up: one child
process of `make bench`. Usage: die_import.py COMPANY_SLUG FILE [--dry-run]; prints one JSON line."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

import tablib  # noqa: E402
from import_export import resources  # noqa: E402

from bench.generate import HEADER  # noqa: E402
from companies.models import Company  # noqa: E402
from customers.models import Customer  # noqa: E402


class CustomerResource(resources.ModelResource):
    """The same model, fields and key as the project's import, in django-import-export's documented bulk mode
    (bulk_create / bulk_update in batches; rows are not full_clean()ed, which would cost a query per row)."""

    def __init__(self, company):
        super().__init__()
        self.company = company

    class Meta:
        model = Customer
        fields = tuple(HEADER)
        import_id_fields = ("account_number",)
        use_bulk = True
        batch_size = 1000

    def get_queryset(self):
        return Customer.objects.filter(company=self.company)

    def init_instance(self, row=None):
        return Customer(company=self.company)


def main() -> None:
    slug, path = sys.argv[1], sys.argv[2]
    company = Company.objects.get(slug=slug)
    with open(path, encoding="utf-8") as handle:
        dataset = tablib.Dataset().load(handle.read(), format="csv")
    result = CustomerResource(company).import_data(
        dataset, dry_run="--dry-run" in sys.argv, raise_errors=False, use_transactions=True
    )
    totals = result.totals
    print(json.dumps({
        "total": len(dataset),
        "created": totals.get("new", 0),
        "updated": totals.get("update", 0),
        "unchanged": totals.get("skip", 0),
        "failed": totals.get("invalid", 0) + totals.get("error", 0),
    }))


if __name__ == "__main__":
    main()
