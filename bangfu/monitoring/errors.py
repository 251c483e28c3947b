"""Error codes of the monitoring app: forms show the message, the API returns the code."""

from enum import StrEnum


class ErrorCode(StrEnum):
    OUT_OF_SCOPE = "out_of_scope"
    NOT_A_THRESHOLD_LEVEL = "not_a_threshold_level"
    NEGATIVE_AMOUNT = "negative_amount"
    SHARE_RANGE = "share_range"
    FUTURE_DATE = "future_date"
    DATE_TOO_OLD = "date_too_old"
    KIND_INVALID = "kind_invalid"
    DEPARTMENT_REQUIRED = "department_required"
    VISIT_MISMATCH = "visit_mismatch"
    CASE_OPEN = "case_open"
    CASE_CLOSED = "case_closed"
    STEP_ORDER = "step_order"
    NOT_ALLOWED = "not_allowed"
    AUTHORISATION_REQUIRED = "authorisation_required"
    NOTICE_TOO_SHORT = "notice_too_short"
    NOTICE_NOT_OVER = "notice_not_over"
    EVIDENCE_REQUIRED = "evidence_required"
    MEASURE_TARGET = "measure_target"
    FLAG_CLOSED = "flag_closed"
