from bangfu.core.permissions import Role
from tests.conftest import DEMO_COUNTY


def test_home_shows_counts_in_scope(make_user, client_for):
    user = make_user(Role.OFFICE, DEMO_COUNTY)
    response = client_for(user).get("/")
    assert response.status_code == 200
    assert response.context["figures"]["villages"] > 500


def test_home_registry_figures_equal_their_lists(make_user, client_for, region):
    import datetime

    from bangfu.core import idnumber
    from bangfu.registry import services
    from bangfu.registry.models import HouseholdStatus

    user = make_user(Role.OFFICE, DEMO_COUNTY)
    for index in range(3):
        household = services.household_create(
            actor=None,
            code=f"HOME{index}",
            region=region("410423101001"),
            head={
                "name": "周耀伟",
                "id_number": idnumber.make("410423", datetime.date(1970, 1, 1), index * 2 + 1),
            },
        )
        if index == 0:
            services.status_change_add(
                actor=None, household=household, kind="lifted", date=datetime.date(2020, 12, 1)
            )
    client = client_for(user)
    figures = client.get("/").context["figures"]["registry"]
    assert figures["households"] == 3
    assert figures["persons"] == 3
    assert figures["lifted"] == 1
    assert client.get("/registry/households/").context["page"].paginator.count == figures["households"]
    lifted_list = client.get(f"/registry/households/?status={HouseholdStatus.LIFTED}")
    assert lifted_list.context["page"].paginator.count == figures["lifted"]
    assert client.get("/registry/persons/").context["page"].paginator.count == figures["persons"]
