from django.utils.translation import gettext_lazy as _

from bangfu.core.listings import Listing, register
from bangfu.core.permissions import Cap
from bangfu.core.tables import Column, Table

from .filters import CertificationFilterSet, ProductFilterSet, PurchaseFilterSet, SupplierFilterSet
from .models import Certification, Product, Purchase, Supplier
from .scoping import scoped


class ConsumptionListing(Listing):
    """A Listing narrowed by the consumption app's own reach (supplier and buyer users are
    bound to their organisation, see scoping.py) instead of region prefixes alone.
    Every listing here has a FilterSet, so its rows always come through ``filterset``."""

    def filterset(self, params, user):
        filterset = super().filterset(params, user)
        filterset.queryset = scoped(self.queryset(), user, self.capability)
        return filterset


def _share(purchase) -> str:
    share = purchase.certified_share
    return "" if share is None else f"{share * 100:.1f}%"


suppliers = register(
    ConsumptionListing(
        key="consumption.supplier",
        title=_("供应商"),
        model=Supplier,
        capability=Cap.CONSUMPTION_VIEW,
        queryset=lambda: Supplier.objects.select_related("region"),
        filterset_class=SupplierFilterSet,
        default_sort="name",
        table=Table(
            [
                Column("name", _("名称"), sort="name", link=True),
                Column("kind", _("类型"), sort="kind"),
                Column("region", _("所在地区"), accessor="region.name", sort="region_code"),
                Column("contact_name", _("联系人")),
                Column("contact_phone", _("联系电话")),
                Column("is_active", _("有效")),
            ]
        ),
    )
)

products = register(
    ConsumptionListing(
        key="consumption.product",
        title=_("产品"),
        model=Product,
        capability=Cap.CONSUMPTION_VIEW,
        queryset=lambda: Product.objects.select_related("supplier").prefetch_related("certifications"),
        filterset_class=ProductFilterSet,
        default_sort="name",
        table=Table(
            [
                Column("name", _("品名"), sort="name", link=True),
                Column("specification", _("规格")),
                Column("category", _("品类"), sort="category"),
                Column("supplier", _("供应商"), accessor="supplier.name", sort="supplier__name"),
                Column("unit", _("单位")),
                Column("price", _("单价(元)"), sort="price", numeric=True),
                Column("certified", _("认定产品")),
                Column("is_active", _("在售")),
            ]
        ),
    )
)

certifications = register(
    ConsumptionListing(
        key="consumption.certification",
        title=_("产品认定"),
        model=Certification,
        capability=Cap.CONSUMPTION_VIEW,
        queryset=lambda: Certification.objects.select_related("supplier"),
        filterset_class=CertificationFilterSet,
        default_sort="-valid_to",
        table=Table(
            [
                Column("number", _("认定编号"), sort="number", link=True),
                Column("body", _("认定机构"), sort="body"),
                Column("supplier", _("供应商"), accessor="supplier.name", sort="supplier__name"),
                Column("valid_from", _("有效期起"), sort="valid_from"),
                Column("valid_to", _("有效期止"), sort="valid_to"),
                Column("is_revoked", _("已撤销")),
            ]
        ),
    )
)

purchases = register(
    ConsumptionListing(
        key="consumption.purchase",
        title=_("采购"),
        model=Purchase,
        capability=Cap.CONSUMPTION_VIEW,
        queryset=lambda: Purchase.objects.select_related("buyer", "supplier"),
        filterset_class=PurchaseFilterSet,
        default_sort="-date",
        table=Table(
            [
                Column("date", _("采购日期"), sort="date", link=True),
                Column("buyer", _("采购单位"), accessor="buyer.name", sort="buyer__name", link=True),
                Column("supplier", _("供应商"), accessor="supplier.name", sort="supplier__name"),
                Column("channel", _("销售渠道"), sort="channel"),
                Column("purpose", _("用途"), sort="purpose"),
                Column("paid_by", _("付款方")),
                Column("invoice_number", _("发票号")),
                Column("total_amount", _("金额(元)"), sort="total_amount", numeric=True),
                Column("certified_amount", _("认定产品金额(元)"), sort="certified_amount", numeric=True),
                Column("certified_share", _("认定占比"), accessor=_share, numeric=True),
            ]
        ),
    )
)
