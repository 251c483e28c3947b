import csv
import io
import mimetypes

import xlsxwriter
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bangfu.core.permissions import Cap
from bangfu.core.text import join_list
from bangfu.core.views import (
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    _attach_errors,
    requires,
)

from . import listings, selectors, services
from .campaigns import selectors as campaign_selectors
from .forms import (
    CertificationForm,
    DeclarationForm,
    HouseholdLinkForm,
    LineFormSet,
    ProductForm,
    PurchaseForm,
    QuotaForm,
    SupplierForm,
    line_products,
)
from .models import (
    Certification,
    HouseholdLink,
    Product,
    Purchase,
    Quota,
    QuotaKind,
    Supplier,
)
from .scoping import get_scoped_or_404, reaches

LINES_PREFIX = "lines"


class ScopedObjectMixin:
    """Detail and edit pages look objects up through the consumption reach (scoping.py)."""

    queryset = None

    def base_queryset(self):
        return self.queryset() if self.queryset else self.model._default_manager.all()

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        return get_scoped_or_404(
            self.base_queryset(), self.request.user, self.capability, pk=self.kwargs["pk"]
        )


class ConsumptionDetailView(ScopedObjectMixin, ObjectDetailView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = context["object"]
        user = self.request.user
        allowed = self.edit_url_name and self.edit_capability and reaches(user, self.edit_capability, obj)
        context["edit_url"] = reverse(self.edit_url_name, args=[obj.pk]) if allowed else None
        return context


class ConsumptionEditView(ScopedObjectMixin, ObjectEditView):
    template_name = "consumption/object_form.html"

    def get_form(self, instance):
        post = self.request.method == "POST"
        return self.form_class(
            data=self.request.POST if post else None,
            files=self.request.FILES if post else None,
            instance=instance,
            user=self.request.user,
        )


# Suppliers -----------------------------------------------------------------------------------------


class SupplierListView(ObjectListView):
    listing = listings.suppliers
    create_url_name = "consumption:supplier-create"
    create_capability = Cap.SUPPLIER_MANAGE


class SupplierDetailView(ConsumptionDetailView):
    model = Supplier
    capability = Cap.CONSUMPTION_VIEW
    template_name = "consumption/supplier_detail.html"
    queryset = staticmethod(lambda: Supplier.objects.select_related("region", "organization", "household"))
    edit_url_name = "consumption:supplier-edit"
    edit_capability = Cap.SUPPLIER_MANAGE
    fields = [
        (gettext_lazy("名称"), "name"),
        (gettext_lazy("类型"), "kind"),
        (gettext_lazy("所在地区"), "region.name"),
        (gettext_lazy("区划代码"), "region_code"),
        (gettext_lazy("对应单位"), "organization"),
        (gettext_lazy("统一社会信用代码"), "credit_code"),
        (gettext_lazy("联系人"), "contact_name"),
        (gettext_lazy("联系电话"), "contact_phone"),
        (gettext_lazy("地址"), "address"),
        (gettext_lazy("简介"), "description"),
        (gettext_lazy("有效"), "is_active"),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        supplier = context["object"]
        user = self.request.user
        purchases = selectors.purchases_for_supplier(supplier=supplier, user=user)
        context.update(
            products=list(supplier.products.prefetch_related("certifications").order_by("name")),
            certifications=list(supplier.certifications.order_by("-valid_to")),
            purchases=list(purchases[:20]),
            purchase_count=purchases.count(),
            demand=campaign_selectors.supplier_demand(supplier=supplier),
            links=list(
                supplier.household_links.select_related("household").order_by("-year", "household__code")
            ),
            can_manage_products=reaches(user, Cap.PRODUCT_MANAGE, supplier),
            can_certify=reaches(user, Cap.SUPPLIER_MANAGE, supplier),
        )
        return context


class SupplierCreateView(ConsumptionEditView):
    model = Supplier
    form_class = SupplierForm
    capability = Cap.SUPPLIER_MANAGE
    success_url_name = "consumption:supplier-detail"


class SupplierEditView(SupplierCreateView):
    pass


# Products -------------------------------------------------------------------------------------------


class ProductListView(ObjectListView):
    listing = listings.products
    create_url_name = "consumption:product-create"
    create_capability = Cap.PRODUCT_MANAGE


class ProductDetailView(ConsumptionDetailView):
    model = Product
    capability = Cap.CONSUMPTION_VIEW
    template_name = "consumption/product_detail.html"
    queryset = staticmethod(lambda: Product.objects.select_related("supplier"))
    edit_url_name = "consumption:product-edit"
    edit_capability = Cap.PRODUCT_MANAGE
    fields = [
        (gettext_lazy("品名"), "name"),
        (gettext_lazy("规格"), "specification"),
        (gettext_lazy("品类"), "category"),
        (gettext_lazy("供应商"), "supplier.name"),
        (gettext_lazy("单位"), "unit"),
        (gettext_lazy("单价(元)"), "price"),
        (gettext_lazy("说明"), "description"),
        (gettext_lazy("在售"), "is_active"),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        product = context["object"]
        today = timezone.localdate()
        certifications = list(product.certifications.order_by("-valid_to"))
        context.update(
            certifications=[(c, c.covers(today)) for c in certifications],
            certified_today=any(c.covers(today) for c in certifications),
        )
        return context


class ProductCreateView(ConsumptionEditView):
    model = Product
    form_class = ProductForm
    capability = Cap.PRODUCT_MANAGE
    success_url_name = "consumption:product-detail"


class ProductEditView(ProductCreateView):
    pass


@requires(Cap.CONSUMPTION_VIEW)
def product_photo(request, pk: int):
    """A product's photo, to those who may see the product."""
    product = get_scoped_or_404(Product.objects.all(), request.user, Cap.CONSUMPTION_VIEW, pk=pk)
    if not product.photo:
        raise Http404
    try:
        handle = product.photo.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    content_type = mimetypes.guess_type(product.photo.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Certifications --------------------------------------------------------------------------------------


class CertificationListView(ObjectListView):
    listing = listings.certifications
    create_url_name = "consumption:certification-create"
    create_capability = Cap.SUPPLIER_MANAGE


class CertificationDetailView(ConsumptionDetailView):
    model = Certification
    capability = Cap.CONSUMPTION_VIEW
    template_name = "consumption/certification_detail.html"
    queryset = staticmethod(lambda: Certification.objects.select_related("supplier"))
    edit_url_name = "consumption:certification-edit"
    edit_capability = Cap.SUPPLIER_MANAGE
    fields = [
        (gettext_lazy("供应商"), "supplier.name"),
        (gettext_lazy("认定机构"), "body"),
        (gettext_lazy("认定编号"), "number"),
        (gettext_lazy("有效期起"), "valid_from"),
        (gettext_lazy("有效期止"), "valid_to"),
        (gettext_lazy("已撤销"), "is_revoked"),
        (gettext_lazy("今日有效"), lambda c: c.covers(timezone.localdate())),
        (gettext_lazy("备注"), "notes"),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["products"] = list(context["object"].products.order_by("name"))
        return context


class CertificationCreateView(ConsumptionEditView):
    model = Certification
    form_class = CertificationForm
    capability = Cap.SUPPLIER_MANAGE
    success_url_name = "consumption:certification-detail"


class CertificationEditView(CertificationCreateView):
    pass


# Purchases -------------------------------------------------------------------------------------------


class PurchaseListView(ObjectListView):
    listing = listings.purchases
    create_url_name = "consumption:purchase-create"
    create_capability = Cap.PURCHASE_RECORD


class PurchaseDetailView(ConsumptionDetailView):
    model = Purchase
    capability = Cap.CONSUMPTION_VIEW
    template_name = "consumption/purchase_detail.html"
    queryset = staticmethod(
        lambda: Purchase.objects.select_related("buyer", "supplier", "union", "recorded_by")
    )
    edit_url_name = "consumption:purchase-edit"
    edit_capability = Cap.PURCHASE_RECORD
    fields = [
        (gettext_lazy("采购单位"), "buyer.name"),
        (gettext_lazy("供应商"), "supplier.name"),
        (gettext_lazy("采购日期"), "date"),
        (gettext_lazy("销售渠道"), "channel"),
        (gettext_lazy("用途"), "purpose"),
        (gettext_lazy("付款方"), "paid_by"),
        (gettext_lazy("代为采购的工会"), "union"),
        (gettext_lazy("职工姓名"), "staff_name"),
        (gettext_lazy("发票号"), "invoice_number"),
        (gettext_lazy("金额(元)"), "total_amount"),
        (gettext_lazy("认定产品金额(元)"), "certified_amount"),
        (gettext_lazy("来源"), "source"),
        (gettext_lazy("录入人"), "recorded_by"),
        (gettext_lazy("录入时间"), "recorded_at"),
        (gettext_lazy("备注"), "note"),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lines"] = list(
            context["object"].lines.select_related("product", "certification").order_by("pk")
        )
        return context


def _purchase_page(request, purchase=None):
    user = request.user
    if request.method == "POST":
        form = PurchaseForm(request.POST, user=user, purchase=purchase)
        products = line_products(user, request.POST.get("supplier"))
        formset = LineFormSet(request.POST, prefix=LINES_PREFIX, products=products)
        if form.is_valid() and formset.is_valid():
            data = form.purchase_data()
            try:
                if purchase is None:
                    saved, _created = services.purchase_create(actor=user, lines=formset.lines(), **data)
                else:
                    saved = services.purchase_update(
                        actor=user, purchase=purchase, data=data, lines=formset.lines()
                    )
            except ValidationError as error:
                _attach_errors(form, error)
            else:
                messages.success(request, _("已保存。"))
                return redirect(saved)
        status = 400
    else:
        supplier_id = purchase.supplier_id if purchase else request.GET.get("supplier")
        form = PurchaseForm(user=user, purchase=purchase)
        products = line_products(user, supplier_id)
        initial = (
            [
                {"product": line.product_id, "quantity": line.quantity, "unit_price": line.unit_price}
                for line in purchase.lines.all()
            ]
            if purchase
            else None
        )
        formset = LineFormSet(prefix=LINES_PREFIX, products=products, initial=initial)
        status = 200
    title = _("编辑采购") if purchase else _("登记采购")
    return render(
        request,
        "consumption/purchase_form.html",
        {"form": form, "formset": formset, "title": title, "object": purchase},
        status=status,
    )


@requires(Cap.PURCHASE_RECORD)
def purchase_create(request):
    return _purchase_page(request)


@requires(Cap.PURCHASE_RECORD)
def purchase_edit(request, pk: int):
    purchase = get_scoped_or_404(Purchase.objects.all(), request.user, Cap.PURCHASE_RECORD, pk=pk)
    return _purchase_page(request, purchase)


@requires(Cap.PURCHASE_RECORD)
def purchase_line(request):
    """One more empty line for the purchase form (htmx), numbered ``index``."""
    try:
        index = int(request.GET.get("index", "0"))
    except ValueError:
        index = 0
    index = max(0, min(index, 199))
    products = line_products(request.user, request.GET.get("supplier"))
    formset = LineFormSet(prefix=LINES_PREFIX, products=products)
    form = formset.blank_line(index)
    return render(request, "consumption/_purchase_line.html", {"line": form})


# Totals and the yearly summary ------------------------------------------------------------------


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return max(2000, min(year, timezone.localdate().year + 1))


def _filtered_purchases(request):
    filterset = listings.purchases.filterset(request.GET, request.user)
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    return filterset, rows


def _xlsx_response(sheets: list[tuple[str, list[str], list[list]]], name: str) -> HttpResponse:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "#,##0.00"})
    for title, headers, rows in sheets:
        sheet = workbook.add_worksheet(title[:31])
        sheet.write_row(0, 0, headers, bold)
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                if hasattr(value, "as_tuple"):
                    sheet.write_number(number, column, float(value), money)
                else:
                    sheet.write(number, column, "" if value is None else value)
    workbook.close()
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"'
    return response


def _csv_response(headers: list[str], rows: list[list], name: str) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localtime():%Y%m%d-%H%M}.csv"'
    return response


def _breakdown_rows(rows):
    return [[force_str(r["label"]), r["total"], r["certified"], r["share"], r.get("count", "")] for r in rows]


@requires(Cap.CONSUMPTION_VIEW)
def totals(request):
    """Purchase totals by year, buyer, supplier county, category, channel and purpose, with charts."""
    filterset, purchases = _filtered_purchases(request)
    figures = selectors.purchase_totals(purchases=purchases)
    if request.GET.get("export"):
        if not request.user.has_capability(Cap.EXPORT):
            raise PermissionDenied
        headers = [_("分组"), _("采购金额(元)"), _("认定产品金额(元)"), _("认定占比(%)"), _("笔数")]
        sheets = [
            (_("按年度"), headers, _breakdown_rows(figures["years"])),
            (_("按采购单位"), headers, _breakdown_rows(figures["buyers"])),
            (_("按供应商所在县"), headers, _breakdown_rows(figures["counties"])),
            (_("按品类"), headers, _breakdown_rows(figures["categories"])),
            (_("按销售渠道"), headers, _breakdown_rows(figures["channels"])),
            (_("按用途"), headers, _breakdown_rows(figures["purposes"])),
        ]
        return _xlsx_response(sheets, "consumption-totals")
    chart = {
        "months": [f"{row['key']}" for row in figures["months"]],
        "month_total": [float(row["total"]) for row in figures["months"]],
        "month_certified": [float(row["certified"]) for row in figures["months"]],
        "categories": [{"name": row["label"], "value": float(row["total"])} for row in figures["categories"]],
        "channels": [{"name": row["label"], "value": float(row["total"])} for row in figures["channels"]],
        "buyers": [row["label"] for row in figures["buyers"][:15]][::-1],
        "buyer_total": [float(row["total"]) for row in figures["buyers"][:15]][::-1],
        "buyer_certified": [float(row["certified"]) for row in figures["buyers"][:15]][::-1],
        "labels": {"total": _("采购金额"), "certified": _("认定产品金额")},
    }
    query = request.GET.copy()
    query.pop("export", None)
    year = _year(request)
    return render(
        request,
        "consumption/totals.html",
        {
            "title": _("消费帮扶统计"),
            "filterset": filterset,
            "figures": figures,
            "chart": chart,
            "summary": selectors.yearly_summary(user=request.user, year=year),
            "querystring": query.urlencode(),
            "can_export": request.user.has_capability(Cap.EXPORT),
        },
    )


# Quotas: the compliance board -------------------------------------------------------------------


BOARD_HEADERS = [
    gettext_lazy("排名"),
    gettext_lazy("单位"),
    gettext_lazy("类型"),
    gettext_lazy("要求比例(%)"),
    gettext_lazy("计算基数(元)"),
    gettext_lazy("基数来源"),
    gettext_lazy("认定产品金额(元)"),
    gettext_lazy("实际比例(%)"),
    gettext_lazy("应采购金额(元)"),
    gettext_lazy("差额(元)"),
    gettext_lazy("按进度应完成(元)"),
    gettext_lazy("完成进度(%)"),
    gettext_lazy("状态"),
    gettext_lazy("合并填报"),
]


def _status(row) -> str:
    if row.exempt:
        return _("无食堂,免于考核")
    if row.met:
        return _("已达标")
    if row.behind:
        return _("进度落后")
    return _("未达标")


def _board_export_rows(rows) -> list[list]:
    return [
        [
            row.rank or "",
            row.quota.organization.name,
            force_str(row.quota.get_kind_display()),
            row.quota.share_percent,
            row.base,
            _("申报") if row.base_declared else _("已录入采购"),
            row.certified,
            row.share,
            row.target,
            row.gap,
            row.expected_by_now,
            row.progress,
            _status(row),
            join_list(row.filed_for),
        ]
        for row in rows
    ]


@requires(Cap.CONSUMPTION_VIEW)
def board(request):
    year = _year(request)
    kind = request.GET.get("kind", "")
    if kind not in QuotaKind.values:
        kind = ""
    rows = selectors.compliance_board(user=request.user, year=year, kind=kind)
    fmt = request.GET.get("export")
    if fmt:
        if not request.user.has_capability(Cap.EXPORT):
            raise PermissionDenied
        headers = [force_str(h) for h in BOARD_HEADERS]
        if fmt == "csv":
            return _csv_response(headers, _board_export_rows(rows), f"quota-board-{year}")
        if fmt != "xlsx":
            raise Http404
        return _xlsx_response([(str(year), headers, _board_export_rows(rows))], f"quota-board-{year}")
    this_year = timezone.localdate().year
    query = request.GET.copy()
    query.pop("export", None)
    return render(
        request,
        "consumption/board.html",
        {
            "title": _("采购比例完成情况"),
            "rows": [(row, _status(row)) for row in rows],
            "summary": selectors.board_summary(rows),
            "yearly": selectors.yearly_summary(user=request.user, year=year),
            "year": year,
            "years": list(range(this_year, this_year - 6, -1)),
            "kind": kind,
            "kinds": QuotaKind.choices,
            "querystring": query.urlencode(),
            "can_export": request.user.has_capability(Cap.EXPORT),
            "can_manage": request.user.has_capability(Cap.QUOTA_MANAGE),
            "can_declare": request.user.has_capability(Cap.PURCHASE_RECORD),
        },
    )


def _simple_form(request, form, title, success, status=200):
    return render(
        request,
        "consumption/object_form.html",
        {"form": form, "title": title, "success": success},
        status=status,
    )


def _save_form(request, form, title, success_url):
    if request.method == "POST" and form.is_valid():
        try:
            form.save(actor=request.user)
        except ValidationError as error:
            _attach_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(success_url)
    status = 400 if request.method == "POST" else 200
    return render(request, "consumption/object_form.html", {"form": form, "title": title}, status=status)


@requires(Cap.QUOTA_MANAGE)
def quota_create(request):
    form = QuotaForm(request.POST or None, user=request.user)
    return _save_form(request, form, _("设置采购比例要求"), reverse("consumption:board"))


@requires(Cap.QUOTA_MANAGE)
def quota_edit(request, pk: int):
    quota = get_scoped_or_404(
        Quota.objects.select_related("organization"), request.user, Cap.QUOTA_MANAGE, pk=pk
    )
    form = QuotaForm(request.POST or None, user=request.user, quota=quota)
    return _save_form(
        request, form, _("编辑采购比例要求"), f"{reverse('consumption:board')}?year={quota.year}"
    )


@requires(Cap.PURCHASE_RECORD)
def declaration_create(request):
    form = DeclarationForm(request.POST or None, user=request.user)
    return _save_form(request, form, _("申报年度支出"), reverse("consumption:board"))


# From purchase to household (联农带农) ---------------------------------------------------------------


@requires(Cap.CONSUMPTION_VIEW)
def household_reach(request):
    year = _year(request)
    figures = selectors.household_reach(user=request.user, year=year)
    if request.GET.get("export"):
        if not request.user.has_capability(Cap.EXPORT):
            raise PermissionDenied
        headers = [
            _("乡镇"),
            _("村"),
            _("区划代码"),
            _("联系农户数"),
            _("其中建档立卡户"),
            _("供应商记录支付(元)"),
            _("按比例分摊的采购额(元)"),
        ]
        rows = [
            [v.township, v.name, v.code, v.households, v.registered, v.paid, v.attributed]
            for v in figures["villages"]
        ]
        return _xlsx_response([(str(year), headers, rows)], f"household-reach-{year}")
    this_year = timezone.localdate().year
    return render(
        request,
        "consumption/reach.html",
        {
            "title": _("联农带农:采购资金到村到户"),
            "figures": figures,
            "year": year,
            "years": list(range(this_year, this_year - 6, -1)),
            "can_export": request.user.has_capability(Cap.EXPORT),
        },
    )


def _link_supplier(request, pk: int) -> Supplier:
    return get_scoped_or_404(Supplier.objects.all(), request.user, Cap.PRODUCT_MANAGE, pk=pk)


@requires(Cap.PRODUCT_MANAGE)
def household_link_create(request, pk: int):
    supplier = _link_supplier(request, pk)
    form = HouseholdLinkForm(request.POST or None, supplier=supplier)
    return _save_form(
        request,
        form,
        _("登记联农带农:%(supplier)s") % {"supplier": supplier.name},
        f"{supplier.get_absolute_url()}#tab-links",
    )


@require_POST
@requires(Cap.PRODUCT_MANAGE)
def household_link_delete(request, pk: int):
    link = get_scoped_or_404(
        HouseholdLink.objects.select_related("supplier"), request.user, Cap.PRODUCT_MANAGE, pk=pk
    )
    services.household_link_delete(actor=request.user, link=link)
    messages.success(request, _("已删除。"))
    return redirect(f"{link.supplier.get_absolute_url()}#tab-links")
