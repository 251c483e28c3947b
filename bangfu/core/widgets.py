"""A form renderer that writes the common widgets in Python.

Django renders every widget through its template engine: a select is one include
per option, each with its own include of the attributes. On a list page the filter
form took longer to render than the query it filters. ``WidgetRenderer`` writes the
same markup as Django's own templates for inputs and selects (``input.html``,
``select.html``, ``select_option.html`` and ``attrs.html`` in django/forms/widgets)
directly, and hands every other template to the renderer it wraps.
"""

from django.forms.renderers import BaseRenderer, get_default_renderer
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

_WIDGETS = "django/forms/widgets/"
# the widget templates that are nothing but {% include "django/forms/widgets/input.html" %}
_INPUTS = frozenset(
    f"{_WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "search",
        "tel",
        "date",
        "datetime",
        "time",
        "color",
        "checkbox",
    )
)
_SELECT = f"{_WIDGETS}select.html"
_OPTION = f"{_WIDGETS}select_option.html"


def _text(value) -> str:
    """``{{ value }}``: localized, then escaped unless already safe."""
    return conditional_escape(localize(value))


def _string(value) -> str:
    """``{{ value|stringformat:'s' }}``: no localization, escaped unless already safe."""
    return conditional_escape(value)


def _attrs(attrs: dict) -> str:
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {_text(name)}")
        else:
            parts.append(f' {_text(name)}="{_string(value)}"')
    return "".join(parts)


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_string(widget["value"])}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            if option["template_name"] != _OPTION:
                return None  # a custom option template: let the template engine render it
            parts.append(
                f'\n  <option value="{_string(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"  # the option template's own line end
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class WidgetRenderer(BaseRenderer):
    """Inputs and selects written in Python; everything else by the wrapped renderer."""

    def __init__(self, fallback: BaseRenderer | None = None):
        self.fallback = fallback or get_default_renderer()

    @property
    def form_template_name(self):  # type: ignore[override]
        return self.fallback.form_template_name

    @property
    def formset_template_name(self):  # type: ignore[override]
        return self.fallback.formset_template_name

    @property
    def field_template_name(self):  # type: ignore[override]
        return self.fallback.field_template_name

    def get_template(self, template_name):
        return self.fallback.get_template(template_name)

    def render(self, template_name, context, request=None) -> SafeString | str:
        html = None
        if template_name in _INPUTS:
            html = _input(context["widget"])
        elif template_name == _SELECT:
            html = _select(context["widget"])
        if html is None:
            return self.fallback.render(template_name, context, request=request)
        return mark_safe(html)  # noqa: S308 - every value above passed through conditional_escape
