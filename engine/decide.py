"""`decide(request, register, packs) -> Decision`: a pure function of its inputs (Open Policy Agent's shape).

The way a request travels: choose the packs in force for its jurisdiction on its date (or `as_of`), compute the
facts its kind's rules test (from the request, the register and the parameters in force), let durable-rules fire
every matching rule, then sort each rule into a finding, `passed` or `not_applicable`. A rule that could not be
evaluated raises `EvaluationError`: there is no decision, and certainly no approval.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterable

from .decisions import Decision, Finding, PackRef
from .errors import EvaluationError, JianfuError
from .evaluator import APPLIES, APPROVAL_IGNORED, EVALUATOR, UNWAIVED, VIOLATED, CompiledKind, Evaluator, approval_key, freeze
from .facts import APPROVED, FACTS, FactContext, approval_for, compute
from .packs import PLACEHOLDER, Catalog, Rule
from .register import EMPTY_REGISTER, Cutoff, LayeredRegister, MemoryRegister, RegisterView
from .requests import Plan

APPROVER_ZH = {
    "city_government": "市政府",
    "city_government_leader": "市政府负责同志",
    "general_office": "市政府办公室",
    "supervision_office": "市政府督查室",
}


VALUE_ZH = {
    **APPROVER_ZH,
    "coordinating_body": "议事协调机构",
    "department": "部门",
    "joint_departments": "部门联合",
    "citywide_system": "本系统全市性",
    "citywide": "全市性",
    "other": "其他",
    "comprehensive": "综合性",
    "special": "专项",
    "ad_hoc": "临时性",
    "document": "文件",
    "meeting": "会议",
    "inspection": "督查检查考核",
    "bulletin": "简报",
    "public": "面向公众",
}


class Engine:
    """The rule packs of a catalog, ready to decide."""

    def __init__(self, catalog: Catalog, evaluator: Evaluator = EVALUATOR):
        self.catalog = catalog
        self.evaluator = evaluator
        self._stacks: dict[tuple, Any] = {}  # (jurisdiction, date) -> the stack in force
        self._prepared: dict[tuple, tuple] = {}  # (stack, date, kind) -> what the packs in force give
        self._findings: dict[tuple, Finding] = {}  # a finding is a pure function of what its texts and facts show
        self._verdict_memo: dict[tuple, tuple] = {}  # (ruleset, rules fired) -> each rule's verdict

    def _prepare(self, jurisdiction: str, on: date, kind: str) -> tuple:
        """The stack in force, its parameters and the compiled ruleset for one day: the same all day long.

        Two levels, so a province of many jurisdictions sharing one pack chain (the audit) compiles per chain and
        day, not per jurisdiction and day."""
        place = (jurisdiction, on)
        stack = self._stacks.get(place)
        if stack is None:
            stack = self.catalog.stack_for(jurisdiction, on)
            if len(self._stacks) > 200_000:
                self._stacks.clear()
            self._stacks[place] = stack
        key = (id(stack), on, kind)
        found = self._prepared.get(key)
        if found is None:
            params = stack.params_at(on)
            compiled = self.evaluator.compiled(stack.key, kind, stack.rules_for(kind), params)
            waivable = any(rule.can_be_waived for rule in compiled.rules)
            refs = [PackRef.model_construct(id=p.id, version=p.pack.version, sha256=p.sha256) for p in stack.chain]
            approving = tuple((rule, approval_key(rule.id)) for rule in compiled.rules if rule.uses_approval)
            found = (stack, params, compiled, waivable, refs, approving)
            if len(self._prepared) > 50_000:
                self._prepared.clear()
            self._prepared[key] = found
        return found

    # -- one request -------------------------------------------------------------------------------------------
    def decide(
        self,
        request: Any,
        register: RegisterView = EMPTY_REGISTER,
        as_of: date | None = None,
        before: Cutoff | None = None,
        plan: Plan | None = None,
    ) -> Decision:
        request, on, refs, compiled, values, approvals, fired = self._evaluate(request, register, as_of, before, plan)
        return _decision(request, on, refs, compiled, values, approvals, fired, self._findings, self._verdicts(compiled, fired))

    def findings(self, request: Any, register: RegisterView = EMPTY_REGISTER, before: Cutoff | None = None,
                 load: Callable[[Any], Any] | None = None) -> tuple[list[Finding], list[PackRef]]:
        """What `decide` finds and the packs it used, without the decision around them (the audit's path: most
        records pass, and a passing record needs no finding built, no list of the rules it passed).

        `load`, when given, makes the request from `request` once a pack is known to be in force (the audit's stored
        records: a record no pack checks is never read in full)."""
        request, on, refs, compiled, values, approvals, fired = self._evaluate(request, register, None, before, None, load)
        found = self._verdicts(compiled, fired)[0]
        if not found:
            return [], refs
        memo = self._findings
        return [_remembered(memo, rule, severity, request, values, compiled.params, approvals.get(rule.id) if severity == "waived" else None)
                for rule, severity in found], refs

    def _evaluate(self, request: Any, register: RegisterView, as_of: date | None, before: Cutoff | None, plan: Plan | None,
                  load: Callable[[Any], Any] | None = None) -> tuple:
        on = as_of or request.date
        stack, params, compiled, waivable, refs, approving = self._prepare(request.jurisdiction, on, request.kind)
        if load is not None:
            request = load(request)
        try:
            values = compute(FactContext(request, register, params, before, plan), compiled.providers)
        except JianfuError:
            raise
        except Exception as exc:  # a register that failed to answer: fail closed
            raise EvaluationError(f"无法计算 {request.id} 的事实：{exc} / could not compute the facts of {request.id}: {exc}") from exc
        fact = {name: values[name] for name in compiled.tested}
        approvals = {}
        for rule, key in approving:
            approval = approvals[rule.id] = approval_for(request, rule.id, rule.article, rule.approval.by) if request.approvals else None
            fact[key] = approval is not None
        if waivable:
            fact[APPROVAL_IGNORED] = False
        return request, on, refs, compiled, values, approvals, self.evaluator.fire(compiled, fact)

    def _verdicts(self, compiled: CompiledKind, fired: frozenset[str]) -> tuple:
        """Each rule's verdict from the durable rules fired: the findings to build (rule, severity), the rules passed,
        the rules not applicable. A pure function of the ruleset and what fired: remembered."""
        key = (compiled.name, fired)
        found = self._verdict_memo.get(key)
        if found is None:
            findings, passed, not_applicable = [], [], []
            for rule in compiled.rules:
                applies = f"{rule.id}__{APPLIES}" in fired
                violated = f"{rule.id}__{VIOLATED}" in fired
                unwaived = f"{rule.id}__{UNWAIVED}" in fired
                if violated and not applies:
                    raise EvaluationError(f"规则 {rule.id} 的评估结果自相矛盾 / rule {rule.id} fired inconsistently")
                if not applies:
                    not_applicable.append(rule.id)
                elif violated:
                    findings.append((rule, rule.severity))
                elif unwaived:
                    findings.append((rule, "waived"))
                else:
                    passed.append(rule.id)
            found = (tuple(findings), tuple(passed), tuple(not_applicable))
            if len(self._verdict_memo) >= 100_000:
                self._verdict_memo.clear()
            self._verdict_memo[key] = found
        return found

    def decide_many(self, requests: Iterable[Any], register: RegisterView = EMPTY_REGISTER, as_of: date | None = None) -> list[Decision]:
        return [self.decide(r, register, as_of) for r in requests]

    # -- an annual plan ----------------------------------------------------------------------------------------
    def check_plan(self, plan: Plan, register: RegisterView = EMPTY_REGISTER, as_of: date | None = None) -> "PlanCheck":
        """Each item in date order, counted against the register and the plan's earlier approved items."""
        earlier = MemoryRegister()
        view = LayeredRegister(register, earlier)
        order = sorted(range(len(plan.items)), key=lambda i: (plan.items[i].date, i))
        decisions: list[Decision | None] = [None] * len(plan.items)
        for i in order:
            item = plan.items[i]
            decision = self.decide(item, view, as_of, plan=plan)
            decisions[i] = decision
            if decision.approved:
                earlier.add(item)  # a rejected item would not happen: it never counts
        return PlanCheck(plan, [d for d in decisions if d is not None])


