from django.contrib import admin

from ruralhub.core.admin import ScopedAdmin

from .models import Fund, Phase, Program, Target


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


class FundInline(admin.TabularInline):
    model = Fund
    extra = 0


@admin.register(Program)
class ProgramAdmin(ScopedAdmin):
    list_display = ["name", "county", "batch_year", "starts_on", "ends_on"]
    inlines = [PhaseInline, FundInline]


@admin.register(Target)
class TargetAdmin(ScopedAdmin):
    list_display = ["label", "key", "comparator", "value", "unit", "division", "program"]
    list_filter = ["program"]
    search_fields = ["label", "key", "citation"]
