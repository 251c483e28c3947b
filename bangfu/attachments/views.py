"""The attachment panel (list + upload, htmx), serving files behind scope checks, and removal.

Files are never served from MEDIA_URL: every response comes from a view that checks the
owner's scope (or, on public pages, that the attachment is public and its owner disclosed).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .models import Attachment
from .registry import spec_for


def panel_context(*, user, owner, errors=None) -> dict:
    """What the panel include needs: the owner's attachments and what ``user`` may do with them."""
    spec = spec_for(owner)
    editable = selectors.can_edit(user=user, owner=owner)
    return {
        "owner": owner,
        "owner_key": spec.key,
        "attachments": list(selectors.attachments_of(owner)),
        "can_add": editable,
        "can_delete": editable and not spec.append_only,
        "append_only": spec.append_only,
        "publishable": spec.publishable,
        "errors": errors or [],
    }


def _owner_url(owner) -> str:
    """Where to return after an upload: the owner's page, or its attachment page if it has none."""
    if hasattr(owner, "get_absolute_url"):
        return owner.get_absolute_url()
    return reverse("attachments:panel", args=[spec_for(owner).key, owner.pk])


def _messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def panel(request, key: str, pk: int):
    """GET: an owner's attachments. POST: upload files to it (all or none)."""
    if request.method == "GET":
        spec, owner = selectors.owner_for(user=request.user, key=key, pk=pk)
        context = panel_context(user=request.user, owner=owner)
        if request.htmx:
            return render(request, "attachments/_panel.html", context)
        title = _("%(owner)s 的附件") % {"owner": owner}
        return render(
            request, "attachments/panel_page.html", {**context, "title": title, "back_url": _owner_url(owner)}
        )
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    spec, owner = selectors.owner_for(user=request.user, key=key, pk=pk)
    if not request.user.has_capability(spec.edit):
        raise PermissionDenied
    if not selectors.can_edit(user=request.user, owner=owner):
        raise Http404
    errors: list[str] = []
    try:
        services.attachments_add(
            actor=request.user,
            owner=owner,
            files=request.FILES.getlist("files"),
            caption=request.POST.get("caption", ""),
            public=request.POST.get("public") == "on",
        )
    except ValidationError as error:
        errors = _messages(error)
    return _answer(request, owner, errors, _("已上传。"))


@require_POST
def delete(request, pk: int):
    selectors.require_any(request.user, "edit")
    attachment = selectors.attachment_for(user=request.user, pk=pk)
    owner = attachment.owner
    if not request.user.has_capability(spec_for(owner).edit):
        raise PermissionDenied  # as on upload; the user sees the attachment, so this tells nothing new
    if not selectors.can_edit(user=request.user, owner=owner):
        raise Http404
    errors: list[str] = []
    try:
        services.attachment_delete(actor=request.user, attachment=attachment)
    except ValidationError as error:
        errors = _messages(error)
    return _answer(request, owner, errors, _("已删除。"))


def _answer(request, owner, errors: list[str], done: str):
    """The panel again (htmx swaps only 2xx answers: a refusal is shown inside it), the panel's
    own page with the refusal, or back to the owner's page with ``done``."""
    context = panel_context(user=request.user, owner=owner, errors=errors)
    if request.htmx:
        return render(request, "attachments/_panel.html", context)
    if errors:
        return render(
            request,
            "attachments/panel_page.html",
            {**context, "title": str(owner), "back_url": _owner_url(owner)},
            status=400,
        )
    messages.success(request, done)
    return redirect(_owner_url(owner))


def _serve(attachment: Attachment, *, thumbnail: bool, private: bool):
    field = attachment.thumbnail if thumbnail else attachment.file
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    if thumbnail:
        response = FileResponse(handle, content_type="image/jpeg")
    elif attachment.is_photo:
        response = FileResponse(handle, content_type=attachment.media_type, filename=attachment.original_name)
    else:  # documents are downloaded, never rendered in our origin
        response = FileResponse(
            handle, content_type=attachment.media_type, as_attachment=True, filename=attachment.original_name
        )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600" if private else "public, max-age=3600"
    response["X-Attachment-SHA256"] = attachment.sha256
    return response


def file(request, pk: int):
    selectors.require_any(request.user, "view")
    return _serve(selectors.attachment_for(user=request.user, pk=pk), thumbnail=False, private=True)


def thumbnail(request, pk: int):
    selectors.require_any(request.user, "view")
    return _serve(selectors.attachment_for(user=request.user, pk=pk), thumbnail=True, private=True)


@login_not_required
def public_file(request, pk: int):
    return _serve(selectors.public_attachment(pk), thumbnail=False, private=False)


@login_not_required
def public_thumbnail(request, pk: int):
    return _serve(selectors.public_attachment(pk), thumbnail=True, private=False)
