"""The audit trail written by services: change records with before/after, sensitive values hidden."""

import json
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from bangfu.accounts import services as account_services
from bangfu.audit.models import AccessLog, Action, ChangeRecord
from bangfu.audit.services import (
    audited_create,
    audited_delete,
    audited_update,
    record_access,
    record_change,
    record_related,
    snapshot,
)
from bangfu.core import crypto
from tests.conftest import DEMO_VILLAGE, PASSWORD
from tests.testapp.models import Secret

pytestmark = pytest.mark.django_db

ID_NUMBER = "41042319900106123X"
OTHER_ID_NUMBER = "11010519491231002X"
FINGERPRINT = re.compile(r"^\*{6}[0-9a-f]{8}$")


def records_for(instance) -> list[ChangeRecord]:
    content_type = ContentType.objects.get_for_model(instance)
    return list(
        ChangeRecord.objects.filter(content_type=content_type, object_id=str(instance.pk)).order_by("pk")
    )


def new_secret(**fields) -> Secret:
    values = {"name": "张三", "region_code": DEMO_VILLAGE, "id_number": ID_NUMBER, **fields}
    values.setdefault("id_number_hash", crypto.lookup_hash(values["id_number"]))
    return Secret(**values)


def assert_no_secret_in(record: ChangeRecord, *plaintexts: str) -> None:
    dumped = json.dumps(record.changes, ensure_ascii=False)
    for plaintext in plaintexts:
        assert plaintext not in dumped
    assert "v1:" not in dumped  # no ciphertext either
    assert crypto.lookup_hash(ID_NUMBER) not in dumped  # nor the full lookup hash


def test_create_records_every_field(make_user):
    actor = make_user(username="clerk")
    secret = audited_create(actor=actor, instance=new_secret(extra={"tags": ["因病"]}))
    [record] = records_for(secret)
    assert record.action == Action.CREATE
    assert (record.actor, record.actor_label) == (actor, "clerk")
    assert record.object_id == str(secret.pk)
    assert record.object_repr == "张三"
    assert record.region_code == DEMO_VILLAGE
    assert record.changes["name"] == [None, "张三"]
    assert record.changes["region_code"] == [None, DEMO_VILLAGE]
    assert record.changes["id"] == [None, secret.pk]
    assert record.changes["extra"] == [None, {"tags": ["因病"]}]
    assert "id_number_hash" not in record.changes  # lookup hashes are never copied


def test_create_without_actor_is_recorded_as_system():
    secret = audited_create(actor=None, instance=new_secret())
    [record] = records_for(secret)
    assert (record.actor, record.actor_label) == (None, "system")


def test_update_records_only_what_changed(make_user):
    actor = make_user()
    secret = audited_create(actor=actor, instance=new_secret())
    audited_update(actor=actor, instance=secret, data={"name": "李四", "extra": {"note": "迁出"}})
    create, update = records_for(secret)
    assert update.action == Action.UPDATE
    assert update.changes == {"name": ["张三", "李四"], "extra": [{}, {"note": "迁出"}]}
    assert Secret.objects.get(pk=secret.pk).name == "李四"


def test_update_that_changes_nothing_writes_no_record(make_user):
    actor = make_user()
    secret = audited_create(actor=actor, instance=new_secret())
    count = ChangeRecord.objects.count()
    audited_update(actor=actor, instance=secret, data={"name": "张三", "id_number": ID_NUMBER})
    audited_update(actor=actor, instance=secret, data={})
    assert ChangeRecord.objects.count() == count
    assert len(records_for(secret)) == 1


def test_json_value_changed_in_place_is_recorded():
    secret = audited_create(actor=None, instance=new_secret(extra={"tags": []}))
    before = snapshot(secret)
    secret.extra["tags"].append("因病")
    Secret.objects.filter(pk=secret.pk).update(extra=secret.extra)
    record = record_change(actor=None, instance=secret, action=Action.UPDATE, before=before)
    assert record is not None
    assert record.changes == {"extra": [{"tags": []}, {"tags": ["因病"]}]}


def test_delete_records_the_values_before(make_user):
    actor = make_user()
    secret = audited_create(actor=actor, instance=new_secret())
    pk = secret.pk
    audited_delete(actor=actor, instance=secret)
    assert not Secret.objects.filter(pk=pk).exists()
    record = ChangeRecord.objects.get(action=Action.DELETE, object_id=str(pk))
    assert record.changes["name"] == ["张三", None]
    assert record.changes["id"] == [pk, None]
    assert FINGERPRINT.match(record.changes["id_number"][0])
    assert record.changes["id_number"][1] is None
    assert_no_secret_in(record, ID_NUMBER)


