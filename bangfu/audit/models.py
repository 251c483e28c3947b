from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")


class ChangeRecord(models.Model):
    """One change to one domain row: who, when, and each field's value before and after."""

    timestamp = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("对象"), max_length=200)
    region_code = models.CharField(max_length=12, blank=True, db_index=True)
    changes = models.JSONField(_("变更"), encoder=DjangoJSONEncoder, default=dict)

    class Meta:
        verbose_name = _("变更记录")
        verbose_name_plural = _("变更记录")
        ordering = ["-timestamp", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_change_object")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"


class AccessLog(models.Model):
    """Someone saw a sensitive field in clear (or exported it unmasked)."""

    timestamp = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("查看人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("查看人"), max_length=150, blank=True)
    content_type = models.ForeignKey(ContentType, null=True, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    field = models.CharField(_("字段"), max_length=100)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    region_code = models.CharField(max_length=12, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("敏感信息查看记录")
        verbose_name_plural = _("敏感信息查看记录")
        ordering = ["-timestamp", "-pk"]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.field} {self.object_repr}"


class LedgerChain(models.Model):
    """The head of one hash chain: which ledger, which account, how far it has got."""

    ledger = models.CharField(max_length=50)
    key = models.CharField(max_length=100)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ledger", "key"], name="ledger_chain_unique")]

    def __str__(self) -> str:
        return f"{self.ledger}:{self.key}"


class ChainedEntry(models.Model):
    """Base of every append-only, hash-chained ledger (project funds, donations, points).

    Each entry stores the hash of the one before it in its chain and a SHA-256 of
    its own content; editing, inserting or deleting a row breaks the chain, which
    ``bangfu audit verify`` reports. Corrections are new reversing entries.
    Subclasses set ``ledger_name`` and ``hash_fields`` (their own content fields). Fields
    added to a ledger after entries were written go in ``hash_fields_when_set``: hashed
    only where they hold a value (not None, not blank), so the entries written before keep
    their hashes.
    """

    ledger_name: str = ""
    hash_fields: tuple[str, ...] = ()
    hash_fields_when_set: tuple[str, ...] = ()

    chain = models.ForeignKey(LedgerChain, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveBigIntegerField()
    prev_hash = models.CharField(max_length=64, editable=False)
    entry_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("记账时间"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记账人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True
        ordering = ["chain_id", "seq"]
        constraints = [
            # Backs the row lock on the chain head: two appends can never take the same place.
            models.UniqueConstraint(fields=["chain", "seq"], name="%(app_label)s_%(class)s_chain_seq"),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("ledger entries are append-only: add a reversing entry instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("ledger entries are append-only: add a reversing entry instead")

    @classmethod
    def detail_problems(cls):
        """Yield ``(chain_key, seq, message)`` for entries whose detail rows no longer match them.

        A ledger whose entries carry a digest of rows kept beside them (a donation's lines)
        checks the digests here; ``bangfu audit verify`` reports each as an edit.
        """
        return iter(())
