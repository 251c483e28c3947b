"""The public disclosure pages (no login, nothing private), the feedback form's honeypot and rate
limit, the office's feedback queue, and the pages of beneficiaries, activities, helpers and figures."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bangfu.assistance import services
from bangfu.assistance.models import ActivityKind, Feedback, FeedbackStatus, FundKind, HelperKind, HelperLevel
from bangfu.core.permissions import Role
from tests.conftest import DEMO_COUNTY, DEMO_VILLAGE

pytestmark = pytest.mark.django_db


@pytest.fixture
def disclosed(world, households):
    today = timezone.localdate()
    services.project_disclose(
        actor=world.office,
        project=world.project,
        disclosed_from=today - datetime.timedelta(days=3),
        disclosed_until=today + datetime.timedelta(days=10),
    )
    services.beneficiary_add(actor=world.office, project=world.project, household=households["near"])
    services.beneficiary_count(
        actor=world.office, project=world.project, households=2, persons=5, reason="外村务工人员"
    )
    return world.project


def test_the_public_project_page_shows_money_and_counts_and_nothing_private(disclosed, households):
    client = Client()  # nobody signed in
    page = client.get(reverse("assistance:public-project", args=[disclosed.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    for shown in ("肉牛养殖基地", "PZ-2019-001", "省农业农村厅", "900000.00", "3户6人"):
        assert shown in text, shown
    head = households["near"].head
    for private in (head.name, head.id_number_masked, "张秀英", households["near"].code, "外村务工人员"):
        assert private not in text, private
    region_page = client.get(reverse("assistance:public-region", args=[DEMO_VILLAGE])).content.decode()
    assert "肉牛养殖基地" in region_page and "张秀英" not in region_page
    organization_page = client.get(
        reverse("assistance:public-organization", args=[disclosed.organization_id])
    )
    assert organization_page.status_code == 200 and "肉牛养殖基地" in organization_page.content.decode()


def test_a_project_not_disclosed_is_missing(world):
    client = Client()
    assert client.get(reverse("assistance:public-project", args=[world.project.pk])).status_code == 404
    assert client.get(reverse("assistance:public-region", args=[DEMO_VILLAGE])).status_code == 404
    services.project_disclose(
        actor=world.office,
        project=world.project,
        disclosed_from=timezone.localdate() + datetime.timedelta(days=1),
        disclosed_until=None,
    )
    assert client.get(reverse("assistance:public-project", args=[world.project.pk])).status_code == 404


def post(client, project, message="路灯坏了两盏", **extra):
    return client.post(
        reverse("assistance:public-project", args=[project.pk]),
        {"message": message, "contact": "", "website": "", **extra},
        REMOTE_ADDR=extra.pop("address", "203.0.113.7"),
    )


def test_feedback_reaches_the_office_queue(disclosed, client_for):
    response = post(Client(), disclosed)
    assert response.status_code == 200 and "已收到您的意见" in response.content.decode()
    feedback = Feedback.objects.get()
    assert (feedback.project, feedback.message, feedback.status) == (
        disclosed,
        "路灯坏了两盏",
        FeedbackStatus.NEW,
    )
    assert "203.0.113.7" not in feedback.client_key  # a keyed hash, not the address
    office = client_for(disclosed.organization and _office(disclosed))
    queue = office.get(reverse("assistance:feedback-list")).content.decode()
    assert "路灯坏了两盏" in queue
    handled = office.post(reverse("assistance:feedback-handle", args=[feedback.pk]), {"reply": "已维修"})
    assert handled.status_code == 302
    feedback.refresh_from_db()
    assert (feedback.status, feedback.reply) == (FeedbackStatus.HANDLED, "已维修")


def _office(project):
    from bangfu.accounts.models import User

    return User.objects.get(username="as-office")


def test_the_honeypot_drops_a_robots_message_without_saying_so(disclosed):
    response = post(Client(), disclosed, website="http://spam.example")
    assert response.status_code == 200 and "已收到您的意见" in response.content.decode()
    assert Feedback.objects.count() == 0


def test_feedback_is_rate_limited_per_sender(disclosed):
    client = Client()
    for number in range(services.FEEDBACK_LIMIT):
        assert post(client, disclosed, message=f"意见{number}").status_code == 200
    refused = post(client, disclosed, message="再来一条")
    assert refused.status_code == 429
    assert "提交过于频繁" in refused.content.decode()
    assert Feedback.objects.count() == services.FEEDBACK_LIMIT
    # Another sender is not held back by the first one's messages.
    assert post(client, disclosed, message="另一个人", address="198.51.100.9").status_code == 200
    assert Feedback.objects.count() == services.FEEDBACK_LIMIT + 1


def test_feedback_bad_input_writes_nothing(disclosed, unchanged):
    client = Client()
    with unchanged():
        assert post(client, disclosed, message="  ").status_code == 400
        assert post(client, disclosed, message="长" * 1001).status_code == 400
    services.project_disclose(
        actor=_office(disclosed),
        project=disclosed,
        disclosed_from=timezone.localdate() - datetime.timedelta(days=30),
        disclosed_until=timezone.localdate() - datetime.timedelta(days=1),
    )
    with unchanged():
        closed = post(client, disclosed)
        assert closed.status_code == 400
    assert "公示期已结束" in closed.content.decode()


def test_project_detail_shows_beneficiaries_outcomes_and_dividends(disclosed, households, client_for):
    office = _office(disclosed)
    services.outcome_record(
        actor=office, project=disclosed, kind="people_home", value=93, as_of=datetime.date(2020, 12, 31)
    )
    services.shareholding_add(
        actor=office, project=disclosed, household=households["near"], shares=1, since_year=2019
    )
    services.dividend_run(
        actor=office, project=disclosed, year=2020, amount_per_share=700, paid_on=datetime.date(2020, 12, 20)
    )
    page = client_for(office).get(disclosed.get_absolute_url()).content.decode()
    for text in ("LS0001", "张**", "外村务工人员", "吸引返乡", "93", "700.00", "共3户6人"):
        assert text in page, text
    assert "张秀英" not in page


def test_forms_add_beneficiaries_and_refuse_outside_regions(disclosed, households, client_for, unchanged):
    client = client_for(_office(disclosed))
    url = reverse("assistance:beneficiary-add", args=[disclosed.pk])
    with unchanged():
        refused = client.post(url, {"household": households["second"].code})
    assert refused.status_code == 400 and "不在项目的实施地区之内" in refused.content.decode()
    assert client.post(url, {"household": households["near2"].code}).status_code == 302
    count_url = reverse("assistance:beneficiary-count", args=[disclosed.pk])
    with unchanged():
        no_reason = client.post(count_url, {"households": 1, "persons": 2, "unregistered_reason": ""})
    assert no_reason.status_code == 400
    outcome = client.post(
        reverse("assistance:outcome-record", args=[disclosed.pk]),
        {"kind": "sales", "value": "21520000", "as_of": "2021-12-31"},
    )
    assert outcome.status_code == 302


def test_the_fund_form_offers_the_override_to_the_office(world, client_for, unchanged):
    client = client_for(world.office)
    url = reverse("assistance:fund-entry-create", args=[world.project.pk])
    assert "override_reason" in client.get(url).content.decode()
    data = {"kind": FundKind.SPENT, "amount": "950000", "date": "2019-06-01", "voucher_number": "PZ-9"}
    with unchanged():
        refused = client.post(url, data)
    assert refused.status_code == 400 and "可用资金不足" in refused.content.decode()
    assert client.post(url, {**data, "override_reason": "配套资金下月到位"}).status_code == 302


def test_activity_helper_and_figures_pages(world, region, client_for, make_user):
    office = world.office
    helper = services.helper_create(
        actor=office,
        kind=HelperKind.WORKER,
        name="王建国",
        level=HelperLevel.NATIONAL,
        region=region(DEMO_COUNTY),
    )
    services.helper_result_record(actor=office, helper=helper, year=2021, trainings_held=300, trainees=50000)
    client = client_for(office)
    created = client.post(
        reverse("assistance:activity-create"),
        {
            "kind": ActivityKind.CLINIC,
            "title": "下汤义诊",
            "date": "2021-06-01",
            "region": DEMO_VILLAGE,
            "person_times": "150",
            "distinct_people": "140",
            "value_given": "14000",
            "helper": helper.pk,
        },
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    assert "下汤义诊" in client.get(reverse("assistance:activity-list")).content.decode()
    detail = client.get(helper.get_absolute_url()).content.decode()
    assert "下汤义诊" in detail and "50000" in detail
    figures = client.get(reverse("assistance:figures"), {"region": DEMO_COUNTY}).content.decode()
    assert "开展帮扶活动1场,服务150人次" in figures
    assert "劳模开展培训300场,培训50000人" in figures
    assert "投入帮扶资金100.00万元、协调资金20.00万元,实施帮扶项目1个" in figures
    # Outside the scope the same figures are empty.
    outsider = client_for(world.outsider).get(reverse("assistance:figures"), {"region": DEMO_COUNTY})
    assert "实施帮扶项目0个" in outsider.content.decode()
    leader = make_user(Role.LEADER, DEMO_COUNTY, username="as-leader")
    assert client_for(leader).get(reverse("assistance:activity-create")).status_code == 403
