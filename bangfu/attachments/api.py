"""Attachments through the API: list an owner's files, upload to it, remove one — scoped like the pages.

Owners are named as in the page URLs (``assistance.project``, ``assistance.fundentry``,
``assistance.activity``). Refusals answer 422 ``{"error": {"code": …, "message": …}}``.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from . import selectors, services

router = Router(tags=["attachments"])


class AttachmentSchema(Schema):
    id: int
    kind: str
    original_name: str
    media_type: str
    size: int
    sha256: str
    caption: str
    public: bool
    created_at: datetime.datetime
    created_by: str | None
    url: str
    thumbnail_url: str | None

    @staticmethod
    def resolve_created_by(obj):
        return obj.created_by.get_username() if obj.created_by else None

    @staticmethod
    def resolve_url(obj):
        return obj.get_absolute_url()

    @staticmethod
    def resolve_thumbnail_url(obj):
        return obj.thumbnail_url() if obj.thumbnail else None


class ErrorSchema(Schema):
    error: dict


def _refused(error: ValidationError):
    code = "invalid"
    for errors in getattr(error, "error_dict", {}).values():
        code = str(errors[0].code or code)
        break
    return Status(422, {"error": {"code": code, "message": "; ".join(error.messages)}})


@router.get("/{owner}/{owner_id}", response=list[AttachmentSchema], summary="An owner's attachments")
def attachment_list(request, owner: str, owner_id: int):
    _spec, found = selectors.owner_for(user=request.user, key=owner, pk=owner_id)
    return list(selectors.attachments_of(found))


@router.post(
    "/{owner}/{owner_id}",
    response={201: list[AttachmentSchema], 422: ErrorSchema},
    summary="Upload photos or documents to an owner (all or none)",
)
def attachment_upload(
    request,
    owner: str,
    owner_id: int,
    files: list[UploadedFile] = File(...),  # noqa: B008 - ninja's way of declaring a file part
    caption: str = Form(""),  # noqa: B008
    public: bool = Form(False),  # noqa: B008
):
    spec, found = selectors.owner_for(user=request.user, key=owner, pk=owner_id)
    if not request.user.has_capability(spec.edit):
        raise PermissionDenied
    if not selectors.can_edit(user=request.user, owner=found):
        raise Http404
    try:
        made = services.attachments_add(
            actor=request.user, owner=found, files=files, caption=caption, public=public
        )
    except ValidationError as error:
        return _refused(error)
    return Status(201, made)


@router.delete("/{attachment_id}", response={204: None, 422: ErrorSchema}, summary="Remove an attachment")
def attachment_delete(request, attachment_id: int):
    selectors.require_any(request.user, "edit")
    attachment = selectors.attachment_for(user=request.user, pk=attachment_id)
    if not selectors.can_edit(user=request.user, owner=attachment.owner):
        raise Http404
    try:
        services.attachment_delete(actor=request.user, attachment=attachment)
    except ValidationError as error:
        return _refused(error)
    return Status(204, None)
