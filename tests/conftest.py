"""Fixtures shared by the whole suite.

Tests run on SQLite by default and on PostgreSQL when DATABASE_URL points there.
Tests marked ``postgres`` (row locks, COPY, pg_dump) are deselected on SQLite, not
skipped: CI runs the suite on both databases, so each test runs where it means something.
"""

from contextlib import contextmanager
from functools import lru_cache

import pytest
from django.db import connection, transaction
from django.test import Client

from bangfu.core.permissions import Role

PASSWORD = "Correct-horse-42"
DEMO_COUNTY = "410423000000"
DEMO_TOWNSHIP = "410423101000"  # 下汤镇
DEMO_VILLAGE = "410423101001"
OTHER_COUNTY = "410402000000"  # 新华区, same city, outside the demo county


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    if on_postgres:
        return
    kept, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("postgres") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Tests do not run collectstatic; serve assets without the manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@lru_cache(maxsize=2)
def _region_rows(prefix: str) -> tuple:
    from bangfu.regions.services import DATA_FILE, dataset_rows

    return tuple(dataset_rows(DATA_FILE, prefix))


@pytest.fixture
def regions(db):
    """The regions of 平顶山市 (which holds the demo county and a second county)."""
    from bangfu.regions.models import Region
    from bangfu.regions.services import load_rows

    if not Region.objects.filter(code=DEMO_VILLAGE).exists():
        load_rows(_region_rows("4104"))
    return Region.objects


@pytest.fixture
def region(regions):
    def get(code: str):
        return regions.get(code=code)

    return get


@pytest.fixture
def make_org(region):
    from bangfu.accounts import services
    from bangfu.accounts.models import OrganizationKind

    counter = iter(range(1, 10_000))

    def make(name=None, kind=OrganizationKind.GOVERNMENT, region_code=DEMO_COUNTY, parent=None, **fields):
        return services.organization_create(
            actor=None,
            name=name or f"测试单位{next(counter)}",
            kind=kind,
            region=region(region_code),
            parent=parent,
            **fields,
        )

    return make


@pytest.fixture
def make_user(db, make_org, region):
    """``make_user(Role.OFFICE, DEMO_COUNTY)``: a user with one role scoped to the given regions."""
    from bangfu.accounts import services

    counter = iter(range(1, 10_000))

    def make(role=None, *region_codes, organization=None, username=None, superuser=False):
        user = services.user_create(
            actor=None,
            username=username or f"user{next(counter)}",
            password=PASSWORD,
            is_superuser=superuser,
        )
        if role is not None:
            organization = organization or make_org()
            services.membership_create(
                actor=None,
                user=user,
                organization=organization,
                role=role,
                regions=[region(code) for code in (region_codes or (DEMO_COUNTY,))],
            )
        return user

    return make


@pytest.fixture
def office_user(make_user):
    return make_user(Role.OFFICE, DEMO_COUNTY, username="office")


@pytest.fixture
def client_for():
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def module_demo(django_db_blocker, seed: int):
    """The demo county built once for a test module, inside an outer transaction that each
    test's own transaction nests in, rolled back when the module is done (a build takes a
    while; the tests only read it)."""
    from bangfu.core.demo import build_demo
    from bangfu.regions.services import load_rows

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load_rows(_region_rows("4104"))
            build_demo(scale="small", seed=seed)
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
