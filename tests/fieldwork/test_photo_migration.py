"""The migration that moves visit photos (the old VisitPhoto rows) onto attachments, and back."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from bangfu.attachments.models import Attachment, AttachmentKind
from bangfu.attachments.selectors import attachments_of
from bangfu.fieldwork import services

from .conftest import image

pytestmark = pytest.mark.django_db(transaction=True)  # migrations run outside a test transaction

BEFORE = [("fieldwork", "0004_alter_leave_status")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    executor = MigrationExecutor(connection)
    return [key for key in executor.loader.graph.leaf_nodes() if key[0] == "fieldwork"]


def test_visit_photos_become_attachments(world, households):
    visit = services.visit_record(
        actor=world.cadre, household=households["near"], visited_on=timezone.localdate(), findings="看望"
    )
    content = image("JPEG", (32, 24))
    stored = default_storage.save("visits/2025/01/porch.jpg", ContentFile(content))
    try:
        old = migrate(BEFORE)
        VisitPhoto = old.get_model("fieldwork", "VisitPhoto")
        VisitPhoto.objects.create(
            visit_id=visit.pk, region_code=visit.region_code, image=stored, original_name="门前.jpg", size=9
        )
        VisitPhoto.objects.create(
            visit_id=visit.pk, region_code=visit.region_code, image="visits/2025/01/lost.jpg", size=1234
        )
        migrate(latest())
    finally:
        migrate(latest())  # whatever happened, the database is left at the latest state

    kept, lost = attachments_of(visit)
    assert (kept.kind, kept.file.name, kept.original_name, kept.region_code) == (
        AttachmentKind.PHOTO,
        stored,
        "门前.jpg",
        visit.region_code,
    )
    assert (kept.size, kept.sha256, kept.media_type) == (
        len(content),
        hashlib.sha256(content).hexdigest(),
        "image/jpeg",
    )
    assert kept.thumbnail and default_storage.exists(kept.thumbnail.name)
    # the file is missing: the row stays, with size 0 and the SHA-256 of empty content
    assert (lost.file.name, lost.original_name, lost.size, lost.sha256, lost.thumbnail.name) == (
        "visits/2025/01/lost.jpg",
        "lost.jpg",
        0,
        hashlib.sha256(b"").hexdigest(),
        "",
    )
    assert Attachment.objects.count() == 2


def test_the_move_can_be_undone(world, households):
    visit = services.visit_record(
        actor=world.cadre,
        household=households["near"],
        visited_on=timezone.localdate(),
        findings="看望",
        photos=[ContentFile(image(), name="a.jpg")],
    )
    attachment = attachments_of(visit).get()
    try:
        old = migrate(BEFORE)
        VisitPhoto = old.get_model("fieldwork", "VisitPhoto")
        photo = VisitPhoto.objects.get()
        assert (photo.visit_id, photo.image.name, photo.original_name, photo.size) == (
            visit.pk,
            attachment.file.name,
            "a.jpg",
            attachment.size,
        )
        assert not Attachment.objects.exists() and not default_storage.exists(attachment.thumbnail.name)
    finally:
        migrate(latest())
    again = attachments_of(visit).get()
    assert (again.file.name, again.sha256, again.size) == (
        attachment.file.name,
        attachment.sha256,
        attachment.size,
    )
