"""A scorecard as an xlsx workbook (one sheet per section, figures as numbers) or a PDF."""

from decimal import Decimal

import xlsxwriter
from django.template.loader import render_to_string
from django.utils.encoding import force_str
from django.utils.translation import gettext as _

from . import units
from .scorecard import Scorecard

MONEY_FORMAT = "#,##0.00"


def _cell(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def write_xlsx(card: Scorecard, target, *, progress=None) -> None:
    """``target``: a path or a binary buffer. Amounts are numbers in yuan, counts integers."""
    options = {"in_memory": True} if not isinstance(target, str) else {}
    workbook = xlsxwriter.Workbook(target, options)
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": MONEY_FORMAT})
    percent = workbook.add_format({"num_format": "0.0"})
    summary = workbook.add_worksheet(_("概要")[:31])
    summary.write_row(0, 0, [_("范围"), card.scope.label], bold)
    summary.write_row(1, 0, [_("期间"), card.period.label()])
    summary.write_row(2, 0, [_("数据校验码"), card.digest()])
    row = 4
    for section in card.sections:
        for sentence in section.sentences.get("zh-hans", []):
            summary.write(row, 0, sentence)
            row += 1
    for done, section in enumerate(card.sections, start=1):
        sheet = workbook.add_worksheet(force_str(section.title)[:31])
        sheet.write_row(0, 0, [_("指标"), _("数值"), _("单位"), _("文字"), _("明细链接")], bold)
        line = 1
        for group, figures in [
            ("", section.figures),
            *((force_str(c.title), c.bars) for c in section.charts),
        ]:
            if group:
                line += 1
                sheet.write(line, 0, group, bold)
                line += 1
            for figure in figures:
                label = force_str(figure.label)
                sheet.write(line, 0, label)
                value = figure.value
                if value is None:
                    sheet.write_blank(line, 1, None)
                elif figure.unit == units.YUAN:
                    sheet.write_number(line, 1, _cell(value), money)
                elif figure.unit == units.PERCENT:
                    sheet.write_number(line, 1, _cell(value), percent)
                else:
                    sheet.write_number(line, 1, value)
                sheet.write(line, 2, _unit_word(figure.unit))
                sheet.write(line, 3, figure.text())
                sheet.write(line, 4, figure.url)
                line += 1
        sheet.set_column(0, 0, 36)
        sheet.set_column(1, 1, 16)
        sheet.set_column(3, 3, 18)
        if progress:
            progress(done, len(card.sections))
    workbook.close()


def _unit_word(unit: str) -> str:
    return {
        units.YUAN: _("元"),
        units.HOUSEHOLD: _("户"),
        units.PERSON: _("人"),
        units.PERSON_TIME: _("人次"),
        units.ITEM: _("个"),
        units.PERCENT: "%",
    }[unit]


def render_pdf(card: Scorecard, *, base_url: str = "") -> bytes:
    """Print-quality A4 with the Chinese font the machine has (WenQuanYi Micro Hei)."""
    from weasyprint import HTML

    html = render_to_string("reports/scorecard_print.html", {"card": card})
    return HTML(string=html, base_url=base_url or None).write_pdf()
