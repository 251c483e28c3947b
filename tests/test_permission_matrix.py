"""Who may reach which page: one explicit table, checked against the URL configuration.

Every named URL pattern outside the Django admin, the API (tests/api) and
``set_language`` must appear in EXPECTED with the roles that may reach it, so a
new page cannot ship without someone deciding who sees it. Each URL is requested
once per role (plus an anonymous visitor) by a user whose one role is scoped to
the demo county; then every URL that takes an object key is requested with an
object outside that scope, which must answer 404 (never 403: that would confirm
the object exists).

The users and objects are built once for the module inside a transaction that is
rolled back when the module ends; each test still runs in its own savepoint, so
one test's writes (a revoked token, a logged-out session) never reach another.
"""

import datetime
import itertools
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from bangfu.accounts import services as accounts
from bangfu.accounts.models import ApiToken, Organization, OrganizationKind, User
from bangfu.audit.models import AccessLog, ChangeRecord
from bangfu.consumption.models import HouseholdLink, Purchase
from bangfu.core import idnumber
from bangfu.core.models import Job
from bangfu.core.permissions import Role
from bangfu.core.views import RevealView
from bangfu.imports import engine as imports
from bangfu.imports.models import ImportRun, RunStatus
from bangfu.regions.models import Region
from bangfu.regions.services import regions_load
from bangfu.registry import services as registry
from bangfu.registry.models import Household, Person
from tests.conftest import DEMO_COUNTY, DEMO_TOWNSHIP, DEMO_VILLAGE, OTHER_COUNTY, PASSWORD

# Every test here is a database test, so pytest-django keeps the module's tests together
# (it moves tests without database access to the end) and the world below is built once.
pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
ROLES = [role.value for role in Role]
EXCLUDED_NAMESPACES = ("admin", "api")
EXCLUDED_NAMES = {"set_language"}
REVEAL_KEY = "matrix.organization-phone"
PHONE = "13912345678"
OTHER_COUNTY_VILLAGE = "410402001001"  # a village of 新华区


def _everyone(*roles: str) -> frozenset[str]:
    return frozenset(roles)


SIGNED_IN = _everyone(*ROLES)
EVERYONE = SIGNED_IN | {ANONYMOUS}
READERS = SIGNED_IN - {Role.MEMBER}  # region.view and organization.view: every role but member
REGISTRY_READERS = _everyone(
    Role.ADMIN, Role.OFFICE, Role.CADRE, Role.STORE_KEEPER, Role.LEADER, Role.AUDITOR
)
REGISTRY_EDITORS = _everyone(Role.ADMIN, Role.OFFICE, Role.CADRE)
IMPORTERS = _everyone(Role.ADMIN, Role.OFFICE, Role.BUYER)
REGISTRY_IMPORTERS = _everyone(Role.ADMIN, Role.OFFICE)
CAMPAIGN_MANAGERS = _everyone(Role.ADMIN, Role.OFFICE, Role.BUYER)
CAMPAIGN_ORDERERS = _everyone(Role.ADMIN, Role.MEMBER)
PICKUP_STAFF = _everyone(Role.ADMIN, Role.OFFICE, Role.BUYER, Role.SUPPLIER)
CONSUMPTION_READERS = _everyone(Role.ADMIN, Role.OFFICE, Role.BUYER, Role.SUPPLIER, Role.LEADER, Role.AUDITOR)
SUPPLIER_MANAGERS = _everyone(Role.ADMIN, Role.OFFICE)
PRODUCT_MANAGERS = _everyone(Role.ADMIN, Role.OFFICE, Role.SUPPLIER)
PURCHASE_RECORDERS = _everyone(Role.ADMIN, Role.OFFICE, Role.BUYER)
QUOTA_MANAGERS = _everyone(Role.ADMIN, Role.OFFICE)
FIELDWORK_READERS = _everyone(Role.ADMIN, Role.OFFICE, Role.CADRE, Role.LEADER, Role.AUDITOR)
TEAM_MANAGERS = _everyone(Role.ADMIN, Role.OFFICE)
ATTENDANCE_USERS = _everyone(Role.ADMIN, Role.CADRE)
LEAVE_DECIDERS = _everyone(Role.ADMIN, Role.OFFICE, Role.CADRE)
VISIT_RECORDERS = _everyone(Role.ADMIN, Role.OFFICE, Role.CADRE)
SUPERMARKET_READERS = _everyone(
    Role.ADMIN, Role.OFFICE, Role.CADRE, Role.STORE_KEEPER, Role.LEADER, Role.AUDITOR
)
SUPERMARKET_MANAGERS = _everyone(Role.ADMIN, Role.OFFICE)
SUPERMARKET_COUNTER = _everyone(Role.ADMIN, Role.OFFICE, Role.STORE_KEEPER)  # keepers: their own stores
DONATION_RECORDERS = _everyone(Role.ADMIN, Role.OFFICE, Role.STORE_KEEPER)
POINTS_AWARDERS = _everyone(Role.ADMIN, Role.OFFICE, Role.CADRE)
DELIVERY_REQUESTERS = _everyone(Role.ADMIN, Role.OFFICE, Role.CADRE, Role.STORE_KEEPER)
ASSISTANCE_READERS = _everyone(Role.ADMIN, Role.OFFICE, Role.CADRE, Role.LEADER, Role.AUDITOR)
PROJECT_MANAGERS = _everyone(Role.ADMIN, Role.OFFICE)
FUNDS_RECORDERS = _everyone(Role.ADMIN, Role.OFFICE)
EXPORTERS = _everyone(Role.ADMIN, Role.OFFICE, Role.BUYER, Role.LEADER, Role.AUDITOR)
MONITORING_READERS = _everyone(Role.ADMIN, Role.OFFICE, Role.CADRE, Role.LEADER, Role.AUDITOR)
RISK_RECORDERS = _everyone(Role.ADMIN, Role.OFFICE, Role.CADRE)
THRESHOLD_MANAGERS = _everyone(Role.ADMIN, Role.OFFICE)
CASE_VILLAGE = _everyone(Role.ADMIN, Role.OFFICE, Role.CADRE)

