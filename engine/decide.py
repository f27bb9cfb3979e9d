"""`decide(request, register, packs) -> Decision`: a pure function of its inputs (Open Policy Agent's shape).

The way a request travels, one named step each:

1. `in_force`: the packs in force for its jurisdiction and kind on its date (or `as_of`), their parameters and
   the kind's ruleset (`InForce`);
2. `facts`: the facts its kind's rules test, from the request, the register and the parameters in force, and the
   approvals on file for the rules that need one (`Facts`);
3. `verdicts`: each rule's verdict, from the evaluator (engine.evaluator, the one module that knows durable-rules);
4. `findings`: a finding for each rule violated or lifted by an approval;
5. the `Decision`: reject when a finding blocks, approve otherwise.

A rule that could not be evaluated raises `EvaluationError`: there is no decision, and certainly no approval. What
the steps remember lives in one `Memo` (engine.memo), which can be switched off without changing any answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterable

from .decisions import Decision, Finding, PackRef
from .errors import EvaluationError, JianfuError
from .evaluator import EVALUATOR, Evaluator, Ruleset, Verdict, Verdicts
from .facts import APPROVED, FactContext, approval_for, compute
from .memo import Memo
from .messages import approval_text, filled, split_template
from .packs import Catalog, Rule, Stack
from .register import EMPTY_REGISTER, Cutoff, LayeredRegister, MemoryRegister, RegisterView
from .requests import Plan


@dataclass(frozen=True, slots=True)
class InForce:
    """What the packs in force for one jurisdiction on one day give one kind of request."""

    stack: Stack
    params: dict[str, Any]
    ruleset: Ruleset
    packs: list[PackRef]


@dataclass(slots=True)
class Facts:
    """What the rules are shown of one request: every fact computed, and the approval on file (or None) for each
    rule that needs one."""

    request: Any
    values: dict[str, Any]
    approvals: dict[str, Any]


@dataclass(slots=True)
class Found:
    """What the audit asks of `Engine.findings`: the findings and the packs that gave them.

    `Facts` and `Found` are made once for every request decided and never changed; they are not frozen because a
    frozen dataclass sets each field through `object.__setattr__` (three times the cost of making it)."""

    findings: list[Finding]
    packs: list[PackRef]


class Engine:
    """The rule packs of a catalog, ready to decide."""

    def __init__(self, catalog: Catalog, evaluator: Evaluator = EVALUATOR, memo: Memo | None = None):
        self.catalog = catalog
        self.evaluator = evaluator
        self.memo = Memo() if memo is None else memo

    # -- the steps ---------------------------------------------------------------------------------------------
    def stack(self, jurisdiction: str, on: date) -> Stack:
        """The packs in force for a jurisdiction on a day (`NoPackInForce` when there are none)."""
        memo = self.memo
        found = memo.stacks.get((jurisdiction, on))
        if found is None:
            found = memo.keep(memo.stacks, (jurisdiction, on), self.catalog.stack_for(jurisdiction, on))
        return found

    def in_force(self, jurisdiction: str, on: date, kind: str) -> InForce:
        """Step 1. Remembered per stack rather than per jurisdiction, so a province of many jurisdictions sharing
        one pack chain (the audit) prepares each chain once a day. The entry holds its stack, so the stack's id in
        the key cannot be another's."""
        stack = self.stack(jurisdiction, on)
        memo = self.memo
        key = (id(stack), on, kind)
        found = memo.prepared.get(key)
        if found is None:
            params = stack.params_at(on)
            ruleset = self.evaluator.compiled(stack.key, kind, stack.rules_for(kind), params)
            packs = [PackRef.model_construct(id=p.id, version=p.pack.version, sha256=p.sha256) for p in stack.chain]
            found = memo.keep(memo.prepared, key, InForce(stack, params, ruleset, packs))
        return found

    def facts(self, request: Any, register: RegisterView, in_force: InForce, before: Cutoff | None = None,
              plan: Plan | None = None) -> Facts:
        """Step 2. A register that fails to answer fails the decision (closed), never approves it."""
        ruleset = in_force.ruleset
        try:
            values = compute(FactContext(request, register, in_force.params, before, plan), ruleset.providers)
        except JianfuError:
            raise
        except Exception as exc:
            raise EvaluationError(f"无法计算 {request.id} 的事实：{exc} / could not compute the facts of {request.id}: {exc}") from exc
        approvals = {}
        if ruleset.approving:
            on_file = bool(request.approvals)
            for rule in ruleset.approving:
                approvals[rule.id] = approval_for(request, rule.id, rule.article, rule.approval.by) if on_file else None
        return Facts(request, values, approvals)

    def verdicts(self, in_force: InForce, facts: Facts) -> Verdicts:
        """Step 3. A pure function of the ruleset and the fact it is shown: remembered by what the verdicts depend on
        (`Ruleset.key`: a count as its place among the limits it is tested against), so that the 41st and the 42nd
        bulletin of a city over its cap are one question to durable-rules."""
        ruleset = in_force.ruleset
        memo = self.memo
        if not memo.on:
            return self.evaluator.verdicts(ruleset, ruleset.fact(facts.values, facts.approvals))
        key = (ruleset.name, ruleset.key(facts.values, facts.approvals))
        found = memo.verdicts.get(key)
        if found is None:
            found = memo.keep(memo.verdicts, key, self.evaluator.verdicts(ruleset, ruleset.fact(facts.values, facts.approvals)))
        return found

    def finding(self, verdict: Verdict, facts: Facts, in_force: InForce) -> Finding:
        """Step 4, for one rule: the finding, built once for each distinct thing it shows (findings are frozen:
        equal inputs, one object; the audit lists thousands that say the same). The key holds every value the
        finding's texts and facts read, so a finding is never shared between different ones."""
        rule, severity = verdict.rule, verdict.severity
        approval = facts.approvals.get(rule.id) if severity == "waived" else None
        memo = self.memo
        shape = self.shape(rule)
        if not memo.on:
            return _finding(rule, shape, severity, facts.request, facts.values, in_force.params, approval)
        request, values, params = facts.request, facts.values, in_force.params
        key = (rule.id, id(rule), severity, tuple([getattr(request, name) for name in shape.own]),
               tuple([(_frozen(values.get(name)), _frozen(params.get(name))) for name in shape.shown]),
               approval and (approval.by, approval.ref, approval.date, approval.covers))
        try:
            found = memo.findings.get(key)
        except TypeError:  # a value that cannot be a key: build the finding without remembering it
            return _finding(rule, shape, severity, request, values, params, approval)
        if found is None:
            found = memo.keep(memo.findings, key, _finding(rule, shape, severity, request, values, params, approval))
        return found

    def shape(self, rule: Rule) -> "_Shape":
        memo = self.memo
        found = memo.shapes.get(id(rule))
        if found is None or found[0] is not rule:  # the rule is kept beside its shape: its id is no other's
            found = memo.keep(memo.shapes, id(rule), (rule, _Shape.of(rule)))
        return found[1]

    # -- one request -------------------------------------------------------------------------------------------
    def decide(
        self,
        request: Any,
        register: RegisterView = EMPTY_REGISTER,
        as_of: date | None = None,
        before: Cutoff | None = None,
        plan: Plan | None = None,
    ) -> Decision:
        on = as_of or request.date
        in_force = self.in_force(request.jurisdiction, on, request.kind)
        facts = self.facts(request, register, in_force, before, plan)
        verdicts = self.verdicts(in_force, facts)
        findings = [self.finding(verdict, facts, in_force) for verdict in verdicts.found]
        blocking = any(f.severity == "block" for f in findings)
        # Built from the engine's own values, so constructed without re-validation (this is the hot path).
        return Decision.model_construct(
            id=request.id,
            decision="reject" if blocking else "approve",
            as_of=on,
            packs=list(in_force.packs),
            findings=findings,
            passed=list(verdicts.passed),
            not_applicable=list(verdicts.not_applicable),
        )

    def findings(self, request: Any, register: RegisterView = EMPTY_REGISTER, before: Cutoff | None = None,
                 load: Callable[[Any], Any] | None = None) -> Found:
        """What `decide` finds and the packs it used, without the decision around them (the audit's path: most
        records pass, and a passing record needs no finding built, no list of the rules it passed).

        `load`, when given, makes the request from `request` once a pack is known to be in force (the audit's stored
        records: a record no pack checks is never read in full)."""
        in_force = self.in_force(request.jurisdiction, request.date, request.kind)
        if load is not None:
            request = load(request)
        facts = self.facts(request, register, in_force, before)
        verdicts = self.verdicts(in_force, facts)
        return Found([self.finding(verdict, facts, in_force) for verdict in verdicts.found], in_force.packs)

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


