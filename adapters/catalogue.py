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


def features_dir(option: Path | None = None) -> Path:
    return Path(option) if option else FEATURES


def _plain(condition):
    if isinstance(condition, str):
        return condition
    return condition.model_dump(by_alias=True, exclude_none=True)
