"""The export builder's form: the columns in their order, a filter per field, the format and a template name, read
from a plain POST (no JavaScript needed) or from an export's data (a template, an earlier job), and turned into the
data every face gives an export (imports.engine.exports.spec).

The form is rendered back exactly as it came, so a refused request loses nothing the user entered; the refusal's
sentence is put next to the part of the form it is about.

Posted names:
    order                  every column's name, in the order shown (hidden inputs)
    columns                the columns chosen (checkboxes): the file's columns are these, in that order
    import_compatible      the switch; `was_import_compatible` says how it was shown, so switching it on selects
                           exactly the columns an import takes back, and changing a column switches it off
    move                   "up:<column>" or "down:<column>": a button that moves a column (without JavaScript)
    pick                   "all" or "none": buttons that tick or untick every column
    filter-<field>-...     one field's filter: -op and -value (text), -in (choices), -from and -to (ranges)
    import_job             "created or updated by import job X"
    extra_filter           filters the builder has no input for (given through the API or the command line), kept
                           as their data while their box stays ticked
"""

import json
from dataclasses import dataclass, field

from imports.declare.errors import FieldError
from imports.declare.targets import ImportTarget
from imports.engine.exports.columns import ExportColumn, columns_available, columns_import_compatible
from imports.engine.exports.filters import IMPORT_JOB, OPERATORS, ExportFilterError, filters_parse, operators_for
from imports.engine.exports.spec import FORMAT_LABELS
from imports.jobs.export_services import ExportRefused

TEXT, CHOICE, RANGE, YES_NO, VALUE = "text", "choice", "range", "yes_no", "value"


def widget_for(kind: str) -> str:
    """How the builder asks for a filter on a field of `kind`, from the operators the field takes."""
    operators = operators_for(kind)
    if "in" in operators:
        return CHOICE
    if "gte" in operators:
        return RANGE
    if "contains" in operators:
        return TEXT
    return YES_NO if kind == "boolean" else VALUE


@dataclass
class ColumnChoice:
    column: ExportColumn
    chosen: bool

    @property
    def read_only(self) -> bool:
        """Worked out by the product (a reading's consumption, a record's times): an import does not read it."""
        return not self.column.importable


@dataclass
class FieldFilter:
    """What the user entered as the filter on one field, kept as typed until the export checks it."""

    column: ExportColumn
    op: str = ""
    text: str = ""
    chosen: list[str] = field(default_factory=list)
    low: str = ""
    high: str = ""
    error: str = ""

    @property
    def name(self) -> str:
        return self.column.name

    @property
    def widget(self) -> str:
        return widget_for(self.column.kind)

    @property
    def prefix(self) -> str:
        return f"filter-{self.column.name}"

    @property
    def operators(self) -> list[tuple[str, str]]:
        return [(op, OPERATORS[op]) for op in operators_for(self.column.kind) if op in ("contains", "equals")]

    @property
    def choices(self) -> list[tuple[str, str]]:
        """(stored value, as shown): `needs_review` reads "needs review"."""
        return [(value, str(value).replace("_", " ")) for value in getattr(self.column.field, "values", ())]

    @property
    def input_type(self) -> str:
        """A date picker for dates, and for moments given as a day (the whole day); text for anything else."""
        if self.column.kind == "date":
            return "date"
        if self.column.kind == "datetime" and all(len(value) in (0, 10) for value in (self.low, self.high)):
            return "date"
        return "text"

    @property
    def active(self) -> bool:
        return bool(self.to_data())

    def read_post(self, post) -> None:
        self.op = post.get(f"{self.prefix}-op", "")
        self.text = post.get(f"{self.prefix}-value", "")
        self.chosen = post.getlist(f"{self.prefix}-in")
        self.low = post.get(f"{self.prefix}-from", "")
        self.high = post.get(f"{self.prefix}-to", "")

    def read_data(self, item: dict) -> bool:
        """Take one filter given as data into the inputs; False when they cannot show it (a second filter of the
        same kind on this field), so the caller keeps it aside instead of losing it."""
        op = item.get("op") or operators_for(self.column.kind)[0]
        value = item.get("value")
        widget = self.widget
        if widget == CHOICE and op in ("in", "equals") and not self.chosen:
            values = value if isinstance(value, list) else [part for part in str(value).split(",") if part.strip()]
            try:
                self.chosen = [self.column.field.parse(str(part).strip()) for part in values]
            except FieldError:
                return False
            return True
        if widget == RANGE and op in ("gte", "lte", "equals"):
            text = str(value)
            if op == "equals" and not (self.low or self.high):
                self.low = self.high = text
                return True
            if op == "gte" and not self.low:
                self.low = text
                return True
            if op == "lte" and not self.high:
                self.high = text
                return True
            return False
        if widget in (TEXT, VALUE, YES_NO) and op in operators_for(self.column.kind) and not self.text:
            self.op = op
            self.text = ("true" if value else "false") if isinstance(value, bool) else str(value)
            return True
        return False

    def to_data(self) -> list[dict]:
        """The filter as data: nothing for a field left blank."""
        widget = self.widget
        if widget == CHOICE:
            return [{"field": self.name, "op": "in", "value": list(self.chosen)}] if self.chosen else []
        if widget == RANGE:
            bounds = (("gte", self.low), ("lte", self.high))
            return [{"field": self.name, "op": op, "value": text.strip()} for op, text in bounds if text.strip()]
        if not self.text.strip():
            return []
        op = "equals"
        if widget == TEXT:
            op = self.op if self.op in operators_for(self.column.kind) else operators_for(self.column.kind)[0]
        return [{"field": self.name, "op": op, "value": self.text.strip()}]


