"""The mapping page's value fixes (imports.engine.value_fixes): what the file's first rows say about its values,
and the small form that saves what the user chooses with the mapping.

- each mapped date column gets a select of formats, set to the one its first values fit, with a warning when they
  fit several (04/05/2024: April or May?);
- a checkbox puts back ZIP codes' leading zeros (on by default);
- each mapped choice or yes/no column whose first values fall outside its choices gets a select per unknown value.

The form's fields are named by field (and, for a value, by its position, with the value itself beside it in a
hidden input), so a post made against another mapping cannot send a choice to the wrong value.
"""

from dataclasses import dataclass, field

from django import forms

from imports.declare.errors import FieldError, ImportFileError
from imports.declare.fields import DateField, ImportField, PostalCodeField
from imports.declare.targets import get_target
from imports.engine.date_formats import DATE_FORMATS, ISO, DateDetection, date_format_detect, format_label
from imports.engine.value_fixes import MAX_MAPPED_VALUES, ValueFixes, map_choices, value_fixes_parse
from imports.models import ImportUpload

SHOWN = "value_fixes_shown"  # a post from a page that showed this form (else the fixes are left as they are)
PAD_ZIP_CODES = "pad_zip_codes"


def _date_name(name: str) -> str:
    return f"date_format__{name}"


def _map_names(name: str, position: int) -> tuple[str, str]:
    """The select of a field's unknown value at `position`, and the hidden input holding the value itself."""
    select = f"value_map__{name}__{position}"
    return select, f"{select}__value"


@dataclass
class DateColumn:
    field: ImportField
    column: str
    detection: DateDetection

    @property
    def form_name(self) -> str:
        return _date_name(self.field.name)

    @property
    def fitting_labels(self) -> list[str]:
        return [format_label(name) for name in self.detection.fitting]


@dataclass
class MappedColumn:
    field: ImportField
    column: str
    values: list[str]  # the values outside the field's choices, as the file writes them
    more: int = 0  # how many more distinct unknown values the first rows hold than the form shows
    form_names: list[tuple[str, str]] = field(default_factory=list)  # (select, hidden value) per value


@dataclass
class ValueFixesPage:
    dates: list[DateColumn]
    maps: list[MappedColumn]
    pads_zip_codes: bool  # whether the target has ZIP codes (the checkbox is shown)

    @property
    def any(self) -> bool:
        return bool(self.dates or self.maps or self.pads_zip_codes)


def _sample_column(upload: ImportUpload, column: str) -> list[str]:
    index = upload.columns.index(column)
    return [cells[index] if index < len(cells) else "" for _number, cells, *_sheet_row in upload.sample_rows]


def _mapped_columns(upload: ImportUpload):
    """(field, column) of each mapped column, in the file's order."""
    target = get_target(upload.target_model)
    for column in upload.columns:
        name = upload.mapping.get(column)
        if name:
            yield target.fields_by_name[name], column


def _unknown_values(import_field: ImportField, texts: list[str], mapped: dict[str, str]) -> list[str]:
    """The distinct values of `texts` the field refuses, with the values already mapped, in the file's order."""
    unknown = {}
    for text in [*mapped, *texts]:
        value = text.strip()
        if not value or value.casefold() in unknown:
            continue
        try:
            import_field.clean(value)
        except FieldError:
            unknown[value.casefold()] = value
    return list(unknown.values())


def value_fixes_page(upload: ImportUpload) -> ValueFixesPage:
    """The value fixes the mapping page offers for the upload's mapped columns, from its stored first rows."""
    fixes = ValueFixes.from_dict(upload.value_fixes)
    # The checkbox is shown whenever the target has ZIP codes, mapped or not yet, so a post always says what it says.
    target = get_target(upload.target_model)
    page = ValueFixesPage(dates=[], maps=[], pads_zip_codes=any(isinstance(f, PostalCodeField) for f in target.fields))
    for import_field, column in _mapped_columns(upload):
        if isinstance(import_field, DateField):
            page.dates.append(DateColumn(import_field, column, date_format_detect(_sample_column(upload, column))))
        elif map_choices(import_field) is not None:
            values = _unknown_values(import_field, _sample_column(upload, column),
                                     fixes.value_maps.get(import_field.name, {}))
            if values:
                shown = values[:MAX_MAPPED_VALUES]
                page.maps.append(MappedColumn(
                    import_field, column, shown, more=len(values) - len(shown),
                    form_names=[_map_names(import_field.name, position) for position in range(len(shown))],
                ))
    return page


