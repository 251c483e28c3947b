"""The purchases import kind: one row is one purchase line.

Rows with the same buyer, date, supplier and invoice number make one purchase (a
purchase without an invoice number is keyed by buyer, date and supplier). Importing
the same file again finds those purchases and updates their lines instead of adding
new ones. Every row is checked before anything is written: unknown or ambiguous
units, suppliers and products, units outside the importing user's reach, dates in the
future, quantities that are not positive, unit prices that are not positive, an amount
that differs from quantity × unit price by more than 0.01 yuan, and rows of one
purchase that disagree about its channel, purpose or payer.
"""

from collections import defaultdict
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.core.permissions import Cap
from bangfu.imports import parsing
from bangfu.imports.spec import Column, Context, ImportSpec, WriteResult, register

from . import selectors, services
from .models import Channel, PaidBy, Product, Purchase, PurchaseSource, Purpose

AMOUNT_TOLERANCE = services.AMOUNT_TOLERANCE

COLUMNS = [
    Column(
        "buyer",
        gettext_lazy("采购单位"),
        parsing.text,
        required=True,
        aliases=("单位名称", "采购单位名称", "buyer"),
        example="鲁山县人民医院",
        max_length=200,
    ),
    Column(
        "date",
        gettext_lazy("采购日期"),
        parsing.date,
        required=True,
        aliases=("日期", "date"),
        example="2025-09-20",
    ),
    Column(
        "supplier",
        gettext_lazy("供应商"),
        parsing.text,
        required=True,
        aliases=("供应商名称", "supplier"),
        example="鲁山县下汤镇香菇专业合作社",
        max_length=200,
    ),
    Column(
        "product",
        gettext_lazy("品名"),
        parsing.text,
        required=True,
        aliases=("产品", "产品名称", "商品名称", "product"),
        example="香菇",
        max_length=100,
    ),
    Column(
        "specification",
        gettext_lazy("规格"),
        parsing.text,
        aliases=("specification",),
        example="500克/袋",
        max_length=100,
    ),
    Column(
        "quantity", gettext_lazy("数量"), parsing.integer, required=True, aliases=("quantity",), example="20"
    ),
    Column(
        "unit_price",
        gettext_lazy("单价(元)"),
        parsing.money,
        required=True,
        aliases=("单价", "unit price"),
        example="35.00",
    ),
    Column("amount", gettext_lazy("金额(元)"), parsing.money, aliases=("金额", "amount"), example="700.00"),
    Column(
        "channel",
        gettext_lazy("销售渠道"),
        parsing.Choice(Channel.choices),
        aliases=("渠道", "channel"),
        example="直接采购",
    ),
    Column(
        "purpose",
        gettext_lazy("用途"),
        parsing.Choice(Purpose.choices),
        aliases=("purpose",),
        example="工会福利慰问品",
    ),
    Column(
        "invoice_number", gettext_lazy("发票号"), parsing.code, aliases=("发票号码", "invoice"), max_length=50
    ),
    Column(
        "paid_by",
        gettext_lazy("付款方"),
        parsing.Choice(PaidBy.choices),
        aliases=("paid by",),
        example="本单位",
    ),
    Column("union", gettext_lazy("代为采购的工会"), parsing.text, aliases=("工会", "union"), max_length=200),
    Column("staff_name", gettext_lazy("职工姓名"), parsing.text, aliases=("staff",), max_length=50),
    Column("note", gettext_lazy("备注"), parsing.text, aliases=("note",), max_length=200),
]
KEY = ("buyer", "date", "supplier", "invoice_number", "product", "specification")
HEADER_FIELDS = ("channel", "purpose", "paid_by", "union", "staff_name")


def _by_name(queryset) -> dict[str, list]:
    found: dict[str, list] = defaultdict(list)
    for obj in queryset:
        found[obj.name].append(obj)
    return found


def _one(found: dict[str, list], name: str, unknown: str, ambiguous: str):
    matches = found.get(name, [])
    if not matches:
        return None, unknown
    if len(matches) > 1:
        return None, ambiguous
    return matches[0], None


def _group(values: dict) -> tuple:
    return (values["buyer"], values["date"], values["supplier"], values.get("invoice_number") or "")


