"""Fixtures for the registry: households made through the service, fake ID numbers, row counts."""

import datetime
import itertools
from contextlib import contextmanager

import pytest

from bangfu.audit.models import ChangeRecord
from bangfu.core import idnumber
from bangfu.core.permissions import Role
from bangfu.registry import services
from bangfu.registry.models import Household, IncomeRecord, MemberHistory, Person, StatusChange
from tests.conftest import DEMO_COUNTY, DEMO_VILLAGE, OTHER_COUNTY

COUNTY6 = DEMO_COUNTY[:6]  # 410423, 鲁山县
NEIGHBOUR_VILLAGE = "410423101002"  # same township (下汤镇) as DEMO_VILLAGE
OTHER_TOWNSHIP = "410423102000"  # 梁洼镇
OTHER_TOWNSHIP_VILLAGE = "410423102201"
OTHER_COUNTY_VILLAGE = "410402001001"  # 新华区, outside the demo county
COUNTED = (Household, Person, IncomeRecord, StatusChange, MemberHistory, ChangeRecord)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture
def unchanged():
    """``with unchanged(): ...`` fails unless the block leaves every registry and audit table as it was."""

    @contextmanager
    def check():
        before = row_counts()
        yield
        assert row_counts() == before

    return check


@pytest.fixture
def id_number():
    """``id_number(birth=…, male=…)``: a fresh checksum-valid number inside 410423, never repeated."""
    counter = itertools.count()

    def make(birth: datetime.date | None = None, *, male: bool = True) -> str:
        n = next(counter)
        birth = birth or datetime.date(1970, 1, 1) + datetime.timedelta(days=n // 400)
        sequence = (2 * (n % 400) + (1 if male else 0)) % 1000  # odd for men, even for women
        return idnumber.make(COUNTY6, birth, sequence)

    return make


@pytest.fixture
def x_id_number():
    """A number whose check character is X (to type it with a lower-case x)."""
    for sequence in range(1000):
        number = idnumber.make(COUNTY6, datetime.date(1961, 6, 15), sequence)
        if number.endswith("X"):
            return number
    raise AssertionError("no sequence gives X")  # pragma: no cover


@pytest.fixture
def person_data(id_number):
    """The data ``person_add`` takes for one member."""

    def make(name="周小红", relation="daughter", *, male=False, birth=None, **fields) -> dict:
        return {"name": name, "relation": relation, "id_number": id_number(birth, male=male), **fields}

    return make


@pytest.fixture
def household(region, id_number):
    """``household(head_name=…, village=…, **fields)``: a household and its head, through the service."""
    counter = itertools.count(1)

    def make(
        *, head_name="周耀伟", village=DEMO_VILLAGE, code=None, actor=None, causes=(), head=None, **fields
    ):
        number = next(counter)
        head_data = {"name": head_name, "id_number": id_number(), **(head or {})}
        return services.household_create(
            actor=actor,
            code=code or f"LS{number:05d}",
            region=region(village),
            head=head_data,
            causes=causes,
            **fields,
        )

    return make


@pytest.fixture
def office(make_user):
    return make_user(Role.OFFICE, DEMO_COUNTY, username="office")


@pytest.fixture
def cadre(make_user):
    """A stationed cadre whose scope is one village."""
    return make_user(Role.CADRE, DEMO_VILLAGE, username="cadre")


@pytest.fixture
def leader(make_user):
    return make_user(Role.LEADER, DEMO_COUNTY, username="leader")


@pytest.fixture
def other_office(make_user):
    return make_user(Role.OFFICE, OTHER_COUNTY, username="other-office")
