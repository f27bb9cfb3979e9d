"""durable-rules, used the way it was measured to be safe (see the developers' notes on durable-rules). This module
owns it completely: nothing else imports it or knows how its rules are named. It takes the facts a kind's rules test
and returns each rule's verdict.

- One ruleset per (pack chain, kind, parameter period): small, one kind's rules only, parameters substituted.
- Each pack rule becomes two or three durable rules: `applies`, `violated` (applies and violated) and, for a rule an
  approval can lift, `unwaived` (violated as if no approval were on file). Which of them fired is the rule's verdict.
- A request is *asserted as a fact*, which fires every matching rule (a posted event fires only the first), and
  retracted in `finally`, so no state is left behind between requests.
- A host whose timer threads never run keeps every action on the calling thread; one lock serialises every call
  into the C engine, which has none of its own.
- Anything durable-rules raises (error 303 and the like) is an `EvaluationError`: never an approval.
- Remembering verdicts is the engine's memo (engine.memo), not this module's: here every call is evaluated.
"""

from __future__ import annotations

import copy
import itertools
import threading
from dataclasses import dataclass
from typing import Any, Literal

import durable.engine as durable_engine
from durable.engine import MessageNotHandledException

from . import conditions
from .conditions import mark_of
from .errors import EvaluationError
from .facts import APPROVED, Provider, providers_for
from .packs import Rule

# How a pack rule's durable rules are named (`<rule id>__applies` …) and the fact keys an approval takes: private.
_APPLIES, _VIOLATED, _UNWAIVED = "applies", "violated", "unwaived"
_APPROVAL_IGNORED = "approval_ignored"
_EVAL_KEY = "evaluation"

Outcome = Literal["not_applicable", "passed", "violated", "waived"]


class _CallerThreadHost(durable_engine.Host):
    """A durable-rules host whose timer threads do nothing: actions run on the caller's thread, synchronously."""

    def _run(self) -> None:  # noqa: D401 - durable-rules' own hook
        return None


@dataclass(frozen=True)
class Ruleset:
    """One kind's rules for one pack chain and one parameter period, registered with durable-rules."""

    name: str
    kind: str
    rules: tuple[Rule, ...]
    tested: tuple[str, ...]  # facts the durable conditions read
    providers: tuple[Provider, ...]
    params: dict[str, Any]
    definition: dict[str, Any]
    approving: tuple[Rule, ...]  # the rules whose verdict depends on an approval on file
    _approval_keys: tuple[tuple[str, str], ...]  # (rule id, the fact key its approval takes)
    _waivable: bool  # some rule can be lifted by an approval: the fact says "no approval" beside the real one
    _marks: tuple[tuple[float, ...] | None, ...] = ()  # per tested fact, the numbers its tests compare it with

    def __post_init__(self) -> None:
        # each tested fact with the numbers its tests compare it with (None: tested otherwise), as `key` reads them
        marks = tuple(self._marks) + (None,) * (len(self.tested) - len(self._marks))
        object.__setattr__(self, "_reading", tuple(zip(self.tested, marks)))

    def key(self, values: dict[str, Any], approvals: dict[str, Any]) -> tuple:
        """What the verdicts on `fact(values, approvals)` depend on, as a key for the engine's memo, read without
        making the fact (that is made for durable-rules only, when the memo has no answer): each fact compared only
        with numbers as its place among them (conditions.mark_of), every other value as it is, then whether each
        approval is on file. Two facts with one key get the same verdicts from durable-rules, so remembering them by
        this key changes no answer."""
        key = [mark_of(values[name], marks) for name, marks in self._reading]
        for rule_id, _ in self._approval_keys:
            key.append(approvals.get(rule_id) is not None)
        return tuple(key)

    def fact(self, values: dict[str, Any], approvals: dict[str, Any]) -> dict[str, Any]:
        """What durable-rules is asked: the facts the conditions read, in the ruleset's order (so that equal requests
        give equal facts), and for each rule needing one whether its approval is on file."""
        fact = {name: values[name] for name in self.tested}
        for rule_id, key in self._approval_keys:
            fact[key] = approvals.get(rule_id) is not None
        if self._waivable:
            fact[_APPROVAL_IGNORED] = False
        return fact


