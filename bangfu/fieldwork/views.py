import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from bangfu.attachments.selectors import attachments_of
from bangfu.core import exports
from bangfu.core.permissions import Cap
from bangfu.core.scoping import get_scoped_or_404, prefix_q, scope
from bangfu.core.views import (
    ObjectActionView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    _attach_errors,
    requires,
)

from . import listings, selectors, services
from .forms import (
    CheckInForm,
    CheckOutForm,
    ComplianceForm,
    HolidayForm,
    LeaveDecideForm,
    LeaveRequestForm,
    MemberEndForm,
    MemberForm,
    NeedForm,
    TeamForm,
    VisitForm,
)
from .models import CheckIn, Leave, LeaveStatus, Need, PublicHoliday, Team, TeamMember, Visit

# Teams -------------------------------------------------------------------------------------------


class TeamListView(ObjectListView):
    listing = listings.teams
    create_url_name = "fieldwork:team-create"
    create_capability = Cap.TEAM_MANAGE


class TeamDetailView(ObjectDetailView):
    model = Team
    capability = Cap.FIELDWORK_VIEW
    template_name = "fieldwork/team_detail.html"
    queryset = staticmethod(lambda: Team.objects.select_related("region", "organization"))
    edit_url_name = "fieldwork:team-edit"
    edit_capability = Cap.TEAM_MANAGE
    fields = [
        (_("驻点村"), "region.name"),
        (_("区划代码"), "region_code"),
        (_("派出单位"), "organization.name"),
        (_("驻村开始日期"), "starts_on"),
        (_("驻村结束日期"), "ends_on"),
        (_("备注"), "notes"),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        team = context["object"]
        roll = selectors.team_roll(team=team)
        context.update(
            current=[m for m in roll if m.ends_on is None],
            former=[m for m in roll if m.ends_on is not None],
            can_manage=context["edit_url"] is not None,
        )
        return context


class TeamCreateView(ObjectEditView):
    model = Team
    form_class = TeamForm
    capability = Cap.TEAM_MANAGE
    success_url_name = "fieldwork:team-detail"


class TeamEditView(TeamCreateView):
    pass


class MemberAddView(ObjectActionView):
    model = Team
    form_class = MemberForm
    capability = Cap.TEAM_MANAGE
    parent_kwarg = "team"
    title = _("添加队员")

    def success_url(self, obj, saved) -> str:
        return f"{obj.get_absolute_url()}#tab-members"


class MemberEndView(ObjectActionView):
    model = TeamMember
    form_class = MemberEndForm
    capability = Cap.TEAM_MANAGE
    parent_kwarg = "member"
    title = _("队员离岗(轮换)")

    def success_url(self, obj, saved) -> str:
        return reverse("fieldwork:team-detail", args=[obj.team_id]) + "#tab-members"


# Attendance --------------------------------------------------------------------------------------


def _save(request, form, success_url):
    """POST: call the form's service; its ValidationErrors become the form's errors. None when not saved."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = form.save(actor=request.user)
        except ValidationError as error:
            _attach_errors(form, error)
        else:
            messages.success(request, gettext("已保存。"))
            return redirect(success_url), saved
    return None, None


@requires(Cap.ATTENDANCE_CHECKIN)
def checkin(request):
    """The phone page: check in on arrival, check out on leaving; small and usable without script."""
    user = request.user
    today = timezone.localdate()
    stints = [
        m
        for m in TeamMember.objects.filter(user=user, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("team__region")
        if m.team.active_on(today)
    ]
    stay = services.open_check_in(user=user)
    form = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "in":
            form = CheckInForm(request.POST, user=user)
        elif action == "out":
            form = CheckOutForm(request.POST)
        else:
            raise Http404
        done, _saved = _save(request, form, reverse("fieldwork:checkin"))
        if done is not None:
            return done
    week = selectors.member_week(member=stints[0]) if stints else None
    recent = CheckIn.objects.filter(member__user=user).select_related("member__team__region")[:5]
    leaves = list(
        Leave.objects.filter(
            member__user=user,
            status__in=[LeaveStatus.PENDING, LeaveStatus.APPROVED],
            ends_on__gte=today,
        ).order_by("starts_on")
    )
    return render(
        request,
        "fieldwork/checkin.html",
        {
            "title": gettext("驻村签到"),
            "stints": stints,
            "stay": stay,
            "form": form,
            "week": week,
            "recent": recent,
            "leaves": leaves,
            "today": today,
        },
        status=400 if form is not None else 200,
    )


@requires(Cap.ATTENDANCE_CHECKIN)
def leave_request(request):
    form = LeaveRequestForm(request.POST or None, user=request.user)
    done, _saved = _save(request, form, reverse("fieldwork:checkin"))
    if done is not None:
        return done
    status = 400 if request.method == "POST" else 200
    return render(
        request, "core/object_form.html", {"form": form, "title": gettext("请假申请")}, status=status
    )


class LeaveListView(ObjectListView):
    listing = listings.leaves


@require_POST
@requires(Cap.FIELDWORK_VIEW)
def leave_cancel(request, pk: int):
    """A member withdraws a leave that has not begun (or the office on their behalf)."""
    leave = get_scoped_or_404(Leave.objects.select_related("member"), request.user, Cap.FIELDWORK_VIEW, pk=pk)
    if request.user.pk != leave.member.user_id and not request.user.has_capability(Cap.TEAM_MANAGE):
        raise PermissionDenied
    try:
        services.leave_cancel(actor=request.user, leave=leave, note=request.POST.get("note", "").strip())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, gettext("请假已撤销。"))
    back = request.POST.get("next", "")
    return redirect(
        back
        if back in (reverse("fieldwork:checkin"), reverse("fieldwork:leave-list"))
        else "fieldwork:leave-list"
    )


@requires(Cap.FIELDWORK_VIEW)
def holidays(request):
    """Statutory public holidays: they excuse a day of the five-days-four-nights rule like leave."""
    can_manage = request.user.has_capability(Cap.TEAM_MANAGE)
    form = HolidayForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        done, _saved = _save(request, form, reverse("fieldwork:holiday-list"))
        if done is not None:
            return done
    year_text = request.GET.get("year", "")
    year = (
        int(year_text)
        if year_text.isdigit() and 2013 <= int(year_text) <= 2100
        else timezone.localdate().year
    )
    return render(
        request,
        "fieldwork/holidays.html",
        {
            "title": gettext("法定节假日"),
            "form": form,
            "year": year,
            "years": [year - 1, year, year + 1],
            "holidays": list(PublicHoliday.objects.filter(date__year=year)),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@requires(Cap.TEAM_MANAGE)
def holiday_delete(request, pk: int):
    holiday = PublicHoliday.objects.filter(pk=pk).first()
    if holiday is None:
        raise Http404
    services.holiday_delete(actor=request.user, holiday=holiday)
    messages.success(request, gettext("已删除。"))
    return redirect(f"{reverse('fieldwork:holiday-list')}?year={holiday.date.year}")


@requires(Cap.FIELDWORK_VIEW)
def leave_decide(request, pk: int):
    leave = get_scoped_or_404(
        Leave.objects.select_related("member__user", "member__team__region"),
        request.user,
        Cap.FIELDWORK_VIEW,
        pk=pk,
    )
    if not services.can_decide(user=request.user, leave=leave):
        raise PermissionDenied
    form = LeaveDecideForm(request.POST or None, leave=leave)
    done, _saved = _save(request, form, reverse("fieldwork:leave-list"))
    if done is not None:
        return done
    return render(
        request,
        "fieldwork/leave_decide.html",
        {"form": form, "leave": leave, "title": gettext("审批请假")},
        status=400 if request.method == "POST" else 200,
    )


@requires(Cap.FIELDWORK_VIEW)
def compliance(request):
    """The weekly five-days-four-nights report, per member or per team, with the failing weeks and why."""
    form = ComplianceForm(request.GET)
    first, last = selectors.default_weeks()
    rows: list = []
    per = "member"
    if form.is_valid():
        data = form.cleaned_data
        first, last = data["week_from"] or first, data["week_to"] or last
        per = data["per"] or "member"
        members = scope(TeamMember.objects.all(), request.user, Cap.FIELDWORK_VIEW)
        if data["region"]:
            members = members.filter(prefix_q("region_code", [data["region"].strip()]))
        if data["team"]:
            members = members.filter(team_id=data["team"])
        rows = selectors.compliance_report(
            user=request.user, first=first, last=last, members=members, failing_only=data["failing"]
        )
        fmt = request.GET.get("export")
        if fmt:
            return _export_compliance(request, rows, fmt)
    query = request.GET.copy()
    query.pop("page", None)
    teams = selectors.team_summary(rows) if per == "team" else []
    page = Paginator(teams if per == "team" else rows, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "fieldwork/compliance.html",
        {
            "title": gettext("五天四夜考勤"),
            "form": form,
            "first": first,
            "last": last,
            "per": per,
            "page": page,
            "failing": sum(1 for row in rows if not row.complies),
            "total": len(rows),
            "querystring": query.urlencode(),
            "can_export": request.user.has_capability(Cap.EXPORT),
        },
        status=200 if form.is_valid() else 400,
    )


def _export_compliance(request, rows, fmt: str) -> HttpResponse:
    if fmt not in exports.FORMATS:
        raise Http404
    if not request.user.has_capability(Cap.EXPORT):
        raise PermissionDenied
    listing = listings.compliance
    # export is a capability of its own: only members where the user holds it
    allowed = set(scope(TeamMember.objects.all(), request.user, Cap.EXPORT).values_list("pk", flat=True))
    exportable = [row for row in rows if row.member.pk in allowed]
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")
        exports.write_export(listing, exportable, buffer, fmt, reveal=False, total=len(exportable))
        content = buffer.getvalue().encode("utf-8")
    else:
        binary = io.BytesIO()
        exports.write_export(listing, exportable, binary, fmt, reveal=False, total=len(exportable))
        content = binary.getvalue()
    response = HttpResponse(content, content_type=exports.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(listing, fmt)}"'
    return response


# Visits ------------------------------------------------------------------------------------------


@requires(Cap.VISIT_RECORD)
def visit_create(request):
    """The phone page for a visit: plain HTML, no script, photos from the camera."""
    from bangfu.registry.models import Household

    initial = {}
    household_id = request.GET.get("household", "")
    if household_id.isdigit():
        household = (
            scope(Household.objects.all(), request.user, Cap.VISIT_RECORD).filter(pk=household_id).first()
        )
        if household is not None:
            initial["household"] = household.code
    form = VisitForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            visit = form.save(actor=request.user)
        except ValidationError as error:
            _attach_errors(form, error)
        else:
            messages.success(request, gettext("走访已记录。"))
            return redirect(visit.get_absolute_url())
    return render(
        request,
        "fieldwork/visit_form.html",
        {"form": form, "title": gettext("记录走访")},
        status=400 if request.method == "POST" else 200,
    )


class VisitListView(ObjectListView):
    listing = listings.visits
    create_url_name = "fieldwork:visit-create"
    create_capability = Cap.VISIT_RECORD


class VisitDetailView(ObjectDetailView):
    model = Visit
    capability = Cap.FIELDWORK_VIEW
    template_name = "fieldwork/visit_detail.html"
    queryset = staticmethod(lambda: Visit.objects.select_related("household__region", "visitor"))
    fields = [
        (_("户编号"), "household.code"),
        (_("户主"), "household.head_name"),
        (_("所在村"), "household.region.name"),
        (_("走访日期"), "visited_on"),
        (_("走访人"), "visitor"),
        (_("同行人员"), "companions"),
        (_("走访情况"), "findings"),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        visit = context["object"]
        context.update(
            attachment_count=attachments_of(visit).count(),
            needs=list(visit.needs.select_related("owner")),
            can_follow_up=self.request.user.has_capability(Cap.VISIT_RECORD),
            can_record_risk=self.request.user.has_capability(Cap.RISK_RECORD),
        )
        return context


class NeedListView(ObjectListView):
    listing = listings.needs


class NeedEditView(ObjectActionView):
    model = Need
    form_class = NeedForm
    capability = Cap.VISIT_RECORD
    parent_kwarg = "need"
    title = _("跟进诉求")

    def success_url(self, obj, saved) -> str:
        return reverse("fieldwork:need-list")


class CoverageListView(ObjectListView):
    listing = listings.coverage
