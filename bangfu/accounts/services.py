"""Writes for organisations, users, memberships, logins and API tokens."""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.audit.services import audited_create, audited_update
from bangfu.regions.models import Region

from .models import ApiToken, Membership, Organization, User

TOKEN_PREFIX = "bf_"  # noqa: S105 - a marker, not a secret
PREFIX_BYTES = 4
SECRET_BYTES = 32
# bf_<8 hex digits>_<43 url-safe base64 characters>, as token_create makes them
TOKEN_PATTERN = re.compile(
    rf"{TOKEN_PREFIX}(?P<prefix>[0-9a-f]{{{PREFIX_BYTES * 2}}})_(?P<secret>[A-Za-z0-9_-]{{{(SECRET_BYTES * 4 + 2) // 3}}})"
)


# Organisations -----------------------------------------------------------------------------------


def organization_create(
    *, actor, name: str, kind: str, region: Region, parent: Organization | None = None, **fields
) -> Organization:
    organization = Organization(
        name=name, kind=kind, region=region, region_code=region.code, parent=parent, **fields
    )
    return audited_create(actor=actor, instance=organization)


def organization_update(*, actor, organization: Organization, data: dict) -> Organization:
    if "region" in data:
        data = {**data, "region_code": data["region"].code}
    if "parent" in data:
        _check_parent(organization, data["parent"])
    return audited_update(actor=actor, instance=organization, data=data)


def _check_parent(organization: Organization, parent: Organization | None) -> None:
    node = parent
    while node is not None:
        if organization.pk is not None and node.pk == organization.pk:
            raise ValidationError({"parent": _("上级单位不能是本单位或其下级单位。")})
        node = node.parent


# Users and memberships ---------------------------------------------------------------------------


def user_create(
    *,
    actor,
    username: str,
    password: str,
    display_name: str = "",
    phone: str = "",
    is_superuser: bool = False,
) -> User:
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("用户名已存在。")})
    user = User(
        username=username,
        display_name=display_name,
        phone=phone,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    user.set_password(password)
    with transaction.atomic():
        audited_create(actor=actor, instance=user)
    return user


def membership_create(
    *, actor, user: User, organization: Organization, role: str, regions: list[Region]
) -> Membership:
    if not regions:
        raise ValidationError({"regions": _("至少指定一个管辖区域。")})
    with transaction.atomic():
        membership = audited_create(
            actor=actor, instance=Membership(user=user, organization=organization, role=role)
        )
        membership.regions.set(regions)
    user.__dict__.pop("_scope_cache", None)
    return membership


def password_change(*, actor: User, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise ValidationError({"old_password": _("原密码不正确。")})
    try:
        validate_password(new_password, user)
    except ValidationError as error:
        raise ValidationError({"new_password": error.messages}) from error
    probe = User(username=user.username)
    probe.set_password(new_password)
    audited_update(actor=actor, instance=user, data={"password": probe.password})


# Logins and lock-out -----------------------------------------------------------------------------


@dataclass
class LoginResult:
    user: User | None
    error: str = ""  # "invalid" | "locked" | "inactive"
    locked_until: object = None


def login_attempt(*, request, username: str, password: str) -> LoginResult:
    """Check a password; count failures and lock the account after too many."""
    candidate = User.objects.filter(username=username).first()
    now = timezone.now()
    if candidate is not None and candidate.is_locked(now):
        return LoginResult(None, "locked", candidate.locked_until)
    user = authenticate(request, username=username, password=password)
    if user is not None:
        if user.failed_logins or user.locked_until:
            User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        return LoginResult(user)
    if candidate is None:
        return LoginResult(None, "invalid")
    if not candidate.is_active:
        return LoginResult(None, "invalid")
    window = timedelta(minutes=settings.BANGFU_LOCKOUT_MINUTES)
    if candidate.last_failed_login is not None and now - candidate.last_failed_login > window:
        # Failures count only within the window: an old one no longer brings a lock closer.
        User.objects.filter(pk=candidate.pk).update(failed_logins=0)
    User.objects.filter(pk=candidate.pk).update(failed_logins=F("failed_logins") + 1, last_failed_login=now)
    candidate.refresh_from_db(fields=["failed_logins"])
    if candidate.failed_logins >= settings.BANGFU_LOCKOUT_ATTEMPTS:
        until = now + timedelta(minutes=settings.BANGFU_LOCKOUT_MINUTES)
        User.objects.filter(pk=candidate.pk).update(locked_until=until, failed_logins=0)
        return LoginResult(None, "locked", until)
    return LoginResult(None, "invalid")


def user_unlock(*, actor, user: User) -> None:
    audited_update(actor=actor, instance=user, data={"failed_logins": 0, "locked_until": None})


# API tokens --------------------------------------------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_create(*, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Make a token; the full value is returned once and only its hash is kept."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写令牌名称。")})
    if days is not None and not 1 <= days <= 3650:
        raise ValidationError({"days": _("有效天数应在1到3650之间。")})
    prefix = secrets.token_hex(PREFIX_BYTES)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=prefix,
        secret_hash=_digest(secret),
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    return token, f"{TOKEN_PREFIX}{prefix}_{secret}"


TOKEN_USE_RESOLUTION = timedelta(minutes=1)


def token_authenticate(raw: str) -> User | None:
    """The user a presented token belongs to, or None for a forged, revoked or expired one."""
    # Only the shape token_create makes reaches the database: garbage (a NUL byte makes
    # PostgreSQL raise) is refused here.
    match = TOKEN_PATTERN.fullmatch(raw or "")
    if match is None:
        return None
    prefix, secret = match.group("prefix"), match.group("secret")
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _digest(secret)):
        return None
    if not token.is_usable() or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_RESOLUTION:
        # "Last used" to the minute: writing it on every call would add a write (and a
        # commit) to every API request, which is most of the cost of a cheap one.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def token_revoke(*, user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.get(pk=token_id, user=user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
