"""`jianfu quota UNIT --year Y`: what a unit has used and has left of every counted limit in force for it, and its
yearly obligations as of a day (我的额度).

Exit codes: 0 something is left of every limit and no obligation is missed; 1 a limit is used up or an obligation's
period has come to its last day with something missing; 2 invalid input (an unknown unit, a day outside the year).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from jianfu.engine import Engine, InvalidInput
from jianfu.engine.audit import implausible_years
from jianfu.engine.errors import FieldError
from jianfu.engine.quota import Quota

from .common import EXIT_APPROVED, EXIT_REJECTED, DbOption, RegisterOption, RulesOption, VerboseOption, guard, load_catalog, setup_logging


def parse_day(text: Optional[str], name: str = "--as-of") -> Optional[date]:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput([FieldError((name,), f"日期应为 YYYY-MM-DD，收到 {text!r}", f"expected YYYY-MM-DD, got {text!r}")]) from None


def quota(
    unit: str = typer.Argument(..., metavar="UNIT", help="单位名称 / the unit"),
    year: int = typer.Option(..., "--year", help="年度 / the year"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="截至日期（默认今天，限于该年度内） / as of this day (default: today, kept within the year)"),
    register: Optional[Path] = RegisterOption,
    db: Optional[str] = DbOption,
    fmt: str = typer.Option("table", "--format", "-f", help="输出格式 / output format: table | json"),
    rules: Optional[Path] = RulesOption,
    verbose: int = VerboseOption,
) -> None:
    """我的额度：各项计数限额已用、上限、剩余，及年度义务进度 / a unit's quota left and its obligations."""
    setup_logging(verbose)
    with guard("无法计算额度 / no quota computed"):
        problems = implausible_years(("--year", year))
        if fmt not in ("table", "json"):
            problems.append(FieldError(("--format",), f"输出格式应为 table 或 json，收到 {fmt!r}", f"expected table or json, got {fmt!r}"))
        if (register is None) == (db is None):
            problems.append(FieldError(("--register",), "须给出 --register 或 --db 之一", "give exactly one of --register or --db"))
        if problems:
            raise InvalidInput(problems)
        day = parse_day(as_of)
        engine = Engine(load_catalog(rules))
        from jianfu.adapters import quota as source

        if register is not None:
            from jianfu.adapters.files.read import read_register

            result = source.from_file(engine, read_register(register), unit, year, day)
        else:
            from jianfu.adapters.storage import open_store

            store = open_store(db)
            try:
                result = source.from_store(engine, store, unit, year, day)
            finally:
                store.close()
    if fmt == "json":
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        show(result, Console(highlight=False, width=None if Console().is_terminal else 160))
    raise typer.Exit(EXIT_REJECTED if result.exhausted else EXIT_APPROVED)


def show(result: Quota, console: Console) -> None:
    console.print(f"[bold]{result.unit}　{result.year}年额度（截至 {result.as_of}）[/] / quota as of {result.as_of}")
    limits = Table("条款 art.", "限额 limit", "已用 used", "上限 max", "剩余 left", "已计入 counted")
    for limit in result.limits:
        left = f"[red]{limit.left}[/]" if limit.left == 0 else f"[green]{limit.left}[/]"
        limits.add_row(limit.clause, f"{limit.title}\n{limit.rule}", str(limit.used), str(limit.limit), left, "、".join(limit.ids) or "—")
    console.print(limits)
    obligations = Table("条款 art.", "义务 obligation", "周期 period", "应完成 due", "已完成 met", "尚缺 missing", "剩余天数 days left")
    for o in result.obligations:
        missing = f"[red]{o.missing}[/]" if o.missed else (f"[yellow]{o.missing}[/]" if o.missing else "0")
        obligations.add_row(o.clause, f"{o.title}\n{o.id}", o.period, str(o.due), str(o.met), missing, str(o.days_left))
    console.print(obligations)


__all__ = ["quota", "parse_day", "show"]
