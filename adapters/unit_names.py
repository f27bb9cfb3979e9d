"""A unit is one unit under every one of its names (SPEC: a unit's `aliases`): the name a request or plan gives is
resolved to the register's unit before anything is decided or recorded, and a name that is no unit of the register
is an error naming `unit`, the line and the nearest known names, never a new unit made on the fly."""

from __future__ import annotations

import difflib
from typing import Any, Iterable, Sequence

from jianfu.engine.errors import FieldError, InvalidInput
from jianfu.engine.records import Unit


class UnitNames:
    """Every name of the register's units (name and aliases) to the unit's own name."""

    def __init__(self, units: Iterable[Unit]):
        units = list(units)
        self.canonical: dict[str, str] = {unit.name: unit.name for unit in units}
        for unit in units:  # a unit's own name wins over another's alias
            for alias in unit.aliases:
                self.canonical.setdefault(alias, unit.name)

    def __bool__(self) -> bool:
        return bool(self.canonical)

    def nearest(self, name: str, n: int = 3) -> list[str]:
        """The known names closest to `name`: those it contains or that contain it first (市教育局 for 教育局),
        then the most alike."""
        known = list(self.canonical)
        inside = [k for k in known if k in name or name in k]
        alike = difflib.get_close_matches(name, known, n=n, cutoff=0.4)
        out: list[str] = []
        for k in sorted(inside, key=lambda k: -difflib.SequenceMatcher(None, name, k).ratio()) + alike:
            if k not in out:
                out.append(k)
        return out[:n]

    def unknown(self, name: str, path: tuple, file: str | None = None, line: int | None = None) -> FieldError:
        near = self.nearest(name)
        zh = f"未知单位 {name!r}：台账中没有这个单位" + (f"，是否指 {'、'.join(near)}？" if near else "")
        en = f"unknown unit {name!r}: no unit of the register" + (f"; did you mean {', '.join(near)}?" if near else "")
        return FieldError(path, zh, en, file=file, line=line)

    def resolve(self, items: Sequence[Any], file: str | None = None, lines: Sequence[int | None] | None = None,
                single: bool = False) -> list[Any]:
        """The items with each `unit` the register's own name for it (a plan's items too); every unknown name is an
        error at (item, "unit") (("unit",) for a single object)."""
        errors: list[FieldError] = []
        out = []
        for i, item in enumerate(items):
            prefix = () if single else (i,)
            line = lines[i] if lines is not None and i < len(lines) else None
            item, problems = self._resolved(item, prefix, file, line)
            errors += problems
            out.append(item)
        if errors:
            raise InvalidInput(errors)
        return out

    def _resolved(self, item: Any, prefix: tuple, file: str | None, line: int | None) -> tuple[Any, list[FieldError]]:
        errors: list[FieldError] = []
        update: dict[str, Any] = {}
        canonical = self.canonical.get(item.unit)
        if canonical is None:
            errors.append(self.unknown(item.unit, prefix + ("unit",), file, line))
        elif canonical != item.unit:
            update["unit"] = canonical
        if getattr(item, "kind", None) == "plan":
            items = []
            for j, planned in enumerate(item.items):
                planned, problems = self._resolved(planned, prefix + ("items", j), file, line)
                errors += problems
                items.append(planned)
            update["items"] = items
        return (item.model_copy(update=update) if update and not errors else item), errors


def plan_items_of_its_unit(plan: Any, file: str | None = None, single: bool = True) -> None:
    """An annual plan holds its own unit's items only: an item naming another unit is an error naming the item
    (counted as the other unit's, it would be decided against a register it was never filed in)."""
    prefix = () if single else (0,)
    errors = [
        FieldError(prefix + ("items", j, "unit"), f"事项 {item.id} 的单位 {item.unit!r} 不是本计划的单位 {plan.unit!r}",
                   f"item {item.id}: unit {item.unit!r} is not the plan's unit {plan.unit!r}", file=file)
        for j, item in enumerate(plan.items) if item.unit != plan.unit
    ]
    if errors:
        raise InvalidInput(errors)
