"""Backup and restore of the whole database: every table comes back exactly as it was."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection

from bangfu.accounts import services as account_services
from bangfu.accounts.models import Organization
from bangfu.audit.ledger import ledger_append, verify
from bangfu.audit.services import audited_create, audited_delete
from bangfu.core import backup, crypto
from bangfu.core.backup import BackupError
from bangfu.core.models import Job
from bangfu.core.permissions import Role
from bangfu.regions.models import Region
from tests.conftest import DEMO_COUNTY, DEMO_VILLAGE, OTHER_COUNTY
from tests.testapp.models import MoneyEntry, PointEntry, Secret

pytestmark = pytest.mark.django_db(transaction=True)


def every_table() -> dict[str, list[tuple]]:
    """Every row of every model (many-to-many tables too), in primary-key order."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for model in apps.get_models(include_auto_created=True)
    }


@pytest.fixture
def populated(make_user, make_org):
    """Some of everything: regions, organisations, users and roles, audit trail, ledgers, secrets."""
    office = make_user(Role.OFFICE, DEMO_COUNTY, username="office")
    make_user(Role.CADRE, DEMO_VILLAGE)
    make_org(name="鲁山香菇合作社", region_code=DEMO_VILLAGE, contact_phone="13812345678")
    make_org(name="新华区企业", region_code=OTHER_COUNTY)
    audited_create(
        actor=office,
        instance=Secret(
            name="张三",
            region_code=DEMO_VILLAGE,
            id_number="41042319900106123X",
            id_number_hash=crypto.lookup_hash("41042319900106123X"),
            extra={"tags": ["因病"]},
        ),
    )
    for points in (10, 20, 30):
        ledger_append(PointEntry, key="H1", actor=office, household="H1", points=points, memo="")
    ledger_append(MoneyEntry, key="P1", actor=office, project="P1", amount=Decimal("1595.31"))
    Job.objects.create(kind="export", title="导出", created_by=office, params={"query": {"kind": ["union"]}})
    return office


def change_everything(actor) -> None:
    """Inserts, updates and deletes across several tables, so that restore has work to do."""
    organization = Organization.objects.get(name="鲁山香菇合作社")
    account_services.organization_update(actor=actor, organization=organization, data={"name": "改名合作社"})
    Organization.objects.filter(name="新华区企业").update(contact_phone="00000000000")
    account_services.organization_create(
        actor=actor, name="备份后新建", kind="union", region=Region.objects.get(code=DEMO_VILLAGE)
    )
    audited_delete(actor=actor, instance=Secret.objects.get())
    ledger_append(PointEntry, key="H1", actor=actor, household="H1", points=40, memo="")
    Job.objects.all().delete()
    Region.objects.filter(code__startswith="410402001").delete()


def test_backup_then_restore_brings_every_table_back(populated, tmp_path):
    before = every_table()
    assert sum(map(len, before.values())) > 3000  # the check below compares something

    path = backup.backup(str(tmp_path / "bangfu.backup"))
    assert path.is_file() and path.stat().st_size > 0

    change_everything(populated)
    changed = every_table()
    assert changed != before
    differing = {label for label in before if before[label] != changed[label]}
    assert {
        "accounts.Organization",
        "audit.ChangeRecord",
        "testapp.Secret",
        "testapp.PointEntry",
    } <= differing

    backup.restore(str(path))

    after = every_table()
    assert after.keys() == before.keys()
    for label, rows in before.items():
        assert after[label] == rows, label
    assert Secret.objects.get().id_number == "41042319900106123X"  # still readable with the key
    assert [item for item in verify() if not isinstance(item, int)] == []  # ledgers intact


def test_backup_to_the_default_place(populated, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    path = backup.backup()
    assert path.parent == tmp_path / "backups"
    assert path.suffix == (".sqlite3" if connection.vendor == "sqlite" else ".pgdump")
    assert path.is_file()


def test_text_file_is_refused_and_changes_nothing(populated, tmp_path):
    before = every_table()
    bad = tmp_path / "notes.txt"
    bad.write_text("这不是备份文件\n" * 100, encoding="utf-8")
    with pytest.raises(BackupError):
        backup.restore(str(bad))
    assert every_table() == before


def test_missing_file_is_refused(populated, tmp_path):
    before = every_table()
    with pytest.raises(BackupError, match="no backup file"):
        backup.restore(str(tmp_path / "nowhere.backup"))
    with pytest.raises(BackupError):
        backup.restore(str(tmp_path))  # a directory
    assert every_table() == before


def test_truncated_backup_is_refused_and_changes_nothing(populated, tmp_path):
    path = backup.backup(str(tmp_path / "bangfu.backup"))
    data = path.read_bytes()
    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(data[: len(data) // 2])
    change_everything(populated)
    before = every_table()
    with pytest.raises(BackupError):
        backup.restore(str(truncated))
    assert every_table() == before


def test_backup_of_the_other_database_kind_is_refused(populated, tmp_path):
    """A PostgreSQL dump offered to SQLite, or an SQLite file offered to PostgreSQL."""
    before = every_table()
    other = tmp_path / "other.backup"
    other.write_bytes(
        b"PGDMP" + bytes(200) if connection.vendor == "sqlite" else b"SQLite format 3\x00" + bytes(200)
    )
    with pytest.raises(BackupError):
        backup.restore(str(other))
    assert every_table() == before


def test_new_rows_after_a_restore_do_not_collide(populated, tmp_path):
    """Sequences (PostgreSQL) and sqlite_sequence come back with the data they number."""
    path = backup.backup(str(tmp_path / "bangfu.backup"))
    change_everything(populated)
    backup.restore(str(path))
    highest = Organization.objects.order_by("-pk").values_list("pk", flat=True).first()
    created = account_services.organization_create(
        actor=None, name="恢复后新建", kind="union", region=Region.objects.get(code=DEMO_VILLAGE)
    )
    assert created.pk > highest
    entry = ledger_append(PointEntry, key="H1", household="H1", points=40, memo="")
    assert entry.seq == 4
    assert [item for item in verify() if not isinstance(item, int)] == []


@pytest.mark.postgres
def test_postgresql_backup_is_a_custom_format_dump(populated, tmp_path):
    import shutil
    import subprocess

    path = backup.backup(str(tmp_path / "bangfu.backup"))
    assert path.read_bytes()[:5] == b"PGDMP"
    listing = subprocess.run(
        [shutil.which("pg_restore"), "--list", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "TABLE DATA public accounts_organization" in listing
    assert "SEQUENCE SET public accounts_organization_id_seq" in listing
