"""Value fixes: what a person says about a file's values before they are checked, saved with its mapping.

- a date format per date column (imports.engine.date_formats): 03/15/2024 read as 2024-03-15;
- ZIP codes whose leading zeros a spreadsheet dropped, put back where the row's state has such codes
  (imports.engine.zip_codes), each with a warning on its row; on unless turned off;
- value maps for choice and yes/no fields: `Closed` read as `inactive`, `x` as `true`.

Every face (the wizard's mapping page, the API's options, the command's flags) makes a ValueFixes with
`value_fixes_parse`; the job keeps it in its options (`as_dict`), and the planner and the scan apply it column by
column before each field's own cleaning, so a dry run, an import and the wizard's preview read a cell alike.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from imports.declare.errors import ImportFileError
from imports.declare.fields import BooleanField, ChoiceField, DateField, PostalCodeField, USStateField
from imports.declare.formulas import unescape_formula
from imports.declare.headers import normalise_header
from imports.engine.date_formats import DATE_FORMATS, ISO, date_read, format_example, format_label
from imports.engine.zip_codes import zip_padded

if TYPE_CHECKING:
    from imports.declare.fields import ImportField
    from imports.declare.targets import ImportTarget
    from imports.engine.mapping import ColumnMapping

# A value map lists the distinct values a person has looked at; more than this is a file to fix, not a form.
MAX_MAPPED_VALUES = 50
_BOOLEAN_CHOICES = ("true", "false")


def map_choices(import_field: "ImportField") -> tuple[str, ...] | None:
    """The values a map may send a field's cells to: its choices, true or false; None when it takes no map."""
    if isinstance(import_field, BooleanField):
        return _BOOLEAN_CHOICES
    if isinstance(import_field, ChoiceField):
        return tuple(str(value) for value in import_field.values)
    return None


@dataclass(frozen=True)
class ValueFixes:
    """`date_formats`: a date field (or a file column feeding one) -> format name; `value_maps`: field -> {value
    as the file writes it: the choice it means}; `pad_zip_codes`: put back ZIP codes' leading zeros."""

    date_formats: dict[str, str] = field(default_factory=dict)
    value_maps: dict[str, dict[str, str]] = field(default_factory=dict)
    pad_zip_codes: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "date_formats": dict(self.date_formats),
            "value_maps": {name: dict(mapped) for name, mapped in self.value_maps.items()},
            "pad_zip_codes": self.pad_zip_codes,
        }

    @classmethod
    def from_dict(cls, stored: dict | None) -> "ValueFixes":
        """The fixes a job or an upload recorded (checked when they were given)."""
        stored = stored or {}
        return cls(
            date_formats=dict(stored.get("date_formats") or {}),
            value_maps={name: dict(mapped) for name, mapped in (stored.get("value_maps") or {}).items()},
            pad_zip_codes=stored.get("pad_zip_codes", True) is not False,
        )

    def overridden_by(self, given: "ValueFixes") -> "ValueFixes":
        """These fixes (a saved template's) with `given` ones taking precedence; ZIP codes are padded unless
        either turns it off."""
        return ValueFixes(
            date_formats={**self.date_formats, **given.date_formats},
            value_maps={**self.value_maps, **given.value_maps},
            pad_zip_codes=self.pad_zip_codes and given.pad_zip_codes,
        )

    def keyed_by_field(self, field_mapping: dict[str, str | None]) -> "ValueFixes":
        """The same fixes with each date format keyed by the field its column fed in `field_mapping` (a job's
        applied mapping), for a file whose columns are named otherwise (a retry of the job's failed rows)."""
        formats = {field_mapping.get(key) or key: name for key, name in self.date_formats.items()}
        return ValueFixes(date_formats=formats, value_maps=self.value_maps, pad_zip_codes=self.pad_zip_codes)

    def unresolved(self, target: "ImportTarget", mapping: "ColumnMapping") -> list[str]:
        """Notes on the date formats naming neither a field nor a column of this file (they are not applied)."""
        resolved = set(_date_columns(self, target, mapping))
        return [
            f"The date format {name} is given for '{key}', which is neither a date field of {target.name} nor a "
            "column of the file that feeds one; it is not applied."
            for key, name in self.date_formats.items()
            if key not in resolved and key not in target.fields_by_name  # a date field the file lacks: nothing to do
        ]


