"""Teams and their rolls: services with audit, rotation history, bad input writing nothing, pages."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bangfu.audit.models import ChangeRecord
from bangfu.fieldwork import services
from bangfu.fieldwork.errors import ErrorCode
from bangfu.fieldwork.models import Team, TeamMember, TeamRole
from tests.conftest import DEMO_TOWNSHIP, DEMO_VILLAGE

from .conftest import SECOND_VILLAGE, START

pytestmark = pytest.mark.django_db


def codes(error: ValidationError) -> set[str]:
    return {e.code for errors in error.error_dict.values() for e in errors}


def test_team_create_writes_its_audit(world, region):
    before = ChangeRecord.objects.count()
    team = services.team_create(
        actor=world.office, region=region(SECOND_VILLAGE), organization=world.sender, starts_on=START
    )
    assert team.region_code == SECOND_VILLAGE
    assert ChangeRecord.objects.count() == before + 1
    assert ChangeRecord.objects.latest("pk").object_id == str(team.pk)


@pytest.mark.parametrize(
    ("code", "expected"),
    [(DEMO_TOWNSHIP, ErrorCode.NOT_A_VILLAGE), ("410402001001", ErrorCode.OUT_OF_SCOPE)],
)
def test_team_outside_a_village_or_the_scope_is_refused(world, region, unchanged, code, expected):
    with unchanged(), pytest.raises(ValidationError) as error:
        services.team_create(
            actor=world.office, region=region(code), organization=world.sender, starts_on=START
        )
    assert codes(error.value) == {expected}


def test_team_period_backwards_is_refused(world, region, unchanged):
    with unchanged(), pytest.raises(ValidationError) as error:
        services.team_create(
            actor=world.office,
            region=region(SECOND_VILLAGE),
            organization=world.sender,
            starts_on=START,
            ends_on=START - datetime.timedelta(days=1),
        )
    assert codes(error.value) == {ErrorCode.PERIOD_REVERSED}


def test_rotation_keeps_the_history(world, make_user):
    newcomer = make_user(None, username="newcomer")
    ended = services.member_end(
        actor=world.office, member=world.member, ends_on=datetime.date(2025, 6, 30), reason="轮换"
    )
    successor = services.member_add(
        actor=world.office,
        team=world.team,
        user=newcomer,
        role=TeamRole.MEMBER,
        starts_on=datetime.date(2025, 7, 1),
    )
    assert ended.ends_on == datetime.date(2025, 6, 30)
    roll = TeamMember.objects.filter(team=world.team)
    assert set(roll) == {world.member, world.head, successor}  # the one who left stays on the roll
    # the person who left may join another team after the end date, not before
    services.member_add(
        actor=world.office, team=world.second, user=world.cadre, starts_on=datetime.date(2025, 7, 1)
    )


def test_one_person_serves_on_one_team_at_a_time(world, unchanged):
    with unchanged(), pytest.raises(ValidationError) as error:
        services.member_add(actor=world.office, team=world.second, user=world.cadre, starts_on=START)
    assert codes(error.value) == {ErrorCode.ALREADY_MEMBER}


def test_stint_outside_the_team_period_is_refused(world, unchanged, make_user):
    newcomer = make_user(None)
    with unchanged(), pytest.raises(ValidationError) as error:
        services.member_add(
            actor=world.office, team=world.second, user=newcomer, starts_on=START - datetime.timedelta(days=1)
        )
    assert codes(error.value) == {ErrorCode.OUTSIDE_TEAM_PERIOD}


def test_ending_twice_or_out_of_scope_is_refused(world, unchanged):
    services.member_end(actor=world.office, member=world.member, ends_on=datetime.date(2025, 3, 1))
    with unchanged():
        with pytest.raises(ValidationError) as error:
            services.member_end(actor=world.office, member=world.member, ends_on=datetime.date(2025, 4, 1))
        assert codes(error.value) == {ErrorCode.ALREADY_ENDED}
        with pytest.raises(ValidationError) as error:
            services.member_end(actor=world.outsider, member=world.head, ends_on=datetime.date(2025, 4, 1))
        assert codes(error.value) == {ErrorCode.OUT_OF_SCOPE}


def test_team_period_cannot_shrink_past_a_member(world, unchanged):
    with unchanged(), pytest.raises(ValidationError) as error:
        services.team_update(
            actor=world.office, team=world.team, data={"starts_on": START + datetime.timedelta(days=3)}
        )
    assert codes(error.value) == {ErrorCode.OUTSIDE_TEAM_PERIOD}


def test_team_list_is_scoped_and_without_n_plus_one(world, client_for, region):
    client = client_for(world.office)
    response = client.get("/fieldwork/teams/")
    assert set(response.context["page"].object_list) == {world.team, world.second}
    with CaptureQueriesContext(connection) as few:
        client.get("/fieldwork/teams/")
    for code in ("202", "203", "204", "205", "206"):
        services.team_create(
            actor=None, region=region(f"410423101{code}"), organization=world.sender, starts_on=START
        )
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/fieldwork/teams/").context["page"].object_list) == 7
    assert len(many.captured_queries) == len(few.captured_queries)
    assert client.get(f"/fieldwork/teams/{world.far.pk}/").status_code == 404


def test_team_pages_create_add_and_end(world, client_for, make_user):
    client = client_for(world.office)
    response = client.post(
        "/fieldwork/teams/new/",
        {
            "region": SECOND_VILLAGE,
            "organization": world.sender.pk,
            "starts_on": "2025-02-01",
            "name": "二队",
        },
    )
    assert response.status_code == 302, response.content.decode()
    team = Team.objects.get(name="二队")
    newcomer = make_user(None, username="newbie")
    response = client.post(
        f"/fieldwork/teams/{team.pk}/members/new/",
        {"user": "newbie", "role": "first_secretary", "starts_on": "2025-02-01"},
    )
    assert response.status_code == 302
    member = TeamMember.objects.get(team=team, user=newcomer)
    response = client.post(
        f"/fieldwork/members/{member.pk}/end/", {"ends_on": "2025-05-01", "reason": "期满"}
    )
    assert response.status_code == 302
    page = client.get(f"/fieldwork/teams/{team.pk}/").content.decode()
    assert "期满" in page and "newbie" in page


def test_member_add_with_bad_input_writes_nothing(world, client_for, unchanged):
    client = client_for(world.office)
    with unchanged():
        response = client.post(
            f"/fieldwork/teams/{world.team.pk}/members/new/",
            {"user": "cadre", "role": "member", "starts_on": "2025-02-01"},
        )
        assert response.status_code == 400
        assert "同一时间只能在一个工作队" in response.content.decode()
        response = client.post(
            f"/fieldwork/teams/{world.team.pk}/members/new/",
            {"user": "nobody", "role": "member", "starts_on": "2025-02-01"},
        )
        assert response.status_code == 400
    assert DEMO_VILLAGE == world.team.region_code
