"""Leave cancellation by the member (or the office), and the public-holiday page."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bangfu.fieldwork import services
from bangfu.fieldwork.errors import ErrorCode
from bangfu.fieldwork.models import LeaveStatus, PublicHoliday

pytestmark = pytest.mark.django_db


def _future_leave(world, days=10):
    start = timezone.localdate() + datetime.timedelta(days=days)
    return services.leave_request(
        actor=world.cadre, member=world.member, starts_on=start, ends_on=start, reason="x"
    )


def test_member_cancels_pending_and_approved_future_leave(world):
    pending = _future_leave(world)
    assert services.leave_cancel(actor=world.cadre, leave=pending).status == LeaveStatus.CANCELLED
    approved = _future_leave(world, days=20)
    services.leave_decide(actor=world.leader, leave=approved, approve=True)
    approved.refresh_from_db()
    assert services.leave_cancel(actor=world.cadre, leave=approved).status == LeaveStatus.CANCELLED
    # the days are free again: the same dates can be asked for anew
    assert _future_leave(world).status == LeaveStatus.PENDING


def test_cancel_refused_for_started_decided_or_other_people(world, unchanged):
    today = timezone.localdate()
    started = services.leave_request(
        actor=world.cadre, member=world.member, starts_on=today, ends_on=today, reason="x"
    )
    with unchanged(), pytest.raises(ValidationError) as caught:
        services.leave_cancel(actor=world.cadre, leave=started)
    assert caught.value.error_dict["leave"][0].code == ErrorCode.LEAVE_NOT_CANCELLABLE
    rejected = _future_leave(world)
    services.leave_decide(actor=world.leader, leave=rejected, approve=False)
    rejected.refresh_from_db()
    with unchanged(), pytest.raises(ValidationError):
        services.leave_cancel(actor=world.cadre, leave=rejected)
    other = _future_leave(world, days=30)
    with unchanged(), pytest.raises(ValidationError) as caught:
        services.leave_cancel(actor=world.outsider, leave=other)  # an office of another county
    assert caught.value.error_dict["leave"][0].code == ErrorCode.OUT_OF_SCOPE
    assert services.leave_cancel(actor=world.office, leave=other).status == LeaveStatus.CANCELLED


def test_cancel_from_the_phone_page(world, client_for):
    leave = _future_leave(world)
    page = client_for(world.cadre).get("/fieldwork/checkin/")
    assert b'data-testid="cancel-leave"' in page.content
    response = client_for(world.cadre).post(
        f"/fieldwork/leave/{leave.pk}/cancel/", {"next": "/fieldwork/checkin/"}
    )
    assert response.status_code == 302 and response["Location"] == "/fieldwork/checkin/"
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.CANCELLED
    # the leader (neither the member nor the office) may not
    other = _future_leave(world, days=40)
    assert client_for(world.leader).post(f"/fieldwork/leave/{other.pk}/cancel/").status_code == 403


def test_holiday_page_adds_and_refuses_duplicates(world, client_for, unchanged):
    client = client_for(world.office)
    day = datetime.date(timezone.localdate().year, 10, 1)
    assert client.post("/fieldwork/holidays/", {"date": day.isoformat(), "name": "国庆节"}).status_code == 302
    assert PublicHoliday.objects.get().name == "国庆节"
    with unchanged():
        again = client.post("/fieldwork/holidays/", {"date": day.isoformat(), "name": "国庆节"})
        assert again.status_code == 400
        assert (
            client_for(world.cadre)
            .post("/fieldwork/holidays/", {"date": "2025-10-02", "name": "x"})
            .status_code
            == 403
        )
    assert "国庆节" in client_for(world.cadre).get(f"/fieldwork/holidays/?year={day.year}").content.decode()
    holiday = PublicHoliday.objects.get()
    assert client.post(f"/fieldwork/holidays/{holiday.pk}/delete/").status_code == 302
    assert not PublicHoliday.objects.exists()
