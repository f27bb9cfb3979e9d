"""The pages (网页) in Chinese, server-rendered: log in, screen a request of each kind, pre-check an annual plan and
download the checked workbook, read the rule catalogue and the register.

Everything a page shows comes from the pieces the command line and the API use: the form's fields are the request
contract's columns (`adapters.files.columns`, the same Chinese headers as the plan workbook), a submitted form is read
by the sheet reader (`adapters.files.tabular`, so `市财政局:是` means the same in a cell and in a textarea) and validated
by the engine's request models; a decision comes from `screening.screen` / `screening.check_plan`, which also write
the decision log. Assets are served by the app itself (`/static`): nothing loads from outside the intranet.

Who may do what is the API's rule: `office` screens and records; `department` screens and pre-checks its own unit's
requests only and sees only its own unit's records; `auditor` reads (rules, register); `admin` everything.
"""

from __future__ import annotations

import functools
import inspect
import json
import re
import secrets
import tempfile
import time
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin
from urllib.parse import quote, urlencode

import yaml
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool

from jianfu.adapters.catalogue import coverage, features_dir, find_rule
from jianfu.adapters.files import tabular
from jianfu.adapters.files.columns import STATUS_ZH, Column
from jianfu.adapters.files.plan_workbook import write_template
from jianfu.adapters.files.sheets import columns_for
from jianfu.adapters.output import DECISION_ZH, SEVERITY_ZH, RuleBook
from jianfu.adapters.scenarios import index as scenario_index
from jianfu.engine import Decision
from jianfu.engine.decide import APPROVER_ZH, VALUE_ZH, show_value
from jianfu.engine.audit import implausible_years, parse_parameters
from jianfu.engine.errors import FieldError, JianfuError, from_validation_error
from jianfu.engine.facts import FACTS
from jianfu.engine.requests import KINDS, Bulletin, Document, Inspection, Meeting, Request as RequestModel

from . import auth, screening
from .auth import COOKIE, ROLE_ZH, ROLES, User
from .errors import ServiceError, as_service_error

router = APIRouter(include_in_schema=False)
HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))

REQUEST = TypeAdapter(RequestModel)
MODELS: dict[str, type[BaseModel]] = {"document": Document, "meeting": Meeting, "inspection": Inspection, "bulletin": Bulletin}
KIND_ZH = {k: VALUE_ZH[k] for k in KINDS}
EVENT_ZH = {"recorded": "审查后记入", "imported": "导入", "cancelled": "取消"}
FORM_NAME = "表单"

# How a textarea is read: one item per line (the sheet reader also accepts ；, as in a cell).
LIST_HELP = {
    "list": "每行一项 / one item per line",
    "attendees": "每行一个单位：单位:是/否（是否直接相关），如 市公安局:是 / one per line: unit:yes/no (directly related)",
    "approvals": "每行一条：批准方|文号|日期|针对条款，批准方为 市政府、市政府负责同志、市政府办公室 或 市政府督查室，"
    "如 市政府|景府字〔2019〕5号|2019-05-01|8 / one per line: by|ref|date|covers",
    "indicators": "每行一个：指标=目标值，如 整改完成率=95% / one per line: name=target",
}
FIELD_HELP = {
    "id": "唯一编号，记入台账时用它 / a unique id, the register's key",
    "jurisdiction": "选择生效的规则包，如 景德镇市 / selects the rule packs",
    "plan_item": "所执行的年度计划事项编号 / id of the annual-plan item it carries out",
    "subject": "所涉工作的键，用于判断是否重复发文 / key of the work it covers",
    "series": "简报名称 / the bulletin series",
    "doc_no": "印发后的文号，如 景府字〔2019〕12号 / its number once issued",
    "replaces": "本文件修订替代的文件文号 / the number of the document it replaces",
    "relays.doc_no": "转发上级文件时填写本组 / fill this group when it passes on a superior document",
}
COMMON = ("id", "jurisdiction", "unit", "date", "title", "topics", "approvals")
AS_OF = "as_of"


# -- who may do what ---------------------------------------------------------------------------------------------
def may_screen(user: User) -> bool:
    return user.role in ("office", "department", "admin")


def may_record(user: User) -> bool:
    return user.role in screening.RECORDERS


class _Gate(Exception):
    def __init__(self, response: Response):
        self.response = response