def purchases_check(batch, context: Context) -> dict[int, dict[str, str]]:
    problems: dict[int, dict[str, str]] = defaultdict(dict)
    user = context.user
    buyers = _by_name(
        selectors.buyer_units(user=user).filter(
            name__in={v["buyer"] for _, v in batch} | {v["union"] for _, v in batch if v.get("union")}
        )
    )
    suppliers = _by_name(
        selectors.supplier_list(user=user).filter(name__in={v["supplier"] for _, v in batch})
    )
    supplier_ids = [s.pk for matches in suppliers.values() for s in matches]
    products: dict[tuple, Product] = {
        (p.supplier_id, p.name, p.specification): p
        for p in Product.objects.filter(
            supplier_id__in=supplier_ids, name__in={v["product"] for _, v in batch}
        )
    }
    groups = context.cache.setdefault("groups", {})
    today = timezone.localdate()
    for number, values in batch:
        errors = problems[number]
        buyer, reason = _one(
            buyers,
            values["buyer"],
            _("采购单位不存在或不在您的管辖范围内"),
            _("有多个同名单位,请联系管理员区分"),
        )
        if reason:
            errors["buyer"] = reason
        supplier, reason = _one(
            suppliers, values["supplier"], _("供应商不存在或不在您的管辖范围内"), _("有多个同名供应商")
        )
        if reason:
            errors["supplier"] = reason
        product = None
        if supplier is not None:
            product = products.get((supplier.pk, values["product"], values.get("specification") or ""))
            if product is None:
                errors["product"] = _("该供应商没有此产品(品名和规格需与产品目录一致)")
        if values["date"] > today:
            errors["date"] = _("采购日期不能晚于今天")
        elif values["date"].year < services.EARLIEST_YEAR:
            errors["date"] = _("采购日期不能早于2000年")
        quantity, price, amount = values["quantity"], values["unit_price"], values.get("amount")
        if quantity is not None and quantity <= 0:
            errors["quantity"] = _("数量应为正整数")
        if price is not None and price <= 0:
            errors["unit_price"] = _("单价应大于0")
        elif amount is not None and quantity and quantity > 0:
            expected = price * quantity
            if abs(expected - amount) > AMOUNT_TOLERANCE:
                errors["amount"] = _("金额与数量×单价=%(expected)s不符") % {"expected": expected}
        paid_by = values.get("paid_by") or PaidBy.UNIT
        union = None
        if paid_by == PaidBy.UNION:
            if not values.get("union"):
                errors["union"] = _("付款方为工会时请填写工会名称")
            else:
                union, reason = _one(
                    buyers,
                    values["union"],
                    _("工会不存在或不在您的管辖范围内"),
                    _("有多个同名单位,请联系管理员区分"),
                )
                if reason:
                    errors["union"] = reason
                elif union.kind != "union":
                    errors["union"] = _("所填单位不是工会")
        if paid_by == PaidBy.STAFF and not values.get("staff_name"):
            errors["staff_name"] = _("付款方为职工个人时请填写职工姓名")
        header = tuple(values.get(name) or "" for name in HEADER_FIELDS)
        group = _group(values)
        first = groups.setdefault(group, (number, header))
        if first[1] != header and not errors:
            errors["channel"] = _(
                "同一采购(单位、日期、供应商、发票号相同)的各行,渠道、用途、付款方应一致,与第%(row)d行不同"
            ) % {"row": first[0]}
        if not errors:
            # the key columns may be blank (no invoice, no specification): the engine's own
            # duplicate check skips those rows, so a product twice in one purchase is caught here
            lines = context.cache.setdefault("lines", {})
            earlier = lines.setdefault((group, product.pk), number)
            if earlier != number:
                errors["product"] = _("同一采购中该产品与第%(row)d行重复,请合并为一行") % {"row": earlier}
        if errors:
            continue
        del problems[number]
        values["_buyer"], values["_supplier"], values["_product"], values["_union"] = (
            buyer,
            supplier,
            product,
            union,
        )
    return {number: errors for number, errors in problems.items() if errors}


def purchases_write(rows: list[dict], context: Context) -> WriteResult:
    result = WriteResult()
    grouped: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        grouped[_group(row)].append(row)
    for group_rows in grouped.values():
        first = group_rows[0]
        buyer, supplier = first["_buyer"], first["_supplier"]
        invoice = first.get("invoice_number") or ""
        existing = (
            Purchase.objects.filter(
                buyer=buyer, supplier=supplier, date=first["date"], invoice_number=invoice
            )
            .order_by("pk")
            .first()
        )
        incoming = {
            row["_product"].pk: services.LineInput(
                product=row["_product"], quantity=row["quantity"], unit_price=row["unit_price"]
            )
            for row in group_rows
        }
        if existing is None:
            services.purchase_create(
                actor=context.user,
                buyer=buyer,
                supplier=supplier,
                date=first["date"],
                lines=list(incoming.values()),
                channel=first.get("channel") or Channel.DIRECT,
                purpose=first.get("purpose") or Purpose.WELFARE,
                invoice_number=invoice,
                paid_by=first.get("paid_by") or PaidBy.UNIT,
                union=first.get("_union"),
                staff_name=first.get("staff_name") or "",
                note=first.get("note") or "",
                source=PurchaseSource.IMPORT,
            )
            result.created += len(incoming)
            continue
        current = {
            line.product_id: services.LineInput(
                product=line.product, quantity=line.quantity, unit_price=line.unit_price
            )
            for line in existing.lines.select_related("product")
        }
        changed = False
        for product_id, line in incoming.items():
            old = current.get(product_id)
            if old is None:
                result.created += 1
            elif (old.quantity, Decimal(old.unit_price)) == (line.quantity, line.unit_price):
                result.unchanged += 1
                continue
            else:
                result.updated += 1
            current[product_id] = line
            changed = True
        if changed:
            services.purchase_update(
                actor=context.user, purchase=existing, data={}, lines=list(current.values())
            )
    return result


register(
    ImportSpec(
        kind="purchases",
        title=gettext_lazy("采购"),
        capability=Cap.PURCHASE_RECORD,
        columns=COLUMNS,
        key=KEY,
        check=purchases_check,
        write=purchases_write,
        description=gettext_lazy(
            "每行一条采购明细;采购单位、日期、供应商、发票号相同的行合为一笔采购。再次导入同一文件只更新,不重复。"
        ),
    )
)
