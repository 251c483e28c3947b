"""Projects, fund entries, beneficiaries and activities through the import engine: rows become
records through the services, re-import adds nothing, every bad row is reported with the
service's message and all-or-nothing writes nothing."""

import pytest

from bangfu.assistance.models import Activity, Beneficiary, FundEntry, Project
from bangfu.assistance.selectors import project_balance
from bangfu.audit.ledger import verify
from bangfu.imports import engine
from bangfu.imports.models import Mode, RunStatus
from tests.conftest import DEMO_VILLAGE

pytestmark = pytest.mark.django_db


def run(user, tmp_path, kind, text, *, mode=Mode.ALL_OR_NOTHING, dry_run=False):
    source = tmp_path / f"{kind}.csv"
    source.write_text(text, encoding="utf-8")
    created = engine.import_create(
        user=user, kind=kind, source=source, original_name=source.name, mode=mode, dry_run=dry_run
    )
    return engine.import_execute(created)


PROJECTS = (
    "项目名称,帮扶单位,区划代码,项目类型,预算(元),开始日期,结束日期,状态,项目内容\n"
    f"饮水井,中国平煤神马集团,{DEMO_VILLAGE},基础设施,280000,2021-03-01,2022-12-31,实施中,打井两眼\n"
    f"文化广场,中国平煤神马集团,{DEMO_VILLAGE},infrastructure,600000,2020-03-01,,planned,\n"
)


def test_projects_are_imported_once(world, tmp_path):
    done = run(world.office, tmp_path, "assistance_projects", PROJECTS)
    assert done.status == RunStatus.IMPORTED, done.message
    assert done.created_count == 2
    well = Project.objects.get(name="饮水井")
    assert (well.region_code, well.type, well.status) == (DEMO_VILLAGE, "infrastructure", "in_progress")
    again = run(world.office, tmp_path, "assistance_projects", PROJECTS)
    assert (again.status, again.created_count, again.unchanged_count) == (RunStatus.IMPORTED, 0, 2)
    assert Project.objects.filter(name__in=["饮水井", "文化广场"]).count() == 2


def test_bad_projects_are_reported_and_nothing_is_written(world, tmp_path, unchanged):
    text = (
        "项目名称,帮扶单位,区划代码,项目类型,预算(元),开始日期,结束日期\n"
        f"甲,不存在的单位,{DEMO_VILLAGE},产业,1000,2021-01-01,\n"
        "乙,中国平煤神马集团,999999999999,产业,1000,2021-01-01,\n"
        f"丙,中国平煤神马集团,{DEMO_VILLAGE},产业,1000,2021-01-01,2020-01-01\n"
        "丁,中国平煤神马集团,410402001001,产业,1000,2021-01-01,\n"  # outside the office's county
        f"戊,中国平煤神马集团,{DEMO_VILLAGE},产业,1000,2021-01-01,\n"  # good
    )
    with unchanged():
        rejected = run(world.office, tmp_path, "assistance_projects", text)
    assert rejected.status == RunStatus.REJECTED
    assert rejected.error_rows == 4
    reasons = " ".join(issue.reason for issue in rejected.issues.all())
    assert "结束日期不能早于开始日期" in reasons and "不在您的管理范围内" in reasons


FUNDS_HEADER = "项目名称,区划代码,资金类型,金额(元),日期,资金来源,凭证号,备注\n"


def test_fund_entries_are_recorded_in_file_order(world, tmp_path):
    text = FUNDS_HEADER + (
        f"肉牛养殖基地,{DEMO_VILLAGE},投入资金,100000,2019-06-01,,PZ-IN-1,\n"
        f"肉牛养殖基地,{DEMO_VILLAGE},支出,1000000,2019-06-02,,PZ-OUT-1,牛舍\n"  # only with the row above
    )
    done = run(world.office, tmp_path, "assistance_funds", text)
    assert done.status == RunStatus.IMPORTED, (done.message, [i.reason for i in done.issues.all()])
    assert project_balance(world.project)["available"] == 0
    assert [p for p in verify() if not isinstance(p, int)] == []
    again = run(world.office, tmp_path, "assistance_funds", text)
    assert (again.created_count, again.unchanged_count) == (0, 2)
    assert FundEntry.objects.count() == 5