_REQUEST_FIELDS = ("unit", "date", "id", "title")


def _frozen(value: Any) -> Any:
    """A fact's or parameter's value as part of a key (facts are scalars or lists of strings)."""
    return tuple(value) if type(value) is list else value


@dataclass(frozen=True)
class _Shape:
    """What a rule's finding is made of, worked out once per rule: the facts and parameters it shows, its texts split
    into literal pieces and placeholders, and every name the finding depends on (the request's own fields apart)."""

    facts: tuple[str, ...]
    params: tuple[str, ...]
    message: tuple[str, ...]
    message_en: tuple[str, ...]
    remedy: tuple[str, ...]
    named: frozenset[str]  # every placeholder of the three texts
    own: tuple[str, ...]  # the request's own fields the finding shows
    shown: tuple[str, ...]  # the facts and parameters the finding shows

    @classmethod
    def of(cls, rule: Rule) -> "_Shape":
        message, message_en, remedy = (split_template(text) for text in (rule.message.zh, rule.message.en, rule.remedy.zh))
        named = frozenset(message[1::2] + message_en[1::2] + remedy[1::2])
        ordered = sorted(set(rule.facts_tested) | set(rule.report) | set(rule.params_tested) | named)
        return cls(
            facts=tuple(n for n in sorted(rule.facts_tested | set(rule.report)) if n not in (APPROVED.name, "kind")),
            params=tuple(sorted(rule.params_tested)),
            message=message,
            message_en=message_en,
            remedy=remedy,
            named=named,
            own=tuple(n for n in ordered if n in _REQUEST_FIELDS),
            shown=tuple(n for n in ordered if n not in _REQUEST_FIELDS),
        )


