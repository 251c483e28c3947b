"""Pages of love supermarkets: thin views over the services and selectors."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.core.permissions import Cap
from bangfu.core.scoping import get_scoped_or_404, in_scope
from bangfu.core.views import (
    ObjectActionView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    _attach_errors,
    requires,
)
from bangfu.regions.models import Region

from . import listings, selectors, services
from .forms import (
    DeliveryRequestForm,
    DeliveryStepForm,
    DonationForm,
    EnrolmentForm,
    ItemForm,
    MeetingForm,
    MeetingStepForm,
    ReversalForm,
    ScoreForm,
    StockMoveForm,
    StockTakeForm,
    StoreForm,
    TripForm,
    parse_basket,
    store_items,
)
from .models import (
    DeliveryRequest,
    DeliveryStatus,
    Donation,
    Enrolment,
    Item,
    Meeting,
    MeetingStatus,
    PointAccount,
    PointEntry,
    Redemption,
    StockBalance,
    StockTake,
    Store,
    Trip,
)

# Stores and catalogue -------------------------------------------------------------------------------


class StoreListView(ObjectListView):
    listing = listings.stores
    create_url_name = "supermarket:store-create"
    create_capability = Cap.SUPERMARKET_MANAGE


class StoreDetailView(ObjectDetailView):
    model = Store
    capability = Cap.SUPERMARKET_VIEW
    template_name = "supermarket/store_detail.html"
    edit_url_name = "supermarket:store-edit"
    edit_capability = Cap.SUPERMARKET_MANAGE
    queryset = staticmethod(lambda: Store.objects.select_related("region", "organization"))
    fields = [
        (gettext_lazy("所在地区"), "region.name"),
        (gettext_lazy("运营单位"), "organization.name"),
        (gettext_lazy("地址"), "address"),
        (gettext_lazy("开业日期"), "opened_on"),
        (gettext_lazy("关闭日期"), "closed_on"),
        (gettext_lazy("状态"), "status"),
        (gettext_lazy("每积分价值(元)"), "point_value"),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        store, user = context["object"], self.request.user
        stock = (
            StockBalance.objects.filter(store=store, quantity__gt=0)
            .select_related("item")
            .order_by("item__category", "item__name")
        )
        context.update(
            keepers=list(store.keepers.all()),
            stock=stock,
            stock_value=sum((b.quantity * b.item.reference_value for b in stock), 0),
            enrolled=Enrolment.objects.filter(store=store, is_active=True).count(),
            can_counter=selectors.counter_stores(user=user).filter(pk=store.pk).exists(),
            can_donate=in_scope(user, Cap.DONATION_RECORD, store.region_code),
            can_manage=in_scope(user, Cap.SUPERMARKET_MANAGE, store.region_code),
            can_award=user.has_capability(Cap.POINTS_AWARD),
            can_request=user.has_capability(Cap.DELIVERY_REQUEST),
        )
        return context


class StoreCreateView(ObjectEditView):
    model = Store
    form_class = StoreForm
    capability = Cap.SUPERMARKET_MANAGE
    success_url_name = "supermarket:store-detail"


class StoreEditView(StoreCreateView):
    pass


class ItemListView(ObjectListView):
    listing = listings.items
    create_url_name = "supermarket:item-create"
    create_capability = Cap.SUPERMARKET_MANAGE


class ItemDetailView(ObjectDetailView):
    model = Item
    capability = Cap.SUPERMARKET_VIEW
    edit_url_name = "supermarket:item-edit"
    edit_capability = Cap.SUPERMARKET_MANAGE
    fields = [
        (gettext_lazy("类别"), "category"),
        (gettext_lazy("单位"), "unit"),
        (gettext_lazy("兑换积分"), "points_price"),
        (gettext_lazy("参考价值(元)"), "reference_value"),
        (gettext_lazy("目录所属地区"), "region.name"),
        (gettext_lazy("在用"), "is_active"),
    ]


class ItemCreateView(ObjectEditView):
    model = Item
    form_class = ItemForm
    capability = Cap.SUPERMARKET_MANAGE
    success_url_name = "supermarket:item-detail"


class ItemEditView(ItemCreateView):
    pass


# Donations and the honour board ---------------------------------------------------------------------


class DonationListView(ObjectListView):
    listing = listings.donations
    create_url_name = "supermarket:donation-create"
    create_capability = Cap.DONATION_RECORD


@requires(Cap.DONATION_RECORD)
def donation_create(request):
    form = DonationForm(
        data=request.POST or None, user=request.user, initial={"store": request.GET.get("store")}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                donation = form.save(actor=request.user)
            except ValidationError as error:
                _attach_errors(form, error)
            else:
                messages.success(
                    request, _("已登记捐赠,收据编号 %(number)s。") % {"number": donation.receipt_number}
                )
                return redirect("supermarket:donation-detail", pk=donation.pk)
        status = 400
    return render(
        request, "supermarket/donation_form.html", {"form": form, "title": _("登记捐赠")}, status=status
    )


@requires(Cap.SUPERMARKET_VIEW)
def donation_detail(request, pk: int):
    """The donation as a printable receipt (捐赠收据)."""
    donation = get_scoped_or_404(
        Donation.objects.select_related(
            "store", "store__organization", "donor_organization", "created_by", "reverses"
        ),
        request.user,
        Cap.SUPERMARKET_VIEW,
        pk=pk,
    )
    lines = (donation.reverses or donation).lines.select_related("item")
    reversal = Donation.objects.filter(reverses=donation).first()
    return render(
        request,
        "supermarket/donation_detail.html",
        {
            "donation": donation,
            "lines": lines,
            "reversal": reversal,
            "can_reverse": donation.reverses_id is None
            and reversal is None
            and in_scope(request.user, Cap.SUPERMARKET_MANAGE, donation.region_code),
            "title": _("捐赠收据 %(number)s") % {"number": donation.receipt_number},
        },
    )


@login_not_required
def honour_board(request, code: str):
    """The public honour board (荣誉榜) of a region: donors who agreed to be shown."""
    region = get_object_or_404(Region, code=code)
    stores = Store.objects.filter(region_code__startswith=region.prefix)
    if not stores.exists():
        raise Http404
    rows = selectors.honour_board(stores=stores)
    return render(
        request,
        "supermarket/honour_board.html",
        {
            "rows": rows,
            "title": _("%(name)s爱心超市荣誉榜") % {"name": region.name},
            "stores": stores.order_by("region_code", "name"),
        },
    )


@login_not_required
def honour_store(request, pk: int):
    store = get_object_or_404(Store, pk=pk)
    rows = selectors.honour_board(stores=Store.objects.filter(pk=store.pk))
    return render(
        request,
        "supermarket/honour_board.html",
        {"rows": rows, "title": _("%(name)s荣誉榜") % {"name": store.name}, "store": store},
    )


# Stock ----------------------------------------------------------------------------------------------


class MoveListView(ObjectListView):
    listing = listings.moves


def _counter_store(request, pk: int) -> Store:
    """A store whose counter the user serves; any other store is missing (404)."""
    try:
        return selectors.counter_stores(user=request.user).get(pk=pk)
    except Store.DoesNotExist as error:
        raise Http404 from error


class StoreActionView(ObjectActionView):
    """A form acting on one store, for its keepers (or the office over it)."""

    model = Store
    parent_kwarg = "store"
    pass_user = True
    capability = Cap.SUPERMARKET_COUNTER

    def get_object(self):
        return _counter_store(self.request, self.kwargs["pk"])

    def success_url(self, obj, saved):
        return saved.get_absolute_url() if hasattr(saved, "get_absolute_url") else obj.get_absolute_url()


class StockMoveView(StoreActionView):
    form_class = StockMoveForm
    title = gettext_lazy("登记库存变动")

    def success_url(self, obj, saved):
        return obj.get_absolute_url()


class StockTakeView(StoreActionView):
    form_class = StockTakeForm
    title = gettext_lazy("盘点")
    template_name = "supermarket/stocktake_form.html"


@requires(Cap.SUPERMARKET_VIEW)
def stocktake_detail(request, pk: int):
    take = get_scoped_or_404(
        StockTake.objects.select_related("store"), request.user, Cap.SUPERMARKET_VIEW, pk=pk
    )
    return render(
        request,
        "supermarket/stocktake_detail.html",
        {"take": take, "lines": take.lines.select_related("item"), "title": str(take)},
    )


# Enrolment and points -------------------------------------------------------------------------------


class EnrolmentListView(ObjectListView):
    listing = listings.enrolments


class EnrolmentCreateView(StoreActionView):
    form_class = EnrolmentForm
    capability = Cap.SUPERMARKET_MANAGE
    title = gettext_lazy("纳入救助对象")

    def get_object(self):
        return get_scoped_or_404(
            Store.objects.all(), self.request.user, self.capability, pk=self.kwargs["pk"]
        )


@requires(Cap.SUPERMARKET_VIEW)
def account_detail(request, pk: int):
    """A household's points: balance, every ledger entry, its meeting scores."""
    account = get_scoped_or_404(
        PointAccount.objects.select_related("household", "store"),
        request.user,
        Cap.SUPERMARKET_VIEW,
        household_id=pk,
    )
    from .models import MeetingScore

    entries = account.entries.select_related("meeting", "redemption", "created_by", "reverses").order_by(
        "-seq"
    )[:200]
    scores = (
        MeetingScore.objects.filter(household=account.household_id)
        .select_related("meeting")
        .order_by("-meeting__held_on")[:100]
    )
    enrolments = (
        Enrolment.objects.filter(household=account.household_id)
        .select_related("store")
        .order_by("-enrolled_on")
    )
    return render(
        request,
        "supermarket/account_detail.html",
        {
            "account": account,
            "entries": entries,
            "scores": scores,
            "enrolments": enrolments,
            "can_reverse": in_scope(request.user, Cap.SUPERMARKET_MANAGE, account.region_code),
            "reversed": set(
                PointEntry.objects.filter(account=account, reverses__isnull=False).values_list(
                    "reverses_id", flat=True
                )
            ),
            "title": _("积分账户:%(household)s") % {"household": account.household},
        },
    )