@dataclass
class PlanCheck:
    plan: Plan
    decisions: list[Decision] = field(default_factory=list)  # in the plan's own order

    @property
    def filed(self) -> bool:
        return self.plan.filed

    @property
    def approved(self) -> bool:
        return all(d.approved for d in self.decisions)


def _decision(request, on, refs: list[PackRef], compiled: CompiledKind, values, approvals, fired, memo: dict | None, verdicts: tuple) -> Decision:
    found, passed, not_applicable = verdicts
    findings = [_remembered(memo, rule, severity, request, values, compiled.params, approvals.get(rule.id) if severity == "waived" else None)
                for rule, severity in found]
    blocking = any(f.severity == "block" for f in findings)
    # Built from the engine's own values, so constructed without re-validation (this is the hot path).
    return Decision.model_construct(
        id=request.id,
        decision="reject" if blocking else "approve",
        as_of=on,
        packs=list(refs),
        findings=findings,
        passed=list(passed),
        not_applicable=list(not_applicable),
    )


_REQUEST_FIELDS = ("unit", "date", "id", "title")


def _shown(rule: Rule, memo: dict) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Every name a rule's finding depends on: its facts, its parameters and its texts' placeholders (the request's
    own fields apart)."""
    key = ("shown", id(rule))
    found = memo.get(key)
    if found is None:
        ordered = sorted(set(rule.facts_tested) | set(rule.report) | set(rule.params_tested) | _shape(rule).named)
        found = memo[key] = (tuple(n for n in ordered if n in _REQUEST_FIELDS), tuple(n for n in ordered if n not in _REQUEST_FIELDS))
    return found


def _remembered(memo: dict | None, rule: Rule, severity: str, request, values: dict, params: dict, approval) -> Finding:
    """The finding, built once for each distinct thing it shows (findings are frozen: equal inputs, one object).

    The audit renders thousands of identical findings (every inspection without a work plan says the same); the key
    holds every value the finding's texts and facts read, so a finding is never shared between different ones."""
    if memo is None:
        return _finding(rule, severity, request, values, params, approval)
    tally = memo.get(("tally", id(rule)))
    if tally is None:
        tally = memo[("tally", id(rule))] = [0, 0]  # findings asked for, found remembered
    elif tally[0] >= 1000 and tally[1] * 20 < tally[0]:
        # This rule's findings are nearly all different (a message listing the meetings so far): building the key
        # costs more than remembering saves.
        return _finding(rule, severity, request, values, params, approval)
    tally[0] += 1
    own, named = _shown(rule, memo)
    key = (rule.id, id(rule), severity, tuple([getattr(request, name) for name in own]),
           tuple([(freeze(values.get(name)), freeze(params.get(name))) for name in named]),
           approval and (approval.by, approval.ref, approval.date, approval.covers))
    try:
        found = memo.get(key)
    except TypeError:  # a value that cannot be a key: build the finding without remembering it
        return _finding(rule, severity, request, values, params, approval)
    if found is None:
        if len(memo) >= 100_000:
            memo.clear()
        found = memo[key] = _finding(rule, severity, request, values, params, approval)
    else:
        tally[1] += 1
    return found


