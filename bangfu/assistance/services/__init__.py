"""Every write of the assistance app, one module per part: funds (partnerships, projects and the
fund ledger), people (beneficiaries, outcomes, dividends), activities (activities and helpers),
disclosure (public disclosure and feedback)."""

from .activities import RESULT_FIELDS, activity_record, helper_create, helper_result_record
from .disclosure import (
    FEEDBACK_LIMIT,
    FEEDBACK_WINDOW,
    client_key,
    feedback_handle,
    feedback_submit,
    project_disclose,
)
from .funds import (
    INCOME,
    available_balance,
    fund_chain_key,
    fund_entry_record,
    fund_entry_reverse,
    milestone_add,
    milestone_complete,
    partnership_create,
    partnership_update,
    project_create,
    project_update,
)
from .people import beneficiary_add, beneficiary_count, dividend_run, outcome_record, shareholding_add

__all__ = [
    "FEEDBACK_LIMIT",
    "FEEDBACK_WINDOW",
    "INCOME",
    "RESULT_FIELDS",
    "activity_record",
    "available_balance",
    "beneficiary_add",
    "beneficiary_count",
    "client_key",
    "dividend_run",
    "feedback_handle",
    "feedback_submit",
    "fund_chain_key",
    "fund_entry_record",
    "fund_entry_reverse",
    "helper_create",
    "helper_result_record",
    "milestone_add",
    "milestone_complete",
    "outcome_record",
    "partnership_create",
    "partnership_update",
    "project_create",
    "project_disclose",
    "project_update",
    "shareholding_add",
]
