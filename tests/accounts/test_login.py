"""Logging in and out: the generic failure message, lock-out after repeated failures, safe redirects."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bangfu.accounts.models import User
from bangfu.core.permissions import Role
from tests.conftest import PASSWORD

LOGIN = reverse("accounts:login")
INVALID = "用户名或密码错误。"
LOCKED = "登录失败次数过多,账户已锁定,请稍后再试。"


@pytest.fixture
def user(make_user):
    return make_user(Role.OFFICE, username="zhangsan")


def _post(client: Client, username: str, password: str, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def _fail(client: Client, user: User, times: int) -> None:
    for _ in range(times):
        assert _post(client, user.username, "wrong-password").status_code == 400


def _logged_in(client: Client) -> bool:
    """Whether the client's session cookie names a signed-in user (without creating a session)."""
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    if cookie is None or not cookie.value:
        return False
    session = Session.objects.filter(session_key=cookie.value).first()
    return session is not None and SESSION_KEY in session.get_decoded()


def _sessions_of(user: User) -> int:
    return sum(1 for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(user.pk))


def test_login_page_renders(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()
    assert 'name="password"' in response.content.decode()


def test_pages_send_anonymous_visitors_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/"


def test_right_password_logs_in(client, user):
    response = _post(client, "zhangsan", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(user.pk)
    user.refresh_from_db()
    assert user.last_login is not None


def test_wrong_password_is_refused_and_counted(client, user):
    response = _post(client, "zhangsan", "wrong-password")

    assert response.status_code == 400
    assert INVALID in response.content.decode()
    assert not _logged_in(client)
    user.refresh_from_db()
    assert user.failed_logins == 1
    assert user.locked_until is None
    assert user.last_login is None


def test_unknown_username_gets_the_same_message(client, user):
    response = _post(client, "nobody", PASSWORD)

    assert response.status_code == 400
    assert INVALID in response.content.decode()
    assert LOCKED not in response.content.decode()
    assert not _logged_in(client)
    user.refresh_from_db()
    assert user.failed_logins == 0


def test_inactive_user_gets_the_same_message(client, user):
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = _post(client, "zhangsan", PASSWORD)
    assert response.status_code == 400
    assert INVALID in response.content.decode()
    assert not _logged_in(client)


def test_blank_fields_are_field_errors(client, user):
    response = _post(client, "", "")
    assert response.status_code == 400
    assert not response.context["form"].is_valid()
    assert set(response.context["form"].errors) == {"username", "password"}
    user.refresh_from_db()
    assert user.failed_logins == 0


def test_one_failure_short_of_the_limit_does_not_lock(client, user):
    _fail(client, user, settings.BANGFU_LOCKOUT_ATTEMPTS - 1)
    user.refresh_from_db()
    assert user.failed_logins == settings.BANGFU_LOCKOUT_ATTEMPTS - 1
    assert not user.is_locked()

    assert _post(client, "zhangsan", PASSWORD).status_code == 302
    user.refresh_from_db()
    assert user.failed_logins == 0


def test_too_many_failures_lock_the_account(client, user):
    _fail(client, user, settings.BANGFU_LOCKOUT_ATTEMPTS - 1)
    last = _post(client, "zhangsan", "wrong-password")
    assert last.status_code == 400
    assert LOCKED in last.content.decode()

    user.refresh_from_db()
    assert user.is_locked()
    expected_until = timezone.now() + timedelta(minutes=settings.BANGFU_LOCKOUT_MINUTES)
    assert abs(user.locked_until - expected_until) < timedelta(minutes=1)

    response = _post(client, "zhangsan", PASSWORD)

    assert response.status_code == 400
    assert LOCKED in response.content.decode()
    assert INVALID not in response.content.decode()
    assert not _logged_in(client)
    assert _sessions_of(user) == 0
    user.refresh_from_db()
    assert user.last_login is None


def test_locked_account_is_refused_by_the_backend_too(user, rf):
    """authenticate() itself refuses a locked account, whichever path calls it."""
    from django.contrib.auth import authenticate

    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() + timedelta(minutes=5))
    assert authenticate(rf.post(LOGIN), username="zhangsan", password=PASSWORD) is None


def test_login_works_again_once_the_lock_expires(client, user):
    _fail(client, user, settings.BANGFU_LOCKOUT_ATTEMPTS)
    user.refresh_from_db()
    assert user.is_locked()
    User.objects.filter(pk=user.pk).update(
        locked_until=timezone.now() - timedelta(seconds=1), failed_logins=2
    )

    response = _post(client, "zhangsan", PASSWORD)

    assert response.status_code == 302
    assert _logged_in(client)
    user.refresh_from_db()
    assert user.failed_logins == 0
    assert user.locked_until is None


def test_logout_needs_post(client_for, user):
    client = client_for(user)

    assert client.get(reverse("accounts:logout")).status_code == 405
    assert _logged_in(client)

    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert not _logged_in(client)
    assert _sessions_of(user) == 0
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/steal",
        "//evil.example/steal",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
    ],
)
def test_next_to_another_host_is_not_followed(client, user, target):
    response = _post(client, "zhangsan", PASSWORD, next=target)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _logged_in(client)


def test_next_on_this_site_is_followed(client, user):
    response = client.post(
        f"{LOGIN}?next=/regions/", {"username": "zhangsan", "password": PASSWORD, "next": "/regions/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/regions/"


def test_next_from_the_query_string_survives_the_form(client, user):
    page = client.get(f"{LOGIN}?next=/regions/")
    assert 'name="next" value="/regions/"' in page.content.decode()


def test_password_is_stored_as_argon2(user):
    user.refresh_from_db()
    assert user.password.startswith("argon2")
    assert PASSWORD not in user.password
    assert user.check_password(PASSWORD)


def test_failures_older_than_the_window_do_not_bring_a_lock_closer(db, client, settings):
    from datetime import timedelta

    from django.utils import timezone

    from bangfu.accounts import services
    from bangfu.accounts.models import User

    user = services.user_create(actor=None, username="window", password="Correct-horse-42")
    settings.BANGFU_LOCKOUT_ATTEMPTS = 3
    for _ in range(2):
        client.post("/accounts/login/", {"username": "window", "password": "wrong"})
    user.refresh_from_db()
    assert user.failed_logins == 2
    User.objects.filter(pk=user.pk).update(
        last_failed_login=timezone.now() - timedelta(minutes=settings.BANGFU_LOCKOUT_MINUTES + 1)
    )
    client.post("/accounts/login/", {"username": "window", "password": "wrong"})
    user.refresh_from_db()
    assert user.failed_logins == 1
    assert not user.is_locked()
