"""Error codes of supermarket services: the API returns the code, pages show the message."""

import enum

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class SupermarketErrorCode(enum.StrEnum):
    NOT_ENROLLED = "not_enrolled"
    INSUFFICIENT_POINTS = "insufficient_points"
    OUT_OF_STOCK = "out_of_stock"
    INVALID_QUANTITY = "invalid_quantity"
    EMPTY_BASKET = "empty_basket"
    DUPLICATE_ITEM = "duplicate_item"
    ITEM_NOT_AVAILABLE = "item_not_available"
    STORE_NOT_OPERATING = "store_not_operating"
    NOT_KEEPER = "not_keeper"
    DONOR_KIND_REQUIRED = "donor_kind_required"
    DONOR_NAME_REQUIRED = "donor_name_required"
    EMPTY_DONATION = "empty_donation"
    INVALID_AMOUNT = "invalid_amount"
    SAME_STORE = "same_store"
    REASON_REQUIRED = "reason_required"
    ALREADY_ENROLLED = "already_enrolled"
    NOT_SAFETY_NET = "not_safety_net"
    OUT_OF_AREA = "out_of_area"
    STOCK_CHANGED = "stock_changed"
    MEETING_STATE = "meeting_state"
    PUBLICITY_NOT_OVER = "publicity_not_over"
    DEDUCTION_EXCEEDS_BALANCE = "deduction_exceeds_balance"
    ALLOWANCE_GIVEN = "allowance_given"
    DELIVERY_STATE = "delivery_state"
    INVALID_DATE = "invalid_date"
    NOT_REVERSIBLE = "not_reversible"
    ALREADY_REVERSED = "already_reversed"
    NOT_ALLOWED = "not_allowed"


MESSAGES = {
    SupermarketErrorCode.NOT_ENROLLED: _("该户未纳入本超市的救助对象,不能兑换。"),
    SupermarketErrorCode.INSUFFICIENT_POINTS: _("积分不足:需要%(needed)d分,可用%(available)d分。"),
    SupermarketErrorCode.OUT_OF_STOCK: _("%(item)s库存不足:需要%(needed)d,库存%(available)d。"),
    SupermarketErrorCode.INVALID_QUANTITY: _("数量必须是正整数。"),
    SupermarketErrorCode.EMPTY_BASKET: _("请至少选择一件物品。"),
    SupermarketErrorCode.DUPLICATE_ITEM: _("同一物品只能出现一次。"),
    SupermarketErrorCode.ITEM_NOT_AVAILABLE: _("%(item)s不在本超市的物品目录中。"),
    SupermarketErrorCode.STORE_NOT_OPERATING: _("该超市当前不在运营。"),
    SupermarketErrorCode.NOT_KEEPER: _("您不是该超市的管理员。"),
    SupermarketErrorCode.DONOR_KIND_REQUIRED: _("请选择捐赠方类型(单位、个人或匿名)。"),
    SupermarketErrorCode.DONOR_NAME_REQUIRED: _("请填写捐赠单位或捐赠人姓名。"),
    SupermarketErrorCode.EMPTY_DONATION: _("捐赠须有物资明细或现金。"),
    SupermarketErrorCode.INVALID_AMOUNT: _("金额不能为负数,最多两位小数。"),
    SupermarketErrorCode.SAME_STORE: _("调出和调入不能是同一个超市。"),
    SupermarketErrorCode.REASON_REQUIRED: _("请填写原因。"),
    SupermarketErrorCode.ALREADY_ENROLLED: _("该户已是%(store)s的救助对象。"),
    SupermarketErrorCode.NOT_SAFETY_NET: _("该户不是兜底保障户(低保、特困),须由帮扶办公室填写理由后纳入。"),
    SupermarketErrorCode.OUT_OF_AREA: _("该户不在本超市的服务区域内。"),
    SupermarketErrorCode.STOCK_CHANGED: _("%(item)s的账面库存在盘点期间发生了变化,请重新盘点。"),
    SupermarketErrorCode.MEETING_STATE: _("评议会当前状态不允许此操作。"),
    SupermarketErrorCode.PUBLICITY_NOT_OVER: _("公示期至%(until)s结束,届时积分才能入账。"),
    SupermarketErrorCode.DEDUCTION_EXCEEDS_BALANCE: _(
        "%(household)s的扣分(%(points)d)超过其可用积分(%(available)d)。"
    ),
    SupermarketErrorCode.ALLOWANCE_GIVEN: _("%(period)s的月度积分已经发放过。"),
    SupermarketErrorCode.DELIVERY_STATE: _("该上门服务申请当前状态不允许此操作。"),
    SupermarketErrorCode.INVALID_DATE: _("日期不能晚于今天。"),
    SupermarketErrorCode.NOT_REVERSIBLE: _(
        "这笔记录不能冲正:只有捐赠、评议积分、月度积分和期初积分可以冲正。"
    ),
    SupermarketErrorCode.ALREADY_REVERSED: _("这笔记录已经冲正过。"),
    SupermarketErrorCode.NOT_ALLOWED: _("冲正须由该地区的帮扶办公室办理。"),
}


class SupermarketError(ValidationError):
    """A refused supermarket operation: ``code`` from SupermarketErrorCode, a translated message,
    and the facts the message names (``params``)."""

    def __init__(self, code: SupermarketErrorCode, field: str | None = None, **params):
        self.error_code = SupermarketErrorCode(code)
        self.facts = params
        message = MESSAGES[self.error_code]
        if field:
            super().__init__({field: ValidationError(message, code=str(code), params=params)})
        else:
            super().__init__(message, code=str(code), params=params)

    @property
    def text(self) -> str:
        return " ".join(self.messages)
