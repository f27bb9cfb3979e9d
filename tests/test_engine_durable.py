"""The durable-rules behaviours the engine relies on, checked here rather than taken on trust."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from jianfu.adapters.files.read import read_register, read_requests
from jianfu.engine import Engine, EvaluationError, Memo, MemoryRegister, load_folder
from jianfu.engine.evaluator import Evaluator

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def evaluator() -> Evaluator:
    return Evaluator()


def _ruleset(evaluator: Evaluator, definition: dict) -> str:
    name = f"probe_{next(evaluator._names)}"
    body = {rule: {**cond, "run": evaluator._action(rule)} for rule, cond in definition.items()}
    evaluator._host.register_rulesets({name: body})
    return name


class _Compiled:
    def __init__(self, name: str):
        self.name = name


def test_an_asserted_fact_fires_every_matching_rule(evaluator):
    name = _ruleset(evaluator, {f"r{i}": {"all": [{"m": {"$and": [{"kind": "meeting"}, {"$gte": {"n": i}}]}}]} for i in range(6)})
    assert evaluator.fire(_Compiled(name), {"kind": "meeting", "n": 3}) == {"r0", "r1", "r2", "r3"}


def test_chinese_values_and_patterns(evaluator):
    name = _ruleset(evaluator, {
        "equal": {"all": [{"m": {"$and": [{"kind": "inspection"}, {"unit": "市教育局"}]}}]},
        "pattern": {"all": [{"m": {"$and": [{"kind": "inspection"}, {"$iany": {"names": {"$mt": {"$i": ".*批示.*"}}}}]}}]},
        "digit": {"all": [{"m": {"$and": [{"kind": "inspection"}, {"$mt": {"target": ".*%d.*"}}]}}]},
    })
    fired = evaluator.fire(_Compiled(name), {"kind": "inspection", "unit": "市教育局", "names": ["整改率", "领导批示件数"], "target": "≥95%"})
    assert fired == {"equal", "pattern", "digit"}
    fired = evaluator.fire(_Compiled(name), {"kind": "inspection", "unit": "市财政局", "names": ["整改率"], "target": "基本完成"})
    assert fired == set()


def test_no_state_is_left_behind(evaluator):
    name = _ruleset(evaluator, {"once": {"all": [{"m": {"$and": [{"kind": "bulletin"}, {"$gt": {"n": 1}}]}}]}})
    for _ in range(1000):
        assert evaluator.fire(_Compiled(name), {"kind": "bulletin", "n": 2}) == {"once"}
        assert evaluator.fire(_Compiled(name), {"kind": "bulletin", "n": 0}) == set()


def test_an_engine_error_is_an_evaluation_error_never_an_approval(evaluator):
    # 70 rules all matching one fact overflow durable-rules' 64-node stack (error 303).
    name = _ruleset(evaluator, {f"r{i}": {"all": [{"m": {"$and": [{"kind": "meeting"}, {"$gte": {f"n{i}": 1}}]}}]} for i in range(70)})
    with pytest.raises(EvaluationError, match="303"):
        evaluator.fire(_Compiled(name), {"kind": "meeting", **{f"n{i}": 2 for i in range(70)}})


def test_concurrent_decisions_are_the_serial_ones():
    engine = Engine(load_folder(ROOT / "rules"), Evaluator(), Memo.off())
    data = read_register(ROOT / "examples" / "register.yaml")
    register = MemoryRegister(data.units, data.records, data.plans)
    requests = read_requests(ROOT / "examples" / "requests.yaml")
    serial = [engine.decide(r, register) for r in requests]
    results: list = []

    def work() -> None:
        for _ in range(50):
            results.append([engine.decide(r, register) for r in requests])

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 400
    assert all(r == serial for r in results)
