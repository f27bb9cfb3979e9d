"""The evaluator answers with a verdict per rule id, and the decision is made of those verdicts alone."""

from __future__ import annotations

from pathlib import Path

from jianfu.adapters.files.read import read_register, read_requests
from jianfu.engine import Engine, MemoryRegister, load_folder

ROOT = Path(__file__).resolve().parents[1]


def test_each_rule_has_one_verdict_and_the_decision_lists_them():
    engine = Engine(load_folder(ROOT / "rules"))
    data = read_register(ROOT / "examples" / "register.yaml")
    register = MemoryRegister(data.units, data.records, data.plans)
    outcomes = set()
    for request in read_requests(ROOT / "examples" / "requests.yaml"):
        in_force = engine.in_force(request.jurisdiction, request.date, request.kind)
        verdicts = engine.verdicts(in_force, engine.facts(request, register, in_force))
        decision = engine.decide(request, register)
        assert [v.rule.id for v in verdicts.each] == [r.id for r in in_force.ruleset.rules]
        assert list(verdicts.passed) == decision.passed and list(verdicts.not_applicable) == decision.not_applicable
        assert [(v.rule.id, v.severity) for v in verdicts.found] == [(f.rule, f.severity) for f in decision.findings]
        for rule_id in decision.passed:
            assert verdicts.of(rule_id) == "passed"
        for finding in decision.findings:
            assert verdicts.of(finding.rule) == ("waived" if finding.severity == "waived" else "violated")
        outcomes |= {v.outcome for v in verdicts.each}
    assert {"passed", "violated", "not_applicable"} <= outcomes
