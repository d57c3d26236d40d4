"""Indicators computed from the division tree alone."""

from ruralhub.core.indicators import Reading, indicator

from .models import Division

SOURCE = "行政区划（国家统计局2023年统计用区划代码）"


@indicator("regions.township_units")
def township_units(program, period, target):
    n = Division.objects.within(program.county_id).townships().count()
    return Reading(n, f"{SOURCE}：乡镇级单位计数")


@indicator("regions.admin_villages")
def admin_villages(program, period, target):
    n = Division.objects.within(program.county_id).administrative_villages().count()
    return Reading(n, f"{SOURCE}：村委会（代码200–399段）计数")


@indicator("regions.poverty_villages")
def poverty_villages(program, period, target):
    qs = Division.objects.within(program.county_id).administrative_villages()
    n = qs.exclude(poverty_status="").count()
    return Reading(n, "行政区划：标记为建档立卡/省定贫困村的村级单位计数")
