"""Listing the register: units, records, approvals and plans as the pages and the API show them, the register as
a file, and its counts."""

from __future__ import annotations

import json
from typing import Sequence

from sqlalchemy import func, select, text

from jianfu.engine.records import FiledPlan, RegisterFile, Unit
from jianfu.engine.register import MemoryRegister

from . import tables as t
from .writes import RECORD, unit_from_row


class Listings:
    """The register's listings (a part of `Store`, on its `reading` transactions)."""

    def units(self) -> list[Unit]:
        with self.reading() as connection:
            return [unit_from_row(r) for r in connection.execute(
                select(t.units.c.name, t.units.c.type, t.units.c.level, t.units.c.jurisdiction, t.units.c.aliases, t.units.c.leads)
                .order_by(t.units.c.name))]

    def register_file(self, years: Sequence[int] | None = None) -> RegisterFile:
        """The register (or some years of it) as the file contract: units, records, filed plans."""
        units = self.units()
        with self.reading() as connection:
            query = select(t.records.c.body, t.records.c.status).order_by(t.records.c.date, t.records.c.id)
            if years is not None:
                query = query.where(t.records.c.year.in_(list(years)))
            records = []
            for body, status in connection.execute(query):
                data = json.loads(body)
                data["status"] = status
                records.append(RECORD.validate_python(data))
            plans = [FiledPlan.model_validate_json(r[0]) for r in connection.execute(
                select(t.plans.c.body).where(t.plans.c.status == "filed").order_by(t.plans.c.id))]
        return RegisterFile.model_construct(units=units, records=records, plans=plans)

    def jurisdictions(self) -> list[str]:
        with self.reading() as connection:
            return [r[0] for r in connection.execute(select(t.records.c.jurisdiction).distinct().order_by(t.records.c.jurisdiction))]

    def count_records(self, year: int) -> int:
        """Records of a year that count (approved, held, issued, filed)."""
        with self.reading() as connection:
            return int(connection.execute(self.count_statement(year)).scalar_one())

    @staticmethod
    def count_statement(year: int):
        """`count_records`' query (answered from the index by year, kind and status: migration 0003)."""
        return select(func.count()).select_from(t.records).where(t.records.c.year == year, t.records.c.counts.is_(True))

    def memory_register(self, years: Sequence[int] | None = None) -> MemoryRegister:
        data = self.register_file(years)
        return MemoryRegister(data.units, data.records, data.plans)

    def records(self, unit: str | None = None, kind: str | None = None, year: int | None = None, limit: int = 200, offset: int = 0) -> list[dict]:
        query = select(
            t.records.c.id, t.records.c.kind, t.records.c.jurisdiction, t.records.c.unit, t.records.c.date,
            t.records.c.status, t.records.c.title, t.records.c.source,
        ).order_by(t.records.c.date.desc(), t.records.c.id)
        return self._page(_where(query, t.records, unit=unit, kind=kind, year=year), limit, offset)

    def record(self, record_id: str) -> dict | None:
        with self.reading() as connection:
            row = connection.execute(select(t.records).where(t.records.c.id == record_id)).first()
            if row is None:
                return None
            events = connection.execute(
                select(t.record_events.c.event, t.record_events.c.status, t.record_events.c.reason, t.record_events.c.actor, t.record_events.c.at)
                .where(t.record_events.c.record_id == record_id).order_by(t.record_events.c.seq)
            ).all()
            out = dict(row._mapping)
            out["events"] = [dict(e._mapping) for e in events]
            return out

    def approvals(self, request_id: str | None = None, limit: int = 200, offset: int = 0) -> list[dict]:
        """Approvals on file (valid and cancelled), newest first."""
        query = select(t.approvals).order_by(t.approvals.c.seq.desc())
        return self._page(_where(query, t.approvals, request_id=request_id), limit, offset)

    def plans(self, unit: str | None = None, year: int | None = None, limit: int = 200, offset: int = 0) -> list[dict]:
        """Filed plans (and cancelled ones, marked so), without their items."""
        query = select(
            t.plans.c.id, t.plans.c.jurisdiction, t.plans.c.unit, t.plans.c.year, t.plans.c.filed_with, t.plans.c.filed_on,
            t.plans.c.status, t.plans.c.source, t.plans.c.recorded_by, t.plans.c.recorded_at,
        ).order_by(t.plans.c.year.desc(), t.plans.c.id)
        return self._page(_where(query, t.plans, unit=unit, year=year), limit, offset)

    def _page(self, query, limit: int, offset: int) -> list[dict]:
        """One page of a listing's rows, as dicts."""
        with self.reading() as connection:
            return [dict(r._mapping) for r in connection.execute(query.limit(limit).offset(offset))]

    def plan(self, plan_id: str) -> dict | None:
        """One filed plan with its items (`body`, the plan as filed)."""
        with self.reading() as connection:
            row = connection.execute(select(t.plans).where(t.plans.c.id == plan_id)).first()
        if row is None:
            return None
        out = dict(row._mapping)
        out["body"] = json.loads(out["body"])
        return out

    def counts(self) -> dict[str, int]:
        with self.reading() as connection:
            return {
                name: int(connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one())
                for name in ("units", "records", "plans", "approvals", "record_events")
            }


def _where(query, table, **equal):
    """The listing narrowed to rows whose column equals each value given (a filter left empty narrows nothing)."""
    for column, value in equal.items():
        if value:
            query = query.where(table.c[column] == value)
    return query