@dataclass(frozen=True, slots=True)
class Verdict:
    """One rule's verdict on one request."""

    rule: Rule
    outcome: Outcome

    @property
    def severity(self) -> str:
        """The finding's severity: the rule's own, or `waived` when an approval on file lifted it."""
        return "waived" if self.outcome == "waived" else self.rule.severity


@dataclass(frozen=True)
class Verdicts:
    """Every rule's verdict on one request, in the ruleset's order, sorted the way a decision lists them."""

    each: tuple[Verdict, ...]
    found: tuple[Verdict, ...]  # violated or waived: a finding each
    passed: tuple[str, ...]
    not_applicable: tuple[str, ...]

    def of(self, rule_id: str) -> Outcome:
        return next(v.outcome for v in self.each if v.rule.id == rule_id)


def _approval_key(rule_id: str) -> str:
    return f"{APPROVED.name}__{rule_id}"


class Evaluator:
    """The one durable-rules host of the process and the lock around it."""

    def __init__(self) -> None:
        self._host = _CallerThreadHost()
        self._lock = threading.Lock()
        self._fired: set[str] = set()
        # The rulesets registered with the host, by what they were made of. Not a cache: durable-rules cannot
        # register a name twice nor delete one, so this is how the same rules are found again.
        self._registered: dict[tuple, Ruleset] = {}
        self._counter = itertools.count()
        self._names = itertools.count()
        self.calls = 0  # evaluations that reached durable-rules

    # -- compiling --------------------------------------------------------------------------------------------
    def compiled(self, chain_key: str, kind: str, rules: list[Rule], params: dict[str, Any]) -> Ruleset:
        used = set()
        for rule in rules:
            used |= rule.params_tested
        # Parameters read by fact computations matter too (the merge window, the baseline year).
        tested = {f for rule in rules for f in rule.facts_tested if f != APPROVED.name}
        report = {f for rule in rules for f in rule.report}
        providers = providers_for(tested | report | {"kind"})
        for provider in providers:
            for fact in provider.facts:
                used |= set(fact.params)
        period = tuple(sorted((name, freeze(params[name])) for name in used if name in params))
        key = (chain_key, kind, tuple(r.id for r in rules), period)
        found = self._registered.get(key)
        if found is not None:
            return found
        missing = sorted(name for name in used if name not in params)
        if missing:
            raise EvaluationError(
                f"参数 {missing} 在该日期尚未生效，规则无法评估 / parameters {missing} are not in force on that date: "
                "the rules cannot be evaluated"
            )
        if not rules:
            # A city whose law has no rule on this kind (each city is decided by its own law): nothing to register with
            # durable-rules and nothing can fire; the request is decided with nothing applicable.
            ruleset = Ruleset(name=f"jianfu_{kind}_none", kind=kind, rules=(), tested=("kind",), providers=tuple(providers),
                              params={}, definition={}, approving=(), _approval_keys=(), _waivable=False)
            self._registered[key] = ruleset
            return ruleset
        with self._lock:
            found = self._registered.get(key)
            if found is not None:
                return found
            name = f"jianfu_{kind}_{next(self._names)}"
            definition = _definition(kind, rules, {n: params[n] for n in used})
            runnable = copy.deepcopy(definition)  # durable-rules mutates what it is given
            for rule_name, body in runnable.items():
                body["run"] = self._action(rule_name)
            try:
                self._host.register_rulesets({name: runnable})
            except Exception as exc:  # the C engine's errors are plain Exceptions with a code
                raise EvaluationError(f"durable-rules 拒绝了 {kind} 规则集：{exc} / durable-rules refused the {kind} ruleset: {exc}") from exc
            approving = tuple(rule for rule in rules if rule.uses_approval)
            ruleset = Ruleset(
                name=name,
                kind=kind,
                rules=tuple(rules),
                tested=tuple(sorted(tested | {"kind"})),
                providers=tuple(providers),
                params={n: params[n] for n in used},
                definition=definition,
                approving=approving,
                _approval_keys=tuple((rule.id, _approval_key(rule.id)) for rule in approving),
                _waivable=any(rule.can_be_waived for rule in rules),
                _marks=_marks_of(tuple(sorted(tested | {"kind"})), rules, params),
            )
            self._registered[key] = ruleset
            return ruleset

    def _action(self, rule_name: str):
        fired = self._fired

        def run(c: Any) -> None:
            fired.add(rule_name)

        return run

    # -- evaluating --------------------------------------------------------------------------------------------
    def verdicts(self, ruleset: Ruleset, fact: dict[str, Any]) -> Verdicts:
        """Each rule's verdict on the fact (`Ruleset.fact`)."""
        if not ruleset.rules:  # registered with nothing: nothing can fire
            return Verdicts((), (), (), ())
        fired = self.fire(ruleset, fact)
        each, found, passed, not_applicable = [], [], [], []
        for rule in ruleset.rules:
            applies = f"{rule.id}__{_APPLIES}" in fired
            violated = f"{rule.id}__{_VIOLATED}" in fired
            if violated and not applies:
                raise EvaluationError(f"规则 {rule.id} 的评估结果自相矛盾 / rule {rule.id} fired inconsistently")
            if not applies:
                verdict = Verdict(rule, "not_applicable")
                not_applicable.append(rule.id)
            elif violated:
                verdict = Verdict(rule, "violated")
                found.append(verdict)
            elif f"{rule.id}__{_UNWAIVED}" in fired:
                verdict = Verdict(rule, "waived")
                found.append(verdict)
            else:
                verdict = Verdict(rule, "passed")
                passed.append(rule.id)
            each.append(verdict)
        return Verdicts(tuple(each), tuple(found), tuple(passed), tuple(not_applicable))

    def fire(self, ruleset: Any, fact: dict[str, Any]) -> frozenset[str]:
        """The durable rules that the fact fires, by their durable names."""
        with self._lock:
            fact = dict(fact)
            fact[_EVAL_KEY] = next(self._counter)
            self._fired.clear()
            try:
                _call(self._host.assert_fact, ruleset.name, fact)
            finally:
                _call(self._host.retract_fact, ruleset.name, fact)
            self.calls += 1
            return frozenset(self._fired)


