from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangfu.accounts.models import OrganizationKind
from bangfu.core.jobs import job_enqueue
from bangfu.core.listings import LISTINGS
from bangfu.core.permissions import Cap
from bangfu.core.scoping import get_scoped_or_404, scope
from bangfu.core.views import ObjectListView, requires

from . import services
from .dashboards import dashboard_for
from .jobs import FORMATS
from .models import Snapshot
from .scorecard import Period, Scorecard, build_scorecard, resolve_scope, units
from .selectors import home_figures

CARD_KEYS = ("region", "organization", "year", "from", "to", "since")


@requires(Cap.DASHBOARD_VIEW)
def home(request):
    figures = home_figures(user=request.user)
    labels = dict(OrganizationKind.choices)
    chart = {
        "categories": [str(labels.get(row["kind"], row["kind"])) for row in figures["organizations_by_kind"]],
        "values": [row["n"] for row in figures["organizations_by_kind"]],
        "series_name": _("单位数"),
    }
    return render(
        request,
        "reports/home.html",
        {"figures": figures, "chart": chart, "title": _("首页"), "dashboards": dashboard_for(request.user)},
    )


def card_query(params) -> dict[str, str]:
    """The scorecard's own parameters (scope and period), without anything else."""
    return {key: params.get(key).strip() for key in CARD_KEYS if params.get(key, "").strip()}


def _charts(card: Scorecard) -> list[dict]:
    charts = []
    for section in card.sections:
        for chart in section.charts:
            if not chart.bars:
                continue
            charts.append(
                {
                    "id": f"chart-{section.key}-{chart.key}",
                    "section": section.key,
                    "title": force_str(chart.title),
                    "kind": chart.kind,
                    "unit": chart.unit,
                    "categories": [force_str(bar.label) for bar in chart.bars],
                    "values": [_plain_number(bar.value) for bar in chart.bars],
                    "texts": [bar.text() for bar in chart.bars],
                    "links": [bar.url for bar in chart.bars],
                }
            )
    return charts


def _plain_number(value):
    if value is None:
        return None
    return float(value) if not isinstance(value, int) else value


@requires(Cap.DASHBOARD_VIEW)
def scorecard(request):
    """A scorecard for a scope and a period: every figure links to the records it adds up."""
    context = {"title": _("成绩单"), "query": card_query(request.GET)}
    try:
        card_scope = resolve_scope(user=request.user, params=request.GET, capability=Cap.DASHBOARD_VIEW)
        period = Period.parse(request.GET)
    except ValueError as error:
        context["error"] = str(error)
        return render(request, "reports/scorecard.html", context, status=400)
    card = build_scorecard(user=request.user, scope=card_scope, period=period)
    context.update(
        card=card,
        charts=_charts(card),
        can_export=request.user.has_capability(Cap.EXPORT),
        organizations=scope(_organizations(), request.user, Cap.ORGANIZATION_VIEW).order_by(
            "region_code", "name"
        )[:300],
    )
    context["querystring"] = _encode(context["query"])
    return render(request, "reports/scorecard.html", context)


def _organizations():
    from bangfu.accounts.models import Organization

    return Organization.objects.filter(is_active=True).only("pk", "name", "region_code")


def _encode(query: dict) -> str:
    params = QueryDict(mutable=True)
    for key, value in query.items():
        params[key] = value
    return params.urlencode()


@require_POST
@requires(Cap.EXPORT)
def scorecard_export(request):
    fmt = request.POST.get("format", "xlsx")
    if fmt not in FORMATS:
        raise Http404
    query = card_query(request.POST)
    try:
        resolve_scope(user=request.user, params=request.POST, capability=Cap.DASHBOARD_VIEW)
        Period.parse(request.POST)
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("reports:scorecard")
    job = job_enqueue(
        kind="scorecard_export",
        title=_("成绩单导出(%(format)s)") % {"format": fmt.upper()},
        user=request.user,
        params={"format": fmt, "query": query},
    )
    return redirect("core:job-detail", pk=job.pk)


@require_POST
@requires(Cap.DASHBOARD_VIEW)
def snapshot_publish(request):
    if not request.user.has_capability(Cap.EXPORT):
        raise PermissionDenied
    query = card_query(request.POST)
    try:
        card_scope = resolve_scope(user=request.user, params=request.POST, capability=Cap.DASHBOARD_VIEW)
        period = Period.parse(request.POST)
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("reports:scorecard")
    card = build_scorecard(user=request.user, scope=card_scope, period=period)
    try:
        snapshot = services.snapshot_publish(
            actor=request.user, card=card, query=query, title=request.POST.get("title", "").strip()
        )
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
        return redirect(f"{_url('reports:scorecard')}?{_encode(query)}")
    messages.success(request, _("成绩单已发布并冻结。"))
    return redirect(snapshot.get_absolute_url())


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)


