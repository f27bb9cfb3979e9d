"""What every command shares: finding the rule packs, logging, printing errors, the exit codes of SPEC.

Exit codes: 0 every request approved; 1 any rejected; 2 invalid input, an invalid rule pack or a rule that could not
be evaluated (and then nothing is decided and nothing written).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

import typer
from loguru import logger
from rich.console import Console

from jianfu import shipped
from jianfu.engine import Catalog, InvalidInput, InvalidPack, load_folder
from jianfu.engine.errors import EvaluationError, JianfuError

EXIT_APPROVED, EXIT_REJECTED, EXIT_INVALID = 0, 1, 2
DEFAULT_RULES = shipped("rules")

err_console = Console(stderr=True, highlight=False, soft_wrap=True)  # an error line is never broken: file paths stay greppable

RulesOption = typer.Option(None, "--rules", envvar="JIANFU_RULES", help="规则包目录 / folder of rule packs", show_default=str(DEFAULT_RULES))
RegisterOption = typer.Option(None, "--register", "-r", help="台账文件 / register file (YAML, JSON, CSV, XLSX)")
# Where --register is the alternative, --db has no environment default: JIANFU_DATABASE_URL must not make a command
# that was given a file see two registers. Commands on the database alone take it from the environment.
DbOption = typer.Option(None, "--db", help="台账数据库 URL 或 SQLite 文件 / register database URL or SQLite file")
StoreDbOption = typer.Option(None, "--db", envvar="JIANFU_DATABASE_URL", help="数据库 URL 或 SQLite 文件 / database URL or SQLite file (default: the user's data directory)")
VerboseOption = typer.Option(0, "--verbose", "-v", count=True, help="更多日志（-vv 调试） / more logging")


def setup_logging(verbose: int) -> None:
    logger.remove()
    level = {0: "WARNING", 1: "INFO"}.get(verbose, "DEBUG")
    logger.add(sys.stderr, level=level, format="<dim>{time:HH:mm:ss}</dim> <level>{level: <7}</level> {message}")


def rules_dir(option: Path | None) -> Path:
    return Path(option) if option else Path(os.environ.get("JIANFU_RULES", DEFAULT_RULES))


def load_catalog(option: Path | None) -> Catalog:
    folder = rules_dir(option)
    logger.info("loading rule packs from {}", folder)
    try:
        catalog = load_folder(folder)
    except InvalidPack as exc:
        fail(exc, "规则包无效 / invalid rule pack")
    logger.info("packs: {}", ", ".join(f"{p.id}@{p.pack.version}" for p in catalog.packs.values()))
    return catalog


def fail(exc: BaseException, title: str) -> NoReturn:
    """Print every error of an invalid input or pack, then exit 2."""
    err_console.print(f"[bold red]{title}[/]")
    err_console.print(f"  错误代码 / code: {getattr(exc, 'code', 'error')}", markup=False)  # docs/errors.md
    if isinstance(exc, (InvalidInput, InvalidPack)):
        for error in exc.errors:
            err_console.print(f"  {error}", markup=False)
    else:
        err_console.print(f"  {exc}", markup=False)
    raise typer.Exit(EXIT_INVALID)


def guard(title: str = "无法作出决定 / nothing decided"):
    """Context manager turning jianfu's errors into exit code 2 with the reasons printed."""

    class _Guard:
        def __enter__(self):
            return self

        def __exit__(self, kind, exc, tb):
            if exc is None or isinstance(exc, typer.Exit):
                return False
            if isinstance(exc, InvalidInput):
                fail(exc, "输入无效，未作任何决定 / invalid input: nothing decided")
            if isinstance(exc, InvalidPack):
                fail(exc, "规则包无效 / invalid rule pack")
            if isinstance(exc, (EvaluationError, JianfuError)):
                fail(exc, title)
            if isinstance(exc, RecursionError):  # a reader that let a deep structure through: still invalid input
                err_console.print("输入无效：嵌套过深，未作任何决定 / invalid input: nested too deep, nothing decided")
                raise typer.Exit(EXIT_INVALID)
            from jianfu.adapters.storage.connection import RegisterUnreachable, unreachable

            if isinstance(exc, RegisterUnreachable):
                err_console.print(str(exc), markup=False)
                raise typer.Exit(EXIT_INVALID)
            if unreachable(exc):  # the database went away after it was opened
                err_console.print(str(RegisterUnreachable(getattr(exc, "url", "") or "database://", exc)), markup=False)
                raise typer.Exit(EXIT_INVALID)
            return False

    return _Guard()
