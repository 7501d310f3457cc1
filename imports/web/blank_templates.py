"""Blank templates users download before they fill in a file: every field of a target as a column, with the
target's example rows, as CSV or as an Excel workbook."""

import csv
import io

from imports.declare.formulas import escape_formula
from imports.declare.targets import ImportTarget


def _table(target: ImportTarget) -> tuple[list[str], list[list[str]]]:
    header = [field.name for field in target.fields]
    rows = [[escape_formula(example.get(name, "")) for name in header] for example in target.template_rows()]
    return header, rows


def template_csv(target: ImportTarget) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens accents and symbols correctly."""
    header, rows = _table(target)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8-sig")


def template_xlsx(target: ImportTarget) -> bytes:
    """Every column formatted as text, so Excel keeps leading zeros (ZIP codes, account numbers) as typed."""
    # Imported here: openpyxl costs 16 MB, and every process that loads the URLs (workers, commands) would pay it.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    header, rows = _table(target)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = target.verbose_name_plural.capitalize()[:31]
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for index, name in enumerate(header, start=1):
        column = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[column].width = max(12, len(name) + 2)
        sheet.column_dimensions[column].number_format = "@"
        for cell in sheet[column]:
            cell.number_format = "@"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
