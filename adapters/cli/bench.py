"""`jianfu bench`: the benchmark of bench/ from the command line (figures for the README, not a test)."""

from __future__ import annotations

import json
from typing import Optional

import typer


def bench(
    records: int = typer.Option(1_000_000, "--records", help="台账记录数 / records in the generated register"),
    db: Optional[str] = typer.Option(None, "--db", help="数据库 URL（默认用户缓存目录下的 SQLite） / database URL (default: a SQLite file in the user cache folder)"),
    seed: int = typer.Option(7, "--seed"),
    samples: int = typer.Option(2000, "--samples", help="审查次数 / screenings to time"),
    as_json: bool = typer.Option(False, "--json", help="输出一个 JSON 对象 / print one JSON object"),
    service: bool = typer.Option(False, "--service", help="压测运行中的服务（HTTP，回环） / load the running service over loopback"),
    seconds: float = typer.Option(60.0, "--seconds", help="--service：计时秒数 / measured seconds"),
    workers: int = typer.Option(2, "--workers", help="--service：服务工作进程数 / service worker processes"),
    clients: int = typer.Option(8, "--clients", help="--service：并发连接数 / concurrent connections"),
    only: Optional[str] = typer.Option(None, "--only", help="只运行一部分：audit（年度审计：每核一个进程，再单进程）、intake（公文读取的字段准确率） / run one part only: audit (one process per core, then one), intake (field accuracy of reading paperwork)"),
) -> None:
    """基准测试：全省规模台账上的审查速度；--service 压测服务 / benchmark screenings; --service loads the service."""
    if only not in (None, "audit", "intake"):
        raise typer.BadParameter(f"未知的部分 {only}，可选 audit、intake / unknown part {only}: audit, intake", param_hint="--only")
    if only == "intake":  # the field-level accuracy of reading paperwork (bench/intake.py): no register to generate
        from jianfu.bench.intake import run as run_intake

        result = run_intake()
    elif service:
        from importlib import import_module

        try:
            import_module("httpx")  # the load generator's client comes with the test extra only
        except ImportError:
            typer.echo("jianfu bench --service 需要 httpx：pip install httpx（或 pip install 'jianfu[test]'） / "
                       "jianfu bench --service needs httpx: pip install httpx (or the test extra)", err=True)
            raise typer.Exit(2)
        from jianfu.bench.service import run as run_service

        result = run_service(seconds=seconds, workers=workers, clients=clients, db=db)
    else:
        from jianfu.bench.run import run

        result = run(records=records, db=db, seed=seed, samples=samples, only=only)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
    else:
        for key, value in result.items():
            typer.echo(f"{key}: {value}")
