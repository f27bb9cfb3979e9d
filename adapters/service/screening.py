"""The one way the service screens and pre-checks, for the API and the pages alike: who may, the engine against the
register in the database, and the decision log written for every decision made.

A screening that records goes through `Store.decide_and_record` (checked and recorded in one transaction under the
jurisdiction's lock, so two requests for the last slot never both get approved) and its log entry is written in
that same transaction. A screening that does not record reads the register, then appends its entries to the log.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from jianfu.engine import Decision, PlanCheck
from jianfu.engine.errors import FieldError, InvalidInput
from jianfu.engine.requests import Plan

from jianfu.adapters.files.plan_workbook import write_checked
from jianfu.adapters.files.read import read_plan, submissions_from_json
from jianfu.adapters.output import RuleBook
from jianfu.adapters.storage import SqlRegister
from jianfu.adapters.storage import decision_log as log

from jianfu.adapters.unit_names import UnitNames, plan_items_of_its_unit

from .auth import User, check_unit, forbidden

RECORDERS = ("office", "admin")


def parse_requests(body: bytes | str, name: str = "request") -> list[Any]:
    """One request or a list, from a JSON body: the same contract, and the same FieldErrors (with field path and
    line), as a requests file. Plans are refused here (they go to plans/check)."""
    items = submissions_from_json(_text(body, name), name)
    plans = [i for i, item in enumerate(items) if isinstance(item, Plan)]
    if plans:
        raise InvalidInput([FieldError((plans[0], "kind"), "这是年度计划，请提交到 /api/v1/plans/check", "this is an annual plan: send it to /api/v1/plans/check", file=name)])
    return items


def parse_plan(body: bytes | str, name: str = "plan") -> Plan:
    items = submissions_from_json(_text(body, name), name)
    if len(items) != 1 or not isinstance(items[0], Plan):
        raise InvalidInput([FieldError(("kind",), "应为一个 kind: plan 的年度计划", "expected one object with kind: plan", file=name)])
    return items[0]


def _text(body: bytes | str, name: str) -> str:
    if isinstance(body, str):
        return body
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput([FieldError((), "请求体应为 UTF-8 编码的 JSON", "the body must be JSON in UTF-8", file=name)]) from None


def _packs(decision: Decision) -> list[dict[str, Any]]:
    return [p.model_dump(mode="json") for p in decision.packs]


def _entry(user: User, action: str, request: Any, decision: Decision, as_of: date | None, at: str | None = None) -> log.Entry:
    return log.decision_entry(user.name, user.role, action, request, decision, as_of, at)


def screen(app_state: Any, user: User, requests: list, record: bool = False, as_of: date | None = None) -> list[Decision]:
    """Screen requests in order (and with `record`, record the approved ones); every decision goes to the log."""
    if record and user.role not in RECORDERS:
        raise forbidden("无权限：只有市政府办公室可以记入台账", "forbidden: only the general office records in the register")
    for item in requests:
        check_unit(user, item.unit, item.id)
    store, engine = app_state.store, app_state.engine
    if not record:
        # the time the register was read, not the time the log was written: a replay reads the register as of then
        at = log.now()
        decisions = [_named(i, len(requests), store.decide, engine, item, as_of) for i, item in enumerate(requests)]
        with store.writing() as connection:
            log.append(connection, [_entry(user, "screening", item, d, as_of, at) for item, d in zip(requests, decisions)])
        return decisions
    store.refuse_recorded(requests)

    def write_log(connection, item, decision):
        log.append(connection, [_entry(user, "recording", item, decision, as_of)])

    # one transaction for the whole batch: all recorded (and logged) or none
    return store.decide_and_record_all(engine, requests, as_of, actor=user.name, then=write_log)


def _named(i: int, count: int, decide, *args):
    """One item's decision; its errors name the item when it is one of several."""
    try:
        return decide(*args)
    except InvalidInput as exc:
        raise (InvalidInput([e.prefixed((i,)) for e in exc.errors]) if count > 1 else exc) from None


def check_plan(app_state: Any, user: User, plan: Plan, as_of: date | None = None) -> PlanCheck:
    """Pre-check an annual plan against the register; one log entry holds every item's decision. Its items are its
    own unit's: a department's plan with another unit's item is refused as that unit's business (403), anyone
    else's names the item (422); units are the register's, under any of their names."""
    check_unit(user, plan.unit, plan.id)
    for item in plan.items:
        check_unit(user, item.unit, item.id)
    store, engine = app_state.store, app_state.engine
    names = UnitNames(store.units())
    if names:
        plan = names.resolve([plan], single=True)[0]
    plan_items_of_its_unit(plan)
    at = log.now()
    with store.reading() as connection:
        result = engine.check_plan(plan, SqlRegister(connection), as_of)
    packs: dict[str, dict[str, Any]] = {}
    for decision in result.decisions:
        for ref in _packs(decision):
            packs[ref["id"] + ref["sha256"]] = ref
    entry = log.Entry(
        actor=user.name, role=user.role, action="plan_check", request_id=plan.id,
        request=plan.model_dump(mode="json"), decision=[d.contract() for d in result.decisions], packs=list(packs.values()),
        as_of=as_of.isoformat() if as_of else None, at=at,
    )
    with store.writing() as connection:
        log.append(connection, [entry])
    return result


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PLAN_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".yaml", ".yml", ".json")


def plan_from_upload(filename: str | None, data: bytes, folder: Path) -> tuple[Plan, Path]:
    """A plan uploaded as a file (Excel/WPS, CSV, YAML or JSON), read by the same readers as the command line.
    The file is kept in `folder` (a temporary one) so the checked workbook can be written from it."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in PLAN_SUFFIXES:
        raise InvalidInput([FieldError(("file",), f"文件类型应为 {'、'.join(PLAN_SUFFIXES)}", f"the file must be one of {', '.join(PLAN_SUFFIXES)}", file=filename)])
    path = folder / f"plan{suffix}"
    path.write_bytes(data)
    try:
        return read_plan(path), path
    except InvalidInput as exc:  # name the file as the user knows it, not our temporary copy
        raise InvalidInput([e.at(file=filename) for e in exc.errors]) from None


def checked_workbook(app_state: Any, result: PlanCheck, source: Path | None, folder: Path, lang: str = "zh") -> bytes:
    """The plan's workbook handed back with every item's decision (adapters.files.plan_workbook writes it, formula
    injection neutralised); a new workbook when the plan came as JSON."""
    out = folder / "checked.xlsx"
    write_checked(source if source is not None else folder / "plan.json", result, out, RuleBook(app_state.catalog), lang)
    return out.read_bytes()
