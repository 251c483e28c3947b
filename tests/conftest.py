"""Fixtures shared by the whole suite.

Tests run on SQLite by default and on PostgreSQL when DATABASE_URL points there.
Tests marked ``postgres`` (row locks, COPY, pg_dump) are deselected on SQLite, not
skipped: CI runs the suite on both databases, so each test runs where it means something.
"""

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
    if not on_postgres:
        kept, dropped = [], []
        for item in items:
            (dropped if item.get_closest_marker("postgres") else kept).append(item)
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = kept
    # The tests that read the shared demo build run together, the one that builds it twice
    # first: each test process then builds the demo once (see ``_SharedDemo``). They run
    # first, so that the longest setups start while the other processes have work left.
    items.sort(key=lambda item: (not _reads_demo(item), "fresh_demo" not in item.fixturenames))


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


DEMO_SEED = 1  # the seed of the shared demo build (see ``demo``)
DEMO_FIXTURES = ("demo", "fresh_demo")  # fixture names of the tests that read the shared build


class _SharedDemo:
    """The demo county built once per test process and kept, inside an outer transaction,
    for every test that reads it.

    A build takes a while and the reading tests are many (every app's demo tests, the
    scorecard): each process builds it once. The tests' own transactions nest inside the
    outer one as savepoints, so whatever a test writes is rolled back to the built demo.
    The build is rolled back before any test that does not ask for it (``pytest_runtest_setup``
    below) and at the end of the session; the reading tests are ordered together
    (``pytest_collection_modifyitems``) so that happens once."""

    def __init__(self):
        self.seed = None
        self.context = None
        self._outer = None
        self._blocker = None

    def ensure(self, django_db_blocker, seed: int, *, first=None):
        """The demo of ``seed``, built unless it already is. ``first()``, if given, runs on
        the empty database inside the outer transaction before the build (its writes must be
        rolled back by itself); asking for it always rebuilds."""
        if self.seed == seed and first is None:
            return self.context
        self.release()
        from bangfu.core.demo import build_demo
        from bangfu.regions.services import load_rows

        with django_db_blocker.unblock():
            outer = transaction.atomic()
            outer.__enter__()
            self._outer, self._blocker = outer, django_db_blocker
            try:
                load_rows(_region_rows("4104"))
                result = first() if first is not None else None
                self.context = build_demo(scale="small", seed=seed)
            except BaseException:
                self.release()
                raise
        self.seed = seed
        return self.context if first is None else (self.context, result)

    def release(self):
        if self._outer is None:
            return
        if connection.savepoint_ids:
            raise RuntimeError(
                "the shared demo is rolled back while a transaction inside it is still open: "
                "a test that reads it was ordered between tests that do not"
            )
        outer, blocker = self._outer, self._blocker
        self._outer = self._blocker = self.seed = self.context = None
        with blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


shared_demo = _SharedDemo()


def _reads_demo(item) -> bool:
    return any(name in getattr(item, "fixturenames", ()) for name in DEMO_FIXTURES)


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(item.fixturenames)
    )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """A test that does not read the shared demo starts without it."""
    if not _reads_demo(item):
        shared_demo.release()
    elif _transactional(item):
        pytest.fail(
            "the shared demo lives in a transaction that is never committed: "
            "a transactional test (or one with a live server) builds its own demo",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """pytest-django's test databases; the shared demo is rolled back before they go."""
    yield
    shared_demo.release()


@pytest.fixture(scope="module")
def _demo_build(django_db_setup, django_db_blocker):
    """The shared build, made (if it is not) before any test's own transaction begins."""
    return shared_demo.ensure(django_db_blocker, DEMO_SEED)


@pytest.fixture
def demo(_demo_build, django_db_blocker):
    """The demo county (``DEMO_SEED``), shared by every test that reads it. Each test runs in a
    savepoint of its own, closed when it ends: a test that does not read the demo may follow,
    in the same module or not, and the build can then be rolled back."""
    if shared_demo.context is not _demo_build:
        pytest.fail("the shared demo was rolled back before a test that reads it", pytrace=False)
    with django_db_blocker.unblock(), transaction.atomic():
        yield _demo_build
        transaction.set_rollback(True)