def test_bad_fund_entries_are_reported_and_nothing_is_written(world, tmp_path, unchanged):
    text = FUNDS_HEADER + (
        f"肉牛养殖基地,{DEMO_VILLAGE},支出,5000,2019-06-01,,,\n"  # no voucher
        f"肉牛养殖基地,{DEMO_VILLAGE},支出,5000,2018-06-01,,PZ-1,\n"  # before the project
        f"肉牛养殖基地,{DEMO_VILLAGE},支出,2000000,2019-06-01,,PZ-2,\n"  # more than available
        f"肉牛养殖基地,{DEMO_VILLAGE},协调资金,5000,2019-06-01,,,\n"  # no source
        f"不存在的项目,{DEMO_VILLAGE},投入资金,5000,2019-06-01,,,\n"
        f"肉牛养殖基地,{DEMO_VILLAGE},投入资金,5000,2019-06-01,,PZ-3,\n"  # good
    )
    with unchanged():
        rejected = run(world.office, tmp_path, "assistance_funds", text)
    assert rejected.status == RunStatus.REJECTED
    assert rejected.error_rows == 5
    reasons = " ".join(issue.reason for issue in rejected.issues.all())
    for words in ("凭证号", "起止日期", "可用资金不足", "资金来源", "项目不存在"):
        assert words in reasons, words
    with unchanged():
        checked = run(world.office, tmp_path, "assistance_funds", text, dry_run=True)
    assert checked.status == RunStatus.CHECKED


def test_skip_bad_rows_writes_the_good_ones(world, tmp_path):
    text = FUNDS_HEADER + (
        f"肉牛养殖基地,{DEMO_VILLAGE},支出,5000,2019-06-01,,,\n"
        f"肉牛养殖基地,{DEMO_VILLAGE},投入资金,5000,2019-06-01,,PZ-3,\n"
    )
    done = run(world.office, tmp_path, "assistance_funds", text, mode=Mode.SKIP_BAD_ROWS)
    assert (done.status, done.created_count, done.error_rows) == (RunStatus.IMPORTED, 1, 1)
    assert FundEntry.objects.count() == 4


def test_beneficiaries_are_imported_and_bad_ones_reported(world, households, tmp_path, unchanged):
    header = "项目名称,区划代码,户编号,受益户数,受益人数,未登记原因\n"
    bad = header + (
        f"肉牛养殖基地,{DEMO_VILLAGE},LS0101,,,\n"  # the household lives in another village
        f"肉牛养殖基地,{DEMO_VILLAGE},,2,5,\n"  # counted without a reason
        f"肉牛养殖基地,{DEMO_VILLAGE},NOPE,,,\n"
    )
    with unchanged():
        rejected = run(world.office, tmp_path, "assistance_beneficiaries", bad)
    assert rejected.error_rows == 3
    reasons = " ".join(issue.reason for issue in rejected.issues.all())
    assert "不在项目的实施地区之内" in reasons and "未登记原因" in reasons and "户编号不存在" in reasons
    good = header + f"肉牛养殖基地,{DEMO_VILLAGE},LS0001,,,\n肉牛养殖基地,{DEMO_VILLAGE},,2,5,外村务工\n"
    done = run(world.office, tmp_path, "assistance_beneficiaries", good)
    assert (done.status, done.created_count) == (RunStatus.IMPORTED, 2), [i.reason for i in done.issues.all()]
    assert Beneficiary.objects.count() == 2


def test_activities_are_imported_once(world, tmp_path, unchanged):
    header = "活动类型,活动名称,日期,活动地区代码,组织单位,组织者,服务人次,服务人数,折合价值(元)\n"
    text = header + f"义诊,下汤义诊,2021-06-01,{DEMO_VILLAGE},中国平煤神马集团,县总工会,150,140,14000\n"
    done = run(world.office, tmp_path, "assistance_activities", text)
    assert (done.status, done.created_count) == (RunStatus.IMPORTED, 1), [i.reason for i in done.issues.all()]
    assert run(world.office, tmp_path, "assistance_activities", text).unchanged_count == 1
    assert Activity.objects.count() == 1
    bad = (
        header
        + f"义诊,再次义诊,2021-06-02,{DEMO_VILLAGE},,,10,11,\n培训,培训,2021-06-02,410402001001,,,10,,\n"
    )
    with unchanged():
        rejected = run(world.office, tmp_path, "assistance_activities", bad)
    assert rejected.error_rows == 2
