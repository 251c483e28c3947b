"""Demo photos and vouchers: small pictures drawn with Pillow and one-page PDF vouchers, attached
through the attachment service like any upload (so they are checked, hashed and audited).

Deterministic: the pictures come from a generator seeded with a copy of the builder's
``context.rng`` state, so adding them changes no other random draw of the demo.
"""

import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile

from bangfu.attachments import services as attachments
from bangfu.core.demo import DemoContext

from .models import Activity, ActivityKind, FundEntry, FundKind, Project


def _rng(context: DemoContext) -> random.Random:
    rng = random.Random()  # noqa: S311 - demo pictures, not secrets
    rng.setstate(context.rng.getstate())
    rng.random()  # step away from the sequence the builder itself continues with
    return rng


def _picture(rng: random.Random, *, fmt: str = "JPEG", size=(640, 420)) -> bytes:
    """A field seen from a road: sky, hills, a ground band and a few sheds in random colours."""
    from PIL import Image, ImageDraw

    width, height = size
    image = Image.new("RGB", size, (135 + rng.randint(-20, 20), 190 + rng.randint(-20, 20), 235))
    draw = ImageDraw.Draw(image)
    horizon = int(height * rng.uniform(0.45, 0.6))
    for _ in range(3):
        x = rng.randint(-width // 4, width)
        draw.ellipse(
            (x, horizon - rng.randint(40, 120), x + rng.randint(200, 400), horizon + 80), fill=(90, 130, 80)
        )
    draw.rectangle((0, horizon, width, height), fill=(110 + rng.randint(-20, 20), 150, 70))
    for _ in range(rng.randint(2, 5)):
        x = rng.randint(0, width - 120)
        y = rng.randint(horizon - 20, height - 80)
        w, h = rng.randint(60, 140), rng.randint(30, 70)
        colour = (rng.randint(150, 250), rng.randint(120, 220), rng.randint(100, 200))
        draw.rectangle((x, y, x + w, y + h), fill=colour, outline=(60, 60, 60))
        draw.polygon([(x - 6, y), (x + w // 2, y - h // 2), (x + w + 6, y)], fill=(170, 60, 50))
    out = io.BytesIO()
    image.save(out, fmt, quality=80)
    return out.getvalue()


def _voucher_pdf(entry: FundEntry) -> bytes:
    """A one-page PDF voucher (ASCII text in Helvetica: no font to embed)."""
    lines = [
        "Payment voucher",
        f"Voucher no.: {entry.voucher_number}",
        f"Date: {entry.date.isoformat()}",
        f"Amount (CNY): {entry.amount}",
    ]
    text = "BT /F1 14 Tf 72 760 Td 20 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
        b"<</Length %d>>stream\n%s\nendstream" % (len(text), text.encode("ascii")),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def build_attachments(context: DemoContext, *, office) -> int:
    """Photos on every project (the first public, the second kept inside), a photo on each free
    clinic, and a voucher on each project's payments (a PDF, or a photographed receipt)."""
    rng = _rng(context)
    made = 0
    for project in Project.objects.order_by("pk"):
        files = [SimpleUploadedFile(f"现场{n + 1}.jpg", _picture(rng)) for n in range(2)]
        attachments.attachments_add(
            actor=office, owner=project, files=files[:1], caption="项目现场", public=True
        )
        attachments.attachments_add(actor=office, owner=project, files=files[1:], caption="施工过程")
        made += 2
    for activity in Activity.objects.filter(kind=ActivityKind.CLINIC).order_by("pk"):
        photo = SimpleUploadedFile("义诊现场.jpg", _picture(rng, size=(480, 320)))
        attachments.attachments_add(
            actor=office, owner=activity, files=[photo], caption="义诊现场", public=True
        )
        made += 1
    spent = FundEntry.objects.filter(kind=FundKind.SPENT, reverses__isnull=True).order_by("pk")
    for number, entry in enumerate(spent):
        if number % 2 == 0:
            voucher = SimpleUploadedFile(f"{entry.voucher_number}.pdf", _voucher_pdf(entry))
        else:
            voucher = SimpleUploadedFile(
                f"{entry.voucher_number}收据.png", _picture(rng, fmt="PNG", size=(320, 420))
            )
        attachments.attachments_add(actor=office, owner=entry, files=[voucher], caption="记账凭证")
        made += 1
    return made
