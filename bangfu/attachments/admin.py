from django.contrib import admin

from .models import Attachment


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    """Read-only: attachments are added and removed through the service, which audits both."""

    list_display = ["original_name", "kind", "owner_type", "owner_id", "region_code", "public", "created_at"]
    list_filter = ["kind", "public", "owner_type"]
    search_fields = ["original_name", "sha256", "region_code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
