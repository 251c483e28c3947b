"""Pages: organisers set campaigns up and watch the board; members order on their phones;
pickup staff scan or type codes at their site."""

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bangfu.core.permissions import Cap
from bangfu.core.views import (
    ObjectActionView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    _attach_errors,
    requires,
)

from . import listings, selectors, services
from .errors import CampaignError
from .forms import CampaignForm, ItemForm, OrderForm, ScanForm, SiteForm, SlotForm
from .models import Campaign, Order, OrderStatus
from .tokens import PickupToken

# Organisers -----------------------------------------------------------------------------------------


class CampaignListView(ObjectListView):
    listing = listings.campaigns
    create_url_name = "campaigns:campaign-create"
    create_capability = Cap.CAMPAIGN_MANAGE


class OrderListView(ObjectListView):
    listing = listings.orders


class CampaignCreateView(ObjectEditView):
    model = Campaign
    form_class = CampaignForm
    capability = Cap.CAMPAIGN_MANAGE
    success_url_name = "campaigns:campaign-detail"


class CampaignEditView(CampaignCreateView):
    pass


class CampaignDetailView(ObjectDetailView):
    """The campaign, its packages and sites, and the board: ordered, collected, waiting by site and slot."""

    model = Campaign
    capability = Cap.CAMPAIGN_MANAGE
    template_name = "campaigns/campaign_detail.html"
    queryset = staticmethod(lambda: Campaign.objects.select_related("organizer"))
    edit_url_name = "campaigns:campaign-edit"
    edit_capability = Cap.CAMPAIGN_MANAGE
    fields = [
        (gettext_lazy("组织单位"), "organizer.name"),
        (gettext_lazy("状态"), "status"),
        (gettext_lazy("预订开始"), "opens_at"),
        (gettext_lazy("预订截止"), "closes_at"),
        (gettext_lazy("领取截止"), "pickup_closes_at"),
        (gettext_lazy("每人限订(份)"), "per_member_limit"),
        (gettext_lazy("可预订单位"), lambda c: "、".join(o.name for o in c.eligible_organizations.all())),
        (gettext_lazy("含下级单位"), "include_suborganizations"),
        (gettext_lazy("活动说明"), "description"),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = context["object"]
        context.update(
            board=selectors.board(campaign),
            items=list(campaign.items.prefetch_related("lines__product")),
        )
        return context


class CampaignActionView(ObjectActionView):
    model = Campaign
    capability = Cap.CAMPAIGN_MANAGE
    parent_kwarg = "campaign"


class ItemAddView(CampaignActionView):
    form_class = ItemForm
    title = gettext_lazy("添加礼盒")


class SiteAddView(CampaignActionView):
    form_class = SiteForm
    title = gettext_lazy("添加领取点")


class SlotAddView(CampaignActionView):
    form_class = SlotForm
    title = gettext_lazy("添加领取时段")


# Members --------------------------------------------------------------------------------------------


@requires(Cap.CAMPAIGN_ORDER)
def member_home(request):
    now = timezone.now()
    campaigns = list(
        selectors.campaigns_for_member(user=request.user)
        .filter(closes_at__gt=now)
        .select_related("organizer")
        .order_by("closes_at", "pk")
    )
    orders = list(selectors.my_orders(user=request.user).order_by("-created_at", "-pk")[:50])
    return render(
        request,
        "campaigns/member_home.html",
        {"title": _("我的预订"), "campaigns": campaigns, "orders": orders, "now": now},
    )


def _member_campaign(request, pk: int) -> Campaign:
    campaign = (
        selectors.campaigns_for_member(user=request.user).select_related("organizer").filter(pk=pk).first()
    )
    if campaign is None:
        raise Http404
    return campaign


@requires(Cap.CAMPAIGN_ORDER)
def member_campaign(request, pk: int):
    campaign = _member_campaign(request, pk)
    status = 200
    if request.method == "POST":
        form = OrderForm(request.POST, campaign=campaign, member=request.user)
        if form.is_valid():
            try:
                order, created = form.save(actor=request.user)
            except ValidationError as error:
                _attach_errors(form, error)
            else:
                if created:
                    messages.success(request, _("预订成功。请按预约时段凭二维码或领取码领取。"))
                return redirect(order.get_absolute_url())
        status = 400
    else:
        form = OrderForm(campaign=campaign, member=request.user)
    items = list(campaign.items.prefetch_related("lines__product").order_by("pk"))
    return render(
        request,
        "campaigns/member_campaign.html",
        {
            "title": campaign.name,
            "campaign": campaign,
            "form": form,
            "items": items,
            "open": campaign.is_open(),
        },
        status=status,
    )


def _my_order(request, pk: int) -> Order:
    return get_object_or_404(
        selectors.my_orders(user=request.user).select_related("collected_by", "campaign__organizer"), pk=pk
    )


@requires(Cap.CAMPAIGN_ORDER)
def order_detail(request, pk: int):
    order = _my_order(request, pk)
    qr = None
    if order.status == OrderStatus.PLACED:
        qr = segno.make(PickupToken(order.token).signed(), error="m").svg_inline(scale=5, border=2)
    return render(
        request,
        "campaigns/order_detail.html",
        {
            "title": _("我的订单"),
            "order": order,
            "qr": qr,
            "can_cancel": order.status == OrderStatus.PLACED and timezone.now() < order.campaign.closes_at,
        },
    )


@require_POST
@requires(Cap.CAMPAIGN_ORDER)
def order_cancel(request, pk: int):
    order = _my_order(request, pk)
    try:
        services.order_cancel(actor=request.user, order=order)
    except CampaignError as error:
        messages.error(request, error.text)
    else:
        messages.success(request, _("订单已取消。"))
    return redirect(order.get_absolute_url())


# Pickup staff ---------------------------------------------------------------------------------------


@requires(Cap.PICKUP_SCAN)
def scan_home(request):
    sites = list(selectors.sites_for_staff(user=request.user))
    return render(request, "campaigns/scan_home.html", {"title": _("扫码领取"), "sites": sites})


def _staff_site(request, pk: int):
    return get_object_or_404(selectors.sites_for_staff(user=request.user), pk=pk)


@requires(Cap.PICKUP_SCAN)
def scan(request, pk: int):
    """GET: the camera and the code field. POST: what the code names, and a button to hand over."""
    site = _staff_site(request, pk)
    lookup, error, status = None, None, 200
    form = ScanForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                lookup = services.pickup_lookup(staff=request.user, site=site, code=form.cleaned_data["code"])
            except CampaignError as refused:
                error, status = refused.text, 400
        else:
            status = 400
    return render(
        request,
        "campaigns/scan.html",
        {
            "title": site.name,
            "site": site,
            "form": form,
            "lookup": lookup,
            "error": error,
            "camera_error": _("无法打开摄像头,请输入领取码。"),
        },
        status=status,
    )


@require_POST
@requires(Cap.PICKUP_SCAN)
def scan_confirm(request, pk: int):
    site = _staff_site(request, pk)
    form = ScanForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请扫描二维码或输入领取码。"))
        return redirect("campaigns:scan", pk=site.pk)
    try:
        order = services.pickup_confirm(
            staff=request.user,
            site=site,
            code=form.cleaned_data["code"],
            override=form.cleaned_data["override"],
        )
    except CampaignError as error:
        messages.error(request, error.text)
    else:
        messages.success(
            request,
            _("已发放:%(member)s,%(item)s × %(quantity)d。")
            % {"member": order.member, "item": order.item.name, "quantity": order.quantity},
        )
    return redirect("campaigns:scan", pk=site.pk)
