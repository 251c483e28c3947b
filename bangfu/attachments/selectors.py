"""Reading attachments: always through their owner, so scope is decided in one place (core scoping)."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Model, QuerySet
from django.http import Http404

from bangfu.core.scoping import get_scoped_or_404, scope

from .models import Attachment, AttachmentKind
from .registry import OwnerSpec, registered, spec_by_key, spec_for


def require_any(user, which: str) -> None:
    """403 for users who hold the ``view`` (or ``edit``) capability of no attachment owner at all;
    everyone else is narrowed by scope, and an attachment outside it is missing (404)."""
    if not any(user.has_capability(getattr(spec, which)) for spec in registered()):
        raise PermissionDenied


def owner_for(*, user, key: str, pk, capability: str | None = None) -> tuple[OwnerSpec, Model]:
    """The owner named by a URL, if ``user`` can see it (or edit it, with ``capability``); else 404."""
    spec = spec_by_key(key)
    if not user.has_capability(capability or spec.view):
        raise PermissionDenied
    owner = get_scoped_or_404(spec.model._default_manager.all(), user, capability or spec.view, pk=pk)
    return spec, owner


def can_edit(*, user, owner: Model) -> bool:
    spec = spec_for(owner)
    return scope(spec.model._default_manager.filter(pk=owner.pk), user, spec.edit).exists()


def attachments_of(owner: Model) -> QuerySet[Attachment]:
    """An owner's attachments, oldest first. The caller has already checked that the owner is visible."""
    owner_type = ContentType.objects.get_for_model(owner, for_concrete_model=False)
    return Attachment.objects.filter(owner_type=owner_type, owner_id=owner.pk).select_related("created_by")


def attachment_counts(model, owner_ids) -> dict[int, int]:
    """How many attachments each of these owners has, in one query (for a list of owners already visible)."""
    owner_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    rows = (
        Attachment.objects.filter(owner_type=owner_type, owner_id__in=list(owner_ids))
        .values("owner_id")
        .annotate(total=Count("pk"))
        .order_by()
    )
    return {row["owner_id"]: row["total"] for row in rows}


def attachment_for(*, user, pk, capability: str | None = None) -> Attachment:
    """One attachment whose owner ``user`` can see (or edit); 404 otherwise, whether or not it exists."""
    attachment = Attachment.objects.select_related("owner_type", "created_by").filter(pk=pk).first()
    if attachment is None:
        raise Http404
    spec = spec_by_key(attachment.owner_type.app_label + "." + attachment.owner_type.model)
    owners = scope(spec.model._default_manager.filter(pk=attachment.owner_id), user, capability or spec.view)
    if not owners.exists():
        raise Http404
    return attachment


def public_attachment(pk) -> Attachment:
    """A public attachment of an owner that is disclosed now; 404 for every other one."""
    attachment = Attachment.objects.select_related("owner_type").filter(pk=pk, public=True).first()
    if attachment is None:
        raise Http404
    spec = spec_by_key(attachment.owner_type.app_label + "." + attachment.owner_type.model)
    if spec.public_owners is None or not spec.public_owners().filter(pk=attachment.owner_id).exists():
        raise Http404
    return attachment


def public_photos(owners, *, limit: int = 24) -> list[Attachment]:
    """The public photos (at most ``limit``) of owners that the caller shows on a public page
    (already disclosed ones)."""
    owners = [owner for owner in owners if owner is not None]
    if not owners:
        return []
    spec = spec_for(owners[0])
    if not spec.publishable:
        return []
    owner_type = ContentType.objects.get_for_model(spec.model, for_concrete_model=False)
    return list(
        Attachment.objects.filter(
            owner_type=owner_type,
            owner_id__in=[owner.pk for owner in owners],
            public=True,
            kind=AttachmentKind.PHOTO,
        ).order_by("owner_id", "pk")[:limit]
    )
