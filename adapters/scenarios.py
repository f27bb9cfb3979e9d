"""The feature files (features/*.feature, Gherkin in Chinese) as an index: which scenarios show each rule approving
and rejecting. `jianfu rules lint` fails when a rule lacks either; the rule catalogue lists them.

A scenario belongs to a rule by its tag (`@system_meeting_once_a_year`, on the scenario or its feature). It shows
the rule approving when a step says `决定为"批准"` and rejecting when one says `决定为"驳回"`. A yearly obligation
is tagged the same way (`@research_reports_per_year`) and shown met and missed by `的义务"…"为"已履行"` / `"未履行"`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from gherkin.parser import Parser

OUTCOME = re.compile(r'决定为\s*["“]?(批准|驳回)["”]?')
OBLIGATION_OUTCOME = re.compile(r'义务["“][a-z0-9_]+["”]为\s*["“]?(已履行|未履行)["”]?')
"""A yearly obligation (audit only) is shown met by `…的义务"id"为"已履行"` and missed by `…为"未履行"`."""


@dataclass
class Scenario:
    file: str
    line: int
    name: str
    tags: set[str]
    outcomes: set[str]  # "approve", "reject"; for an obligation "met", "missed"


@dataclass
class ScenarioIndex:
    scenarios: list[Scenario] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def for_rule(self, rule_id: str) -> list[Scenario]:
        return [s for s in self.scenarios if rule_id in s.tags]

    def shows(self, rule_id: str, outcome: str) -> bool:
        return any(outcome in s.outcomes for s in self.for_rule(rule_id))


def index(folder: Path) -> ScenarioIndex:
    out = ScenarioIndex()
    for path in sorted(folder.rglob("*.feature")):
        try:
            document = Parser().parse(path.read_text(encoding="utf-8"))
        except Exception as exc:  # the gherkin parser raises composite errors with the line
            out.errors.append(f"{path}: {exc}")
            continue
        feature = document.get("feature") or {}
        feature_tags = {t["name"].lstrip("@") for t in feature.get("tags", [])}
        background_steps: list[dict] = []
        for child in feature.get("children", []):
            if "background" in child:
                background_steps = child["background"].get("steps", [])
            for scenario in _scenarios(child):
                tags = feature_tags | {t["name"].lstrip("@") for t in scenario.get("tags", [])}
                outcomes = set()
                for step in background_steps + scenario.get("steps", []):
                    match = OUTCOME.search(step.get("text", ""))
                    if match:
                        outcomes.add("approve" if match.group(1) == "批准" else "reject")
                    duty = OBLIGATION_OUTCOME.search(step.get("text", ""))
                    if duty:
                        outcomes.add("met" if duty.group(1) == "已履行" else "missed")
                    for cell_outcome in _outline_outcomes(step, scenario):
                        outcomes.add(cell_outcome)
                out.scenarios.append(
                    Scenario(str(path), scenario["location"]["line"], scenario.get("name", ""), tags, outcomes)
                )
    return out


def _scenarios(child: dict):
    if "scenario" in child:
        yield child["scenario"]
    elif "rule" in child:
        for sub in child["rule"].get("children", []):
            if "scenario" in sub:
                yield sub["scenario"]


def _outline_outcomes(step: dict, scenario: dict):
    # 决定为"<结果>" in an outline: the outcomes are the examples' values.
    text = step.get("text", "")
    placeholder = re.search(r'决定为\s*["“]?<([^>]+)>', text)
    if not placeholder:
        return
    name = placeholder.group(1)
    for examples in scenario.get("examples", []):
        header = [c["value"] for c in (examples.get("tableHeader") or {}).get("cells", [])]
        if name not in header:
            continue
        col = header.index(name)
        for row in examples.get("tableBody", []):
            value = row["cells"][col]["value"]
            if value == "批准":
                yield "approve"
            elif value == "驳回":
                yield "reject"
