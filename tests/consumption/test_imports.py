"""Purchases through the import engine: rows grouped into purchases, re-import changes nothing,
every bad row reported with its reason, and all-or-nothing writes nothing."""

import pytest

from bangfu.consumption.models import Purchase, PurchaseLine, PurchaseSource
from bangfu.imports import engine
from bangfu.imports.models import Mode, RunStatus

pytestmark = pytest.mark.django_db
HEADER = "采购单位,采购日期,供应商,品名,规格,数量,单价(元),金额(元),销售渠道,用途,发票号,付款方,代为采购的工会,职工姓名\n"


def run(user, tmp_path, text, *, dry_run=False, mode=Mode.ALL_OR_NOTHING, settings=None):
    source = tmp_path / "purchases.csv"
    source.write_text(HEADER + text, encoding="utf-8")
    created = engine.import_create(
        user=user, kind="purchases", source=source, original_name="purchases.csv", mode=mode, dry_run=dry_run
    )
    return engine.import_execute(created)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


GOOD = (
    "县医院工会,2025-06-01,下汤镇香菇合作社,香菇,,10,68.00,680.00,直接采购,工会福利慰问品,F1,,,\n"
    "县医院工会,2025-06-01,下汤镇香菇合作社,黑木耳,,2,39,,直接采购,工会福利慰问品,F1,,,\n"
    "县医院,2025/6/3,山货基地,蜂蜜,,5,45,,食堂采购,食堂食材,,职工个人,,王芳\n"
)


def test_rows_become_purchases_and_reimport_changes_nothing(world, office, tmp_path):
    imported = run(office, tmp_path, GOOD)
    assert imported.status == RunStatus.IMPORTED, imported.message
    assert (imported.created_count, imported.error_rows) == (3, 0)
    first = Purchase.objects.get(invoice_number="F1")
    assert (first.buyer, first.total_amount, first.certified_amount, first.source) == (
        world.union,
        680 + 78,
        680,
        PurchaseSource.IMPORT,
    )
    assert Purchase.objects.get(buyer=world.hospital).staff_name == "王芳"

    again = run(office, tmp_path, GOOD)
    assert (again.status, again.created_count, again.updated_count, again.unchanged_count) == (
        RunStatus.IMPORTED,
        0,
        0,
        3,
    )
    assert (Purchase.objects.count(), PurchaseLine.objects.count()) == (2, 3)

    changed = run(office, tmp_path, GOOD.replace(",10,68.00,680.00,", ",12,68.00,,"))
    assert (changed.updated_count, changed.unchanged_count) == (1, 2)
    assert Purchase.objects.get(invoice_number="F1").total_amount == 12 * 68 + 78


BAD = {
    "未知供应商": "县医院工会,2025-06-01,不存在的合作社,香菇,,1,68,,,,,,,\n",
    "未知产品": "县医院工会,2025-06-01,下汤镇香菇合作社,苹果,,1,68,,,,,,,\n",
    "负数数量": "县医院工会,2025-06-01,下汤镇香菇合作社,香菇,,-2,68,,,,,,,\n",
    "未来日期": "县医院工会,2999-01-01,下汤镇香菇合作社,香菇,,1,68,,,,,,,\n",
    "管辖外单位": "新华区总工会,2025-06-01,下汤镇香菇合作社,香菇,,1,68,,,,,,,\n",
    "金额不符": "县医院工会,2025-06-01,下汤镇香菇合作社,香菇,,2,68,137.00,,,,,,\n",
    "工会未填": "县医院,2025-06-01,下汤镇香菇合作社,香菇,,1,68,,,,,本单位工会,,\n",
    "重复产品": "县医院工会,2025-06-02,下汤镇香菇合作社,香菇,,1,68,,,,,,,\n县医院工会,2025-06-02,下汤镇香菇合作社,香菇,,2,68,,,,,,,\n",
}


def test_every_bad_row_is_reported_and_nothing_is_written(world, office, tmp_path, unchanged):
    text = "".join(BAD.values())
    with unchanged():
        rejected = run(office, tmp_path, text)
    assert rejected.status == RunStatus.REJECTED
    issues = {(issue.row, issue.column) for issue in rejected.issues.all()}
    assert rejected.error_rows == len(BAD)
    assert {column for _row, column in issues} >= {
        "供应商",
        "品名",
        "数量",
        "采购日期",
        "采购单位",
        "金额(元)",
        "代为采购的工会",
    }


def test_skip_bad_rows_writes_the_good_ones(world, office, tmp_path):
    result = run(office, tmp_path, GOOD + BAD["负数数量"], mode=Mode.SKIP_BAD_ROWS)
    assert (result.status, result.created_count, result.error_rows) == (RunStatus.IMPORTED, 3, 1)


def test_a_buyer_user_imports_for_its_own_unit_only(world, buyer_user, tmp_path, unchanged):
    with unchanged():
        result = run(buyer_user, tmp_path, GOOD)
    assert result.status == RunStatus.REJECTED
    assert {issue.column for issue in result.issues.all()} == {"采购单位"}  # the union's rows
    own = run(buyer_user, tmp_path, GOOD.splitlines(keepends=True)[2])
    assert own.status == RunStatus.IMPORTED and own.created_count == 1
