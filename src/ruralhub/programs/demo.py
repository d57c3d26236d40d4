"""Demo: the county's program, phases, funds and targets from its plan."""

from .services import load_program


def build(ctx):
    load_program(ctx.county_code)
