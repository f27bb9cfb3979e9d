"""The pages (网页) in Chinese, server-rendered: log in, screen a request of each kind, pre-check an annual plan and
download the checked workbook, read the rule catalogue and the register, run the yearly audit.

This module is the routes; each page is built from the pieces the command line and the API use: the forms from the
request contract (`forms`), who may see a page (`gates`), the frame every page is drawn in (`page_frame`); a
decision comes from `screening.screen` / `screening.check_plan`, which also write the decision log. Assets are served
by the app itself (`/static`): nothing loads from outside the intranet.
"""

from __future__ import annotations

import json
import re
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import yaml
from markupsafe import Markup, escape
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from jianfu.adapters.catalogue import coverage, features_dir, find_rule
from jianfu.adapters.files.plan_workbook import write_template
from jianfu.adapters.scenarios import index as scenario_index
from jianfu.engine import Decision
from jianfu.engine.audit import implausible_years, parse_parameters, review_day
from jianfu.engine.errors import FieldError, JianfuError
from jianfu.engine.requests import KINDS

from . import audit, auth, screening
from .auth import COOKIE, User
from .checked_plans import CHECKED, CheckedPlans
from .errors import ServiceError
from .forms import AS_OF, _as_of, _clean, _screen_context, build_form, form_columns, read_form
from .gates import _forbidden, _Gate, _page_errors, _unit_gate, _user, gated
from .page_frame import KIND_ZH, _fact_label, _render, may_record, may_screen

router = APIRouter(include_in_schema=False)

__all__ = [
    "CHECKED", "AS_OF", "CheckedPlans", "KIND_ZH", "_Gate", "_forbidden", "build_form", "form_columns", "gated",
    "may_record", "may_screen", "read_form", "router",
]