# URL name -> the roles that may reach it. Written out by hand on purpose: it restates
# bangfu.core.permissions for each page, so a change to either shows up here.
EXPECTED: dict[str, frozenset[str]] = {
    "home": SIGNED_IN,
    "healthz": EVERYONE,
    "api-docs": EVERYONE,
    "accounts:login": EVERYONE,
    "accounts:logout": SIGNED_IN,
    "accounts:profile": SIGNED_IN,
    "accounts:tokens": SIGNED_IN,
    "accounts:token-revoke": SIGNED_IN,
    "accounts:organization-list": READERS,
    "accounts:organization-detail": READERS,
    "accounts:organization-create": _everyone(Role.ADMIN, Role.OFFICE),
    "accounts:organization-edit": _everyone(Role.ADMIN, Role.OFFICE),
    "accounts:user-list": _everyone(Role.ADMIN, Role.OFFICE, Role.LEADER, Role.AUDITOR),
    "accounts:user-detail": _everyone(Role.ADMIN, Role.OFFICE, Role.LEADER, Role.AUDITOR),
    "regions:region-list": READERS,
    "regions:region-detail": READERS,
    "audit:change-list": _everyone(Role.ADMIN, Role.OFFICE, Role.AUDITOR),
    "audit:access-list": _everyone(Role.ADMIN, Role.OFFICE, Role.AUDITOR),
    "audit:verify": _everyone(Role.ADMIN, Role.AUDITOR),
    "core:job-list": SIGNED_IN,
    "core:job-detail": SIGNED_IN,
    "core:job-download": SIGNED_IN,
    "core:reveal": _everyone(Role.ADMIN, Role.OFFICE, Role.CADRE),
    "registry:household-list": REGISTRY_READERS,
    "registry:person-list": REGISTRY_READERS,
    "registry:household-detail": REGISTRY_READERS,
    "registry:household-create": REGISTRY_EDITORS,
    "registry:household-edit": REGISTRY_EDITORS,
    "registry:person-add": REGISTRY_EDITORS,
    "registry:income": REGISTRY_EDITORS,
    "registry:status-change": REGISTRY_EDITORS,
    "registry:pairing": REGISTRY_EDITORS,
    "registry:person-edit": REGISTRY_EDITORS,
    "registry:person-move": REGISTRY_EDITORS,
    "imports:run-list": IMPORTERS,
    "imports:run-detail": IMPORTERS,
    "imports:run-apply": IMPORTERS,
    "imports:run-errors": IMPORTERS,
    "imports:template": REGISTRY_IMPORTERS,  # the households template: registry.edit too
    "campaigns:campaign-list": CAMPAIGN_MANAGERS,
    "campaigns:campaign-create": CAMPAIGN_MANAGERS,
    "campaigns:campaign-detail": CAMPAIGN_MANAGERS,
    "campaigns:campaign-edit": CAMPAIGN_MANAGERS,
    "campaigns:item-add": CAMPAIGN_MANAGERS,
    "campaigns:site-add": CAMPAIGN_MANAGERS,
    "campaigns:slot-add": CAMPAIGN_MANAGERS,
    "campaigns:order-list": CAMPAIGN_MANAGERS,
    "campaigns:member-home": CAMPAIGN_ORDERERS,
    "campaigns:member-campaign": CAMPAIGN_ORDERERS,  # members of the chosen organisations
    "campaigns:order-detail": CAMPAIGN_ORDERERS,  # one's own orders only
    "campaigns:order-cancel": CAMPAIGN_ORDERERS,
    "campaigns:scan-home": PICKUP_STAFF,
    "campaigns:scan": PICKUP_STAFF,  # on the site's staff list
    "campaigns:scan-confirm": PICKUP_STAFF,
    "consumption:supplier-list": CONSUMPTION_READERS,
    "consumption:supplier-detail": CONSUMPTION_READERS,
    "consumption:supplier-create": SUPPLIER_MANAGERS,
    "consumption:supplier-edit": SUPPLIER_MANAGERS,
    "consumption:link-create": PRODUCT_MANAGERS,
    "consumption:link-delete": PRODUCT_MANAGERS,
    "consumption:product-list": CONSUMPTION_READERS,
    "consumption:product-detail": CONSUMPTION_READERS,
    "consumption:product-create": PRODUCT_MANAGERS,
    "consumption:product-edit": PRODUCT_MANAGERS,
    "consumption:product-photo": CONSUMPTION_READERS,
    "consumption:certification-list": CONSUMPTION_READERS,
    "consumption:certification-detail": CONSUMPTION_READERS,
    "consumption:certification-create": SUPPLIER_MANAGERS,
    "consumption:certification-edit": SUPPLIER_MANAGERS,
    "consumption:purchase-list": CONSUMPTION_READERS,
    "consumption:purchase-detail": CONSUMPTION_READERS,
    "consumption:purchase-create": PURCHASE_RECORDERS,
    "consumption:purchase-edit": PURCHASE_RECORDERS,
    "consumption:purchase-line": PURCHASE_RECORDERS,
    "consumption:totals": CONSUMPTION_READERS,
    "consumption:board": CONSUMPTION_READERS,
    "consumption:quota-create": QUOTA_MANAGERS,
    "consumption:quota-edit": QUOTA_MANAGERS,
    "consumption:declaration-create": PURCHASE_RECORDERS,
    "consumption:reach": CONSUMPTION_READERS,
    "fieldwork:team-list": FIELDWORK_READERS,
    "fieldwork:team-create": TEAM_MANAGERS,
    "fieldwork:team-detail": FIELDWORK_READERS,
    "fieldwork:team-edit": TEAM_MANAGERS,
    "fieldwork:member-add": TEAM_MANAGERS,
    "fieldwork:member-end": TEAM_MANAGERS,
    "fieldwork:checkin": ATTENDANCE_USERS,
    "fieldwork:leave-list": FIELDWORK_READERS,
    "fieldwork:leave-request": ATTENDANCE_USERS,
    "fieldwork:leave-decide": LEAVE_DECIDERS,  # the cadre user leads the team
    "fieldwork:compliance": FIELDWORK_READERS,
    "fieldwork:visit-list": FIELDWORK_READERS,
    "fieldwork:visit-create": VISIT_RECORDERS,
    "fieldwork:visit-detail": FIELDWORK_READERS,
    "fieldwork:need-list": FIELDWORK_READERS,
    "fieldwork:need-edit": VISIT_RECORDERS,
    "fieldwork:coverage": FIELDWORK_READERS,
    "fieldwork:leave-cancel": TEAM_MANAGERS,  # or the member on leave; none of the role users is
    "fieldwork:holiday-list": FIELDWORK_READERS,
    "fieldwork:holiday-delete": TEAM_MANAGERS,
    "monitoring:board": MONITORING_READERS,
    "monitoring:quality": MONITORING_READERS,
    "monitoring:threshold-list": MONITORING_READERS,
    "monitoring:threshold-create": THRESHOLD_MANAGERS,
    "monitoring:threshold-edit": THRESHOLD_MANAGERS,
    "monitoring:event-list": MONITORING_READERS,
    "monitoring:event-create": RISK_RECORDERS,
    "monitoring:flag-list": MONITORING_READERS,
    "monitoring:rules-run": THRESHOLD_MANAGERS,
    "monitoring:flag-detail": MONITORING_READERS,
    "monitoring:case-list": MONITORING_READERS,
    "monitoring:case-create": CASE_VILLAGE,
    "monitoring:case-detail": MONITORING_READERS,
    "monitoring:case-notice": MONITORING_READERS,
    "assistance:partnership-list": ASSISTANCE_READERS,
    "assistance:partnership-create": PROJECT_MANAGERS,
    "assistance:partnership-detail": ASSISTANCE_READERS,
    "assistance:project-list": ASSISTANCE_READERS,
    "assistance:project-create": PROJECT_MANAGERS,
    "assistance:project-detail": ASSISTANCE_READERS,
    "assistance:project-edit": PROJECT_MANAGERS,
    "assistance:fund-entry-create": FUNDS_RECORDERS,
    "assistance:fund-entry-reverse": FUNDS_RECORDERS,
    "assistance:beneficiary-add": PROJECT_MANAGERS,
    "assistance:beneficiary-count": PROJECT_MANAGERS,
    "assistance:outcome-record": PROJECT_MANAGERS,
    "assistance:shareholding-add": PROJECT_MANAGERS,
    "assistance:dividend-run": FUNDS_RECORDERS,
    "assistance:disclosure": PROJECT_MANAGERS,
    "assistance:activity-list": ASSISTANCE_READERS,
    "assistance:activity-create": PROJECT_MANAGERS,
    "assistance:activity-detail": ASSISTANCE_READERS,
    "assistance:helper-list": ASSISTANCE_READERS,
    "assistance:helper-create": PROJECT_MANAGERS,
    "assistance:helper-detail": ASSISTANCE_READERS,
    "assistance:helper-result": PROJECT_MANAGERS,
    "assistance:feedback-list": PROJECT_MANAGERS,
    "assistance:feedback-handle": PROJECT_MANAGERS,
    "assistance:figures": ASSISTANCE_READERS,
    "assistance:public-region": EVERYONE,  # public disclosure: no login, nothing private
    "assistance:public-organization": EVERYONE,
    "assistance:public-project": EVERYONE,
    "attachments:panel": ASSISTANCE_READERS,  # the matrix's attachments belong to a project
    "attachments:file": ASSISTANCE_READERS,
    "attachments:thumbnail": ASSISTANCE_READERS,
    "attachments:delete": PROJECT_MANAGERS,
    "attachments:public-file": EVERYONE,  # a public photo of a disclosed project
    "attachments:public-thumbnail": EVERYONE,
    "supermarket:store-list": SUPERMARKET_READERS,
    "supermarket:store-detail": SUPERMARKET_READERS,
    "supermarket:store-create": SUPERMARKET_MANAGERS,
    "supermarket:store-edit": SUPERMARKET_MANAGERS,
    "supermarket:counter": SUPERMARKET_COUNTER,
    "supermarket:stock-move": SUPERMARKET_COUNTER,
    "supermarket:stocktake": SUPERMARKET_COUNTER,
    "supermarket:stocktake-detail": SUPERMARKET_READERS,
    "supermarket:enrolment-create": SUPERMARKET_MANAGERS,
    "supermarket:enrolment-list": SUPERMARKET_READERS,
    "supermarket:account-detail": SUPERMARKET_READERS,
    "supermarket:meeting-list": SUPERMARKET_READERS,
    "supermarket:meeting-create": POINTS_AWARDERS,
    "supermarket:meeting-detail": SUPERMARKET_READERS,
    "supermarket:meeting-score": POINTS_AWARDERS,
    "supermarket:meeting-step": POINTS_AWARDERS,
    "supermarket:item-list": SUPERMARKET_READERS,
    "supermarket:item-detail": SUPERMARKET_READERS,
    "supermarket:item-create": SUPERMARKET_MANAGERS,
    "supermarket:item-edit": SUPERMARKET_MANAGERS,
    "supermarket:donation-list": SUPERMARKET_READERS,
    "supermarket:donation-create": DONATION_RECORDERS,
    "supermarket:donation-detail": SUPERMARKET_READERS,
    "supermarket:donation-reverse": SUPERMARKET_MANAGERS,
    "supermarket:points-reverse": SUPERMARKET_MANAGERS,
    "supermarket:honour-board": EVERYONE,  # public: donors who agreed to be shown
    "supermarket:honour-store": EVERYONE,
    "supermarket:move-list": SUPERMARKET_READERS,
    "supermarket:redemption-list": SUPERMARKET_READERS,
    "supermarket:redemption-detail": SUPERMARKET_READERS,
    "supermarket:delivery-list": SUPERMARKET_READERS,
    "supermarket:delivery-create": DELIVERY_REQUESTERS,
    "supermarket:delivery-detail": SUPERMARKET_READERS,
    "supermarket:delivery-step": SUPERMARKET_COUNTER,
    "supermarket:trip-create": SUPERMARKET_COUNTER,
    "supermarket:trip-detail": SUPERMARKET_READERS,
    "supermarket:figures": SUPERMARKET_READERS,
    "reports:scorecard": SIGNED_IN,
    "reports:compare": SIGNED_IN,
    "reports:scorecard-export": EXPORTERS,
    "reports:snapshot-publish": EXPORTERS,
    "reports:snapshot-list": SIGNED_IN,
    "reports:snapshot-detail": SIGNED_IN,
    "reports:records": ASSISTANCE_READERS,  # its one listing here: fund entries
}

