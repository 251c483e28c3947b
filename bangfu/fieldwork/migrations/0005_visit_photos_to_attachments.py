"""Visit photos become attachments of their visit (bangfu.attachments).

Each VisitPhoto row becomes an Attachment of kind photo that keeps the stored file name,
the original name, the region and the time; its size and SHA-256 are computed from the
stored file, and a thumbnail is made for the attachment panel. A photo whose file is missing
keeps its row (the record that a photo was taken is not thrown away) with size 0 and the
SHA-256 of empty content: that is exactly what storage holds for it, so the row never claims
a content that nobody can check; the file view answers 404 for it, as it did before.

Backwards: the attachments of visits become VisitPhoto rows again (same file name).
"""

import hashlib
import io
import mimetypes
import os

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations

THUMBNAIL_SIZE = (480, 480)  # as bangfu.core.uploads makes them


def _read(name: str) -> bytes | None:
    try:
        with default_storage.open(name, "rb") as stored:
            return stored.read()
    except (FileNotFoundError, OSError):
        return None


def _thumbnail(name: str, content: bytes) -> str:
    """A JPEG thumbnail stored next to the photo; "" if the photo can't be read as an image."""
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(content)) as image:
            image.load()
            small = ImageOps.exif_transpose(image).convert("RGB")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return ""
    small.thumbnail(THUMBNAIL_SIZE)
    out = io.BytesIO()
    small.save(out, "JPEG", quality=85)
    return default_storage.save(os.path.splitext(name)[0] + "-thumb.jpg", ContentFile(out.getvalue()))


def forwards(apps, schema_editor):
    VisitPhoto = apps.get_model("fieldwork", "VisitPhoto")
    Attachment = apps.get_model("attachments", "Attachment")
    ContentType = apps.get_model("contenttypes", "ContentType")
    photos = VisitPhoto.objects.order_by("pk")
    if not photos.exists():
        return
    visit_type, _ = ContentType.objects.get_or_create(app_label="fieldwork", model="visit")
    for photo in photos.iterator():
        name = photo.image.name
        content = _read(name) if name else None
        data = content or b""
        Attachment.objects.create(
            owner_type=visit_type,
            owner_id=photo.visit_id,
            region_code=photo.region_code,
            kind="photo",
            file=name,
            thumbnail=_thumbnail(name, content) if content else "",
            media_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
            original_name=(photo.original_name or os.path.basename(name))[:200],
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            created_at=photo.created_at,
        )
    photos.delete()


def backwards(apps, schema_editor):
    VisitPhoto = apps.get_model("fieldwork", "VisitPhoto")
    Attachment = apps.get_model("attachments", "Attachment")
    ContentType = apps.get_model("contenttypes", "ContentType")
    visit_type = ContentType.objects.filter(app_label="fieldwork", model="visit").first()
    if visit_type is None:
        return
    attachments = Attachment.objects.filter(owner_type=visit_type).order_by("pk")
    for attachment in attachments.iterator():
        VisitPhoto.objects.create(
            visit_id=attachment.owner_id,
            region_code=attachment.region_code,
            image=attachment.file.name,
            original_name=attachment.original_name,
            size=attachment.size,
            created_at=attachment.created_at,
        )
        if attachment.thumbnail:
            default_storage.delete(attachment.thumbnail.name)
    attachments.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("fieldwork", "0004_alter_leave_status"),
        ("attachments", "0002_seals"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