def _user(request: Request, allowed: tuple[str, ...] | None = None) -> User:
    """The logged-in user, or a redirect to the login page; a 403 page when their role may not see this page."""
    user = auth.page_user(request)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise _Gate(RedirectResponse(f"/login?next={quote(target)}", status_code=303))
    if allowed is not None and user.role not in set(allowed) | {"admin"}:
        permitted = [r for r in ROLES if r in allowed or r == "admin"]
        names = "、".join(ROLE_ZH[r] for r in permitted)
        raise _Gate(_forbidden(request, user, f"此页面仅限 {names}。", f"only {', '.join(permitted)} may use this page."))
    return user


def _unit_gate(request: Request, user: User, unit: str | None) -> None:
    if not user.may_see_unit(unit):
        raise _Gate(_forbidden(request, user, f"部门用户只能处理、查看本单位（{user.unit}）的事项。", f"a department user handles and sees only its own unit ({user.unit})."))


def _forbidden(request: Request, user: User | None, zh: str, en: str) -> Response:
    return _render(request, user, "forbidden.html", {"reason": zh, "reason_en": en}, status=403)


def _page_errors(request: Request, user: User, exc: BaseException) -> tuple[int, list[FieldError]]:
    """jianfu's errors as a page lists them (nothing was decided); a 403 (another unit's request or plan, or
    recording without the right) is the 403 page instead."""
    error = as_service_error(exc)
    if error.status == 403:
        raise _Gate(_forbidden(request, user, error.zh, error.en))
    return error.status, error.errors or [FieldError((), error.zh, error.en)]


def gated(handler):
    """Turn a `_Gate` raised anywhere in a page handler into its response."""
    if inspect.iscoroutinefunction(handler):

        @functools.wraps(handler)
        async def run_async(*args, **kwargs):
            try:
                return await handler(*args, **kwargs)
            except _Gate as gate:
                return gate.response

        return run_async

    @functools.wraps(handler)
    def run(*args, **kwargs):
        try:
            return handler(*args, **kwargs)
        except _Gate as gate:
            return gate.response

    return run


# -- rendering ---------------------------------------------------------------------------------------------------
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


# -- the screening form ------------------------------------------------------------------------------------------
class FormField:
    """One labelled control of a screening form."""

    def __init__(self, column: Column, kind: str):
        self.name = column.path
        self.label = column.zh
        self.column = column
        self.required = _required(MODELS[kind], column.path)
        choices = _choices(MODELS[kind], column.path)
        if column.type == "bool":
            self.control, self.choices = "select", [("true", "是"), ("false", "否")]
        elif choices:
            self.control, self.choices = "select", [(c, VALUE_ZH.get(c, c)) for c in choices]
        elif column.type == "date":
            self.control, self.choices = "date", []
        elif column.type in LIST_HELP:
            self.control, self.choices = "textarea", []
        else:
            self.control, self.choices = "text", []
        self.help = LIST_HELP.get(column.type) or FIELD_HELP.get(column.path) or column.help
        self.wide = column.type in ("attendees", "approvals", "indicators") or column.path == "title"
        self.rows = 2
        self.value = ""
        self.locked = False
        self.errors: list[FieldError] = []


def _field_info(model: type[BaseModel], path: str):
    """The pydantic field at a dotted path, and whether every level of it is required."""
    required = True
    field = None
    for part in path.split("."):
        field = model.model_fields[part]
        required = required and field.is_required()
        model = _model_in(field.annotation)
    return field, required


def _model_in(annotation: Any) -> Any:
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _required(model: type[BaseModel], path: str) -> bool:
    return _field_info(model, path)[1]


def _choices(model: type[BaseModel], path: str) -> tuple[str, ...]:
    field, _ = _field_info(model, path)
    annotation = field.annotation
    if get_origin(annotation) is Union:
        annotation = next((a for a in get_args(annotation) if a is not type(None)), annotation)
    return tuple(get_args(annotation)) if get_origin(annotation) is Literal else ()


def form_columns(kind: str) -> list[Column]:
    """The contract's fields of one kind, common ones first, as the plan workbook lists them."""
    columns = [c for c in columns_for(kind) if c.path != "kind"]
    return sorted(columns, key=lambda c: (c.path not in COMMON, COMMON.index(c.path) if c.path in COMMON else 0))


def build_form(kind: str, user: User, catalog, values: dict[str, str] | None = None, errors: list[FieldError] | None = None):
    """The form's groups of fields (common, then the kind's own), filled in, with each error next to its field."""
    fields = [FormField(c, kind) for c in form_columns(kind)]
    defaults = _defaults(kind, catalog)
    for f in fields:
        f.value = (values or {}).get(f.name, defaults.get(f.name, ""))
        if f.name == "unit" and user.role == "department":
            f.value, f.locked = user.unit or "", True
    summary = _attach(fields, errors or [])
    common = [f for f in fields if f.name in COMMON]
    own = [f for f in fields if f.name not in COMMON]
    groups = [
        {"title": "共同字段", "title_en": "common to every kind", "fields": common},
        {"title": f"{KIND_ZH[kind]}字段", "title_en": f"{kind} fields", "fields": own},
    ]
    return groups, summary


