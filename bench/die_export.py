"""django-import-export 4.4 exporting a company's customers as CSV, as its documentation sets it up: a ModelResource
of the same model and columns as the project's export, `export()` then `.csv`. One child process of `make bench`.
Usage: die_export.py COMPANY_SLUG FILE; prints one JSON line (seconds, rows, bytes)."""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from import_export import resources  # noqa: E402

from companies.models import Company  # noqa: E402
from customers.models import Customer  # noqa: E402
from imports.declare import get_target  # noqa: E402

# The columns the project's export holds by default: exactly those an import takes back.
COLUMNS = tuple(field.name for field in get_target("Customer").fields)


class CustomerResource(resources.ModelResource):
    class Meta:
        model = Customer
        fields = COLUMNS
        export_order = COLUMNS


def main() -> None:
    slug, path = sys.argv[1], sys.argv[2]
    company = Company.objects.get(slug=slug)
    started = time.perf_counter()
    dataset = CustomerResource().export(queryset=Customer.objects.filter(company=company).order_by("pk"))
    text = dataset.csv
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "rows": len(dataset), "bytes": Path(path).stat().st_size}))


if __name__ == "__main__":
    main()