# How an allowed request is made and answered, where it is not "GET -> 200":
# api-docs is a pure redirect (302 to the OpenAPI page); logout, token-revoke and
# run-apply only accept POST and redirect (302) when done; reveal only accepts POST and
# answers 200 with the value in clear.
METHOD_AND_STATUS: dict[str, tuple[str, int]] = {
    "api-docs": ("get", 302),
    "accounts:logout": ("post", 302),
    "accounts:token-revoke": ("post", 302),
    "core:reveal": ("post", 200),
    "imports:run-apply": ("post", 302),
    "campaigns:order-cancel": ("post", 302),
    "campaigns:scan-confirm": ("post", 302),
    "consumption:link-delete": ("post", 302),
    "reports:scorecard-export": ("post", 302),
    "reports:snapshot-publish": ("post", 302),
    "monitoring:rules-run": ("post", 302),
    "fieldwork:leave-cancel": ("post", 302),
    "fieldwork:holiday-delete": ("post", 302),
    "attachments:delete": ("post", 302),
}
POST_ONLY = {name for name, (method, _status) in METHOD_AND_STATUS.items() if method == "post"}


# The URL configuration -----------------------------------------------------------------------------


def _walk(resolver: URLResolver, namespace: str = "") -> list[tuple[str, str | None, str]]:
    """(namespace prefix, full name or None, route) of every pattern under ``resolver``."""
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found.extend(_walk(entry, inner))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            found.append((namespace, name, str(entry.pattern)))
    return found


def _excluded(namespace: str, name: str | None) -> bool:
    return name in EXCLUDED_NAMES or namespace.split(":", 1)[0] in EXCLUDED_NAMESPACES


def _url_patterns() -> list[tuple[str | None, str]]:
    """(name, route) of every pattern the matrix covers."""
    return [
        (name, route) for namespace, name, route in _walk(get_resolver()) if not _excluded(namespace, name)
    ]


URL_NAMES = sorted({name for name, _route in _url_patterns() if name})
CASES = [(name, role) for name in URL_NAMES for role in [*ROLES, ANONYMOUS]]


def test_every_url_is_in_the_table():
    missing = sorted(set(URL_NAMES) - set(EXPECTED))
    assert not missing, f"URLs with no entry in EXPECTED (decide who may reach them): {missing}"


def test_the_table_names_no_url_that_is_gone():
    gone = sorted(set(EXPECTED) - set(URL_NAMES))
    assert not gone, f"EXPECTED names URLs that no longer exist: {gone}"


def test_every_pattern_has_a_name():
    """An unnamed pattern could not be listed in EXPECTED, so it would escape the matrix."""
    unnamed = [route for name, route in _url_patterns() if name is None]
    assert not unnamed, f"unnamed URL patterns: {unnamed}"


def test_the_walk_found_the_pages():
    """Guards the walk itself: if it silently found nothing, the tables would agree vacuously."""
    assert {"home", "accounts:organization-edit", "regions:region-detail", "core:reveal"} <= set(URL_NAMES)
    assert not [name for name in URL_NAMES if name.split(":", 1)[0] in EXCLUDED_NAMESPACES]


def test_roles_in_the_table_are_real_roles():
    for name, roles in EXPECTED.items():
        assert roles <= EVERYONE, name


