from django.contrib import admin

from ruralhub.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import MonthlyReport, ReviewDecision, ReviewRule, Station, StationService, StationStatusChange


class StationServiceInline(ReadOnlyInline):
    model = StationService


class StatusChangeInline(ReadOnlyInline):
    model = StationStatusChange  # status moves go through the station page, which checks the life cycle


@admin.register(Station)
class StationAdmin(ReadOnlyAdmin):
    """Read-only here: stations are registered and changed on their own pages, where the services hold the rules."""

    list_display = ["code", "name", "level", "division", "status", "is_demonstration", "is_central_funded"]
    list_filter = ["level", "status", "is_demonstration", "is_central_funded"]
    search_fields = ["code", "name"]
    inlines = [StationServiceInline, StatusChangeInline]


@admin.register(MonthlyReport)
class MonthlyReportAdmin(ReadOnlyAdmin):
    """Read-only: reports are built from the records and move through their workflow on the reports page."""

    list_display = ["station", "month", "status", "total_services", "first_submitted_at"]
    list_filter = ["status", "month"]


@admin.register(ReviewRule)
class ReviewRuleAdmin(ReadOnlyAdmin):
    """Read-only: the county's rule and its limits are set on the review page, through the service."""

    list_display = ["county", "months", "min_services", "require_accepted_report"]


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(ReadOnlyAdmin):
    """Read-only: decisions are taken on the review page, which checks the station and the replacement."""

    list_display = ["station", "decision", "decided_on", "rectify_by"]
