"""The service network's rules: the only place that creates or changes stations and their records.

One module per concern; everything a caller uses is importable from ``network.services``.
"""

from .coverage import Coverage, Gap, TownshipCoverage, coverage, coverage_gaps, distance_km, pct
from .records import RecordResult, check_in, record_services, void_record
from .reports import (
    REPORT_DUE_DAY,
    RecordLine,
    ReportGap,
    ServiceLines,
    accept_report,
    approve_report,
    draft_report,
    due_date,
    month_figures,
    report_gaps,
    report_lines,
    return_reasons,
    return_report,
    submit_report,
)
from .review import Candidate, decide_review, plan_sentence, review_rule, save_review_rule, underperformers
from .stations import (
    change_status,
    next_station_code,
    operating_on,
    operating_periods,
    operating_station_ids,
    save_station,
    validate_central_funding,
    validate_station_place,
)

__all__ = [
    "REPORT_DUE_DAY",
    "Candidate",
    "Coverage",
    "Gap",
    "RecordLine",
    "RecordResult",
    "ReportGap",
    "ServiceLines",
    "TownshipCoverage",
    "accept_report",
    "approve_report",
    "change_status",
    "check_in",
    "coverage",
    "coverage_gaps",
    "decide_review",
    "distance_km",
    "draft_report",
    "due_date",
    "month_figures",
    "next_station_code",
    "operating_on",
    "operating_periods",
    "operating_station_ids",
    "pct",
    "plan_sentence",
    "record_services",
    "report_gaps",
    "report_lines",
    "return_reasons",
    "return_report",
    "review_rule",
    "save_review_rule",
    "save_station",
    "submit_report",
    "underperformers",
    "validate_central_funding",
    "validate_station_place",
    "void_record",
]
