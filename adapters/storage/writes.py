"""Writing the register: a screening that records, imports, plans, single records, units, cancellations and
approvals.

Imports happen in one transaction: the whole file is validated first, then written; a bad row or a killed
process leaves the register exactly as it was.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Callable, Sequence

from loguru import logger
from pydantic import TypeAdapter
from sqlalchemy import Connection, insert, select, update

from jianfu.engine import Decision
from jianfu.engine.errors import FieldError, InvalidInput
from jianfu.engine.counting import counts, field_value
from jianfu.engine.records import FiledPlan, Record, RegisterFile, Unit
from jianfu.engine.requests import Approval, Meeting

from . import decision_log as log
from . import tables as t
from . import tallies
from .connection import _now
from .sql_register import SqlRegister

RECORD = TypeAdapter(Record)
BATCH = 2_000


class Writes:
    """The register's writes (a part of `Store`, on its `writing` transactions)."""

    def decide_and_record(
        self, engine, request: Any, as_of: date | None = None, actor: str | None = None,
        then: Callable[[Connection, Decision], None] | None = None,
    ) -> Decision:
        """Screen and, when approved, record the request as approved: one transaction, race-free. `then` runs in
        the same transaction once decided (the decision log is written there: recorded and logged, or neither)."""
        after = None if then is None else (lambda connection, _request, decision: then(connection, decision))
        return self.decide_and_record_all(engine, [request], as_of, actor, after)[0]

    def decide_and_record_all(
        self, engine, requests: Sequence[Any], as_of: date | None = None, actor: str | None = None,
        then: Callable[[Connection, Any, Decision], None] | None = None,
    ) -> list[Decision]:
        """A batch screened in order and its approved requests recorded, all in one transaction: each item sees the
        ones before it, and an item that cannot be decided (no pack in force, an id already held) leaves the register
        as it was, the items before it unrecorded too. `then(connection, request, decision)` runs for each item in
        that transaction (the decision log)."""
        with self.writing(lock=[r.jurisdiction for r in requests]) as connection:
            decisions = []
            for i, request in enumerate(requests):
                try:
                    request = self._known_unit(SqlRegister(connection), request, recording=True)
                    decision = self._decide_and_record_in(connection, engine, request, as_of, actor)
                except InvalidInput as exc:  # name the item of the batch at fault
                    raise (InvalidInput([e.prefixed((i,)) for e in exc.errors]) if len(requests) > 1 else exc) from None
                if then is not None:
                    then(connection, request, decision)
                decisions.append(decision)
            return decisions

    def _decide_and_record_in(self, connection: Connection, engine, request: Any, as_of: date | None, actor: str | None) -> Decision:
        request = self._with_stored_approvals(connection, request)
        exists = connection.execute(select(t.records.c.id).where(t.records.c.id == request.id)).first()
        if exists is not None:
            raise InvalidInput([FieldError(("id",), f"台账中已有编号 {request.id!r}", f"the register already holds id {request.id!r}")])
        decision = engine.decide(request, SqlRegister(connection), as_of)
        if decision.approved:
            record = RECORD.validate_python({**request.model_dump(mode="json"), "status": "approved"})
            self._insert_records(connection, [record], source="screening", actor=actor, decisions={record.id: decision})
        return decision

    def _insert_records(
        self,
        connection: Connection,
        records: Sequence[Any],
        source: str,
        actor: str | None = None,
        decisions: dict[str, Decision] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        now = _now()
        event = "recorded" if source in ("screening", "api") else "imported"
        for start in range(0, len(records), BATCH):
            chunk = records[start : start + BATCH]
            rows = [_record_row(r, source, actor, now, (decisions or {}).get(r.id)) for r in chunk]
            connection.execute(insert(t.records), rows)
            tallies.add(connection, chunk)
            connection.execute(
                insert(t.record_events),
                [{"record_id": r.id, "event": event, "status": r.status, "actor": actor, "at": now} for r in chunk],
            )
            if progress:
                progress(start + len(chunk))

    def import_register(
        self, data: RegisterFile, source: str, actor: str | None = None, progress: Callable[[str, int, int], None] | None = None,
    ) -> dict[str, int]:
        """Append a whole register file in one transaction, or nothing at all. An import loads a register kept
        elsewhere (each record's events name who imported it); it is no decision and no recording of jianfu's, so it
        adds nothing to the decision log."""
        with self.writing(lock="import") as connection:
            errors = self._import_conflicts(connection, data)
            if errors:
                raise InvalidInput(errors)
            now = _now()
            new_units = [u for u in data.units if not self._has_unit(connection, u.name)]
            if new_units:
                connection.execute(
                    insert(t.units),
                    [{**_unit_row(u), "recorded_at": now} for u in new_units],
                )
            total = len(data.records)
            self._insert_records(
                connection, data.records, source, actor, progress=(lambda n: progress("records", n, total)) if progress else None
            )
            for plan in data.plans:
                self._insert_plan(connection, plan, source, actor, now)
            if progress:
                progress("plans", len(data.plans), len(data.plans))
            counts = {"units": len(new_units), "records": len(data.records), "plans": len(data.plans)}
        # Refresh the planner's statistics after a bulk load: with stale ones PostgreSQL scans the whole table
        # for the next import's id checks instead of using the index.
        with self.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA optimize" if self.dialect == "sqlite" else "ANALYZE records, plans, plan_items")
            connection.commit()
        return counts

    def _has_unit(self, connection: Connection, name: str) -> bool:
        return connection.execute(select(t.units.c.name).where(t.units.c.name == name)).first() is not None

    def _import_conflicts(self, connection: Connection, data: RegisterFile) -> list[FieldError]:
        errors: list[FieldError] = []
        known_units = {r[0] for r in connection.execute(select(t.units.c.name))} | {u.name for u in data.units}
        ids = [r.id for r in data.records]
        existing: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            existing |= {r[0] for r in connection.execute(select(t.records.c.id).where(t.records.c.id.in_(chunk)))}
        for i, record in enumerate(data.records):
            if record.id in existing:
                errors.append(FieldError(("records", i, "id"), f"台账中已有编号 {record.id!r}", f"the register already holds id {record.id!r}"))
            if record.unit not in known_units:
                errors.append(FieldError(("records", i, "unit"), f"未知单位 {record.unit!r}（不在台账的单位中）", f"unknown unit {record.unit!r}"))
        plan_ids = [p.id for p in data.plans]
        taken = {r[0] for r in connection.execute(select(t.plans.c.id).where(t.plans.c.id.in_(plan_ids)))} if plan_ids else set()
        for i, plan in enumerate(data.plans):
            if plan.id in taken:
                errors.append(FieldError(("plans", i, "id"), f"台账中已有计划 {plan.id!r}", f"the register already holds plan {plan.id!r}"))
            if plan.unit not in known_units:
                errors.append(FieldError(("plans", i, "unit"), f"未知单位 {plan.unit!r}", f"unknown unit {plan.unit!r}"))
        return errors

    def _insert_plan(self, connection: Connection, plan: FiledPlan, source: str, actor: str | None, now: datetime) -> None:
        connection.execute(
            insert(t.plans).values(
                id=plan.id,
                jurisdiction=plan.jurisdiction,
                unit=plan.unit,
                year=plan.year,
                filed_with=plan.filed_with,
                filed_on=plan.filed_on,
                status="filed",
                body=plan.model_dump_json(),
                source=source,
                recorded_by=actor,
                recorded_at=now,
            )
        )
        if plan.items:
            connection.execute(insert(t.plan_items), [{"plan_id": plan.id, "item_id": i.id, "kind": i.kind} for i in plan.items])

    def file_plan(self, plan: FiledPlan, actor: str | None = None, role: str = "cli") -> None:
        data = RegisterFile(plans=[plan])
        with self.writing(lock=plan.jurisdiction) as connection:
            errors = self._import_conflicts(connection, data)
            if errors:
                raise InvalidInput(errors)
            self._insert_plan(connection, plan, "api", actor, _now())
            log.append(connection, [log.change_entry(actor, role, "plan_filing", plan.id, plan.model_dump(mode="json"))])

    def add_record(self, record: Any, actor: str | None = None, source: str = "api", role: str = "cli") -> None:
        """Append one record (held, issued, …) as it is, after the same checks as an import."""
        data = RegisterFile(records=[record])
        with self.writing(lock=record.jurisdiction) as connection:
            errors = self._import_conflicts(connection, data)
            if errors:
                raise InvalidInput(errors)
            self._insert_records(connection, [record], source, actor)
            log.append(connection, [log.change_entry(actor, role, "record", record.id, record.model_dump(mode="json"))])

    def add_unit(self, unit: Unit) -> None:
        with self.writing() as connection:
            if self._has_unit(connection, unit.name):
                raise InvalidInput([FieldError(("name",), f"单位 {unit.name!r} 已存在", f"unit {unit.name!r} exists")])
            connection.execute(insert(t.units).values(**_unit_row(unit), recorded_at=_now()))

    def cancel(self, record_id: str, reason: str, actor: str | None = None, role: str = "cli") -> None:
        """Cancel a record: it stays in the register, marked cancelled, with the reason; it no longer counts."""
        with self.writing() as connection:
            row = connection.execute(select(t.records.c.status).where(t.records.c.id == record_id)).first()
            if row is None:
                raise InvalidInput([FieldError(("id",), f"台账中没有编号 {record_id!r}", f"no record {record_id!r}")])
            if row[0] == "cancelled":
                raise InvalidInput([FieldError(("id",), f"{record_id} 已取消", f"{record_id} is already cancelled")])
            tallies.take_back(connection, record_id)  # while it still counts
            connection.execute(update(t.records).where(t.records.c.id == record_id).values(status="cancelled", counts=False))
            connection.execute(
                insert(t.record_events).values(record_id=record_id, event="cancelled", status="cancelled", reason=reason, actor=actor, at=_now())
            )
            log.append(connection, [log.change_entry(actor, role, "cancel", record_id, {"id": record_id, "reason": reason})])

    def cancel_plan(self, plan_id: str, reason: str, actor: str | None = None, role: str = "cli") -> None:
        with self.writing() as connection:
            row = connection.execute(select(t.plans.c.status).where(t.plans.c.id == plan_id)).first()
            if row is None:
                raise InvalidInput([FieldError(("id",), f"台账中没有计划 {plan_id!r}", f"no plan {plan_id!r}")])
            connection.execute(update(t.plans).where(t.plans.c.id == plan_id).values(status="cancelled"))
            log.append(connection, [log.change_entry(actor, role, "cancel_plan", plan_id, {"id": plan_id, "reason": reason})])
            logger.info("plan {} cancelled by {}: {}", plan_id, actor, reason)

    def add_approval(self, request_id: str, approval: Approval, actor: str | None = None, role: str = "cli") -> None:
        with self.writing() as connection:
            connection.execute(
                insert(t.approvals).values(
                    request_id=request_id, by=approval.by, ref=approval.ref, date=approval.date, covers=approval.covers,
                    status="valid", recorded_by=actor, recorded_at=_now(),
                )
            )
            log.append(connection, [log.change_entry(actor, role, "approval", request_id, approval.model_dump(mode="json"))])

    def cancel_approval(self, seq: int, actor: str | None = None, role: str = "cli") -> None:
        with self.writing() as connection:
            done = connection.execute(update(t.approvals).where(t.approvals.c.seq == seq).values(status="cancelled"))
            if done.rowcount == 0:
                raise InvalidInput([FieldError(("seq",), f"没有批准 {seq}", f"no approval {seq}")])
            log.append(connection, [log.change_entry(actor, role, "cancel_approval", str(seq), {"seq": seq})])
            logger.info("approval {} cancelled by {}", seq, actor)

    def approvals_for(self, request_id: str, connection: Connection | None = None) -> list[Approval]:
        def run(conn: Connection) -> list[Approval]:
            rows = SqlRegister(conn).approvals(request_id)
            return [Approval(by=r[0], ref=r[1], date=r[2], covers=r[3]) for r in rows]

        if connection is not None:
            return run(connection)
        with self.reading() as conn:
            return run(conn)

    def refuse_recorded(self, items: Sequence[Any], file: str | None = None) -> None:
        """A batch to record is refused whole when any of its ids is in the register already: nothing is recorded."""
        taken = self.existing_ids([item.id for item in items])
        if taken:
            index = {item.id: i for i, item in enumerate(items)}
            raise InvalidInput([FieldError((index[i], "id"), f"台账中已有编号 {i!r}，本批未作任何记录", f"the register already holds id {i!r}: nothing recorded", file=file)
                                for i in sorted(taken)])

    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        with self.reading() as connection:
            for start in range(0, len(ids), 500):
                chunk = list(ids[start : start + 500])
                found |= {r[0] for r in connection.execute(select(t.records.c.id).where(t.records.c.id.in_(chunk)))}
        return found


def _unit_row(unit: Unit) -> dict[str, Any]:
    """A unit's columns; `aliases` and `leads` as JSON lists (NULL when empty, as rows from before 0004 are)."""
    return {"name": unit.name, "type": unit.type, "level": unit.level, "jurisdiction": unit.jurisdiction,
            "aliases": json.dumps(unit.aliases, ensure_ascii=False) if unit.aliases else None,
            "leads": json.dumps(unit.leads, ensure_ascii=False) if unit.leads else None}


def unit_from_row(row: Sequence[Any]) -> Unit:
    """A unit from (name, type, level, jurisdiction, aliases, leads): an older row's NULLs are SPEC's defaults, none."""
    name, type_, level, jurisdiction, aliases, leads = row
    return Unit(name=name, type=type_, level=level, jurisdiction=jurisdiction,
                aliases=json.loads(aliases) if aliases else [], leads=json.loads(leads) if leads else [])


def _record_row(record: Any, source: str, actor: str | None, now: datetime, decision: Decision | None) -> dict:
    body = record.model_dump(mode="json", exclude={"status"})
    return {
        "id": record.id,
        "kind": record.kind,
        "jurisdiction": record.jurisdiction,
        "unit": record.unit,
        "date": record.date,
        "year": record.date.year,
        "status": record.status,
        "counts": counts(record),
        "scope": getattr(record, "scope", None),
        "type": getattr(record, "type", None),
        "routine": getattr(record, "routine", None),
        "onsite_office": field_value(record, "onsite_office") if isinstance(record, Meeting) else None,
        "addressed_to": getattr(record, "to", None),
        "subject": getattr(record, "subject", None),
        "series": getattr(record, "series", None),
        "doc_no": getattr(record, "doc_no", None),
        "valid_until": getattr(record, "valid_until", None),
        "title": record.title,
        "topics": json.dumps(list(record.topics), ensure_ascii=False),
        "body": json.dumps(body, ensure_ascii=False),
        "decision": decision.model_dump_json() if decision else None,
        "source": source,
        "recorded_by": actor,
        "recorded_at": now,
    }
