from django.utils.translation import gettext_lazy as _

from bangfu.core.permissions import Cap
from bangfu.core.text import join_list
from bangfu.core.views import ObjectActionView, ObjectDetailView, ObjectEditView, ObjectListView

from . import listings, selectors
from .forms import (
    HouseholdCreateForm,
    HouseholdForm,
    IncomeForm,
    PairingForm,
    PersonForm,
    PersonMoveForm,
    StatusChangeForm,
)
from .models import Household, Person


class HouseholdListView(ObjectListView):
    listing = listings.households
    create_url_name = "registry:household-create"
    create_capability = Cap.REGISTRY_EDIT


class PersonListView(ObjectListView):
    listing = listings.persons


class HouseholdDetailView(ObjectDetailView):
    model = Household
    capability = Cap.REGISTRY_VIEW
    template_name = "registry/household_detail.html"
    queryset = staticmethod(lambda: Household.objects.select_related("region", "head"))
    edit_url_name = "registry:household-edit"
    edit_capability = Cap.REGISTRY_EDIT
    fields = [
        (_("户编号"), "code"),
        (_("户主"), "head_name"),
        (_("所在村"), lambda h: " / ".join(r.name for r in selectors.region_path_names(h))),
        (_("住址"), "address"),
        (_("建档立卡户"), "registered"),
        (_("建档年度"), "registered_year"),
        (_("当前状态"), "status"),
        (_("脱贫年度"), "lifted_year"),
        (_("兜底保障"), "safety_net"),
        (_("致贫原因"), lambda h: join_list(c.name for c in h.causes.all())),
        (_("家庭人口"), "members_count"),
        (_("备注"), "notes"),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        household = context["object"]
        user = self.request.user
        context.update(selectors.household_page(household=household, user=user))
        context["can_edit"] = context["edit_url"] is not None
        # 联农带农 (consumption): the suppliers that buy from, employ or pay dividends to this household
        from bangfu.consumption.selectors import household_links

        context["supplier_links"] = household_links(household=household)
        # fieldwork: visits to this household and its open needs (走访、诉求)
        from bangfu.fieldwork.selectors import household_fieldwork

        context["fieldwork"] = household_fieldwork(household=household, user=user)
        return context


class HouseholdCreateView(ObjectEditView):
    model = Household
    form_class = HouseholdCreateForm
    capability = Cap.REGISTRY_EDIT
    success_url_name = "registry:household-detail"


class HouseholdEditView(HouseholdCreateView):
    form_class = HouseholdForm


class HouseholdActionView(ObjectActionView):
    """A form about one household (a member, an income year, a status step, a pairing)."""

    model = Household
    capability = Cap.REGISTRY_EDIT
    parent_kwarg = "household"


class PersonAddView(HouseholdActionView):
    form_class = PersonForm
    title = _("添加家庭成员")


class IncomeView(HouseholdActionView):
    form_class = IncomeForm
    title = _("登记年度收入")


class StatusChangeView(HouseholdActionView):
    form_class = StatusChangeForm
    title = _("登记状态变更")


class PairingView(HouseholdActionView):
    form_class = PairingForm
    title = _("添加结对帮扶")
    pass_user = True


class PersonActionView(ObjectActionView):
    model = Person
    capability = Cap.REGISTRY_EDIT

    def success_url(self, obj, saved):
        return obj.household.get_absolute_url() if not isinstance(saved, Person) else saved.get_absolute_url()


class PersonEditView(PersonActionView):
    form_class = PersonForm
    title = _("编辑家庭成员")

    def form_kwargs(self, obj):
        return {"household": obj.household, "person": obj}


class PersonMoveView(PersonActionView):
    form_class = PersonMoveForm
    title = _("成员迁移")

    def form_kwargs(self, obj):
        return {"person": obj, "user": self.request.user}
