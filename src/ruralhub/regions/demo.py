"""Demo: the county's real division tree, and the plan's number of poverty villages flagged.

Which villages were poverty villages is not in the public data, so the demo flags the number
the plan states (翁源: 51 provincial poverty villages) among the county's 村委会, seeded.
"""

from ruralhub.programs.services import plan_data

from .choices import PovertyStatus
from .models import Division
from .services import load_divisions


def build(ctx):
    load_divisions(ctx.county_code)
    planned = plan_data(ctx.county_code)["program"].get("poverty_villages", 0)
    villages = list(Division.objects.within(ctx.county_code).administrative_villages().order_by("code"))
    if not planned or any(v.poverty_status for v in villages):
        return
    chosen = ctx.seeded("poverty").sample(villages, min(planned, len(villages)))
    for village in chosen:
        village.poverty_status = PovertyStatus.PROVINCIAL
    Division.objects.bulk_update(chosen, ["poverty_status"])