def value_fixes_parse(
    target: "ImportTarget", *, date_formats: dict | None = None, value_maps: dict | None = None,
    pad_zip_codes: bool = True,
) -> ValueFixes:
    """Check fixes as a person gave them; ImportFileError names what is wrong and what is allowed.

    A date format's key is a date field or a file column (the file is not read yet: a column that turns out not to
    exist is noted on the job); a value map's key is a choice or yes/no field, each value mapped to one of its
    choices."""
    formats = {}
    for key, name in (date_formats or {}).items():
        if not isinstance(key, str) or not key.strip():
            raise ImportFileError("Each date format needs the date field or file column it is for.")
        spelled = str(name).strip().lower() if isinstance(name, str) else None
        if spelled not in DATE_FORMATS:
            raise ImportFileError(f"Unknown date format {name!r} for {key}: use {_format_names()}.")
        given = target.fields_by_name.get(key)
        if given is not None and not isinstance(given, DateField):
            raise ImportFileError(f"{key} is not a date field of {target.name}: a date format applies to dates.")
        formats[key.strip()] = spelled
    maps = {}
    for name, mapped in (value_maps or {}).items():
        maps[name] = _value_map_check(target, name, mapped)
    return ValueFixes(date_formats=formats, value_maps=maps, pad_zip_codes=bool(pad_zip_codes))


def _format_names() -> str:
    return ", ".join(f"{name} ({label})" for name, (label, _example) in DATE_FORMATS.items())


def _value_map_check(target: "ImportTarget", name: Any, mapped: Any) -> dict[str, str]:
    import_field = target.fields_by_name.get(name) if isinstance(name, str) else None
    if import_field is None:
        raise ImportFileError(f"A value map names {name!r}, which is no field of {target.name}.")
    choices = map_choices(import_field)
    if choices is None:
        raise ImportFileError(f"{name} takes no value map: only choice and yes/no fields do.")
    if not isinstance(mapped, dict) or not mapped:
        raise ImportFileError(f'The value map of {name} must be an object such as {{"Closed": "{choices[-1]}"}}.')
    if len(mapped) > MAX_MAPPED_VALUES:
        raise ImportFileError(f"The value map of {name} has {len(mapped)} values; it may have at most "
                              f"{MAX_MAPPED_VALUES}.")
    checked = {}
    by_fold = {choice.casefold(): choice for choice in choices}
    for value, choice in mapped.items():
        if not isinstance(value, str) or not value.strip():
            raise ImportFileError(f"The value map of {name} maps an empty value; name the value the file holds.")
        if not isinstance(choice, str) or choice.strip().casefold() not in by_fold:
            raise ImportFileError(f"The value map of {name} sends '{value}' to {choice!r}: use one of "
                                  f"{', '.join(choices)}.")
        checked[value.strip()] = by_fold[choice.strip().casefold()]
    return checked


def _date_columns(fixes: ValueFixes, target: "ImportTarget", mapping: "ColumnMapping") -> dict[str, str]:
    """Each date format's key -> the mapped date field it applies to: the keys naming a field first, then those
    naming a column, so a column's own format wins over its field's whatever order the keys were stored in (a
    PostgreSQL jsonb object keeps none)."""
    by_column = {normalise_header(match.column): match.field for match in mapping.matches if match.field}
    fields, columns = {}, {}
    for key in fixes.date_formats:
        if key in target.fields_by_name:
            fields[key] = key
        elif (name := by_column.get(normalise_header(key))) is not None:
            columns[key] = name
    return {
        key: name for key, name in (*sorted(fields.items()), *sorted(columns.items()))
        if name in mapping.mapped_fields and isinstance(target.fields_by_name[name], DateField)
    }


def _state_field_for(target: "ImportTarget", postal_name: str) -> list[str]:
    """The state fields a ZIP field's rows are judged by: its own (billing_state for billing_postal_code), then the
    target's main `state` (a billing state left blank means the service state)."""
    states = [f.name for f in target.fields if isinstance(f, USStateField)]
    own = postal_name.removesuffix("postal_code").removesuffix("zip") + "state"
    return [name for name in dict.fromkeys((own, "state")) if name in states]


