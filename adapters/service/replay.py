"""Replaying a logged decision (`jianfu log replay ID`): decide the logged request again with the packs the entry
names, against the register as it stood when the entry was made, and say whether the result is the same.

Fail closed: the packs are matched by id and sha256 of their files in the rules folder given (by default the current
one). If a pack the entry names is missing or its content changed, the replay stops and says so; it never claims
"the same" with different rules. Pass `--rules` with an archived folder to replay with the packs as they were.

The register then: records recorded at or before the entry's time, each with the status its events gave it by then
(a record the entry itself recorded is left out: it was recorded because of that decision); filed plans and
approvals recorded by then (their cancellations carry no date, so one cancelled later is left out too).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import select

from jianfu.engine import Catalog, Engine, MemoryRegister
from jianfu.engine.records import FiledPlan, Record, Unit
from jianfu.engine.requests import Plan, Submission

from jianfu.adapters.storage import Store
from jianfu.adapters.storage import decision_log as log
from jianfu.adapters.storage import tables as t

SUBMISSION = TypeAdapter(Submission)
RECORD = TypeAdapter(Record)


@dataclass
class Replay:
    seq: int
    outcome: str  # same | different | packs_changed | not_a_decision
    zh: str
    en: str
    differences: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return self.outcome == "same"


def _utc(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def register_at(store: Store, at: datetime, leave_out: str | None = None) -> tuple[MemoryRegister, dict[str, list[tuple]]]:
    """The register as recorded up to `at`, and the approvals on file then by request id."""
    with store.reading() as connection:
        units = [Unit(name=r[0], type=r[1], level=r[2], jurisdiction=r[3]) for r in connection.execute(
            select(t.units.c.name, t.units.c.type, t.units.c.level, t.units.c.jurisdiction))]
        status: dict[str, str] = {}
        for record_id, event_status, when in connection.execute(
            select(t.record_events.c.record_id, t.record_events.c.status, t.record_events.c.at).order_by(t.record_events.c.seq)
        ):
            if _utc(when) <= at:
                status[record_id] = event_status
        records = []
        for record_id, body, recorded_at in connection.execute(select(t.records.c.id, t.records.c.body, t.records.c.recorded_at)):
            if record_id == leave_out or record_id not in status or _utc(recorded_at) > at:
                continue
            records.append(RECORD.validate_python({**json.loads(body), "status": status[record_id]}))
        plans = [FiledPlan.model_validate_json(body) for body, recorded_at in connection.execute(
            select(t.plans.c.body, t.plans.c.recorded_at).where(t.plans.c.status == "filed")) if _utc(recorded_at) <= at]
        approvals: dict[str, list[tuple]] = {}
        for row in connection.execute(
            select(t.approvals.c.request_id, t.approvals.c.by, t.approvals.c.ref, t.approvals.c.date, t.approvals.c.covers, t.approvals.c.recorded_at)
            .where(t.approvals.c.status == "valid").order_by(t.approvals.c.seq)
        ):
            if _utc(row[5]) <= at:
                approvals.setdefault(row[0], []).append(tuple(row[1:5]))
    return MemoryRegister(units, records, plans), approvals


def replay(store: Store, catalog: Catalog, seq: int) -> Replay:
    with store.reading() as connection:
        entry = log.entry(connection, seq)
    if entry is None:
        raise LookupError(f"决定日志中没有条目 #{seq} / no decision log entry #{seq}")
    if entry["action"] not in log.DECISIONS:  # a change to the register (an import, a cancellation): nothing was decided
        return Replay(seq, "not_a_decision", f"条目 #{seq}（{entry['action']}）记录的是台账的变更，不是决定，无可重放",
                      f"entry #{seq} ({entry['action']}) records a change to the register, not a decision: nothing to replay")
    current = {p.id: p for p in catalog.packs.values()}
    for named in json.loads(entry["packs"]):
        have = current.get(named["id"])
        if have is None or have.sha256 != named["sha256"]:
            now = f"现为 {have.sha256[:12]}…" if have else "现已不存在"
            now_en = f"now {have.sha256[:12]}…" if have else "now missing"
            return Replay(
                seq, "packs_changed",
                f"无法重放：规则包 {named['id']}（{named['version']}，sha256 {named['sha256'][:12]}…）的内容已变（{now}）；请用 --rules 指向当时的规则包目录",
                f"cannot replay: pack {named['id']} ({named['version']}, sha256 {named['sha256'][:12]}…) has changed ({now_en}); point --rules at the packs of the time",
            )
    again = decide_again(store, Engine(catalog), entry)
    before = json.loads(entry["decision"])
    if log.canonical(again) == log.canonical(before):
        return Replay(seq, "same", f"条目 #{seq} 重放结果相同", f"entry #{seq} replays to the same decision")
    return Replay(seq, "different", f"条目 #{seq} 重放结果不同", f"entry #{seq} replays to a different decision", _differences(before, again))


def decide_again(store: Store, engine: Engine, entry: dict[str, Any]) -> Any:
    """The logged request decided again by `engine` against the register as it stood when the entry was made: a
    decision contract, or a plan's list of them (what the log keeps). `jianfu rules impact --log` asks it of the
    revised packs, `jianfu log replay` of the packs the entry names."""
    at = _utc(entry["at"])
    as_of = date.fromisoformat(entry["as_of"]) if entry["as_of"] else None
    request = SUBMISSION.validate_python(json.loads(entry["request"]))
    register, approvals = register_at(store, at, leave_out=entry["request_id"] if entry["action"] == "recording" else None)
    if isinstance(request, Plan):
        return [d.contract() for d in engine.check_plan(request, register, as_of).decisions]
    request = Store._merge_approvals(request, approvals.get(request.id, []))
    return engine.decide(request, register, as_of).contract()


def _differences(before: Any, after: Any, path: str = "") -> list[str]:
    if isinstance(before, dict) and isinstance(after, dict):
        out = []
        for key in sorted(set(before) | set(after)):
            out += _differences(before.get(key), after.get(key), f"{path}.{key}" if path else key)
        return out
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [d for i, (b, a) in enumerate(zip(before, after)) for d in _differences(b, a, f"{path}[{i}]")]
    return [] if before == after else [f"{path or '(whole)'}: {json.dumps(before, ensure_ascii=False)} → {json.dumps(after, ensure_ascii=False)}"]
