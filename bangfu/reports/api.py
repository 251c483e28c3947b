"""The scorecard API: the figures of the scorecard page, as numbers, with their links and narrative.

``GET /api/v1/reports/scorecard`` takes the page's own parameters (``region`` or
``organization``; ``year``, ``from``/``to`` or ``since``), the same permission
(``dashboard.view``) and the same scope rules: a region outside the caller's scope or a
malformed parameter answers 400 ``{"error": {"code": "invalid_parameter", "message": …}}``,
an organisation the caller cannot see 404. ``lang`` (``zh-hans`` or ``en``; default the
request's language) picks the language of labels, texts and narrative.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.encoding import force_str
from ninja import Query, Router, Schema, Status

from bangfu.core.api import require
from bangfu.core.permissions import Cap

from .scorecard import Figure, Period, Scorecard, build_scorecard, resolve_scope

router = Router(tags=["reports"])


class FigureSchema(Schema):
    key: str
    label: str
    value: int | float | None  # a plain number: yuan, a count, or a percentage (None: no base)
    unit: str  # yuan, household, person, person_time, item, percent
    text: str  # the value with its unit, as the page writes it
    url: str  # the list of the records the figure adds up (absolute path)


class ChartSchema(Schema):
    key: str
    title: str
    kind: str  # trend (by year) or breakdown (by type or region)
    unit: str
    bars: list[FigureSchema]


class SectionSchema(Schema):
    key: str
    title: str
    figures: list[FigureSchema]
    charts: list[ChartSchema]
    narrative: list[str]


class ScopeSchema(Schema):
    label: str
    prefixes: list[str]  # region code prefixes (empty: all the caller's scope)
    organization_id: int | None


class PeriodSchema(Schema):
    first: int
    last: int
    cumulative: bool
    label: str


class ScorecardSchema(Schema):
    language: str
    scope: ScopeSchema
    period: PeriodSchema
    generated_at: datetime.datetime
    digest: str  # what a published snapshot of these figures would record
    narrative: list[str]  # every section's sentences, in order
    sections: list[SectionSchema]


class ErrorDetail(Schema):
    code: str
    message: str


class ErrorSchema(Schema):
    error: ErrorDetail


LANGUAGES = {code for code, _name in settings.LANGUAGES}


def _number(value):
    if value is None or isinstance(value, int):
        return value
    return float(value) if isinstance(value, Decimal) else value


def _figure(figure: Figure, language: str) -> dict:
    return {
        "key": figure.key,
        "label": force_str(figure.label),
        "value": _number(figure.value),
        "unit": figure.unit,
        "text": figure.text(language=language),
        "url": figure.url,
    }


def _card(card: Scorecard, language: str) -> dict:
    sections = []
    for section in card.sections:
        sections.append(
            {
                "key": section.key,
                "title": force_str(section.title),
                "figures": [_figure(figure, language) for figure in section.figures],
                "charts": [
                    {
                        "key": chart.key,
                        "title": force_str(chart.title),
                        "kind": chart.kind,
                        "unit": chart.unit,
                        "bars": [_figure(bar, language) for bar in chart.bars],
                    }
                    for chart in section.charts
                ],
                "narrative": section.sentences.get(language, []),
            }
        )
    return {
        "language": language,
        "scope": {
            "label": card.scope.label,
            "prefixes": list(card.scope.prefixes),
            "organization_id": card.scope.organization_id,
        },
        "period": {
            "first": card.period.first,
            "last": card.period.last,
            "cumulative": card.period.cumulative,
            "label": card.period.label(),
        },
        "generated_at": card.generated_at,
        "digest": card.digest(),
        "narrative": [sentence for section in sections for sentence in section["narrative"]],
        "sections": sections,
    }


def _invalid(message: str):
    return Status(400, {"error": {"code": "invalid_parameter", "message": message}})


@router.get(
    "/scorecard",
    response={200: ScorecardSchema, 400: ErrorSchema},
    summary="A scorecard: its sections' figures (numbers, units, texts, links) and narrative",
)
def scorecard(
    request,
    region: str = "",
    organization: str = "",
    year: str = "",
    from_: str = Query("", alias="from"),
    to: str = "",
    since: str = "",
    lang: str = "",
):
    """Same scope and period parameters as the scorecard page (``/reports/scorecard/``)."""
    require(request, Cap.DASHBOARD_VIEW)
    requested = lang.strip().lower()
    if requested and requested not in LANGUAGES:
        return _invalid(
            translation.gettext("不支持的语言:%(value)s(可选:%(choices)s)")
            % {"value": lang, "choices": ", ".join(sorted(LANGUAGES))}
        )
    language = requested or translation.get_language() or settings.LANGUAGE_CODE
    if language not in LANGUAGES:
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            card_scope = resolve_scope(user=request.user, params=request.GET, capability=Cap.DASHBOARD_VIEW)
            period = Period.parse(request.GET)
        except ValueError as error:
            return _invalid(str(error))
        card = build_scorecard(user=request.user, scope=card_scope, period=period)
        return Status(200, _card(card, language))
