"""What a domain app declares to make its model importable and exportable: the one surface it imports from the core.

    from imports.declare import ImportTarget, register, DateField, Outcome

A target (ImportTarget, registered with `register` in the app's `import_targets.py`) names its model, its fields
(the field types below), its key, and the hooks it needs; hooks see a batch's rows as RowPlans and the job as a
RowContext. A look-up service (LookupService, registered with `lookup_register` in the same module) answers a
file of queries with a file of results instead of writing records. A few helpers serve hooks that read or write
records of their own: `stored_rows` (one query per batch) and `rows_insert` (bulk speed). `checks` validates
every registered target when Django starts.
"""

from imports.declare.bulk_insert import rows_insert
from imports.declare.context import RowContext
from imports.declare.errors import CellError, FieldError, ImportFileError
from imports.declare.fields import (
    BooleanField,
    ChoiceField,
    DateField,
    DateTimeField,
    DecimalField,
    EmailField,
    ImportField,
    PhoneField,
    PostalCodeField,
    URLField,
    USStateField,
)
from imports.declare.formulas import escape_formula, unescape_formula
from imports.declare.lookups import (
    LookupContext,
    LookupQuery,
    LookupResult,
    LookupService,
    all_lookups,
    get_lookup,
    lookup_register,
)
from imports.declare.outcomes import Outcome, RowPlan, SourceRow
from imports.declare.stored_rows import stored_rows
from imports.declare.targets import ImportTarget, UniqueInFile, all_targets, get_target, register
from imports.declare.tasks import RELIABLE

__all__ = [
    "RELIABLE",
    "BooleanField",
    "CellError",
    "ChoiceField",
    "DateField",
    "DateTimeField",
    "DecimalField",
    "EmailField",
    "FieldError",
    "ImportExportJob",
    "ImportField",
    "ImportFileError",
    "ImportTarget",
    "LookupContext",
    "LookupQuery",
    "LookupResult",
    "LookupService",
    "Outcome",
    "PhoneField",
    "PostalCodeField",
    "RowContext",
    "RowPlan",
    "SourceRow",
    "URLField",
    "USStateField",
    "UniqueInFile",
    "all_lookups",
    "all_targets",
    "escape_formula",
    "get_lookup",
    "get_target",
    "lookup_register",
    "register",
    "rows_insert",
    "stored_rows",
    "unescape_formula",
]


def __getattr__(name: str):
    """ImportExportJob (what `after_import` receives) is loaded when asked for: the models need Django set up,
    and the readers, which import this package's errors, also run where it is not (a capped reading process)."""
    if name == "ImportExportJob":
        from imports.models import ImportExportJob

        return ImportExportJob
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
