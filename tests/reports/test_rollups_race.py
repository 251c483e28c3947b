"""Writers and refreshing readers of the rollup cells racing, with real processes on PostgreSQL."""

import datetime
import multiprocessing
import time

import pytest
from django.db import connection, connections

from bangfu.accounts.models import User
from bangfu.core.permissions import Cap
from bangfu.registry.models import Household
from bangfu.reports import rollups
from bangfu.reports.scorecard import Card, Period, Scope

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
WRITERS = 4


def _card(user):
    return Card(user=user, scope=Scope(), period=Period(2014, 2026), today=datetime.date(2026, 6, 30))


def _writer(args):
    villages, prefix, start_at = args
    from bangfu.regions.models import Region

    while time.time() < start_at:
        time.sleep(0.001)
    try:
        for index, code in enumerate(villages):
            Household.objects.create(
                code=f"{prefix}-{index}",
                region=Region.objects.get(pk=code),
                region_code=code,
                lifted_year=2015,
            )
    finally:
        connection.close()


def _reader(args):
    user_id, expected, start_at = args
    while time.time() < start_at:
        time.sleep(0.001)
    user = User.objects.get(pk=user_id)
    cube = rollups.CUBES["registry.household"]
    try:
        # refresh and read for as long as the writers write
        while Household.objects.filter(code__startswith="RACE").count() < expected:
            cube.read(_card(user), Cap.REGISTRY_VIEW, group=("year",))
    finally:
        connection.close()


def test_writers_racing_refreshing_readers_leave_no_stale_cell(regions, make_user):
    """Households written in four villages while two processes keep refreshing and reading:
    a refresh that cleared a mark it had not applied would leave a cell short for good."""
    from bangfu.regions.models import Level, Region

    admin = make_user(superuser=True)
    # one village in each township: every write marks a region no other write marks, so a mark
    # a refresh dropped without applying it would leave that township's cell short for good
    villages = {}
    for code in Region.objects.filter(level=Level.VILLAGE).order_by("code").values_list("code", flat=True):
        villages.setdefault(code[:9], code)
    villages = sorted(villages.values())
    assert len(villages) >= 100
    rollups.refresh()
    connections.close_all()
    start_at = time.time() + 1.5
    jobs = [(_writer, (villages[w::WRITERS], f"RACE{w}", start_at)) for w in range(WRITERS)]
    jobs += [(_reader, (admin.pk, len(villages), start_at))] * 2
    with multiprocessing.get_context("fork").Pool(len(jobs)) as pool:
        for result in [pool.apply_async(function, (args,)) for function, args in jobs]:
            result.get(timeout=300)
    assert Household.objects.filter(code__startswith="RACE").count() == len(villages)
    cube = rollups.CUBES["registry.household"]
    group = ("year", "region:9")
    cells = sorted(cube.read(_card(admin), Cap.REGISTRY_VIEW, group=group))
    raw = sorted(cube._read_source(_card(admin), Cap.REGISTRY_VIEW, group, None, None))
    assert cells == raw
    assert sum(row[2] for row in raw) == len(villages)
