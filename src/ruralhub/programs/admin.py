from django.contrib import admin

from ruralhub.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Fund, Phase, Program, Target


class PhaseInline(ReadOnlyInline):
    model = Phase


class FundInline(ReadOnlyInline):
    model = Fund


@admin.register(Program)
class ProgramAdmin(ReadOnlyAdmin):
    """Read-only: programs, phases, funds and targets come from the plans' TOML (`ruralhub load-county`)."""

    list_display = ["name", "county", "batch_year", "starts_on", "ends_on"]
    inlines = [PhaseInline, FundInline]


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    """Read-only, like the program it belongs to."""

    list_display = ["label", "key", "comparator", "value", "unit", "division", "program"]
    list_filter = ["program"]
    search_fields = ["label", "key", "citation"]