def _defaults(kind: str, catalog) -> dict[str, str]:
    """A fresh id, today, and the jurisdiction of the first pack loaded (one city's office uses one)."""
    today = date.today()
    first = next(iter(catalog.packs.values()), None)
    return {
        "id": f"{kind[:3].upper()}-{today:%Y%m%d}-{secrets.token_hex(3)}",
        "date": today.isoformat(),
        "jurisdiction": first.pack.jurisdiction[0] if first else "",
    }


def _attach(fields: list[FormField], errors: list[FieldError]) -> list[tuple[FieldError, str | None]]:
    """Each error next to its field: the longest field path that begins the error's path, or the first field
    inside the error's path (`relays` missing a key). Returns every error with the field it went to (None when it
    is about no field: the summary above the form shows those only)."""
    paths = {tuple(f.name.split(".")): f for f in fields}
    placed: list[tuple[FieldError, str | None]] = []
    for error in errors:
        path = tuple(p for p in error.path if isinstance(p, str))
        target = None
        for depth in range(len(path), 0, -1):
            target = paths.get(path[:depth])
            if target is not None:
                break
        if target is None and path:
            target = next((f for p, f in paths.items() if p[: len(path)] == path), None)
        if target is not None:
            target.errors.append(error)
            placed.append((error, target.name))
        else:  # 依据日期 (as_of) is a screening option beside the request, shown apart
            placed.append((error, AS_OF if error.path[:1] == (AS_OF,) else None))
    return placed


def read_form(kind: str, values: dict[str, str]) -> tuple[Any, list[FieldError]]:
    """The request a form describes, read cell by cell as a sheet row is, then validated by the engine's models.
    Every error is reported at once: a cell that cannot be read and the model's complaints about the others."""
    columns = form_columns(kind)
    sheet = tabular.Sheet(None, FORM_NAME, [(c.path, c.path) for c in columns])
    sheet.rows.append([tabular.Cell(1, c.path, values.get(c.path, "")) for c in columns])
    rows, errors = tabular.records(sheet, {"kind": kind})
    candidate = None
    if rows:
        try:
            candidate = REQUEST.validate_python(rows[0].data)
        except ValidationError as exc:
            errors = errors + rows[0].placed(from_validation_error(exc), sheet)
    errors = [e.at(file=None, sheet=None, line=None, column=None) for e in errors]
    return (None if errors else candidate), errors


def _clean(form) -> dict[str, str]:
    return {k: v.strip() if isinstance(v, str) else "" for k, v in form.items()}


@router.get("/screen/{kind}", response_class=HTMLResponse)
@gated
def screen_page(request: Request, kind: str):
    user = _user(request, ("office", "department"))
    if kind not in KINDS:
        return _render(request, user, "not_found.html", {"what": f"没有这类申请：{kind} / no such kind"}, status=404)
    groups, summary = build_form(kind, user, request.app.state.catalog)
    return _render(request, user, "screen.html", _screen_context(kind, groups, summary))


def _screen_context(kind: str, groups, summary, record: bool = False, as_of: str = "") -> dict[str, Any]:
    as_of_errors = [e for e, name in summary if name == AS_OF]
    return {
        "kind": kind, "kind_zh": KIND_ZH[kind], "groups": groups, "errors": summary, "record": record,
        "as_of": as_of, "as_of_errors": as_of_errors, "section": "screen",
    }


def _as_of(text: str) -> tuple[date | None, list[FieldError]]:
    """The optional 依据日期: decide with the packs in force on that day instead of the request's date."""
    if not text:
        return None, []
    try:
        return date.fromisoformat(text), []
    except ValueError:
        return None, [FieldError((AS_OF,), f"应为日期 YYYY-MM-DD，收到 {text!r}", f"expected a date YYYY-MM-DD, got {text!r}")]


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


