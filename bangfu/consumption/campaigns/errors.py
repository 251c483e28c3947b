"""Error codes of campaign services: the API returns the code, pages show the message."""

import enum

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class CampaignErrorCode(enum.StrEnum):
    NOT_OPEN = "not_open"
    NOT_ELIGIBLE = "not_eligible"
    INVALID_QUANTITY = "invalid_quantity"
    LIMIT_EXCEEDED = "limit_exceeded"
    OUT_OF_STOCK = "out_of_stock"
    SLOT_FULL = "slot_full"
    SLOT_MISMATCH = "slot_mismatch"
    PRICE_MISMATCH = "price_mismatch"
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
    INVALID_TOKEN = "invalid_token"  # noqa: S105 - an error code
    EXPIRED_TOKEN = "expired_token"  # noqa: S105 - an error code
    UNKNOWN_CODE = "unknown_code"
    RATE_LIMITED = "rate_limited"
    ORDER_CANCELLED = "order_cancelled"
    ALREADY_COLLECTED = "already_collected"
    OTHER_SITE = "other_site"
    NOT_STAFF = "not_staff"
    NOT_CANCELLABLE = "not_cancellable"
    INVALID_CAMPAIGN = "invalid_campaign"


MESSAGES = {
    CampaignErrorCode.NOT_OPEN: _("该活动当前不在预订时间内。"),
    CampaignErrorCode.NOT_ELIGIBLE: _("您所在的单位不在本活动的预订范围内。"),
    CampaignErrorCode.INVALID_QUANTITY: _("数量必须是正整数。"),
    CampaignErrorCode.LIMIT_EXCEEDED: _("超过每人限订数量(每人最多%(limit)d份,您已订%(ordered)d份)。"),
    CampaignErrorCode.OUT_OF_STOCK: _("该礼盒库存不足(剩余%(remaining)d份)。"),
    CampaignErrorCode.SLOT_FULL: _("该领取时段已约满,请选择其他时段。"),
    CampaignErrorCode.SLOT_MISMATCH: _("所选领取时段不属于本活动。"),
    CampaignErrorCode.PRICE_MISMATCH: _("价格与礼盒当前价格不符(当前%(price)s元),请刷新后重试。"),
    CampaignErrorCode.IDEMPOTENCY_CONFLICT: _("同一请求编号已用于另一笔不同的预订。"),
    CampaignErrorCode.INVALID_TOKEN: _("二维码无效:不是本系统签发的领取码。"),
    CampaignErrorCode.EXPIRED_TOKEN: _("领取码已过期(领取截止于%(until)s)。"),
    CampaignErrorCode.UNKNOWN_CODE: _("没有找到该领取码对应的订单。"),
    CampaignErrorCode.RATE_LIMITED: _("输入错误次数过多,请%(minutes)d分钟后再试。"),
    CampaignErrorCode.ORDER_CANCELLED: _("该订单已取消,不能领取。"),
    CampaignErrorCode.ALREADY_COLLECTED: _("已于%(time)s在%(site)s领取,经办人:%(staff)s。"),
    CampaignErrorCode.OTHER_SITE: _("该订单应在%(site)s领取(%(slot)s)。"),
    CampaignErrorCode.NOT_STAFF: _("您不是该领取点的工作人员。"),
    CampaignErrorCode.NOT_CANCELLABLE: _("预订已截止或订单已领取,不能取消。"),
    CampaignErrorCode.INVALID_CAMPAIGN: _("活动设置不完整。"),
}


class CampaignError(ValidationError):
    """A refused campaign operation: ``code`` from CampaignErrorCode, a translated message,
    and the facts the message names (``params``), so callers can show or return them."""

    def __init__(self, code: CampaignErrorCode, field: str | None = None, **params):
        self.error_code = CampaignErrorCode(code)
        self.facts = params
        message = MESSAGES[self.error_code]
        if field:
            super().__init__({field: ValidationError(message, code=str(code), params=params)})
        else:
            super().__init__(message, code=str(code), params=params)

    @property
    def text(self) -> str:
        return " ".join(self.messages)
