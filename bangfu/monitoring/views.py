from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from bangfu.core.jobs import job_enqueue
from bangfu.core.permissions import Cap
from bangfu.core.scoping import get_scoped_or_404, user_prefixes
from bangfu.core.views import ObjectEditView, ObjectListView, _attach_errors, requires

from . import listings, selectors, services
from .forms import (
    CaseCloseForm,
    CaseOpenForm,
    CaseStepForm,
    FlagDismissForm,
    MeasureForm,
    RiskEventForm,
    RulesRunForm,
    ThresholdForm,
)
from .models import NOTICE_MIN_DAYS, CaseStatus, Flag, FlagStatus, MonitoredCase, Path, Step, Threshold


def _save(request, form, success_url, message=None):
    if request.method == "POST" and form.is_valid():
        try:
            saved = form.save(actor=request.user)
        except ValidationError as error:
            _attach_errors(form, error)
        else:
            messages.success(request, message or gettext("已保存。"))
            return redirect(success_url(saved) if callable(success_url) else success_url)
    return None


def _prefix_param(request) -> str:
    value = (request.GET.get("region") or "").strip()
    return value if value.isdigit() and len(value) <= 12 else ""


# Board and data quality --------------------------------------------------------------------------


@requires(Cap.MONITORING_VIEW)
def board(request):
    rows = selectors.board(user=request.user, prefix=_prefix_param(request))
    flags = [row for row in rows if row.what == "flag"]
    cases = [row for row in rows if row.what == "case"]
    return render(
        request,
        "monitoring/board.html",
        {
            "title": gettext("监测看板"),
            "flags": flags,
            "cases": cases,
            "ages": [label for _low, _high, label in selectors.AGES],
            "flag_total": sum(row.total for row in flags),
            "case_total": sum(row.total for row in cases),
            "overdue_total": sum(row.overdue for row in cases),
            "region": _prefix_param(request),
        },
    )


@requires(Cap.MONITORING_VIEW)
def quality(request):
    year_text = request.GET.get("year", "")
    year = (
        int(year_text) if year_text.isdigit() and 2013 <= int(year_text) <= 2100 else selectors.default_year()
    )
    prefix = _prefix_param(request)
    check = request.GET.get("check", "")
    households = []
    if check in selectors.CHECK_KEYS:
        from bangfu.core.scoping import prefix_q, scope

        found = scope(selectors.check_households(check, year=year), request.user, Cap.MONITORING_VIEW)
        if prefix:
            found = found.filter(prefix_q("region_code", [prefix]))
        households = list(found.select_related("region").order_by("region_code", "code")[:200])
    return render(
        request,
        "monitoring/quality.html",
        {
            "title": gettext("数据质量核查"),
            "year": year,
            "region": prefix,
            "checks": selectors.CHECKS,
            "rows": selectors.quality_by_village(user=request.user, year=year, prefix=prefix),
            "check": next((c for c in selectors.CHECKS if c.key == check), None),
            "households": households,
        },
    )


# Thresholds --------------------------------------------------------------------------------------


class ThresholdListView(ObjectListView):
    listing = listings.thresholds
    create_url_name = "monitoring:threshold-create"
    create_capability = Cap.THRESHOLD_MANAGE


class ThresholdCreateView(ObjectEditView):
    model = Threshold
    form_class = ThresholdForm
    capability = Cap.THRESHOLD_MANAGE
    success_url_name = "monitoring:threshold-edit"


class ThresholdEditView(ThresholdCreateView):
    pass


# Risk events -------------------------------------------------------------------------------------


class EventListView(ObjectListView):
    listing = listings.events
    create_url_name = "monitoring:event-create"
    create_capability = Cap.RISK_RECORD


@requires(Cap.RISK_RECORD)
def event_create(request):
    """The phone page for a risk event; from a visit page it is tied to that visit."""
    from bangfu.fieldwork.models import Visit

    visit = None
    visit_id = request.GET.get("visit", "")
    if visit_id.isdigit():
        visit = get_scoped_or_404(
            Visit.objects.select_related("household"), request.user, Cap.RISK_RECORD, pk=visit_id
        )
    form = RiskEventForm(request.POST or None, user=request.user, visit=visit)
    done = _save(
        request,
        form,
        lambda saved: reverse("monitoring:event-list") + f"?household={saved.household_id}",
        gettext("风险事件已记录。"),
    )
    if done is not None:
        return done
    return render(
        request,
        "monitoring/event_form.html",
        {"form": form, "visit": visit, "title": gettext("记录风险事件")},
        status=400 if request.method == "POST" else 200,
    )


# Flags -------------------------------------------------------------------------------------------


class FlagListView(ObjectListView):
    listing = listings.flags
    template_name = "monitoring/flag_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.user.has_capability(Cap.THRESHOLD_MANAGE):
            context["run_form"] = RulesRunForm(initial={"year": selectors.default_year()})
        return context