# The world ---------------------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, User]
    organization: Organization  # in the demo county, not the users' own organisation
    user_in_scope: User  # someone acting in a village of the demo county
    outside: dict[str, object]  # objects outside every role user's scope
    household: Household  # in a village of the demo county
    jobs: dict[str, Job] = field(default_factory=dict)
    tokens: dict[str, ApiToken] = field(default_factory=dict)
    runs: dict[str, ImportRun] = field(default_factory=dict)  # checked dry runs with a bad row
    media: Path | None = None
    campaigns: dict[str, object] = field(default_factory=dict)  # a campaign open to every role user
    fieldwork: dict[str, object] = field(default_factory=dict)  # a team in a village of the demo county
    monitoring: dict[str, object] = field(
        default_factory=dict
    )  # a threshold, flag and case in the demo county
    supermarket: dict[str, object] = field(default_factory=dict)  # a store kept by the keeper role user
    assistance: dict[str, object] = field(
        default_factory=dict
    )  # a partnership and project in the demo county
    consumption: dict[str, object] = field(
        default_factory=dict
    )  # in the demo county, reachable by every role
    snapshot: object = None  # a published scorecard of the demo county


def _user(username: str, role: str, organization: Organization, *codes: str) -> User:
    user = accounts.user_create(actor=None, username=username, password=PASSWORD)
    accounts.membership_create(
        actor=None,
        user=user,
        organization=organization,
        role=role,
        regions=[Region.objects.get(code=code) for code in codes],
    )
    return user


def _job(user: User, media: Path, label: str) -> Job:
    filename = f"matrix-{label}.csv"
    (media / "jobs").mkdir(parents=True, exist_ok=True)
    (media / "jobs" / filename).write_text(f"job of {label}\n", encoding="utf-8")
    return Job.objects.create(
        kind="export",
        title=f"matrix {label}",
        status="succeeded",
        created_by=user,
        result_file=filename,
        result={"filename": filename},
    )


_id_sequence = itertools.count()


def _snapshot(user: User, region_code: str):
    from bangfu.reports.models import Snapshot

    return Snapshot.objects.create(
        title="成绩单",
        scope_label="矩阵",
        region_code=region_code,
        query={"year": "2025"},
        period_label="2025年",
        figures={},
        digest="0" * 64,
        published_by=user,
    )


def _household(code: str, village: str) -> Household:
    number = idnumber.make(village[:6], datetime.date(1970, 1, 1), next(_id_sequence) * 2 + 1)
    return registry.household_create(
        actor=None,
        code=code,
        region=Region.objects.get(code=village),
        head={"name": "周耀伟", "id_number": number},
    )


def _checked_run(user: User, media: Path) -> ImportRun:
    """A dry run of a households file whose one row is bad: it can be applied, and has errors to download."""
    source = media / f"households-{user.username}.csv"
    source.write_text("户编号,村代码\nBAD001,999999999999\n", encoding="utf-8")
    run = imports.import_create(user=user, kind="households", source=source, original_name=source.name)
    run = imports.import_execute(run)
    assert (run.status, run.error_rows) == (RunStatus.CHECKED, 1), run.message
    return run


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    fast_hash = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # nothing here tests hashing
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast_hash),
        pytest.MonkeyPatch.context() as patch,
        transaction.atomic(),
    ):
        patch.setitem(RevealView.registry, REVEAL_KEY, (Organization, "contact_phone"))
        if not Region.objects.filter(code=DEMO_VILLAGE).exists():
            regions_load(prefix="4104")
        county = Region.objects.get(code=DEMO_COUNTY)
        other = Region.objects.get(code=OTHER_COUNTY)
        home = accounts.organization_create(
            actor=None, name="矩阵测试办公室", kind=OrganizationKind.GOVERNMENT, region=county
        )
        target = accounts.organization_create(
            actor=None,
            name="矩阵测试企业",
            kind=OrganizationKind.ENTERPRISE,
            region=Region.objects.get(code=DEMO_TOWNSHIP),
            contact_phone=PHONE,
        )
        far = accounts.organization_create(
            actor=None,
            name="新华区测试企业",
            kind=OrganizationKind.ENTERPRISE,
            region=other,
            contact_phone=PHONE,
        )
        users = {role: _user(f"matrix-{role}", role, home, DEMO_COUNTY) for role in ROLES}
        stranger = _user("matrix-stranger", Role.OFFICE, far, OTHER_COUNTY)
        far_household = _household("XH00001", OTHER_COUNTY_VILLAGE)
        world = World(
            users=users,
            organization=target,
            user_in_scope=_user("matrix-villager", Role.CADRE, home, DEMO_VILLAGE),
            household=_household("LS00001", DEMO_VILLAGE),
            outside={
                "organization": far,
                "user": stranger,
                "region": other,
                "job": _job(stranger, media, "stranger"),
                "token": accounts.token_create(user=stranger, name="stranger")[0],
                "household": far_household,
                "person": far_household.head,
                "run": _checked_run(stranger, media),
            },
            media=media,
        )
        world.consumption = _consumption(home, target.region, world.household, photo=True)
        far_consumption = _consumption(far, other, far_household)
        world.outside.update({f"consumption.{key}": value for key, value in far_consumption.items()})
        world.campaigns = _campaign_world(home, county, users)
        world.supermarket = _supermarket_world(
            home, Region.objects.get(code=DEMO_TOWNSHIP), world.household, users[Role.STORE_KEEPER]
        )
        far_store = _supermarket_world(
            far, Region.objects.get(code=OTHER_COUNTY_VILLAGE), far_household, None
        )
        world.outside.update({f"supermarket.{key}": value for key, value in far_store.items()})
        far_campaign = _campaign_world(
            far, other, {Role.MEMBER: _user("matrix-far-member", Role.MEMBER, far, OTHER_COUNTY)}
        )
        world.outside.update({f"campaigns.{key}": value for key, value in far_campaign.items()})
        # An enterprise of the other county assigned to this one: seen here, but not ``far``.
        assigned = accounts.organization_create(
            actor=None, name="新华区帮扶企业", kind=OrganizationKind.ENTERPRISE, region=other
        )
        world.assistance = _assistance_world(assigned, county, Region.objects.get(code=DEMO_VILLAGE))
        far_assistance = _assistance_world(home, other, Region.objects.get(code=OTHER_COUNTY_VILLAGE))
        world.outside.update({f"assistance.{key}": value for key, value in far_assistance.items()})
        world.fieldwork = _fieldwork(home, DEMO_VILLAGE, users)
        world.fieldwork.update(_visit(world.household, users[Role.CADRE]))
        far_fieldwork = {**_fieldwork(far, OTHER_COUNTY_VILLAGE, {}), **_visit(far_household, stranger)}
        world.outside.update({f"fieldwork.{key}": value for key, value in far_fieldwork.items()})
        world.snapshot = _snapshot(users[Role.OFFICE], DEMO_COUNTY)
        world.outside["snapshot"] = _snapshot(stranger, OTHER_COUNTY)
        world.monitoring = _monitoring_world(world.household)
        far_monitoring = _monitoring_world(far_household)
        world.outside.update({f"monitoring.{key}": value for key, value in far_monitoring.items()})
        for role, user in users.items():
            world.jobs[role] = _job(user, media, role)
            world.tokens[role] = accounts.token_create(user=user, name=f"matrix {role}")[0]
        for role in IMPORTERS:
            world.runs[role] = _checked_run(users[role], media)
        yield world
        transaction.set_rollback(True)


