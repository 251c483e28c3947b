"""core.uploads: a file is judged by its content; hostile files are refused with a clear message."""

import hashlib
import io

import pytest
from PIL import Image

from bangfu.core.uploads import FileKind, UploadError, UploadErrorCode, check_upload, image_format

from .files import (
    EXE,
    HTML,
    PDF,
    PDF_WITH_SCRIPT,
    SVG,
    gps_exif,
    image_bytes,
    ooxml,
    upload,
    zip_bomb,
)


@pytest.mark.parametrize(
    ("fmt", "media_type", "extension"),
    [("JPEG", "image/jpeg", ".jpg"), ("PNG", "image/png", ".png"), ("WEBP", "image/webp", ".webp")],
)
def test_photos_are_recognised_reencoded_and_get_a_thumbnail(fmt, media_type, extension):
    checked = check_upload(upload(image_bytes(fmt, size=(1200, 900)), f"photo.{fmt.lower()}"))
    assert (checked.kind, checked.media_type, checked.extension) == (FileKind.PHOTO, media_type, extension)
    assert checked.sha256 == hashlib.sha256(checked.content).hexdigest()
    with Image.open(io.BytesIO(checked.content)) as stored:
        assert (stored.format, stored.size) == (fmt, (1200, 900))
    with Image.open(io.BytesIO(checked.thumbnail)) as thumb:
        assert thumb.format == "JPEG"
        assert max(thumb.size) == 480


def test_a_phones_multi_picture_jpeg_is_kept_as_its_first_picture():
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(
        out, "MPO", save_all=True, append_images=[Image.new("RGB", (64, 48), "blue")]
    )
    with Image.open(io.BytesIO(out.getvalue())) as sent:
        assert sent.format == "MPO"  # what Pillow calls the photos of many phones
    checked = check_upload(upload(out.getvalue(), "IMG_0002.JPG"))
    assert (checked.kind, checked.media_type, checked.extension) == (FileKind.PHOTO, "image/jpeg", ".jpg")
    with Image.open(io.BytesIO(checked.content)) as stored:
        assert (stored.format, stored.size, stored.getpixel((0, 0))[0] > 200) == ("JPEG", (64, 48), True)


def test_a_photo_loses_its_location_and_camera_data():
    sent = image_bytes("JPEG", exif=gps_exif())
    with Image.open(io.BytesIO(sent)) as original:
        assert 0x8825 in original.getexif()  # the test file does carry a position
    checked = check_upload(upload(sent, "IMG_0001.JPG"))
    with Image.open(io.BytesIO(checked.content)) as stored:
        assert not stored.getexif()


def test_the_name_does_not_decide_the_type():
    checked = check_upload(upload(image_bytes("PNG"), "voucher.pdf"))
    assert (checked.kind, checked.extension) == (FileKind.PHOTO, ".png")


@pytest.mark.parametrize(
    ("data", "media_type", "extension"),
    [
        (PDF, "application/pdf", ".pdf"),
        (
            ooxml("word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ".docx",
        ),
        (
            ooxml("xl/workbook.xml"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ".xlsx",
        ),
    ],
)
def test_documents_are_kept_as_sent(data, media_type, extension):
    checked = check_upload(upload(data, "scan.bin"))
    assert (checked.kind, checked.media_type, checked.extension) == (FileKind.DOCUMENT, media_type, extension)
    assert checked.content == data
    assert checked.thumbnail is None


def _refused(data: bytes, name: str) -> UploadError:
    with pytest.raises(UploadError) as caught:
        check_upload(upload(data, name))
    assert name in caught.value.message
    return caught.value


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (HTML, "photo.jpg"),
        (SVG, "logo.png"),
        (SVG, "logo.svg"),
        (EXE, "voucher.pdf"),
        (b"just some text", "notes.txt"),
        (ooxml("readme.txt"), "archive.docx"),  # a zip, but no Office document in it
    ],
)
def test_anything_else_is_refused_as_unsupported(data, name):
    error = _refused(data, name)
    assert error.code == UploadErrorCode.UNSUPPORTED


def test_an_empty_file_is_refused():
    assert _refused(b"", "empty.jpg").code == UploadErrorCode.EMPTY


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_truncated_image_is_refused(fmt):
    import weasyprint  # noqa: F401 - it lets Pillow load truncated images process-wide; the check must not
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    data = image_bytes(fmt, size=(800, 600), color=(10, 120, 250))
    error = _refused(data[: len(data) // 2], f"cut.{fmt.lower()}")
    assert error.code == UploadErrorCode.INVALID_IMAGE
    assert "不是有效的图片" in error.message
    assert ImageFile.LOAD_TRUNCATED_IMAGES  # what the PDF exports rely on is left as it was


def test_an_image_claiming_too_many_pixels_is_refused():
    out = io.BytesIO()
    Image.new("1", (8000, 8000)).save(out, "PNG")  # 64 megapixels in a few kilobytes
    error = _refused(out.getvalue(), "huge.png")
    assert error.code == UploadErrorCode.TOO_MANY_PIXELS


def test_a_gif_is_not_a_photo_here():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    assert _refused(out.getvalue(), "anim.gif").code == UploadErrorCode.UNSUPPORTED


def test_size_limits_come_from_settings(settings):
    settings.BANGFU_UPLOAD_MAX_PHOTO_MB = 1
    settings.BANGFU_UPLOAD_MAX_DOCUMENT_MB = 1
    noisy = Image.frombytes("RGB", (1024, 1024), bytes(range(256)) * (3 * 1024 * 4))
    out = io.BytesIO()
    noisy.save(out, "PNG", compress_level=0)
    error = _refused(out.getvalue(), "big.png")
    assert error.code == UploadErrorCode.TOO_LARGE
    assert "1MB" in error.message
    big_pdf = PDF[:-7] + bytes(2 * 1024 * 1024) + b"\n%%EOF\n"
    assert _refused(big_pdf, "big.pdf").code == UploadErrorCode.TOO_LARGE


def test_a_zip_bomb_is_refused():
    assert _refused(zip_bomb(), "report.docx").code == UploadErrorCode.ZIP_BOMB


def test_a_cut_zip_is_refused_as_corrupt():
    data = ooxml("word/document.xml", {"word/media/a.bin": bytes(range(256)) * 400})
    assert _refused(data[: len(data) // 2], "cut.docx").code == UploadErrorCode.CORRUPT


def test_a_pdf_with_a_script_is_refused():
    assert _refused(PDF_WITH_SCRIPT, "voucher.pdf").code == UploadErrorCode.ACTIVE_CONTENT


def test_a_truncated_pdf_is_refused():
    assert _refused(PDF[:40], "voucher.pdf").code == UploadErrorCode.CORRUPT


def test_an_office_file_with_macros_is_refused():
    data = ooxml("xl/workbook.xml", {"xl/vbaProject.bin": b"\x00macro"})
    assert _refused(data, "budget.xlsx").code == UploadErrorCode.ACTIVE_CONTENT


def test_image_format_reads_without_decoding():
    assert image_format(io.BytesIO(image_bytes("PNG")), {"PNG"}) == "PNG"
    with pytest.raises(UploadError):
        image_format(io.BytesIO(image_bytes("PNG")), {"JPEG"})
