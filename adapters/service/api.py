"""The HTTP API (`/api/v1`) for the office (OA) system: SPEC's request and decision contracts over JSON.

Every route needs `Authorization: Bearer <token>` (401 without one) and a role that may use it (403 otherwise):

| route | office | department (own unit) | auditor | admin |
| --- | --- | --- | --- | --- |
| POST /screenings | screen, `?record=true` records | screen its own unit's requests, never records | — | all |
| POST /plans/check | yes | its own unit's plans | — | yes |
| GET /rules, /rules/{id}, /me | yes | yes | yes | yes |
| GET /records, /records/{id}, /plans, /plans/{id} | all units | its own unit only | all units | all |
| POST /records, /records/{id}/cancel, /approvals, /approvals/{seq}/cancel, /plans, /plans/{id}/cancel | yes | — | — | yes |
| GET /approvals | yes | — | yes | yes |
| GET /log, /log/verify, /log/{seq} | — | — | yes | yes |
| GET /users | — | — | — | yes |

Register entries are appended and cancelled, never deleted: there is no DELETE route.
"""

from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import Field, TypeAdapter
from starlette.concurrency import run_in_threadpool

from jianfu.engine import Decision
from jianfu.engine.records import FiledPlan, Record
from jianfu.engine.requests import Approval
from jianfu.engine.types import Contract

from jianfu.adapters.catalogue import find_rule
from jianfu.adapters.files.read import model_from_json
from jianfu.adapters.storage import RegisterUnreachable, unreachable
from jianfu.adapters.storage import decision_log as log

from .auth import User, api_user, check_unit, require
from .errors import as_service_error, not_found
from .audit import AUDIT_FORMATS, audit_report
from .screening import XLSX_TYPE as XLSX, check_plan, checked_workbook, parse_plan, parse_requests, plan_from_upload, screen

router = APIRouter()
health = APIRouter()

READERS = ("office", "department", "auditor")  # who may read the register (a department: its own unit)
WRITERS = ("office",)  # who may write the register (and admin, always)
RECORD = TypeAdapter(Record)

INLINE = 4  # screenings decided on the event loop itself; more (or recording, which may wait for a lock) go to a thread