def _consumption(organization: Organization, region: Region, household: Household, *, photo=False) -> dict:
    """A supplier acting through ``organization`` (so that the supplier role, a member of it,
    reaches it), its product, certification and household link, a purchase by ``organization``
    (so that the buyer role reaches it) and a quota of it."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from bangfu.consumption import services as consumption

    supplier = consumption.supplier_create(
        actor=None,
        region=region,
        name=f"{organization.name}供应商",
        kind="cooperative",
        organization=organization,
    )
    image = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(image, "PNG")
    product = consumption.product_create(
        actor=None,
        supplier=supplier,
        name="香菇",
        category="fungus",
        unit="袋",
        price="30.00",
        photo=SimpleUploadedFile("p.png", image.getvalue(), "image/png") if photo else "",
    )
    certification = consumption.certification_create(
        actor=None,
        supplier=supplier,
        body="鲁山县农业农村局",
        number=f"RD-{organization.pk}",
        valid_from=datetime.date(2020, 1, 1),
        valid_to=datetime.date(2099, 12, 31),
        products=[product],
    )
    purchase, _created = consumption.purchase_create(
        actor=None,
        buyer=organization,
        supplier=supplier,
        date=datetime.date(2025, 6, 1),
        lines=[consumption.LineInput(product=product, quantity=2, unit_price=product.price)],
    )
    quota = consumption.quota_save(actor=None, organization=organization, year=2025, kind="union_welfare")
    link = consumption.household_link_save(
        actor=None, supplier=supplier, household=household, kind="employs", year=2025
    )
    return {
        "supplier": supplier,
        "product": product,
        "certification": certification,
        "purchase": purchase,
        "quota": quota,
        "link": link,
    }


def _consumption_kwargs(name: str, objects: dict) -> dict | None:
    keys = {
        "consumption:supplier-detail": "supplier",
        "consumption:supplier-edit": "supplier",
        "consumption:link-create": "supplier",
        "consumption:link-delete": "link",
        "consumption:product-detail": "product",
        "consumption:product-edit": "product",
        "consumption:product-photo": "product",
        "consumption:certification-detail": "certification",
        "consumption:certification-edit": "certification",
        "consumption:purchase-detail": "purchase",
        "consumption:purchase-edit": "purchase",
        "consumption:quota-edit": "quota",
    }
    return {"pk": objects[keys[name]].pk} if name in keys else None


def _supermarket_world(organization: Organization, region: Region, household: Household, keeper) -> dict:
    """A store in ``region`` kept by ``keeper``, a catalogue item, ``household`` enrolled with
    points, a donation, a redemption, a stock-take, a meeting, a trip and a delivery request."""
    from bangfu.supermarket import services as supermarket

    store = supermarket.store_create(
        actor=None,
        name=f"{region.name}爱心超市",
        region=region,
        organization=organization,
        opened_on=datetime.date(2018, 3, 1),
        keepers=[keeper] if keeper else [],
    )
    item = supermarket.item_create(
        actor=None,
        region=Region.objects.get(code=region.code[:6].ljust(12, "0")),
        name="大米",
        category="grain_oil",
        unit="袋",
        points_price=10,
        reference_value="10.00",
    )
    supermarket.enrolment_create(actor=None, store=store, household=household, reason="矩阵测试")
    points = supermarket.points_opening(
        actor=None, household=household, points=100, date=datetime.date(2024, 1, 1)
    )
    donation = supermarket.donation_record(
        actor=None,
        store=store,
        donor_kind="person",
        donor_name="周耀伟",
        show_on_board=True,
        date=datetime.date(2024, 1, 2),
        lines=[supermarket.DonationLineInput(item=item, quantity=20, value="200.00")],
    )
    redemption = supermarket.redemption_create(
        actor=None, store=store, household=household, lines=[supermarket.BasketLine(item=item, quantity=1)]
    )
    stocktake = supermarket.stocktake_record(actor=None, store=store, counts={item: 19})
    meeting = supermarket.meeting_create(
        actor=None, store=store, region=household.region, held_on=datetime.date(2024, 1, 3)
    )
    trip = supermarket.trip_create(actor=None, store=store, date=datetime.date(2024, 1, 4), staff="王师傅")
    delivery = supermarket.delivery_request_create(
        actor=None, store=store, household=household, lines=[supermarket.BasketLine(item=item, quantity=1)]
    )
    return {
        "store": store,
        "item": item,
        "household": household,
        "donation": donation,
        "points": points,
        "redemption": redemption,
        "stocktake": stocktake,
        "meeting": meeting,
        "trip": trip,
        "delivery": delivery,
    }


def _assistance_world(organization: Organization, county: Region, village: Region) -> dict:
    """A designated partnership of ``organization`` with ``county``, a project in ``village``
    and one fund entry on its ledger (the assisting organisation may sit in another county)."""
    from bangfu.assistance import services as assistance

    partnership = assistance.partnership_create(
        actor=None, organization=organization, kind="designated", region=county, start_year=2020
    )
    project = assistance.project_create(
        actor=None,
        name=f"{village.name}光伏电站",
        organization=organization,
        partnership=partnership,
        region=village,
        type="infrastructure",
        budget="100000",
        start_date=datetime.date(2020, 1, 1),
    )
    entry = assistance.fund_entry_record(
        actor=None, project=project, kind="invested", amount="1000", date=datetime.date(2020, 2, 1)
    )
    assistance.project_disclose(
        actor=None, project=project, disclosed_from=datetime.date(2020, 1, 1), disclosed_until=None
    )
    helper = assistance.helper_create(
        actor=None, kind="worker", name="王建国", level="national", region=county, organization=organization
    )
    activity = assistance.activity_record(
        actor=None,
        kind="clinic",
        title=f"{village.name}义诊",
        date=datetime.date(2021, 5, 1),
        region=village,
        person_times=100,
        helper=helper,
    )
    feedback = assistance.feedback_submit(
        project=project, message="请公示验收照片", address=f"matrix-{village.code}"
    )
    photo = _attachment_photo(project)
    return {
        "partnership": partnership,
        "project": project,
        "entry": entry,
        "helper": helper,
        "activity": activity,
        "feedback": feedback,
        "organization": organization,
        "village": village,
        "photo": photo,
    }


def _attachment_photo(project):
    """A public photo (a PNG) on ``project``."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from bangfu.attachments import services as attachments

    data = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 128, 0)).save(data, "PNG")
    upload = SimpleUploadedFile("site.png", data.getvalue())
    return attachments.attachments_add(actor=None, owner=project, files=[upload], public=True)[0]


def _attachment_kwargs(name: str, objects: dict) -> dict | None:
    if not name.startswith("attachments:"):
        return None
    if name == "attachments:panel":
        return {"key": "assistance.project", "pk": objects["project"].pk}
    return {"pk": objects["photo"].pk}


