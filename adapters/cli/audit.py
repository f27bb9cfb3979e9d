"""`jianfu audit`: the yearly compliance report (年度审计) from a register file or database.

Exit codes: 0 every report written; 2 invalid input, an invalid rule pack, an unknown parameter, or an audit that
could not go through the whole register (a worker process died): then nothing is written. A progress bar is shown
on a terminal.
"""

from __future__ import annotations

import os
from datetime import date

from pathlib import Path
from typing import Optional

import typer
from loguru import logger
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from jianfu.adapters.storage.audit_workers import audit as run_audit
from jianfu.engine import Engine, InvalidInput
from jianfu.engine.audit import audit_what_if, implausible_years, parse_parameters, review_day
from jianfu.engine.errors import FieldError

from .common import DbOption, RegisterOption, RulesOption, VerboseOption, guard, load_catalog, setup_logging


def default_workers() -> int:
    """How many processes `jianfu audit --db` uses unless told: one per CPU core (the benchmark times the same)."""
    return os.cpu_count() or 1


def audit(
    year: int = typer.Option(..., "--year", help="审计年度 / the year audited"),
    baseline_year: Optional[int] = typer.Option(None, "--baseline-year", help="简报压减的基准年度（默认上一年） / baseline year of the bulletin cut (default: the year before)"),
    register: Optional[Path] = RegisterOption,
    db: Optional[str] = DbOption,
    out: list[Path] = typer.Option(..., "--out", "-o", help="报告文件，按后缀：.html .xlsx .json .md（可多次） / report file by suffix (repeatable)"),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, max=64, help="并行进程数，默认每个 CPU 核一个（数据库台账按地区分给各进程） / worker processes, one per CPU core by default (a database register is split by jurisdiction)"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="季度督查：只计截至该日的记录和已结束周期的义务（004第18条亮灯预警） / the quarterly review: the year up to this day"),
    param: list[str] = typer.Option([], "--param", help="假设分析：改变规则包参数 NAME=VALUE（可多次） / what-if: change a pack parameter (repeatable)"),
    rules: Optional[Path] = RulesOption,
    verbose: int = VerboseOption,
) -> None:
    """年度合规审计：按各记录日期生效的规则复核当年台账，输出 HTML/XLSX/JSON/Markdown 报告 / the yearly compliance audit."""
    from jianfu.adapters.reports.audit import SUFFIXES, render

    setup_logging(verbose)
    with guard("审计未完成，未写出任何报告 / audit not done: nothing written"):
        problems = report_problems(out, SUFFIXES, register, db)
        problems += implausible_years(("--year", year), ("--baseline-year", baseline_year))
        day = review_day(as_of, year, problems, "--as-of")
        if problems:
            raise InvalidInput(problems)
        catalog = load_catalog(rules)
        overrides = parse_parameters(param, catalog)
        source = _Source(register, db, year, workers or default_workers(), day)
        with _progress() as advance:
            def run(engine, parameters):
                label = "假设分析 / what-if" if parameters else "复核台账记录 / re-checking records"
                return source.audit(engine, baseline_year, advance(label), parameters)

            result, changed = audit_what_if(catalog, overrides, run)
        source.close()
        outputs = [(path, render(path, result, changed, source.name)) for path in out]
    for path, content in outputs:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        typer.echo(str(path))
    logger.info("audit {}: {} records, {} violations", year, result.records_in_year, len(result.violations))
    raise typer.Exit(0)


class _Source:
    """The register to audit: a file read once, or a database read one jurisdiction at a time."""

    def __init__(self, register: Optional[Path], db: Optional[str], year: int, workers: int = 1, as_of: Optional[date] = None):
        self.year = year
        self.as_of = as_of
        self.workers = workers
        self.data = self.store = None
        self.name = str(register) if register is not None else None
        if register is not None:
            from jianfu.adapters.files.read import read_register

            self.data = read_register(register)
        else:
            from jianfu.adapters.storage import open_store

            self.store = open_store(db)
            from jianfu.adapters.storage.connection import shown_url

            self.name = shown_url(self.store.url)

    def audit(self, engine: Engine, baseline_year: Optional[int], progress, parameters=None):
        if self.data is not None:
            data = self.data
            return run_audit(engine, data.units, data.records, data.plans, self.year, baseline_year, progress=progress, parameters=parameters,
                             as_of=self.as_of)
        return self.store.audit(engine, self.year, baseline_year, progress, parameters, self.workers, as_of=self.as_of)

    def close(self) -> None:
        if self.store is not None:
            self.store.close()


class _progress:
    """A rich progress bar on a terminal; nothing otherwise."""

    def __enter__(self):
        console = Console(stderr=True)
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console, transient=True) if console.is_terminal else None
        if self.bar is not None:
            self.bar.start()

        def advance(description: str):
            if self.bar is None:
                return None
            task = self.bar.add_task(description, total=None)

            def update(done: int, total: int) -> None:
                self.bar.update(task, completed=done, total=total)

            return update

        return advance

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False


__all__ = ["audit"]


def report_problems(out: list[Path], suffixes, register: Optional[Path], db: Optional[str]) -> list[FieldError]:
    """What is wrong with a report command's `--out` files and its register (`--register` or `--db`, one of them)."""
    problems = [FieldError(("--out",), f"不支持的报告格式 {p.name}（应为 {' '.join(suffixes)}）", f"unsupported report format {p.name} (use {' '.join(suffixes)})")
                for p in out if p.suffix.lower() not in suffixes]
    if (register is None) == (db is None):
        problems.append(FieldError(("--register",), "须给出 --register 或 --db 之一", "give exactly one of --register or --db"))
    return problems
