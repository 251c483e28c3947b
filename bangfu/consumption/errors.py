"""Error codes of the consumption app: forms show the message, the API returns the code."""

from enum import StrEnum


class ErrorCode(StrEnum):
    OUT_OF_SCOPE = "out_of_scope"
    FUTURE_DATE = "future_date"
    DATE_TOO_OLD = "date_too_old"
    NO_LINES = "no_lines"
    PRODUCT_NOT_OF_SUPPLIER = "product_not_of_supplier"
    DUPLICATE_PRODUCT = "duplicate_product"
    QUANTITY_NOT_POSITIVE = "quantity_not_positive"
    PRICE_NOT_POSITIVE = "price_not_positive"
    AMOUNT_MISMATCH = "amount_mismatch"
    UNION_REQUIRED = "union_required"
    NOT_A_UNION = "not_a_union"
    STAFF_NAME_REQUIRED = "staff_name_required"
    SUPPLIER_INACTIVE = "supplier_inactive"
    PRODUCT_INACTIVE = "product_inactive"
    PHOTO_TOO_LARGE = "photo_too_large"
    PRODUCTS_OF_OTHER_SUPPLIER = "products_of_other_supplier"
    PERIOD_REVERSED = "period_reversed"
    FILED_BY_SELF = "filed_by_self"
    SHARE_OUT_OF_RANGE = "share_out_of_range"
    NEGATIVE_AMOUNT = "negative_amount"
    YEAR_OUT_OF_RANGE = "year_out_of_range"
    DUPLICATE = "duplicate"
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