class MeetingListView(ObjectListView):
    listing = listings.meetings


class MeetingCreateView(ObjectActionView):
    model = Store
    form_class = MeetingForm
    parent_kwarg = "store"
    pass_user = True
    capability = Cap.POINTS_AWARD
    title = gettext_lazy("新建评议会")

    def get_object(self):
        return get_scoped_or_404(
            Store.objects.all(), self.request.user, Cap.SUPERMARKET_VIEW, pk=self.kwargs["pk"]
        )

    def success_url(self, obj, saved):
        return saved.get_absolute_url()


@requires(Cap.SUPERMARKET_VIEW)
def meeting_detail(request, pk: int):
    meeting = get_scoped_or_404(
        Meeting.objects.select_related("store", "region"), request.user, Cap.SUPERMARKET_VIEW, pk=pk
    )
    scores = meeting.scores.select_related("household").order_by("household__code", "pk")
    can_award = in_scope(request.user, Cap.POINTS_AWARD, meeting.region_code)
    return render(
        request,
        "supermarket/meeting_detail.html",
        {
            "meeting": meeting,
            "scores": scores,
            "totals": scores.values("household__code", "household__head_name")
            .annotate(points=Sum("points"))
            .order_by("household__code"),
            "can_award": can_award and meeting.status != MeetingStatus.CONFIRMED,
            "title": str(meeting),
        },
    )


