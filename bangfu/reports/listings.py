"""Listings the scorecard links to that have no page of their own in their app.

They are shown by the generic records page (``reports:records``); an app that later gives
one of them its own list page takes its place in the links (``scorecard.list_url``)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from bangfu.assistance.models import Beneficiary, DividendPayout, FundEntry, FundKind
from bangfu.core.listings import Listing, register
from bangfu.core.permissions import Cap
from bangfu.core.tables import Column, Table


class FundEntryFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("资金类型"), choices=FundKind.choices)
    project = django_filters.NumberFilter(label=_("项目编号"), field_name="project_id")
    year = django_filters.NumberFilter(label=_("年度"), field_name="date__year")

    class Meta:
        model = FundEntry
        fields = ["kind", "project", "year"]


fund_entries = register(
    Listing(
        key="reports.fund_entry",
        title=_("资金记录"),
        model=FundEntry,
        capability=Cap.ASSISTANCE_VIEW,
        queryset=lambda: FundEntry.objects.select_related("project"),
        filterset_class=FundEntryFilterSet,
        default_sort="-date",
        table=Table(
            [
                Column("date", _("日期"), sort="date"),
                Column("project", _("帮扶项目"), accessor="project.name", sort="project__name"),
                Column("kind", _("资金类型"), sort="kind"),
                Column("amount", _("金额(元)"), sort="amount", numeric=True),
                Column("source", _("资金来源")),
                Column("voucher_number", _("凭证号")),
                Column("note", _("备注")),
            ]
        ),
    )
)


class BeneficiaryFilterSet(django_filters.FilterSet):
    project = django_filters.NumberFilter(label=_("项目编号"), field_name="project_id")
    registered = django_filters.BooleanFilter(
        label=_("已建档"), field_name="household", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Beneficiary
        fields = ["project", "registered"]


beneficiaries = register(
    Listing(
        key="reports.beneficiary",
        title=_("项目受益对象"),
        model=Beneficiary,
        capability=Cap.ASSISTANCE_VIEW,
        queryset=lambda: Beneficiary.objects.select_related("project", "household"),
        filterset_class=BeneficiaryFilterSet,
        default_sort="project__name",
        table=Table(
            [
                Column("project", _("帮扶项目"), accessor="project.name", sort="project__name"),
                Column("household", _("户编号"), accessor="household.code"),
                Column("households", _("受益户数"), sort="households", numeric=True),
                Column("persons", _("受益人数"), sort="persons", numeric=True),
                Column("unregistered_reason", _("未登记原因")),
            ]
        ),
    )
)


class DividendFilterSet(django_filters.FilterSet):
    project = django_filters.NumberFilter(label=_("项目编号"), field_name="project_id")
    year = django_filters.NumberFilter(label=_("年度"), field_name="year")

    class Meta:
        model = DividendPayout
        fields = ["project", "year"]


dividends = register(
    Listing(
        key="reports.dividend",
        title=_("分红发放记录"),
        model=DividendPayout,
        capability=Cap.ASSISTANCE_VIEW,
        queryset=lambda: DividendPayout.objects.select_related("project", "shareholding__household"),
        filterset_class=DividendFilterSet,
        default_sort="-year",
        table=Table(
            [
                Column("year", _("年度"), sort="year"),
                Column("project", _("帮扶项目"), accessor="project.name", sort="project__name"),
                Column("household", _("入股户"), accessor="shareholding.household.code"),
                Column("shares", _("股数"), sort="shares", numeric=True),
                Column("amount", _("分红(元)"), sort="amount", numeric=True),
                Column("paid_on", _("发放日期"), sort="paid_on"),
            ]
        ),
    )
)
