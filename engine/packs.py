"""Rule packs: the YAML files under `rules/`, their model, loading, validation and layering.

A pack reads like the law it encodes (regelrecht, Catala): for each article its number, its words verbatim, and
beside them the machine-readable rule. Numbers are parameters with the dates they take effect (OpenFisca). A pack may
`extends` another (a province's base plus a city's overlay), override its parameters and switch its rules off; the
decision names every pack of the chain with its version and the sha256 of its file.

Anything wrong in a pack (unknown key, a condition on a fact the request models do not have, a duplicate id, a
missing article text, a bad date) is an `InvalidPack` naming the file, the line and the reason; the engine does not
start with it.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path as FilePath
from typing import Annotated, Any, Iterable, Literal, Union

from pydantic import Field, StringConstraints, ValidationError, model_validator

from . import conditions
from .conditions import Condition
from .errors import FieldError, InvalidPack, NoPackInForce, from_validation_error
from .facts import APPROVED, FACTS
from .requests import Approver, Kind
from .sources import Located, SourceError, load_yaml
from .types import Contract, Day, LongText, Text

RuleId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{2,63}$")]
PackId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{2,63}$")]
ParamName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,63}$")]
ParamValue = Union[bool, int, float, str, list[str]]

# durable-rules raises error 303 when more than 64 alpha nodes are pending for one fact. A kind's ruleset holds
# every rule's tests up to three times (applies, violated, violated-without-approval): keep well below.
ALPHA_BUDGET = 56

PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


class Parameter(Contract):
    """A number of the law (20%, once a year, one series) with the dates its values take effect."""

    description: Text
    article: Text
    source: Text | None = None
    unit: Literal["count", "ratio", "days", "month", "year", "patterns", "text"] | None = None
    reading: LongText | None = None
    values: dict[Day, ParamValue] = Field(min_length=1)

    def at(self, on: date) -> Any:
        """The value in force on `on`: the one of the latest date not after it (KeyError before the first)."""
        current = None
        found = False
        for since in sorted(self.values):
            if since <= on:
                current, found = self.values[since], True
        if not found:
            raise KeyError(on)
        return current

    def since(self, on: date) -> date | None:
        dates = [d for d in self.values if d <= on]
        return max(dates) if dates else None


class Bilingual(Contract):
    zh: Text
    en: Text


class ApprovalRule(Contract):
    """Whose approval the rule asks for: one by these, for this rule or article (or for nothing in particular),
    dated no later than the request.

    `lifts: true` (须报…批准 as an exception, art. 8): when the approval is what saves the request, the finding is
    kept with severity `waived`. `lifts: false` (批准后召开 as part of the normal procedure, art. 7): the approval
    is simply one of the conditions.
    """

    by: list[Approver] = Field(min_length=1)
    lifts: bool = True
    reading: LongText | None = None


class LimitRef(Contract):
    """What limits a counted rule: a parameter of the pack (`{param: system_meetings_per_year}`) or, where the
    limit is worked out from the register, a fact (`{fact: bulletin_quota}`: the baseline's issues less the cut)."""

    param: ParamName | None = None
    fact: Text | None = None

    @model_validator(mode="after")
    def _one(self) -> "LimitRef":
        if (self.param is None) == (self.fact is None):
            raise ValueError("限额须写 param 或 fact 之一 / a limit names a param or a fact, not both")
        return self


class Quota(Contract):
    """额度: what a counted limit counts, said in the pack so that `jianfu quota` shows a new pack's limits
    without code. `counts` is the register fact of the rule's kind that counts what the unit already has this year,
    `limit` what it may have, `ids` the fact listing what counted; `request` holds the fields of a request the
    limit is about (a city-wide system meeting), from which the quota asks the rule whether it applies.
    `includes_request`: the counted fact counts the request itself too (bulletin_issues_in_year), so one is taken
    off for what is used."""

    counts: Text
    limit: LimitRef
    ids: Text | None = None
    includes_request: bool = False
    request: dict[str, Any] = Field(default_factory=dict)


class Rule(Contract):
    id: RuleId
    title: Text
    article: Text
    source: Text
    text: LongText = Field(min_length=4)
    kind: Kind
    severity: Literal["block", "advice"]
    reading: LongText | None = None
    applies: Condition = "always"
    violated: Condition
    needs: list[str] = Field(default_factory=list)
    approval: ApprovalRule | None = None
    report: list[str] = Field(default_factory=list)
    message: Bilingual
    remedy: Bilingual
    quota: Quota | None = None

    @cached_property
    def facts_tested(self) -> set[str]:
        return conditions.facts_used(self.applies) | conditions.facts_used(self.violated)

    @cached_property
    def params_tested(self) -> set[str]:
        return conditions.params_used(self.applies) | conditions.params_used(self.violated)

    @cached_property
    def uses_approval(self) -> bool:
        return APPROVED.name in self.facts_tested

    @property
    def can_be_waived(self) -> bool:
        return self.uses_approval and self.approval is not None and self.approval.lifts


Period = Literal["year", "half_year", "quarter", "two_months", "month", "week"]
PERIODS: tuple[str, ...] = ("year", "half_year", "quarter", "two_months", "month", "week")
UnitType = Literal["government", "general_office", "department", "coordinating_body"]
UnitLevel = Literal["province", "city", "county", "township"]


class RecordMatch(Contract):
    """Which register records count toward an obligation: their kind, and one of the keywords in the title, a topic
    or (for a bulletin) the series. The request contract is fixed, so an obligation recognises its records from the fields they already have."""

    kind: Kind
    keywords: list[Text] = Field(default_factory=list)  # none: every record of the kind
    onsite_office: bool | None = None  # meetings only: true counts only declared on-site office meetings (004 art. 39)

    def matches(self, record: Any) -> bool:
        if record.kind != self.kind:
            return False
        if self.onsite_office is not None and bool(getattr(record, "onsite_office", False)) != self.onsite_office:
            return False
        if not self.keywords:
            return True
        # the title, the series and the topics as one text, apart by a character no text field may hold (types.Text
        # refuses control characters): a keyword is in one of them exactly when it is in the whole
        text = "\x00".join((record.title, getattr(record, "series", None) or "", *record.topics))
        return any(k in text for k in self.keywords)


class ClosedBy(Contract):
    """An obligation met record by record: each counted record must be closed by a later record of the same unit
    (its `link` field names the closed record's id), dated no later than the end of the audited year."""

    records: RecordMatch
    link: Literal["subject"]
    within: ParamName | None = None
    """A parameter (days): a record is owed its closure by so many days after its date, and is checked in the audit
    of the year that day falls in (none: by the end of the record's own year)."""
    unless: list[Text] = Field(default_factory=list)
    """Words in a counted record's title or a topic saying there is nothing to close (未发现问题): nothing owed."""


class UnitKind(Contract):
    """A kind of unit an obligation binds: 市政府各部门 is `{type: department, level: city}`."""

    type: UnitType
    level: UnitLevel
    name: Text | None = None  # one unit only (by its name or an alias), such as 市重点办

    def binds(self, unit: Any) -> bool:
        if (self.type, self.level) != (unit.type, unit.level):
            return False
        return self.name is None or self.name == unit.name or self.name in (getattr(unit, "aliases", None) or ())


class Obligation(Contract):
    """A yearly obligation (年度义务), checked in the audit only: records that must exist, not requests to screen.

    Either `minimum` and `period` (parameters: at least so many matching records in each period of the year in which
    the obligation is in force on the period's last day), or `closed_by` (every matching record closed by year end).
    `per_task`: the minimum holds for each task (a topic of the matching records other than the keywords) separately.
    """

    id: RuleId
    title: Text
    article: Text
    source: Text
    text: LongText = Field(min_length=4)
    reading: LongText = Field(min_length=4)
    applies_to: list[UnitKind] = Field(min_length=1)
    counts: RecordMatch
    per_task: bool | Literal["leads"] = False
    """true: the minimum holds per task, a topic of the matching records; `leads`: per task the unit leads (its
    `leads` in the register; a unit leading none owes nothing)."""
    periods_counted: Literal["last_day", "most_days"] = "last_day"
    """Which periods are owed: those whose last day the obligation is in force on, or those it is in force on for
    more than half of their days."""
    minimum: ParamName | None = None
    period: ParamName | None = None
    closed_by: ClosedBy | None = None
    message: Bilingual

    @model_validator(mode="after")
    def _one_way_to_meet(self) -> "Obligation":
        counted = self.minimum is not None and self.period is not None
        if counted == (self.closed_by is not None) or (self.minimum is None) != (self.period is None):
            raise ValueError(
                "义务须写明 minimum 与 period（计数），或 closed_by（逐件销号），二者取一 / "
                "an obligation has either minimum and period, or closed_by"
            )
        return self


OBLIGATION_PLACEHOLDERS = frozenset({"unit", "year", "minimum", "period", "found", "missing"})


class Effective(Contract):
    model_config = Contract.model_config | {"populate_by_name": True}

    from_: Day = Field(alias="from")
    until: Day | None = None

    def covers(self, on: date) -> bool:
        return self.from_ <= on and (self.until is None or on <= self.until)


class SourceDocument(Contract):
    file: Text
    title: Text
    issued_by: Text | None = None
    doc_no: Text | None = None
    date: Day | None = None


class ParameterOverride(Contract):
    values: dict[Day, ParamValue] = Field(min_length=1)
    reason: Text


class SwitchOff(Contract):
    rule: RuleId
    reason: Text


class Overrides(Contract):
    parameters: dict[ParamName, ParameterOverride] = Field(default_factory=dict)
    switch_off: list[SwitchOff] = Field(default_factory=list)


class Pack(Contract):
    id: PackId
    version: Text
    title: Text
    description: LongText | None = None
    jurisdiction: list[Text] = Field(min_length=1)
    effective: Effective
    sources: list[SourceDocument] = Field(default_factory=list)
    extends: PackId | None = None
    parameters: dict[ParamName, Parameter] = Field(default_factory=dict)
    overrides: Overrides = Field(default_factory=Overrides)
    rules: list[Rule] = Field(default_factory=list)
    obligations: list[Obligation] = Field(default_factory=list)


@dataclass(frozen=True)
class LoadedPack:
    pack: Pack
    file: str
    sha256: str
    located: Located

    @property
    def id(self) -> str:
        return self.pack.id

    def place(self, path: tuple, zh: str, en: str) -> FieldError:
        return self.located.place(FieldError(tuple(path), zh, en))


def parse_pack(text: str, file: str) -> LoadedPack:
    """One pack file, checked on its own (its chain is checked by `Catalog`)."""
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    try:
        located = load_yaml(text, file)
    except SourceError as exc:
        raise InvalidPack([exc.error]) from None
    if not isinstance(located.data, dict):
        raise InvalidPack([FieldError((), "规则包应为 YAML 映射", "a rule pack is a YAML mapping", file=file)])
    try:
        pack = Pack.model_validate(located.data)
    except ValidationError as exc:
        raise InvalidPack([located.place(e) for e in from_validation_error(exc)]) from None
    loaded = LoadedPack(pack, file, sha, located)
    problems = _check_pack_alone(loaded)
    if problems:
        raise InvalidPack(problems)
    return loaded


def _check_pack_alone(loaded: LoadedPack) -> list[FieldError]:
    pack = loaded.pack
    problems = []
    seen: dict[str, int] = {}
    for i, rule in enumerate(pack.rules):
        if rule.id in seen:
            problems.append(
                loaded.place(("rules", i, "id"), f"规则 id {rule.id!r} 重复（第 {seen[rule.id] + 1} 条规则已用）", f"duplicate rule id {rule.id!r}")
            )
        seen.setdefault(rule.id, i)
    if pack.effective.until and pack.effective.until < pack.effective.from_:
        problems.append(loaded.place(("effective", "until"), "失效日期早于生效日期", "until is before from"))
    return problems


@dataclass
class Stack:
    """A leaf pack and the packs it extends, resolved: the rules and parameters in force for one jurisdiction."""

    chain: list[LoadedPack]  # base first
    rules: list[Rule]
    parameters: dict[str, Parameter]
    rule_pack: dict[str, LoadedPack]
    switched_off: dict[str, str] = field(default_factory=dict)
    obligations: list[Obligation] = field(default_factory=list)
    obligation_pack: dict[str, LoadedPack] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Names the chain by content: two catalogs with a pack of the same id but other text never share rulesets."""
        return "+".join(f"{p.id}@{p.sha256}" for p in self.chain)

    @property
    def leaf(self) -> LoadedPack:
        return self.chain[-1]

    def in_force(self, on: date) -> bool:
        return all(p.pack.effective.covers(on) for p in self.chain)

    def rules_for(self, kind: str) -> list[Rule]:
        return [r for r in self.rules if r.kind == kind]

    def params_at(self, on: date) -> dict[str, Any]:
        out = {}
        for name, param in self.parameters.items():
            try:
                out[name] = param.at(on)
            except KeyError:
                continue
        return out

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


_ON = "\x00on\x00"  # where a refusal's message names the day (a placeholder no pack's text can hold)


class Catalog:
    """Every pack of a folder, validated together; answers which packs are in force where and when."""

    def __init__(self, packs: Iterable[LoadedPack], sources_dir: FilePath | None = None):
        self.packs: dict[str, LoadedPack] = {}
        problems: list[FieldError] = []
        for loaded in packs:
            if loaded.id in self.packs:
                problems.append(
                    loaded.place(("id",), f"规则包 id {loaded.id!r} 与 {self.packs[loaded.id].file} 重复", f"pack id {loaded.id!r} also in {self.packs[loaded.id].file}")
                )
                continue
            self.packs[loaded.id] = loaded
        self.stacks: dict[str, Stack] = {}
        for pack_id in self.packs:
            try:
                self.stacks[pack_id] = self._resolve(pack_id)
            except InvalidPack as exc:
                problems.extend(exc.errors)
        if not problems:
            for stack in self.stacks.values():
                problems.extend(_check_stack(stack, sources_dir))
        if problems:
            raise InvalidPack(_unique(problems))

    def _resolve(self, pack_id: str) -> Stack:
        chain: list[LoadedPack] = []
        current: str | None = pack_id
        while current is not None:
            if any(p.id == current for p in chain):
                raise InvalidPack([chain[-1].place(("extends",), f"extends 形成循环：{current}", f"extends makes a cycle at {current}")])
            loaded = self.packs.get(current)
            if loaded is None:
                child = chain[-1]
                raise InvalidPack([child.place(("extends",), f"找不到被扩展的规则包 {current!r}", f"extended pack {current!r} not found")])
            chain.append(loaded)
            current = loaded.pack.extends
        chain.reverse()

        rules: list[Rule] = []
        rule_pack: dict[str, LoadedPack] = {}
        parameters: dict[str, Parameter] = {}
        switched_off: dict[str, str] = {}
        obligations: list[Obligation] = []
        obligation_pack: dict[str, LoadedPack] = {}
        problems: list[FieldError] = []
        for loaded in chain:
            pack = loaded.pack
            for name, override in pack.overrides.parameters.items():
                base = parameters.get(name)
                if base is None:
                    problems.append(loaded.place(("overrides", "parameters", name), f"被覆盖的参数 {name!r} 不存在", f"overridden parameter {name!r} does not exist"))
                    continue
                parameters[name] = base.model_copy(update={"values": dict(override.values), "reading": override.reason})
            for i, off in enumerate(pack.overrides.switch_off):
                if not any(r.id == off.rule for r in rules):
                    problems.append(loaded.place(("overrides", "switch_off", i, "rule"), f"要停用的规则 {off.rule!r} 不存在", f"rule {off.rule!r} to switch off does not exist"))
                    continue
                rules = [r for r in rules if r.id != off.rule]
                switched_off[off.rule] = off.reason
            for name, param in pack.parameters.items():
                if name in parameters:
                    problems.append(loaded.place(("parameters", name), f"参数 {name!r} 已在被扩展的规则包中定义，请用 overrides", f"parameter {name!r} is inherited: use overrides"))
                    continue
                parameters[name] = param
            for i, rule in enumerate(pack.rules):
                if rule.id in rule_pack:
                    problems.append(loaded.place(("rules", i, "id"), f"规则 {rule.id!r} 已在 {rule_pack[rule.id].id} 中定义", f"rule {rule.id!r} is already defined in {rule_pack[rule.id].id}"))
                    continue
                rules.append(rule)
                rule_pack[rule.id] = loaded
            for i, obligation in enumerate(pack.obligations):
                if obligation.id in obligation_pack or obligation.id in rule_pack:
                    problems.append(loaded.place(("obligations", i, "id"), f"义务 {obligation.id!r} 与已有的规则或义务重名", f"obligation {obligation.id!r} is already defined"))
                    continue
                obligations.append(obligation)
                obligation_pack[obligation.id] = loaded
        if problems:
            raise InvalidPack(problems)
        return Stack(chain, rules, parameters, rule_pack, switched_off, obligations, obligation_pack)

    # -- choosing ------------------------------------------------------------------------------------------
    def stack_for(self, jurisdiction: str, on: date) -> Stack:
        """The packs in force for a jurisdiction on a date; an overlay wins over the pack it extends.

        The choice changes only on a day some pack naming the jurisdiction starts or stops being in force: it is
        worked out once for each such period and remembered (the audit asks for every day of the year in every
        jurisdiction of the province). A catalog whose stacks are replaced (a what-if copy) starts afresh."""
        if self.__dict__.get("_chosen_for") is not self.stacks:
            self._chosen_for, self._chosen, self._changes = self.stacks, {}, {}
        changes = self._changes.get(jurisdiction)
        if changes is None:
            days = set()
            for stack in self.stacks.values():
                if jurisdiction in stack.leaf.pack.jurisdiction:
                    for loaded in stack.chain:
                        days.add(loaded.pack.effective.from_)
                        if loaded.pack.effective.until is not None:
                            days.add(loaded.pack.effective.until + timedelta(days=1))
            changes = self._changes[jurisdiction] = sorted(days)
        period = (jurisdiction, bisect.bisect_right(changes, on))
        found = self._chosen.get(period)
        if found is None:
            found = self._chosen[period] = self._choose(jurisdiction, on)
        if isinstance(found, str):  # no pack, or several: the refusal, naming the day asked about
            raise NoPackInForce(found.replace(_ON, str(on)))
        return found

    def _choose(self, jurisdiction: str, on: date) -> Stack | str:
        """The stack in force, or why there is none (a message with `_ON` where the day goes)."""
        candidates = [s for s in self.stacks.values() if jurisdiction in s.leaf.pack.jurisdiction and s.in_force(on)]
        extended = {p.id for s in candidates for p in s.chain[:-1]}
        leaves = [s for s in candidates if s.leaf.id not in extended]
        if not leaves:
            known = [s for s in self.stacks.values() if jurisdiction in s.leaf.pack.jurisdiction]
            hint = "；".join(f"{s.leaf.id} 自 {s.leaf.pack.effective.from_} 起" for s in known) or "没有任何规则包适用于该地区"
            return (f"{_ON} 时 {jurisdiction} 没有生效的规则包（{hint}），无法作出决定 / "
                    f"no rule pack is in force for {jurisdiction} on {_ON}: nothing can be decided")
        if len(leaves) > 1:
            return (f"{_ON} 时 {jurisdiction} 有多个互不扩展的规则包同时生效：{[s.leaf.id for s in leaves]} / "
                    f"several unrelated packs are in force for {jurisdiction} on {_ON}")
        return leaves[0]

    def all_rules(self) -> list[tuple[Rule, LoadedPack]]:
        out = []
        for loaded in self.packs.values():
            for rule in loaded.pack.rules:
                out.append((rule, loaded))
        return out


def _unique(problems: list[FieldError]) -> list[FieldError]:
    seen, out = set(), []
    for p in problems:
        key = (p.file, p.line, p.column, p.path, p.zh)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _param_types(stack: Stack) -> dict[str, set[type]]:
    types: dict[str, set[type]] = {}
    for name, param in stack.parameters.items():
        types[name] = {bool if isinstance(v, bool) else (list if isinstance(v, list) else type(v)) for v in param.values.values()}
    return types


def _check_stack(stack: Stack, sources_dir: FilePath | None) -> list[FieldError]:
    problems: list[FieldError] = []
    param_types = _param_types(stack)
    for rule in stack.rules:
        owner = stack.rule_pack[rule.id]
        index = owner.pack.rules.index(rule)
        base = ("rules", index)
        for part in ("applies", "violated"):
            for path, zh, en in conditions.check(getattr(rule, part), rule.kind, param_types):
                problems.append(owner.place(base + (part,) + path, zh, en))
        if rule.uses_approval and rule.approval is None:
            problems.append(owner.place(base + ("approval",), "条件使用了 approved，但规则没有写明谁可以批准", "the condition tests `approved` but the rule names no approver"))
        register_facts = {f for f in rule.facts_tested if FACTS[f].source == "register"} if not _unknown(rule) else set()
        for i, need in enumerate(rule.needs):
            fact = FACTS.get(need)
            if fact is None or fact.source != "register" or rule.kind not in fact.kinds:
                problems.append(owner.place(base + ("needs", i), f"{need!r} 不是 {rule.kind} 可用的台账事实", f"{need!r} is not a register fact of a {rule.kind}"))
        missing = register_facts - set(rule.needs)
        if missing:
            problems.append(owner.place(base + ("needs",), f"条件用到台账事实 {sorted(missing)}，须列入 needs", f"the condition uses register facts {sorted(missing)}: list them in needs"))
        for i, name in enumerate(rule.report):
            fact = FACTS.get(name)
            if fact is None or rule.kind not in fact.kinds:
                problems.append(owner.place(base + ("report", i), f"未知的事实 {name!r}", f"unknown fact {name!r}"))
        for fact_name in rule.facts_tested | set(rule.report):
            fact = FACTS.get(fact_name)
            for param in fact.params if fact else ():
                if param not in stack.parameters:
                    problems.append(owner.place(base, f"事实 {fact_name!r} 需要参数 {param!r}，规则包中没有", f"fact {fact_name!r} needs parameter {param!r}, which the packs lack"))
        known = _placeholders(rule, stack)
        for part in ("message", "remedy"):
            for lang in ("zh", "en"):
                for name in PLACEHOLDER.findall(getattr(getattr(rule, part), lang)):
                    if name not in known:
                        problems.append(owner.place(base + (part, lang), f"占位符 {{{name}}} 不是本规则的事实或参数", f"placeholder {{{name}}} is not a fact or parameter of this rule"))
        if rule.quota is not None:
            problems.extend(owner.place(base + ("quota",) + path, zh, en) for path, zh, en in _check_quota(rule, stack))
        if sources_dir is not None:
            problems.extend(_check_verbatim(rule, owner, base, sources_dir))
    for obligation in stack.obligations:
        problems.extend(_check_obligation(obligation, stack, sources_dir))
    for kind in ("document", "meeting", "inspection", "bulletin"):
        size = sum(ruleset_size(r) for r in stack.rules_for(kind))
        if size > ALPHA_BUDGET:
            problems.append(stack.leaf.place(("rules",), f"{kind} 类规则共 {size} 个条件节点，超过 durable-rules 的安全上限 {ALPHA_BUDGET}", f"{kind} rules hold {size} condition nodes, over the durable-rules budget of {ALPHA_BUDGET}"))
    return problems


def _check_quota(rule: Rule, stack: Stack) -> list[tuple[tuple, str, str]]:
    """A quota names register facts of its rule's kind (a count, a list) and a parameter or fact for its limit, and
    its `request` fields make a valid request of the kind."""
    quota = rule.quota
    problems = []

    def fact_of(path: tuple, name: str, want: type, source: str | None) -> None:
        fact = FACTS.get(name)
        if fact is None or rule.kind not in fact.kinds or fact.type is not want or (source and fact.source != source):
            kind = {int: "计数", list: "列表"}[want]
            problems.append((path, f"{name!r} 不是 {rule.kind} 可用的{kind}事实", f"{name!r} is not a {want.__name__} fact of a {rule.kind}"))

    fact_of(("counts",), quota.counts, int, "register")
    if quota.ids is not None:
        fact_of(("ids",), quota.ids, list, None)
    if quota.limit.fact is not None:
        fact_of(("limit", "fact"), quota.limit.fact, int, None)
    else:
        param = stack.parameters.get(quota.limit.param)
        if param is None:
            problems.append((("limit", "param"), f"参数 {quota.limit.param!r} 不存在", f"parameter {quota.limit.param!r} does not exist"))
        elif any(isinstance(v, bool) or not isinstance(v, int) for v in param.values.values()):
            problems.append((("limit", "param"), f"参数 {quota.limit.param!r} 须为整数", f"parameter {quota.limit.param!r} must be an integer"))
    from .quota import probe  # the request the quota asks about is built in one place

    try:
        probe(rule, "测算", "测算单位", date(2000, 1, 1))
    except ValidationError as exc:
        for error in from_validation_error(exc):
            problems.append((("request",) + tuple(error.path), error.zh, error.en))
    return problems


def _check_obligation(obligation: Obligation, stack: Stack, sources_dir: FilePath | None) -> list[FieldError]:
    owner = stack.obligation_pack[obligation.id]
    base = ("obligations", owner.pack.obligations.index(obligation))
    problems = []
    for part, expected in (("minimum", int), ("period", str)):
        name = getattr(obligation, part)
        if name is None:
            continue
        param = stack.parameters.get(name)
        if param is None:
            problems.append(owner.place(base + (part,), f"参数 {name!r} 不存在", f"parameter {name!r} does not exist"))
            continue
        for since, value in param.values.items():
            wrong = isinstance(value, bool) or not isinstance(value, expected) or (part == "period" and value not in PERIODS)
            if wrong:
                want = "整数" if part == "minimum" else " | ".join(PERIODS)
                problems.append(owner.place(base + (part,), f"参数 {name!r} 自 {since} 的取值 {value!r} 应为 {want}", f"parameter {name!r} from {since}: {value!r} should be {want if part == 'period' else 'an integer'}"))
    within = obligation.closed_by.within if obligation.closed_by else None
    if within is not None and (within not in stack.parameters or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in stack.parameters[within].values.values())):
        problems.append(owner.place(base + ("closed_by", "within"), f"参数 {within!r} 不存在或不是天数", f"parameter {within!r} is missing or not a number of days"))
    for lang in ("zh", "en"):
        for name in PLACEHOLDER.findall(getattr(obligation.message, lang)):
            if name not in OBLIGATION_PLACEHOLDERS:
                problems.append(owner.place(base + ("message", lang), f"占位符 {{{name}}} 不是义务可用的值", f"placeholder {{{name}}} is not a value of an obligation"))
    if sources_dir is not None:
        problems.extend(_check_verbatim(obligation, owner, base, sources_dir))
    return problems


def _unknown(rule: Rule) -> bool:
    return any(f not in FACTS for f in rule.facts_tested)


def ruleset_size(rule: Rule) -> int:
    """Condition nodes the rule adds to its kind's durable-rules ruleset."""
    tests = conditions.leaves(rule.applies) + 1
    variants = 3 if rule.can_be_waived else 2
    return tests * (variants - 1) + conditions.leaves(rule.violated) * (variants - 1)


def _placeholders(rule: Rule, stack: Stack) -> set[str]:
    names = {name for name, fact in FACTS.items() if rule.kind in fact.kinds}
    names |= set(stack.parameters)
    names |= {"approval_ref", "unit", "date", "id", "title"}
    return names


_SPACE = re.compile(r"\s+")


def _check_verbatim(rule: Rule | Obligation, owner: LoadedPack, base: tuple, sources_dir: FilePath) -> list[FieldError]:
    path = sources_dir / rule.source
    if not path.is_file():
        return [owner.place(base + ("source",), f"找不到来源文件 {rule.source}", f"source file {rule.source} not found in {sources_dir}")]
    source = _SPACE.sub("", path.read_text(encoding="utf-8"))
    if _SPACE.sub("", rule.text) not in source:
        return [owner.place(base + ("text",), f"条文与来源文件 {rule.source} 不一致（须逐字引用）", f"the article text is not verbatim from {rule.source}")]
    return []


def load_folder(folder: FilePath, sources_dir: FilePath | None = None) -> Catalog:
    """Every `*.yaml` pack in a folder (not its subfolders), validated together."""
    loaded: list[LoadedPack] = []
    problems: list[FieldError] = []
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    if not files:
        raise InvalidPack([FieldError((), f"{folder} 中没有规则包", f"no rule packs in {folder}", file=str(folder))])
    for path in files:
        try:
            loaded.append(parse_pack(path.read_text(encoding="utf-8"), str(path)))
        except InvalidPack as exc:
            problems.extend(exc.errors)
        except UnicodeDecodeError:
            problems.append(FieldError((), "文件不是 UTF-8 编码", "the file is not UTF-8", file=str(path), code="bad_syntax"))
    if problems:
        raise InvalidPack(problems)
    if sources_dir is None and (folder / "sources").is_dir():
        sources_dir = folder / "sources"
    return Catalog(loaded, sources_dir)


__all__ = ["Catalog", "Stack", "Pack", "Quota", "Rule", "Obligation", "RecordMatch", "Parameter", "LoadedPack", "load_folder", "parse_pack", "ruleset_size"]
