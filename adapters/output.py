"""Decisions out: a coloured Chinese table for a clerk, JSON (SPEC's contract), Markdown, JUnit XML and SARIF for
the office systems and CI pipelines that consume them.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Sequence
from xml.etree import ElementTree as ET

from rich.console import Console
from rich.table import Table
from rich.text import Text

from jianfu.engine.decisions import Decision
from jianfu.engine.messages import DECISION_ZH, SEVERITY_ZH
from jianfu.engine.packs import Catalog, Rule

SEVERITY_STYLE = {"block": "bold red", "advice": "yellow", "waived": "cyan"}
FORMATS = ("table", "json", "md", "junit", "sarif")


class RuleBook:
    """Rules by id across every pack, for the English remedy and the SARIF rule catalogue."""

    def __init__(self, catalog: Catalog | None):
        self.rules: dict[str, Rule] = {}
        if catalog is not None:
            for rule, _ in catalog.all_rules():
                self.rules.setdefault(rule.id, rule)

    def remedy(self, finding, lang: str) -> str:
        rule = self.rules.get(finding.rule)
        if lang == "en" and rule is not None:
            return rule.remedy.en
        return finding.remedy

    def title(self, rule_id: str) -> str:
        rule = self.rules.get(rule_id)
        return rule.title if rule else rule_id


def message(finding, lang: str) -> str:
    return finding.message_en if lang == "en" else finding.message


def as_json(decisions: Sequence[Decision]) -> str:
    return json.dumps([d.contract() for d in decisions], ensure_ascii=False, indent=2)


def table(decisions: Sequence[Decision], console: Console, book: RuleBook, lang: str = "zh") -> None:
    zh = lang == "zh"
    for d in decisions:
        verdict = DECISION_ZH[d.decision] if zh else d.decision
        style = "bold green" if d.approved else "bold red"
        head = Text.assemble((f"{d.id}  ", "bold"), (verdict, style), (f"   {'依据' if zh else 'as of'} {d.as_of}  ", "dim"),
                             (", ".join(f"{p.id}@{p.version}" for p in d.packs), "dim"))
        console.print(head)
        if d.findings:
            t = Table(show_header=True, header_style="bold", expand=True, show_lines=True)
            t.add_column("条款" if zh else "art.", no_wrap=True)
            t.add_column("规则" if zh else "rule", overflow="fold", ratio=2)
            t.add_column("结果" if zh else "result", no_wrap=True)
            t.add_column("理由" if zh else "reason", overflow="fold", ratio=5)
            t.add_column("怎么办" if zh else "what to do instead", overflow="fold", ratio=3)
            for f in d.findings:
                t.add_row(
                    f"第{f.clause}条" if zh else f.clause,
                    book.title(f.rule) if zh else f.rule,
                    Text(SEVERITY_ZH[f.severity] if zh else f.severity, SEVERITY_STYLE[f.severity]),
                    message(f, lang),
                    book.remedy(f, lang),
                )
            console.print(t)
        passed = "、".join(book.title(r) for r in d.passed) if zh else ", ".join(d.passed)
        if d.passed:
            console.print(Text(("通过：" if zh else "passed: ") + passed, "green"))
        console.print()
    approved = sum(1 for d in decisions if d.approved)
    if zh:
        console.print(f"共 {len(decisions)} 件：批准 {approved}，驳回 {len(decisions) - approved}")
    else:
        console.print(f"{len(decisions)} requests: {approved} approved, {len(decisions) - approved} rejected")


def markdown(decisions: Sequence[Decision], book: RuleBook, lang: str = "zh") -> str:
    zh = lang == "zh"
    lines = ["# 审查结果" if zh else "# Screening results", ""]
    for d in decisions:
        verdict = DECISION_ZH[d.decision] if zh else d.decision
        lines.append(f"## {_md(d.id)}：{verdict}" if zh else f"## {_md(d.id)}: {verdict}")
        lines.append("")
        lines.append(("依据日期 " if zh else "as of ") + f"{d.as_of}；" + "、".join(f"{p.id} {p.version}" for p in d.packs))
        lines.append("")
        if d.findings:
            lines.append("| 条款 | 规则 | 结果 | 理由 | 怎么办 |" if zh else "| art. | rule | result | reason | instead |")
            lines.append("| --- | --- | --- | --- | --- |")
            for f in d.findings:
                severity = SEVERITY_ZH[f.severity] if zh else f.severity
                lines.append(f"| {f.clause} | {_md(book.title(f.rule) if zh else f.rule)} | {severity} | {_md(message(f, lang))} | {_md(book.remedy(f, lang))} |")
            lines.append("")
            for f in d.findings:
                lines.append(f"> 第{f.clause}条：{_md(f.article_text)}" if zh else f"> art. {f.clause}: {_md(f.article_text)}")
                lines.append("")
        if d.passed:
            lines.append(("通过：" if zh else "passed: ") + ", ".join(d.passed))
            lines.append("")
    return "\n".join(lines)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def junit(decisions: Sequence[Decision], lang: str = "zh") -> str:
    """One test case per request and rule: a blocking finding is a failure, advice and waivers pass with output."""
    suite = ET.Element("testsuite", name="jianfu")
    failures = tests = skipped = 0
    for d in decisions:
        by_rule = {f.rule: f for f in d.findings}
        for rule_id in [f.rule for f in d.findings] + d.passed + d.not_applicable:
            tests += 1
            case = ET.SubElement(suite, "testcase", classname=d.id, name=rule_id)
            finding = by_rule.get(rule_id)
            if finding is not None and finding.severity == "block":
                failures += 1
                failure = ET.SubElement(case, "failure", message=message(finding, lang), type=f"art.{finding.clause}")
                failure.text = f"{finding.article_text}\n{finding.remedy}"
            elif finding is not None:
                out = ET.SubElement(case, "system-out")
                out.text = f"[{finding.severity}] {message(finding, lang)}"
            elif rule_id in d.not_applicable:
                skipped += 1
                ET.SubElement(case, "skipped", message="不适用" if lang == "zh" else "not applicable")
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("skipped", str(skipped))
    suite.set("errors", "0")
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True)


SARIF_LEVEL = {"block": "error", "advice": "warning", "waived": "note"}


def sarif(decisions: Sequence[Decision], book: RuleBook, source: str, lines: Iterable[int | None], lang: str = "zh") -> str:
    """SARIF 2.1.0: the rules as the tool's catalogue, each finding a result at its request's line."""
    used = sorted({f.rule for d in decisions for f in d.findings})
    rules = []
    for rule_id in used:
        rule = book.rules.get(rule_id)
        entry: dict[str, Any] = {"id": rule_id}
        if rule is not None:
            entry.update(
                name=rule.id,
                shortDescription={"text": rule.title},
                fullDescription={"text": rule.text},
                properties={"article": rule.article, "source": rule.source, "severity": rule.severity},
            )
        rules.append(entry)
    results = []
    for d, line in zip(decisions, lines):
        for f in d.findings:
            location: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": source}}}
            if line:
                location["physicalLocation"]["region"] = {"startLine": line}
            results.append(
                {
                    "ruleId": f.rule,
                    "level": SARIF_LEVEL[f.severity],
                    "message": {"text": f"{d.id}: {message(f, lang)}"},
                    "locations": [location],
                    "properties": {"request": d.id, "clause": f.clause, "decision": d.decision, "remedy": book.remedy(f, lang)},
                }
            )
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "jianfu", "rules": rules}}, "results": results}],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)
