"""The village-work API: teams, check-in and check-out, visits with needs, needs, the weekly report.

Refusals answer 422 ``{"error": {"code": …, "message": …, "fields": …}}`` with a code from
errors.ErrorCode (the first one when several fields are refused).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import Field

from bangfu.core.api import Page, page, require
from bangfu.core.permissions import Cap
from bangfu.core.scoping import get_scoped_or_404, scope

from . import listings, selectors, services
from .models import NeedKind, Team, TeamMember, Visit

router = Router(tags=["fieldwork"])


class TeamSchema(Schema):
    id: int
    name: str
    region_code: str
    organization_id: int
    starts_on: datetime.date
    ends_on: datetime.date | None

    @staticmethod
    def resolve_name(obj):
        return str(obj)


class LocationIn(Schema):
    latitude: float | None = None
    longitude: float | None = None
    accuracy: float | None = None
    note: str = Field(default="", max_length=200)


class CheckInIn(LocationIn):
    team_id: int


class CheckInSchema(Schema):
    id: int
    team_id: int
    region_code: str
    checked_in_at: datetime.datetime
    checked_out_at: datetime.datetime | None
    in_latitude: Decimal | None
    in_longitude: Decimal | None
    in_accuracy: int | None
    out_latitude: Decimal | None
    out_longitude: Decimal | None
    out_accuracy: int | None
    note: str

    @staticmethod
    def resolve_team_id(obj):
        return obj.member.team_id


class NeedIn(Schema):
    kind: NeedKind = NeedKind.OTHER
    description: str = Field(min_length=1, max_length=300)
    due_on: datetime.date | None = None


class VisitIn(Schema):
    household_code: str = Field(min_length=1, max_length=30)
    visited_on: datetime.date
    findings: str = Field(min_length=1)
    companions: str = Field(default="", max_length=100)
    needs: list[NeedIn] = Field(default_factory=list, max_length=10)


class NeedSchema(Schema):
    id: int
    household_id: int
    visit_id: int | None
    region_code: str
    kind: str
    description: str
    owner_id: int | None
    due_on: datetime.date | None
    status: str
    closing_note: str


class VisitSchema(Schema):
    id: int
    household_id: int
    household_code: str
    region_code: str
    visited_on: datetime.date
    visitor_id: int
    companions: str
    findings: str
    needs: list[NeedSchema]
    photo_count: int

    @staticmethod
    def resolve_household_code(obj):
        return obj.household.code

    @staticmethod
    def resolve_needs(obj):
        return list(obj.needs.all())


class VisitListSchema(Schema):
    id: int
    household_id: int
    region_code: str
    visited_on: datetime.date
    visitor_id: int
    findings: str


class ComplianceSchema(Schema):
    member_id: int
    user_id: int
    team_id: int
    week: datetime.date
    days: int
    nights: int
    required_days: int
    required_nights: int
    leave_days: int
    holiday_days: int
    off_duty_days: int
    complies: bool
    reason: str


def _refused(error: ValidationError):
    fields = error.message_dict if hasattr(error, "error_dict") else {}
    codes = [e.code for errors in getattr(error, "error_dict", {}).values() for e in errors if e.code]
    body = {
        "error": {
            "code": str(codes[0]) if codes else "invalid",
            "message": "; ".join(error.messages),
            "fields": fields,
        }
    }
    return Status(422, body)


class ErrorSchema(Schema):
    error: dict


@router.get("/teams", response=Page[TeamSchema], summary="List stationed teams in scope")
def team_list(request, limit: int = 100, offset: int = 0, q: str = "", region: str = ""):
    return page(listings.teams, request, limit=limit, offset=offset)


@router.post(
    "/checkins",
    response={201: CheckInSchema, 422: ErrorSchema},
    summary="Check in now in a team's village (server time)",
)
def check_in(request, payload: CheckInIn):
    require(request, Cap.ATTENDANCE_CHECKIN)
    team = get_object_or_404(Team.objects.select_related("region"), pk=payload.team_id)
    try:
        record = services.check_in(
            actor=request.user,
            team=team,
            latitude=payload.latitude,
            longitude=payload.longitude,
            accuracy=payload.accuracy,
            note=payload.note,
        )
    except ValidationError as error:
        return _refused(error)
    return Status(201, record)


@router.post(
    "/checkins/out", response={200: CheckInSchema, 422: ErrorSchema}, summary="Check out of the open stay now"
)
def check_out(request, payload: LocationIn):
    require(request, Cap.ATTENDANCE_CHECKIN)
    try:
        return Status(
            200,
            services.check_out(
                actor=request.user,
                latitude=payload.latitude,
                longitude=payload.longitude,
                accuracy=payload.accuracy,
                note=payload.note,
            ),
        )
    except ValidationError as error:
        return _refused(error)


@router.get("/visits", response=Page[VisitListSchema], summary="List visits in scope")
def visit_list(
    request,
    limit: int = 100,
    offset: int = 0,
    household: str = "",
    region: str = "",
    visitor: str = "",
):
    return page(listings.visits, request, limit=limit, offset=offset)


def _visit_out(visit_id: int, request) -> Visit:
    return get_scoped_or_404(
        Visit.objects.select_related("household")
        .prefetch_related("needs")
        .annotate(photo_count=selectors.photo_count()),
        request.user,
        Cap.FIELDWORK_VIEW,
        pk=visit_id,
    )


@router.get("/visits/{visit_id}", response=VisitSchema)
def visit_detail(request, visit_id: int):
    require(request, Cap.FIELDWORK_VIEW)
    return _visit_out(visit_id, request)


@router.post(
    "/visits", response={201: VisitSchema, 422: ErrorSchema}, summary="Record a visit with the needs raised"
)
def visit_create(request, payload: VisitIn):
    from bangfu.registry.models import Household

    require(request, Cap.VISIT_RECORD)
    household = (
        scope(Household.objects.all(), request.user, Cap.VISIT_RECORD)
        .filter(code=payload.household_code)
        .first()
    )
    if household is None:
        return Status(
            422,
            {
                "error": {
                    "code": "out_of_scope",
                    "message": "household not found in your scope",
                    "fields": {"household_code": ["not found in your scope"]},
                }
            },
        )
    try:
        visit = services.visit_record(
            actor=request.user,
            household=household,
            visited_on=payload.visited_on,
            findings=payload.findings,
            companions=payload.companions,
            needs=[
                services.NeedInput(kind=n.kind, description=n.description, due_on=n.due_on)
                for n in payload.needs
            ],
        )
    except ValidationError as error:
        return _refused(error)
    return Status(201, _visit_out(visit.pk, request))


@router.get("/needs", response=Page[NeedSchema], summary="List needs in scope")
def need_list(
    request,
    limit: int = 100,
    offset: int = 0,
    status: str = "",
    open: bool | None = None,  # noqa: A002 - the filter's name on the page
    overdue: bool | None = None,
    kind: str = "",
    region: str = "",
):
    return page(listings.needs, request, limit=limit, offset=offset)


@router.get("/compliance", response=list[ComplianceSchema], summary="Weekly five-days-four-nights report")
def compliance(
    request,
    week_from: datetime.date | None = None,
    week_to: datetime.date | None = None,
    team: int | None = None,
    failing: bool = False,
):
    require(request, Cap.FIELDWORK_VIEW)
    first, last = selectors.default_weeks()
    first, last = week_from or first, week_to or last
    if last < first or (last - first).days > 7 * 60:
        return []
    members = scope(TeamMember.objects.all(), request.user, Cap.FIELDWORK_VIEW)
    if team:
        members = members.filter(team_id=team)
    rows = selectors.compliance_report(
        user=request.user, first=first, last=last, members=members, failing_only=failing
    )
    return [
        {
            "member_id": row.member.pk,
            "user_id": row.member.user_id,
            "team_id": row.member.team_id,
            "week": row.week.start,
            "days": row.week.days,
            "nights": row.week.nights,
            "required_days": row.week.required_days,
            "required_nights": row.week.required_nights,
            "leave_days": row.week.leave_days,
            "holiday_days": row.week.holiday_days,
            "off_duty_days": row.week.off_duty_days,
            "complies": row.complies,
            "reason": row.reason,
        }
        for row in rows
    ]
