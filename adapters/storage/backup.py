"""`jianfu register backup FILE` and `jianfu register restore FILE`: the register and its decision log, whole.

SQLite is copied with SQLite's online backup (a consistent copy while other processes keep writing; the copy is
itself a register file). PostgreSQL is dumped portably, in one REPEATABLE READ snapshot, as gzip'd JSON lines: a
header, then one line per row of the units, records and their events, plans and their items, approvals and the
decision log. Either kind of backup restores into an empty register of either database, in one transaction, and
only if the restored decision log still verifies; users live in their own file (`jianfu users`), backed up with it.
"""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import Boolean, Date, DateTime, create_engine, func, insert, select, text

from jianfu.engine.errors import FieldError, InvalidInput

from . import decision_log as log
from . import tables as t
from . import tallies
from .connection import sqlite_file

FORMAT = "jianfu-register-dump"
TABLES = (t.units, t.records, t.record_events, t.plans, t.plan_items, t.approvals, t.decision_log)
SQLITE_MAGIC = b"SQLite format 3\x00"


def backup(store, target: Path) -> dict[str, int]:
    """Write the register at `store` to `target` (written whole to a temporary name, then renamed into place)."""
    target = Path(target)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if store.dialect == "sqlite":
            counts = _sqlite_backup(store, partial)
        else:
            counts = _dump(store, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return counts


def _sqlite_backup(store, target: Path) -> dict[str, int]:
    source = sqlite3.connect(sqlite_file(store.url), timeout=60)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # pages copied under SQLite's own locking: a consistent snapshot
    finally:
        copy.close()
        source.close()
    engine = create_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as connection:
            return {table.name: int(connection.execute(select(func.count()).select_from(table)).scalar_one()) for table in TABLES}
    finally:
        engine.dispose()


def _dump(store, target: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    with store.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin(), gzip.open(target, "wt", encoding="utf-8") as out:
            out.write(json.dumps({"format": FORMAT, "version": 1, "tables": [table.name for table in TABLES]}) + "\n")
            for table in TABLES:
                counts[table.name] = 0
                for row in connection.execute(select(table)).mappings():
                    out.write(json.dumps({"table": table.name, "row": dict(row)}, ensure_ascii=False, default=_plain) + "\n")
                    counts[table.name] += 1
    return counts


def _plain(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def restore(store, source: Path) -> dict[str, int]:
    """Load a backup into the empty register at `store`: all of it, with its decision log verifying, or nothing."""
    source = Path(source)
    if not source.is_file():
        raise InvalidInput([FieldError((), "备份文件不存在", "no such backup file", file=str(source))])
    with store.reading() as connection:
        held = {table.name: int(connection.execute(select(func.count()).select_from(table)).scalar_one()) for table in TABLES}
    if any(held.values()):
        raise InvalidInput([FieldError((), "只能恢复到空台账：目标台账中已有数据", "restore only into an empty register: this one holds data", file=str(source))])
    with source.open("rb") as stream:
        sqlite_backup = stream.read(16) == SQLITE_MAGIC
    counts = {table.name: 0 for table in TABLES}
    with store.writing() as connection:
        for name, rows in _rows(source, sqlite_backup):
            table = t.metadata.tables[name]
            batch = [_typed(table, row) for row in rows]
            for start in range(0, len(batch), 2_000):
                connection.execute(insert(table), batch[start : start + 2_000])
            counts[name] += len(batch)
        tallies.rebuild(connection)  # derived from the records, so not in the backup
        if store.dialect == "postgresql":  # the serial columns go on after the restored rows
            for table in (t.records, t.record_events, t.approvals):
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'seq'), COALESCE((SELECT MAX(seq) FROM {table.name}), 0) + 1, false)"))
        _, problems = log.verify_connection(connection)
        if problems:  # rolled back: a backup whose log does not verify is not restored
            raise InvalidInput([FieldError((), f"备份中的决定日志无法核验：{problems[0].zh}", f"the backup's decision log does not verify: {problems[0].en}", file=str(source))])
    return counts


def _rows(source: Path, sqlite_backup: bool) -> Iterator[tuple[str, list[dict]]]:
    if sqlite_backup:
        from sqlalchemy.exc import DatabaseError

        engine = create_engine(f"sqlite:///{source}")
        try:
            with engine.connect() as connection:
                read = [(table.name, [dict(r) for r in connection.execute(select(table)).mappings()]) for table in TABLES]
        except DatabaseError as exc:  # cut short, damaged, or no register in it
            cause = str(getattr(exc, "orig", exc))
            raise InvalidInput([FieldError((), f"备份文件无法读取：{cause}", f"the backup cannot be read: {cause}", file=str(source))]) from None
        finally:
            engine.dispose()
        yield from read
        return
    try:
        with gzip.open(source, "rt", encoding="utf-8") as stream:
            header = json.loads(stream.readline() or "{}")
            if header.get("format") != FORMAT:
                raise InvalidInput([FieldError((), "不是 jianfu 台账备份", "not a jianfu register backup", file=str(source))])
            grouped: dict[str, list[dict]] = {table.name: [] for table in TABLES}
            for number, line in enumerate(stream, start=2):
                entry = json.loads(line)
                if entry.get("table") not in grouped:
                    raise InvalidInput([FieldError((), f"未知的表 {entry.get('table')!r}", f"unknown table {entry.get('table')!r}", file=str(source), line=number)])
                grouped[entry["table"]].append(entry["row"])
    except (OSError, EOFError, ValueError) as exc:  # not gzip, cut short, not JSON
        raise InvalidInput([FieldError((), f"备份文件无法读取：{exc}", f"the backup cannot be read: {exc}", file=str(source))]) from None
    yield from grouped.items()


def _typed(table, row: dict) -> dict:
    """A dumped row with its dates, times and flags as the column's Python type again."""
    out = {}
    for key, value in row.items():
        if key not in table.c:
            raise InvalidInput([FieldError((table.name, key), f"备份中的列 {table.name}.{key} 不在本版本的台账中", f"the backup's column {table.name}.{key} is not in this version's register")])
        column = table.c[key]
        if value is not None and isinstance(value, str):
            if isinstance(column.type, DateTime):
                value = datetime.fromisoformat(value)
            elif isinstance(column.type, Date):
                value = date.fromisoformat(value[:10])
        if value is not None and isinstance(column.type, Boolean):
            value = bool(value)
        out[key] = value
    return out