class ColumnFixer:
    """The fixes of one job, set against its mapping once; `clean_column` then cleans a batch's column with them.

    A column without a fix goes straight to its field's `clean_column`, so a job without fixes costs nothing."""

    def __init__(self, fixes: ValueFixes, target: "ImportTarget", mapping: "ColumnMapping"):
        self.dates = {name: fixes.date_formats[key] for key, name in _date_columns(fixes, target, mapping).items()}
        self.sensitive = target.sensitive_fields  # health data: a message never repeats such a cell
        self.maps = {
            name: {value.casefold(): choice for value, choice in mapped.items()}
            for name, mapped in fixes.value_maps.items() if name in mapping.mapped_fields
        }
        self.zip_states: dict[str, list[int]] = {}
        if fixes.pad_zip_codes:
            for import_field, _index, _column in mapping.field_columns(target):
                if isinstance(import_field, PostalCodeField):
                    states = [mapping.index_of(name) for name in _state_field_for(target, import_field.name)]
                    if any(index is not None for index in states):
                        self.zip_states[import_field.name] = [index for index in states if index is not None]

    def clean_column(
        self, import_field: "ImportField", raws: list[str], rows: list[list[str]]
    ) -> tuple[list[Any], dict[int, str], dict[int, str]]:
        """The column's values and errors, as the field's `clean_column` gives them once the fixes are applied, and
        {position: warning} for the cells a fix changed in a way the user should see."""
        name = import_field.name
        errors, warnings = {}, {}
        if name in self.dates:
            raws, errors = _dates_fixed(import_field, self.dates[name], raws, quoted=name not in self.sensitive)
        elif name in self.maps:
            raws = _mapped(self.maps[name], raws)
        elif name in self.zip_states:
            raws, warnings = _zips_fixed(import_field, self.zip_states[name], raws, rows)
        values, field_errors = import_field.clean_column(raws)
        if errors:
            field_errors.update(errors)
        return values, field_errors, warnings


def _dates_fixed(import_field, name: str, raws: list[str], *, quoted: bool) -> tuple[list[str], dict[int, str]]:
    """Each cell in format `name` rewritten as YYYY-MM-DD (which stays accepted as it is, being unambiguous); a
    cell in neither is blanked and gets a message saying which format the column is read in (and the cell's text
    when `quoted`)."""
    rewritten, refused = {}, set()
    for raw in set(raws):
        text = unescape_formula(raw.strip())
        if not text:
            rewritten[raw] = raw
            continue
        day = date_read(name, text) or date_read(ISO, text)
        if day is None:
            refused.add(raw)
            rewritten[raw] = ""
        else:
            rewritten[raw] = day.isoformat()
    errors = {}
    if refused:
        how = f"this column is read as {format_label(name)}, e.g. {format_example(name)}"
        errors = {
            position: f"Invalid {_named(import_field.phrase, raw, quoted)}: {how}"
            for position, raw in enumerate(raws) if raw in refused
        }
    return [rewritten[raw] for raw in raws], errors


def _named(phrase: str, raw: str, quoted: bool) -> str:
    return f"{phrase} '{raw.strip()}'" if quoted else phrase


def _mapped(mapping: dict[str, str], raws: list[str]) -> list[str]:
    return [mapping.get(raw.strip().casefold(), raw) for raw in raws]


def _zips_fixed(import_field, state_indexes: list[int], raws: list[str], rows: list[list[str]]):
    """Short ZIP codes padded where the row's state has codes starting with 0, each with a warning."""
    fixed, warnings = raws, {}
    for position, raw in enumerate(raws):
        text = raw.strip()
        if not (3 <= len(text) <= 9) or len(text.split("-", 1)[0]) > 4:  # a full code, a blank: the usual case
            continue
        cells = rows[position]
        state = next((cells[index] for index in state_indexes if index < len(cells) and cells[index].strip()), "")
        padded = zip_padded(text, state)
        if padded is None:
            continue
        if fixed is raws:
            fixed = list(raws)
        fixed[position] = padded
        warnings[position] = f"{import_field.label} {text} read as {padded}"
    return fixed, warnings
