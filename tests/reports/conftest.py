"""The demo county, built once for the module that asks for it and rolled back afterwards.

Scorecard tests read the demo (every module has data there); building it takes a while,
so the figures of every section are checked against one build. The build runs inside an
outer transaction that each test's own transaction nests in, and is rolled back at the end."""

import pytest
from django.db import transaction


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from bangfu.core.demo import build_demo
    from bangfu.regions.services import load_rows
    from tests.conftest import _region_rows

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load_rows(_region_rows("4104"))
            build_demo(scale="small", seed=1)
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
