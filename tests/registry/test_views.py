"""The registry's pages: list (search, filters, sorting, pagination, scope, export), household page,
forms (each with a happy path and a bad-input path), and the reveal of an ID number."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from python_calamine import CalamineWorkbook

from bangfu.accounts import services as account_services
from bangfu.accounts.models import OrganizationKind
from bangfu.audit.models import AccessLog, ChangeRecord
from bangfu.core.permissions import Role
from bangfu.registry import services
from bangfu.registry.models import (
    Household,
    HouseholdPairing,
    HouseholdStatus,
    IncomeRecord,
    MemberHistory,
    Person,
    Relation,
    StatusKind,
)
from tests.conftest import DEMO_COUNTY, DEMO_TOWNSHIP, DEMO_VILLAGE, OTHER_COUNTY

from .conftest import NEIGHBOUR_VILLAGE, OTHER_COUNTY_VILLAGE, OTHER_TOWNSHIP_VILLAGE

HOUSEHOLDS = "/registry/households/"
PERSONS = "/registry/persons/"
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def listed(response) -> list[Household]:
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def heads(response) -> set[str]:
    return {h.head_name for h in listed(response)}


def detail_url(household) -> str:
    return f"{HOUSEHOLDS}{household.pk}/"


def head_of(household) -> Person:
    return Person.objects.get(pk=Household.objects.get(pk=household.pk).head_id)


def field_errors(response, name) -> list[str]:
    return list(response.context["form"].errors.get(name, []))


@pytest.fixture
def county(household, person_data, x_id_number):
    """Five households inside the demo county with different attributes, and one outside it.

    A 周耀伟  下汤镇 新街 (DEMO_VILLAGE)  cause 01, 低保, lifted 2019, income 3,999.99; spouse 李秀兰
    B 王芳    下汤镇 老街                 cause 03, 特困, not registered, lifted 2020, income 4,000; disabled
    C 李建国  梁洼镇 东街                 causes 01+09, monitored, income 6,000; chronic, weak; member with an X ID
    D 张秀英  下汤镇 新街 (DEMO_VILLAGE)  no cause, no income, skilled
    F 孙丽    下汤镇 老街                 income 10,000
    E 赵六    新华区 (other county)       cause 01, income 3,000
    """
    a = household(head_name="周耀伟", causes=["01"], safety_net="dibao")
    services.person_add(actor=None, household=a, data=person_data("李秀兰", "spouse"))
    services.income_record_save(actor=None, household=a, year=2024, members=1, wage_income="3999.99")
    services.status_change_add(
        actor=None, household=a, kind=StatusKind.LIFTED, date=datetime.date(2019, 12, 1)
    )

    b = household(
        head_name="王芳",
        village=NEIGHBOUR_VILLAGE,
        causes=["03"],
        safety_net="tekun",
        registered=False,
        head={"health": "disabled", "disability_grade": 2, "labor_capacity": "lost"},
    )
    services.income_record_save(actor=None, household=b, year=2024, members=1, wage_income="4000")
    services.status_change_add(
        actor=None, household=b, kind=StatusKind.LIFTED, date=datetime.date(2020, 12, 1)
    )

    c = household(
        head_name="李建国",
        village=OTHER_TOWNSHIP_VILLAGE,
        causes=["01", "09"],
        head={"health": "chronic", "labor_capacity": "weak"},
    )
    services.person_add(
        actor=None, household=c, data={"name": "李小明", "relation": "son", "id_number": x_id_number}
    )
    services.income_record_save(actor=None, household=c, year=2024, members=1, wage_income="6000")
    services.status_change_add(
        actor=None, household=c, kind=StatusKind.MONITORED, date=datetime.date(2024, 3, 1)
    )

    d = household(head_name="张秀英", head={"labor_capacity": "skilled"})
    f = household(head_name="孙丽", village=NEIGHBOUR_VILLAGE)
    services.income_record_save(actor=None, household=f, year=2024, members=1, wage_income="10000")

    e = household(head_name="赵六", village=OTHER_COUNTY_VILLAGE, causes=["01"])
    services.income_record_save(actor=None, household=e, year=2024, members=1, wage_income="3000")
    return {"A": a, "B": b, "C": c, "D": d, "F": f, "E": e}


def post_household(**overrides) -> dict:
    data = {
        "code": "LS-NEW-1",
        "region": DEMO_VILLAGE,
        "address": "新街12号",
        "phone": "",
        "registered": "on",
        "registered_year": "2015",
        "safety_net": "",
        "notes": "",
        "causes": ["01", "04"],
        "name": "周耀伟",
        "id_number": "",
        "health": "healthy",
        "disability_grade": "",
        "education": "junior",
        "school_stage": "",
        "labor_capacity": "ordinary",
        "employment": "",
        "employer": "",
        "medical_insurance": "on",
    }
    data.update(overrides)
    return data


def post_person(**overrides) -> dict:
    data = {
        "name": "周小红",
        "id_number": "",
        "relation": "daughter",
        "health": "healthy",
        "disability_grade": "",
        "education": "",
        "school_stage": "primary",
        "labor_capacity": "none",
        "employment": "",
        "employer": "",
        "medical_insurance": "on",
    }
    data.update(overrides)
    return data


# The list: search ---------------------------------------------------------------------------------


def test_search_by_chinese_name_of_any_member(county, office, client_for):
    client = client_for(office)
    assert heads(client.get(HOUSEHOLDS, {"q": "周耀"})) == {"周耀伟"}
    assert heads(client.get(HOUSEHOLDS, {"q": "秀兰"})) == {"周耀伟"}  # the spouse's name finds the household
    assert heads(client.get(HOUSEHOLDS, {"q": "李"})) == {"周耀伟", "李建国"}
    assert heads(client.get(HOUSEHOLDS, {"q": "赵六"})) == set()  # outside the office's county


def test_search_by_pinyin_initials(county, office, client_for):
    client = client_for(office)
    assert heads(client.get(HOUSEHOLDS, {"q": "zyw"})) == {"周耀伟"}
    assert heads(client.get(HOUSEHOLDS, {"q": "ljg"})) == {"李建国"}
    assert heads(client.get(HOUSEHOLDS, {"q": "zl"})) == set()  # 赵六 is out of scope


def test_search_by_household_code(county, office, client_for):
    client = client_for(office)
    code = county["C"].code
    assert heads(client.get(HOUSEHOLDS, {"q": code})) == {"李建国"}
    assert heads(client.get(HOUSEHOLDS, {"q": county["E"].code})) == set()


def test_search_by_exact_id_number(county, office, client_for, x_id_number):
    client = client_for(office)
    number = head_of(county["B"]).id_number
    assert heads(client.get(HOUSEHOLDS, {"q": number})) == {"王芳"}
    assert heads(client.get(HOUSEHOLDS, {"q": f"  {number.translate(FULL_WIDTH)} "})) == {"王芳"}
    assert heads(client.get(HOUSEHOLDS, {"q": x_id_number.lower()})) == {"李建国"}  # a member's ID, lower x
    # the same lookup on the person list
    assert [p.name for p in listed(client.get(PERSONS, {"q": x_id_number.lower()}))] == ["李小明"]
    # outside the scope an exact number finds nothing
    assert heads(client.get(HOUSEHOLDS, {"q": head_of(county["E"]).id_number})) == set()


def test_a_partial_id_number_finds_nothing(county, office, client_for):
    client = client_for(office)
    number = head_of(county["B"]).id_number
    for partial in (number[:17], number[:14], number[:6], number[-6:], number[1:]):
        assert heads(client.get(HOUSEHOLDS, {"q": partial})) == set(), partial
        assert listed(client.get(PERSONS, {"q": partial})) == [], partial


# The list: filters --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"周耀伟", "王芳", "李建国", "张秀英", "孙丽"}),
        ({"township": DEMO_TOWNSHIP}, {"周耀伟", "王芳", "张秀英", "孙丽"}),
        ({"township": DEMO_TOWNSHIP[:9]}, {"周耀伟", "王芳", "张秀英", "孙丽"}),
        ({"village": DEMO_VILLAGE}, {"周耀伟", "张秀英"}),
        ({"village": OTHER_TOWNSHIP_VILLAGE}, {"李建国"}),
        ({"village": OTHER_COUNTY_VILLAGE}, set()),
        ({"registered": "true"}, {"周耀伟", "李建国", "张秀英", "孙丽"}),
        ({"registered": "false"}, {"王芳"}),
        ({"status": "lifted"}, {"周耀伟", "王芳"}),
        ({"status": "monitored"}, {"李建国"}),
        ({"status": "poor"}, {"张秀英", "孙丽"}),
        ({"safety_net": "dibao"}, {"周耀伟"}),
        ({"safety_net": "tekun"}, {"王芳"}),
        ({"cause": "01"}, {"周耀伟", "李建国"}),
        ({"cause": "09"}, {"李建国"}),
        ({"cause": "03"}, {"王芳"}),
        ({"labor_capacity": "lost"}, {"王芳"}),
        ({"labor_capacity": "skilled"}, {"张秀英"}),
        ({"labor_capacity": "ordinary"}, {"周耀伟", "孙丽", "李建国"}),  # 李建国's son is ordinary
        ({"health": "chronic"}, {"李建国"}),
        ({"health": "disabled"}, {"王芳"}),
        ({"lifted_year": "2019"}, {"周耀伟"}),
        ({"lifted_year": "2020"}, {"王芳"}),
        ({"income_band": "lt4000"}, {"周耀伟"}),
        ({"income_band": "4000-6000"}, {"王芳"}),
        ({"income_band": "6000-10000"}, {"李建国"}),
        ({"income_band": "gte10000"}, {"孙丽"}),
        ({"income_band": "none"}, {"张秀英"}),
        ({"township": DEMO_TOWNSHIP, "cause": "01"}, {"周耀伟"}),
        ({"q": "zyw", "status": "lifted", "safety_net": "dibao"}, {"周耀伟"}),
    ],
    ids=lambda v: "&".join(f"{k}={x}" for k, x in v.items()) if isinstance(v, dict) else None,
)
def test_filters(county, office, client_for, params, expected):
    assert heads(client_for(office).get(HOUSEHOLDS, params)) == expected


@pytest.mark.parametrize(
    "params",
    [
        {"status": "bogus"},
        {"cause": "88"},
        {"income_band": "rich"},
        {"lifted_year": "two"},
        {"village": "41x"},
    ],
)
def test_invalid_filter_values_show_nothing_rather_than_fail(county, office, client_for, params):
    assert heads(client_for(office).get(HOUSEHOLDS, params)) == set()


# The list: sorting and pagination -----------------------------------------------------------------


@pytest.fixture
def sortable(household, person_data):
    """Six households where every sortable column has a value, with ties to show the pk tiebreak."""
    rows = [
        # code, head, village, extra members, status kind, lift year, per-capita income
        ("LS-C", "王芳", NEIGHBOUR_VILLAGE, 2, StatusKind.LIFTED, 2018, "5200.00"),
        ("LS-A", "周耀伟", DEMO_VILLAGE, 0, StatusKind.MONITORED, 2020, "3100.50"),
        ("LS-F", "李建国", OTHER_TOWNSHIP_VILLAGE, 1, StatusKind.LIFTED, 2016, "8800.00"),
        ("LS-B", "张秀英", DEMO_VILLAGE, 2, StatusKind.RISK_ELIMINATED, 2019, "5200.00"),
        ("LS-E", "孙丽", NEIGHBOUR_VILLAGE, 0, StatusKind.LIFTED, 2017, "12000.00"),
        ("LS-D", "曾国藩", DEMO_VILLAGE, 3, StatusKind.LIFTED, 2019, "4100.00"),
    ]
    made = []
    for code, head, village, extra, kind, year, income in rows:
        home = household(code=code, head_name=head, village=village)
        for index in range(extra):
            services.person_add(
                actor=None, household=home, data=person_data(f"{head[0]}家{index}", "daughter")
            )
        services.status_change_add(
            actor=None, household=home, kind=StatusKind.LIFTED, date=datetime.date(year, 12, 1)
        )
        if kind != StatusKind.LIFTED:
            services.status_change_add(actor=None, household=home, kind=kind, date=datetime.date(2024, 6, 1))
        services.income_record_save(actor=None, household=home, year=2024, members=1, wage_income=income)
        made.append(home.pk)
    return list(Household.objects.filter(pk__in=made))


SORT_KEYS = {
    "code": lambda h: h.code,
    "head_name": lambda h: h.head_name,
    "village": lambda h: h.region_code,
    "members_count": lambda h: h.members_count,
    "status": lambda h: h.status,
    "lifted_year": lambda h: h.lifted_year,
    "latest_per_capita": lambda h: h.latest_per_capita,
}


@pytest.mark.parametrize("column", list(SORT_KEYS))
@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
def test_sorting_by_each_sortable_column(sortable, office, client_for, column, descending):
    key = SORT_KEYS[column]
    by_pk = sorted(sortable, key=lambda h: h.pk)
    expected = [h.pk for h in sorted(by_pk, key=key, reverse=descending)]  # stable: ties stay in pk order
    response = client_for(office).get(HOUSEHOLDS, {"sort": ("-" if descending else "") + column})
    assert [h.pk for h in listed(response)] == expected
    assert len({key(h) for h in sortable}) > 2  # the column really discriminates


def test_every_sortable_column_is_tested():
    from bangfu.registry.listings import households

    assert set(households.table.sort_keys()) == set(SORT_KEYS)


def test_an_unknown_sort_falls_back_to_the_default(sortable, office, client_for):
    response = client_for(office).get(HOUSEHOLDS, {"sort": "id_number"})
    expected = [h.pk for h in sorted(sortable, key=lambda h: (h.region_code, h.pk))]
    assert [h.pk for h in listed(response)] == expected


@pytest.fixture
def many(household):
    def make(count: int, start: int = 0) -> None:
        for index in range(start, start + count):
            household(code=f"LS-{index:03d}", head_name=f"周{'甲乙丙丁戊己庚辛壬癸'[index % 10]}{index}")

    return make


def test_pagination(many, office, client_for):
    many(60)
    client = client_for(office)
    first = client.get(HOUSEHOLDS, {"sort": "code"})
    second = client.get(HOUSEHOLDS, {"sort": "code", "page": "2"})
    assert first.context["page"].paginator.count == 60
    assert "共 60 条" in first.content.decode()
    assert "page=2" in first.content.decode()
    assert [h.code for h in listed(first)] == [f"LS-{i:03d}" for i in range(50)]
    assert [h.code for h in listed(second)] == [f"LS-{i:03d}" for i in range(50, 60)]
    assert listed(client.get(HOUSEHOLDS, {"sort": "code", "page": "99"})) == listed(second)  # last page
    assert listed(client.get(HOUSEHOLDS, {"sort": "code", "page": "abc"})) == listed(first)


def test_list_query_count_does_not_grow_with_rows(many, office, client_for, django_assert_max_num_queries):
    client = client_for(office)
    many(10)
    client.get(HOUSEHOLDS)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as ten:
        assert len(listed(client.get(HOUSEHOLDS))) == 10
    assert len(ten) <= 6  # session, user, scope, count, page, causes for the filter form
    many(50, start=10)
    with django_assert_max_num_queries(len(ten)):
        assert len(listed(client.get(HOUSEHOLDS))) == 50
    with django_assert_max_num_queries(len(ten)):
        assert len(listed(client.get(PERSONS))) == 50


# Scope --------------------------------------------------------------------------------------------


def test_a_village_cadre_sees_only_that_village(county, cadre, client_for):
    client = client_for(cadre)
    assert heads(client.get(HOUSEHOLDS)) == {"周耀伟", "张秀英"}
    assert heads(client.get(HOUSEHOLDS, {"q": "王芳"})) == set()
    assert {p.household_id for p in listed(client.get(PERSONS))} == {county["A"].pk, county["D"].pk}


def test_an_office_of_another_county_sees_none_of_ours(county, other_office, client_for):
    client = client_for(other_office)
    assert heads(client.get(HOUSEHOLDS)) == {"赵六"}
    assert heads(client.get(HOUSEHOLDS, {"q": head_of(county["A"]).id_number})) == set()
    assert {p.name for p in listed(client.get(PERSONS))} == {"赵六"}


def test_users_without_the_registry_see_no_list(county, make_user, client_for):
    supplier = make_user(Role.SUPPLIER, DEMO_COUNTY)
    assert client_for(supplier).get(HOUSEHOLDS).status_code == 403


# The household page -------------------------------------------------------------------------------


def test_household_page_in_scope_and_out_of_scope(county, office, cadre, other_office, leader, client_for):
    a, b = county["A"], county["B"]
    assert client_for(office).get(detail_url(a)).status_code == 200
    assert client_for(leader).get(detail_url(a)).status_code == 200
    assert client_for(cadre).get(detail_url(a)).status_code == 200
    assert client_for(cadre).get(detail_url(b)).status_code == 404
    assert client_for(other_office).get(detail_url(a)).status_code == 404
    assert client_for(office).get(detail_url(county["E"])).status_code == 404
    assert client_for(office).get(f"{HOUSEHOLDS}999999/").status_code == 404


def test_household_page_shows_members_incomes_timeline_pairings_and_history(
    county, office, client_for, make_org
):
    a = county["A"]
    services.income_record_save(
        actor=office, household=a, year=2023, members=2, wage_income="5000", production_cost="100"
    )
    firm = make_org(name="鲁山香菇合作社", kind=OrganizationKind.ENTERPRISE)
    services.pairing_create(
        actor=office,
        household=a,
        helper_name="王书记",
        organization=firm,
        start_date=datetime.date(2021, 3, 1),
    )
    response = client_for(office).get(detail_url(a))
    assert response.status_code == 200
    html = response.content.decode()

    members = Person.objects.filter(household=a).order_by("pk")
    assert [p.name for p in response.context["members"]] == ["周耀伟", "李秀兰"]
    for person in members:
        assert person.id_number_masked in html
        assert person.id_number not in html
        assert f'data-testid="reveal-{person.pk}"' in html  # the office may reveal

    assert response.context["income_chart"] == {
        "years": ["2023", "2024"],
        "per_capita": [2450.0, 3999.99],
        "net": [4900.0, 3999.99],
    }
    assert 'id="income-data"' in html and "3999.99" in html

    assert [c.kind for c in response.context["status_changes"]] == [StatusKind.LIFTED]
    assert "脱贫" in html
    assert "王书记" in html and "鲁山香菇合作社" in html
    assert response.context["history"]  # the household's change records
    assert 'data-testid="history-tab"' in html
    assert "添加成员" in html  # the office may edit


def test_household_page_for_a_reader_hides_health_and_edit_links(county, leader, client_for):
    response = client_for(leader).get(detail_url(county["B"]))
    html = response.content.decode()
    assert "残疾" not in html.split('id="tab-members"')[1].split("</table>")[0]
    assert "***" in html
    assert "reveal-" not in html
    assert "添加成员" not in html and response.context["edit_url"] is None


def test_reveal_rights_elsewhere_do_not_reveal_here(county, make_user, make_org, region, client_for):
    """A leader here who is an office user in another county sees health masked here, and no reveal button."""
    user = make_user(Role.LEADER, DEMO_COUNTY)
    account_services.membership_create(
        actor=None, user=user, organization=make_org(), role=Role.OFFICE, regions=[region(OTHER_COUNTY)]
    )
    html = client_for(user).get(detail_url(county["B"])).content.decode()
    assert "reveal-" not in html
    assert "残疾" not in html.split('id="tab-members"')[1].split("</table>")[0]


def test_household_page_lists_former_members(county, office, client_for):
    a, d = county["A"], county["D"]
    spouse = Person.objects.get(household=a, relation=Relation.SPOUSE)
    services.person_move(
        actor=office,
        person=spouse,
        to_household=d,
        relation=Relation.OTHER,
        date=datetime.date(2025, 4, 1),
        reason="投亲",
    )
    response = client_for(office).get(detail_url(a))
    assert [e.person.name for e in response.context["former_members"]] == ["李秀兰"]
    assert "投亲" in response.content.decode()


# Forms: household ---------------------------------------------------------------------------------


def test_create_household(regions, office, client_for, id_number):
    number = id_number(datetime.date(1975, 5, 5))
    response = client_for(office).post(f"{HOUSEHOLDS}new/", post_household(id_number=number))
    assert response.status_code == 302
    home = Household.objects.get(code="LS-NEW-1")
    assert response["Location"] == detail_url(home)
    head = Person.objects.get(household=home)
    assert (head.name, head.relation, head.id_number, head.birth_date) == (
        "周耀伟",
        "head",
        number,
        datetime.date(1975, 5, 5),
    )
    assert (home.head_id, home.members_count, home.region_code) == (head.pk, 1, DEMO_VILLAGE)
    assert sorted(home.causes.values_list("code", flat=True)) == ["01", "04"]
    assert MemberHistory.objects.filter(person=head).count() == 1
    assert ChangeRecord.objects.filter(actor=office).count() >= 2


def test_create_household_with_a_bad_checksum(regions, office, client_for, id_number, unchanged):
    number = id_number()
    wrong = number[:17] + ("0" if number[-1] != "0" else "1")
    with unchanged():
        response = client_for(office).post(f"{HOUSEHOLDS}new/", post_household(id_number=wrong))
    assert response.status_code == 400
    assert field_errors(response, "id_number") == [f"身份证号校验位错误:最后一位应为{number[-1]}。"]
    assert f"身份证号校验位错误:最后一位应为{number[-1]}。" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "village", "message"),
    [
        ("cadre", NEIGHBOUR_VILLAGE, "该村不在您的管辖范围内。"),
        ("office", OTHER_COUNTY_VILLAGE, "该村不在您的管辖范围内。"),
        ("office", DEMO_TOWNSHIP, "农户应登记在村(社区)一级。"),
        ("office", "999999999999", "区划代码 999999999999 不存在。"),
    ],
)
def test_create_household_outside_scope_or_not_in_a_village(
    regions, office, cadre, client_for, id_number, unchanged, who, village, message
):
    user = {"office": office, "cadre": cadre}[who]
    with unchanged():
        response = client_for(user).post(
            f"{HOUSEHOLDS}new/", post_household(region=village, id_number=id_number())
        )
    assert response.status_code == 400
    assert field_errors(response, "region") == [message]


def test_create_household_with_an_id_already_registered(county, office, client_for, unchanged):
    with unchanged():
        response = client_for(office).post(
            f"{HOUSEHOLDS}new/", post_household(id_number=head_of(county["A"]).id_number)
        )
    assert response.status_code == 400
    assert "已登记在其他农户中" in " ".join(field_errors(response, "id_number"))


def test_readers_cannot_create(regions, leader, client_for, id_number, unchanged):
    with unchanged():
        response = client_for(leader).post(f"{HOUSEHOLDS}new/", post_household(id_number=id_number()))
    assert response.status_code == 403


def test_edit_household(county, office, client_for):
    a = county["A"]
    form = client_for(office).get(f"{detail_url(a)}edit/")
    assert form.status_code == 200
    response = client_for(office).post(
        f"{detail_url(a)}edit/",
        {
            "code": "ignored",
            "region": NEIGHBOUR_VILLAGE,
            "address": "老街8号",
            "phone": "13800000000",
            "registered": "on",
            "registered_year": "2014",
            "safety_net": "dibao",
            "notes": "",
            "causes": ["01", "03"],
        },
    )
    assert response.status_code == 302
    fresh = Household.objects.get(pk=a.pk)
    assert (fresh.code, fresh.region_code, fresh.address) == (a.code, NEIGHBOUR_VILLAGE, "老街8号")
    assert set(Person.objects.filter(household=a).values_list("region_code", flat=True)) == {
        NEIGHBOUR_VILLAGE
    }
    assert sorted(fresh.causes.values_list("code", flat=True)) == ["01", "03"]


def test_edit_household_into_another_county_fails(county, office, client_for, unchanged):
    a = county["A"]
    with unchanged():
        response = client_for(office).post(
            f"{detail_url(a)}edit/",
            {
                "region": OTHER_COUNTY_VILLAGE,
                "address": "",
                "registered": "on",
                "safety_net": "",
                "causes": ["01"],
            },
        )
    assert response.status_code == 400
    assert field_errors(response, "region") == ["该村不在您的管辖范围内。"]
    assert Household.objects.get(pk=a.pk).region_code == DEMO_VILLAGE


# Forms: members -----------------------------------------------------------------------------------


def test_add_member(county, office, client_for, id_number):
    a = county["A"]
    number = id_number(datetime.date(2015, 9, 1), male=False)
    response = client_for(office).post(f"{detail_url(a)}members/new/", post_person(id_number=number))
    assert response.status_code == 302
    person = Person.objects.get(id_number_hash=Person.objects.get(name="周小红").id_number_hash)
    assert response["Location"] == detail_url(a)
    assert (person.household_id, person.gender, person.relation) == (a.pk, "female", "daughter")
    assert Household.objects.get(pk=a.pk).members_count == 3


@pytest.mark.parametrize("case", ["duplicate_id", "head", "disabled_without_grade"])
def test_add_member_with_bad_input(county, office, client_for, id_number, unchanged, case):
    a = county["A"]
    data = {
        "duplicate_id": post_person(id_number=head_of(county["B"]).id_number),
        "head": post_person(id_number=id_number(), relation="head"),
        "disabled_without_grade": post_person(id_number=id_number(), health="disabled"),
    }[case]
    with unchanged():
        response = client_for(office).post(f"{detail_url(a)}members/new/", data)
    assert response.status_code == 400
    field = {"duplicate_id": "id_number", "head": "relation", "disabled_without_grade": "disability_grade"}[
        case
    ]
    assert field_errors(response, field)


def test_edit_member_keeps_the_id_number_hidden_and_unchanged(county, office, client_for):
    a = county["A"]
    spouse = Person.objects.get(household=a, relation=Relation.SPOUSE)
    form = client_for(office).get(f"/registry/persons/{spouse.pk}/edit/")
    assert form.status_code == 200
    assert spouse.id_number not in form.content.decode()  # showing it would be a reveal without a log
    assert spouse.id_number_masked in form.content.decode()
    response = client_for(office).post(
        f"/registry/persons/{spouse.pk}/edit/",
        post_person(name="李秀芝", relation="spouse", school_stage="", labor_capacity="ordinary"),
    )
    assert response.status_code == 302
    fresh = Person.objects.get(pk=spouse.pk)
    assert (fresh.name, fresh.id_number, fresh.name_initials) == ("李秀芝", spouse.id_number, "lxz")


def test_edit_member_can_correct_the_id_number(county, office, client_for, id_number):
    spouse = Person.objects.get(household=county["A"], relation=Relation.SPOUSE)
    number = id_number(datetime.date(1972, 8, 8), male=False)
    response = client_for(office).post(
        f"/registry/persons/{spouse.pk}/edit/",
        post_person(name="李秀兰", relation="spouse", id_number=number),
    )
    assert response.status_code == 302
    fresh = Person.objects.get(pk=spouse.pk)
    assert (fresh.id_number, fresh.birth_date) == (number, datetime.date(1972, 8, 8))


def test_edit_member_cannot_demote_the_head(county, office, client_for, unchanged):
    head = head_of(county["A"])
    with unchanged():
        response = client_for(office).post(
            f"/registry/persons/{head.pk}/edit/",
            post_person(name="周耀伟", relation="son", labor_capacity="ordinary"),
        )
    assert response.status_code == 400
    assert field_errors(response, "relation") == ["户主不能直接改为其他关系;请先指定新户主。"]
    assert Person.objects.get(pk=head.pk).relation == Relation.HEAD


def test_editing_a_member_out_of_scope_is_404(county, cadre, client_for, unchanged):
    with unchanged():
        response = client_for(cadre).post(
            f"/registry/persons/{head_of(county['B']).pk}/edit/", post_person(name="改名")
        )
    assert response.status_code == 404


def test_move_member(county, office, client_for):
    a, b = county["A"], county["B"]
    spouse = Person.objects.get(household=a, relation=Relation.SPOUSE)
    response = client_for(office).post(
        f"/registry/persons/{spouse.pk}/move/",
        {
            "to_household": b.code,
            "relation": "other",
            "date": "2025-04-01",
            "reason": "投亲",
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith(detail_url(b))
    fresh = Person.objects.get(pk=spouse.pk)
    assert (fresh.household_id, fresh.region_code) == (b.pk, NEIGHBOUR_VILLAGE)
    assert MemberHistory.objects.filter(person=spouse).count() == 2
    assert (Household.objects.get(pk=a.pk).members_count, Household.objects.get(pk=b.pk).members_count) == (
        1,
        2,
    )


@pytest.mark.parametrize(
    "case", ["other_county", "outside_cadre_scope", "same_household", "head_without_new"]
)
def test_move_member_with_bad_input(county, office, cadre, client_for, unchanged, case):
    a = county["A"]
    spouse = Person.objects.get(household=a, relation=Relation.SPOUSE)
    user, person, target, field = {
        "other_county": (office, spouse, county["E"].code, "to_household"),
        "outside_cadre_scope": (cadre, spouse, county["B"].code, "to_household"),
        "same_household": (office, spouse, a.code, "to_household"),
        "head_without_new": (office, head_of(a), county["D"].code, "new_head"),
    }[case]
    with unchanged():
        response = client_for(user).post(
            f"/registry/persons/{person.pk}/move/",
            {
                "to_household": target,
                "relation": "other",
                "date": "2025-04-01",
            },
        )
    assert response.status_code == 400
    assert field_errors(response, field)
    if case in ("other_county", "outside_cadre_scope"):
        assert field_errors(response, field) == [f"找不到户编号为 {target} 的农户(或不在您的管辖范围内)。"]
    assert Person.objects.get(pk=person.pk).household_id == a.pk


# Forms: income, status, pairing ---------------------------------------------------------------------


def test_income_form_derives_per_capita(county, office, client_for):
    d = county["D"]
    response = client_for(office).post(
        f"{detail_url(d)}income/",
        {
            "year": "2024",
            "wage_income": "8000",
            "production_income": "2000.02",
            "property_income": "0",
            "transfer_income": "500",
            "production_cost": "1000",
            "members": "",
            "per_capita_net": "99999",  # not a field: the figure is derived, never typed
        },
    )
    assert response.status_code == 302
    record = IncomeRecord.objects.get(household=d, year=2024)
    assert (record.members, record.net_income, record.per_capita_net) == (
        1,
        Decimal("9500.02"),
        Decimal("9500.02"),
    )
    assert Household.objects.get(pk=d.pk).latest_per_capita == Decimal("9500.02")


def test_income_form_rejects_negative_amounts(county, office, client_for, unchanged):
    d = county["D"]
    with unchanged():
        response = client_for(office).post(
            f"{detail_url(d)}income/",
            {
                "year": "2024",
                "wage_income": "-1",
                "production_income": "0",
                "property_income": "0",
                "transfer_income": "0",
                "production_cost": "0",
            },
        )
    assert response.status_code == 400
    assert field_errors(response, "wage_income") == ["金额不能为负数。"]


def test_status_form(county, office, client_for):
    d = county["D"]
    response = client_for(office).post(
        f"{detail_url(d)}status/",
        {
            "kind": "lifted",
            "date": "2020-12-20",
            "reason": "两不愁三保障",
            "approved_by": "鲁山县",
        },
    )
    assert response.status_code == 302
    fresh = Household.objects.get(pk=d.pk)
    assert (fresh.status, fresh.lifted_year) == (HouseholdStatus.LIFTED, 2020)


def test_status_form_rejects_a_future_date(county, office, client_for, unchanged):
    d = county["D"]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with unchanged():
        response = client_for(office).post(
            f"{detail_url(d)}status/", {"kind": "lifted", "date": tomorrow.isoformat()}
        )
    assert response.status_code == 400
    assert field_errors(response, "date") == ["日期不能晚于今天。"]
    assert Household.objects.get(pk=d.pk).status == HouseholdStatus.POOR


def test_pairing_form(county, office, client_for):
    d = county["D"]
    response = client_for(office).post(
        f"{detail_url(d)}pairings/new/",
        {
            "helper_name": "王书记",
            "start_date": "2021-03-01",
            "end_date": "",
            "note": "每月走访",
        },
    )
    assert response.status_code == 302
    pairing = HouseholdPairing.objects.get(household=d)
    assert (pairing.helper_name, pairing.end_date, pairing.region_code) == ("王书记", None, DEMO_VILLAGE)


def test_pairing_form_rejects_an_end_before_the_start(county, office, client_for, unchanged):
    d = county["D"]
    with unchanged():
        response = client_for(office).post(
            f"{detail_url(d)}pairings/new/",
            {
                "helper_name": "王书记",
                "start_date": "2021-03-01",
                "end_date": "2021-02-01",
            },
        )
    assert response.status_code == 400
    assert field_errors(response, "end_date") == ["结束日期不能早于开始日期。"]
    assert not HouseholdPairing.objects.filter(household=d).exists()


@pytest.mark.parametrize("path", ["members/new/", "income/", "status/", "pairings/new/", "edit/"])
def test_forms_out_of_scope_are_404_and_for_readers_403(county, cadre, leader, client_for, unchanged, path):
    data = {
        "year": "2024",
        "wage_income": "1",
        "kind": "lifted",
        "date": "2020-01-01",
        "helper_name": "某",
        "start_date": "2021-01-01",
        **post_person(),
    }
    with unchanged():
        assert client_for(cadre).post(f"{detail_url(county['B'])}{path}", data).status_code == 404
        assert client_for(leader).post(f"{detail_url(county['A'])}{path}", data).status_code == 403


# Reveal and export --------------------------------------------------------------------------------


def reveal(client, person):
    return client.post(f"/reveal/registry.person/{person.pk}/", {"purpose": "核对身份"})


def test_office_reveals_an_id_number_and_it_is_logged(county, office, client_for):
    head = head_of(county["A"])
    logs = AccessLog.objects.count()
    response = reveal(client_for(office), head)
    assert response.status_code == 200
    assert head.id_number in response.content.decode()
    assert AccessLog.objects.count() == logs + 1
    log = AccessLog.objects.latest("pk")
    assert (log.actor_id, log.field, log.object_id, log.region_code) == (
        office.pk,
        "id_number",
        str(head.pk),
        DEMO_VILLAGE,
    )


def test_leader_may_not_reveal(county, leader, client_for):
    head = head_of(county["A"])
    response = reveal(client_for(leader), head)
    assert response.status_code == 403
    assert head.id_number not in response.content.decode()
    assert AccessLog.objects.count() == 0


def test_reveal_out_of_scope_is_404(county, other_office, cadre, client_for):
    for user, household in ((other_office, county["A"]), (cadre, county["B"])):
        head = head_of(household)
        response = reveal(client_for(user), head)
        assert response.status_code == 404
        assert head.id_number not in response.content.decode()
    assert AccessLog.objects.count() == 0


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_person_export_masks_id_numbers_and_health(county, office, client_for):
    rows = read_csv(client_for(office).get(PERSONS, {"export": "csv"}))
    header, body = rows[0], rows[1:]
    ids, health = header.index("身份证号"), header.index("健康状况")
    persons = Person.objects.filter(region_code__startswith="410423")
    assert len(body) == persons.count() == 7
    assert sorted(r[ids] for r in body) == sorted(p.id_number_masked for p in persons)
    assert {r[health] for r in body} == {"***"}
    assert AccessLog.objects.count() == 0

    workbook = CalamineWorkbook.from_filelike(
        io.BytesIO(client_for(office).get(PERSONS, {"export": "xlsx"}).content)
    )
    cells = [str(c) for row in workbook.get_sheet_by_index(0).to_python() for c in row]
    for person in persons:
        assert person.id_number not in cells
        assert person.id_number_masked in cells


def test_person_export_in_clear_by_a_revealer_is_logged(county, office, client_for):
    rows = read_csv(client_for(office).get(PERSONS, {"export": "csv", "reveal": "1"}))
    header, body = rows[0], rows[1:]
    ids, health = header.index("身份证号"), header.index("健康状况")
    persons = Person.objects.filter(region_code__startswith="410423")
    assert sorted(r[ids] for r in body) == sorted(p.id_number for p in persons)
    assert "残疾" in {r[health] for r in body}
    assert AccessLog.objects.filter(actor=office, field="export:registry.person").count() == 1


def test_person_export_in_clear_is_refused_without_the_reveal_capability(county, leader, client_for):
    client = client_for(leader)
    assert client.get(PERSONS, {"export": "csv", "reveal": "1"}).status_code == 403
    assert AccessLog.objects.count() == 0
    body = read_csv(client.get(PERSONS, {"export": "csv"}))[1:]
    assert len(body) == 7
    for person in Person.objects.all():
        assert person.id_number not in {cell for row in body for cell in row}


def test_household_export_follows_the_filters(county, office, client_for):
    rows = read_csv(client_for(office).get(HOUSEHOLDS, {"export": "csv", "cause": "01", "sort": "code"}))
    assert [r[0] for r in rows[1:]] == sorted([county["A"].code, county["C"].code])