def _call(method: Any, ruleset: str, fact: dict[str, Any]) -> None:
    try:
        method(ruleset, fact)
    except MessageNotHandledException:
        pass  # no rule matched (assert) or the fact was not kept (retract)
    except Exception as exc:  # the C engine reports errors (303 and the like) as plain Exceptions
        raise EvaluationError(f"durable-rules 无法评估该申请：{exc} / durable-rules could not evaluate the request: {exc}") from exc


def freeze(value: Any) -> Any:
    """A fact's or parameter's value as a dictionary key (facts are scalars or lists of strings)."""
    return tuple(value) if isinstance(value, list) else value


def _marks_of(tested: tuple[str, ...], rules: list[Rule], params: dict[str, Any]) -> tuple:
    """For each tested fact in the ruleset's order, the numbers the rules compare it with (None: kept as it is)."""
    marks = conditions.numeric_marks([c for rule in rules for c in (rule.applies, rule.violated) if c is not None], params)
    return tuple(marks.get(name) for name in tested)


def _definition(kind: str, rules: list[Rule], params: dict[str, Any]) -> dict[str, Any]:
    """durable-rules' JSON for one kind's rules."""
    out: dict[str, Any] = {}
    guard = {"kind": kind}
    for rule in rules:
        plain = lambda name: name  # noqa: E731
        with_approval = lambda name, rid=rule.id: _approval_key(rid) if name == APPROVED.name else name  # noqa: E731
        without_approval = lambda name: _APPROVAL_IGNORED if name == APPROVED.name else name  # noqa: E731
        applies = conditions.to_durable(rule.applies, plain, params)
        variants = [(_APPLIES, None, plain), (_VIOLATED, rule.violated, with_approval)]
        if rule.can_be_waived:
            variants.append((_UNWAIVED, rule.violated, without_approval))
        for suffix, violated, key in variants:
            parts = [guard]
            if applies is not None:
                parts.append(applies)
            if violated is not None:
                compiled = conditions.to_durable(violated, key, params)
                if compiled is not None:
                    parts.append(compiled)
            condition = parts[0] if len(parts) == 1 else {"$and": parts}
            out[f"{rule.id}__{suffix}"] = {"all": [{"m": condition}]}
    return out


EVALUATOR = Evaluator()
"""The process's evaluator. durable-rules cannot delete a ruleset: reloading packs registers new, versioned names."""
