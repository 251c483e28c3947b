"""Uploaded files judged by what they contain, never by their name.

One check for every upload that is kept (visit photos, attachments): images are opened
with Pillow (format, pixel count, a full decode that finds truncated files), documents are
recognised by their first bytes (PDF, Office Open XML) and unpacked once with a budget
so that a zip bomb is refused before it grows. Anything else — a web page or SVG with a
script, a program, a file renamed to look like a photo — is refused with a message that
names the file. Nothing here writes anything.
"""

import contextlib
import enum
import hashlib
import io
import re
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

MAX_PIXELS = 50_000_000  # a 50-megapixel photo; a "decompression bomb" claims far more
THUMBNAIL_SIZE = (480, 480)
MAX_UNPACKED = 200 * 1024 * 1024  # what an Office document may unpack to at most
MAX_RATIO = 100  # real documents compress about 3-10:1
MAX_MEMBERS = 10_000
PHOTO_MEDIA = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png"), "WEBP": ("image/webp", ".webp")}
OOXML = {  # a part each kind must hold -> (media type, extension)
    "word/document.xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".docx",
    ),
    "xl/workbook.xml": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "ppt/presentation.xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ".pptx",
    ),
}
# PDF names that run something when the file is opened; they have no place on a voucher or a report.
PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA)(?=[\s/<>\[\]()]|$)")


class UploadErrorCode(enum.StrEnum):
    EMPTY = "file_empty"
    TOO_LARGE = "file_too_large"
    UNSUPPORTED = "file_type_unsupported"
    INVALID_IMAGE = "image_invalid"
    TOO_MANY_PIXELS = "image_too_many_pixels"
    CORRUPT = "file_corrupt"
    ZIP_BOMB = "file_zip_bomb"
    ACTIVE_CONTENT = "file_active_content"


class UploadError(Exception):
    """A refused upload: ``code`` for the API, ``message`` for people."""

    def __init__(self, message: str, code: UploadErrorCode):
        super().__init__(message)
        self.message = message
        self.code = code


