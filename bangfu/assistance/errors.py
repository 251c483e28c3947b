"""Error codes of assistance services: the API returns the code, pages show the message."""

import enum

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class AssistanceErrorCode(enum.StrEnum):
    OUT_OF_SCOPE = "out_of_scope"
    WRONG_REGION_LEVEL = "wrong_region_level"
    INVALID_YEARS = "invalid_years"
    PARTNERSHIP_EXISTS = "partnership_exists"
    PARTNERSHIP_MISMATCH = "partnership_mismatch"
    INVALID_AMOUNT = "invalid_amount"
    INVALID_DATES = "invalid_dates"
    INVALID_KIND = "invalid_kind"
    SOURCE_REQUIRED = "source_required"
    VOUCHER_REQUIRED = "voucher_required"
    DATE_OUTSIDE_PROJECT = "date_outside_project"
    FUTURE_DATE = "future_date"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    ALREADY_REVERSED = "already_reversed"
    REVERSAL_OF_REVERSAL = "reversal_of_reversal"
    PROJECT_CANCELLED = "project_cancelled"
    TITLE_REQUIRED = "title_required"
    REGION_LOCKED = "region_locked"
    OVERRIDE_NOT_ALLOWED = "override_not_allowed"
    OUTSIDE_PROJECT_REGIONS = "outside_project_regions"
    HOUSEHOLD_UNKNOWN = "household_unknown"
    PERSON_NOT_IN_HOUSEHOLD = "person_not_in_household"
    REASON_REQUIRED = "reason_required"
    COUNT_REQUIRED = "count_required"
    BENEFICIARY_EXISTS = "beneficiary_exists"
    INVALID_VALUE = "invalid_value"
    OUTCOME_EXISTS = "outcome_exists"
    SHAREHOLDING_EXISTS = "shareholding_exists"
    DIVIDEND_ALREADY_PAID = "dividend_already_paid"
    NO_SHAREHOLDERS = "no_shareholders"
    INVALID_YEAR = "invalid_year"
    INVALID_PEOPLE = "invalid_people"
    FEEDBACK_CLOSED = "feedback_closed"
    FEEDBACK_TOO_MANY = "feedback_too_many"
    MESSAGE_REQUIRED = "message_required"


MESSAGES = {
    AssistanceErrorCode.OUT_OF_SCOPE: _("该地区不在您的管理范围内。"),
    AssistanceErrorCode.WRONG_REGION_LEVEL: _("定点帮扶须选择县,结对帮扶须选择村。"),
    AssistanceErrorCode.INVALID_YEARS: _("结束年份不能早于开始年份,年份须在1949至2100之间。"),
    AssistanceErrorCode.PARTNERSHIP_EXISTS: _("该单位与该地区的这一帮扶关系已经存在。"),
    AssistanceErrorCode.PARTNERSHIP_MISMATCH: _("项目须属于帮扶关系的单位,实施地区须在帮扶关系的地区之内。"),
    AssistanceErrorCode.INVALID_AMOUNT: _("金额必须大于零,最多两位小数。"),
    AssistanceErrorCode.INVALID_DATES: _("结束日期不能早于开始日期。"),
    AssistanceErrorCode.INVALID_KIND: _("请选择资金类型:投入、协调或支出。"),
    AssistanceErrorCode.SOURCE_REQUIRED: _("协调资金须写明资金来源。"),
    AssistanceErrorCode.VOUCHER_REQUIRED: _("支出须填写凭证号。"),
    AssistanceErrorCode.DATE_OUTSIDE_PROJECT: _("日期须在项目的起止日期之内(%(start)s至%(end)s)。"),
    AssistanceErrorCode.FUTURE_DATE: _("日期不能晚于今天。"),
    AssistanceErrorCode.INSUFFICIENT_FUNDS: _("项目可用资金不足:需要%(needed)s元,可用%(available)s元。"),
    AssistanceErrorCode.ALREADY_REVERSED: _("这笔记录已经冲销过,不能再次冲销。"),
    AssistanceErrorCode.REVERSAL_OF_REVERSAL: _("冲销记录不能再被冲销;如有错误,请重新登记一笔。"),
    AssistanceErrorCode.PROJECT_CANCELLED: _("项目已取消,不能再登记资金。"),
    AssistanceErrorCode.TITLE_REQUIRED: _("请填写名称。"),
    AssistanceErrorCode.REGION_LOCKED: _("项目已有资金记录,不能更换实施地区。"),
    AssistanceErrorCode.OVERRIDE_NOT_ALLOWED: _(
        "超出可用资金的支出须由有超支审批权限的帮扶办公室人员填写超支说明后登记。"
    ),
    AssistanceErrorCode.OUTSIDE_PROJECT_REGIONS: _(
        "受益对象所在地区(%(region)s)不在项目的实施地区之内(%(regions)s)。"
    ),
    AssistanceErrorCode.HOUSEHOLD_UNKNOWN: _("户编号不存在或不在您的管理范围内。"),
    AssistanceErrorCode.PERSON_NOT_IN_HOUSEHOLD: _("该人员不是这一户的成员。"),
    AssistanceErrorCode.REASON_REQUIRED: _("未在系统中登记的受益对象须写明未登记原因。"),
    AssistanceErrorCode.COUNT_REQUIRED: _("请填写受益户数或受益人数(至少一项大于零)。"),
    AssistanceErrorCode.BENEFICIARY_EXISTS: _("该户已是这个项目的受益对象。"),
    AssistanceErrorCode.INVALID_VALUE: _("数值须为不小于零的数字,最多两位小数。"),
    AssistanceErrorCode.OUTCOME_EXISTS: _("该指标在这一日期已有数值。"),
    AssistanceErrorCode.SHAREHOLDING_EXISTS: _("该户已入股这个项目。"),
    AssistanceErrorCode.DIVIDEND_ALREADY_PAID: _("%(year)s年度的分红已经发放过。"),
    AssistanceErrorCode.NO_SHAREHOLDERS: _("这个项目没有入股户,无法发放分红。"),
    AssistanceErrorCode.INVALID_YEAR: _("年份须在2000年至今年之间。"),
    AssistanceErrorCode.INVALID_PEOPLE: _("服务人数不能多于服务人次,人次须大于零。"),
    AssistanceErrorCode.FEEDBACK_CLOSED: _("这个项目不在公示期内,不能提交意见。"),
    AssistanceErrorCode.FEEDBACK_TOO_MANY: _("提交过于频繁,请稍后再试。"),
    AssistanceErrorCode.MESSAGE_REQUIRED: _("请填写意见内容(不超过1000字)。"),
}


class AssistanceError(ValidationError):
    """A refused assistance operation: ``code`` from AssistanceErrorCode, a translated message,
    and the facts the message names (``params``)."""

    def __init__(self, code: AssistanceErrorCode, field: str | None = None, **params):
        self.error_code = AssistanceErrorCode(code)
        self.facts = params
        message = MESSAGES[self.error_code]
        if field:
            super().__init__({field: ValidationError(message, code=str(code), params=params)})
        else:
            super().__init__(message, code=str(code), params=params)

    @property
    def text(self) -> str:
        return " ".join(self.messages)
