"""Visits through the import engine: rows become visits with needs, re-import adds nothing,
every bad row is reported and all-or-nothing writes nothing."""

import datetime

import pytest
from django.utils import timezone

from bangfu.fieldwork.models import Need, Visit
from bangfu.imports import engine
from bangfu.imports.models import Mode, RunStatus

pytestmark = pytest.mark.django_db
HEADER = "户编号,走访日期,走访人用户名,同行人员,走访情况,诉求类别,诉求内容,办理期限\n"


def run(user, tmp_path, text, *, mode=Mode.ALL_OR_NOTHING):
    source = tmp_path / "visits.csv"
    source.write_text(HEADER + text, encoding="utf-8")
    created = engine.import_create(
        user=user, kind="visits", source=source, original_name="visits.csv", mode=mode, dry_run=False
    )
    return engine.import_execute(created)


def test_rows_become_visits_and_reimport_adds_nothing(world, households, tmp_path):
    text = "LS0001,2025-06-01,cadre,村医,户主血压偏高,医疗,申请慢病卡,2025-07-01\nLS0001,2025-06-20,leader,,一切正常,,,\n"
    done = run(world.cadre, tmp_path, text)
    assert done.status == RunStatus.IMPORTED, done.message
    assert Visit.objects.count() == 2
    need = Need.objects.get()
    assert (need.kind, need.due_on, need.owner) == ("medical", datetime.date(2025, 7, 1), world.cadre)
    again = run(world.cadre, tmp_path, text)
    assert (again.status, again.created_count, again.unchanged_count) == (RunStatus.IMPORTED, 0, 2)
    assert Visit.objects.count() == 2 and Need.objects.count() == 1


def test_every_bad_row_is_reported_and_nothing_is_written(world, households, tmp_path, unchanged):
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    text = (
        "XH0001,2025-06-01,cadre,,看望,,,\n"  # outside the cadre's village
        "LS0001,2025-06-01,nobody,,看望,,,\n"
        f"LS0001,{future},cadre,,看望,,,\n"
        "LS0001,2025-06-02,cadre,,看望,医疗,,\n"
        "LS0001,2025-06-03,cadre,,看望,医疗,慢病卡,2025-05-01\n"
        "LS0001,2025-06-04,cadre,,看望,,,\n"  # good
    )
    with unchanged():
        rejected = run(world.cadre, tmp_path, text)
    assert rejected.status == RunStatus.REJECTED
    assert rejected.error_rows == 5
    columns = {issue.column for issue in rejected.issues.all()}
    assert columns >= {"户编号", "走访人用户名", "走访日期", "诉求内容", "办理期限"}


STAYS = "队员用户名,村代码,签到时间,签退时间,备注\n"


def run_stays(user, tmp_path, text):
    source = tmp_path / "stays.csv"
    source.write_text(STAYS + text, encoding="utf-8")
    created = engine.import_create(
        user=user,
        kind="stays",
        source=source,
        original_name="stays.csv",
        mode=Mode.ALL_OR_NOTHING,
        dry_run=False,
    )
    return engine.import_execute(created)


def test_stays_become_check_ins_and_count_for_the_rule(world, tmp_path):
    from bangfu.fieldwork import selectors
    from bangfu.fieldwork.models import CheckIn

    text = "cadre,410423101001,2025-03-03 08:00,2025-03-07 17:00,纸质签到表\n"
    done = run_stays(world.office, tmp_path, text)
    assert done.status == RunStatus.IMPORTED, done.message
    assert CheckIn.objects.get().member == world.member
    again = run_stays(world.office, tmp_path, text)
    assert (again.created_count, again.unchanged_count) == (0, 1)
    week = datetime.date(2025, 3, 3)
    (row,) = [
        r
        for r in selectors.compliance_report(user=world.office, first=week, last=week)
        if r.member == world.member
    ]
    assert (row.week.days, row.week.nights, row.complies) == (5, 4, True)


def test_bad_stays_are_reported_and_nothing_is_written(world, tmp_path, unchanged):
    text = (
        "cadre,410423101002,2025-03-03 08:00,2025-03-03 17:00,\n"  # not stationed in that village
        "cadre,410423101001,2025-03-04 17:00,2025-03-04 08:00,\n"  # out before in
        "cadre,410423101001,2025-03-05 08:00,2025-03-25 08:00,\n"  # too long
        "cadre,410423101001,2025-03-06 08,2025-03-06 17:00,\n"  # unreadable time
        "cadre,410423101001,2024-12-02 08:00,2024-12-02 17:00,\n"  # before the stint
        "cadre,410423101001,2025-03-10 08:00,2025-03-12 17:00,\n"  # good
        "cadre,410423101001,2025-03-11 08:00,2025-03-11 17:00,\n"  # overlaps the row above
    )
    with unchanged():
        rejected = run_stays(world.office, tmp_path, text)
        assert rejected.status == RunStatus.REJECTED
        assert rejected.error_rows == 6
        assert run_stays(
            world.outsider, tmp_path, "cadre,410423101001,2025-03-10 08:00,2025-03-12 17:00,\n"
        ).status == (RunStatus.REJECTED)
