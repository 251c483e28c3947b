"""Region scoping: the one function that narrows every query to what a user may reach."""

import pytest
from django.http import Http404

from bangfu.accounts import services
from bangfu.accounts.models import Membership, Organization, User
from bangfu.core import scoping
from bangfu.core.permissions import Cap, Role
from bangfu.core.scoping import collapse, get_scoped_or_404, in_scope, prefix_q, prefix_range, scope
from bangfu.regions.models import Region
from tests.conftest import DEMO_COUNTY, DEMO_TOWNSHIP, DEMO_VILLAGE, OTHER_COUNTY

NEIGHBOUR_VILLAGE = "410423101002"  # same township as DEMO_VILLAGE
OTHER_VILLAGE = "410402001001"  # in OTHER_COUNTY


def fresh(user: User) -> User:
    """The user as a new request would load it (no cached scopes)."""
    return User.objects.get(pk=user.pk)


def codes(queryset) -> set[str]:
    return set(queryset.values_list("code", flat=True))


# Pure functions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ([], []),
        (["41", "4104"], ["41"]),
        (["4104", "41"], ["41"]),
        (["410423", "410402", "410423101"], ["410402", "410423"]),
        (["410423101001", "410423101002"], ["410423101001", "410423101002"]),
        (["410423", "410423"], ["410423"]),
        (["4104", ""], [""]),
        (["42", "41", "4101"], ["41", "42"]),
    ],
)
def test_collapse(given, expected):
    assert collapse(given) == expected


def test_prefix_range():
    assert prefix_range("410423") == ("410423000000", "410423999999")
    assert prefix_range("410423101001") == ("410423101001", "410423101001")
    assert prefix_range("") == ("000000000000", "999999999999")


@pytest.mark.django_db
def test_prefix_q_against_the_database(regions):
    assert codes(Region.objects.filter(prefix_q("code", ["410423101"]))) == codes(
        Region.objects.filter(code__startswith="410423101")
    )
    both = codes(Region.objects.filter(prefix_q("code", ["410423101", "410402"])))
    assert both == codes(Region.objects.filter(code__startswith="410423101")) | codes(
        Region.objects.filter(code__startswith="410402")
    )
    assert not Region.objects.filter(prefix_q("code", [])).exists()
    assert Region.objects.filter(prefix_q("code", ["4104", ""])).count() == Region.objects.count()


def test_prefix_q_nationwide_is_no_filter():
    assert prefix_q("code", [""]) == prefix_q("code", ["41", ""])
    assert not prefix_q("code", [""]).children


# Users ------------------------------------------------------------------------------------------


def test_office_user_sees_its_county_only(make_user, make_org):
    user = make_user(Role.OFFICE, DEMO_COUNTY)
    inside = make_org(region_code=DEMO_VILLAGE)
    outside = make_org(region_code=OTHER_COUNTY)
    user = fresh(user)

    assert user.scope_prefixes(Cap.ORGANIZATION_VIEW) == ["410423"]
    visible_regions = codes(scope(Region.objects.all(), user, Cap.REGION_VIEW))
    assert visible_regions == codes(Region.objects.filter(code__startswith="410423"))
    assert len(visible_regions) == 581
    assert OTHER_COUNTY not in visible_regions and OTHER_VILLAGE not in visible_regions

    organizations = scope(Organization.objects.all(), user, Cap.ORGANIZATION_VIEW)
    assert inside in organizations
    assert outside not in organizations
    assert in_scope(user, Cap.ORGANIZATION_VIEW, DEMO_VILLAGE)
    assert not in_scope(user, Cap.ORGANIZATION_VIEW, OTHER_VILLAGE)


def test_cadre_is_scoped_to_one_village(make_user, make_org):
    user = fresh(make_user(Role.CADRE, DEMO_VILLAGE))
    village_org = make_org(region_code=DEMO_VILLAGE)
    neighbour_org = make_org(region_code=NEIGHBOUR_VILLAGE)
    township_org = make_org(region_code=DEMO_TOWNSHIP)

    assert user.scope_prefixes(Cap.REGION_VIEW) == [DEMO_VILLAGE]
    assert codes(scope(Region.objects.all(), user, Cap.REGION_VIEW)) == {DEMO_VILLAGE}
    organizations = set(scope(Organization.objects.all(), user, Cap.ORGANIZATION_VIEW))
    assert village_org in organizations
    assert neighbour_org not in organizations
    assert township_org not in organizations
    # A cadre holds no export and no management capability anywhere.
    assert not scope(Organization.objects.all(), user, Cap.EXPORT).exists()
    assert not scope(Organization.objects.all(), user, Cap.ORGANIZATION_MANAGE).exists()


def test_capability_only_where_the_role_has_it(make_user, make_org):
    """Office in the demo county, leader in the other: manage in one, read in both."""
    user = make_user(Role.OFFICE, DEMO_COUNTY)
    services.membership_create(
        actor=None,
        user=user,
        organization=make_org(region_code=OTHER_COUNTY),
        role=Role.LEADER,
        regions=[Region.objects.get(code=OTHER_COUNTY)],
    )
    user = fresh(user)
    demo_org = make_org(region_code=DEMO_VILLAGE)
    other_org = make_org(region_code=OTHER_VILLAGE)

    assert user.scope_prefixes(Cap.ORGANIZATION_VIEW) == ["410402", "410423"]
    assert user.scope_prefixes(Cap.ORGANIZATION_MANAGE) == ["410423"]
    assert user.scope_prefixes(Cap.SENSITIVE_REVEAL) == ["410423"]
    assert user.scope_prefixes(Cap.AUDIT_VERIFY) == []

    viewable = set(scope(Organization.objects.all(), user, Cap.ORGANIZATION_VIEW))
    assert {demo_org, other_org} <= viewable
    manageable = Organization.objects.filter(pk__in=[demo_org.pk, other_org.pk])
    assert list(scope(manageable, user, Cap.ORGANIZATION_MANAGE)) == [demo_org]
    assert get_scoped_or_404(Organization.objects.all(), user, Cap.ORGANIZATION_VIEW, pk=other_org.pk)
    with pytest.raises(Http404):
        get_scoped_or_404(Organization.objects.all(), user, Cap.ORGANIZATION_MANAGE, pk=other_org.pk)
    assert in_scope(user, Cap.ORGANIZATION_MANAGE, DEMO_VILLAGE)
    assert not in_scope(user, Cap.ORGANIZATION_MANAGE, OTHER_VILLAGE)


