"""Visits with needs and photos (attachments of the visit), follow-up of needs, the household page
block, coverage."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bangfu.attachments.models import Attachment, AttachmentKind
from bangfu.attachments.selectors import attachments_of
from bangfu.audit.models import ChangeRecord
from bangfu.core.permissions import Role
from bangfu.fieldwork import services
from bangfu.fieldwork.errors import ErrorCode
from bangfu.fieldwork.models import Need, NeedStatus, Visit

from .conftest import SECOND_VILLAGE, image, make_household, stored_files

pytestmark = pytest.mark.django_db


def codes(error: ValidationError) -> set[str]:
    return {e.code for errors in error.error_dict.values() for e in errors}


def photo(name="a.jpg", content=None):
    return SimpleUploadedFile(name, content if content is not None else image(), "image/jpeg")


def record(world, household, **fields):
    values = {
        "actor": world.cadre,
        "household": household,
        "visited_on": timezone.localdate(),
        "findings": "家中老人腿脚不便,孩子在外务工。",
    }
    values.update(fields)
    return services.visit_record(**values)


def test_visit_with_needs_and_photos(world, households):
    due = timezone.localdate() + datetime.timedelta(days=30)
    visit = record(
        world,
        households["near"],
        needs=[services.NeedInput(kind="medical", description="申请慢病卡", due_on=due)],
        photos=[photo(), photo("b.png", image("PNG"))],
    )
    assert visit.visitor == world.cadre and visit.region_code == households["near"].region_code
    need = Need.objects.get(visit=visit)
    assert (need.owner, need.due_on, need.status) == (world.cadre, due, NeedStatus.OPEN)
    photos = list(attachments_of(visit))
    assert [(p.kind, p.original_name, p.region_code) for p in photos] == [
        (AttachmentKind.PHOTO, "a.jpg", visit.region_code),
        (AttachmentKind.PHOTO, "b.png", visit.region_code),
    ]
    assert all(p.created_by == world.cadre and p.thumbnail for p in photos)
    assert {p.file.name for p in photos} | {p.thumbnail.name for p in photos} == set(stored_files())
    attachment_type = ContentType.objects.get_for_model(Attachment)
    assert ChangeRecord.objects.filter(content_type=attachment_type, action="create").count() == 2


def test_a_phones_multi_picture_jpeg_is_recorded_as_a_jpeg(world, households):
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 24), "red").save(
        out, "MPO", save_all=True, append_images=[Image.new("RGB", (32, 24))]
    )
    visit = record(world, households["near"], photos=[photo("IMG_0002.JPG", out.getvalue())])
    assert attachments_of(visit).get().media_type == "image/jpeg"


def truncated_jpeg() -> bytes:
    """A JPEG cut in half: its header reads as an image, only a full decode finds the damage."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.effect_noise((256, 256), 64).convert("RGB").save(buffer, "JPEG")
    whole = buffer.getvalue()
    return whole[: len(whole) * 3 // 4]


def test_a_truncated_photo_passes_the_quick_check_and_is_refused_by_the_attachment_check():
    import io

    from bangfu.core.uploads import UploadError, check_upload, image_format

    assert image_format(io.BytesIO(truncated_jpeg()), services.PHOTO_FORMATS) == "JPEG"
    with pytest.raises(UploadError):
        check_upload(io.BytesIO(truncated_jpeg()))


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"visited_on": "future"}, ErrorCode.FUTURE_DATE),
        ({"visited_on": datetime.date(2012, 12, 31)}, ErrorCode.DATE_TOO_OLD),
        ({"findings": "  "}, ErrorCode.FINDINGS_REQUIRED),
        ({"photos": "bad"}, ErrorCode.PHOTO_INVALID),
        ({"photos": "gif"}, ErrorCode.PHOTO_INVALID),
        ({"photos": "truncated"}, ErrorCode.PHOTO_INVALID),
        ({"photos": "document"}, ErrorCode.PHOTO_INVALID),
        ({"photos": "many"}, ErrorCode.TOO_MANY_PHOTOS),
        ({"photos": "big"}, ErrorCode.PHOTO_TOO_LARGE),
        ({"needs": "empty"}, ErrorCode.NEED_DESCRIPTION_REQUIRED),
        ({"needs": "early"}, ErrorCode.PERIOD_REVERSED),
    ],
)
def test_bad_visits_write_nothing(world, households, unchanged, fields, code):
    today = timezone.localdate()
    values = dict(fields)
    if values.get("visited_on") == "future":
        values["visited_on"] = today + datetime.timedelta(days=1)
    photos = {
        "bad": [photo("x.jpg", b"not an image at all")],
        "gif": [photo("a.gif", image("GIF"))],
        # the good photo comes first: the refused one after it still leaves no visit and no file
        "truncated": [photo("ok.jpg"), photo("cut.jpg", truncated_jpeg())],
        "document": [photo("x.jpg", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")],
        "many": [photo(f"{n}.jpg") for n in range(7)],
        "big": [photo("big.jpg", image() + b"\0" * (5 * 1024 * 1024))],
    }
    if "photos" in values:
        values["photos"] = photos[values["photos"]]
    needs = {
        "empty": [services.NeedInput(kind="medical", description=" ")],
        "early": [
            services.NeedInput(kind="medical", description="x", due_on=today - datetime.timedelta(days=1))
        ],
    }
    if "needs" in values:
        values["needs"] = needs[values["needs"]]
    with unchanged(), pytest.raises(ValidationError) as error:
        record(world, households["near"], **values)
    assert codes(error.value) == {code}


def test_visit_to_a_household_outside_scope_is_refused(world, households, unchanged):
    with unchanged():
        for key in ("second", "far"):  # the cadre's scope is one village
            with pytest.raises(ValidationError) as error:
                record(world, households[key])
            assert codes(error.value) == {ErrorCode.OUT_OF_SCOPE}


def test_need_follow_up_and_closing(world, households, unchanged):
    visit = record(
        world, households["near"], needs=[services.NeedInput(kind="employment", description="想找工作")]
    )
    need = Need.objects.get(visit=visit)
    services.need_update(
        actor=world.cadre, need=need, data={"status": NeedStatus.IN_PROGRESS, "owner": world.leader}
    )
    with unchanged():
        with pytest.raises(ValidationError) as error:
            services.need_update(
                actor=world.cadre, need=need, data={"status": NeedStatus.CLOSED, "closing_note": " "}
            )
        assert codes(error.value) == {ErrorCode.CLOSING_NOTE_REQUIRED}
        with pytest.raises(ValidationError) as error:
            services.need_close(actor=world.outsider, need=need, note="x")
        assert codes(error.value) == {ErrorCode.OUT_OF_SCOPE}
    closed = services.need_close(actor=world.cadre, need=need, note="已介绍到县城扶贫车间")
    assert (closed.status, closed.closed_by, closed.owner) == (NeedStatus.CLOSED, world.cadre, world.leader)
    with unchanged(), pytest.raises(ValidationError) as error:
        services.need_close(actor=world.cadre, need=need, note="again")
    assert codes(error.value) == {ErrorCode.NEED_CLOSED}


# Pages -------------------------------------------------------------------------------------------


def test_phone_visit_page_records_a_visit_with_a_photo(world, households, client_for):
    client = client_for(world.cadre)
    page = client.get(f"/fieldwork/visits/new/?household={households['near'].pk}")
    assert page.status_code == 200
    assert len(page.content) < 12_000 and b"<script" not in page.content
    assert b'value="LS0001"' in page.content
    response = client.post(
        "/fieldwork/visits/new/",
        {
            "household": "LS0001",
            "visited_on": timezone.localdate().isoformat(),
            "findings": "看望了户主",
            "need1_kind": "housing",
            "need1_text": "屋顶漏雨",
            "photos": [photo(), photo("b.jpg")],
        },
    )
    assert response.status_code == 302, response.content.decode()
    visit = Visit.objects.get(household=households["near"])
    photos = list(attachments_of(visit))
    assert [p.kind for p in photos] == [AttachmentKind.PHOTO] * 2
    assert visit.needs.get().description == "屋顶漏雨"
    detail = client.get(visit.get_absolute_url()).content.decode()
    assert (
        "屋顶漏雨" in detail
        and photos[0].thumbnail_url() in detail
        and 'data-testid="attachment-form"' in detail
    )
    for user in (world.cadre, world.leader):  # the cadre and a teammate see the photo
        served = client_for(user).get(photos[0].get_absolute_url())
        assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
        assert b"".join(served.streaming_content).startswith(b"\xff\xd8")
    assert client.get(f"/fieldwork/photos/{photos[0].pk}/").status_code == 404  # the old address is gone


def test_visit_photos_are_hidden_outside_the_region(world, households, client_for, make_user):
    visit = record(world, households["near"], photos=[photo()])
    attachment = attachments_of(visit).get()
    neighbour = make_user(Role.CADRE, SECOND_VILLAGE, username="neighbour")  # the next village's cadre
    for user in (world.outsider, neighbour):
        client = client_for(user)
        assert client.get(attachment.get_absolute_url()).status_code == 404
        assert client.get(attachment.thumbnail_url()).status_code == 404
        assert client.get(visit.get_absolute_url()).status_code == 404


def test_cadre_adds_and_removes_visit_photos_up_to_the_limit(
    world, households, client_for, make_user, unchanged
):
    visit = record(world, households["near"], photos=[photo(f"{n}.jpg") for n in range(5)])
    client = client_for(world.cadre)
    panel = reverse("attachments:panel", args=["fieldwork.visit", visit.pk])
    assert client.post(panel, {"files": [photo("late.jpg")]}).status_code == 302
    assert attachments_of(visit).count() == services.MAX_PHOTOS
    with unchanged():  # a seventh photo is one too many for the visit
        refused = client.post(panel, {"files": [photo("seventh.jpg")]})
        assert refused.status_code == 400 and "最多6个附件" in refused.content.decode()
    late = attachments_of(visit).get(original_name="late.jpg")
    removed = client.post(reverse("attachments:delete", args=[late.pk]))
    assert removed.status_code == 302 and attachments_of(visit).count() == 5
    assert ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(Attachment), object_id=str(late.pk), action="delete"
    ).exists()
    neighbour = make_user(Role.CADRE, SECOND_VILLAGE, username="neighbour")
    kept = attachments_of(visit).first()
    with unchanged():  # outside the visit's village its photos can be neither added nor removed
        for user in (world.outsider, neighbour):
            other = client_for(user)
            assert other.post(panel, {"files": [photo()]}).status_code == 404
            assert other.post(reverse("attachments:delete", args=[kept.pk])).status_code == 404


def test_phone_visit_page_refuses_bad_input_and_writes_nothing(world, households, client_for, unchanged):
    client = client_for(world.cadre)
    base = {"visited_on": timezone.localdate().isoformat(), "findings": "看望"}
    with unchanged():
        response = client.post("/fieldwork/visits/new/", {**base, "household": "XH0001"})
        assert response.status_code == 400 and "不在您的管辖范围内" in response.content.decode()
        response = client.post(
            "/fieldwork/visits/new/",
            {**base, "household": "LS0001", "photos": [photo("x.jpg", b"GIF89a broken")]},
        )
        assert response.status_code == 400 and "不是有效的图片" in response.content.decode()
        response = client.post(
            "/fieldwork/visits/new/", {**base, "household": "LS0001", "visited_on": "2099-01-01"}
        )
        assert response.status_code == 400


def test_household_page_shows_visits_and_open_needs(world, households, client_for):
    record(world, households["near"], needs=[services.NeedInput(kind="medical", description="申请慢病卡")])
    closed = record(
        world, households["near"], needs=[services.NeedInput(kind="other", description="已解决的事")]
    )
    services.need_close(actor=world.cadre, need=closed.needs.get(), note="办好了")
    page = client_for(world.cadre).get(f"/registry/households/{households['near'].pk}/").content.decode()
    assert "申请慢病卡" in page and "已解决的事" not in page
    assert "record-visit" in page


def test_need_page_closes_with_a_note(world, households, client_for, unchanged):
    visit = record(
        world, households["near"], needs=[services.NeedInput(kind="medical", description="申请慢病卡")]
    )
    need = visit.needs.get()
    client = client_for(world.cadre)
    with unchanged():
        response = client.post(f"/fieldwork/needs/{need.pk}/", {"kind": "medical", "status": "closed"})
        assert response.status_code == 400
    response = client.post(
        f"/fieldwork/needs/{need.pk}/", {"kind": "medical", "status": "closed", "closing_note": "已办卡"}
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == NeedStatus.CLOSED


def test_coverage_lists_households_not_visited_in_n_days(world, households, client_for, region):
    old = households["near"]
    recent = make_household(region, "LS0003")
    make_household(region, "LS0004")  # never visited
    record(world, old, visited_on=timezone.localdate() - datetime.timedelta(days=120))
    record(world, recent, visited_on=timezone.localdate() - datetime.timedelta(days=10))
    client = client_for(world.office)
    listed = {h.code for h in client.get("/fieldwork/coverage/").context["page"].object_list}
    assert listed == {"LS0001", "LS0002", "LS0004"}  # in the county; 新华区 is outside
    listed = {h.code for h in client.get("/fieldwork/coverage/?days=150").context["page"].object_list}
    assert listed == {"LS0001", "LS0002", "LS0004"} - {"LS0001"}
    listed = {h.code for h in client.get("/fieldwork/coverage/?days=5").context["page"].object_list}
    assert listed == {"LS0001", "LS0002", "LS0003", "LS0004"}
    export = client.get("/fieldwork/coverage/?export=csv")
    assert export.status_code == 200 and "LS0004" in export.content.decode("utf-8-sig")


def test_visit_and_need_lists_without_n_plus_one(world, households, client_for):
    client = client_for(world.office)
    record(world, households["near"], needs=[services.NeedInput(kind="medical", description="a")])
    client.get("/fieldwork/visits/")
    with CaptureQueriesContext(connection) as few_visits:
        client.get("/fieldwork/visits/")
    with CaptureQueriesContext(connection) as few_needs:
        client.get("/fieldwork/needs/")
    for n in range(5):
        record(world, households["near"], needs=[services.NeedInput(kind="medical", description=str(n))])
    with CaptureQueriesContext(connection) as many_visits:
        assert len(client.get("/fieldwork/visits/").context["page"].object_list) == 6
    with CaptureQueriesContext(connection) as many_needs:
        assert len(client.get("/fieldwork/needs/").context["page"].object_list) == 6
    assert len(many_visits.captured_queries) == len(few_visits.captured_queries)
    assert len(many_needs.captured_queries) == len(few_needs.captured_queries)


def test_photo_counts_are_the_visits_photo_attachments(world, households, client_for):
    from bangfu.fieldwork.selectors import household_fieldwork

    with_photos = record(world, households["near"], photos=[photo(), photo("b.jpg")])
    without = record(world, households["near"], visited_on=timezone.localdate() - datetime.timedelta(days=1))
    visits = household_fieldwork(household=households["near"], user=world.cadre)["visits"]
    assert {visit.pk: visit.photo_count for visit in visits} == {with_photos.pk: 2, without.pk: 0}
    response = client_for(world.cadre).get(f"/api/v1/fieldwork/visits/{with_photos.pk}")
    assert response.status_code == 200 and response.json()["photo_count"] == 2