def _body_of(contract: str) -> dict:
    """A request body the route parses itself, described by the contract's schema (added in app._openapi)."""
    return {"requestBody": {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{contract}"}}}, "required": True}}


@health.get("/healthz", tags=["health"])
def healthz(request: Request) -> dict[str, Any]:
    """服务是否可用（无需令牌） / is the service up (no token needed)."""
    store = request.app.state.store
    try:
        with store.reading() as connection:
            last, _ = log.head(connection)
    except Exception as exc:
        if not unreachable(exc):
            raise
        gone = RegisterUnreachable(store.url, exc)
        body = {"status": "unreachable", "register": "unreachable", "message": gone.zh, "message_en": gone.en,
                "packs": sorted(request.app.state.catalog.packs)}
        return JSONResponse(body, status_code=503)
    return {"status": "ok", "register": "ok", "packs": sorted(request.app.state.catalog.packs), "decision_log_entries": last}


@router.get("/me", tags=["users"])
def me(user: User = Depends(api_user)) -> dict[str, Any]:
    """当前用户 / who the token belongs to."""
    return {"name": user.name, "role": user.role, "unit": user.unit}


@router.get("/users", tags=["users"])
def users(request: Request, user: User = Depends(require("admin"))) -> list[dict[str, Any]]:
    """用户（不含令牌；增删用 jianfu users） / the users, never their tokens (add and revoke with `jianfu users`)."""
    return [{"name": u.name, "role": u.role, "unit": u.unit} for u in request.app.state.users.file.users()]


# -- screening ---------------------------------------------------------------------------------------------------
@router.post(
    "/screenings", tags=["screening"], openapi_extra=_body_of("ScreeningRequests"), response_class=Response,
    responses={200: {"model": list[Decision], "description": "每件申请一个决定，顺序同请求 / one decision per request, in order"}},
)
async def screenings(
    request: Request,
    record: bool = Query(False, description="批准的申请记入台账（仅市政府办公室） / record the approved ones (office only)"),
    as_of: date | None = Query(None, description="按该日期生效的规则包审查 / decide with the packs in force on this date"),
    user: User = Depends(require("office", "department")),
) -> Response:
    """审查一件或一组申请 / screen one request or a list: one decision (SPEC's contract) per request, in order."""
    items = parse_requests(await request.body())
    if len(items) <= INLINE and not record:
        # a screening or two takes about a millisecond: cheaper decided right here than handed to a thread
        decisions = screen(request.app.state, user, items, record, as_of)
    else:
        decisions = await run_in_threadpool(screen, request.app.state, user, items, record, as_of)
    return decisions_response(decisions)


def decisions_response(decisions) -> Response:
    """SPEC's decisions as a JSON array, serialised by pydantic directly (the hot path skips a second encoding)."""
    body = b"[" + b",".join(d.model_dump_json().encode("utf-8") for d in decisions) + b"]"
    return Response(body, media_type="application/json")


@router.post(
    "/plans/check",
    tags=["screening"],
    openapi_extra={"requestBody": {"content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/Plan"}},
        "multipart/form-data": {"schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}},
    }, "required": True}},
    responses={200: {"content": {XLSX: {}}, "description": "决定（JSON），或 ?format=xlsx 时带决定的工作簿 / decisions, or the checked workbook"}},
)
async def plans_check(
    request: Request,
    format: Literal["json", "xlsx"] = Query("json", description="xlsx：返回带决定的工作簿 / the checked workbook"),
    lang: Literal["zh", "en"] = Query("zh"),
    as_of: date | None = None,
    user: User = Depends(require("office", "department")),
):
    """预审年度计划（JSON，或上传 XLSX/CSV/YAML/JSON 文件，字段名 file） / pre-check an annual plan."""
    with tempfile.TemporaryDirectory(prefix="jianfu-plan-") as tmp:
        folder = Path(tmp)
        source = None
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            form = await request.form()
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise as_service_error(_missing_file())
            plan, source = await run_in_threadpool(plan_from_upload, upload.filename, await upload.read(), folder)
        else:
            plan = parse_plan(await request.body())
        result = await run_in_threadpool(check_plan, request.app.state, user, plan, as_of)
        if format == "xlsx":
            content = await run_in_threadpool(checked_workbook, request.app.state, result, source, folder, lang)
            name = f"{plan.id}-checked.xlsx"
            return Response(content, media_type=XLSX, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quote(name)}"})
    return {
        "plan": plan.id, "unit": plan.unit, "year": plan.year, "filed": result.filed,
        "decision": "approve" if result.approved else "reject",
        "decisions": [d.contract() for d in result.decisions],
    }


def _missing_file():
    from jianfu.engine.errors import FieldError, InvalidInput

    return InvalidInput([FieldError(("file",), "缺少上传的文件（表单字段 file）", "no file uploaded (form field `file`)")])


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


# -- the rule catalogue ------------------------------------------------------------------------------------------
@router.get("/rules", tags=["rules"])
def rules(request: Request, user: User = Depends(api_user)) -> list[dict[str, Any]]:
    """规则目录 / every rule: its pack, article, title, kind and severity."""
    out = []
    for loaded in request.app.state.catalog.packs.values():
        for rule in loaded.pack.rules:
            out.append({
                "id": rule.id, "pack": loaded.id, "version": loaded.pack.version, "article": rule.article, "source": rule.source,
                "title": rule.title, "kind": rule.kind, "severity": rule.severity,
            })
    return out


@router.get("/rules/{rule_id}", tags=["rules"])
def rule(rule_id: str, request: Request, user: User = Depends(api_user)) -> dict[str, Any]:
    """一条规则：条文、解读、参数（含生效日期）、条件 / one rule with its article text, reading, dated parameters."""
    entry = find_rule(request.app.state.catalog, rule_id)
    if entry is not None:
        loaded = entry.pack
        parameters = {
            name: {"description": p.description, "article": p.article, "values": {str(d): v for d, v in sorted(p.values.items())}}
            for name, p in entry.parameters
        }
        return {
            "pack": {"id": loaded.id, "version": loaded.pack.version, "sha256": loaded.sha256},
            "rule": entry.rule.model_dump(mode="json", by_alias=True, exclude_none=True),
            "parameters": parameters,
        }
    raise not_found(f"没有规则 {rule_id!r}", f"no rule {rule_id!r}")


# -- the register: records ------------------------------------------------------------------------------------------
def _unit_filter(user: User, unit: str | None) -> str | None:
    """A department lists its own unit (asking for another is 403); everyone else lists what they ask for."""
    if user.role == "department":
        check_unit(user, unit or user.unit)
        return user.unit
    return unit


