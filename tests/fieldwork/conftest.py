"""Fixtures for fieldwork: a team in a village of the demo county, one outside it."""

import datetime
from contextlib import contextmanager

import pytest

from bangfu.accounts.models import OrganizationKind
from bangfu.attachments.models import Attachment
from bangfu.audit.models import ChangeRecord
from bangfu.core.permissions import Role
from bangfu.fieldwork import models, services
from tests.conftest import DEMO_COUNTY, DEMO_VILLAGE, OTHER_COUNTY

SECOND_VILLAGE = "410423101002"
FAR_VILLAGE = "410402001001"  # a village of 新华区, outside the demo county
START = datetime.date(2025, 1, 6)  # a Monday


def counted_models():
    names = ["Team", "TeamMember", "CheckIn", "Leave", "Visit", "Need", "PublicHoliday"]
    return [getattr(models, name) for name in names] + [Attachment, ChangeRecord]


def stored_files() -> list[str]:
    """Every stored attachment file (a visit's photos and their thumbnails) under MEDIA_ROOT."""
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in (root / "attachments").rglob("*") if path.is_file())


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in counted_models()} | {
        "files": len(stored_files())
    }


@pytest.fixture
def unchanged():
    """``with unchanged(): ...`` fails unless the block leaves every fieldwork, attachment and audit
    table, and the stored files, as they were."""

    @contextmanager
    def check():
        before = row_counts()
        yield
        assert row_counts() == before

    return check


class World:
    def __init__(self, make_org, make_user, region):
        self.sender = make_org(name="县总工会", kind=OrganizationKind.UNION)
        self.office = make_user(Role.OFFICE, DEMO_COUNTY, username="office")
        self.cadre = make_user(Role.CADRE, DEMO_VILLAGE, username="cadre")
        self.leader = make_user(Role.CADRE, DEMO_VILLAGE, username="leader")
        self.outsider = make_user(Role.OFFICE, OTHER_COUNTY, username="far-office")
        self.team = services.team_create(
            actor=None, region=region(DEMO_VILLAGE), organization=self.sender, starts_on=START
        )
        self.second = services.team_create(
            actor=None, region=region(SECOND_VILLAGE), organization=self.sender, starts_on=START
        )
        self.far = services.team_create(
            actor=None, region=region(FAR_VILLAGE), organization=self.sender, starts_on=START
        )
        self.member = services.member_add(
            actor=None, team=self.team, user=self.cadre, role=models.TeamRole.MEMBER, starts_on=START
        )
        self.head = services.member_add(
            actor=None, team=self.team, user=self.leader, role=models.TeamRole.LEADER, starts_on=START
        )


@pytest.fixture
def world(make_org, make_user, region):
    return World(make_org, make_user, region)


_id_sequence = iter(range(1, 100_000))


def make_household(region, code: str, village: str = DEMO_VILLAGE):
    from bangfu.core import idnumber
    from bangfu.registry import services as registry

    number = idnumber.make(village[:6], datetime.date(1970, 1, 1), next(_id_sequence) * 2 + 1)
    return registry.household_create(
        actor=None, code=code, region=region(village), head={"name": "周耀伟", "id_number": number}
    )


@pytest.fixture
def households(world, region, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return {
        "near": make_household(region, "LS0001"),
        "second": make_household(region, "LS0002", SECOND_VILLAGE),
        "far": make_household(region, "XH0001", FAR_VILLAGE),
    }


def image(kind="JPEG", size=(8, 8)) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, "green").save(buffer, kind)
    return buffer.getvalue()
