"""The monitoring API: risk events (list, create), flags, cases and their steps.

Refusals answer 422 ``{"error": {"code": …, "message": …, "fields": …}}`` with a code from
errors.ErrorCode (the first one when several fields are refused).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from ninja import Router, Schema, Status
from pydantic import Field

from bangfu.core.api import Page, page, require
from bangfu.core.permissions import Cap
from bangfu.core.scoping import get_scoped_or_404, scope
from bangfu.fieldwork.api import ErrorSchema, _refused

from . import listings, services
from .models import Decision, MonitoredCase, RiskKind, RiskSource, Step

router = Router(tags=["monitoring"])


class RiskEventSchema(Schema):
    id: int
    household_code: str
    region_code: str
    kind: str
    occurred_on: datetime.date
    amount: Decimal
    source: str
    visit_id: int | None
    department: str
    description: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_household_code(obj):
        return obj.household.code


class RiskEventIn(Schema):
    household_code: str = Field(min_length=1, max_length=30)
    kind: RiskKind
    occurred_on: datetime.date
    amount: Decimal = Decimal("0")
    source: RiskSource
    visit_id: int | None = None
    department: str = Field(default="", max_length=100)
    description: str = Field(default="", max_length=300)


class FlagSchema(Schema):
    id: int
    household_code: str
    region_code: str
    rule: str
    year: int
    measured: Decimal | None
    line: Decimal | None
    base: Decimal | None
    risk_event_id: int | None
    status: str
    raised_at: datetime.datetime
    explanation: str

    @staticmethod
    def resolve_household_code(obj):
        return obj.household.code

    @staticmethod
    def resolve_explanation(obj):
        return obj.explanation()


class StepSchema(Schema):
    path: str
    step: str
    decision: str
    acted_on: datetime.date
    actor_name: str
    note: str
    notice_starts_on: datetime.date | None
    notice_ends_on: datetime.date | None


class CaseSchema(Schema):
    id: int
    household_code: str
    region_code: str
    category: str
    source: str
    risk_kind: str
    status: str
    next_step: str
    opened_on: datetime.date
    due_on: datetime.date
    overdue: bool
    identified_on: datetime.date | None
    closed_on: datetime.date | None
    steps: list[StepSchema]

    @staticmethod
    def resolve_household_code(obj):
        return obj.household.code

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.all())


class StepIn(Schema):
    step: Step
    decision: Decision = Decision.APPROVED
    acted_on: datetime.date | None = None
    note: str = Field(default="", max_length=300)
    authorisation_signed: bool = False
    notice_starts_on: datetime.date | None = None
    notice_ends_on: datetime.date | None = None


def _not_found(field: str):
    return Status(
        422,
        {
            "error": {
                "code": "out_of_scope",
                "message": f"{field} not found in your scope",
                "fields": {field: ["not found in your scope"]},
            }
        },
    )


@router.get("/risk-events", response=Page[RiskEventSchema], summary="List risk events in scope")
def event_list(
    request,
    limit: int = 100,
    offset: int = 0,
    q: str = "",
    region: str = "",
    kind: str = "",
    source: str = "",
):
    return page(listings.events, request, limit=limit, offset=offset)


@router.post("/risk-events", response={201: RiskEventSchema, 422: ErrorSchema}, summary="Record a risk event")
def event_create(request, payload: RiskEventIn):
    from bangfu.fieldwork.models import Visit
    from bangfu.registry.models import Household

    require(request, Cap.RISK_RECORD)
    household = (
        scope(Household.objects.all(), request.user, Cap.RISK_RECORD)
        .filter(code=payload.household_code)
        .first()
    )
    if household is None:
        return _not_found("household_code")
    visit = None
    if payload.visit_id is not None:
        visit = scope(Visit.objects.all(), request.user, Cap.RISK_RECORD).filter(pk=payload.visit_id).first()
        if visit is None:
            return _not_found("visit_id")
    try:
        event = services.risk_event_record(
            actor=request.user,
            household=household,
            kind=payload.kind,
            occurred_on=payload.occurred_on,
            amount=payload.amount,
            source=payload.source,
            visit=visit,
            department=payload.department,
            description=payload.description,
        )
    except ValidationError as error:
        return _refused(error)
    return Status(201, event)


@router.get("/flags", response=Page[FlagSchema], summary="List flags in scope")
def flag_list(request, limit: int = 100, offset: int = 0, rule: str = "", status: str = "", region: str = ""):
    return page(listings.flags, request, limit=limit, offset=offset)


@router.get("/cases", response=Page[CaseSchema], summary="List monitored cases in scope")
def case_list(
    request, limit: int = 100, offset: int = 0, status: str = "", category: str = "", region: str = ""
):
    return page(listings.cases, request, limit=limit, offset=offset)


@router.get("/cases/{case_id}", response=CaseSchema)
def case_detail(request, case_id: int):
    require(request, Cap.MONITORING_VIEW)
    return get_scoped_or_404(
        MonitoredCase.objects.select_related("household"), request.user, Cap.MONITORING_VIEW, pk=case_id
    )


@router.post(
    "/cases/{case_id}/steps",
    response={201: CaseSchema, 422: ErrorSchema},
    summary="Record the case's next step",
)
def case_step(request, case_id: int, payload: StepIn):
    require(request, Cap.MONITORING_VIEW)
    case = get_scoped_or_404(
        MonitoredCase.objects.select_related("household"), request.user, Cap.MONITORING_VIEW, pk=case_id
    )
    try:
        services.case_step_record(actor=request.user, case=case, **payload.dict())
    except ValidationError as error:
        return _refused(error)
    case.refresh_from_db()
    return Status(201, case)
