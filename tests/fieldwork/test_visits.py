"""Visits with needs and photos, follow-up of needs, the household page block, coverage."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bangfu.fieldwork import services
from bangfu.fieldwork.errors import ErrorCode
from bangfu.fieldwork.models import Need, NeedStatus, Visit, VisitPhoto

from .conftest import image, make_household

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
    assert VisitPhoto.objects.filter(visit=visit).count() == 2


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"visited_on": "future"}, ErrorCode.FUTURE_DATE),
        ({"visited_on": datetime.date(2012, 12, 31)}, ErrorCode.DATE_TOO_OLD),
        ({"findings": "  "}, ErrorCode.FINDINGS_REQUIRED),
        ({"photos": "bad"}, ErrorCode.PHOTO_INVALID),
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
    assert visit.photos.count() == 2 and visit.needs.get().description == "屋顶漏雨"
    detail = client.get(visit.get_absolute_url())
    assert "屋顶漏雨" in detail.content.decode()
    photo_response = client.get(f"/fieldwork/photos/{visit.photos.first().pk}/")
    assert b"".join(photo_response.streaming_content).startswith(b"\xff\xd8")


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
