"""The report of `jianfu rules impact`: what a revision of the packs would change in a year's decisions, as JSON (the
issue's contract), a one-file HTML page to read and print, or Markdown to paste."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from jinja2 import Environment, FileSystemLoader, select_autoescape

from jianfu.engine.messages import DECISION_ZH
from jianfu.engine.revision import Impact

TEMPLATES = Path(__file__).parent / "templates"


def shown(decision: str, waived: list[str]) -> str:
    """A side of a flip as the report shows it: the decision, and the rules an approval had to lift."""
    return DECISION_ZH[decision] + (f"（经批准豁免：{'、'.join(waived)}）" if waived else "")


def _rows(flips) -> list[dict[str, Any]]:
    return [{**f.as_dict(), "before_shown": shown(f.before, f.waived_before), "after_shown": shown(f.after, f.waived_after)} for f in flips]


def to_json(impact: Impact) -> bytes:
    return (json.dumps(impact.as_dict(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def to_html(impact: Impact) -> bytes:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"]))
    html = env.get_template("impact.html.j2").render(data=impact.as_dict(), rows={"flips": _rows(impact.flips), "log_flips": _rows(impact.log_flips)})
    return html.encode("utf-8")


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def to_markdown(impact: Impact) -> bytes:
    data = impact.as_dict()
    before = "、".join(f"{p['id']}@{p['version']}" for p in data["packs"]["before"]) or "—"
    after = "、".join(f"{p['id']}@{p['version']}" for p in data["packs"]["after"]) or "—"
    lines = [f"# {data['year']}年规则修订影响 / what the revision changes", "",
             f"- 现行规则包 / in force: {before}", f"- 修订后 / revised: {after}",
             f"- 复核记录 / records decided: {data['records_decided']}；决定改变 / flips: {len(data['flips'])}"]
    if data["log_entries_replayed"] is not None:
        lines.append(f"- 决定日志重放 / log entries replayed: {data['log_entries_replayed']}；改变 / flips: {len(data['log_flips'])}")
    for title, flips in (("台账记录 / register", impact.flips), ("决定日志 / decision log", impact.log_flips)):
        if flips:
            lines += ["", f"## {title}", "", "| 记录 | 单位 | 现行 | 修订后 | 规则 |", "| --- | --- | --- | --- | --- |"]
            lines += [f"| {_md(f['record_id'])} | {_md(f['unit'])} | {_md(f['before_shown'])} | {_md(f['after_shown'])} | {_md('、'.join(f['rules']))} |"
                      for f in _rows(flips)]
    if data["by_rule"]:
        lines += ["", "## 按规则 / by rule", ""] + [f"- {_md(rule)}: {n}" for rule, n in data["by_rule"].items()]
    if data["by_unit"]:
        lines += ["", "## 按单位 / by unit", ""] + [f"- {_md(unit)}: {n}" for unit, n in data["by_unit"].items()]
    lines += ["", "## 亮灯或简报结果改变的单位 / units whose results change", ""]
    lines += [f"- {_md(u['description'])}" for u in data["units"]] or ["- 无 / none"]
    if not data["flips"] and not data["log_flips"]:
        lines += ["", "没有决定因修订而改变。 / No decision changes."]
    return ("\n".join(lines) + "\n").encode("utf-8")


WRITERS: dict[str, Callable[[Impact], bytes]] = {".json": to_json, ".html": to_html, ".md": to_markdown}
SUFFIXES = tuple(WRITERS)


def render(path: Path, impact: Impact) -> bytes:
    return WRITERS[path.suffix.lower()](impact)


__all__ = ["SUFFIXES", "render", "to_html", "to_json", "to_markdown"]
