"""Demo: the county's real division tree (its poverty flags come with the plan, in programs' step)."""

from .services import load_divisions


def build(ctx):
    load_divisions(ctx.county_code)
