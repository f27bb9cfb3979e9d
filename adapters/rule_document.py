"""A rule pack as a document a lawyer can review without reading YAML (Catala's side-by-side, as prose).

Per article: its words verbatim, our reading, the condition in plain Chinese generated from the condition data (never
written a second time), the parameters with their dated values and sources, and the scenarios that test it. Markdown
and HTML are rendered from the same pieces. `jianfu rules show --all` prints or writes them; the Markdown of each
shipped pack is committed under docs/rules/ and `jianfu rules lint` fails when it is stale.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from jianfu.engine.conditions import All, AnyOf, ParamRef, Test
from jianfu.engine.messages import APPROVER_ZH, CONDITION_OP_ZH as OP_ZH, OUTCOME_ZH, PERIOD_EVERY_ZH as PERIOD_ZH, SEVERITY_RESULT_ZH as SEVERITY_ZH, VALUE_ZH
from jianfu.engine.facts import FACTS
from jianfu.engine.packs import Catalog, Parameter, Stack

from .catalogue import KIND_ZH
from .scenarios import ScenarioIndex



_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’"
_FOLD = __import__("re").compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")


def flat(text: str) -> str:
    """A folded YAML text on one line: the line breaks YAML turned into spaces are dropped between Chinese words."""
    return _FOLD.sub("", " ".join(text.split()))


def _value(value: Any, stack: Stack) -> str:
    if isinstance(value, ParamRef):
        return f"参数 `{value.param}`"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_value(v, stack) for v in value)
    if isinstance(value, str):
        return VALUE_ZH.get(value, value)
    return str(value)


def condition_zh(condition: Any, stack: Stack) -> str:
    """The condition in words, from its data: the fact's Chinese name, the test, the value (or the parameter)."""
    if condition == "always":
        return "该类申请一律适用"
    if isinstance(condition, All):
        parts = [condition_zh(c, stack) for c in condition.all]
        return parts[0] if len(parts) == 1 else "同时满足：" + "；".join(f"（{i + 1}）{p}" for i, p in enumerate(parts))
    if isinstance(condition, AnyOf):
        parts = [condition_zh(c, stack) for c in condition.any]
        return parts[0] if len(parts) == 1 else "满足其一：" + "；或".join(f"（{i + 1}）{p}" for i, p in enumerate(parts))
    assert isinstance(condition, Test)
    fact = FACTS.get(condition.fact)
    name = fact.zh if fact else condition.fact
    if condition.fact == "approved":
        name = "已取得本规则所需的批准"
        return name if condition.value is True else "未取得本规则所需的批准"
    return f"{name}{OP_ZH[condition.op]}{_value(condition.value, stack)}"


def _param_lines(names: list[str], stack: Stack) -> list[str]:
    lines = []
    for name in names:
        param: Parameter | None = stack.parameters.get(name)
        if param is None:
            continue
        values = "；".join(f"{day} 起 {v}" for day, v in sorted(param.values.items()))
        source = f"，来源 {param.source}" if param.source else ""
        lines.append(f"- `{name}`：{param.description}（第{param.article}条{source}）：{values}")
        if param.reading:
            lines.append(f"  - 解读：{flat(param.reading)}")
    return lines


def _scenario_lines(rule_id: str, scenarios: ScenarioIndex) -> list[str]:
    found = scenarios.for_rule(rule_id)
    if not found:
        return ["- （没有场景）"]
    return [f"- {s.name}（{'、'.join(OUTCOME_ZH[o] for o in sorted(s.outcomes)) or '—'}）`{Path(s.file).name}:{s.line}`" for s in found]


