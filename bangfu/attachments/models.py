"""Photos and documents attached to any domain row (a project, a fund entry, an activity, …).

The owner is reached through a generic relation; the owner's region code is copied so that
the audit trail and region queries see it, but who may see an attachment is decided by the
owner: whoever can see the owner sees its attachments (see registry.py).
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bangfu.audit.models import ChainedEntry


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", pgettext_lazy("attachment kind", "照片")
    DOCUMENT = "document", pgettext_lazy("attachment kind", "文档")


class Attachment(models.Model):
    owner_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    owner_id = models.PositiveBigIntegerField()
    owner = GenericForeignKey("owner_type", "owner_id")
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    kind = models.CharField(_("类别"), max_length=10, choices=AttachmentKind.choices)
    file = models.FileField(_("文件"), max_length=200)
    thumbnail = models.FileField(_("缩略图"), max_length=200, blank=True)
    media_type = models.CharField(_("文件类型"), max_length=100)
    original_name = models.CharField(_("原文件名"), max_length=200)
    size = models.PositiveBigIntegerField(_("大小(字节)"))
    sha256 = models.CharField("SHA-256", max_length=64)
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    public = models.BooleanField(_("可公示"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now, editable=False)

    audit_exclude = ("file", "thumbnail")  # stored names; the SHA-256, name and size are recorded

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["owner_type_id", "owner_id", "pk"]
        indexes = [models.Index(fields=["owner_type", "owner_id"], name="attachment_owner")]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("attachments:file", args=[self.pk])

    @property
    def is_photo(self) -> bool:
        return self.kind == AttachmentKind.PHOTO

    def thumbnail_url(self) -> str:
        return reverse("attachments:thumbnail", args=[self.pk])

    def public_url(self) -> str:
        return reverse("attachments:public-file", args=[self.pk])

    def public_thumbnail_url(self) -> str:
        return reverse("attachments:public-thumbnail", args=[self.pk])


class AttachmentSeal(ChainedEntry):
    """The content of an attachment that may never change or go (a ledger row's voucher), on a
    hash chain per owner model: ``bangfu audit verify`` reports a seal whose attachment row or
    stored file no longer matches it. The seal's key protects the attachment from deletion."""

    ledger_name = "attachments.seal"
    hash_fields = ("owner_key", "owner_id", "sha256", "size", "original_name")

    attachment = models.OneToOneField(Attachment, on_delete=models.PROTECT, related_name="seal")
    owner_key = models.CharField(max_length=100)
    owner_id = models.PositiveBigIntegerField()
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField()
    original_name = models.CharField(max_length=200)

    class Meta(ChainedEntry.Meta):
        verbose_name = _("附件封存")
        verbose_name_plural = _("附件封存")

    def __str__(self) -> str:
        return f"{self.owner_key} #{self.owner_id}: {self.original_name} ({self.sha256[:12]}…)"

    def mismatch(self) -> str | None:
        """What no longer matches this seal in the attachment's row or its stored file, if anything."""
        import hashlib

        attachment = self.attachment
        owner_key = f"{attachment.owner_type.app_label}.{attachment.owner_type.model}"
        if (owner_key, attachment.owner_id, attachment.sha256, attachment.size) != (
            self.owner_key,
            self.owner_id,
            self.sha256,
            self.size,
        ):
            return f"attachment {attachment.pk} ({self.original_name}) no longer matches its seal"
        digest = hashlib.sha256()
        try:
            with attachment.file.open("rb") as stored:
                for block in iter(lambda: stored.read(1 << 20), b""):
                    digest.update(block)
        except OSError:
            return f"the stored file of attachment {attachment.pk} ({self.original_name}) is missing"
        if digest.hexdigest() != self.sha256:
            return f"the stored file of attachment {attachment.pk} ({self.original_name}) was changed"
        return None

    @classmethod
    def detail_problems(cls):
        for seal in cls.objects.select_related("attachment__owner_type", "chain").order_by("chain_id", "seq"):
            message = seal.mismatch()
            if message:
                yield seal.chain.key, seal.seq, message