def test_superuser_is_nationwide(make_user, make_org):
    user = fresh(make_user(superuser=True))
    other_org = make_org(region_code=OTHER_VILLAGE)
    assert user.scope_prefixes(Cap.AUDIT_VERIFY) == [scoping.NATIONWIDE]
    assert scope(Region.objects.all(), user, Cap.REGION_VIEW).count() == Region.objects.count()
    assert (
        scope(Organization.objects.all(), user, Cap.ORGANIZATION_MANAGE).count()
        == Organization.objects.count()
    )
    assert (
        get_scoped_or_404(Organization.objects.all(), user, Cap.ORGANIZATION_MANAGE, pk=other_org.pk)
        == other_org
    )
    assert in_scope(user, Cap.SENSITIVE_REVEAL, "650000000000")


def test_user_without_membership_sees_nothing(make_user, make_org):
    user = fresh(make_user())
    make_org(region_code=DEMO_VILLAGE)
    assert not scope(Region.objects.all(), user, Cap.REGION_VIEW).exists()
    assert not scope(Organization.objects.all(), user, Cap.ORGANIZATION_VIEW).exists()
    assert not user.has_capability(Cap.DASHBOARD_VIEW)


def test_anonymous_and_inactive_users_see_nothing(make_user, regions):
    from django.contrib.auth.models import AnonymousUser

    assert not scope(Region.objects.all(), AnonymousUser(), Cap.REGION_VIEW).exists()
    assert not scope(Region.objects.all(), None, Cap.REGION_VIEW).exists()
    user = make_user(Role.OFFICE, DEMO_COUNTY)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert not scope(Region.objects.all(), fresh(user), Cap.REGION_VIEW).exists()


def test_inactive_membership_grants_nothing(make_user, make_org):
    user = make_user(Role.OFFICE, DEMO_COUNTY)
    make_org(region_code=DEMO_VILLAGE)
    assert scope(Region.objects.all(), fresh(user), Cap.REGION_VIEW).exists()
    Membership.objects.filter(user=user).update(is_active=False)
    user = fresh(user)
    assert user.scope_prefixes(Cap.REGION_VIEW) == []
    assert not scope(Region.objects.all(), user, Cap.REGION_VIEW).exists()
    assert not scope(Organization.objects.all(), user, Cap.ORGANIZATION_VIEW).exists()


def test_inactive_organization_grants_nothing(make_user, make_org):
    user = make_user(Role.OFFICE, DEMO_COUNTY)
    make_org(region_code=DEMO_VILLAGE)
    Organization.objects.filter(memberships__user=user).update(is_active=False)
    user = fresh(user)
    assert user.scope_prefixes(Cap.REGION_VIEW) == []
    assert not scope(Region.objects.all(), user, Cap.REGION_VIEW).exists()
    assert not scope(Organization.objects.all(), user, Cap.ORGANIZATION_VIEW).exists()


def test_organization_members_see_their_own_organization(make_user, make_org):
    """Organization.scope_extra: a cadre in a village still sees the county office it belongs to."""
    office = make_org(region_code=OTHER_COUNTY)
    user = fresh(make_user(Role.CADRE, DEMO_VILLAGE, organization=office))
    assert list(scope(Organization.objects.filter(pk=office.pk), user, Cap.ORGANIZATION_VIEW)) == [office]
    # … but only with a capability the user holds somewhere.
    assert not scope(Organization.objects.all(), user, Cap.EXPORT).exists()


def test_get_scoped_or_404(make_user, make_org):
    user = fresh(make_user(Role.OFFICE, DEMO_COUNTY))
    inside = make_org(region_code=DEMO_VILLAGE)
    outside = make_org(region_code=OTHER_VILLAGE)
    found = get_scoped_or_404(Organization.objects.all(), user, Cap.ORGANIZATION_VIEW, pk=inside.pk)
    assert found == inside
    for lookup in ({"pk": outside.pk}, {"pk": 10**9}, {"pk": "not a number"}):
        with pytest.raises(Http404):
            get_scoped_or_404(Organization.objects.all(), user, Cap.ORGANIZATION_VIEW, **lookup)
    region = get_scoped_or_404(Region.objects.all(), user, Cap.REGION_VIEW, code=DEMO_VILLAGE)
    assert region.code == DEMO_VILLAGE
    with pytest.raises(Http404):
        get_scoped_or_404(Region.objects.all(), user, Cap.REGION_VIEW, code=OTHER_VILLAGE)


def test_users_are_scoped_through_their_memberships(make_user):
    office = fresh(make_user(Role.OFFICE, DEMO_COUNTY))
    colleague = make_user(Role.CADRE, DEMO_VILLAGE)
    stranger = make_user(Role.CADRE, OTHER_VILLAGE)
    visible = set(scope(User.objects.all(), office, Cap.USER_VIEW))
    assert {office, colleague} <= visible
    assert stranger not in visible