def _assistance_kwargs(name: str, objects: dict) -> dict | None:
    attachment = _attachment_kwargs(name, objects)
    if attachment is not None:
        return attachment
    if not name.startswith("assistance:"):
        return None
    keys = {
        "partnership-detail": "partnership",
        "project-detail": "project",
        "project-edit": "project",
        "fund-entry-create": "project",
        "fund-entry-reverse": "entry",
        "beneficiary-add": "project",
        "beneficiary-count": "project",
        "outcome-record": "project",
        "shareholding-add": "project",
        "dividend-run": "project",
        "disclosure": "project",
        "activity-detail": "activity",
        "helper-detail": "helper",
        "helper-result": "helper",
        "feedback-handle": "feedback",
        "public-organization": "organization",
        "public-project": "project",
    }
    short = name.split(":", 1)[1]
    if short == "public-region":
        return {"code": objects["village"].code} if "village" in objects else {"code": "999999000000"}
    return {"pk": objects[keys[short]].pk} if short in keys else {}


def _supermarket_kwargs(name: str, objects: dict) -> dict | None:
    if not name.startswith("supermarket:"):
        return None
    keys = {
        "store-detail": "store",
        "store-edit": "store",
        "counter": "store",
        "stock-move": "store",
        "stocktake": "store",
        "enrolment-create": "store",
        "meeting-create": "store",
        "delivery-create": "store",
        "trip-create": "store",
        "honour-store": "store",
        "item-detail": "item",
        "item-edit": "item",
        "donation-detail": "donation",
        "donation-reverse": "donation",
        "points-reverse": "points",
        "stocktake-detail": "stocktake",
        "account-detail": "household",
        "meeting-detail": "meeting",
        "meeting-score": "meeting",
        "meeting-step": "meeting",
        "redemption-detail": "redemption",
        "delivery-detail": "delivery",
        "delivery-step": "delivery",
        "trip-detail": "trip",
    }
    short = name.split(":", 1)[1]
    if short == "honour-board":
        return {"code": objects["store"].region_code[:6].ljust(12, "0")}
    return {"pk": objects[keys[short]].pk} if short in keys else {}


def _fieldwork(organization: Organization, village: str, users: dict[str, User]) -> dict:
    """A team sent by ``organization`` to ``village``; the cadre user (if given) is a member."""
    from bangfu.fieldwork import services as fieldwork

    start = datetime.date(2025, 1, 6)
    team = fieldwork.team_create(
        actor=None, region=Region.objects.get(code=village), organization=organization, starts_on=start
    )
    cadre = users.get(Role.CADRE) or _user(f"matrix-cadre-{village}", Role.CADRE, organization, village)
    member = fieldwork.member_add(actor=None, team=team, user=cadre, role="leader", starts_on=start)
    other = fieldwork.member_add(
        actor=None,
        team=team,
        user=_user(f"matrix-member-{village}", Role.CADRE, organization, village),
        starts_on=start,
    )
    leave = fieldwork.leave_request(actor=None, member=other, starts_on=start, ends_on=start, reason="矩阵")
    holiday = (
        fieldwork.holiday_add(actor=None, date=datetime.date(2025, 10, 1), name="国庆节") if users else None
    )
    return {"team": team, "member": member, "leave": leave, "holiday": holiday}


def _visit(household: Household, visitor: User) -> dict:
    """A visit to ``household`` with a photo and a need raised."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from bangfu.fieldwork import services as fieldwork

    image = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(image, "PNG")
    visit = fieldwork.visit_record(
        actor=None,
        household=household,
        visitor=visitor,
        visited_on=datetime.date(2025, 3, 1),
        findings="矩阵走访",
        needs=[fieldwork.NeedInput(kind="medical", description="矩阵诉求")],
        photos=[SimpleUploadedFile("p.png", image.getvalue(), "image/png")],
    )
    return {"visit": visit, "need": visit.needs.get()}


def _fieldwork_kwargs(name: str, objects: dict) -> dict | None:
    keys = {
        "fieldwork:team-detail": "team",
        "fieldwork:team-edit": "team",
        "fieldwork:member-add": "team",
        "fieldwork:member-end": "member",
        "fieldwork:leave-decide": "leave",
        "fieldwork:visit-detail": "visit",
        "fieldwork:need-edit": "need",
        "fieldwork:leave-cancel": "leave",
        "fieldwork:holiday-delete": "holiday",
    }
    return {"pk": objects[keys[name]].pk} if name in keys else None


def _monitoring_world(household: Household) -> dict:
    """A threshold of the household's county, a flag on it and a case with a public notice."""
    from bangfu.monitoring import services as monitoring
    from bangfu.monitoring.models import Flag

    county = Region.objects.get(code=household.region_code[:6].ljust(12, "0"))
    threshold = monitoring.threshold_save(actor=None, region=county, year=2024, income_line="7000")
    flag = Flag.objects.create(
        household=household,
        region_code=household.region_code,
        rule="income_below_line",
        year=2024,
        measured="5000",
        line="7000",
    )
    start = datetime.date(2025, 3, 1)
    case = monitoring.case_open(
        actor=None,
        household=household,
        category="marginal",
        source="survey",
        risk_kind="illness",
        summary="矩阵",
        opened_on=start,
    )
    monitoring.case_step_record(
        actor=None, case=case, step="verification", acted_on=start, authorisation_signed=True
    )
    monitoring.case_step_record(actor=None, case=case, step="democratic_review", acted_on=start)
    monitoring.case_step_record(
        actor=None,
        case=case,
        step="public_notice",
        acted_on=start,
        notice_starts_on=start,
        notice_ends_on=start + datetime.timedelta(days=5),
    )
    return {"threshold": threshold, "flag": flag, "case": case}


def _monitoring_kwargs(name: str, objects: dict) -> dict | None:
    keys = {
        "monitoring:threshold-edit": "threshold",
        "monitoring:flag-detail": "flag",
        "monitoring:case-detail": "case",
        "monitoring:case-notice": "case",
    }
    return {"pk": objects[keys[name]].pk} if name in keys else None


def _campaign_world(organization: Organization, region: Region, users: dict[str, User]) -> dict:
    """An open campaign of a union in ``region`` for the members of ``organization``, an order
    of each ordering user, and a pickup site whose staff are the users that may scan."""
    from django.utils import timezone

    from bangfu.consumption.campaigns import services as campaigns
    from bangfu.consumption.models import Product, Supplier

    now = timezone.now()
    union = accounts.organization_create(
        actor=None, name=f"{region.name}矩阵工会", kind=OrganizationKind.UNION, region=region
    )
    campaign = campaigns.campaign_create(
        actor=None,
        organizer=union,
        name=f"{region.name}礼盒预订",
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=1),
        pickup_closes_at=now + datetime.timedelta(days=2),
        per_member_limit=5,
        eligible_organizations=[organization],
        status="published",
    )
    supplier = Supplier.objects.create(
        name=f"{region.name}礼盒合作社", kind="cooperative", region=region, region_code=region.code
    )
    product = Product.objects.create(
        supplier=supplier,
        region_code=region.code,
        name="小米",
        category="grain_oil",
        unit="袋",
        price="10.00",
    )
    item = campaigns.item_create(
        actor=None, campaign=campaign, name="杂粮礼盒", price="50.00", stock=50, lines=[(product, 2)]
    )
    staff = [user for role, user in users.items() if role in PICKUP_STAFF]
    site = campaigns.site_create(
        actor=None, campaign=campaign, name="服务站", address="工会服务站", region=region, staff=staff
    )
    slot = campaigns.slot_create(
        actor=None, site=site, starts_at=now, ends_at=now + datetime.timedelta(hours=2), capacity=20
    )
    orders = {
        role: campaigns.order_place(member=user, item=item, slot=slot, quantity=1, idempotency_key="matrix")[
            0
        ]
        for role, user in users.items()
        if role in CAMPAIGN_ORDERERS
    }
    return {"campaign": campaign, "site": site, "orders": orders}


