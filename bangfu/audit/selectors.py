from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from bangfu.core.permissions import Cap
from bangfu.core.scoping import scope

from .models import AccessLog, ChangeRecord


def history_for(instance: models.Model) -> QuerySet[ChangeRecord]:
    """Every recorded change to one row, newest first."""
    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=False)
    return ChangeRecord.objects.filter(content_type=content_type, object_id=str(instance.pk)).select_related(
        "actor"
    )


def change_list(*, user) -> QuerySet[ChangeRecord]:
    return scope(ChangeRecord.objects.select_related("content_type"), user, Cap.AUDIT_VIEW)


def access_log_list(*, user) -> QuerySet[AccessLog]:
    return scope(AccessLog.objects.select_related("content_type"), user, Cap.AUDIT_VIEW)
