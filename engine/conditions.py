"""Rule conditions as data, and their translation to durable-rules.

A condition is YAML, never code:

    all:                                   # every part holds
      - {fact: scope, eq: citywide_system}
      - any:                               # at least one part holds
          - {fact: system_meetings_in_year, gte: {param: system_meetings_per_year}}
          - {fact: approved, eq: false}

Tests: `eq`, `ne`, `gt`, `gte`, `lt`, `lte`, `in` (one of a list), `matches` (a durable-rules pattern over the whole
text: `.*批示.*`; `%d` is a digit) and `any_matches` (some string of a list fact matches). A value may be
`{param: NAME}`, a parameter of the pack in force on the request's date. `always` is a condition that holds for every
request of the rule's kind.

`check` validates a condition against the fact vocabulary; `to_durable` turns it into durable-rules' JSON with the
parameters of one period substituted.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Annotated, Any, Callable, Literal, Mapping, Union

from pydantic import Discriminator, Field, Tag, model_validator

from .facts import FACTS
from .types import Contract

OPS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "matches", "any_matches")
_COMPARE = {"ne": "$neq", "gt": "$gt", "gte": "$gte", "lt": "$lt", "lte": "$lte"}

Scalar = Union[bool, int, float, str]


class ParamRef(Contract):
    param: str


Operand = Union[ParamRef, Scalar, list[Scalar]]


class Test(Contract):
    """One test of one fact."""

    model_config = Contract.model_config | {"populate_by_name": True}

    fact: str
    eq: Operand | None = None
    ne: Operand | None = None
    gt: Operand | None = None
    gte: Operand | None = None
    lt: Operand | None = None
    lte: Operand | None = None
    in_: Operand | None = Field(default=None, alias="in")
    matches: Operand | None = None
    any_matches: Operand | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> "Test":
        used = [op for op in OPS if self.operand(op) is not None]
        if len(used) != 1:
            raise ValueError(
                f"每个测试须恰好有一个运算符 {list(OPS)}，实际 {used} / a test needs exactly one operator of {list(OPS)}, got {used}"
            )
        return self

    def operand(self, op: str) -> Any:
        return getattr(self, "in_" if op == "in" else op)

    @property
    def op(self) -> str:
        return next(op for op in OPS if self.operand(op) is not None)

    @property
    def value(self) -> Any:
        return self.operand(self.op)


class All(Contract):
    all: list["Condition"] = Field(min_length=1, max_length=30)


class AnyOf(Contract):
    any: list["Condition"] = Field(min_length=1, max_length=30)


def _which(value: Any) -> str:
    if isinstance(value, str):
        return "always"
    if isinstance(value, dict):
        if "all" in value:
            return "all"
        if "any" in value:
            return "any"
        return "test"
    if isinstance(value, (All, AnyOf, Test)):
        return {All: "all", AnyOf: "any", Test: "test"}[type(value)]
    return "test"


Condition = Annotated[
    Union[
        Annotated[Literal["always"], Tag("always")],
        Annotated[All, Tag("all")],
        Annotated[AnyOf, Tag("any")],
        Annotated[Test, Tag("test")],
    ],
    Discriminator(_which),
]
All.model_rebuild()
AnyOf.model_rebuild()


# -- what a condition uses --------------------------------------------------------------------------------------
def tests(condition: Any):
    """Every `Test` in the condition."""
    if isinstance(condition, Test):
        yield condition
    elif isinstance(condition, All):
        for part in condition.all:
            yield from tests(part)
    elif isinstance(condition, AnyOf):
        for part in condition.any:
            yield from tests(part)


def facts_used(condition: Any) -> set[str]:
    return {t.fact for t in tests(condition)}


def params_used(condition: Any) -> set[str]:
    out = set()
    for t in tests(condition):
        value = t.value
        if isinstance(value, ParamRef):
            out.add(value.param)
    return out


_NUMERIC_OPS = frozenset({"eq", "ne", "gt", "gte", "lt", "lte", "in"})


def numeric_marks(conditions: Any, params: Mapping[str, Any]) -> dict[str, tuple[float, ...] | None]:
    """For each fact the conditions test: the numbers it is compared with (parameters substituted), sorted, or None
    when some test reads it otherwise (a text, a pattern, a bool).

    A number's answer to every test against those numbers is fixed by where it falls among them (below, equal to,
    between, above each): `mark_of` gives that place, so that 41 and 42 system meetings against a limit of 1 are one
    question to the rules, not two."""
    marks: dict[str, set | None] = {}
    for condition in conditions:
        for test in tests(condition):
            value = _resolve(test.value, params)
            numbers = value if isinstance(value, list) else [value]
            fact = FACTS.get(test.fact)
            numeric = (test.op in _NUMERIC_OPS and fact is not None and fact.type in (int, float)
                       and all(type(v) in (int, float) for v in numbers))
            if not numeric:
                marks[test.fact] = None
            elif marks.get(test.fact, set()) is not None:
                marks.setdefault(test.fact, set()).update(numbers)
    return {name: None if found is None else tuple(sorted(found)) for name, found in marks.items()}


def mark_of(value: Any, marks: tuple[float, ...] | None) -> Any:
    """Where a fact's value falls among the numbers its tests compare it with (`numeric_marks`): (how many are below
    it, whether it equals the next); any other value, or a fact tested otherwise, as it is."""
    if marks is None or type(value) not in (int, float):
        return tuple(value) if type(value) is list else value
    at = bisect_left(marks, value)
    return (at, at < len(marks) and marks[at] == value)


def leaves(condition: Any) -> int:
    """How many tests durable-rules will hold for this condition (for the alpha-network budget)."""
    return sum(len(t.value) if isinstance(t.value, list) else 1 for t in tests(condition)) or 0


# -- checking against the vocabulary ----------------------------------------------------------------------------
def check(condition: Any, kind: str, param_types: Mapping[str, set[type]]) -> list[tuple[tuple, str, str]]:
    """Problems with a condition, as (path inside the condition, Chinese, English)."""
    problems: list[tuple[tuple, str, str]] = []

    def walk(node: Any, path: tuple) -> None:
        if isinstance(node, All):
            for i, part in enumerate(node.all):
                walk(part, path + ("all", i))
        elif isinstance(node, AnyOf):
            for i, part in enumerate(node.any):
                walk(part, path + ("any", i))
        elif isinstance(node, Test):
            for zh, en in _check_test(node, kind, param_types):
                problems.append((path, zh, en))

    walk(condition, ())
    return problems


def _check_test(test: Test, kind: str, param_types: Mapping[str, set[type]]):
    fact = FACTS.get(test.fact)
    if fact is None:
        yield (f"未知的事实 {test.fact!r}（请求模型中没有）", f"unknown fact {test.fact!r}: the request models have no such field")
        return
    if kind not in fact.kinds:
        yield (f"事实 {test.fact!r} 不适用于 {kind}", f"fact {test.fact!r} does not exist for a {kind}")
        return
    if fact.report_only:
        yield (f"事实 {test.fact!r} 只用于说明，不能作为条件", f"fact {test.fact!r} is for messages only and cannot be tested")
        return
    op, value = test.op, test.value
    if isinstance(value, ParamRef):
        kinds = param_types.get(value.param)
        if kinds is None:
            yield (f"未定义的参数 {value.param!r}", f"undefined parameter {value.param!r}")
            return
        candidates = [_example(t) for t in kinds]
    else:
        candidates = [value]
    for candidate in candidates:
        yield from _check_operand(fact, op, candidate)


def _example(t: type) -> Any:
    return {bool: True, int: 1, float: 1.0, str: "x", list: ["x"]}[t]


def _check_operand(fact, op: str, value: Any):
    name = fact.name
    if op in ("matches", "any_matches"):
        want = str if op == "matches" else list
        if fact.type is not want:
            yield (f"{op} 不能用于 {name}（{fact.type.__name__}）", f"{op} does not apply to {name} ({fact.type.__name__})")
        if not (isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))):
            yield (f"{op} 的值应为模式文本或其列表", f"{op} takes a pattern or a list of patterns")
        return
    if fact.type is list:
        yield (f"列表事实 {name} 只能用 any_matches", f"list fact {name} can only be tested with any_matches")
        return
    values = value if op == "in" else [value]
    if op == "in" and not isinstance(value, list):
        yield ("in 的值应为列表", "`in` takes a list")
        return
    if op != "in" and isinstance(value, list):
        yield (f"{op} 的值不能是列表", f"{op} does not take a list")
        return
    if op in ("gt", "gte", "lt", "lte") and fact.type not in (int, float):
        yield (f"{op} 只能用于数值事实，{name} 是 {fact.type.__name__}", f"{op} needs a number fact; {name} is {fact.type.__name__}")
        return
    for v in values:
        if not _same_type(fact.type, v):
            yield (
                f"{name} 是 {fact.type.__name__}，值 {v!r} 类型不符",
                f"{name} is a {fact.type.__name__}; {v!r} is not",
            )
        elif fact.values and v not in fact.values:
            yield (f"{name} 没有取值 {v!r}，可选 {list(fact.values)}", f"{name} has no value {v!r}; one of {list(fact.values)}")


def _same_type(want: type, value: Any) -> bool:
    # durable-rules compares True == 1 and "5" == 5: a condition must use the fact's own type.
    if want is bool:
        return isinstance(value, bool)
    if want is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if want is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, want)


# -- translation ---------------------------------------------------------------------------------------------------
def to_durable(condition: Any, key: Callable[[str], str], params: Mapping[str, Any]) -> dict | None:
    """durable-rules JSON for the condition (None for `always`), parameters substituted, fact names mapped by `key`."""
    if condition == "always":
        return None
    if isinstance(condition, All):
        parts = [p for p in (to_durable(c, key, params) for c in condition.all) if p is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else {"$and": parts}
    if isinstance(condition, AnyOf):
        parts = [to_durable(c, key, params) for c in condition.any]
        if any(p is None for p in parts):
            return None  # one branch always holds
        return parts[0] if len(parts) == 1 else {"$or": parts}
    return _test(condition, key, params)


def _resolve(value: Any, params: Mapping[str, Any]) -> Any:
    if isinstance(value, ParamRef):
        return params[value.param]
    return value


def _test(test: Test, key: Callable[[str], str], params: Mapping[str, Any]) -> dict:
    name = key(test.fact)
    op = test.op
    value = _resolve(test.value, params)
    if op == "eq":
        return {name: value}
    if op in _COMPARE:
        return {_COMPARE[op]: {name: value}}
    if op == "in":
        options = [{name: v} for v in value]
        return options[0] if len(options) == 1 else {"$or": options}
    patterns = value if isinstance(value, list) else [value]
    if op == "matches":
        options = [{"$mt": {name: p}} for p in patterns]
    else:
        options = [{"$iany": {name: {"$mt": {"$i": p}}}} for p in patterns]
    return options[0] if len(options) == 1 else {"$or": options}
