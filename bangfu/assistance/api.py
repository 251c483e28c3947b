"""The assistance API: projects with balances, fund entries (recording and reversing), beneficiaries,
outcomes, activities, helpers and the figures of a region and year — scoped like the pages.

Refusals answer 422 ``{"error": {"code": …, "message": …, "fields": …}}`` with a code from
errors.AssistanceErrorCode.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from ninja import Router, Schema, Status
from pydantic import Field

from bangfu.core.api import Page, page, require
from bangfu.core.permissions import Cap
from bangfu.core.scoping import get_scoped_or_404
from bangfu.regions.models import Region

from . import listings, selectors, services
from .models import ActivityKind, Beneficiary, FundEntry, FundKind, OutcomeKind, Project

router = Router(tags=["assistance"])
CENT = Decimal("0.01")


class ProjectSchema(Schema):
    id: int
    name: str
    organization_id: int
    partnership_id: int | None
    region_code: str
    type: str
    status: str
    budget: Decimal
    start_date: datetime.date
    end_date: datetime.date | None
    invested: Decimal
    coordinated: Decimal
    spent: Decimal

    # SQLite sums drop the trailing zeros: money always has two places.
    @staticmethod
    def resolve_invested(obj):
        return Decimal(obj.invested).quantize(CENT)

    @staticmethod
    def resolve_coordinated(obj):
        return Decimal(obj.coordinated).quantize(CENT)

    @staticmethod
    def resolve_spent(obj):
        return Decimal(obj.spent).quantize(CENT)


class FundEntrySchema(Schema):
    id: int
    project_id: int
    seq: int
    kind: str
    date: datetime.date
    amount: Decimal
    source: str
    voucher_number: str
    reverses_id: int | None
    note: str
    override_reason: str
    entry_hash: str


class FundEntryIn(Schema):
    kind: FundKind
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    date: datetime.date
    source: str = Field(default="", max_length=200)
    voucher_number: str = Field(default="", max_length=50)
    note: str = Field(default="", max_length=200)
    override_reason: str = Field(default="", max_length=200)


class ReversalIn(Schema):
    note: str = Field(min_length=1, max_length=200)


class BeneficiarySchema(Schema):
    id: int
    project_id: int
    region_code: str
    household_code: str | None
    households: int
    persons: int
    unregistered_reason: str

    @staticmethod
    def resolve_household_code(obj):
        return obj.household.code if obj.household_id else None


class BeneficiaryIn(Schema):
    household_code: str | None = Field(default=None, max_length=30)
    households: int = Field(default=0, ge=0)
    persons: int = Field(default=0, ge=0)
    unregistered_reason: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=200)


class OutcomeSchema(Schema):
    id: int
    project_id: int
    kind: str
    value: Decimal
    as_of: datetime.date
    note: str


class OutcomeIn(Schema):
    kind: OutcomeKind
    value: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    as_of: datetime.date
    note: str = Field(default="", max_length=200)


class ActivitySchema(Schema):
    id: int
    kind: str
    title: str
    date: datetime.date
    region_code: str
    organization_id: int | None
    organiser: str
    helper_id: int | None
    project_id: int | None
    person_times: int
    distinct_people: int | None
    value_given: Decimal


class ActivityIn(Schema):
    kind: ActivityKind
    title: str = Field(min_length=1, max_length=200)
    date: datetime.date
    region_code: str = Field(min_length=12, max_length=12)
    organiser: str = Field(default="", max_length=100)
    person_times: int = Field(gt=0)
    distinct_people: int | None = Field(default=None, ge=0)
    value_given: Decimal = Field(default=Decimal(0), ge=0, max_digits=14, decimal_places=2)
    project_id: int | None = None
    description: str = ""


class HelperSchema(Schema):
    id: int
    kind: str
    name: str
    level: str
    honours: str
    organization_id: int | None
    studio: str
    region_code: str


class ErrorSchema(Schema):
    error: dict


def _refused(error: ValidationError):
    fields = error.message_dict if hasattr(error, "error_dict") else {}
    code = getattr(error, "error_code", None) or "invalid"
    return Status(422, {"error": {"code": str(code), "message": "; ".join(error.messages), "fields": fields}})


def _project(request, project_id: int, capability: str) -> Project:
    return get_scoped_or_404(
        Project.objects.select_related("region", "organization"), request.user, capability, pk=project_id
    )


@router.get("/projects", response=Page[ProjectSchema], summary="List projects in scope, with fund totals")
def project_list(request, limit: int = 100, offset: int = 0, q: str = "", region: str = "", year: str = ""):
    return page(listings.projects, request, limit=limit, offset=offset)


@router.get("/projects/{project_id}", response=ProjectSchema)
def project_detail(request, project_id: int):
    require(request, Cap.ASSISTANCE_VIEW)
    return get_scoped_or_404(
        selectors.with_balances(Project.objects.all()), request.user, Cap.ASSISTANCE_VIEW, pk=project_id
    )


@router.get("/projects/{project_id}/funds", response=list[FundEntrySchema], summary="A project's fund ledger")
def fund_entry_list(request, project_id: int):
    require(request, Cap.ASSISTANCE_VIEW)
    project = _project(request, project_id, Cap.ASSISTANCE_VIEW)
    return list(FundEntry.objects.filter(project=project).order_by("seq"))


@router.post(
    "/projects/{project_id}/funds",
    response={201: FundEntrySchema, 422: ErrorSchema},
    summary="Record money invested, coordinated (with the source) or spent (with the voucher)",
)
def fund_entry_create(request, project_id: int, payload: FundEntryIn):
    require(request, Cap.FUNDS_RECORD)
    project = _project(request, project_id, Cap.FUNDS_RECORD)
    try:
        entry = services.fund_entry_record(actor=request.user, project=project, **payload.dict())
    except ValidationError as error:
        return _refused(error)
    return Status(201, entry)


@router.post(
    "/funds/{entry_id}/reverse",
    response={201: FundEntrySchema, 422: ErrorSchema},
    summary="Correct an entry by a reversing entry",
)
def fund_entry_reverse(request, entry_id: int, payload: ReversalIn):
    require(request, Cap.FUNDS_RECORD)
    entry = get_scoped_or_404(
        FundEntry.objects.select_related("project"), request.user, Cap.FUNDS_RECORD, pk=entry_id
    )
    try:
        return Status(201, services.fund_entry_reverse(actor=request.user, entry=entry, note=payload.note))
    except ValidationError as error:
        return _refused(error)


@router.get("/projects/{project_id}/beneficiaries", response=list[BeneficiarySchema])
def beneficiary_list(request, project_id: int):
    require(request, Cap.ASSISTANCE_VIEW)
    project = _project(request, project_id, Cap.ASSISTANCE_VIEW)
    return list(Beneficiary.objects.filter(project=project).select_related("household"))


@router.post(
    "/projects/{project_id}/beneficiaries",
    response={201: BeneficiarySchema, 422: ErrorSchema},
    summary="Add a registered household (household_code) or count unregistered ones (with the reason)",
)
def beneficiary_create(request, project_id: int, payload: BeneficiaryIn):
    require(request, Cap.PROJECT_MANAGE)
    project = _project(request, project_id, Cap.PROJECT_MANAGE)
    try:
        if payload.household_code:
            beneficiary = services.beneficiary_add(
                actor=request.user, project=project, household=payload.household_code, note=payload.note
            )
        else:
            beneficiary = services.beneficiary_count(
                actor=request.user,
                project=project,
                households=payload.households,
                persons=payload.persons,
                reason=payload.unregistered_reason,
                note=payload.note,
            )
    except ValidationError as error:
        return _refused(error)
    return Status(201, beneficiary)


@router.get("/projects/{project_id}/outcomes", response=list[OutcomeSchema])
def outcome_list(request, project_id: int):
    require(request, Cap.ASSISTANCE_VIEW)
    return list(_project(request, project_id, Cap.ASSISTANCE_VIEW).outcomes.all())


@router.post("/projects/{project_id}/outcomes", response={201: OutcomeSchema, 422: ErrorSchema})
def outcome_create(request, project_id: int, payload: OutcomeIn):
    require(request, Cap.PROJECT_MANAGE)
    project = _project(request, project_id, Cap.PROJECT_MANAGE)
    try:
        return Status(201, services.outcome_record(actor=request.user, project=project, **payload.dict()))
    except ValidationError as error:
        return _refused(error)


@router.get("/activities", response=Page[ActivitySchema], summary="List activities in scope")
def activity_list(
    request, limit: int = 100, offset: int = 0, kind: str = "", region: str = "", year: str = ""
):
    return page(listings.activities, request, limit=limit, offset=offset)


@router.post("/activities", response={201: ActivitySchema, 422: ErrorSchema}, summary="Record an activity")
def activity_create(request, payload: ActivityIn):
    require(request, Cap.PROJECT_MANAGE)
    region = Region.objects.filter(code=payload.region_code).first()
    if region is None:
        return Status(
            422,
            {
                "error": {
                    "code": "out_of_scope",
                    "message": "unknown region",
                    "fields": {"region_code": ["unknown"]},
                }
            },
        )
    project = _project(request, payload.project_id, Cap.PROJECT_MANAGE) if payload.project_id else None
    data = payload.dict(exclude={"region_code", "project_id"})
    try:
        activity = services.activity_record(actor=request.user, region=region, project=project, **data)
    except ValidationError as error:
        return _refused(error)
    return Status(201, activity)


@router.get("/helpers", response=Page[HelperSchema], summary="List model workers and honoured units in scope")
def helper_list(request, limit: int = 100, offset: int = 0, q: str = "", kind: str = "", region: str = ""):
    return page(listings.helpers, request, limit=limit, offset=offset)


@router.get("/figures", summary="Assistance of a region (code) in a year (none: cumulative)")
def figures(request, region: str = "", year: int | None = None, organization: int | None = None):
    from bangfu.accounts.models import Organization

    require(request, Cap.ASSISTANCE_VIEW)
    found = Region.objects.filter(code=region).first() if region else None
    organization_obj = Organization.objects.filter(pk=organization).first() if organization else None
    result = selectors.assistance_figures(
        user=request.user, prefix=found.prefix if found else "", year=year, organization=organization_obj
    )
    return _plain(result)


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
