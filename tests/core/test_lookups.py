"""``field__any``: the same rows as ``field__in``, as one array parameter on PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bangfu.regions.models import Region

pytestmark = pytest.mark.django_db


def test_any_finds_what_in_finds(regions):
    codes = list(Region.objects.filter(code__startswith="410423101").values_list("code", flat=True)[:40])
    wanted = [*codes, "999999999999"]  # one code that does not exist
    with CaptureQueriesContext(connection) as captured:
        found = set(Region.objects.filter(code__any=wanted).values_list("code", flat=True))
    assert found == set(Region.objects.filter(code__in=wanted).values_list("code", flat=True))
    assert found == set(codes)
    sql = captured.captured_queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql and " IN (" not in sql
    else:
        assert " IN (" in sql


def test_any_of_nothing_finds_nothing(regions):
    assert list(Region.objects.filter(code__any=[])) == []
