"""`jianfu`: the command line. Thin: read files, call the engine, write what it decided."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Optional

import typer
from loguru import logger
from rich.console import Console

from jianfu.adapters.files.read import item_lines, read_plan, read_register, read_requests
from jianfu.adapters.output import FORMATS, RuleBook, as_json, junit, markdown, sarif, table
from jianfu.adapters.unit_names import UnitNames, plan_items_of_its_unit
from jianfu.engine import Engine, InvalidInput, MemoryRegister
from jianfu.engine.register import EMPTY_REGISTER

from . import audit as audit_cli
from . import bench as bench_cli
from . import quota as quota_cli
from . import intake as intake_cli
from . import register as register_cli
from . import rules as rules_cli
from . import service as service_cli
from .common import EXIT_APPROVED, EXIT_REJECTED, DbOption, RegisterOption, RulesOption, VerboseOption, guard, load_catalog, setup_logging

app = typer.Typer(
    name="jianfu",
    help="减负：按精文简会、统筹规范督查检查考核的规定审查文件、会议、督查检查考核和简报。\n\n"
    "jianfu checks documents, meetings, inspections and bulletins against Jiangxi's burden-reduction rules.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
app.add_typer(rules_cli.app, name="rules")
app.add_typer(register_cli.app, name="register")
app.command("bench")(bench_cli.bench)
app.command("audit")(audit_cli.audit)
app.command("quota")(quota_cli.quota)
app.command("intake")(intake_cli.intake)
app.command("serve")(service_cli.serve)
app.add_typer(service_cli.users_app, name="users")
app.add_typer(service_cli.log_app, name="log")

FormatOption = typer.Option("table", "--format", "-f", help=f"输出格式 / output format: {' | '.join(FORMATS)}")
LangOption = typer.Option("zh", "--lang", help="语言 / language: zh | en")
AsOfOption = typer.Option(None, "--as-of", help="按该日期生效的规则包审查 / decide with the packs in force on this date (YYYY-MM-DD)")


def _as_of(text: Optional[str]) -> Optional[date]:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"应为 YYYY-MM-DD / expected YYYY-MM-DD, got {text!r}", param_hint="--as-of") from None


def _check_choice(value: str, choices: tuple[str, ...], name: str) -> str:
    if value not in choices:
        raise typer.BadParameter(f"应为 {' | '.join(choices)} / expected one of {', '.join(choices)}", param_hint=name)
    return value


def load_register(path: Optional[Path]):
    if path is None:
        return EMPTY_REGISTER
    data = read_register(path)
    logger.info("register {}: {} units, {} records, {} plans", path, len(data.units), len(data.records), len(data.plans))
    return MemoryRegister(data.units, data.records, data.plans)


def _units_named(names: UnitNames, items: list, path: Path) -> list:
    """The items with their units as the register names them; an unknown one an error at its item's line (the
    lines are found only then: a clean file is read once)."""
    try:
        return names.resolve(items, str(path))
    except InvalidInput:
        return names.resolve(items, str(path), item_lines(path))


def emit(decisions, fmt: str, lang: str, book: RuleBook, source: Path | None, lines=None) -> None:
    if fmt == "json":
        sys.stdout.write(as_json(decisions) + "\n")
    elif fmt == "md":
        sys.stdout.write(markdown(decisions, book, lang) + "\n")
    elif fmt == "junit":
        sys.stdout.write(junit(decisions, lang) + "\n")
    elif fmt == "sarif":
        sys.stdout.write(sarif(decisions, book, str(source or ""), lines or [None] * len(decisions), lang) + "\n")
    else:
        table(decisions, Console(highlight=False), book, lang)


@app.command()
def check(
    requests: Path = typer.Argument(..., help="申请文件 / requests file (YAML, JSON, CSV, XLSX)"),
    register: Optional[Path] = RegisterOption,
    db: Optional[str] = DbOption,
    record: bool = typer.Option(False, "--record", help="批准的申请记入台账（与审查同一事务） / record approved requests in the register, in the same transaction"),
    by: Optional[str] = typer.Option(None, "--as", "--by", help="操作人，记入决定日志；默认为操作系统用户 / who records (kept in the decision log; default: the OS user)"),
    as_of: Optional[str] = AsOfOption,
    fmt: str = FormatOption,
    lang: str = LangOption,
    rules: Optional[Path] = RulesOption,
    verbose: int = VerboseOption,
) -> None:
    """逐件审查申请 / screen requests: exit 0 all approved, 1 any rejected, 2 invalid input."""
    setup_logging(verbose)
    _check_choice(fmt, FORMATS, "--format")
    _check_choice(lang, ("zh", "en"), "--lang")
    day = _as_of(as_of)
    if register is not None and (db is not None or record):
        raise typer.BadParameter("--register 与 --db/--record 不能同时使用 / use --register or --db, not both", param_hint="--register")
    with guard():
        catalog = load_catalog(rules)
        items = read_requests(requests)
        engine = Engine(catalog)
        if register is not None:
            data = read_register(register)
            items = _units_named(UnitNames(data.units), items, requests)
            view = MemoryRegister(data.units, data.records, data.plans)
            decisions = [engine.decide(item, view, day) for item in items]
        else:
            from jianfu.adapters.storage import open_store

            from jianfu.adapters.storage import decision_log as log

            store = open_store(db)
            names = UnitNames(store.units())
            if names or record:  # recording names a unit of the register, always: none is made on the fly
                items = _units_named(names, items, requests)
            if record:
                store.refuse_recorded(items, file=str(requests))
                actor = by or log.default_actor()

                def logged(connection, item, decision):
                    log.append(connection, [log.decision_entry(actor, "cli", "recording", item, decision, day)])

                # the whole file in one transaction: every approved item recorded and logged, or none at all
                decisions = store.decide_and_record_all(engine, items, day, actor=actor, then=logged)
            else:
                decisions = [store.decide(engine, item, day) for item in items]
        lines = item_lines(requests) if fmt == "sarif" else None
    emit(decisions, fmt, lang, RuleBook(catalog), requests, lines)
    raise typer.Exit(EXIT_APPROVED if all(d.approved for d in decisions) else EXIT_REJECTED)


@app.command()
def plan(
    plan_file: Path = typer.Argument(..., metavar="PLAN", help="年度计划 / annual plan (YAML, JSON, CSV, XLSX)；写 template 则生成模板 / `template` writes the XLSX template"),
    register: Optional[Path] = RegisterOption,
    db: Optional[str] = DbOption,
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="把决定写回工作簿 / write the workbook back with the decisions (.xlsx)"),
    as_of: Optional[str] = AsOfOption,
    fmt: str = FormatOption,
    lang: str = LangOption,
    rules: Optional[Path] = RulesOption,
    verbose: int = VerboseOption,
) -> None:
    """预审年度计划：各事项按日期顺序，计入台账和计划中此前的事项 / pre-check an annual plan, items in date order.

    `jianfu plan template [--out 模板.xlsx]` 生成带中文表头、下拉选项和示例行的模板 / writes the XLSX template."""
    setup_logging(verbose)
    if str(plan_file) == "template":
        from jianfu.adapters.files.plan_workbook import write_template

        target = out or Path("年度计划模板.xlsx")
        write_template(target)
        typer.echo(str(target))
        raise typer.Exit(0)
    _check_choice(fmt, FORMATS, "--format")
    _check_choice(lang, ("zh", "en"), "--lang")
    day = _as_of(as_of)
    with guard():
        catalog = load_catalog(rules)
        annual = read_plan(plan_file)
        engine = Engine(catalog)
        if register is not None or db is None:
            data = read_register(register) if register is not None else None
            if data is not None and data.units:
                annual = UnitNames(data.units).resolve([annual], str(plan_file), single=True)[0]
            plan_items_of_its_unit(annual, str(plan_file))
            view = load_register(None) if data is None else MemoryRegister(data.units, data.records, data.plans)
            result = engine.check_plan(annual, view, day)
        else:
            from jianfu.adapters.storage import SqlRegister, open_store

            store = open_store(db)
            names = UnitNames(store.units())
            if names:
                annual = names.resolve([annual], str(plan_file), single=True)[0]
            plan_items_of_its_unit(annual, str(plan_file))
            with store.reading() as connection:
                result = engine.check_plan(annual, SqlRegister(connection), day)
        if out is not None:
            from jianfu.adapters.files.plan_workbook import write_checked

            write_checked(plan_file, result, out, RuleBook(catalog), lang)
    if fmt == "table":
        status = "已报市政府督查室备案" if result.filed else "尚未报市政府督查室备案"
        status_en = "filed with the supervision office" if result.filed else "not yet filed with the supervision office"
        note = f"年度计划 {annual.id}（{annual.unit}，{annual.year}年）：{status}" if lang == "zh" else f"annual plan {annual.id} ({annual.unit}, {annual.year}): {status_en}"
        Console(highlight=False).print(note)
    else:
        logger.info("plan {} filed: {}", annual.id, result.filed)
    emit(result.decisions, fmt, lang, RuleBook(catalog), plan_file)
    raise typer.Exit(EXIT_APPROVED if result.approved else EXIT_REJECTED)


@app.command()
def schema(
    out: Path = typer.Option(Path("schemas"), "--out", "-o", help="输出目录 / output folder"),
) -> None:
    """生成规则包、申请、台账和决定的 JSON Schema / write the JSON Schemas of packs, requests, registers, decisions."""
    from jianfu.engine.schemas import all_schemas

    out.mkdir(parents=True, exist_ok=True)
    for name, document in all_schemas().items():
        path = out / f"{name}.schema.json"
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        typer.echo(str(path))