@dataclass(frozen=True)
class _Shape:
    """What a rule's finding is made of, worked out once per rule: the facts and parameters it shows, its texts split
    into literal pieces and placeholders."""

    facts: tuple[str, ...]
    params: tuple[str, ...]
    message: tuple[str, ...]
    message_en: tuple[str, ...]
    remedy: tuple[str, ...]
    named: frozenset[str]  # every placeholder of the three texts


_SHAPES: dict[int, tuple[Rule, _Shape]] = {}


def _shape(rule: Rule) -> _Shape:
    found = _SHAPES.get(id(rule))
    if found is None or found[0] is not rule:
        message, message_en, remedy = (tuple(PLACEHOLDER.split(text)) for text in (rule.message.zh, rule.message.en, rule.remedy.zh))
        shape = _Shape(
            facts=tuple(n for n in sorted(rule.facts_tested | set(rule.report)) if n not in (APPROVED.name, "kind")),
            params=tuple(sorted(rule.params_tested)),
            message=message,
            message_en=message_en,
            remedy=remedy,
            named=frozenset(message[1::2] + message_en[1::2] + remedy[1::2]),
        )
        if len(_SHAPES) > 10_000:
            _SHAPES.clear()
        found = _SHAPES[id(rule)] = (rule, shape)
    return found[1]