_EVERY_FINDING_FIELD = set(Finding.model_fields)
"""Every field of a finding is set: one set shared by every finding built here (a finding is frozen; a set of its
own for each would weigh more than the rest of the finding in an audit listing hundreds of thousands)."""


def _finding(rule: Rule, shape: _Shape, severity: str, request, values: dict, params: dict, approval) -> Finding:
    facts = {name: values.get(name) for name in shape.facts}
    for name in shape.params:
        facts[name] = params.get(name)
    if rule.uses_approval:
        facts["approved"] = approval is not None
    # What the texts name, each from where it is found first: the request's own fields and the approval, the
    # parameters in force, the facts (only those names: the texts name a few of many).
    own = {"unit": request.unit, "date": request.date, "id": request.id, "title": request.title,
           "approval_ref": approval_text(approval) if approval else "", "approved": approval is not None}
    context = {}
    for name in shape.named:
        context[name] = own[name] if name in own else params[name] if name in params else values.get(name)
    message = filled(shape.message, context, "zh")
    message_en = filled(shape.message_en, context, "en")
    if severity == "waived":
        message = f"已取得批准（{own['approval_ref']}），不予阻止：{message}"
        message_en = f"lifted by an approval on file ({approval_text(approval, 'en')}): {message_en}"
    return built_finding({
        "rule": rule.id,
        "source": rule.source,
        "clause": rule.article,
        "severity": severity,
        "message": message,
        "message_en": message_en,
        "article_text": rule.text,
        "facts": _plain(facts),
        "remedy": filled(shape.remedy, context, "zh"),
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


def _plain(facts: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in facts.items():
        if isinstance(value, (set, frozenset, tuple)):
            value = list(value)
        elif isinstance(value, date):
            value = value.isoformat()
        out[key] = value
    return out