def _visible(user: User, found: dict | None, what: str, missing: tuple[str, str]) -> dict:
    """An entry of the register, if there is one and the user may see its unit: another unit's entry answers as a
    missing one does (404), so a department cannot probe which ids exist."""
    if found is None or not user.may_see_unit(found["unit"]):
        raise not_found(*missing)
    return found


async def _body(request: Request, validate, name: str):
    """One object of the register's contract from the JSON body, errors with field path and line."""
    return model_from_json((await request.body()).decode("utf-8", "replace"), validate, name)


@router.get("/records", tags=["register"])
def records(
    request: Request,
    unit: str | None = None,
    kind: Literal["document", "meeting", "inspection", "bulletin"] | None = None,
    year: int | None = None,
    limit: int = Query(200, ge=1, le=1000),
    offset: int = Query(0, ge=0),
    user: User = Depends(require(*READERS)),
) -> list[dict[str, Any]]:
    """台账记录（按单位、类别、年度查找） / register records, by unit, kind and year."""
    return request.app.state.store.records(unit=_unit_filter(user, unit), kind=kind, year=year, limit=limit, offset=offset)


@router.get("/records/{record_id}", tags=["register"])
def record(record_id: str, request: Request, user: User = Depends(require(*READERS))) -> dict[str, Any]:
    found = request.app.state.store.record(record_id)
    return _visible(user, found, record_id, (f"台账中没有编号 {record_id!r}", f"no record {record_id!r}"))


@router.post("/records", tags=["register"], status_code=201, openapi_extra=_body_of("Record"))
async def add_record(request: Request, user: User = Depends(require(*WRITERS))) -> dict[str, Any]:
    """记入一条台账记录（如已召开、已印发），不经审查 / append a record as it is (held, issued, …)."""
    item = await _body(request, RECORD.validate_python, "record")
    await run_in_threadpool(request.app.state.store.add_record, item, user.name, "api", user.role)
    return {"id": item.id, "status": item.status}


class Cancel(Contract):
    reason: str = Field(min_length=1, max_length=2000, description="取消原因 / why")


@router.post("/records/{record_id}/cancel", tags=["register"])
def cancel_record(record_id: str, body: Cancel, request: Request, user: User = Depends(require(*WRITERS))) -> dict[str, Any]:
    """取消一条记录（保留在台账中，不再计数） / cancel a record: it stays, marked cancelled, and no longer counts."""
    request.app.state.store.cancel(record_id, body.reason, actor=user.name, role=user.role)
    return {"id": record_id, "status": "cancelled"}


# -- approvals ---------------------------------------------------------------------------------------------------------
class ApprovalFiling(Approval):
    """An approval on file for a request (须报…批准): who approved, the reference, the date, what it covers."""

    request_id: str = Field(min_length=1, max_length=200)


@router.get("/approvals", tags=["register"])
def approvals(request: Request, request_id: str | None = None, limit: int = Query(200, ge=1, le=1000), offset: int = Query(0, ge=0),
              user: User = Depends(require("office", "auditor"))) -> list[dict[str, Any]]:
    return request.app.state.store.approvals(request_id, limit=limit, offset=offset)


@router.post("/approvals", tags=["register"], status_code=201)
def add_approval(body: ApprovalFiling, request: Request, user: User = Depends(require(*WRITERS))) -> dict[str, Any]:
    """记录一项批准（只有市政府办公室） / record an approval (the general office only)."""
    approval = Approval(by=body.by, ref=body.ref, date=body.date, covers=body.covers)
    request.app.state.store.add_approval(body.request_id, approval, actor=user.name, role=user.role)
    return {"request_id": body.request_id, **approval.model_dump(mode="json")}


@router.post("/approvals/{seq}/cancel", tags=["register"])
def cancel_approval(seq: int, request: Request, user: User = Depends(require(*WRITERS))) -> dict[str, Any]:
    request.app.state.store.cancel_approval(seq, actor=user.name, role=user.role)
    return {"seq": seq, "status": "cancelled"}


# -- filed plans -------------------------------------------------------------------------------------------------------
@router.get("/plans", tags=["register"])
def plans(request: Request, unit: str | None = None, year: int | None = None, limit: int = Query(200, ge=1, le=1000),
          offset: int = Query(0, ge=0), user: User = Depends(require(*READERS))) -> list[dict[str, Any]]:
    """已备案的年度计划 / plans filed with the supervision office."""
    return request.app.state.store.plans(unit=_unit_filter(user, unit), year=year, limit=limit, offset=offset)


