"""The list machinery's fast paths write exactly what the templates and Django wrote."""

import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.forms.renderers import get_default_renderer
from django.http import QueryDict
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import translation

import bangfu.urls  # noqa: F401 - every app's views register their listings
from bangfu.core import tables
from bangfu.core.listings import LISTINGS
from bangfu.core.tables import Column, rows_html
from bangfu.core.widgets import WidgetRenderer
from bangfu.registry.models import Household, Person

BOUND = [
    "",
    "q=%3Cb%3E%22%E5%91%A8%22%26amp;&township=410423101&registered=true&status=lifted"
    "&safety_net=dibao&cause=01&health=chronic&lifted_year=2019&income_band=lt4000&village=x",
    "registered=false&cause=zz&lifted_year=abc&income_band=nope",
]


def _fields_html(form) -> list[str]:
    return [str(field) for field in form]


@pytest.mark.parametrize("params", BOUND)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_filter_forms_render_as_django_renders_them(office_user, params, language):
    with translation.override(language):
        for listing in LISTINGS.values():
            filterset = listing.filterset(QueryDict(params), office_user)
            if filterset is None:
                continue
            form = filterset.form
            assert isinstance(form.renderer, WidgetRenderer)
            fast = _fields_html(form)
            form.renderer = get_default_renderer()
            assert fast == _fields_html(form), listing.key


def test_the_renderer_hands_other_widgets_to_django(office_user):
    from django import forms

    class Sample(forms.Form):
        notes = forms.CharField(widget=forms.Textarea)
        kinds = forms.MultipleChoiceField(
            choices=[("a", "A"), ("b", "<B>")], widget=forms.CheckboxSelectMultiple
        )
        grouped = forms.ChoiceField(choices=[("甲组", [("1", "一"), ("2", "二")]), ("3", "三")])
        agree = forms.BooleanField()
        day = forms.DateField()

    data = {"notes": "<x>", "kinds": ["b"], "grouped": "2", "agree": "on", "day": "2020-03-06"}
    for bound in (Sample(), Sample(data=data)):
        fast = [str(field) for field in bound]
        bound.renderer = WidgetRenderer()
        assert [str(field) for field in bound] == fast


def test_model_choices_are_read_without_a_server_side_cursor(office_user):
    filterset = LISTINGS["registry.household"].filterset(QueryDict(""), office_user)
    with CaptureQueriesContext(connection) as captured:
        html = "".join(_fields_html(filterset.form))
    assert 'value="01"' in html  # the poverty causes are there
    assert len(captured) == 1
    assert "DECLARE" not in captured[0]["sql"]


OLD_BODY = Template(
    "{% for obj, cells in rows %}<tr>{% for column, text in cells %}"
    '<td class="{% if column.numeric %}numeric{% endif %}">{% if column.link and obj.get_absolute_url %}'
    '<a href="{{ obj.get_absolute_url }}">{{ text }}</a>{% else %}{{ text }}{% endif %}</td>'
    "{% endfor %}</tr>{% endfor %}"
)


def _squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


def test_table_rows_are_the_markup_the_template_wrote():
    linked = SimpleNamespace(get_absolute_url=lambda: "/x/1/?a=1&b=<2>")
    plain = SimpleNamespace()
    empty_url = SimpleNamespace(get_absolute_url=lambda: "")
    name = Column("name", "名", link=True)
    count = Column("count", "数", numeric=True)
    rows = [
        (linked, [(name, '周<b>"耀"</b>&伟'), (count, "3")]),
        (plain, [(name, "李"), (count, "")]),
        (empty_url, [(name, "王"), (count, "1,234.50")]),
    ]
    assert _squeeze(rows_html(rows)) == _squeeze(OLD_BODY.render(Context({"rows": rows})))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_choice_columns_read_as_get_display(language):
    household = Household(status="monitored", safety_net="tekun")
    person = Person(relation="spouse", health="chronic", gender="female")
    with translation.override(language):
        for obj in (household, person):
            listing = LISTINGS[f"registry.{type(obj).__name__.lower()}"]
            for column in listing.table.columns:
                display = getattr(obj, f"get_{column.accessor or column.name}_display", None)
                if display is not None:
                    assert column.raw(obj) == display(), column.name
        assert Column("status", "").raw(Household(status="unknown-code")) == "unknown-code"


def test_a_model_display_method_of_its_own_is_still_called(monkeypatch):
    monkeypatch.setattr(tables, "_CHOICE_LABELS", {})
    monkeypatch.setattr(Household, "get_status_display", lambda self: "custom", raising=True)
    assert Column("status", "").raw(Household(status="lifted")) == "custom"
