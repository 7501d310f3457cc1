"""The `options` part of an upload: a JSON object in the words of the customer import guide, turned into the
pipeline's ImportOptions (so a mode or a duplicate rule means what it means on the command line and in the wizard).

Every option may be left out (or given as null) for the product's default: mode `upsert`, duplicateStrategy
`skip`, validateOnly `false`, no date formats or value maps, padZipCodes `true`, no validationRules. The value
fixes (imports.engine.value_fixes) are also accepted spelled date_formats, value_maps and pad_zip_codes, and the
company's own rules (imports.engine.validation_rules) spelled validation_rules.
"""

import json

from imports.api.errors import BadImportRequest
from imports.api.json_parts import json_object_part
from imports.declare.errors import ImportFileError
from imports.declare.targets import ImportTarget
from imports.engine.options import DUPLICATE_STRATEGIES, MODE_ALIASES, MODES, ImportOptions
from imports.engine.validation_rules import validation_rules_parse
from imports.engine.value_fixes import value_fixes_parse

OPTION_NAMES = (
    "mode", "duplicateStrategy", "validateOnly", "dateFormats", "valueMaps", "padZipCodes", "validationRules",
)
ALIASES = {
    "date_formats": "dateFormats", "value_maps": "valueMaps", "pad_zip_codes": "padZipCodes",
    "validation_rules": "validationRules",
}
EXAMPLE = '{"mode": "create", "duplicateStrategy": "skip", "validateOnly": false}'
FIXES_EXAMPLE = '{"dateFormats": {"connection_date": "mdy"}, "valueMaps": {"status": {"Closed": "inactive"}}}'
# A few values and value maps fit in a few thousand characters; a longer text is refused before it is parsed, so a
# huge or deeply nested value costs nothing.
MAX_CHARS = 16_000


def options_parse(text: str | None, target: ImportTarget) -> ImportOptions:
    """The import options an upload asks for; BadImportRequest says what is wrong and which values are allowed."""
    if text is None or not text.strip():
        return ImportOptions.parse()
    given = json_object_part(text, part="options", example=EXAMPLE, max_chars=MAX_CHARS)
    given = {ALIASES.get(name, name): value for name, value in given.items()}
    unknown = sorted(set(given) - set(OPTION_NAMES))
    if unknown:
        names = ", ".join(unknown)
        raise BadImportRequest(
            f"Unknown option{'s' if len(unknown) > 1 else ''} {names}: the options are mode, duplicateStrategy, "
            "validateOnly, dateFormats, valueMaps, padZipCodes and validationRules."
        )
    mode, duplicates = given.get("mode"), given.get("duplicateStrategy")
    validate_only = given.get("validateOnly")
    if mode is not None and (not isinstance(mode, str) or mode.strip().lower() not in MODE_ALIASES):
        raise BadImportRequest(
            f"Unknown mode {json.dumps(mode)}: use {', '.join(MODES[:-1])} or {MODES[-1]} "
            "(create_only, update_only and create_update are accepted too)."
        )
    if duplicates is not None and (
        not isinstance(duplicates, str) or duplicates.strip().lower() not in DUPLICATE_STRATEGIES
    ):
        raise BadImportRequest(
            f"Unknown duplicateStrategy {json.dumps(duplicates)}: use "
            f"{', '.join(DUPLICATE_STRATEGIES[:-1])} or {DUPLICATE_STRATEGIES[-1]}."
        )
    if validate_only is not None and not isinstance(validate_only, bool):
        raise BadImportRequest(f"validateOnly must be true or false, not {json.dumps(validate_only)}.")
    try:
        rules = validation_rules_parse(target, given.get("validationRules"))
    except ImportFileError as error:
        raise BadImportRequest(str(error)) from None
    return ImportOptions.parse(
        mode=mode, duplicates=duplicates, dry_run=bool(validate_only), fixes=_fixes_parse(given, target),
        rules=rules,
    )


def _fixes_parse(given: dict, target: ImportTarget):
    date_formats, value_maps = given.get("dateFormats"), given.get("valueMaps")
    pad = given.get("padZipCodes")
    if date_formats is not None and not isinstance(date_formats, dict):
        raise BadImportRequest(f'dateFormats must be an object of date field or column to format: {FIXES_EXAMPLE}.')
    if value_maps is not None and not isinstance(value_maps, dict):
        raise BadImportRequest(f"valueMaps must be an object of field to {{value: choice}}: {FIXES_EXAMPLE}.")
    if pad is not None and not isinstance(pad, bool):
        raise BadImportRequest(f"padZipCodes must be true or false, not {json.dumps(pad)}.")
    try:
        return value_fixes_parse(target, date_formats=date_formats, value_maps=value_maps,
                                 pad_zip_codes=pad is not False)
    except ImportFileError as error:
        raise BadImportRequest(str(error)) from None