def test_encrypted_field_appears_only_as_a_fingerprint(make_user):
    actor = make_user()
    secret = audited_create(actor=actor, instance=new_secret())
    audited_update(
        actor=actor,
        instance=secret,
        data={"id_number": OTHER_ID_NUMBER, "id_number_hash": crypto.lookup_hash(OTHER_ID_NUMBER)},
    )
    create, update = records_for(secret)
    before, after = update.changes["id_number"]
    assert create.changes["id_number"] == [None, before]
    assert FINGERPRINT.match(before) and FINGERPRINT.match(after)
    assert before != after  # the change is visible …
    assert before == "******" + crypto.lookup_hash(ID_NUMBER)[:8]  # … as a keyed fingerprint
    assert set(update.changes) == {"id_number"}
    for record in (create, update):
        assert_no_secret_in(record, ID_NUMBER, OTHER_ID_NUMBER, ID_NUMBER[6:14])


def test_snapshot_of_an_empty_encrypted_value_is_empty():
    assert snapshot(new_secret(id_number=""))["id_number"] == ""


def test_user_password_is_hidden(make_user):
    user = make_user(username="zhang")
    [created] = records_for(user)
    assert FINGERPRINT.match(created.changes["password"][1])
    assert "last_login" not in created.changes and "failed_logins" not in created.changes
    old_hash = user.password
    account_services.password_change(
        actor=user, user=user, old_password=PASSWORD, new_password="Another-horse-43"
    )
    changed = records_for(user)[-1]
    assert set(changed.changes) == {"password"}
    before, after = changed.changes["password"]
    assert FINGERPRINT.match(before) and FINGERPRINT.match(after) and before != after
    dumped = json.dumps([r.changes for r in records_for(user)])
    for secret in (PASSWORD, "Another-horse-43", old_hash, user.password, "argon2"):
        assert secret not in dumped


def test_validation_error_in_create_writes_nothing(make_user):
    actor = make_user()
    secrets_before = list(Secret.objects.values_list())
    records_before = ChangeRecord.objects.count()
    with pytest.raises(ValidationError) as caught:
        audited_create(actor=actor, instance=new_secret(name=""))
    assert "name" in caught.value.message_dict
    with pytest.raises(ValidationError):
        audited_create(actor=actor, instance=new_secret(region_code="4" * 13))
    assert list(Secret.objects.values_list()) == secrets_before
    assert ChangeRecord.objects.count() == records_before


def test_validation_error_in_update_writes_nothing(make_user):
    actor = make_user()
    secret = audited_create(actor=actor, instance=new_secret())
    rows_before = list(Secret.objects.values_list())
    records_before = ChangeRecord.objects.count()
    with pytest.raises(ValidationError):
        audited_update(actor=actor, instance=Secret.objects.get(pk=secret.pk), data={"name": ""})
    assert list(Secret.objects.values_list()) == rows_before
    assert ChangeRecord.objects.count() == records_before


def test_record_access(make_user):
    actor = make_user(username="viewer")
    secret = audited_create(actor=actor, instance=new_secret())
    log = record_access(
        actor=actor, instance=secret, field="id_number", purpose="核实", ip_address="10.0.0.1"
    )
    stored = AccessLog.objects.get(pk=log.pk)
    assert (stored.actor, stored.actor_label, stored.field, stored.purpose) == (
        actor,
        "viewer",
        "id_number",
        "核实",
    )
    assert (stored.object_id, stored.object_repr, stored.region_code) == (
        str(secret.pk),
        "张三",
        DEMO_VILLAGE,
    )
    assert stored.ip_address == "10.0.0.1"


def test_related_changes_are_recorded_on_the_row_and_equal_ones_left_out(make_user):
    actor = make_user()
    secret = audited_create(actor=actor, instance=new_secret())
    created = len(records_for(secret))
    record = record_related(
        actor=actor, instance=secret, changes={"tags": [["a"], ["a", "b"]], "photo": ["x.png", "x.png"]}
    )
    assert record is not None and record.action == Action.UPDATE
    assert record.changes == {"tags": [["a"], ["a", "b"]]}
    assert (record.actor, record.region_code) == (actor, DEMO_VILLAGE)
    assert record_related(actor=None, instance=secret, changes={"photo": [None, None]}) is None
    assert len(records_for(secret)) == created + 1
