from django.contrib import admin

from ruralhub.core.admin import ScopedAdmin

from .models import MonthlyReport, ReviewDecision, ReviewRule, Station, StationService, StationStatusChange


class StationServiceInline(admin.TabularInline):
    model = StationService
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StatusChangeInline(admin.TabularInline):
    model = StationStatusChange
    extra = 0
    readonly_fields = ["status", "effective_on", "reason", "changed_by", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False  # status moves go through the station page, which checks the life cycle


@admin.register(Station)
class StationAdmin(ScopedAdmin):
    """Read-only here: stations are registered and changed on their own pages, where services.py holds the rules."""

    list_display = ["code", "name", "level", "division", "status", "is_demonstration", "is_central_funded"]
    list_filter = ["level", "status", "is_demonstration", "is_central_funded"]
    search_fields = ["code", "name"]
    inlines = [StationServiceInline, StatusChangeInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("network.change_station") or super().has_view_permission(request, obj)


@admin.register(MonthlyReport)
class MonthlyReportAdmin(ScopedAdmin):
    list_display = ["station", "month", "status", "total_services", "first_submitted_at"]
    list_filter = ["status", "month"]
    readonly_fields = [f.name for f in MonthlyReport._meta.fields]

    def has_add_permission(self, request):
        return False  # reports are built from the records and move through their workflow


@admin.register(ReviewRule)
class ReviewRuleAdmin(ScopedAdmin):
    list_display = ["county", "months", "min_services", "require_accepted_report"]
    readonly_fields = ["county", "months", "min_services", "require_accepted_report"]  # set on the review page


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(ScopedAdmin):
    list_display = ["station", "decision", "decided_on", "rectify_by"]
    readonly_fields = ["station", "decision", "reason", "rectify_by", "replacement", "decided_by", "decided_on"]