class MeetingScoreView(ObjectActionView):
    model = Meeting
    form_class = ScoreForm
    parent_kwarg = "meeting"
    pass_user = True
    capability = Cap.POINTS_AWARD
    title = gettext_lazy("登记评议积分")

    def success_url(self, obj, saved):
        return obj.get_absolute_url()


class MeetingStepView(ObjectActionView):
    model = Meeting
    form_class = MeetingStepForm
    parent_kwarg = "meeting"
    capability = Cap.POINTS_AWARD

    @property
    def title(self):
        meeting = self.get_object()
        return _("开始公示") if meeting.status == MeetingStatus.DRAFT else _("公示期满,积分入账")


# Counter --------------------------------------------------------------------------------------------


@requires(Cap.SUPERMARKET_COUNTER)
def counter(request, pk: int):
    """The keeper's counter, phone-sized: find the household, fill the basket, redeem."""
    store = _counter_store(request, pk)
    query = request.GET.get("q", "")
    if request.htmx and "q" in request.GET:
        return render(
            request,
            "supermarket/_counter_results.html",
            {"store": store, "results": selectors.counter_search(store=store, query=query)},
        )
    household_id = request.POST.get("household") or request.GET.get("household")
    enrolment = None
    if household_id:
        enrolment = (
            Enrolment.objects.filter(store=store, is_active=True, household_id=household_id)
            .select_related("household")
            .first()
        )
    account = PointAccount.objects.filter(household_id=enrolment.household_id).first() if enrolment else None
    error, status = None, 200
    if request.method == "POST":
        try:
            if enrolment is None:
                from .errors import SupermarketError, SupermarketErrorCode

                raise SupermarketError(SupermarketErrorCode.NOT_ENROLLED)
            redemption = services.redemption_create(
                actor=request.user,
                store=store,
                household=enrolment.household,
                lines=parse_basket(store, request.POST),
            )
        except ValidationError as refused:
            error, status = " ".join(refused.messages), 400
        else:
            messages.success(request, _("兑换成功,单号 %(number)s。") % {"number": redemption.receipt_number})
            return redirect("supermarket:redemption-detail", pk=redemption.pk)
    stock = (
        StockBalance.objects.filter(store=store, quantity__gt=0, item__in=store_items(store))
        .select_related("item")
        .order_by("item__category", "item__name")
    )
    return render(
        request,
        "supermarket/counter.html",
        {
            "store": store,
            "query": query,
            "results": selectors.counter_search(store=store, query=query) if query else [],
            "enrolment": enrolment,
            "account": account,
            "stock": stock,
            "error": error,
            "posted": request.POST if request.method == "POST" else {},
            "title": _("兑换台:%(store)s") % {"store": store.name},
        },
        status=status,
    )


