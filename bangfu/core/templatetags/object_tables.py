from django import template

from bangfu.core.tables import rows_html

register = template.Library()


@register.filter
def table_rows(rows):
    """``{{ rows|table_rows }}``: the ``<tr>`` markup of a list page's (obj, cells) rows."""
    return rows_html(rows)
