from django.contrib import admin


class ScopedAdmin(admin.ModelAdmin):
    """Admin lists go through the same scoping rule as every page and API."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user, "view")
