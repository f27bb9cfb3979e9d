"""durable-rules, used the way it was measured to be safe (see the developers' notes on durable-rules).

- One ruleset per (pack chain, kind, parameter period): small, one kind's rules only, parameters substituted.
- Each pack rule becomes two or three durable rules: `applies`, `violated` (applies and violated) and, for a rule an
  approval can lift, `unwaived` (violated as if no approval were on file).
- A request is *asserted as a fact*, which fires every matching rule (a posted event fires only the first), and
  retracted in `finally`, so no state is left behind between requests.
- A host whose timer threads never run keeps every action on the calling thread; one lock serialises every call
  into the C engine, which has none of its own.
- Anything durable-rules raises (error 303 and the like) is an `EvaluationError`: never an approval.
- Evaluation is a pure function of the ruleset and the fact, so its answer is remembered per (ruleset, fact):
  a second request with the same facts (the common case: counts and enumerations repeat) does not go back into
  the C engine. `Evaluator(memo=0)` turns that off; the benchmark reports both, and a test checks they agree.
"""

from __future__ import annotations

import copy
import itertools
import threading
from dataclasses import dataclass
from typing import Any

import durable.engine as durable_engine
from durable.engine import MessageNotHandledException

from . import conditions
from .errors import EvaluationError
from .facts import APPROVED, Provider, providers_for
from .packs import Rule

APPLIES, VIOLATED, UNWAIVED = "applies", "violated", "unwaived"
APPROVAL_IGNORED = "approval_ignored"
EVAL_KEY = "evaluation"


class _CallerThreadHost(durable_engine.Host):
    """A durable-rules host whose timer threads do nothing: actions run on the caller's thread, synchronously."""

    def _run(self) -> None:  # noqa: D401 - durable-rules' own hook
        return None


@dataclass(frozen=True)
class CompiledKind:
    """One kind's rules for one pack chain and one parameter period, registered with durable-rules."""

    name: str
    kind: str
    rules: tuple[Rule, ...]
    tested: tuple[str, ...]  # facts the durable conditions read
    providers: tuple[Provider, ...]
    params: dict[str, Any]
    definition: dict[str, Any]


def approval_key(rule_id: str) -> str:
    return f"{APPROVED.name}__{rule_id}"


class Evaluator:
    """The one durable-rules host of the process and the lock around it."""

    def __init__(self, memo: int = 100_000) -> None:
        self._host = _CallerThreadHost()
        self._lock = threading.Lock()
        self._fired: set[str] = set()
        self._compiled: dict[tuple, CompiledKind] = {}
        self._counter = itertools.count()
        self._names = itertools.count()
        self._memo_size = memo
        self._memo: dict[tuple, frozenset[str]] = {}
        self.calls = 0  # evaluations that reached durable-rules

    # -- compiling --------------------------------------------------------------------------------------------
    def compiled(self, chain_key: str, kind: str, rules: list[Rule], params: dict[str, Any]) -> CompiledKind:
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
        found = self._compiled.get(key)
        if found is not None:
            return found
        missing = sorted(name for name in used if name not in params)
        if missing:
            raise EvaluationError(
                f"参数 {missing} 在该日期尚未生效，规则无法评估 / parameters {missing} are not in force on that date: "
                "the rules cannot be evaluated"
            )
        if not rules:
            # A pack of a city whose law has no rule on this kind (issue 13: each city decided by its own law):
            # nothing to register with durable-rules, nothing can fire; the request is decided with nothing applicable.
            compiled = CompiledKind(f"jianfu_{kind}_none", kind, (), ("kind",), tuple(providers), {}, {})
            self._compiled[key] = compiled
            return compiled
        with self._lock:
            found = self._compiled.get(key)
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
            compiled = CompiledKind(
                name=name,
                kind=kind,
                rules=tuple(rules),
                tested=tuple(sorted(tested | {"kind"})),
                providers=tuple(providers),
                params={n: params[n] for n in used},
                definition=definition,
            )
            self._compiled[key] = compiled
            return compiled

    def _action(self, rule_name: str):
        fired = self._fired

        def run(c: Any) -> None:
            fired.add(rule_name)

        return run

    # -- evaluating --------------------------------------------------------------------------------------------
    def fire(self, compiled: CompiledKind, fact: dict[str, Any]) -> frozenset[str]:
        """The durable rules (`<rule id>__applies` …) that the fact fires."""
        if getattr(compiled, "rules", None) == ():  # a kind the city's law has no rule on: nothing can fire
            return frozenset()
        key = None
        if self._memo_size:
            # The names in the order given (the engine always gives them in the ruleset's order) and the values:
            # a fact given in another order only misses the memo.
            key = (compiled.name, tuple(fact), tuple([tuple(v) if type(v) is list else v for v in fact.values()]))
            found = self._memo.get(key)
            if found is not None:
                return found
        with self._lock:
            fact = dict(fact)
            fact[EVAL_KEY] = next(self._counter)
            self._fired.clear()
            try:
                _call(self._host.assert_fact, compiled.name, fact)
            finally:
                _call(self._host.retract_fact, compiled.name, fact)
            fired = frozenset(self._fired)
            self.calls += 1
            if key is not None:
                if len(self._memo) >= self._memo_size:
                    self._memo.clear()
                self._memo[key] = fired
            return fired


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


def _definition(kind: str, rules: list[Rule], params: dict[str, Any]) -> dict[str, Any]:
    """durable-rules' JSON for one kind's rules."""
    out: dict[str, Any] = {}
    guard = {"kind": kind}
    for rule in rules:
        plain = lambda name: name  # noqa: E731
        with_approval = lambda name, rid=rule.id: approval_key(rid) if name == APPROVED.name else name  # noqa: E731
        without_approval = lambda name: APPROVAL_IGNORED if name == APPROVED.name else name  # noqa: E731
        applies = conditions.to_durable(rule.applies, plain, params)
        variants = [(APPLIES, None, plain), (VIOLATED, rule.violated, with_approval)]
        if rule.can_be_waived:
            variants.append((UNWAIVED, rule.violated, without_approval))
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