def _filled(pieces: tuple[str, ...], context: dict[str, Any], lang: str) -> str:
    """`render` of a template already split by PLACEHOLDER (literal, name, literal, name, …, literal)."""
    if len(pieces) == 1:
        return pieces[0]
    out = list(pieces)
    for i in range(1, len(out), 2):
        out[i] = show_value(out[i], context.get(out[i]), lang)
    return "".join(out)


_EVERY_FINDING_FIELD = set(Finding.model_fields)
"""Every field of a finding is set: one set shared by every finding built here (a finding is frozen and a copy
gets a set of its own; a set each was 700 bytes, more than the rest of a finding, on an audit listing 300,000)."""


def _finding(rule: Rule, severity: str, request, values: dict, params: dict, approval) -> Finding:
    shape = _shape(rule)
    facts = {name: values.get(name) for name in shape.facts}
    for name in shape.params:
        facts[name] = params.get(name)
    if rule.uses_approval:
        facts["approved"] = approval is not None
    # What the texts name, each from where it is found first: the request's own fields and the approval, the
    # parameters in force, the facts (only those names: copying every fact and parameter cost more than the texts).
    own = {"unit": request.unit, "date": request.date, "id": request.id, "title": request.title,
           "approval_ref": _approval_text(approval) if approval else "", "approved": approval is not None}
    context = {}
    for name in shape.named:
        context[name] = own[name] if name in own else params[name] if name in params else values.get(name)
    message = _filled(shape.message, context, "zh")
    message_en = _filled(shape.message_en, context, "en")
    if severity == "waived":
        message = f"已取得批准（{own['approval_ref']}），不予阻止：{message}"
        message_en = f"lifted by an approval on file ({_approval_text(approval, 'en')}): {message_en}"
    return built_finding({
        "rule": rule.id,
        "source": rule.source,
        "clause": rule.article,
        "severity": severity,
        "message": message,
        "message_en": message_en,
        "article_text": rule.text,
        "facts": _plain(facts),
        "remedy": _filled(shape.remedy, context, "zh"),
    })


def built_finding(fields: dict[str, Any]) -> Finding:
    """A finding from the engine's own values (every field given, each of the right type: the pack's texts, the
    rendered messages, the facts), constructed without validating them again."""
    finding = Finding.__new__(Finding)
    object.__setattr__(finding, "__dict__", fields)
    object.__setattr__(finding, "__pydantic_fields_set__", _EVERY_FINDING_FIELD)
    object.__setattr__(finding, "__pydantic_extra__", None)
    object.__setattr__(finding, "__pydantic_private__", None)
    return finding


def _approval_text(approval, lang: str = "zh") -> str:
    who = APPROVER_ZH.get(approval.by, approval.by) if lang == "zh" else approval.by
    parts = [who]
    if approval.ref:
        parts.append(approval.ref)
    if approval.date:
        parts.append(str(approval.date))
    return " ".join(parts)


def render(template: str, context: dict[str, Any], lang: str) -> str:
    """Fill `{name}` placeholders (nothing else: templates are data, not format strings)."""

    def value(match) -> str:
        name = match.group(1)
        return show_value(name, context.get(name), lang)

    return PLACEHOLDER.sub(value, template)


def show_value(name: str, value: Any, lang: str) -> str:
    """A fact's or parameter's value as a message shows it (the Chinese word for an enumeration, 20% for a ratio)."""
    kind = type(value)
    if kind is int:  # the common cases first: a count, a list of ids or names
        return str(value)
    if kind is list and value:
        try:
            return ("、" if lang == "zh" else ", ").join(value)
        except TypeError:  # not every item is text
            pass
    fact = FACTS.get(name)
    if value is None:
        return "—"
    if lang == "zh" and fact is not None and fact.values and value in VALUE_ZH:
        return VALUE_ZH[value]
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, float) and (fact is not None and fact.ratio or name.endswith("_cut") or name.endswith("_ratio")):
        return f"{value * 100:g}%"
    if isinstance(value, (list, tuple, set)):
        items = [str(v) for v in value]
        if not items:
            return "无" if lang == "zh" else "none"
        return ("、" if lang == "zh" else ", ").join(items)
    return str(value)


def _plain(facts: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in facts.items():
        if isinstance(value, (set, frozenset, tuple)):
            value = list(value)
        elif isinstance(value, date):
            value = value.isoformat()
        out[key] = value
    return out
