from django.contrib import admin

from .models import FundEntry, Milestone, Partnership, Project


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["organization", "kind", "region", "start_year", "end_year"]
    list_filter = ["kind"]
    raw_id_fields = ["organization", "region"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "region_code", "type", "status", "budget"]
    list_filter = ["type", "status"]
    raw_id_fields = ["organization", "partnership", "region", "other_regions"]
    inlines = [MilestoneInline]


@admin.register(FundEntry)
class FundEntryAdmin(admin.ModelAdmin):
    """Read only: the ledger changes through reversing entries, never here."""

    list_display = ["project", "seq", "kind", "date", "amount", "voucher_number"]
    list_filter = ["kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
