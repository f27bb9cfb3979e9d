"""`jianfu register init|import|export|show|cancel`: the register (台账) in its database."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from jianfu.adapters.files.read import placed_in, read_register
from jianfu.adapters.files.write import write_register
from jianfu.adapters.storage import open_store
from jianfu.engine.errors import InvalidInput
from jianfu.adapters.storage.decision_log import default_actor

from .common import StoreDbOption, VerboseOption, err_console, guard, setup_logging

app = typer.Typer(help="台账：初始化、导入、导出、查看、取消、备份、恢复 / the register: init, import, export, show, cancel, backup, restore", no_args_is_help=True, rich_markup_mode=None)
ActorOption = typer.Option(None, "--as", "--by", help="操作人，记入决定日志；默认为操作系统用户 / who does it (kept with the record and in the decision log; default: the OS user)")


@app.command()
def init(db: Optional[str] = StoreDbOption, verbose: int = VerboseOption) -> None:
    """创建或升级台账数据库 / create or upgrade the register's database."""
    setup_logging(verbose)
    with guard():
        store = open_store(db)
    typer.echo(f"台账已就绪 / register ready: {store.url}")


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="台账文件 / register file (YAML, JSON, CSV, XLSX)"),
    db: Optional[str] = StoreDbOption,
    by: Optional[str] = ActorOption,
    verbose: int = VerboseOption,
) -> None:
    """导入台账文件：一次事务，任一行有误则全部不导入 / import a register file in one transaction, all or nothing."""
    setup_logging(verbose)
    with guard("导入失败，台账未作任何改动 / import failed: the register is unchanged"):
        data = read_register(file)
        store = open_store(db)

        def progress(stage: str, done: int, total: int) -> None:
            err_console.print(f"导入 {stage} {done}/{total}", highlight=False)

        try:
            counts = store.import_register(data, source=f"import:{file.name}", actor=by or default_actor(), progress=progress)
        except InvalidInput as exc:  # what the database already holds, named at its row of the file
            raise InvalidInput(placed_in(file, exc.errors)) from None
    typer.echo(f"已导入 / imported: 单位 units {counts['units']}，记录 records {counts['records']}，计划 plans {counts['plans']}")


@app.command()
def export(
    out: Path = typer.Argument(..., help="输出文件 / output file (.yaml, .json, .xlsx)"),
    db: Optional[str] = StoreDbOption,
    year: Optional[list[int]] = typer.Option(None, "--year", help="只导出这些年度 / only these years"),
    verbose: int = VerboseOption,
) -> None:
    """导出台账 / export the register."""
    setup_logging(verbose)
    with guard():
        store = open_store(db)
        data = store.register_file(year or None)
        write_register(data, out)
    typer.echo(f"{out}: 单位 {len(data.units)}，记录 {len(data.records)}，计划 {len(data.plans)}")


@app.command()
def show(
    db: Optional[str] = StoreDbOption,
    unit: Optional[str] = typer.Option(None, "--unit", help="单位 / unit"),
    kind: Optional[str] = typer.Option(None, "--kind", help="document | meeting | inspection | bulletin"),
    year: Optional[int] = typer.Option(None, "--year"),
    limit: int = typer.Option(50, "--limit"),
    record_id: Optional[str] = typer.Option(None, "--id", help="查看一条记录及其变更 / one record with its events"),
) -> None:
    """查看台账 / show the register."""
    with guard():
        store = open_store(db)
        console = Console(highlight=False)
        if record_id:
            record = store.record(record_id)
            if record is None:
                err_console.print(f"没有记录 {record_id} / no record {record_id}")
                raise typer.Exit(2)
            for key in ("id", "kind", "jurisdiction", "unit", "date", "status", "title", "source", "recorded_by", "recorded_at"):
                console.print(f"{key}: {record[key]}")
            for ev in record["events"]:
                console.print(f"  {ev['at']} {ev['event']} → {ev['status']} {ev['actor'] or ''} {ev['reason'] or ''}")
            return
        rows = store.records(unit, kind, year, limit)
        counts = store.counts()
    t = Table(title=f"台账 {store.url}（单位 {counts['units']}，记录 {counts['records']}，计划 {counts['plans']}）")
    for col in ("编号", "类别", "单位", "日期", "状态", "标题", "来源"):
        t.add_column(col, overflow="fold")
    for r in rows:
        t.add_row(r["id"], r["kind"], r["unit"], str(r["date"]), r["status"], r["title"] or "", r["source"])
    console.print(t)


@app.command()
def cancel(
    record_id: str = typer.Argument(..., metavar="ID"),
    reason: str = typer.Option(..., "--reason", help="取消原因 / why"),
    db: Optional[str] = StoreDbOption,
    by: Optional[str] = ActorOption,
) -> None:
    """取消一条记录（保留，不再计数） / cancel a record: it stays, marked cancelled, and no longer counts."""
    with guard():
        open_store(db).cancel(record_id, reason, by or default_actor())
    typer.echo(f"{record_id} 已取消 / cancelled")



@app.command("backup")
def backup_(
    file: Path = typer.Argument(..., help="备份文件 / backup file"),
    db: Optional[str] = StoreDbOption,
) -> None:
    """备份台账与决定日志（SQLite 在线备份；PostgreSQL 为可移植的导出） / back up the register and its decision log."""
    from jianfu.adapters.storage.backup import backup

    with guard("备份失败 / backup failed"):
        counts = _on_store(db, lambda store: backup(store, file))
    typer.echo(f"已备份 / backed up to {file}: " + _counts(counts))


@app.command("restore")
def restore_(
    file: Path = typer.Argument(..., help="备份文件 / backup file"),
    db: Optional[str] = StoreDbOption,
) -> None:
    """把备份恢复到空台账：一次事务，决定日志须核验通过 / restore a backup into an empty register, all or nothing."""
    from jianfu.adapters.storage.backup import restore

    with guard("恢复失败，台账未作任何改动 / restore failed: the register is unchanged"):
        counts = _on_store(db, lambda store: restore(store, file))
    typer.echo(f"已恢复 / restored from {file}: " + _counts(counts))


def _on_store(db: Optional[str], work):
    """`work(store)` on the register at `db`, the store closed after it."""
    store = open_store(db)
    try:
        return work(store)
    finally:
        store.close()


def _counts(counts: dict[str, int]) -> str:
    return "，".join(f"{name} {n}" for name, n in counts.items())