# -- login -------------------------------------------------------------------------------------------------------
def _local(target: str | None) -> str:
    """Only a path on this site is a place to go back to after logging in (never another host)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/"):
    return _render(request, None, "login.html", {"next": _local(next), "name": "", "error": None})


@router.post("/login", response_class=HTMLResponse)
async def login_submit(request: Request):
    form = await request.form()
    name = str(form.get("name") or "").strip()
    token = str(form.get("token") or "").strip()
    target = _local(str(form.get("next") or "/"))
    user = await run_in_threadpool(auth.login, request, name, token) if name and token else None
    if user is None:
        context = {"next": target, "name": name, "error": "用户名或令牌不正确 / unknown name or wrong token"}
        return _render(request, None, "login.html", context, status=401)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/")
    return response


@router.post("/logout")
def logout():
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get("/", response_class=HTMLResponse)
@gated
def home(request: Request):
    user = _user(request)
    return _render(request, user, "home.html", {})


@router.get("/screen/{kind}", response_class=HTMLResponse)
@gated
def screen_page(request: Request, kind: str):
    user = _user(request, ("office", "department"))
    if kind not in KINDS:
        return _render(request, user, "not_found.html", {"what": f"没有这类申请：{kind} / no such kind"}, status=404)
    groups, summary = build_form(kind, user, request.app.state.catalog)
    return _render(request, user, "screen.html", _screen_context(kind, groups, summary))


@router.post("/screen/{kind}", response_class=HTMLResponse)
@gated
async def screen_submit(request: Request, kind: str):
    user = _user(request, ("office", "department"))
    if kind not in KINDS:
        return _render(request, user, "not_found.html", {"what": f"没有这类申请：{kind} / no such kind"}, status=404)
    values = _clean(await request.form())
    record = values.pop("record", "") == "1"
    if user.role == "department":
        values["unit"] = user.unit or ""
    as_of_text = values.pop(AS_OF, "")
    as_of, as_of_errors = _as_of(as_of_text)
    candidate, errors = read_form(kind, values)
    errors += as_of_errors
    if candidate is not None and not errors:
        _unit_gate(request, user, candidate.unit)
        try:
            decisions = await run_in_threadpool(screening.screen, request.app.state, user, [candidate], record, as_of)
        except (ServiceError, JianfuError) as exc:
            _, errors = _page_errors(request, user, exc)
        else:
            decision = decisions[0]
            context = {
                "d": decision,
                "title": candidate.title,
                "kind": kind,
                "kind_zh": KIND_ZH[kind],
                "recorded": record and decision.approved,
                "record_asked": record,
                "request_json": json.dumps(candidate.model_dump(mode="json", exclude_defaults=True), ensure_ascii=False, indent=2),
                "section": "screen",
            }
            return _render(request, user, "decision.html", context)
    groups, summary = build_form(kind, user, request.app.state.catalog, values, errors)
    return _render(request, user, "screen.html", _screen_context(kind, groups, summary, record, as_of_text), status=422)


@router.get("/plans", response_class=HTMLResponse)
@gated
def plans_page(request: Request):
    user = _user(request, ("office", "department"))
    return _render(request, user, "plans.html", _plans_context(request, []))


def _plans_context(request: Request, errors: list[FieldError]) -> dict[str, Any]:
    limit = request.app.state.settings.max_body_bytes
    return {"errors": errors, "max_mb": round(limit / 1024 / 1024, 1), "section": "plans"}


def _check_uploaded(state, user: User, filename: str, content: bytes):
    """Read the uploaded plan as the API does, check it, and write the checked workbook."""
    with tempfile.TemporaryDirectory(prefix="jianfu-plan-") as folder:
        plan, source = screening.plan_from_upload(filename, content, Path(folder))
        result = screening.check_plan(state, user, plan)  # 403 for another unit's plan
        return plan, result, screening.checked_workbook(state, result, source, Path(folder))


@router.post("/plans", response_class=HTMLResponse)
@gated
async def plans_submit(request: Request):
    user = _user(request, ("office", "department"))
    form = await request.form()
    upload = form.get("file")
    filename = getattr(upload, "filename", None) or ""
    if not filename:
        errors = [FieldError(("file",), "请选择计划文件", "choose a plan file")]
        return _render(request, user, "plans.html", _plans_context(request, errors), status=422)
    content = await upload.read()  # the app's body limit has already refused anything larger
    try:
        plan, result, workbook = await run_in_threadpool(_check_uploaded, request.app.state, user, filename, content)
    except (ServiceError, JianfuError) as exc:
        status, errors = _page_errors(request, user, exc)
        return _render(request, user, "plans.html", _plans_context(request, errors), status=status)
    download = f"{plan.id}-审查结果.xlsx"
    token = CHECKED.put(user.name, download, workbook)
    items = {item.id: item for item in plan.items}
    context = {
        "plan": plan,
        "result": result,
        "rows": [(items[d.id], d) for d in result.decisions],
        "approved": sum(1 for d in result.decisions if d.approved),
        "token": token,
        "download_name": download,
        "section": "plans",
    }
    return _render(request, user, "plan_result.html", context)


@router.get("/plans/template")
@gated
def plan_template(request: Request):
    """The Excel/WPS template a department fills in (the same as `jianfu plan template`)."""
    _user(request, ("office", "department"))
    with tempfile.TemporaryDirectory(prefix="jianfu-template-") as folder:
        path = Path(folder) / "template.xlsx"
        write_template(path)
        content = path.read_bytes()
    return _xlsx(content, "年度计划模板.xlsx")


def _xlsx(content: bytes, filename: str) -> Response:
    headers = {"Content-Disposition": f"attachment; filename=\"plan.xlsx\"; filename*=UTF-8''{quote(filename)}"}
    return Response(content, media_type=screening.XLSX_TYPE, headers=headers)


@router.get("/plans/checked/{token}")
@gated
def checked_workbook(request: Request, token: str):
    user = _user(request, ("office", "department"))
    found = CHECKED.get(token, user.name)
    if found is None:
        return _render(request, user, "not_found.html", {"what": "审查后的工作簿已过期或不存在，请重新上传 / the checked workbook is gone: upload the plan again"}, status=404)
    filename, content = found
    return _xlsx(content, filename)


# -- the rule catalogue ------------------------------------------------------------------------------------------
@lru_cache(maxsize=4)
def _scenarios(folder: str):
    return scenario_index(Path(folder))


@router.get("/rules", response_class=HTMLResponse)
@gated
def rules_page(request: Request):
    user = _user(request)
    catalog = request.app.state.catalog
    packs = [loaded.pack for loaded in catalog.packs.values()]
    return _render(request, user, "rules.html", {"packs": packs, "coverage": coverage(catalog), "section": "rules"})


@router.get("/rules/{rule_id}", response_class=HTMLResponse)
@gated
def rule_page(request: Request, rule_id: str):
    user = _user(request)
    entry = find_rule(request.app.state.catalog, rule_id)
    if entry is None:
        return _render(request, user, "not_found.html", {"what": f"没有规则 {rule_id} / no rule {rule_id}"}, status=404)
    rule, loaded, params = entry.rule, entry.pack, entry.parameters
    condition = yaml.safe_dump(entry.condition, allow_unicode=True, sort_keys=False)
    scenarios = [
        {"name": s.name, "outcomes": s.outcomes, "file_name": Path(s.file).name, "line": s.line}
        for s in _scenarios(str(features_dir())).for_rule(rule.id)
    ]
    catalog = request.app.state.catalog
    shown = {f"{part}_{lang}": _placeholders(getattr(getattr(rule, part), lang), catalog) for part in ("message", "remedy") for lang in ("zh", "en")}
    context = {"rule": rule, "pack": loaded, "params": params, "condition": condition, "scenarios": scenarios, "section": "rules", **shown}
    return _render(request, user, "rule.html", context)


_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?:[!:][^{}]*)?\}")


def _placeholders(template: str, catalog) -> Markup:
    """A rule's message as the page shows it: each `{fact}` the decision fills in named by its description
    (〔本单位本年度已召开的本系统全市性会议次数〕), never a raw template placeholder."""
    out, last = [], 0
    for found in _PLACEHOLDER.finditer(template):
        out.append(escape(template[last:found.start()]))
        label = _fact_label(catalog, found.group(1))
        out.append(Markup('<span class="placeholder" title="{}">〔{}〕</span>').format(found.group(1), label))
        last = found.end()
    out.append(escape(template[last:]))
    return Markup("").join(out)


# -- the register ------------------------------------------------------------------------------------------------
REGISTER_LIMIT = 200


@router.get("/register", response_class=HTMLResponse)
@gated
def register_page(request: Request, unit: str = "", kind: str = "", year: str = ""):
    user = _user(request)
    error = None
    if user.role == "department":
        unit = user.unit or ""
    if kind and kind not in KINDS:
        error, kind = f"类别应为 {' | '.join(KINDS)} / kind must be one of {', '.join(KINDS)}", ""
    number = None
    if year.strip():
        if year.strip().isascii() and year.strip().isdigit() and 1949 <= int(year) <= 2200:
            number = int(year)
        else:
            error = f"年度应为四位数字，收到 {year!r} / year must be four digits, got {year!r}"
    records = request.app.state.store.records(unit=unit.strip() or None, kind=kind or None, year=number, limit=REGISTER_LIMIT)
    context = {
        "records": records,
        "unit": unit,
        "kind": kind,
        "year": number,
        "error": error,
        "limit": REGISTER_LIMIT,
        "locked_unit": user.unit if user.role == "department" else None,
        "section": "register",
    }
    return _render(request, user, "register.html", context)


@router.get("/register/{record_id:path}", response_class=HTMLResponse)
@gated
def record_page(request: Request, record_id: str):
    user = _user(request)
    row = request.app.state.store.record(record_id)
    if row is None or not user.may_see_unit(row["unit"]):  # another unit's record answers as a missing one
        return _render(request, user, "not_found.html", {"what": f"台账中没有编号 {record_id} / no record {record_id}"}, status=404)
    decision = Decision.model_validate_json(row["decision"]) if row.get("decision") else None
    body = json.dumps(json.loads(row["body"]), ensure_ascii=False, indent=2) if row.get("body") else ""
    context = {"r": row, "decision": decision, "body": body, "title": row.get("title"), "section": "register"}
    return _render(request, user, "record.html", context)


# -- the yearly audit --------------------------------------------------------------------------------------------
def _audit_query(year: str, baseline_year: str, params: str, as_of: str = "") -> tuple[dict[str, Any], list[FieldError]]:
    """The audit form's fields as the report's query, or the fields at fault."""
    errors: list[FieldError] = []
    query: dict[str, Any] = {}
    for name, text in (("year", year), ("baseline_year", baseline_year)):
        text = text.strip()
        if not text:
            if name == "year":
                errors.append(FieldError((name,), "请填写审计年度", "the year is required"))
            continue
        if not (text.isascii() and text.isdigit()):
            errors.append(FieldError((name,), f"应为四位年份，收到 {text!r}", f"expected a four-digit year, got {text!r}"))
            continue
        wrong = implausible_years((name, int(text)))
        errors += wrong
        if not wrong:
            query[name] = int(text)
    query["param"] = [line.strip() for line in params.splitlines() if line.strip()]
    if as_of.strip() and "year" in query:
        day = review_day(as_of, query["year"], errors)
        if day is not None and day.year == query["year"]:
            query["as_of"] = day.isoformat()
    return query, errors


@router.get("/audit", response_class=HTMLResponse)
@gated
def audit_page(request: Request, year: str = "", baseline_year: str = "", params: str = "", as_of: str = ""):
    """年度合规审计：填年度，页面内显示报告，可下载 XLSX/JSON/Markdown / the yearly audit, shown and downloadable."""
    user = _user(request, ("auditor",))
    context: dict[str, Any] = {"year": year, "baseline_year": baseline_year, "params": params, "as_of": as_of, "errors": [], "report": None, "section": "audit"}
    if year or baseline_year or params:
        query, errors = _audit_query(year, baseline_year, params, as_of)
        if not errors:
            try:  # a bad what-if parameter is shown beside the form, not inside the report's frame
                parse_parameters(query["param"], request.app.state.catalog)
            except JianfuError as exc:
                errors = _page_errors(request, user, exc)[1]
        context["errors"] = errors
        if not errors:
            context["report"] = {fmt: "/audit/report?" + urlencode({**query, "format": fmt}, doseq=True) for fmt in audit.AUDIT_FORMATS}
    return _render(request, user, "audit.html", context, status=422 if context["errors"] else 200)


@router.get("/audit/report")
@gated
def audit_report_page(request: Request, year: int, baseline_year: int | None = None, format: str = "html", param: list[str] = Query([]),
                      as_of: str | None = None):
    user = _user(request, ("auditor",))
    try:
        content = audit.audit_report(request.app.state, year, baseline_year, format, param, as_of)
    except JianfuError as exc:
        status, errors = _page_errors(request, user, exc)
        return _render(request, user, "audit.html", {"year": str(year), "baseline_year": "", "params": "", "errors": errors, "report": None, "section": "audit"}, status=status)
    headers = {} if format == "html" else {"Content-Disposition": f'attachment; filename="audit-{year}.{format}"'}
    return Response(content, media_type=audit.AUDIT_FORMATS[format], headers=headers)
