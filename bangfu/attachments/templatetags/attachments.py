from django import template
from django.db.models import Model

from ..selectors import public_photos
from ..views import panel_context

register = template.Library()


@register.inclusion_tag("attachments/_panel.html", takes_context=True)
def attachment_panel(context, owner):
    """``{% attachment_panel object %}``: the owner's attachments and, for editors, the upload form."""
    return {
        **panel_context(user=context["request"].user, owner=owner),
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("attachments/_public_photos.html")
def public_photo_strip(owners):
    """``{% public_photo_strip projects %}``: the public photos of disclosed owners, for pages without login."""
    owners = [owners] if isinstance(owners, Model) else list(owners)
    return {"photos": public_photos(owners)}