@dataclass
class ExtraFilter:
    """A filter the builder has no input for, kept as its data."""

    data: dict
    label: str
    sensitive: bool = False  # health data: its value is not written in words, as in every filter's description

    @property
    def posted(self) -> str:
        return json.dumps(self.data, sort_keys=True)

    @property
    def sentence(self) -> str:
        value = self.data.get("value")
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        if self.sensitive:
            shown = "a value withheld (health data)"
        return f"{self.label} {OPERATORS.get(self.data.get('op') or '', self.data.get('op') or 'is')} {shown}"


@dataclass
class ExportBuilder:
    target: ImportTarget
    columns: list[ColumnChoice]
    filters: list[FieldFilter]
    file_format: str = "csv"
    import_job: str = ""
    extra_filters: list[ExtraFilter] = field(default_factory=list)
    template_name: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    # --- Reading ---------------------------------------------------------------------------------------------

    @classmethod
    def fresh(cls, target: ImportTarget) -> "ExportBuilder":
        """A new export of `target`: the columns an import takes back, no filters, CSV."""
        return cls.from_data({"target": target.name}, target=target)

    @classmethod
    def from_data(cls, data: dict, *, target: ImportTarget, template_name: str = "") -> "ExportBuilder":
        """The builder showing an export given as data (a template's, an earlier job's)."""
        available = columns_available(target)
        names = [str(name) for name in data.get("columns") or ()] or _import_names(target)
        if data.get("import_compatible"):
            names = _import_names(target)
        chosen = [column for name in names for column in available if column.name == name]
        rest = [column for column in available if column.name not in names]
        builder = cls(
            target=target,
            columns=[ColumnChoice(column, column in chosen) for column in (*chosen, *rest)],
            filters=[FieldFilter(column) for column in available],
            file_format=str(data.get("format") or "csv"),
            template_name=template_name,
        )
        by_name = {field_filter.name: field_filter for field_filter in builder.filters}
        for item in data.get("filters") or ():
            if not isinstance(item, dict):
                continue
            if item.get("field") == IMPORT_JOB and not builder.import_job:
                builder.import_job = str(item.get("value") or "")
                continue
            field_filter = by_name.get(item.get("field"))
            if field_filter is None or not field_filter.read_data(item):
                label = field_filter.column.label if field_filter else str(item.get("field"))
                sensitive = item.get("field") in target.sensitive_fields
                builder.extra_filters.append(ExtraFilter(item, label, sensitive))
        return builder

    @classmethod
    def from_post(cls, post, *, target: ImportTarget) -> "ExportBuilder":
        """The builder as the user left it, with a column moved if a move button was pressed."""
        available = {column.name: column for column in columns_available(target)}
        order = [name for name in dict.fromkeys(post.getlist("order")) if name in available]
        order += [name for name in available if name not in order]
        checked = set(post.getlist("columns"))
        columns = [ColumnChoice(available[name], name in checked) for name in order]
        if post.get("import_compatible") and not post.get("was_import_compatible"):
            columns = _import_compatible_selected(target, columns)
        if move := post.get("move", ""):
            columns = _moved(columns, *move.partition(":")[::2])
        if post.get("pick") in ("all", "none"):
            columns = [ColumnChoice(choice.column, post["pick"] == "all") for choice in columns]
        filters = [FieldFilter(column) for column in available.values()]
        for field_filter in filters:
            field_filter.read_post(post)
        extra = []
        for posted in post.getlist("extra_filter"):
            try:
                data = json.loads(posted)
            except ValueError:
                continue
            if isinstance(data, dict):
                column = available.get(data.get("field"))
                extra.append(ExtraFilter(data, column.label if column else str(data.get("field")),
                                         data.get("field") in target.sensitive_fields))
        return cls(
            target=target, columns=columns, filters=filters, file_format=post.get("format") or "csv",
            import_job=post.get("import_job", ""), extra_filters=extra, template_name=post.get("template_name", ""),
        )

    # --- Showing ---------------------------------------------------------------------------------------------

    @property
    def chosen_names(self) -> list[str]:
        return [choice.column.name for choice in self.columns if choice.chosen]

    @property
    def import_compatible(self) -> bool:
        """Whether the chosen columns are exactly those an import takes back, in the import's order."""
        return self.chosen_names == _import_names(self.target)

    @property
    def formats(self) -> list[tuple[str, str]]:
        return list(FORMAT_LABELS.items())

    @property
    def filters_open(self) -> bool:
        """Whether the filters section starts open: when a filter is set or one of them was refused."""
        return bool(self.import_job or self.extra_filters or "filters" in self.errors
                    or any(field_filter.active or field_filter.error for field_filter in self.filters))

    @property
    def problems(self) -> list[str]:
        """Every refusal shown on the form, for the summary where the page opens after a request."""
        return [*self.errors.values(), *(field_filter.error for field_filter in self.filters if field_filter.error)]

    # --- The export's data -----------------------------------------------------------------------------------

    def filters_data(self) -> list[dict]:
        data = [item for field_filter in self.filters for item in field_filter.to_data()]
        data += [extra.data for extra in self.extra_filters]
        if self.import_job:
            data.append({"field": IMPORT_JOB, "op": "equals", "value": self.import_job})
        return data

    def data(self) -> dict:
        """The export asked for, as every face gives it; ExportRefused when no column is chosen (the spec would
        read "no columns" as the import's columns, which is not what an empty choice means here)."""
        if not self.chosen_names:
            raise ExportRefused("Choose at least one column.", 400, "columns")
        return {"target": self.target.name, "columns": self.chosen_names, "filters": self.filters_data(),
                "format": self.file_format}

    def refused(self, refusal: ExportRefused, *, company) -> None:
        """Put the refusal's sentence next to its part: a filter's beside its field when it can be told which."""
        if refusal.part == "filters" and self._filter_error_placed(company):
            return
        self.errors[refusal.part or "general"] = str(refusal)

    def _filter_error_placed(self, company) -> bool:
        for field_filter in self.filters:
            try:
                filters_parse(field_filter.to_data(), target=self.target, company=company)
            except ExportFilterError as error:
                field_filter.error = str(error)
                return True
        return False


def _import_names(target: ImportTarget) -> list[str]:
    return [column.name for column in columns_import_compatible(target)]


def _import_compatible_selected(target: ImportTarget, columns: list[ColumnChoice]) -> list[ColumnChoice]:
    """Exactly the import's columns chosen, first and in the import's order; the others after them, unchosen."""
    by_name = {choice.column.name: choice.column for choice in columns}
    names = _import_names(target)
    return [ColumnChoice(by_name[name], True) for name in names] + [
        ColumnChoice(choice.column, False) for choice in columns if choice.column.name not in names
    ]


def _moved(columns: list[ColumnChoice], direction: str, name: str) -> list[ColumnChoice]:
    position = next((n for n, choice in enumerate(columns) if choice.column.name == name), None)
    if position is None:
        return columns
    other = position - 1 if direction == "up" else position + 1 if direction == "down" else position
    if not 0 <= other < len(columns):
        return columns
    moved = list(columns)
    moved[position], moved[other] = moved[other], moved[position]
    return moved
