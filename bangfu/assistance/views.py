from django.utils.translation import gettext_lazy

from bangfu.core.permissions import Cap
from bangfu.core.scoping import scope
from bangfu.core.views import ObjectActionView, ObjectDetailView, ObjectEditView, ObjectListView

from . import listings, selectors
from .forms import FundEntryForm, PartnershipForm, ProjectForm, ReversalForm
from .models import FundEntry, Partnership, Project


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
        context.update(
            milestones=list(project.milestones.all()),
            entries=entries,
            reversed_ids=reversed_ids,
            balance=selectors.project_balance(project),
            can_record=_can(user, Cap.FUNDS_RECORD, project),
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
    title = gettext_lazy("登记资金")


class FundEntryReverseView(ObjectActionView):
    model = FundEntry
    form_class = ReversalForm
    capability = Cap.FUNDS_RECORD
    parent_kwarg = "entry"
    title = gettext_lazy("冲销资金记录")

    def success_url(self, obj, saved) -> str:
        return obj.project.get_absolute_url()
