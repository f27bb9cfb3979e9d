"""我的额度 in the service: `GET /api/v1/quota/{unit}?year=&as_of=` and the page `/quota`.

A department sees its own unit only (403 across units); the office, the auditors and the admin see every unit, the
page listing them side by side. The answer is `jianfu quota`'s (the same `adapters.quota` over the service's
register): the limits used and left, the obligations due, met, missing and the days left.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from urllib.parse import quote

from jianfu.adapters import quota as source
from jianfu.engine.audit import implausible_years
from jianfu.engine.errors import FieldError, InvalidInput, JianfuError

from . import auth
from .auth import ROLE_ZH, User
from .errors import ServiceError, as_service_error

api = APIRouter(tags=["quota"])
pages = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
READERS = ("office", "department", "auditor")


def _day(text: str | None, name: str, problems: list[FieldError]) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        problems.append(FieldError((name,), f"日期应为 YYYY-MM-DD，收到 {text!r}", f"expected YYYY-MM-DD, got {text!r}"))
        return None


def _year(text: str | None, problems: list[FieldError]) -> int | None:
    if text is None or not str(text).strip():
        return None
    text = str(text).strip()
    if not (text.isascii() and text.isdigit()):
        problems.append(FieldError(("year",), f"应为四位年份，收到 {text!r}", f"expected a four-digit year, got {text!r}"))
        return None
    wrong = implausible_years(("year", int(text)))
    problems += wrong
    return None if wrong else int(text)


def _across(user: User) -> ServiceError:
    return auth.forbidden(f"无权限：部门用户只能查看本单位（{user.unit}）的额度", f"forbidden: a department user sees only its own unit ({user.unit})")


@api.get("/quota/{unit}")
def quota_of(unit: str, request: Request, year: str | None = Query(None, description="年度（默认台账最近的年度） / the year"),
             as_of: str | None = Query(None, description="截至日期 YYYY-MM-DD / as of this day"),
             user: User = Depends(auth.require(*READERS))) -> dict[str, Any]:
    """我的额度：与 `jianfu quota UNIT --format json` 相同 / a unit's quota, as `jianfu quota` gives it."""
    if not user.may_see_unit(unit):
        raise _across(user)
    problems: list[FieldError] = []
    the_year, day = _year(year, problems), _day(as_of, "as_of", problems)
    if problems:
        raise InvalidInput(problems)
    state = request.app.state
    the_year = the_year or source.latest_year(state.store) or date.today().year
    return source.from_store(state.engine, state.store, unit, the_year, day, field="unit").as_dict()


@pages.get("/quota", response_class=HTMLResponse)
def quota_page(request: Request, unit: str = "", year: str = "", as_of: str = ""):
    """我的额度（部门）/ 各单位额度（办公室、审计）."""
    user = auth.page_user(request)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    state = request.app.state
    chosen = unit.strip() or (user.unit if user.role == "department" else None)
    context: dict[str, Any] = {"unit": chosen or "", "year": year, "as_of": as_of, "errors": [], "result": None, "every": None,
                               "units": [] if user.role == "department" else [u.name for u in state.store.units()]}
    if chosen is not None and not user.may_see_unit(chosen):
        return _render(request, user, "forbidden.html", {"reason": f"部门用户只能查看本单位（{user.unit}）的额度。",
                                                        "reason_en": f"a department user sees only its own unit ({user.unit})."}, 403)
    problems: list[FieldError] = []
    the_year, day = _year(year, problems), _day(as_of, "as_of", problems)
    status = 200
    if not problems:
        the_year = the_year or source.latest_year(state.store) or date.today().year
        context["year"] = str(the_year)
        try:
            if chosen is not None:
                context["result"] = source.from_store(state.engine, state.store, chosen, the_year, day, field="unit")
            else:
                context["every"] = source.every_unit_from_store(state.engine, state.store, the_year, day)
        except JianfuError as exc:
            error = as_service_error(exc)
            problems, status = error.errors or [FieldError((), error.zh, error.en)], error.status
    if problems:
        context["errors"], status = problems, (status if status != 200 else 422)
    return _render(request, user, "quota.html", context, status)


def _render(request: Request, user: User, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    base = {
        "user": user,
        "role_zh": ROLE_ZH.get(user.role, user.role),
        "may_screen": user.role in ("office", "department", "admin"),
        "may_plan": user.role in ("office", "department", "admin"),
        "may_audit": user.role in ("auditor", "admin"),
        "section": "quota",
    }
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status)


def install(app: FastAPI) -> None:
    """The quota's API route and page, on the app (app.py's one line)."""
    app.include_router(api, prefix="/api/v1")
    app.include_router(pages)


__all__ = ["install"]
