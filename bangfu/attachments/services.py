"""Adding and removing attachments: checked, stored, audited on the attachment and on its owner."""

import enum
import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.audit.ledger import ledger_append
from bangfu.audit.services import acting_user, audited_create, audited_delete, record_related
from bangfu.core.scoping import scope
from bangfu.core.uploads import UploadError, check_upload

from .models import Attachment, AttachmentSeal
from .registry import spec_for

MAX_FILES = 20  # in one upload


class AttachmentErrorCode(enum.StrEnum):
    OUT_OF_SCOPE = "out_of_scope"
    NO_FILE = "no_file"
    TOO_MANY_FILES = "too_many_files"
    NOT_PUBLISHABLE = "not_publishable"
    APPEND_ONLY = "append_only"
    OWNER_FULL = "owner_full"


def _error(field: str, message, code) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def _check_edit(actor, owner: models.Model) -> None:
    spec = spec_for(owner)
    if (
        acting_user(actor) is not None
        and not scope(spec.model._default_manager.filter(pk=owner.pk), actor, spec.edit).exists()
    ):
        raise _error("files", _("不存在或不在您的管辖范围内。"), AttachmentErrorCode.OUT_OF_SCOPE)


def _label(attachment: Attachment) -> str:
    return f"{attachment.original_name} (SHA-256 {attachment.sha256})"


def _check_room(spec, owner: models.Model, adding: int) -> None:
    """Refuse files beyond the owner's limit; the owner's row is locked so two uploads can't both fit."""
    from django.contrib.contenttypes.models import ContentType

    list(spec.model._default_manager.select_for_update().filter(pk=owner.pk).values_list("pk"))
    owner_type = ContentType.objects.get_for_model(owner, for_concrete_model=False)
    present = Attachment.objects.filter(owner_type=owner_type, owner_id=owner.pk).count()
    if present + adding > spec.max_per_owner:
        raise _error(
            "files",
            _("每条记录最多%(count)d个附件,已有%(present)d个。")
            % {"count": spec.max_per_owner, "present": present},
            AttachmentErrorCode.OWNER_FULL,
        )


def attachments_add(
    *, actor, owner: models.Model, files: Iterable, caption: str = "", public: bool = False
) -> list[Attachment]:
    """Attach ``files`` to ``owner``: every file is checked first, then all are stored, or none."""
    spec = spec_for(owner)
    _check_edit(actor, owner)
    files = list(files)
    if not files:
        raise _error("files", _("请选择要上传的文件。"), AttachmentErrorCode.NO_FILE)
    if len(files) > MAX_FILES:
        raise _error(
            "files",
            _("一次最多上传%(count)d个文件。") % {"count": MAX_FILES},
            AttachmentErrorCode.TOO_MANY_FILES,
        )
    if public and not spec.publishable:
        raise _error("public", _("此类附件不能公示。"), AttachmentErrorCode.NOT_PUBLISHABLE)
    checked = []
    for upload in files:
        try:
            checked.append((upload, check_upload(upload)))
        except UploadError as error:
            raise _error("files", error.message, error.code) from error
    stored: list[str] = []
    try:
        with transaction.atomic():
            if spec.max_per_owner is not None:
                _check_room(spec, owner, len(checked))
            made = []
            folder = timezone.now().strftime("attachments/%Y/%m/")
            for upload, result in checked:
                stem = folder + uuid.uuid4().hex
                name = default_storage.save(stem + result.extension, ContentFile(result.content))
                stored.append(name)
                thumbnail = ""
                if result.thumbnail is not None:
                    thumbnail = default_storage.save(stem + "-thumb.jpg", ContentFile(result.thumbnail))
                    stored.append(thumbnail)
                attachment = Attachment(
                    owner=owner,
                    region_code=getattr(owner, "region_code", "") or "",
                    kind=result.kind.value,
                    file=name,
                    thumbnail=thumbnail,
                    media_type=result.media_type,
                    original_name=str(upload.name or "")[:200] or name.rsplit("/", 1)[-1],
                    size=len(result.content),
                    sha256=result.sha256,
                    caption=caption.strip()[:200],
                    public=public,
                    created_by=acting_user(actor),
                )
                audited_create(actor=actor, instance=attachment)
                if spec.append_only:  # a ledger row's voucher: its content goes on a hash chain
                    ledger_append(
                        AttachmentSeal,
                        key=spec.key,
                        actor=acting_user(actor),
                        attachment=attachment,
                        owner_key=spec.key,
                        owner_id=owner.pk,
                        sha256=attachment.sha256,
                        size=attachment.size,
                        original_name=attachment.original_name,
                    )
                record_related(
                    actor=actor, instance=owner, changes={"attachment": [None, _label(attachment)]}
                )
                made.append(attachment)
    except BaseException:
        for name in stored:  # the rows are gone with the transaction: so are their files
            default_storage.delete(name)
        raise
    return made


def attachment_delete(*, actor, attachment: Attachment) -> None:
    """Remove an attachment (audited). A ledger row's attachments are permanent."""
    owner = attachment.owner
    spec = spec_for(owner)
    _check_edit(actor, owner)
    if spec.append_only:
        raise _error(
            "attachment",
            _("记账凭证附件只能追加,不能删除。"),
            AttachmentErrorCode.APPEND_ONLY,
        )
    names = [name for name in (attachment.file.name, attachment.thumbnail.name) if name]
    with transaction.atomic():
        record_related(actor=actor, instance=owner, changes={"attachment": [_label(attachment), None]})
        audited_delete(actor=actor, instance=attachment)
        transaction.on_commit(lambda: [default_storage.delete(name) for name in names])
