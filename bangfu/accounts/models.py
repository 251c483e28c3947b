from django.apps import apps
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangfu.core.permissions import ROLE_CAPABILITIES, Cap, Role
from bangfu.core.scoping import NATIONWIDE, collapse, prefix_q
from bangfu.regions.models import Region


class OrganizationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    UNION = "union", _("工会")
    GOVERNMENT = "government", _("政府部门")
    HOSPITAL = "hospital", _("医院")
    SCHOOL = "school", _("学校")
    COOPERATIVE = "cooperative", _("合作社")
    SUPPLIER = "supplier", _("供应商")
    SOCIAL = "social", _("社会组织")
    VILLAGE_COMMITTEE = "village_committee", _("村委会")


def organization_reach() -> list[tuple[type[models.Model], str]]:
    """Models through which an organisation works in a region other than its own.

    A model declares ``organization_reach = "<its organisation field>"`` (a partnership into a
    county, a team stationed in a village): whoever may see organisations in that region sees
    the organisation's page too, although it is registered elsewhere. Seeing only: managing
    it still needs its own region in scope.
    """
    return [
        (model, model.organization_reach)
        for model in apps.get_models()
        if isinstance(getattr(model, "organization_reach", None), str)
    ]


class Organization(models.Model):
    """Any party: enterprise, union, office, hospital, school, cooperative, supplier, …"""

    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=OrganizationKind.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    region = models.ForeignKey("regions.Region", verbose_name=_("所在地区"), on_delete=models.PROTECT)
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["region_code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "region"], name="organization_unique_name_region")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:organization-detail", args=[self.pk])

    @staticmethod
    def scope_extra(user, capability: str) -> Q:
        """A user always sees the organisations they belong to, wherever those are, and those
        that work inside the user's scope from elsewhere (see ``organization_reach``).

        Only seeing: managing one still needs it inside the scope of organization.manage,
        or an office user of one county could edit an organisation in another.
        """
        if capability != Cap.ORGANIZATION_VIEW:
            return Q(pk__in=[])
        seen = Q(pk__in=Membership.objects.filter(user=user, is_active=True).values("organization_id"))
        prefixes = user.scope_prefixes(capability)
        for model, field in organization_reach():
            inside = model._default_manager.filter(
                prefix_q(getattr(model, "scope_field", "region_code"), prefixes)
            )
            seen |= Q(pk__in=inside.values(field))
        return seen

    def ancestors(self) -> list["Organization"]:
        chain, node, seen = [], self.parent, {self.pk}
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=30, blank=True)
    failed_logins = models.PositiveIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_failed_login = models.DateTimeField(null=True, blank=True, editable=False)

    audit_exclude = ("last_login", "failed_logins", "last_failed_login")
    audit_hidden = ("password",)

    @staticmethod
    def scope_query(prefixes: list[str]) -> Q:
        """Users with a role in a region under one of the prefixes."""
        members = Membership.objects.filter(prefix_q("regions__code", prefixes)).values("user_id")
        return Q(pk__in=members) if NATIONWIDE not in prefixes else Q()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    def is_locked(self, now=None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or timezone.now())

    def _scopes(self) -> dict[str, list[str]]:
        """capability -> collapsed region prefixes, computed once per user object."""
        cached = getattr(self, "_scope_cache", None)
        if cached is not None:
            return cached
        by_capability: dict[str, set[str]] = {}
        # one query: a row per (membership, region), a region-less membership with None
        rows = self.memberships.filter(is_active=True, organization__is_active=True).values_list(
            "role", "regions__code", "regions__level"
        )
        for role, code, level in rows:
            prefixes = {Region(code=code, level=level).prefix} if code is not None else set()
            for capability in ROLE_CAPABILITIES.get(role, ()):
                by_capability.setdefault(capability, set()).update(prefixes)
        self._scope_cache = {cap: collapse(prefixes) for cap, prefixes in by_capability.items()}
        return self._scope_cache

    def scope_prefixes(self, capability: str) -> list[str]:
        if self.is_superuser:
            return [NATIONWIDE]
        return self._scopes().get(capability, [])

    def has_capability(self, capability: str) -> bool:
        return bool(self.scope_prefixes(capability))

    def roles(self) -> list[str]:
        return sorted({m.role for m in self.memberships.all() if m.is_active})

    def role_labels(self) -> list[str]:
        """Uses the prefetched memberships when the list prefetched them."""
        return sorted({str(m.get_role_display()) for m in self.memberships.all() if m.is_active})

    def get_absolute_url(self) -> str:
        return reverse("accounts:user-detail", args=[self.pk])


class Membership(models.Model):
    """A user's role in an organisation, acting within one or more regions."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    regions = models.ManyToManyField("regions.Region", verbose_name=_("管辖范围"), related_name="+")
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("角色任职")
        verbose_name_plural = _("角色任职")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="membership_unique_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.get_role_display()}"


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 of the secret is kept; the prefix finds the row."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API令牌")
        verbose_name_plural = _("API令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
