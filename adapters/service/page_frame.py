"""The pages' frame: the templates, what every page is given (who is logged in, what they may do, the Chinese value
tables), and how a stored time or a fact is shown."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from jianfu.adapters.files.columns import STATUS_ZH
from jianfu.adapters.output import RuleBook
from jianfu.engine.messages import APPROVER_ZH, DECISION_ZH, SEVERITY_ZH, VALUE_ZH, show_value
from jianfu.engine.facts import FACTS
from jianfu.engine.requests import KINDS

from . import screening
from .auth import ROLE_ZH, User

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))

KIND_ZH = {k: VALUE_ZH[k] for k in KINDS}
EVENT_ZH = {"recorded": "审查后记入", "imported": "导入", "cancelled": "取消"}


def may_screen(user: User) -> bool:
    return user.role in ("office", "department", "admin")


def may_record(user: User) -> bool:
    return user.role in screening.RECORDERS


def _render(request: Request, user: User | None, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    catalog = request.app.state.catalog
    book = _rule_book(catalog)
    base = {
        "user": user,
        "role_zh": ROLE_ZH.get(user.role, user.role) if user else "",
        "may_screen": bool(user and may_screen(user)),
        "may_plan": bool(user and may_screen(user)),
        "may_record": bool(user and may_record(user)),
        "may_audit": bool(user and user.role in ("auditor", "admin")),
        "kinds": list(KIND_ZH.items()),
        "kind_zh": KIND_ZH,
        "verdict_zh": DECISION_ZH,
        "severity_zh": SEVERITY_ZH,
        "approver_zh": APPROVER_ZH,
        "status_zh": STATUS_ZH,
        "event_zh": EVENT_ZH,
        "rule_title": book.title,
        "fact_label": lambda name: _fact_label(catalog, name),
        "show": lambda value, name="": show_value(name, value, "zh"),
        "when": _when,
    }
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status)


def _when(moment: Any) -> str:
    """A stored time to the second (the register keeps UTC)."""
    if moment is None:
        return ""
    return (moment.strftime("%Y-%m-%d %H:%M:%S") if hasattr(moment, "strftime") else str(moment)[:19]) + " UTC"


@lru_cache(maxsize=8)
def _rule_book(catalog) -> RuleBook:
    """Rule titles by id, once per catalog (a service loads one)."""
    return RuleBook(catalog)


def _fact_label(catalog, name: str) -> str:
    """A fact's or a parameter's Chinese description, for the facts a finding counted."""
    fact = FACTS.get(name)
    if fact is not None:
        return fact.zh
    for stack in catalog.stacks.values():
        param = stack.parameters.get(name)
        if param is not None:
            return param.description
    return name