class RedemptionListView(ObjectListView):
    listing = listings.redemptions


@requires(Cap.SUPERMARKET_VIEW)
def redemption_detail(request, pk: int):
    """The redemption as a receipt."""
    redemption = get_scoped_or_404(
        Redemption.objects.select_related("store", "household", "created_by"),
        request.user,
        Cap.SUPERMARKET_VIEW,
        pk=pk,
    )
    account = PointAccount.objects.filter(household=redemption.household_id).first()
    return render(
        request,
        "supermarket/redemption_detail.html",
        {
            "redemption": redemption,
            "lines": redemption.lines.select_related("item"),
            "account": account,
            "title": _("兑换单 %(number)s") % {"number": redemption.receipt_number},
        },
    )


# Home delivery --------------------------------------------------------------------------------------


class DeliveryListView(ObjectListView):
    listing = listings.deliveries


class DeliveryCreateView(ObjectActionView):
    model = Store
    form_class = DeliveryRequestForm
    parent_kwarg = "store"
    pass_user = True
    capability = Cap.DELIVERY_REQUEST
    title = gettext_lazy("申请上门服务")
    template_name = "supermarket/delivery_form.html"

    def get_object(self):
        return get_scoped_or_404(
            Store.objects.all(), self.request.user, Cap.SUPERMARKET_VIEW, pk=self.kwargs["pk"]
        )

    def success_url(self, obj, saved):
        return saved.get_absolute_url()