class FileKind(enum.StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"


@dataclass
class CheckedFile:
    kind: FileKind
    media_type: str
    extension: str
    content: bytes  # what to store: a photo is re-encoded (no EXIF, no location), a document kept as sent
    sha256: str
    thumbnail: bytes | None = None  # a JPEG, for photos


def max_photo_bytes() -> int:
    return int(getattr(settings, "BANGFU_UPLOAD_MAX_PHOTO_MB", 10)) * 1024 * 1024


def max_document_bytes() -> int:
    return int(getattr(settings, "BANGFU_UPLOAD_MAX_DOCUMENT_MB", 20)) * 1024 * 1024


def _name(upload) -> str:
    return str(getattr(upload, "name", "") or _("(无文件名)"))[:200]


def _read(upload, limit: int) -> bytes:
    """At most ``limit`` + 1 bytes: enough to tell that a file is too large without reading all of it."""
    upload.seek(0)
    data = upload.read(limit + 1)
    upload.seek(0)
    return data


def _too_large(name: str, limit: int) -> UploadError:
    return UploadError(
        _("文件 %(name)s 超过%(mb)dMB。") % {"name": name, "mb": limit // (1024 * 1024)},
        UploadErrorCode.TOO_LARGE,
    )


def image_format(upload, formats, *, name: str | None = None) -> str:
    """The Pillow format of an uploaded image if it is one of ``formats``, checked without decoding it.

    A file that Pillow cannot read, or in another format, is refused as "not a valid image"."""
    from PIL import Image, UnidentifiedImageError

    name = name or _name(upload)
    invalid = UploadError(_("%(name)s 不是有效的图片。") % {"name": name}, UploadErrorCode.INVALID_IMAGE)
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            width, height = image.size
            image.verify()
    except Image.DecompressionBombError as error:
        raise _too_many_pixels(name) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise invalid from error
    finally:
        upload.seek(0)
    if kind not in formats:
        raise invalid
    if width * height > MAX_PIXELS:
        raise _too_many_pixels(name)
    return kind


def _too_many_pixels(name: str) -> UploadError:
    return UploadError(
        _("图片 %(name)s 像素过多(上限%(mp)d百万像素)。") % {"name": name, "mp": MAX_PIXELS // 1_000_000},
        UploadErrorCode.TOO_MANY_PIXELS,
    )


def check_upload(upload) -> CheckedFile:
    """Tell what ``upload`` is from its content and check it; raise UploadError if it may not be kept."""
    name = _name(upload)
    data = _read(upload, max(max_photo_bytes(), max_document_bytes()))
    if not data:
        raise UploadError(_("文件 %(name)s 是空的。") % {"name": name}, UploadErrorCode.EMPTY)
    if data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")) or (
        data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    ):
        if len(data) > max_photo_bytes():
            raise _too_large(name, max_photo_bytes())
        return _photo(data, name)
    if len(data) > max_document_bytes():
        raise _too_large(name, max_document_bytes())
    if data.startswith(b"%PDF-"):
        return _pdf(data, name)
    if data.startswith(b"PK\x03\x04"):
        return _office(data, name)
    raise UploadError(
        _(
            "文件 %(name)s 的类型不支持:只能上传JPEG、PNG、WebP图片和PDF、Word(docx)、Excel(xlsx)、PowerPoint(pptx)文件。"
        )
        % {"name": name},
        UploadErrorCode.UNSUPPORTED,
    )


@contextlib.contextmanager
def _strict_decoding():
    """Pillow refusing truncated images while a check decodes: WeasyPrint (the PDF exports) turns
    ``LOAD_TRUNCATED_IMAGES`` on for the whole process when it is imported."""
    from PIL import ImageFile

    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before


def _photo(data: bytes, name: str) -> CheckedFile:
    from PIL import Image, ImageOps

    kind = image_format(io.BytesIO(data), set(PHOTO_MEDIA) | {"MPO"}, name=name)
    kind = "JPEG" if kind == "MPO" else kind  # a phone's multi-picture JPEG: its first picture is kept
    try:
        with _strict_decoding(), Image.open(io.BytesIO(data)) as image:
            image.load()  # a full decode: a truncated file fails here, not in someone's browser
            upright = ImageOps.exif_transpose(image)
    except Image.DecompressionBombError as error:
        raise _too_many_pixels(name) from error
    except (OSError, SyntaxError, ValueError) as error:
        raise UploadError(
            _("%(name)s 不是有效的图片。") % {"name": name}, UploadErrorCode.INVALID_IMAGE
        ) from error
    media_type, extension = PHOTO_MEDIA[kind]
    content = _encode(upright, kind)
    thumbnail = upright.copy()
    thumbnail.thumbnail(THUMBNAIL_SIZE)
    return CheckedFile(
        kind=FileKind.PHOTO,
        media_type=media_type,
        extension=extension,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        thumbnail=_encode(thumbnail, "JPEG"),
    )


def _encode(image, kind: str) -> bytes:
    """The image written again without its metadata (EXIF may hold where and when it was taken)."""
    from PIL import Image

    out = io.BytesIO()
    if kind == "JPEG":
        if image.mode not in ("RGB", "L"):
            if image.mode in ("RGBA", "LA", "P"):
                rgba = image.convert("RGBA")
                background = Image.new("RGB", rgba.size, (255, 255, 255))
                background.paste(rgba, mask=rgba.getchannel("A"))
                image = background
            else:
                image = image.convert("RGB")
        image.save(out, "JPEG", quality=85)
    elif kind == "PNG":
        image.save(out, "PNG")
    else:
        image.save(out, "WEBP", quality=85)
    return out.getvalue()


def _document(data: bytes, media_type: str, extension: str) -> CheckedFile:
    return CheckedFile(
        kind=FileKind.DOCUMENT,
        media_type=media_type,
        extension=extension,
        content=data,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _corrupt(name: str) -> UploadError:
    return UploadError(_("文件 %(name)s 已损坏或不完整。") % {"name": name}, UploadErrorCode.CORRUPT)


def _pdf(data: bytes, name: str) -> CheckedFile:
    if b"%%EOF" not in data[-2048:]:
        raise _corrupt(name)
    if PDF_ACTIVE.search(data):
        raise UploadError(
            _("文件 %(name)s 含有脚本、宏或嵌入文件,已拒绝。") % {"name": name},
            UploadErrorCode.ACTIVE_CONTENT,
        )
    return _document(data, "application/pdf", ".pdf")


def _office(data: bytes, name: str) -> CheckedFile:
    """A docx, xlsx or pptx: a zip with the right parts, no macros, and no more inside than it declares."""
    bomb = UploadError(
        _("文件 %(name)s 解压后异常庞大(疑似压缩炸弹),已拒绝。") % {"name": name}, UploadErrorCode.ZIP_BOMB
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _corrupt(name) from error
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        found = [OOXML[part] for part in OOXML if part in names]
        if "[Content_Types].xml" not in names or not found:
            raise UploadError(
                _("文件 %(name)s 是压缩包,不是Word、Excel或PowerPoint文件。") % {"name": name},
                UploadErrorCode.UNSUPPORTED,
            )
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise UploadError(
                _("文件 %(name)s 含有脚本、宏或嵌入文件,已拒绝。") % {"name": name},
                UploadErrorCode.ACTIVE_CONTENT,
            )
        limit = min(MAX_UNPACKED, MAX_RATIO * len(data))
        if len(infos) > MAX_MEMBERS or sum(info.file_size for info in infos) > limit:
            raise bomb  # the declared sizes already say so: refused without unpacking
        unpacked = 0
        try:
            for info in infos:
                with archive.open(info) as member:
                    while chunk := member.read(1 << 20):
                        unpacked += len(chunk)
                        if unpacked > limit:
                            raise bomb
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            NotImplementedError,
            RuntimeError,
        ) as error:
            raise _corrupt(name) from error
    media_type, extension = found[0]
    return _document(data, media_type, extension)
