"""How rows are written: the import modes and what a create does with a key that exists, in one vocabulary.

Every face (the wizard's options form, the API's `options`, the commands' flags) parses what users write with
ImportOptions.parse, and shows the choices from the constants here (the wizard's form through the model's choices,
which these constants are made from).
"""

from dataclasses import dataclass, field

from imports.declare.errors import ImportFileError
from imports.engine.validation_rules import ValidationRules
from imports.engine.value_fixes import ValueFixes
from imports.models import ImportExportJob

# The words themselves are the job's database choices (the wizard's options form shows their labels); the names
# the commands and the API also accept for a mode are spelled here.
MODES = tuple(ImportExportJob.Mode.values)
MODE_ALIASES = {
    **{mode: mode for mode in MODES},
    "create_only": ImportExportJob.Mode.CREATE.value,
    "update_only": ImportExportJob.Mode.UPDATE.value,
    "create_update": ImportExportJob.Mode.UPSERT.value,
}
DUPLICATE_STRATEGIES = tuple(ImportExportJob.DuplicateHandling.values)


@dataclass(frozen=True)
class ImportOptions:
    """How rows are written.

    `mode` says which records a file may touch: `create` only new ones, `update` only existing ones, `upsert`
    both. `duplicates` says what `create` does with a row whose key already exists: skip it, update the record,
    fail the row, or create a new record under a generated key. In `update` and `upsert` an existing key is
    updated, since that is what those modes ask for. `fixes` says how to read the file's values before they are
    checked (imports.engine.value_fixes); `rules` what the company demands of the cleaned values
    (imports.engine.validation_rules).
    """

    mode: str = "upsert"
    duplicates: str = "skip"
    dry_run: bool = False
    fixes: ValueFixes = field(default_factory=ValueFixes)
    rules: ValidationRules = field(default_factory=ValidationRules)

    @classmethod
    def parse(
        cls, *, mode: str | None = None, duplicates: str | None = None, dry_run: bool = False,
        fixes: ValueFixes | None = None, rules: ValidationRules | None = None,
    ) -> "ImportOptions":
        resolved_mode = MODE_ALIASES.get((mode or "upsert").strip().lower())
        if resolved_mode is None:
            raise ImportFileError(f"Unknown mode '{mode}': use {', '.join(MODES[:-1])} or {MODES[-1]}.")
        resolved_duplicates = (duplicates or "skip").strip().lower()
        if resolved_duplicates not in DUPLICATE_STRATEGIES:
            raise ImportFileError(f"Unknown duplicate handling '{duplicates}': use {', '.join(DUPLICATE_STRATEGIES)}.")
        return cls(
            mode=resolved_mode, duplicates=resolved_duplicates, dry_run=bool(dry_run), fixes=fixes or ValueFixes(),
            rules=rules or ValidationRules(),
        )