@router.get("/plans/{plan_id}", tags=["register"])
def plan(plan_id: str, request: Request, user: User = Depends(require(*READERS))) -> dict[str, Any]:
    found = request.app.state.store.plan(plan_id)
    return _visible(user, found, plan_id, (f"台账中没有计划 {plan_id!r}", f"no plan {plan_id!r}"))


@router.post("/plans", tags=["register"], status_code=201, openapi_extra=_body_of("FiledPlan"))
async def file_plan(request: Request, user: User = Depends(require(*WRITERS))) -> dict[str, Any]:
    """登记一份已报督查室备案的年度计划 / file a plan (filed_with and filed_on set)."""
    item = await _body(request, FiledPlan.model_validate, "plan")
    await run_in_threadpool(request.app.state.store.file_plan, item, user.name, user.role)
    return {"id": item.id, "status": "filed"}


@router.post("/plans/{plan_id}/cancel", tags=["register"])
def cancel_plan(plan_id: str, body: Cancel, request: Request, user: User = Depends(require(*WRITERS))) -> dict[str, Any]:
    request.app.state.store.cancel_plan(plan_id, body.reason, actor=user.name, role=user.role)
    return {"id": plan_id, "status": "cancelled"}


# -- the yearly audit --------------------------------------------------------------------------------------------
@router.get("/audit/{year}", tags=["audit"])
def audit(
    year: int,
    request: Request,
    baseline_year: int | None = Query(None, description="简报压减的基准年度（默认上一年） / baseline year of the bulletin cut"),
    format: str = Query("json", description="json | html | xlsx | md"),
    param: list[str] = Query([], description="假设分析 NAME=VALUE / what-if: a changed pack parameter (repeatable)"),
    as_of: str | None = Query(None, description="季度督查：截至该日 YYYY-MM-DD / the quarterly review up to this day"),
    user: User = Depends(require("auditor")),
) -> Response:
    """年度合规审计：与 `jianfu audit` 同一份报告 / the yearly compliance audit, the report `jianfu audit` writes."""
    content = audit_report(request.app.state, year, baseline_year, format, param, as_of)
    headers = {} if format in ("json", "html") else {"Content-Disposition": f'attachment; filename="audit-{year}.{format}"'}
    return Response(content, media_type=AUDIT_FORMATS[format], headers=headers)


# -- the decision log ----------------------------------------------------------------------------------------------
@router.get("/log", tags=["decision log"])
def log_entries(request: Request, actor: str | None = None, request_id: str | None = None, limit: int = Query(100, ge=1, le=1000),
                offset: int = Query(0, ge=0), user: User = Depends(require("auditor"))) -> list[dict[str, Any]]:
    """决定日志，最新的在前 / the decision log, newest first."""
    with request.app.state.store.reading() as connection:
        return [_as_json(e) for e in log.entries(connection, limit=limit, offset=offset, actor=actor, request_id=request_id)]


def _as_json(entry: dict[str, Any]) -> dict[str, Any]:
    """A log entry with its request, decision and packs as JSON values, not JSON inside strings (the hash is over
    the stored text: `jianfu log verify` and /log/verify check it)."""
    return {**entry, **{key: json.loads(entry[key]) for key in ("request", "decision", "packs") if isinstance(entry.get(key), str)}}


@router.get("/log/verify", tags=["decision log"])
def log_verify(request: Request, user: User = Depends(require("auditor"))) -> dict[str, Any]:
    """核验哈希链：找出被改动或删除的条目 / walk the hash chain: every altered or missing entry."""
    with request.app.state.store.reading() as connection:
        count, problems = log.verify_connection(connection)
        last, head = log.head(connection)
    return {"ok": not problems, "entries": count, "head": {"seq": last, "hash": head}, "problems": [p.as_json() for p in problems]}


@router.get("/log/{seq}", tags=["decision log"])
def log_entry(seq: int, request: Request, user: User = Depends(require("auditor"))) -> dict[str, Any]:
    with request.app.state.store.reading() as connection:
        found = log.entry(connection, seq)
    if found is None:
        raise not_found(f"决定日志中没有条目 #{seq}", f"no decision log entry #{seq}")
    return _as_json(found)