@require_POST
@requires(Cap.THRESHOLD_MANAGE)
def rules_run(request):
    """Queues the rules job over a region the user manages; the job page shows its progress."""
    form = RulesRunForm(request.POST)
    prefixes = user_prefixes(request.user, Cap.THRESHOLD_MANAGE)
    if not form.is_valid():
        messages.error(request, gettext("请填写正确的年度。"))
        return redirect("monitoring:flag-list")
    prefix = (form.cleaned_data["region"] or "").strip()
    if not prefix and len(prefixes) == 1:
        prefix = prefixes[0]
    if not prefix.isdigit() and prefix != "" or not any(prefix.startswith(p) for p in prefixes):
        messages.error(request, gettext("请选择您管辖范围内的地区。"))
        return redirect("monitoring:flag-list")
    job = job_enqueue(
        kind="monitoring_rules",
        title=gettext("返贫预警规则筛查 %(year)s %(region)s")
        % {"year": form.cleaned_data["year"], "region": prefix or gettext("全国")},
        user=request.user,
        params={"year": form.cleaned_data["year"], "prefix": prefix},
        region_code=prefix,
    )
    return redirect("core:job-detail", pk=job.pk)


@requires(Cap.MONITORING_VIEW)
def flag_detail(request, pk: int):
    flag = get_scoped_or_404(
        Flag.objects.select_related("household__region", "risk_event", "case"),
        request.user,
        Cap.MONITORING_VIEW,
        pk=pk,
    )
    can_act = request.user.has_capability(Cap.CASE_VILLAGE) and flag.status == FlagStatus.OPEN
    form = FlagDismissForm(request.POST or None, flag=flag) if can_act else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        done = _save(request, form, reverse("monitoring:flag-list"))
        if done is not None:
            return done
    return render(
        request,
        "monitoring/flag_detail.html",
        {"flag": flag, "form": form, "title": gettext("预警线索")},
        status=400 if request.method == "POST" else 200,
    )


# Cases -------------------------------------------------------------------------------------------


class CaseListView(ObjectListView):
    listing = listings.cases
    create_url_name = "monitoring:case-create"
    create_capability = Cap.CASE_VILLAGE


@requires(Cap.CASE_VILLAGE)
def case_create(request):
    flag = None
    flag_id = request.GET.get("flag", "")
    if flag_id.isdigit():
        flag = get_scoped_or_404(
            Flag.objects.select_related("household", "risk_event"), request.user, Cap.CASE_VILLAGE, pk=flag_id
        )
    form = CaseOpenForm(request.POST or None, user=request.user, flag=flag)
    done = _save(request, form, lambda saved: saved.get_absolute_url(), gettext("已启动识别。"))
    if done is not None:
        return done
    return render(
        request,
        "core/object_form.html",
        {"form": form, "title": gettext("启动监测对象识别")},
        status=400 if request.method == "POST" else 200,
    )


@requires(Cap.MONITORING_VIEW)
def case_detail(request, pk: int):
    case = get_scoped_or_404(
        MonitoredCase.objects.select_related("household__region"), request.user, Cap.MONITORING_VIEW, pk=pk
    )
    user = request.user
    step_form = close_form = measure_form = None
    if case.next_step and services.step_allowed(user=user, case=case, step=case.next_step):
        step_form = CaseStepForm(case=case)
    village = user.has_capability(Cap.CASE_VILLAGE) and services.step_allowed(
        user=user, case=case, step=Step.VERIFICATION
    )
    if village and case.status == CaseStatus.MONITORED:
        close_form = CaseCloseForm(case=case)
    if village and case.open:
        measure_form = MeasureForm(case=case, user=user)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        forms = {"step": step_form, "close": close_form, "measure": measure_form}
        if forms.get(action) is None:
            raise PermissionDenied
        bound = {
            "step": lambda: CaseStepForm(request.POST, case=case),
            "close": lambda: CaseCloseForm(request.POST, case=case),
            "measure": lambda: MeasureForm(request.POST, case=case, user=user),
        }[action]()
        done = _save(request, bound, case.get_absolute_url())
        if done is not None:
            return done
        if action == "step":
            step_form = bound
        elif action == "close":
            close_form = bound
        else:
            measure_form = bound
        status = 400
    income = list(case.household.incomes.order_by("-year")[:3])
    line = services.threshold_for(region_code=case.region_code, year=income[0].year) if income else None
    return render(
        request,
        "monitoring/case_detail.html",
        {
            "title": gettext("监测对象"),
            "case": case,
            "steps": list(case.steps.select_related("actor")),
            "measures": list(case.measures.select_related("project", "pairing", "team", "enrolment__store")),
            "flags": list(case.flags.all()),
            "events": list(case.household.risk_events.all()[:20]),
            "incomes": income,
            "line": line,
            "step_form": step_form,
            "close_form": close_form,
            "measure_form": measure_form,
            "has_notice": case.steps.filter(step=Step.PUBLIC_NOTICE).exists(),
        },
        status=status,
    )


@requires(Cap.MONITORING_VIEW)
def notice(request, pk: int):
    """The printable village public notice. It names the household head, the household size, the
    category and the notice period — never an ID number, a phone, a bank account or health details."""
    case = get_scoped_or_404(
        MonitoredCase.objects.select_related("household__region"), request.user, Cap.MONITORING_VIEW, pk=pk
    )
    step = case.steps.filter(step=Step.PUBLIC_NOTICE).order_by("-recorded_at", "-pk").first()
    if step is None:
        raise Http404
    from bangfu.regions.models import Region

    township = Region.objects.filter(code=case.region_code[:9].ljust(12, "0")).first()
    return render(
        request,
        "monitoring/notice.html",
        {
            "title": _("风险消除公示") if step.path == Path.CLOSE else _("防止返贫监测对象识别公示"),
            "case": case,
            "step": step,
            "village": case.household.region.name,
            "township": township.name if township else "",
            "head_name": case.household.head_name,
            "members": case.household.members_count,
            "min_days": NOTICE_MIN_DAYS,
        },
    )
