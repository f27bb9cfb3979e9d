"""Every answer the engine remembers, in one object beside the reference path, with one size policy and an off switch.

Deciding is a pure function of the request, the register and the packs: each table below holds answers that are
pure functions of their key, so remembering them changes no decision (tests/test_memo.py holds decisions and whole
audits with the memo on against the memo off). They pay because a province's requests repeat: the same packs are in
force all day, counts and enumerations repeat, so do the facts durable-rules is asked about and the findings they
give.

- `stacks`: (jurisdiction, day) -> the stack of packs in force.
- `prepared`: (stack, day, kind) -> what the packs in force give that kind (parameters, ruleset, pack references).
- `verdicts`: (ruleset, the fact's values) -> each rule's verdict.
- `findings`: (rule, severity, every value its texts and facts show) -> the finding (frozen: one object for all).
- `shapes`: rule -> its texts split into pieces and the names they show.

The size policy: a table reaching `size` entries is emptied and fills again (the answers stay right, only their
cost comes back). Off, nothing is kept and every step is worked out anew.
"""

from __future__ import annotations

from typing import Any, TypeVar

V = TypeVar("V")

DEFAULT_SIZE = 100_000


class Memo:
    def __init__(self, size: int = DEFAULT_SIZE, on: bool = True) -> None:
        if size < 1:
            raise ValueError("a memo holds at least one answer per table; use Memo.off() to keep none")
        self.size = size
        self.on = on
        self.stacks: dict[tuple, Any] = {}
        self.prepared: dict[tuple, Any] = {}
        self.verdicts: dict[tuple, Any] = {}
        self.findings: dict[tuple, Any] = {}
        self.shapes: dict[int, Any] = {}

    @classmethod
    def off(cls) -> "Memo":
        """A memo that keeps nothing: the reference path, each answer worked out every time."""
        return cls(on=False)

    def keep(self, table: dict, key: Any, value: V) -> V:
        """Remember `value` under `key` in one of this memo's tables (when on) and return it."""
        if self.on:
            if len(table) >= self.size:
                table.clear()
            table[key] = value
        return value

    def clear(self) -> None:
        for table in (self.stacks, self.prepared, self.verdicts, self.findings, self.shapes):
            table.clear()

