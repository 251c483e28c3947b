from bangfu.core.permissions import Role
from tests.conftest import DEMO_COUNTY


def test_home_shows_counts_in_scope(make_user, client_for):
    user = make_user(Role.OFFICE, DEMO_COUNTY)
    response = client_for(user).get("/")
    assert response.status_code == 200
    assert response.context["figures"]["villages"] > 500