def _campaign_kwargs(name: str, role: str, objects: dict) -> dict | None:
    """URL keyword arguments of the campaign pages, naming ``objects``' campaign, site and orders."""
    if not name.startswith("campaigns:"):
        return None
    orders = objects["orders"]
    order = orders.get(role) or next(iter(orders.values()))  # roles that cannot order are refused first
    if name in ("campaigns:order-detail", "campaigns:order-cancel"):
        return {"pk": order.pk}
    if name in ("campaigns:scan", "campaigns:scan-confirm"):
        return {"pk": objects["site"].pk}
    if name in ("campaigns:campaign-list", "campaigns:campaign-create", "campaigns:order-list"):
        return {}
    if name in ("campaigns:member-home", "campaigns:scan-home"):
        return {}
    return {"pk": objects["campaign"].pk}


# Requests ----------------------------------------------------------------------------------------------


def _kwargs(name: str, role: str, world: World) -> dict:
    supermarket = _supermarket_kwargs(name, world.supermarket)
    if supermarket is not None:
        return supermarket
    assistance = _assistance_kwargs(name, world.assistance)
    if assistance is not None:
        return assistance
    """URL keyword arguments naming an object inside the scope of ``role``'s user."""
    campaign = _campaign_kwargs(name, role, world.campaigns)
    if campaign is not None:
        return campaign
    owner = role if role in world.users else Role.ADMIN  # anonymous gets someone's job: refused anyway
    run = world.runs.get(role, world.runs[Role.ADMIN])  # roles that cannot import are refused first
    household = world.household
    consumption = _consumption_kwargs(name, world.consumption)
    if consumption is not None:
        return consumption
    fieldwork = _fieldwork_kwargs(name, world.fieldwork)
    if fieldwork is not None:
        return fieldwork
    monitoring = _monitoring_kwargs(name, world.monitoring)
    if monitoring is not None:
        return monitoring
    return {
        "registry:household-detail": {"pk": household.pk},
        "registry:household-edit": {"pk": household.pk},
        "registry:person-add": {"pk": household.pk},
        "registry:income": {"pk": household.pk},
        "registry:status-change": {"pk": household.pk},
        "registry:pairing": {"pk": household.pk},
        "registry:person-edit": {"pk": household.head_id},
        "registry:person-move": {"pk": household.head_id},
        "imports:run-detail": {"pk": run.pk},
        "imports:run-apply": {"pk": run.pk},
        "imports:run-errors": {"pk": run.pk},
        "imports:template": {"kind": "households"},
        "accounts:token-revoke": {"pk": world.tokens[owner].pk},
        "accounts:organization-detail": {"pk": world.organization.pk},
        "accounts:organization-edit": {"pk": world.organization.pk},
        "accounts:user-detail": {"pk": world.user_in_scope.pk},
        "regions:region-detail": {"pk": DEMO_TOWNSHIP},
        "core:job-detail": {"pk": world.jobs[owner].pk},
        "core:job-download": {"pk": world.jobs[owner].pk},
        "core:reveal": {"key": REVEAL_KEY, "pk": world.organization.pk},
        "reports:snapshot-detail": {"pk": world.snapshot.pk},
        "reports:records": {"key": "reports.fund_entry"},
    }.get(name, {})


def _outside_kwargs(name: str, world: World) -> dict:
    if name == "fieldwork:holiday-delete":
        return {"pk": 0}  # holidays are national: the object "outside" is one that does not exist
    if name in ("supermarket:honour-board", "supermarket:honour-store"):
        # Public pages have no scope: the object "outside" is one that does not exist.
        return {"code": "999999000000"} if name == "supermarket:honour-board" else {"pk": 0}
    supermarket = _supermarket_kwargs(
        name,
        {
            key.split(".", 1)[1]: value
            for key, value in world.outside.items()
            if key.startswith("supermarket.")
        },
    )
    if supermarket is not None:
        return supermarket
    if name in ("attachments:public-file", "attachments:public-thumbnail"):
        return {"pk": 0}  # public files: one that does not exist is missing
    if name in ("assistance:public-region", "assistance:public-organization", "assistance:public-project"):
        # public pages: everyone may read what is disclosed, so a key that does not exist is missing
        return {"code": "999999000000"} if name == "assistance:public-region" else {"pk": 0}
    assistance = _assistance_kwargs(
        name,
        {
            key.split(".", 1)[1]: value
            for key, value in world.outside.items()
            if key.startswith("assistance.")
        },
    )
    if assistance is not None:
        return assistance
    """URL keyword arguments naming an object outside every role user's scope (or not theirs)."""
    campaign = _campaign_kwargs(
        name,
        Role.MEMBER,
        {key.split(".", 1)[1]: value for key, value in world.outside.items() if key.startswith("campaigns.")},
    )
    if campaign is not None:
        return campaign
    outside = world.outside
    household = outside["household"].pk
    consumption = _consumption_kwargs(
        name,
        {key.split(".", 1)[1]: value for key, value in outside.items() if key.startswith("consumption.")},
    )
    if consumption is not None:
        return consumption
    fieldwork = _fieldwork_kwargs(
        name, {key.split(".", 1)[1]: value for key, value in outside.items() if key.startswith("fieldwork.")}
    )
    if fieldwork is not None:
        return fieldwork
    monitoring = _monitoring_kwargs(
        name, {key.split(".", 1)[1]: value for key, value in outside.items() if key.startswith("monitoring.")}
    )
    if monitoring is not None:
        return monitoring
    return {
        "registry:household-detail": {"pk": household},
        "registry:household-edit": {"pk": household},
        "registry:person-add": {"pk": household},
        "registry:income": {"pk": household},
        "registry:status-change": {"pk": household},
        "registry:pairing": {"pk": household},
        "registry:person-edit": {"pk": outside["person"].pk},
        "registry:person-move": {"pk": outside["person"].pk},
        "imports:run-detail": {"pk": outside["run"].pk},
        "imports:run-apply": {"pk": outside["run"].pk},
        "imports:run-errors": {"pk": outside["run"].pk},
        "imports:template": {"kind": "no-such-kind"},  # not a scope, but a key all the same
        "accounts:token-revoke": {"pk": outside["token"].pk},
        "accounts:organization-detail": {"pk": outside["organization"].pk},
        "accounts:organization-edit": {"pk": outside["organization"].pk},
        "accounts:user-detail": {"pk": outside["user"].pk},
        "regions:region-detail": {"pk": outside["region"].pk},
        "core:job-detail": {"pk": outside["job"].pk},
        "core:job-download": {"pk": outside["job"].pk},
        "core:reveal": {"key": REVEAL_KEY, "pk": outside["organization"].pk},
        "reports:snapshot-detail": {"pk": outside["snapshot"].pk},
        "reports:records": {"key": "no.such-listing"},  # not a scope, but a key all the same
    }[name]


def _route_params(name: str) -> set[str]:
    routes = [route for found, route in _url_patterns() if found == name]
    return {part.split(">")[0].split(":")[-1] for route in routes for part in route.split("<")[1:]}


