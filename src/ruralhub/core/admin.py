from django.contrib import admin


class ScopedAdmin(admin.ModelAdmin):
    """Admin lists go through the same scoping rule as every page and API."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user, "view")


ACTIONS = ("view", "add", "change")


class ReadOnlyAdmin(ScopedAdmin):
    """For records whose rules live in a service and its page (or a command): the admin only shows them.

    Users whose role may add or change such records (on their pages) may still look at them here.
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        opts = self.opts
        return any(request.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}") for action in ACTIONS)


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
