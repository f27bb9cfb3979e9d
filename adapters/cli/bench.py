"""`jianfu bench`: the benchmark of bench/ from the command line (figures for the README, not a test)."""

from __future__ import annotations

import json
from typing import Optional

import typer


def bench(
    records: int = typer.Option(1_000_000, "--records", help="台账记录数 / records in the generated register"),
    db: Optional[str] = typer.Option(None, "--db", help="数据库 URL（默认 bench/.cache 下的 SQLite） / database URL"),
    seed: int = typer.Option(7, "--seed"),
    samples: int = typer.Option(2000, "--samples", help="审查次数 / screenings to time"),
    as_json: bool = typer.Option(False, "--json", help="输出一个 JSON 对象 / print one JSON object"),
) -> None:
    """基准测试：全省规模台账上的审查速度 / benchmark screenings against a province-sized register."""
    from bench.run import run

    result = run(records=records, db=db, seed=seed, samples=samples)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
    else:
        for key, value in result.items():
            typer.echo(f"{key}: {value}")