def pack_markdown(catalog: Catalog, pack_id: str, scenarios: ScenarioIndex) -> str:
    loaded = catalog.packs[pack_id]
    pack, stack = loaded.pack, catalog.stacks[pack_id]
    out = [f"# {pack.title}", "",
           f"规则包 `{pack.id}` 版本 {pack.version}；适用地区 {'、'.join(pack.jurisdiction)}；生效 {pack.effective.from_} 至 {pack.effective.until or '（未定）'}"
           + (f"；扩展 `{pack.extends}`" if pack.extends else "") + "。", ""]
    out.append("本文件由 `jianfu rules show --all --format md` 从规则包生成，请勿手工修改。 Generated from the pack; do not edit.")
    out.append("")
    if pack.description:
        out += [flat(pack.description), ""]
    out.append("## 来源 Sources")
    out.append("")
    for source in pack.sources:
        out.append(f"- `{source.file}`：{source.title}" + "".join(f"，{x}" for x in (source.issued_by, source.doc_no, source.date) if x))
    out.append("")
    if not pack.rules:
        out += ["## 逐件审查的规则", "", "本规则包没有逐件审查的规则：该地区的法规对文件、会议、督查、简报没有可逐件审查的限制，此类申请按\"无适用规则\"决定。", ""]
    else:
        out += ["## 逐件审查的规则 Rules", ""]
    for rule in pack.rules:
        out += _quoted(f"### 第{rule.article}条 {rule.title}（`{rule.id}`）", rule.source, rule.text)
        out.append(f"- 审查对象：{KIND_ZH[rule.kind]}；结果：{SEVERITY_ZH[rule.severity]}")
        if rule.reading:
            out.append(f"- 解读：{flat(rule.reading)}")
        out.append(f"- 适用条件：{condition_zh(rule.applies, stack)}")
        out.append(f"- 违反条件：{condition_zh(rule.violated, stack)}")
        if rule.approval:
            who = "、".join(APPROVER_ZH[b] for b in rule.approval.by)
            how = "批准可以解除（记为豁免）" if rule.approval.lifts else "批准是程序的一部分，不记为豁免"
            out.append(f"- 批准：{who}；{how}" + (f"。{flat(rule.approval.reading)}" if rule.approval.reading else ""))
        names = sorted(rule.params_tested | {p for f in rule.facts_tested | set(rule.report) if f in FACTS for p in FACTS[f].params})
        params = _param_lines(names, stack)
        if params:
            out.append("- 参数：")
            out += ["  " + line for line in params]
        out.append(f"- 说明：{rule.message.zh}")
        out.append(f"- 怎么办：{rule.remedy.zh}")
        out.append("- 场景：")
        out += ["  " + line for line in _scenario_lines(rule.id, scenarios)]
        out.append("")
    if pack.obligations:
        out += ["## 年度义务（只在年度审计中核查） Yearly obligations", ""]
    for duty in pack.obligations:
        out += _quoted(f"### {duty.article if not duty.article.isdigit() else '第' + duty.article + '条'} {duty.title}（`{duty.id}`）", duty.source, duty.text)
        out.append(f"- 解读：{flat(duty.reading)}")
        binds = "、".join(f"{k.name or ''}（{k.type}, {k.level}）" for k in duty.applies_to)
        out.append(f"- 约束：{binds}")
        counts = KIND_ZH[duty.counts.kind] + (f"，标题、议题或简报名称含：{'、'.join(duty.counts.keywords)}" if duty.counts.keywords else "")
        if duty.counts.onsite_office:
            counts += "，申明为现场办公会"
        out.append(f"- 计数：{counts}")
        if duty.closed_by is not None:
            closing = duty.closed_by
            out.append(f"- 履行：每一件由本单位一份{KIND_ZH[closing.records.kind]}（含：{'、'.join(closing.records.keywords)}）以 `{closing.link}` 指明销号"
                       + (f"，观察期见参数 `{closing.within}`" if closing.within else "") + (f"；写明{'、'.join(closing.unless)}的不欠" if closing.unless else ""))
            params = _param_lines([closing.within] if closing.within else [], stack)
        else:
            per = "，按单位牵头的每项任务" if duty.per_task == "leads" else ("，按每项任务" if duty.per_task else "")
            counted = "在该期过半日子里有效的期" if duty.periods_counted == "most_days" else "在该期最后一天有效的期"
            out.append(f"- 履行：参数 `{duty.minimum}` 所定的最低数量，周期见参数 `{duty.period}`{per}；只计{counted}")
            params = _param_lines([duty.minimum, duty.period], stack)
        if params:
            out.append("- 参数：")
            out += ["  " + line for line in params]
        out.append("- 场景：")
        out += ["  " + line for line in _scenario_lines(duty.id, scenarios)]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def markdown_to_html(text: str, title: str) -> str:
    """The Markdown above as a standalone page (headings, quotes, lists, code and bold: all the document uses)."""
    import re

    def inline(s: str) -> str:
        s = html.escape(s)
        s = re.sub(r"`([^`]+)`", r"<code>\1</code>", s)
        return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", s)

    body, depth = [], 0
    for line in text.splitlines():
        level = (len(line) - len(line.lstrip(" "))) // 2 + 1 if line.lstrip().startswith("- ") else 0
        while depth > level:
            body.append("</ul>")
            depth -= 1
        while depth < level:
            body.append("<ul>")
            depth += 1
        stripped = line.strip()
        if level:
            body.append(f"<li>{inline(stripped[2:])}</li>")
        elif stripped.startswith("#"):
            n = len(stripped) - len(stripped.lstrip("#"))
            body.append(f"<h{n}>{inline(stripped[n:].strip())}</h{n}>")
        elif stripped.startswith("> "):
            body.append(f"<blockquote>{inline(stripped[2:])}</blockquote>")
        elif stripped:
            body.append(f"<p>{inline(stripped)}</p>")
    body += ["</ul>"] * depth
    style = ("body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.6}blockquote{border-left:4px solid #888;"
             "margin:0;padding:0 1em;background:#f6f6f6}code{background:#eee;padding:0 .2em}")
    return (f"<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def stale(catalog: Catalog, scenarios: ScenarioIndex, folder: Path) -> list[str]:
    """The packs whose committed Markdown under `folder` differs from what the pack renders to (or is missing)."""
    problems = []
    for pack_id in catalog.packs:
        path = folder / f"{pack_id}.md"
        if not path.is_file() or path.read_text(encoding="utf-8") != pack_markdown(catalog, pack_id, scenarios):
            problems.append(str(path))
    return problems


def _quoted(heading: str, source: str, text: str) -> list[str]:
    """A rule's or an obligation's heading and the article it quotes, verbatim."""
    return [heading, "", f"**条文**（{source}）：", "", f"> {text}", ""]
