"""Writing the audit trail. Domain services call these inside their own transaction."""

import json
from functools import cache
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from bangfu.core.crypto import lookup_hash
from bangfu.core.fields import EncryptedTextField, LookupHashField

from .models import AccessLog, Action, ChangeRecord

HIDDEN = "******"


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value."""
    if isinstance(value, dict | list):
        # A JSONField value: a copy, so that changing it in place still shows as a change.
        return json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    return (
        DjangoJSONEncoder().default(value)
        if not isinstance(value, str | int | float | bool | None)
        else value
    )


def snapshot(instance: models.Model) -> dict[str, Any]:
    """Field values of one row; sensitive values are never copied into the audit trail."""
    return snapshot_values(
        type(instance), {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
    )


@cache
def _plan(model: type[models.Model]) -> tuple[tuple[str, str, bool], ...]:
    """(attname, name, hidden) of the fields a snapshot keeps, computed once per model."""
    excluded = getattr(model, "audit_exclude", ())
    hidden = getattr(model, "audit_hidden", ())
    return tuple(
        (field.attname, field.name, isinstance(field, EncryptedTextField) or field.name in hidden)
        for field in model._meta.concrete_fields
        if not isinstance(field, LookupHashField) and field.name not in excluded
    )


_SIMPLE = (str, int, float, bool, type(None))


def snapshot_values(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    """The audit form of some of a model's values, given by attname: sensitive ones fingerprinted."""
    result: dict[str, Any] = {}
    for attname, name, hidden in _plan(model):
        if attname not in values:
            continue
        value = values[attname]
        if hidden:
            # A keyed fingerprint shows that the value changed without showing the value.
            result[name] = f"{HIDDEN}{lookup_hash(value)[:8]}" if value else ""
        else:
            result[name] = value if type(value) in _SIMPLE else _plain(value)
    return result


def record_bulk(*, actor, model: type[models.Model], created=(), updated=(), describe=None) -> int:
    """Change records for rows written in bulk (core.bulk.upsert's result), written in bulk.

    ``created``: (pk, values by attname); ``updated``: (pk, before, after) of the changed
    attnames. ``describe(pk, values)`` gives the object's text and region code.
    """
    from bangfu.core.bulk import insert_rows

    content_type = ContentType.objects.get_for_model(model)
    who = _actor_fields(actor)
    now = timezone.now()
    columns = [
        "timestamp",
        "actor_id",
        "actor_label",
        "action",
        "content_type_id",
        "object_id",
        "object_repr",
        "region_code",
        "changes",
    ]
    actor_id = who["actor"].pk if who["actor"] is not None else None

    def rows():
        for pk, values in created:
            text, region = describe(pk, values) if describe else (str(pk), values.get("region_code", ""))
            after = snapshot_values(model, values)
            yield [
                now,
                actor_id,
                who["actor_label"],
                Action.CREATE,
                content_type.pk,
                str(pk),
                text[:200],
                region or "",
                {name: [None, value] for name, value in after.items()},
            ]
        for pk, before, after in updated:
            text, region = describe(pk, after) if describe else (str(pk), "")
            old, new = snapshot_values(model, before), snapshot_values(model, after)
            yield [
                now,
                actor_id,
                who["actor_label"],
                Action.UPDATE,
                content_type.pk,
                str(pk),
                text[:200],
                region or "",
                {name: [old.get(name), value] for name, value in new.items()},
            ]

    return insert_rows(ChangeRecord, columns, rows())


def acting_user(actor):
    """The user behind a write, or None for the system (no actor, or an anonymous one)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def _actor_fields(actor) -> dict[str, Any]:
    user = acting_user(actor)
    return {"actor": user, "actor_label": user.get_username() if user else "system"}


def record_change(
    *, actor, instance: models.Model, action: str, before: dict | None = None
) -> ChangeRecord | None:
    """Write one change record. ``before`` is the snapshot taken before an update."""
    after = snapshot(instance) if action != Action.DELETE else {}
    if action == Action.CREATE:
        changes = {name: [None, value] for name, value in after.items()}
    elif action == Action.DELETE:
        changes = {name: [value, None] for name, value in (before or {}).items()}
    else:
        before = before or {}
        changes = {
            name: [before.get(name), value] for name, value in after.items() if before.get(name) != value
        }
        if not changes:
            return None
    return ChangeRecord.objects.create(
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        region_code=getattr(instance, "region_code", "") or "",
        changes=changes,
        **_actor_fields(actor),
    )


def record_related(*, actor, instance: models.Model, changes: dict[str, list]) -> ChangeRecord | None:
    """Changes a row snapshot does not hold — a many-to-many set, child lines, a file — recorded
    on the row as ``{name: [before, after]}``; names whose two sides are equal are left out."""
    changes = {name: pair for name, pair in changes.items() if pair[0] != pair[1]}
    if not changes:
        return None
    return ChangeRecord.objects.create(
        action=Action.UPDATE,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        region_code=getattr(instance, "region_code", "") or "",
        changes=changes,
        **_actor_fields(actor),
    )


def record_access(
    *, actor, instance: models.Model | None, field: str, purpose: str = "", ip_address: str | None = None
) -> AccessLog:
    """Log that ``actor`` saw ``field`` of ``instance`` in clear."""
    return AccessLog.objects.create(
        content_type=ContentType.objects.get_for_model(instance) if instance is not None else None,
        object_id=str(instance.pk) if instance is not None else "",
        object_repr=str(instance)[:200] if instance is not None else "",
        field=field,
        purpose=purpose[:200],
        region_code=getattr(instance, "region_code", "") or "",
        ip_address=ip_address,
        **_actor_fields(actor),
    )


def audited_create(*, actor, instance: models.Model) -> models.Model:
    """Validate, insert and record a new row, all in one transaction."""
    with transaction.atomic():
        instance.full_clean()
        instance.save(force_insert=True)
        record_change(actor=actor, instance=instance, action=Action.CREATE)
    return instance


def audited_update(*, actor, instance: models.Model, data: dict[str, Any]) -> models.Model:
    """Apply ``data`` to ``instance``, validate, save only those fields and record the difference."""
    with transaction.atomic():
        before = snapshot(instance)
        for name, value in data.items():
            setattr(instance, name, value)
        instance.full_clean()
        fields = [instance._meta.get_field(name).name for name in data]
        if fields:
            instance.save(update_fields=fields)
        record_change(actor=actor, instance=instance, action=Action.UPDATE, before=before)
    return instance


def audited_delete(*, actor, instance: models.Model) -> None:
    with transaction.atomic():
        before = snapshot(instance)
        record_change(actor=actor, instance=instance, action=Action.DELETE, before=before)
        instance.delete()
