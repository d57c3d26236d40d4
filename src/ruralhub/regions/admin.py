from django.contrib import admin

from ruralhub.core.admin import ScopedAdmin

from . import services
from .models import Division


@admin.register(Division)
class DivisionAdmin(ScopedAdmin):
    """Coordinates may be corrected here; 贫困村 flags are set on the divisions page, whose service checks the kind."""

    list_display = ["code", "name", "level", "kind", "poverty_status", "lat", "lng"]
    list_filter = ["level", "kind", "poverty_status"]
    search_fields = ["code", "name"]
    fields = ["code", "name", "level", "kind", "parent", "poverty_status", "lat", "lng"]
    readonly_fields = ["code", "name", "level", "kind", "parent", "poverty_status"]
    list_per_page = 100

    def has_add_permission(self, request):
        return False  # divisions come from the statistical code data (`ruralhub load-county`)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.set_coordinates(request.user, obj, obj.lat, obj.lng, reason="管理后台修改坐标")
