"""Downloadable files: an empty template per import kind, and the bad rows of a run annotated."""

import io
import math
from typing import Any

import xlsxwriter
from django.utils.encoding import force_str
from django.utils.translation import gettext as _

from bangfu.core.text import join_list

from .engine import above_header
from .models import ImportRun
from .readers import ReadError, open_table
from .spec import SPECS, ImportSpec

# Cells are written as the values they are: a text starting with "=" stays text, never a formula.
WORKBOOK_OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}


def template_bytes(spec: ImportSpec) -> bytes:
    """The header row (required columns marked *) over text-formatted columns; the notes sheet explains."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    sheet = workbook.add_worksheet(force_str(spec.title)[:31])
    required = workbook.add_format({"bold": True, "bg_color": "#FDE68A"})
    optional = workbook.add_format({"bold": True})
    text = workbook.add_format({"num_format": "@"})
    for col, column in enumerate(spec.columns):
        label = force_str(column.label) + ("*" if column.required else "")
        sheet.write_string(0, col, label, required if column.required else optional)
        # Text format, so that ID numbers and codes keep every digit as typed.
        sheet.set_column(col, col, max(12, len(label) * 2), text)
        if column.help or column.example:
            sheet.write_comment(
                0, col, force_str(column.help or _("示例:%(example)s") % {"example": column.example})
            )
    sheet.freeze_panes(1, 0)
    notes = workbook.add_worksheet(_("填写说明"))
    notes.write_row(0, 0, [_("列"), _("必填"), _("也可写作"), _("示例")], optional)
    for row, column in enumerate(spec.columns, 1):
        notes.write_row(
            row,
            0,
            [
                force_str(column.label),
                _("是") if column.required else "",
                join_list(column.aliases),
                column.example,
            ],
        )
    notes.write(len(spec.columns) + 2, 0, force_str(spec.description))
    notes.write(
        len(spec.columns) + 3,
        0,
        _("日期可写作 2020-03-06、2020/3/6、2020.3.6 或 2020年3月6日;不要使用公式和合并单元格。"),
    )
    workbook.close()
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    return str(value)  # dates, times, formulas: as the user would read them


def annotated_errors_bytes(run: ImportRun, path) -> bytes:
    """The original header and every bad row, with a column saying what is wrong."""
    reasons: dict[int, list[str]] = {}
    for issue in run.issues.all():
        text = f"{issue.column}: {issue.reason}" if issue.column else issue.reason
        reasons.setdefault(issue.row, []).append(text)
    spec = SPECS[run.kind]
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    sheet = workbook.add_worksheet(_("错误行"))
    bad = workbook.add_format({"bg_color": "#FECACA"})
    bold = workbook.add_format({"bold": True})
    header_seen, out, left = False, 0, len(reasons)
    try:
        for number, cells, _merged in open_table(path):
            header = not header_seen and not above_header(spec, cells)  # the row the import took as header
            if not (header or number in reasons):
                continue
            header_seen = True
            values = [_cell(c) for c in cells]
            sheet.write(out, 0, _("行号") if header else number, bold if header else None)
            for col, value in enumerate(values, 1):
                sheet.write(out, col, value, bold if header else bad)
            why = ";".join(reasons.get(number, []))
            sheet.write(
                out,
                len(values) + 1,
                _("错误说明") if header else why,
                bold if header else None,
            )
            out += 1
            left -= number in reasons
            if left <= 0:
                break
    except ReadError as error:  # the file reads no further than when it was imported
        sheet.write(out, 0, str(error), bold)
    workbook.close()
    return buffer.getvalue()