KEYED = [name for name in URL_NAMES if _route_params(name)]


def _client(role: str, world: World) -> Client:
    client = Client()
    if role != ANONYMOUS:
        client.force_login(world.users[role])
    return client


def _state() -> dict[str, int]:
    """Row counts a refused request must leave as they were."""
    return {
        "organizations": Organization.objects.count(),
        "users": User.objects.count(),
        "changes": ChangeRecord.objects.count(),
        "accesses": AccessLog.objects.count(),
        "revoked tokens": ApiToken.objects.filter(revoked_at__isnull=False).count(),
        "jobs": Job.objects.count(),
        "households": Household.objects.count(),
        "persons": Person.objects.count(),
        "import runs": ImportRun.objects.count(),
        "campaign orders placed": _campaign_orders("placed"),
        "campaign orders collected": _campaign_orders("collected"),
        "purchases": Purchase.objects.count(),
        "household links": HouseholdLink.objects.count(),
        "fund entries": _fund_entries(),
    }


def _fund_entries() -> int:
    from bangfu.assistance.models import FundEntry

    return FundEntry.objects.count()


def _campaign_orders(status: str) -> int:
    from bangfu.consumption.campaigns.models import Order

    return Order.objects.filter(status=status).count()


def _request(client: Client, name: str, method: str, kwargs: dict):
    return getattr(client, method)(reverse(name, kwargs=kwargs))


def test_every_keyed_url_has_kwargs_for_both_checks(world):
    for name in KEYED:
        assert set(_kwargs(name, Role.ADMIN, world)) == _route_params(name), name
        assert set(_outside_kwargs(name, world)) == _route_params(name), name


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{name}-{role}" for name, role in CASES])
def test_access(world, name, role):
    assert name in EXPECTED, f"{name} is not in EXPECTED"
    allowed = role in EXPECTED[name]
    method, allowed_status = METHOD_AND_STATUS.get(name, ("get", 200))
    client = _client(role, world)
    before = _state()

    response = _request(client, name, method, _kwargs(name, role, world))

    if allowed:
        assert response.status_code == allowed_status, f"{name} as {role}: {response.status_code}"
        _check_allowed_effect(name, role, world, client, response, before)
    elif role == ANONYMOUS:
        assert response.status_code == 302, f"{name} as anonymous: {response.status_code}"
        assert response["Location"].startswith(reverse("accounts:login") + "?next="), response["Location"]
        assert _state() == before
    else:
        assert response.status_code == 403, f"{name} as {role}: {response.status_code}"
        assert _state() == before


def _check_allowed_effect(name, role, world, client, response, before):
    """What a successful request did, beyond its status."""
    after = _state()
    if name == "api-docs":
        assert response["Location"] == "/api/v1/docs"
    elif name == "accounts:logout":
        assert response["Location"] == reverse("accounts:login")
        assert SESSION_KEY not in client.session
    elif name == "accounts:token-revoke":
        assert response["Location"] == reverse("accounts:tokens")
        assert ApiToken.objects.get(pk=world.tokens[role].pk).revoked_at is not None
        assert after == {**before, "revoked tokens": before["revoked tokens"] + 1}
    elif name == "core:reveal":
        assert PHONE in response.content.decode()
        assert after == {**before, "accesses": before["accesses"] + 1}
    elif name == "imports:run-apply":
        # the checked dry run is applied as a new run, queued as a job
        applied = ImportRun.objects.latest("pk")
        assert response["Location"] == applied.get_absolute_url()
        assert (applied.dry_run, applied.stored_name) == (False, world.runs[role].stored_name)
        assert after == {**before, "import runs": before["import runs"] + 1, "jobs": before["jobs"] + 1}
    elif name == "consumption:link-delete":
        assert not HouseholdLink.objects.filter(pk=world.consumption["link"].pk).exists()
        assert after == {
            **before,
            "household links": before["household links"] - 1,
            "changes": before["changes"] + 1,
        }
    elif name == "attachments:delete":
        from bangfu.attachments.models import Attachment

        assert not Attachment.objects.filter(pk=world.assistance["photo"].pk).exists()
        assert after == {**before, "changes": before["changes"] + 2}  # the attachment's and its project's
    elif name in ("attachments:file", "attachments:public-file"):
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    elif name == "consumption:product-photo":
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    elif name == "campaigns:order-cancel":
        assert response["Location"] == reverse(
            "campaigns:order-detail", kwargs={"pk": world.campaigns["orders"][role].pk}
        )
        placed = before["campaign orders placed"] - 1
        assert after == {**before, "campaign orders placed": placed, "changes": before["changes"] + 1}
    elif name == "core:job-download":
        assert b"".join(response.streaming_content) == f"job of {role}\n".encode()
    elif name == "reports:scorecard-export":
        assert response["Location"] == reverse("core:job-detail", kwargs={"pk": Job.objects.latest("pk").pk})
        assert after == {**before, "jobs": before["jobs"] + 1}
    elif name == "reports:snapshot-publish":
        from bangfu.reports.models import Snapshot

        assert response["Location"] == Snapshot.objects.latest("pk").get_absolute_url()
    elif name == "fieldwork:holiday-delete":
        from bangfu.fieldwork.models import PublicHoliday

        assert not PublicHoliday.objects.filter(pk=world.fieldwork["holiday"].pk).exists()
        assert after == {**before, "changes": before["changes"] + 1}
    else:
        assert after == before, f"GET {name} changed the database"


OUT_OF_SCOPE_CASES = [
    (name, role) for name in KEYED for role in sorted(EXPECTED.get(name, ())) if role != ANONYMOUS
]


@pytest.mark.parametrize(
    ("name", "role"), OUT_OF_SCOPE_CASES, ids=[f"{name}-{role}" for name, role in OUT_OF_SCOPE_CASES]
)
def test_object_outside_scope_is_missing(world, name, role):
    method, _status = METHOD_AND_STATUS.get(name, ("get", 200))
    client = _client(role, world)
    before = _state()

    response = _request(client, name, method, _outside_kwargs(name, world))

    assert response.status_code == 404, f"{name} as {role}: {response.status_code}"
    assert _state() == before
    assert ApiToken.objects.get(pk=world.outside["token"].pk).revoked_at is None


def test_keyed_urls_are_all_checked_outside_scope():
    assert set(KEYED) == {name for name, _role in OUT_OF_SCOPE_CASES}
    assert {"accounts:organization-edit", "regions:region-detail", "accounts:user-detail"} <= set(KEYED)


@pytest.mark.parametrize("name", sorted(POST_ONLY))
def test_post_only_urls_refuse_get(world, name):
    """A link or a prefetch must not log someone out, revoke a token or reveal a value."""
    before = _state()
    response = _request(_client(Role.ADMIN, world), name, "get", _kwargs(name, Role.ADMIN, world))
    assert response.status_code == 405
    assert _state() == before


def test_region_ancestors_outside_scope_are_missing(world):
    """The county user sees the county's subtree, not the city or province above it."""
    client = _client(Role.OFFICE, world)
    for code in ("410000000000", "410400000000"):
        assert client.get(reverse("regions:region-detail", kwargs={"pk": code})).status_code == 404
    assert client.get(reverse("regions:region-detail", kwargs={"pk": DEMO_COUNTY})).status_code == 200
