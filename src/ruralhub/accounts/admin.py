from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ruralhub.core.admin import ScopedAdmin
from ruralhub.regions.models import Division

from . import services
from .models import ApiToken, Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    """Read-only here: organisations are registered on their own pages through accounts.services."""

    list_display = ["name", "kind", "credit_code", "division", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "credit_code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("accounts.view_organisation") or super().has_view_permission(request, obj)


SCOPE_FIELDS = ["full_name", "role", "division", "organisation", "phone"]


@admin.register(User)
class UserAdmin(ScopedAdmin, BaseUserAdmin):
    """Users are created and changed through accounts.services, which holds the role and scope rule."""

    list_display = ["username", "full_name", "role", "division", "organisation", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["username", "full_name"]
    readonly_fields = ["last_login", "date_joined"]
    add_fieldsets = ((None, {"fields": ["username", "password1", "password2", *SCOPE_FIELDS]}),)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        # Permissions come from the role; only a superuser hands out the admin site or superuser rights.
        account = ["is_active", "is_staff", "is_superuser"] if request.user.is_superuser else ["is_active"]
        return (
            (None, {"fields": ["username", "password"]}),
            (_("角色与范围"), {"fields": SCOPE_FIELDS + ["email"]}),
            (_("账号"), {"fields": account + ["last_login", "date_joined"]}),
        )

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields + (["username"] if obj else [])

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "division":
            kwargs["queryset"] = Division.objects.visible_to(request.user)
        elif db_field.name == "organisation":
            kwargs["queryset"] = Organisation.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        actor = request.user

        class ScopeCheckedForm(form):
            """Shows the service's role and scope refusal on the form instead of failing on save."""

            def clean(self):
                cleaned = super().clean()
                role = cleaned.get("role", self.instance.role)
                try:
                    services.check_user_scope(actor, role, cleaned.get("division"), cleaned.get("organisation"))
                except ValidationError as exc:
                    self.add_error(None, exc)
                return cleaned

        return ScopeCheckedForm

    def save_form(self, request, form, change):
        if change:
            return super().save_form(request, form, change)
        # The service creates the user; the admin logs the addition and redirects with what it returns.
        data = form.cleaned_data
        return services.create_user(
            data["username"],
            data["password1"],
            data["role"],
            actor=request.user,
            **{field: data[field] for field in SCOPE_FIELDS if field != "role"},
        )

    def save_model(self, request, obj, form, change):
        if change:
            data = {field: form.cleaned_data[field] for field in form.changed_data if field in form.cleaned_data}
            data.pop("password", None)
            services.update_user(request.user, obj, data, reason="管理后台修改用户")

    def save_related(self, request, form, formsets, change):
        """Nothing else to save: permissions come from the role, not from groups."""


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False  # issue tokens with `ruralhub create-token`, which shows the key once
