import datetime

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from bangfu.accounts.models import Organization
from bangfu.attachments.selectors import attachment_counts
from bangfu.core.permissions import Cap
from bangfu.core.scoping import prefix_q, scope
from bangfu.core.views import (
    CapabilityRequiredMixin,
    ObjectActionView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
)
from bangfu.regions.models import Region

from . import listings, selectors, services
from .forms import (
    ActivityForm,
    BeneficiaryForm,
    CountedBeneficiaryForm,
    DisclosureForm,
    DividendRunForm,
    FeedbackForm,
    FeedbackHandleForm,
    FundEntryForm,
    HelperForm,
    HelperResultForm,
    OutcomeForm,
    PartnershipForm,
    ProjectForm,
    ReversalForm,
    ShareholdingForm,
)
from .models import Activity, Feedback, FundEntry, Helper, Partnership, Project


def _can(user, capability: str, obj) -> bool:
    return scope(type(obj)._default_manager.filter(pk=obj.pk), user, capability).exists()


class PartnershipListView(ObjectListView):
    listing = listings.partnerships
    create_url_name = "assistance:partnership-create"
    create_capability = Cap.PROJECT_MANAGE


class PartnershipDetailView(ObjectDetailView):
    model = Partnership
    capability = Cap.ASSISTANCE_VIEW
    template_name = "assistance/partnership_detail.html"
    queryset = staticmethod(lambda: Partnership.objects.select_related("organization", "region"))
    fields = [
        (gettext_lazy("帮扶单位"), "organization"),
        (gettext_lazy("帮扶类型"), "kind"),
        (gettext_lazy("帮扶地区"), lambda p: f"{p.region.name} ({p.region_code})"),
        (gettext_lazy("开始年份"), "start_year"),
        (gettext_lazy("结束年份"), "end_year"),
        (gettext_lazy("备注"), "note"),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        partnership = context["object"]
        user = self.request.user
        projects = selectors.with_balances(selectors.project_list(user=user).filter(partnership=partnership))
        context.update(
            projects=list(projects.order_by("-start_date", "pk")),
            totals=selectors.fund_totals(
                selectors.fund_entry_list(user=user).filter(project__partnership=partnership)
            ),
        )
        return context


class PartnershipCreateView(ObjectEditView):
    model = Partnership
    form_class = PartnershipForm
    capability = Cap.PROJECT_MANAGE
    success_url_name = "assistance:partnership-detail"


class ProjectListView(ObjectListView):
    listing = listings.projects
    create_url_name = "assistance:project-create"
    create_capability = Cap.PROJECT_MANAGE


class ProjectDetailView(ObjectDetailView):
    model = Project
    capability = Cap.ASSISTANCE_VIEW
    template_name = "assistance/project_detail.html"
    queryset = staticmethod(lambda: Project.objects.select_related("organization", "region", "partnership"))
    edit_url_name = "assistance:project-edit"
    edit_capability = Cap.PROJECT_MANAGE
    fields = [
        (gettext_lazy("项目名称"), "name"),
        (gettext_lazy("帮扶单位"), "organization"),
        (gettext_lazy("帮扶关系"), "partnership"),
        (gettext_lazy("实施地区"), lambda p: f"{p.region.name} ({p.region_code})"),
        (gettext_lazy("其他受益地区"), lambda p: "、".join(r.name for r in p.other_regions.all())),
        (gettext_lazy("项目类型"), "type"),
        (gettext_lazy("预算(元)"), "budget"),
        (gettext_lazy("状态"), "status"),
        (gettext_lazy("开始日期"), "start_date"),
        (gettext_lazy("结束日期"), "end_date"),
        (gettext_lazy("项目内容"), "description"),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project = context["object"]
        user = self.request.user
        entries = list(
            FundEntry.objects.filter(project=project)
            .select_related("reverses", "created_by")
            .prefetch_related("reversed_by")
            .order_by("seq")
        )
        reversed_ids = {entry.reverses_id for entry in entries if entry.reverses_id}
        vouchers = attachment_counts(FundEntry, [entry.pk for entry in entries])
        for entry in entries:
            entry.attachment_count = vouchers.get(entry.pk, 0)
        beneficiaries = project.beneficiaries.select_related("household", "person")
        context.update(
            milestones=list(project.milestones.all()),
            entries=entries,
            reversed_ids=reversed_ids,
            balance=selectors.project_balance(project),
            can_record=_can(user, Cap.FUNDS_RECORD, project),
            can_manage=_can(user, Cap.PROJECT_MANAGE, project),
            beneficiaries=list(beneficiaries[:500]),
            beneficiary_counts=selectors.beneficiary_counts(beneficiaries),
            outcomes=selectors.project_outcomes(project),
            outcome_history=list(project.outcomes.all()),
            shareholdings=list(project.shareholdings.select_related("household")),
            dividend_years=selectors.dividend_years(project),
            activities=list(selectors.activity_list(user=user).filter(project=project)[:100]),
            feedback_count=selectors.feedback_list(user=user).filter(project=project).count(),
        )
        return context


class ProjectCreateView(ObjectEditView):
    model = Project
    form_class = ProjectForm
    capability = Cap.PROJECT_MANAGE
    success_url_name = "assistance:project-detail"


class ProjectEditView(ProjectCreateView):
    pass


class FundEntryCreateView(ObjectActionView):
    model = Project
    form_class = FundEntryForm
    capability = Cap.FUNDS_RECORD
    parent_kwarg = "project"
    pass_user = True
    title = gettext_lazy("登记资金")


class FundEntryReverseView(ObjectActionView):
    model = FundEntry
    form_class = ReversalForm
    capability = Cap.FUNDS_RECORD
    parent_kwarg = "entry"
    title = gettext_lazy("冲销资金记录")

    def success_url(self, obj, saved) -> str:
        return obj.project.get_absolute_url()


# Beneficiaries, outcomes, dividends, disclosure of one project --------------------------------------


class _ProjectAction(ObjectActionView):
    model = Project
    capability = Cap.PROJECT_MANAGE
    parent_kwarg = "project"

    def success_url(self, obj, saved) -> str:
        return obj.get_absolute_url()


class BeneficiaryAddView(_ProjectAction):
    form_class = BeneficiaryForm
    title = gettext_lazy("添加受益户")


class BeneficiaryCountView(_ProjectAction):
    form_class = CountedBeneficiaryForm
    title = gettext_lazy("登记未建档受益对象")


class OutcomeRecordView(_ProjectAction):
    form_class = OutcomeForm
    title = gettext_lazy("登记成效指标")


class ShareholdingAddView(_ProjectAction):
    form_class = ShareholdingForm
    title = gettext_lazy("登记入股户")


class DividendRunView(_ProjectAction):
    form_class = DividendRunForm
    capability = Cap.FUNDS_RECORD
    title = gettext_lazy("发放年度分红")


class DisclosureView(_ProjectAction):
    form_class = DisclosureForm
    title = gettext_lazy("设置公示期")


# Activities and helpers -------------------------------------------------------------------------------


class ActivityListView(ObjectListView):
    listing = listings.activities
    create_url_name = "assistance:activity-create"
    create_capability = Cap.PROJECT_MANAGE


class ActivityDetailView(ObjectDetailView):
    model = Activity
    capability = Cap.ASSISTANCE_VIEW
    template_name = "assistance/activity_detail.html"
    queryset = staticmethod(
        lambda: Activity.objects.select_related("region", "organization", "helper", "project")
    )
    fields = [
        (gettext_lazy("活动名称"), "title"),
        (gettext_lazy("活动类型"), "kind"),
        (gettext_lazy("日期"), "date"),
        (gettext_lazy("活动地区"), lambda a: f"{a.region.name} ({a.region_code})"),
        (gettext_lazy("组织单位"), "organization"),
        (gettext_lazy("组织者"), "organiser"),
        (gettext_lazy("劳模/先进集体"), "helper"),
        (gettext_lazy("帮扶项目"), "project"),
        (gettext_lazy("服务人次"), "person_times"),
        (gettext_lazy("服务人数"), "distinct_people"),
        (gettext_lazy("折合价值(元)"), "value_given"),
        (gettext_lazy("活动内容"), "description"),
    ]


class ActivityCreateView(ObjectEditView):
    model = Activity
    form_class = ActivityForm
    capability = Cap.PROJECT_MANAGE
    success_url_name = "assistance:activity-detail"


class HelperListView(ObjectListView):
    listing = listings.helpers
    create_url_name = "assistance:helper-create"
    create_capability = Cap.PROJECT_MANAGE


class HelperDetailView(ObjectDetailView):
    model = Helper
    capability = Cap.ASSISTANCE_VIEW
    template_name = "assistance/helper_detail.html"
    queryset = staticmethod(lambda: Helper.objects.select_related("region", "organization"))
    fields = [
        (gettext_lazy("姓名/名称"), "name"),
        (gettext_lazy("类别"), "kind"),
        (gettext_lazy("级别"), "level"),
        (gettext_lazy("荣誉称号"), "honours"),
        (gettext_lazy("所在单位"), "organization"),
        (gettext_lazy("创新工作室"), "studio"),
        (gettext_lazy("帮扶地区"), lambda h: f"{h.region.name} ({h.region_code})"),
        (gettext_lazy("事迹"), "description"),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        helper = context["object"]
        results = helper.results.all()
        context.update(
            results=list(results),
            result_totals=selectors.helper_totals(results),
            activities=list(selectors.activity_list(user=self.request.user).filter(helper=helper)[:100]),
            can_manage=_can(self.request.user, Cap.PROJECT_MANAGE, helper),
        )
        return context


class HelperCreateView(ObjectEditView):
    model = Helper
    form_class = HelperForm
    capability = Cap.PROJECT_MANAGE
    success_url_name = "assistance:helper-detail"


class HelperResultView(ObjectActionView):
    model = Helper
    form_class = HelperResultForm
    capability = Cap.PROJECT_MANAGE
    parent_kwarg = "helper"
    title = gettext_lazy("登记年度成果")


# The office's queue of public feedback -------------------------------------------------------------


class FeedbackListView(ObjectListView):
    listing = listings.feedback


class FeedbackHandleView(ObjectActionView):
    model = Feedback
    form_class = FeedbackHandleForm
    capability = Cap.PROJECT_MANAGE
    parent_kwarg = "feedback"
    title = gettext_lazy("处理公示意见")

    def success_url(self, obj, saved) -> str:
        from django.urls import reverse

        return reverse("assistance:feedback-list")

    def render_form(self, form, obj, status=200):
        return render(
            self.request,
            "assistance/feedback_handle.html",
            {"form": form, "object": obj, "title": self.title},
            status=status,
        )


# Figures --------------------------------------------------------------------------------------------


def _year_param(value: str | None) -> int | None:
    if value and value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value)
    return None


class FiguresView(CapabilityRequiredMixin, TemplateView):
    """Assistance per region and year (or cumulative), optionally of one organisation, each figure
    linking to the records it sums."""

    capability = Cap.ASSISTANCE_VIEW
    template_name = "assistance/figures.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        region_code = (params.get("region") or "").strip()
        region = Region.objects.filter(code=region_code).first() if region_code.isdigit() else None
        prefix = region.prefix if region else ""
        year = _year_param(params.get("year"))
        organization = None
        if (params.get("organization") or "").isdigit():
            organization = Organization.objects.filter(pk=int(params["organization"])).first()
        figures = selectors.assistance_figures(
            user=self.request.user, prefix=prefix, year=year, organization=organization
        )
        entries = selectors.fund_entry_list(user=self.request.user)
        if prefix:
            entries = entries.filter(prefix_q("region_code", [prefix]))
        if organization is not None:
            entries = entries.filter(project__organization=organization)
        years = selectors.fund_balances(user=self.request.user, by="year", entries=entries)
        link = {}
        if region:
            link["region"] = region.code
        if year:
            link["year"] = year
        if organization:
            link["organization"] = organization.pk
        context.update(
            title=_("帮扶成效"),
            figures=figures,
            region=region,
            year=year,
            organization=organization,
            years=years,
            query="&".join(f"{key}={value}" for key, value in link.items()),
        )
        return context


# Public disclosure (公示): no login, no names, no private data --------------------------------------


def _today() -> datetime.date:
    return timezone.localdate()


@login_not_required
def public_region(request, code: str):
    """A village's (or any region's) disclosed projects: funds in and out and beneficiary counts."""
    region = get_object_or_404(Region, code=code)
    projects = list(selectors.public_projects(prefix=region.prefix, day=_today()).order_by("-start_date"))
    if not projects:
        raise Http404
    return render(
        request,
        "assistance/public_list.html",
        {"title": _("%(name)s帮扶项目公示") % {"name": region.name}, "projects": projects, "region": region},
    )


@login_not_required
def public_organization(request, pk: int):
    organization = get_object_or_404(Organization, pk=pk)
    projects = list(
        selectors.public_projects(organization=organization, day=_today()).order_by("-start_date")
    )
    if not projects:
        raise Http404
    return render(
        request,
        "assistance/public_list.html",
        {
            "title": _("%(name)s帮扶项目公示") % {"name": organization.name},
            "projects": projects,
            "organization": organization,
        },
    )


@login_not_required
def public_project(request, pk: int):
    """One disclosed project, with the feedback form while its disclosure period runs."""
    today = _today()
    project = get_object_or_404(selectors.public_projects(day=today).prefetch_related("other_regions"), pk=pk)
    status, sent = 200, False
    form = FeedbackForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_submit(
                project=project,
                message=form.cleaned_data["message"],
                contact=form.cleaned_data["contact"],
                honeypot=form.cleaned_data["website"],
                address=request.META.get("REMOTE_ADDR"),
            )
        except ValidationError as error:
            status = 429 if getattr(error, "error_code", "") == "feedback_too_many" else 400
            for field, errors in getattr(error, "error_dict", {None: [error]}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            sent, form = True, FeedbackForm()
    elif request.method == "POST":
        status = 400
    entries = list(
        FundEntry.objects.filter(project=project)
        .order_by("seq")
        .only("seq", "date", "kind", "amount", "source", "voucher_number", "reverses_id")
    )
    return render(
        request,
        "assistance/public_project.html",
        {
            "title": _("%(name)s公示") % {"name": project.name},
            "project": project,
            "entries": entries,
            "balance": selectors.project_balance(project),
            "outcomes": selectors.project_outcomes(project),
            "dividend_years": selectors.dividend_years(project),
            "milestones": list(project.milestones.all()),
            "form": form,
            "sent": sent,
            "open": project.takes_feedback(today),
        },
        status=status,
    )
