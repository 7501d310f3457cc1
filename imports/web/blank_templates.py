"""Blank templates users download before they fill in a file: every field of a target as a column, and nothing
else that would import.

They used to carry the guide's example rows, which imported as real records when a user forgot to delete them.
Now the header is the whole of the data; what each column means, whether it is required, its format and its
allowed values go where an import never reads them: the wizard's column guide page (the CSV's companion), and in
the workbook each header cell's comment plus a drop-down list on columns with a fixed set of values. The workbook
keeps one sheet, so uploading it back asks no question about sheets.
"""

import csv
import io
from dataclasses import dataclass

from imports.declare.formulas import escape_formula
from imports.declare.targets import ImportTarget

# Rows a drop-down list covers below the header: as far as anyone fills a template by hand.
_VALIDATED_ROWS = 100_000


@dataclass(frozen=True)
class ColumnGuide:
    """One column of a template, explained: what it holds, whether a new record needs it, how to write it."""

    name: str
    meaning: str
    required: str
    format: str
    choices: tuple[str, ...]
    example: str

    def comment(self) -> str:
        """The text of the workbook header cell's comment."""
        lines = [self.meaning, f"Required: {self.required}.", f"Format: {self.format}."]
        if self.choices:
            lines.append(f"Allowed values: {', '.join(self.choices)}.")
        if self.example:
            lines.append(f"Example: {self.example}")
        return "\n".join(lines)


def column_guide(target: ImportTarget) -> list[ColumnGuide]:
    """Every column of the target's template, in order, explained (the guide's example row gives the examples)."""
    examples = target.template_rows()
    example = examples[0] if examples else {}
    guides = []
    for field in target.fields:
        if field.required:
            required = "yes"
        elif field.name == target.key and target.generates_keys:
            required = "no, generated when blank; needed to update a record"
        elif field.name in (target.key_parts or (target.key,)):
            required = "to update a record"
        else:
            required = "no"
        meaning = field.label + (f": {field.help_text}" if field.help_text else "")
        values = getattr(field, "values", None)
        guides.append(ColumnGuide(
            name=field.name, meaning=meaning, required=required, format=field.format_hint,
            choices=tuple(str(value) for value in values) if values is not None else (),
            example=str(example.get(field.name) or field.example or ""),
        ))
    return guides


def template_csv(target: ImportTarget, *, examples: bool = False) -> bytes:
    """The header row alone (with `examples`, the guide's example rows under it: a look-up's sample queries, which
    only read), UTF-8 with a byte-order mark, so Excel opens accents and symbols correctly."""
    header = [field.name for field in target.fields]
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(header)
    if examples:
        writer.writerows(
            [escape_formula(example.get(name, "")) for name in header] for example in target.template_rows()
        )
    return text.getvalue().encode("utf-8-sig")


def template_xlsx(target: ImportTarget) -> bytes:
    """The header row alone, each header cell commented with its column's guide, a drop-down list of the allowed
    values on columns that have a fixed set, and every column formatted as text, so Excel keeps leading zeros (ZIP
    codes, account numbers) as typed."""
    # Imported here: openpyxl costs 16 MB, and every process that loads the URLs (workers, commands) would pay it.
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = target.verbose_name_plural.capitalize()[:31]
    guides = column_guide(target)
    sheet.append([guide.name for guide in guides])
    for index, guide in enumerate(guides, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.number_format = "@"
        cell.comment = Comment(guide.comment(), "Import guide", width=320, height=160)
        column = cell.column_letter
        sheet.column_dimensions[column].width = max(12, len(guide.name) + 2)
        sheet.column_dimensions[column].number_format = "@"
        choices = ",".join(guide.choices)
        # A list written in the rule itself is limited to 255 characters; longer ones stay in the comment.
        if guide.choices and len(choices) <= 255 and '"' not in choices:
            validation = DataValidation(
                type="list", formula1=f'"{choices}"', allow_blank=True, showErrorMessage=True,
                errorTitle=guide.name, error=f"Allowed values: {', '.join(guide.choices)}.",
            )
            validation.add(f"{column}2:{column}{_VALIDATED_ROWS + 1}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