@requires(Cap.SUPERMARKET_VIEW)
def delivery_detail(request, pk: int):
    delivery = get_scoped_or_404(
        DeliveryRequest.objects.select_related("store", "household", "trip", "redemption", "requested_by"),
        request.user,
        Cap.SUPERMARKET_VIEW,
        pk=pk,
    )
    can_step = delivery.status in (DeliveryStatus.REQUESTED, DeliveryStatus.ASSIGNED) and (
        selectors.counter_stores(user=request.user).filter(pk=delivery.store_id).exists()
    )
    return render(
        request,
        "supermarket/delivery_detail.html",
        {
            "delivery": delivery,
            "lines": delivery.lines.select_related("item"),
            "can_step": can_step,
            "title": str(delivery),
        },
    )


class ReversalView(ObjectActionView):
    """The office reverses a ledger entry written in error: a new entry, the ledger never edited."""

    form_class = ReversalForm
    capability = Cap.SUPERMARKET_MANAGE
    service = staticmethod(lambda **kwargs: None)
    target = ""  # the service's keyword for the entry

    def form_kwargs(self, obj) -> dict:
        return {"reverse": functools.partial(self.service, **{self.target: obj})}


class DonationReverseView(ReversalView):
    model = Donation
    service = staticmethod(services.donation_reverse)
    target = "donation"
    title = gettext_lazy("捐赠冲正")

    def success_url(self, obj, saved) -> str:
        return saved.get_absolute_url()


class PointReverseView(ReversalView):
    model = PointEntry
    service = staticmethod(services.points_reverse)
    target = "entry"
    title = gettext_lazy("积分冲正")

    def success_url(self, obj, saved) -> str:
        return reverse("supermarket:account-detail", args=[obj.account.household_id])


class DeliveryStepView(ObjectActionView):
    model = DeliveryRequest
    form_class = DeliveryStepForm
    parent_kwarg = "request"
    capability = Cap.SUPERMARKET_COUNTER

    def get_object(self):
        delivery = super().get_object()
        _counter_store(self.request, delivery.store_id)
        return delivery

    @property
    def title(self):
        return _("安排送货") if self.get_object().status == DeliveryStatus.REQUESTED else _("登记送达")


class TripCreateView(StoreActionView):
    form_class = TripForm
    title = gettext_lazy("新建送货行程")


@requires(Cap.SUPERMARKET_VIEW)
def trip_detail(request, pk: int):
    trip = get_scoped_or_404(Trip.objects.select_related("store"), request.user, Cap.SUPERMARKET_VIEW, pk=pk)
    requests = trip.requests.select_related("household").order_by("pk")
    return render(
        request, "supermarket/trip_detail.html", {"trip": trip, "requests": requests, "title": str(trip)}
    )


# Figures --------------------------------------------------------------------------------------------


@requires(Cap.SUPERMARKET_VIEW)
def figures(request):
    """The county's own report, per year and in all, from the records; each figure links to them."""
    stores = selectors.store_list(user=request.user)
    store = None
    store_id = request.GET.get("store", "")
    if store_id.isdigit():
        store = stores.filter(pk=int(store_id)).first()
        if store is None:
            raise Http404
        stores, label = stores.filter(pk=store.pk), store.name
    else:
        label = _scope_label(request.user)
    result = selectors.figures(stores=stores, scope_label=label)
    return render(
        request,
        "supermarket/figures.html",
        {
            "figures": result,
            "store": store,
            "stores": selectors.store_list(user=request.user).order_by("region_code", "name"),
            "store_query": f"&store={store.pk}" if store else "",
            "title": _("爱心超市数据"),
        },
    )


def _scope_label(user) -> str:
    """全县 for a county user, else the name of the one region the scope covers, else 全部."""
    prefixes = user.scope_prefixes(Cap.SUPERMARKET_VIEW)
    if len(prefixes) == 1 and prefixes[0]:
        region = Region.objects.filter(code=prefixes[0].ljust(12, "0")).first()
        if region is not None:
            return _("全县") if region.level == "county" else region.name
    return _("全部")