# -- the annual plan ---------------------------------------------------------------------------------------------
class CheckedPlans:
    """Checked workbooks waiting to be downloaded, by a random token, for the user who uploaded the plan only.

    They are files in one folder of the machine, not memory, because `jianfu serve --workers N` answers the upload
    and the download from different processes. A download page, not an archive (the decision log is the record):
    files older than `keep` seconds are removed whenever another is added.
    """

    def __init__(self, folder: Path | None = None, keep: int = 3600):
        self.folder = folder or Path(tempfile.gettempdir()) / "jianfu-checked-plans"
        self.keep = keep

    def put(self, owner: str, filename: str, content: bytes) -> str:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._sweep()
        token = secrets.token_urlsafe(18)
        (self.folder / f"{token}.xlsx").write_bytes(content)
        (self.folder / f"{token}.json").write_text(json.dumps({"owner": owner, "filename": filename}, ensure_ascii=False), encoding="utf-8")
        return token

    def get(self, token: str, owner: str) -> tuple[str, bytes] | None:
        if not re.fullmatch(r"[A-Za-z0-9_-]{24}", token):
            return None
        try:
            about = json.loads((self.folder / f"{token}.json").read_text(encoding="utf-8"))
            content = (self.folder / f"{token}.xlsx").read_bytes()
        except (OSError, ValueError):
            return None
        if about.get("owner") != owner:
            return None
        return about.get("filename") or "checked.xlsx", content

    def _sweep(self) -> None:
        cutoff = time.time() - self.keep
        for path in self.folder.glob("*.*"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                pass  # another worker swept it first


CHECKED = CheckedPlans()


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
    context = {"rule": rule, "pack": loaded, "params": params, "condition": condition, "scenarios": scenarios, "section": "rules"}
    return _render(request, user, "rule.html", context)


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
        if year.strip().isdigit() and 1949 <= int(year) <= 2200:
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
    if row is None:
        return _render(request, user, "not_found.html", {"what": f"台账中没有编号 {record_id} / no record {record_id}"}, status=404)
    _unit_gate(request, user, row["unit"])
    decision = Decision.model_validate_json(row["decision"]) if row.get("decision") else None
    body = json.dumps(json.loads(row["body"]), ensure_ascii=False, indent=2) if row.get("body") else ""
    context = {"r": row, "decision": decision, "body": body, "title": row.get("title"), "section": "register"}
    return _render(request, user, "record.html", context)


# -- the yearly audit --------------------------------------------------------------------------------------------
def _audit_query(year: str, baseline_year: str, params: str) -> tuple[dict[str, Any], list[FieldError]]:
    """The audit form's fields as the report's query, or the fields at fault."""
    errors: list[FieldError] = []
    query: dict[str, Any] = {}
    for name, text in (("year", year), ("baseline_year", baseline_year)):
        text = text.strip()
        if not text:
            if name == "year":
                errors.append(FieldError((name,), "请填写审计年度", "the year is required"))
            continue
        if not text.isdigit():
            errors.append(FieldError((name,), f"应为四位年份，收到 {text!r}", f"expected a four-digit year, got {text!r}"))
            continue
        wrong = implausible_years((name, int(text)))
        errors += wrong
        if not wrong:
            query[name] = int(text)
    query["param"] = [line.strip() for line in params.splitlines() if line.strip()]
    return query, errors


@router.get("/audit", response_class=HTMLResponse)
@gated
def audit_page(request: Request, year: str = "", baseline_year: str = "", params: str = ""):
    """年度合规审计：填年度，页面内显示报告，可下载 XLSX/JSON/Markdown / the yearly audit, shown and downloadable."""
    user = _user(request, ("auditor",))
    context: dict[str, Any] = {"year": year, "baseline_year": baseline_year, "params": params, "errors": [], "report": None, "section": "audit"}
    if year or baseline_year or params:
        query, errors = _audit_query(year, baseline_year, params)
        if not errors:
            try:  # a bad what-if parameter is shown beside the form, not inside the report's frame
                parse_parameters(query["param"], request.app.state.catalog)
            except JianfuError as exc:
                errors = _page_errors(request, user, exc)[1]
        context["errors"] = errors
        if not errors:
            context["report"] = {fmt: "/audit/report?" + urlencode({**query, "format": fmt}, doseq=True) for fmt in screening.AUDIT_FORMATS}
    return _render(request, user, "audit.html", context, status=422 if context["errors"] else 200)


@router.get("/audit/report")
@gated
def audit_report_page(request: Request, year: int, baseline_year: int | None = None, format: str = "html", param: list[str] = Query([])):
    user = _user(request, ("auditor",))
    try:
        content = screening.audit_report(request.app.state, year, baseline_year, format, param)
    except JianfuError as exc:
        status, errors = _page_errors(request, user, exc)
        return _render(request, user, "audit.html", {"year": str(year), "baseline_year": "", "params": "", "errors": errors, "report": None, "section": "audit"}, status=status)
    headers = {} if format == "html" else {"Content-Disposition": f'attachment; filename="audit-{year}.{format}"'}
    return Response(content, media_type=screening.AUDIT_FORMATS[format], headers=headers)
