from django.contrib import admin

from ruralhub.core.admin import ScopedAdmin

from .models import MonthlyReport, ReviewDecision, ReviewRule, Station, StationService, StationStatusChange


class StationServiceInline(admin.TabularInline):
    model = StationService
    extra = 0


class StatusChangeInline(admin.TabularInline):
    model = StationStatusChange
    extra = 0
    readonly_fields = ["status", "effective_on", "reason", "changed_by", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False  # status moves go through the station page, which checks the life cycle


@admin.register(Station)
class StationAdmin(ScopedAdmin):
    list_display = ["code", "name", "level", "division", "status", "is_demonstration", "is_central_funded"]
    list_filter = ["level", "status", "is_demonstration", "is_central_funded"]
    search_fields = ["code", "name"]
    readonly_fields = ["status", "status_since"]
    autocomplete_fields = ["division", "host"]
    filter_horizontal = ["served_villages"]
    inlines = [StationServiceInline, StatusChangeInline]


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


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(ScopedAdmin):
    list_display = ["station", "decision", "decided_on", "rectify_by"]
    readonly_fields = ["station", "decision", "reason", "rectify_by", "replacement", "decided_by", "decided_on"]
