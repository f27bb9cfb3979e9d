"""The yearly audit as the service serves it (the API's `/audit` and the audit page): the service's register
audited and rendered as `jianfu audit --out x.<fmt>` would write it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jianfu.engine.errors import FieldError, InvalidInput

from .screening import XLSX_TYPE

AUDIT_FORMATS = {"json": "application/json", "html": "text/html; charset=utf-8", "xlsx": XLSX_TYPE, "md": "text/markdown; charset=utf-8"}


def audit_report(state: Any, year: int, baseline_year: int | None, fmt: str, params: list[str], as_of: str | None = None) -> bytes:
    """The yearly audit of the service's register, rendered as `jianfu audit --out x.<fmt>` would write it; with
    `as_of` (YYYY-MM-DD, in the year) the quarterly review up to that day."""
    from jianfu.adapters.reports.audit import render
    from jianfu.engine.audit import audit_what_if, implausible_years, parse_parameters, review_day

    problems = []
    if fmt not in AUDIT_FORMATS:
        problems.append(FieldError(("format",), f"报告格式应为 {' | '.join(AUDIT_FORMATS)}", f"format must be one of {', '.join(AUDIT_FORMATS)}"))
    problems += implausible_years(("year", year), ("baseline_year", baseline_year))
    day = review_day(as_of, year, problems)
    if problems:
        raise InvalidInput(problems)
    overrides = parse_parameters(params, state.catalog)
    result, flips = audit_what_if(state.catalog, overrides, lambda engine, parameters: state.store.audit(engine, year, baseline_year, parameters=parameters, as_of=day))
    from jianfu.adapters.storage.connection import shown_url

    return render(Path(f"audit.{fmt}"), result, flips, shown_url(state.store.url))

