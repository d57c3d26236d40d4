from django.contrib import admin


class ScopedAdmin(admin.ModelAdmin):
    """Admin lists go through the same scoping rule as every page and API."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user, "view")


class ReadOnlyAdmin(ScopedAdmin):
    """For records whose rules live in a service and its page (or a command): the admin only shows them.

    Users with the model's change permission may still look, as they do on the pages.
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}") or super().has_view_permission(
            request, obj
        )


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
