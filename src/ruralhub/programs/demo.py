"""Demo: the county's program, phases, funds and targets from its plan, and the plan's poverty villages.

Which villages were poverty villages is not in the public data, so the demo flags the number
the plan states (翁源: 51 provincial poverty villages) among the county's 村委会, seeded, through
the same import the county office uses.
"""

from ruralhub.regions.choices import PovertyStatus
from ruralhub.regions.models import Division
from ruralhub.regions.services import import_poverty_villages

from .services import load_program, plan_data


def build(ctx):
    load_program(ctx.county_code)
    planned = plan_data(ctx.county_code)["program"].get("poverty_villages", 0)
    villages = list(Division.objects.within(ctx.county_code).administrative_villages().order_by("code"))
    if not planned or any(v.poverty_status for v in villages):
        return
    chosen = ctx.seeded("poverty").sample(villages, min(planned, len(villages)))
    import_poverty_villages(ctx.county_code, [{"代码": v.code, "贫困村": PovertyStatus.PROVINCIAL} for v in chosen])
