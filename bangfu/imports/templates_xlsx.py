"""Downloadable files: an empty template per import kind, and the bad rows of a run annotated."""

import io

import xlsxwriter
from django.utils.encoding import force_str
from django.utils.translation import gettext as _

from .models import ImportRun
from .readers import open_table
from .spec import ImportSpec


def template_bytes(spec: ImportSpec) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(force_str(spec.title)[:31])
    required = workbook.add_format({"bold": True, "bg_color": "#FDE68A"})
    optional = workbook.add_format({"bold": True})
    text = workbook.add_format({"num_format": "@"})
    for col, column in enumerate(spec.columns):
        label = force_str(column.label) + ("*" if column.required else "")
        sheet.write_string(0, col, label, required if column.required else optional)
        sheet.write_string(1, col, column.example, text)
        sheet.set_column(col, col, max(12, len(label) * 2), text)
    notes = workbook.add_worksheet(_("填写说明"))
    notes.write_row(0, 0, [_("列"), _("必填"), _("也可写作"), _("示例")], optional)
    for row, column in enumerate(spec.columns, 1):
        notes.write_row(
            row,
            0,
            [
                force_str(column.label),
                _("是") if column.required else "",
                "、".join(column.aliases),
                column.example,
            ],
        )
    notes.write(len(spec.columns) + 2, 0, force_str(spec.description))
    notes.write(
        len(spec.columns) + 3,
        0,
        _("日期可写作 2020-03-06、2020/3/6、2020.3.6 或 2020年3月6日;第2行是示例,导入前请删除。"),
    )
    workbook.close()
    return buffer.getvalue()


def annotated_errors_bytes(run: ImportRun, path) -> bytes:
    """The original header and every bad row, with a column saying what is wrong."""
    reasons: dict[int, list[str]] = {}
    for issue in run.issues.all():
        text = f"{issue.column}: {issue.reason}" if issue.column else issue.reason
        reasons.setdefault(issue.row, []).append(text)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(_("错误行"))
    bad = workbook.add_format({"bg_color": "#FECACA"})
    bold = workbook.add_format({"bold": True})
    out = 0
    for number, cells, _merged in open_table(path):
        if number == 1 or number in reasons:
            values = ["" if c is None else (c if isinstance(c, int | float | str) else str(c)) for c in cells]
            header = number == 1
            sheet.write(out, 0, _("行号") if header else number, bold if header else None)
            for col, value in enumerate(values, 1):
                sheet.write(out, col, value, bold if header else bad)
            sheet.write(
                out,
                len(values) + 1,
                _("错误说明") if header else ";".join(reasons[number]),
                bold if header else None,
            )
            out += 1
            if out > len(reasons):
                break
    workbook.close()
    return buffer.getvalue()
