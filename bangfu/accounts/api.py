from django.core.exceptions import ValidationError
from ninja import Router, Schema, Status
from pydantic import Field

from bangfu.core.api import Page, page, require
from bangfu.core.permissions import Cap
from bangfu.core.scoping import get_scoped_or_404, in_scope, scope
from bangfu.regions.models import Region

from . import listings, services
from .models import Organization, OrganizationKind

router = Router(tags=["accounts"])


class MembershipSchema(Schema):
    organization: str
    role: str
    regions: list[str]


class MeSchema(Schema):
    username: str
    display_name: str
    memberships: list[MembershipSchema]


class OrganizationSchema(Schema):
    id: int
    name: str
    kind: str
    parent_id: int | None
    region_code: str
    credit_code: str
    contact_name: str
    address: str
    is_active: bool


class OrganizationIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    kind: OrganizationKind
    region_code: str = Field(pattern=r"^\d{12}$")
    parent_id: int | None = None
    credit_code: str = ""
    contact_name: str = ""
    address: str = ""


class OrganizationPatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: OrganizationKind | None = None
    region_code: str | None = Field(default=None, pattern=r"^\d{12}$")
    parent_id: int | None = None
    credit_code: str | None = None
    contact_name: str | None = None
    address: str | None = None
    is_active: bool | None = None


@router.get("/me", response=MeSchema, summary="The user the token belongs to")
def me(request):
    user = request.user
    return {
        "username": user.username,
        "display_name": user.display_name,
        "memberships": [
            {
                "organization": m.organization.name,
                "role": m.role,
                "regions": [r.code for r in m.regions.all()],
            }
            for m in user.memberships.filter(is_active=True)
            .select_related("organization")
            .prefetch_related("regions")
        ],
    }


@router.get("/organizations", response=Page[OrganizationSchema], summary="List organisations in scope")
def organization_list(
    request, limit: int = 100, offset: int = 0, q: str = "", kind: str = "", region: str = ""
):
    return page(listings.organizations, request, limit=limit, offset=offset)


@router.get("/organizations/{org_id}", response=OrganizationSchema)
def organization_detail(request, org_id: int):
    require(request, Cap.ORGANIZATION_VIEW)
    return get_scoped_or_404(Organization.objects.all(), request.user, Cap.ORGANIZATION_VIEW, pk=org_id)


def _region_in_scope(request, code: str | None) -> Region:
    region = Region.objects.filter(code=code).first() if code else None
    if region is None:
        raise ValidationError({"region_code": f"unknown region code {code}"})
    if not in_scope(request.user, Cap.ORGANIZATION_MANAGE, code):
        raise ValidationError({"region_code": "region is outside your scope"})
    return region


def _parent(request, parent_id: int | None) -> Organization | None:
    """A parent the caller can see; one they cannot is reported like one that does not exist."""
    if parent_id is None:
        return None
    parent = (
        scope(Organization.objects.all(), request.user, Cap.ORGANIZATION_VIEW).filter(pk=parent_id).first()
    )
    if parent is None:
        raise ValidationError({"parent_id": f"unknown organisation {parent_id}"})
    return parent


@router.post("/organizations", response={201: OrganizationSchema}, summary="Create an organisation")
def organization_create(request, payload: OrganizationIn):
    require(request, Cap.ORGANIZATION_MANAGE)
    data = payload.dict()
    region = _region_in_scope(request, data.pop("region_code"))
    parent = _parent(request, data.pop("parent_id"))
    return Status(201, services.organization_create(actor=request.user, region=region, parent=parent, **data))


@router.patch("/organizations/{org_id}", response=OrganizationSchema, summary="Change an organisation")
def organization_update(request, org_id: int, payload: OrganizationPatch):
    require(request, Cap.ORGANIZATION_MANAGE)
    organization = get_scoped_or_404(
        Organization.objects.all(), request.user, Cap.ORGANIZATION_MANAGE, pk=org_id
    )
    data = payload.dict(exclude_unset=True)
    if "parent_id" in data:
        data["parent"] = _parent(request, data.pop("parent_id"))
    if "region_code" in data:
        data["region"] = _region_in_scope(request, data.pop("region_code"))
    return services.organization_update(actor=request.user, organization=organization, data=data)
