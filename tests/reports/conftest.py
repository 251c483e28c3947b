"""The demo county, built once for the module that asks for it and rolled back afterwards.

Scorecard tests read the demo (every module has data there); building it takes a while,
so the figures of every section are checked against one build. The build runs inside an
outer transaction that each test's own transaction nests in, and is rolled back at the end."""

import pytest

from tests.conftest import module_demo


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with module_demo(django_db_blocker, seed=1):
        yield