class ValueFixesForm(forms.Form):
    """The choices of a ValueFixesPage; `fixes()` gives them as ValueFixes (ImportFileError when one is refused)."""

    def __init__(self, *args, upload: ImportUpload, page: ValueFixesPage, **kwargs):
        super().__init__(*args, **kwargs)
        self.upload, self.page = upload, page
        saved = ValueFixes.from_dict(upload.value_fixes)
        formats = [(name, f"{label} (e.g. {example})") for name, (label, example) in DATE_FORMATS.items()]
        for date in page.dates:
            chosen = saved.date_formats.get(date.field.name) or date.detection.proposed or ISO
            self.fields[date.form_name] = forms.ChoiceField(
                label=f"Dates in {date.column}", choices=formats, initial=chosen, required=False,
            )
        if page.pads_zip_codes:
            self.fields[PAD_ZIP_CODES] = forms.BooleanField(
                label="Put back the leading zero of ZIP codes a spreadsheet shortened (2134 in MA read as 02134)",
                initial=saved.pad_zip_codes, required=False,
            )
        for mapped in page.maps:
            choices = [("", "— leave as it is —")] + [(choice, choice) for choice in map_choices(mapped.field)]
            saved_map = saved.value_maps.get(mapped.field.name, {})
            current = {value.casefold(): choice for value, choice in saved_map.items()}
            for value, (select, hidden) in zip(mapped.values, mapped.form_names, strict=True):
                self.fields[select] = forms.ChoiceField(
                    label=value, choices=choices, required=False, initial=current.get(value.casefold(), ""),
                )
                self.fields[hidden] = forms.CharField(widget=forms.HiddenInput, initial=value, required=False)

    def date_rows(self) -> list[tuple[DateColumn, forms.BoundField]]:
        """Each date column with its select, for the template."""
        return [(date, self[date.form_name]) for date in self.page.dates]

    def map_rows(self) -> list[tuple[MappedColumn, list[tuple[forms.BoundField, forms.BoundField]]]]:
        """Each choice column with a select and a hidden value per unknown value, for the template."""
        return [
            (mapped, [(self[select], self[hidden]) for select, hidden in mapped.form_names])
            for mapped in self.page.maps
        ]

    def fixes(self) -> ValueFixes:
        saved = ValueFixes.from_dict(self.upload.value_fixes)
        target = get_target(self.upload.target_model)
        shown_dates = {date.field.name for date in self.page.dates}
        date_formats = {key: name for key, name in saved.date_formats.items() if key not in shown_dates}
        for date in self.page.dates:
            date_formats[date.field.name] = self.cleaned_data.get(date.form_name) or date.detection.proposed or ISO
        value_maps = {name: mapped for name, mapped in saved.value_maps.items()
                      if name not in {column.field.name for column in self.page.maps}}
        for mapped in self.page.maps:
            chosen = {}
            for value, (select, hidden) in zip(mapped.values, mapped.form_names, strict=True):
                if self.cleaned_data.get(hidden) == value and self.cleaned_data.get(select):
                    chosen[value] = self.cleaned_data[select]
            if chosen:
                value_maps[mapped.field.name] = chosen
        pad = saved.pad_zip_codes
        if self.page.pads_zip_codes:  # an unchecked box sends nothing: shown and absent means off
            pad = bool(self.cleaned_data.get(PAD_ZIP_CODES))
        return value_fixes_parse(target, date_formats=date_formats, value_maps=value_maps, pad_zip_codes=pad)


def value_fixes_form(upload: ImportUpload, data=None) -> ValueFixesForm:
    """The form for the upload's current mapping, bound to `data` when it came from a page that showed it."""
    bound = data if data is not None and data.get(SHOWN) else None
    return ValueFixesForm(bound, upload=upload, page=value_fixes_page(upload))


def value_fixes_posted(upload: ImportUpload, data) -> ValueFixes | None:
    """The fixes `data` (a mapping page's post, or its preview's query) chooses; None when it holds none."""
    form = value_fixes_form(upload, data)
    if not form.is_bound or not form.is_valid():
        return None
    try:
        return form.fixes()
    except ImportFileError:
        return None  # a tampered choice: the saved fixes stay


def value_fixes_effective(upload: ImportUpload) -> ValueFixes:
    """The fixes the upload's jobs and preview apply: those saved, and for a date column not chosen yet, the format
    its first rows fit (the one the page shows selected)."""
    fixes = ValueFixes.from_dict(upload.value_fixes)
    detected = {
        date.field.name: date.detection.proposed for date in value_fixes_page(upload).dates
        if date.detection.proposed and date.field.name not in fixes.date_formats
    }
    if not detected:
        return fixes
    return ValueFixes(date_formats={**detected, **fixes.date_formats}, value_maps=fixes.value_maps,
                      pad_zip_codes=fixes.pad_zip_codes)


def value_fixes_save(upload: ImportUpload, data) -> None:
    """Save the fixes a mapping page's post chooses, with the mapping just saved."""
    fixes = value_fixes_posted(upload, data)
    if fixes is not None:
        upload.value_fixes = fixes.as_dict()
        upload.save(update_fields=["value_fixes"])