@requires(Cap.DASHBOARD_VIEW)
def snapshot_list(request):
    snapshots = scope(Snapshot.objects.select_related("published_by"), request.user, Cap.DASHBOARD_VIEW)
    return render(
        request, "reports/snapshot_list.html", {"title": _("已发布成绩单"), "snapshots": snapshots[:200]}
    )


@requires(Cap.DASHBOARD_VIEW)
def snapshot_detail(request, pk: int):
    snapshot = get_scoped_or_404(
        Snapshot.objects.select_related("published_by"), request.user, Cap.DASHBOARD_VIEW, pk=pk
    )
    params = QueryDict(mutable=True)
    for key, value in snapshot.query.items():
        params[key] = value
    differences, error = [], ""
    try:
        card_scope = resolve_scope(user=request.user, params=params, capability=Cap.DASHBOARD_VIEW)
        period = Period.parse(params)
    except ValueError as problem:
        error = str(problem)
    else:
        current = build_scorecard(user=request.user, scope=card_scope, period=period)
        differences = services.snapshot_differences(snapshot, current)
    rows = [
        {"key": key, "label": snapshot.labels.get(key, key), "value": value}
        for key, value in snapshot.figures.items()
    ]
    return render(
        request,
        "reports/snapshot_detail.html",
        {
            "title": snapshot.title,
            "snapshot": snapshot,
            "rows": rows,
            "differences": differences,
            "error": error,
            "intact": services.snapshot_verify(snapshot),
            "querystring": _encode(snapshot.query),
        },
    )


def _period_of(text: str) -> Period:
    text = (text or "").strip()
    first, _sep, last = text.partition("-")
    if not first.isdigit() or (last and not last.isdigit()):
        raise ValueError(_("期间应写作 2023 或 2021-2023:%(value)s") % {"value": text})
    return Period(int(first), int(last or first))


@requires(Cap.DASHBOARD_VIEW)
def compare(request):
    """Two periods of one scope side by side: each figure, the change and the change in per cent."""
    context = {"title": _("两期对比"), "query": card_query(request.GET)}
    today_year = _this_year()
    context["a"] = request.GET.get("a", str(today_year - 1))
    context["b"] = request.GET.get("b", str(today_year))
    try:
        card_scope = resolve_scope(user=request.user, params=request.GET, capability=Cap.DASHBOARD_VIEW)
        first, second = _period_of(context["a"]), _period_of(context["b"])
    except ValueError as error:
        context["error"] = str(error)
        return render(request, "reports/compare.html", context, status=400)
    card_a = build_scorecard(user=request.user, scope=card_scope, period=first)
    card_b = build_scorecard(user=request.user, scope=card_scope, period=second)
    sections = []
    charts = []
    for sec_a, sec_b in zip(card_a.sections, card_b.sections, strict=True):
        rows = []
        for fig_a, fig_b in zip(sec_a.figures, sec_b.figures, strict=False):
            change = None
            if fig_a.value is not None and fig_b.value is not None:
                change = fig_b.value - fig_a.value
            rows.append(
                {
                    "label": fig_b.label,
                    "a": fig_a,
                    "b": fig_b,
                    "change": units.fmt(change, fig_b.unit) if change is not None else "—",
                    "ratio": units.fmt(_ratio(change, fig_a.value), units.PERCENT)
                    if change is not None and fig_b.unit != units.PERCENT and fig_a.value
                    else "—",
                }
            )
        sections.append({"title": sec_b.title, "key": sec_b.key, "rows": rows})
        comparable = [r for r in rows if r["b"].unit not in (units.PERCENT,)]
        if comparable:
            charts.append(
                {
                    "id": f"compare-{sec_b.key}",
                    "title": force_str(sec_b.title),
                    "categories": [force_str(r["label"]) for r in comparable],
                    "a": [_plain_number(r["a"].value) for r in comparable],
                    "b": [_plain_number(r["b"].value) for r in comparable],
                    "a_name": first.label(),
                    "b_name": second.label(),
                }
            )
    context.update(card_a=card_a, card_b=card_b, sections=sections, charts=charts, scope=card_scope)
    return render(request, "reports/compare.html", context)


def _ratio(change, base):
    from decimal import Decimal

    return Decimal(change) * 100 / Decimal(base)


def _this_year() -> int:
    from django.utils import timezone

    return timezone.localdate().year


class RecordListView(ObjectListView):
    """The records of a listing that has no list page in its app (the scorecard links here)."""

    def dispatch(self, request, *args, **kwargs):
        listing = LISTINGS.get(kwargs["key"])
        if listing is None:
            raise Http404
        self.listing = listing
        return super().dispatch(request, *args, **kwargs)
