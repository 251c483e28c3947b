"""Personal API tokens: shown once, stored as a hash, refused when forged, revoked or expired."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bangfu.accounts import services
from bangfu.accounts.models import ApiToken, User
from bangfu.core.permissions import Role

TOKENS = reverse("accounts:tokens")
RAW = re.compile(r"bf_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")


@pytest.fixture
def user(make_user):
    return make_user(Role.OFFICE, username="lisi")


def _create_through_page(client, name="数据同步", days=""):
    response = client.post(TOKENS, {"name": name, "days": days})
    assert response.status_code == 200
    found = RAW.findall(response.content.decode())
    assert len(found) == 1, "the new token is shown exactly once on the page"
    return found[0]


def _me(client, header: str):
    return client.get("/api/v1/me", HTTP_AUTHORIZATION=header)


def _assert_unauthenticated(response):
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "unauthenticated"


def test_page_creates_a_token_and_stores_only_its_hash(client_for, user):
    client = client_for(user)
    raw = _create_through_page(client)

    token = ApiToken.objects.get(user=user)
    prefix, secret = raw.removeprefix("bf_").split("_", 1)
    assert token.name == "数据同步"
    assert token.prefix == prefix
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.expires_at is None
    stored = [str(getattr(token, f.attname)) for f in ApiToken._meta.concrete_fields]
    assert not [value for value in stored if secret in value or raw in value]


def test_token_is_not_shown_again(client_for, user):
    client = client_for(user)
    raw = _create_through_page(client)

    page = client.get(TOKENS).content.decode()

    assert raw not in page
    assert raw.split("_", 2)[2] not in page  # the whole secret (token_urlsafe may itself hold "_")
    assert f"bf_{ApiToken.objects.get(user=user).prefix}_" in page  # the list names it by prefix only


def test_days_set_an_expiry(client_for, user):
    _create_through_page(client_for(user), days="30")
    expires = ApiToken.objects.get(user=user).expires_at
    assert abs(expires - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)


def test_token_from_the_page_works_against_the_api(client_for, client, user):
    raw = _create_through_page(client_for(user))

    response = _me(client, f"Bearer {raw}")

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "lisi"
    assert [m["role"] for m in body["memberships"]] == [Role.OFFICE]
    assert ApiToken.objects.get(user=user).last_used_at is not None


def test_last_use_is_recorded_to_the_minute_without_a_write_per_call(client, user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    token, raw = services.token_create(user=user, name="ci")
    assert _me(client, f"Bearer {raw}").status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as captured:
        assert _me(client, f"Bearer {raw}").status_code == 200
    assert not [q for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - services.TOKEN_USE_RESOLUTION)
    assert _me(client, f"Bearer {raw}").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at > first - services.TOKEN_USE_RESOLUTION


def test_forged_secret_is_refused(client, user):
    token, raw = services.token_create(user=user, name="ci")
    forged = raw[:-1] + ("A" if raw[-1] != "A" else "B")

    _assert_unauthenticated(_me(client, f"Bearer {forged}"))
    token.refresh_from_db()
    assert token.last_used_at is None


def test_revoked_token_is_refused(client_for, client, user):
    token, raw = services.token_create(user=user, name="ci")
    assert _me(client, f"Bearer {raw}").status_code == 200

    response = client_for(user).post(reverse("accounts:token-revoke", args=[token.pk]))

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    _assert_unauthenticated(_me(client, f"Bearer {raw}"))


def test_expired_token_is_refused(client, user):
    token, raw = services.token_create(user=user, name="ci", days=1)
    assert _me(client, f"Bearer {raw}").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    _assert_unauthenticated(_me(client, f"Bearer {raw}"))


def test_token_of_an_inactive_user_is_refused(client, user):
    _token, raw = services.token_create(user=user, name="ci")
    User.objects.filter(pk=user.pk).update(is_active=False)
    _assert_unauthenticated(_me(client, f"Bearer {raw}"))


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer",
        "Bearer ",
        "Bearer garbage",
        "Bearer bf_",
        "Bearer bf__",
        "Bearer bf_zzzzzzzz_secret",
        "Bearer bf_" + "a" * 40 + "_x",
        "Bearer bf_0000\x0000_" + "a" * 43,  # a NUL byte must not reach the database
        "Bearer bf_é_x",
        "Basic bGlzaTpDb3JyZWN0LWhvcnNlLTQy",  # lisi:Correct-horse-42 is not how the API logs in
        "Token bf_00000000_" + "a" * 43,
    ],
    ids=lambda h: repr(h)[:30],
)
def test_garbage_headers_are_refused(client, user, header):
    services.token_create(user=user, name="ci")
    _assert_unauthenticated(_me(client, header))


def test_no_header_at_all_is_refused(client, db):
    _assert_unauthenticated(client.get("/api/v1/me"))


def test_a_token_works_only_with_its_own_secret(client, make_user):
    """Two users' tokens: one's prefix with the other's secret is a forgery."""
    first, raw_first = services.token_create(user=make_user(Role.OFFICE), name="a")
    _second, raw_second = services.token_create(user=make_user(Role.OFFICE), name="b")
    mixed = f"bf_{first.prefix}_{raw_second.split('_', 2)[2]}"
    _assert_unauthenticated(_me(client, f"Bearer {mixed}"))
    assert _me(client, f"Bearer {raw_first}").status_code == 200


def test_user_cannot_revoke_another_users_token(client_for, client, user, make_user):
    other = make_user(Role.OFFICE, username="wangwu")
    token, raw = services.token_create(user=other, name="wangwu's")

    response = client_for(user).post(reverse("accounts:token-revoke", args=[token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert _me(client, f"Bearer {raw}").status_code == 200


def test_tokens_page_lists_only_ones_own_tokens(client_for, user, make_user):
    services.token_create(user=make_user(Role.OFFICE), name="别人的令牌")
    services.token_create(user=user, name="我的令牌")
    page = client_for(user).get(TOKENS).content.decode()
    assert "我的令牌" in page
    assert "别人的令牌" not in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "days": ""}, "name"),
        ({"name": "   ", "days": ""}, "name"),
        ({"name": "ci", "days": "0"}, "days"),
        ({"name": "ci", "days": "3651"}, "days"),
        ({"name": "ci", "days": "soon"}, "days"),
    ],
)
def test_bad_input_is_a_field_error_and_creates_nothing(client_for, user, data, field):
    response = client_for(user).post(TOKENS, data)

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert response.context["new_token"] is None
    assert not RAW.search(response.content.decode())
    assert ApiToken.objects.count() == 0


def test_service_refuses_a_blank_name(user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.token_create(user=user, name="  ")
    assert "name" in error.value.message_dict
    assert ApiToken.objects.count() == 0
