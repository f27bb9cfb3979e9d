"""A unit's quota (额度) read from a register file or the database: one place for the command line and the service.

The engine answers (`engine/quota.py`); this finds the unit by name, the register's answers and the records.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from jianfu.engine import Engine, MemoryRegister
from jianfu.engine.errors import FieldError, InvalidInput
from jianfu.engine.quota import Quota, quota


def unknown_unit(name: str, units: list[Any], field: str = "UNIT") -> InvalidInput:
    known = "、".join(u.name for u in units[:30]) or "（台账中没有单位）"
    return InvalidInput([FieldError((field,), f"台账中没有单位 {name!r}（已有：{known}）", f"{name!r} is no unit of the register")])


def _unit(name: str, units: list[Any], field: str) -> Any:
    found = next((u for u in units if u.name == name), None)
    if found is None:
        raise unknown_unit(name, units, field)
    return found


def from_file(engine: Engine, data: Any, name: str, year: int, as_of: date | None, field: str = "UNIT") -> Quota:
    """`data`: a `RegisterFile` as read from a file."""
    unit = _unit(name, list(data.units), field)
    register = MemoryRegister(data.units, data.records, data.plans)
    return quota(engine, unit, year, as_of, register, data.records)


def from_store(engine: Engine, store: Any, name: str, year: int, as_of: date | None, field: str = "UNIT") -> Quota:
    """The database: the limits asked of the register as a screening asks them, the obligations over the year's
    records."""
    unit = _unit(name, store.units(), field)
    records = store.register_file(years=[year]).records
    with store.reading() as connection:
        return quota(engine, unit, year, as_of, store.view(connection), records)


def every_unit_from_store(engine: Engine, store: Any, year: int, as_of: date | None) -> list[Quota]:
    """Every unit's quota (the office's and the auditors' view): the year read once, each unit asked in turn.
    A unit no pack is in force for is left out (its quota would decide nothing)."""
    from jianfu.engine.errors import NoPackInForce

    units = store.units()
    records = store.register_file(years=[year]).records
    out = []
    with store.reading() as connection:
        register = store.view(connection)
        for unit in units:
            try:
                out.append(quota(engine, unit, year, as_of, register, records))
            except (NoPackInForce, InvalidInput):
                continue
    return out


def latest_year(store: Any) -> int | None:
    """The latest year the register holds records of (the page's default year)."""
    from sqlalchemy import func, select

    from jianfu.adapters.storage import tables

    with store.reading() as connection:
        return connection.execute(select(func.max(tables.records.c.year))).scalar_one_or_none()
