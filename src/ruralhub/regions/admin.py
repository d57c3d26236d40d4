from django.contrib import admin

from ruralhub.core.admin import ScopedAdmin

from .models import Division


@admin.register(Division)
class DivisionAdmin(ScopedAdmin):
    list_display = ["code", "name", "level", "kind", "poverty_status", "lat", "lng"]
    list_filter = ["level", "kind", "poverty_status"]
    list_editable = ["poverty_status"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "name", "level", "kind", "parent"]
    list_per_page = 100

    def has_add_permission(self, request):
        return False  # divisions come from the statistical code data (`ruralhub load-county`)

    def has_delete_permission(self, request, obj=None):
        return False
