"""`jianfu rules diff OLD NEW` and `jianfu rules impact --rules NEW …`: what a revision of the packs changes, in the
packs and in the year's decisions (registered in the `rules` group).

Exit codes: diff 0 the folders' packs are the same, 1 something differs; impact 0 no decision flips, 1 some do;
both 2 for an invalid pack or input (then nothing is written).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import typer
from loguru import logger
from rich.console import Console

from jianfu.engine import Engine, InvalidInput, InvalidPack, load_folder
from jianfu.engine.audit import implausible_years
from jianfu.engine.errors import FieldError
from jianfu.engine.revision import RecordFlip, decision_outcome, diff, engines, impact, record_flips

from .common import EXIT_APPROVED, EXIT_REJECTED, DbOption, RegisterOption, VerboseOption, fail, guard, rules_dir, setup_logging

CHANGE_MARK = {"added": "+", "removed": "-", "changed": "~"}
CHANGE_ZH = {"added": "新增", "removed": "删除", "changed": "修改"}


def _catalog(folder: Path, name: str):
    if not folder.is_dir():
        raise InvalidInput([FieldError((name,), f"规则包目录 {folder} 不存在", f"no such folder of packs: {folder}")])
    try:
        return load_folder(folder)
    except InvalidPack as exc:
        fail(exc, f"规则包无效（{name}） / invalid rule pack ({name})")


def rules_diff(
    old: Path = typer.Argument(..., metavar="OLD", help="原规则包目录 / the packs before"),
    new: Path = typer.Argument(..., metavar="NEW", help="修订后的规则包目录 / the packs after"),
    fmt: str = typer.Option("table", "--format", "-f", help="输出格式 / output format: table | json"),
    verbose: int = VerboseOption,
) -> None:
    """比较两个规则包目录：按规则包列出新增、删除、修改的规则（条文、解读、条件、结果）和参数取值、日期 / what changed between two folders of packs."""
    setup_logging(verbose)
    with guard():
        if fmt not in ("table", "json"):
            raise InvalidInput([FieldError(("--format",), f"输出格式应为 table 或 json，收到 {fmt!r}", f"expected table or json, got {fmt!r}")])
        changes = diff(_catalog(old, "OLD"), _catalog(new, "NEW"))
    if fmt == "json":
        typer.echo(json.dumps({"old": str(old), "new": str(new), "differs": bool(changes), "packs": changes}, ensure_ascii=False, indent=2))
    else:
        show_diff(changes, Console(highlight=False, soft_wrap=True))
    raise typer.Exit(EXIT_REJECTED if changes else EXIT_APPROVED)


def _short(value: Any, width: int = 160) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 1] + "…"


def show_diff(changes: list[dict[str, Any]], console: Console) -> None:
    if not changes:
        console.print("两个目录的规则包相同 / the packs are the same")
        return
    for pack in changes:
        version = pack["version"]
        console.print(f"[bold]{CHANGE_MARK[pack['change']]} 规则包 {pack['id']}[/]（{CHANGE_ZH[pack['change']]}；版本 {version['before'] or '—'} → {version['after'] or '—'}）")
        for f in pack["fields"]:
            console.print(f"    ~ {f['field']}: {_short(f['before'])} → {_short(f['after'])}", markup=False)
        for what, key in (("规则", "rules"), ("义务", "obligations")):
            for item in pack[key]:
                console.print(f"  {CHANGE_MARK[item['change']]} {what} {item['id']}（第{item['article']}条 {item['title']}）{CHANGE_ZH[item['change']]}", markup=False)
                for f in item["fields"]:
                    console.print(f"      {f['field']}: {_short(f['before'])} → {_short(f['after'])}", markup=False)
        for param in pack["parameters"]:
            console.print(f"  {CHANGE_MARK[param['change']]} 参数 {param['name']} {CHANGE_ZH[param['change']]}", markup=False)
            for v in param["values"]:
                console.print(f"      自 {v['date']}: {_short(v['before'])} → {_short(v['after'])}", markup=False)
        for off in pack["switched_off"]:
            console.print(f"  {CHANGE_MARK[off['change']]} 停用规则 {off['rule']}", markup=False)


def rules_impact(
    rules: Path = typer.Option(..., "--rules", help="修订后的规则包目录 / the revised packs"),
    current: Optional[Path] = typer.Option(None, "--current", help="现行规则包目录（默认 JIANFU_RULES 或随附规则包） / the packs in force (default: JIANFU_RULES or the shipped ones)"),
    year: int = typer.Option(..., "--year", help="年度 / the year"),
    register: Optional[Path] = RegisterOption,
    db: Optional[str] = DbOption,
    log: bool = typer.Option(False, "--log", help="同时重放决定日志中该年度的条目（须 --db） / replay the year's decision log entries too (needs --db)"),
    out: list[Path] = typer.Option(..., "--out", "-o", help="报告文件，按后缀：.json .html .md（可多次） / report file by suffix (repeatable)"),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, max=64, help="并行进程数 / worker processes (a database register)"),
    verbose: int = VerboseOption,
) -> None:
    """修订影响：按修订后的规则包重新审查该年度的台账记录（及决定日志），列出决定改变的记录 / which decisions a revision would flip."""
    from jianfu.adapters.reports.impact import SUFFIXES, render

    from .audit import _progress, _Source, default_workers, report_problems

    setup_logging(verbose)
    with guard("修订影响未完成，未写出任何报告 / impact not done: nothing written"):
        problems = report_problems(out, SUFFIXES, register, db)
        if log and db is None:
            problems.append(FieldError(("--log",), "重放决定日志须给出 --db", "--log replays the database's decision log: give --db"))
        problems += implausible_years(("--year", year))
        if problems:
            raise InvalidInput(problems)
        before_catalog = _catalog(rules_dir(current), "--current")
        after_catalog = _catalog(rules, "--rules")
        source = _Source(register, db, year, workers or default_workers())
        try:
            with _progress() as advance:
                first, second = engines(before_catalog, after_catalog)
                before = source.audit(first, None, advance("现行规则 / the packs in force"))
                after = source.audit(second, None, advance("修订后的规则 / the revised packs"))
            result = impact(year, before, after)
            if log:
                result.log_flips, result.log_entries = replay_log(source.store, Engine(after_catalog), year)
        finally:
            source.close()
        outputs = [(path, render(path, result)) for path in out]
    for path, content in outputs:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        typer.echo(str(path))
    logger.info("impact {}: {} flips, {} log flips", year, len(result.flips), len(result.log_flips))
    raise typer.Exit(EXIT_REJECTED if result.flipped else EXIT_APPROVED)


def replay_log(store: Any, engine: Engine, year: int) -> tuple[list[RecordFlip], int]:
    """The decision log's entries about the year, decided again by `engine` against the register as it stood
    when each was made (`jianfu log replay`'s way): the entries whose decision or blocking rules change."""
    from jianfu.adapters.service.replay import decide_again
    from jianfu.adapters.storage import decision_log

    with store.reading() as connection:
        entries = decision_log.entries(connection, limit=10**9, newest_first=False)
    before: dict[str, tuple] = {}
    after: dict[str, tuple] = {}
    replayed = 0
    for entry in entries:
        request = json.loads(entry["request"])
        items = request.get("items", []) if request.get("kind") == "plan" else [request]
        items = [i for i in items if str(i.get("date", ""))[:4] == str(year)]
        if not items:
            continue
        replayed += 1
        logged = json.loads(entry["decision"])
        again = decide_again(store, engine, entry)
        logged, again = (logged, again) if isinstance(logged, list) else ([logged], [again])
        units = {i.get("id"): i.get("unit") or request.get("unit") for i in items}
        for old, new in zip(logged, again):
            if old["id"] not in units:
                continue
            key = f"{old['id']}（日志 #{entry['seq']}）"
            before[key] = (units[old["id"]], *decision_outcome(old))
            after[key] = (units[old["id"]], *decision_outcome(new))
    return record_flips(before, after), replayed


__all__ = ["replay_log", "rules_diff", "rules_impact", "show_diff"]
