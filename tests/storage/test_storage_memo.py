"""Remembering durable-rules' answers per (ruleset, fact) changes nothing: with and without the memo, every
benchmark request is decided the same, and the memo really is what answers the repeats."""

from __future__ import annotations

from pathlib import Path

from jianfu.bench.run import screening_requests
from jianfu.engine import Engine, Memo, MemoryRegister, load_folder
from jianfu.engine.evaluator import Evaluator
from jianfu.adapters.files.read import read_register

ROOT = Path(__file__).resolve().parents[2]


def test_memoised_and_fresh_evaluations_agree():
    catalog = load_folder(ROOT / "rules")
    data = read_register(ROOT / "examples" / "register.yaml")
    register = MemoryRegister(data.units, data.records, data.plans)
    fresh = Engine(catalog, Evaluator(), Memo.off())
    memoised = Engine(catalog, Evaluator())
    requests = screening_requests(3, 600)
    for request in requests:
        assert memoised.decide(request, register) == fresh.decide(request, register)
    assert fresh.evaluator.calls == len(requests)
    assert memoised.evaluator.calls < len(requests) / 2
