"""import_data's value fixes (imports.engine.value_fixes) as flags:

    --date-format mdy                    every date column of the file is written MM/DD/YYYY
    --date-format "Start Date=dmy"       this column (or date field) only; wins over a format for every column
    --value-map "status:Closed=inactive" (repeatable) a choice or yes/no field's own value and what it means
    --no-zip-padding                     read 3- and 4-digit ZIP codes as they are
"""

from imports.cli import CommandFailure
from imports.declare.errors import ImportFileError
from imports.declare.fields import DateField
from imports.declare.targets import ImportTarget
from imports.engine.date_formats import DATE_FORMATS
from imports.engine.value_fixes import ValueFixes, value_fixes_parse

DATE_FORMAT_HELP = (
    "How dates are written: FORMAT for every date column, or COLUMN=FORMAT (a file column or a date field); "
    f"repeatable. Formats: {', '.join(DATE_FORMATS)} (mdy2: two-digit years, 00-29 read as 20xx, 30-99 as 19xx)."
)
VALUE_MAP_HELP = (
    "FIELD:VALUE=CHOICE, e.g. status:Closed=inactive or is_primary:x=true: a choice or yes/no field's value as the "
    "file writes it, and the choice it means; repeatable."
)
NO_ZIP_PADDING_HELP = (
    "Read 3- and 4-digit ZIP codes as they are, instead of putting back the leading zeros a spreadsheet dropped "
    "where the row's state has ZIP codes starting with 0 (2134 in MA read as 02134, with a warning)."
)


def value_fixes_from_flags(
    target: ImportTarget, *, date_formats: list[str] | None, value_maps: list[str] | None, no_zip_padding: bool
) -> ValueFixes:
    """The fixes the flags ask for; CommandFailure says which flag is wrong and how to write it."""
    try:
        return value_fixes_parse(
            target, date_formats=_date_formats(target, date_formats or []), value_maps=_value_maps(value_maps or []),
            pad_zip_codes=not no_zip_padding,
        )
    except ImportFileError as error:
        raise CommandFailure(str(error)) from None


def _date_formats(target: ImportTarget, flags: list[str]) -> dict[str, str]:
    every, named = {}, {}
    for flag in flags:
        column, separator, name = flag.rpartition("=")
        if not separator:
            if flag.strip().lower() not in DATE_FORMATS:
                raise CommandFailure(f"--date-format {flag}: unknown format; use {', '.join(DATE_FORMATS)}, alone or "
                                     "as COLUMN=FORMAT.")
            every = {field.name: flag for field in target.fields if isinstance(field, DateField)}
        elif not column.strip():
            raise CommandFailure(f"--date-format {flag}: write COLUMN=FORMAT, or FORMAT alone for every date column.")
        else:
            named[column.strip()] = name
    return {**every, **named}


def _value_maps(flags: list[str]) -> dict[str, dict[str, str]]:
    maps: dict[str, dict[str, str]] = {}
    for flag in flags:
        name, colon, rest = flag.partition(":")
        value, equals, choice = rest.rpartition("=")
        if not colon or not equals or not name.strip() or not value.strip():
            raise CommandFailure(f"--value-map {flag}: write FIELD:VALUE=CHOICE, e.g. status:Closed=inactive.")
        maps.setdefault(name.strip(), {})[value.strip()] = choice.strip()
    return maps
