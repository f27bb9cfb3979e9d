"""What-if (假设分析): the audit again under changed parameters (`bulletin_cut=0.3`), and which units' results flip.

A changed parameter takes its new value over the whole span the pack gave it (from its first date), in every pack
chain that has it. A name no pack defines, or a value of the wrong type, is an error naming the parameter.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping

import yaml

from ..errors import FieldError, InvalidInput
from ..decide import Engine
from ..packs import PERIODS, Catalog
from ..messages import LIGHT_ZH
from .run import Audit


def parse_parameters(pairs: list[str], catalog: Catalog) -> dict[str, Any]:
    """`NAME=VALUE` strings, each value read as a YAML scalar and checked against the parameter's type in the packs."""
    known = _types(catalog)
    out: dict[str, Any] = {}
    errors: list[FieldError] = []
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            errors.append(FieldError(("--param",), f"应写作 名称=取值，收到 {pair!r}", f"expected NAME=VALUE, got {pair!r}", code="bad_parameter"))
            continue
        if name not in known:
            errors.append(FieldError(("--param", name), f"规则包中没有参数 {name!r}（已有：{'、'.join(sorted(known))}）", f"no pack has a parameter {name!r} (known: {', '.join(sorted(known))})", code="unknown_parameter"))
            continue
        try:
            value = yaml.safe_load(text) if text.strip() else None
        except yaml.YAMLError:
            value = None
        expected = known[name]
        if isinstance(value, int) and not isinstance(value, bool) and float in expected and int not in expected:
            value = float(value)
        actual = bool if isinstance(value, bool) else (list if isinstance(value, list) else type(value))
        if value is None or actual not in expected:
            want = "、".join(sorted(t.__name__ for t in expected))
            errors.append(FieldError(("--param", name), f"参数 {name} 的取值 {text!r} 类型不对，应为 {want}", f"parameter {name}: {text!r} should be {want}", code="bad_parameter"))
            continue
        if name in _periods(catalog) and value not in PERIODS:
            errors.append(FieldError(("--param", name), f"参数 {name} 是义务的周期，应为 {'、'.join(PERIODS)}", f"parameter {name} is an obligation's period: one of {', '.join(PERIODS)}", code="not_allowed"))
            continue
        out[name] = value
    if errors:
        raise InvalidInput(errors)
    return out


def _periods(catalog: Catalog) -> set[str]:
    return {o.period for stack in catalog.stacks.values() for o in stack.obligations if o.period}


def _types(catalog: Catalog) -> dict[str, set[type]]:
    types: dict[str, set[type]] = {}
    for stack in catalog.stacks.values():
        for name, param in stack.parameters.items():
            for value in param.values.values():
                types.setdefault(name, set()).add(bool if isinstance(value, bool) else (list if isinstance(value, list) else type(value)))
    return types


def with_parameters(catalog: Catalog, values: Mapping[str, Any]) -> Catalog:
    """A copy of the catalog whose stacks hold the changed parameters (the packs' files are untouched)."""
    if not values:
        return catalog
    changed = copy.copy(catalog)
    changed.stacks = {}
    for pack_id, stack in catalog.stacks.items():
        parameters = dict(stack.parameters)
        for name, value in values.items():
            param = parameters.get(name)
            if param is not None:
                first = min(param.values)
                parameters[name] = param.model_copy(update={"values": {first: value}, "reading": f"假设分析：{name}={value} / what-if"})
        changed.stacks[pack_id] = replace(stack, parameters=parameters)
    return changed


@dataclass(frozen=True)
class Flip:
    unit: str
    what: str  # "light" | "bulletin_met"
    before: Any
    after: Any

    def describe(self) -> str:
        if self.what == "light":
            return f"{self.unit}：亮灯 {LIGHT_ZH[self.before]} → {LIGHT_ZH[self.after]}"
        return f"{self.unit}：简报压减 {_met(self.before)} → {_met(self.after)}"

    def as_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "what": self.what, "before": self.before, "after": self.after, "description": self.describe()}


def _met(value: bool | None) -> str:
    return "不适用" if value is None else ("达标" if value else "未达标")


def flips(before: Audit, after: Audit) -> list[Flip]:
    """Units whose light or bulletin result differs between two audits; the city (全市) as a unit of its own."""
    out = []
    others = {u.unit: u for u in after.units}
    for unit in before.units:
        other = others.get(unit.unit)
        if other is None:
            continue
        if unit.light != other.light:
            out.append(Flip(unit.unit, "light", unit.light, other.light))
        if unit.bulletin_met != other.bulletin_met:
            out.append(Flip(unit.unit, "bulletin_met", unit.bulletin_met, other.bulletin_met))
    if before.bulletin_met != after.bulletin_met:
        out.append(Flip("全市", "bulletin_met", before.bulletin_met, after.bulletin_met))
    return out


def audit_what_if(catalog: Catalog, overrides: Mapping[str, Any], run: Callable[[Engine, Mapping[str, Any] | None], Audit]) -> tuple[Audit, list[Flip]]:
    """`run(engine, parameters)` audits once with the packs as they are and, when parameters are changed, once more
    with them: the report is the what-if audit, with the units whose results flip."""
    result = run(Engine(catalog), None)
    if not overrides:
        return result, []
    what_if = run(Engine(with_parameters(catalog, overrides)), overrides)
    return what_if, flips(result, what_if)
