"""The rule catalogue as people read it: one rule with its pack, the parameters it uses (with their dated values)
and its condition as plain data. `jianfu rules show`, the API's `/rules/{id}` and the catalogue page all read a
rule through here, so the three never disagree about which parameters a rule shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jianfu import shipped
from jianfu.engine.facts import FACTS
from jianfu.engine.packs import Catalog, LoadedPack, Parameter, Rule

FEATURES = shipped("features")


@dataclass(frozen=True)
class RuleEntry:
    rule: Rule
    pack: LoadedPack
    parameters: list[tuple[str, Parameter]]  # the ones the rule tests or reports, in the stack that decides it

    @property
    def condition(self) -> dict[str, Any]:
        return {"applies": _plain(self.rule.applies), "violated": _plain(self.rule.violated)}


def find_rule(catalog: Catalog, rule_id: str) -> RuleEntry | None:
    for rule, loaded in catalog.all_rules():
        if rule.id == rule_id:
            stack = catalog.stacks[loaded.id]
            names = rule.params_tested | {p for f in rule.facts_tested | set(rule.report) if f in FACTS for p in FACTS[f].params}
            return RuleEntry(rule, loaded, [(n, stack.parameters[n]) for n in sorted(names) if n in stack.parameters])
    return None


KIND_ZH = {"document": "文件", "meeting": "会议", "inspection": "督查检查考核", "bulletin": "简报"}


@dataclass(frozen=True)
class Coverage:
    """What one jurisdiction's own law covers (SPEC, "Which law binds whom"): per kind of request the rules in force
    for it, and the yearly obligations. An empty kind is a matter on which that city's law, as the seeds hold it,
    has no rule: its requests are decided with nothing applicable, never by another city's pack."""

    jurisdiction: str
    packs: list[str]  # the leaf packs naming it
    rules: dict[str, list[Rule]]  # kind -> rules (every pack of the jurisdiction, in file order)
    obligations: list[Any]

    def uncovered(self) -> list[str]:
        return [kind for kind, rules in self.rules.items() if not rules]


def coverage(catalog: Catalog) -> list[Coverage]:
    """Per jurisdiction named by any pack, what its packs (with the packs they extend) cover."""
    places: dict[str, list[str]] = {}
    for pack_id, stack in catalog.stacks.items():
        for place in stack.leaf.pack.jurisdiction:
            places.setdefault(place, []).append(pack_id)
    out = []
    for place, pack_ids in places.items():
        rules: dict[str, list[Rule]] = {kind: [] for kind in KIND_ZH}
        obligations: list[Any] = []
        seen: set[str] = set()
        for pack_id in pack_ids:
            stack = catalog.stacks[pack_id]
            for rule in stack.rules:
                if rule.id not in seen:
                    seen.add(rule.id)
                    rules[rule.kind].append(rule)
            for duty in stack.obligations:
                if duty.id not in seen:
                    seen.add(duty.id)
                    obligations.append(duty)
        out.append(Coverage(place, pack_ids, rules, obligations))
    return out


def features_dir(option: Path | None = None) -> Path:
    return Path(option) if option else FEATURES


def _plain(condition):
    if isinstance(condition, str):
        return condition
    return condition.model_dump(by_alias=True, exclude_none=True)
