"""`jianfu serve`, `jianfu users add|list|revoke` and `jianfu log verify|replay|show`: the service from the command line."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from jianfu import shipped

from .common import StoreDbOption, EXIT_INVALID, RulesOption, VerboseOption, err_console, guard, load_catalog, setup_logging

UsersOption = typer.Option(None, "--users", envvar="JIANFU_USERS", help="用户文件 / users file (YAML; default: the user's config directory)")
DEMO_USERS = (
    ("办公室", "office", None),
    ("市教育局", "department", "市教育局"),
    ("审计", "auditor", None),
    ("管理员", "admin", None),
)

users_app = typer.Typer(help="用户与令牌：添加、列出、吊销 / users and their tokens: add, list, revoke", no_args_is_help=True, rich_markup_mode=None)
log_app = typer.Typer(help="决定日志：核验、重放、查看 / the decision log: verify, replay, show", no_args_is_help=True, rich_markup_mode=None)


def _users_file(option: Optional[Path]) -> Path:
    from jianfu.adapters.service.settings import default_users_file

    return Path(option) if option else default_users_file()


# -- serve -----------------------------------------------------------------------------------------------------------
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址 / address to listen on"),
    port: int = typer.Option(8000, "--port", help="端口 / port"),
    db: Optional[str] = StoreDbOption,
    users: Optional[Path] = UsersOption,
    workers: int = typer.Option(1, "--workers", min=1, help="工作进程数；多个进程共用一个 PostgreSQL 即可横向扩展 / worker processes"),
    rules: Optional[Path] = RulesOption,
    max_body: int = typer.Option(5 * 1024 * 1024, "--max-body", help="请求体上限（字节） / largest request body (bytes)"),
    demo: bool = typer.Option(False, "--demo", help="示例：新建 SQLite 台账并导入 examples/register.yaml，建四个用户并打印令牌 / a fresh sample register and four users, their tokens printed"),
    demo_dir: Path = typer.Option(Path(".jianfu-demo"), "--demo-dir", help="示例数据目录 / where --demo keeps its database and users"),
    verbose: int = VerboseOption,
) -> None:
    """启动服务（网页与 API） / serve the web pages and the API (uvicorn)."""
    from jianfu.adapters.service.auth import UsersFile

    setup_logging(verbose)
    if demo:
        db, users = _demo(demo_dir, db, users)
    with guard("服务无法启动 / the service cannot start"):
        load_catalog(rules)  # an invalid pack stops here, with every error printed
        from jianfu.adapters.storage import open_store

        open_store(db).close()  # migrate once here, not in every worker at the same time
    users_file = _users_file(users)
    try:
        known = UsersFile(users_file).users()
    except ValueError as exc:
        err_console.print(str(exc), markup=False)
        raise typer.Exit(EXIT_INVALID) from None
    if not known:
        err_console.print(f"注意：{users_file} 中没有用户，所有请求都将被拒绝；用 jianfu users add 添加 / "
                          f"no users in {users_file}: every request will be refused until `jianfu users add`", markup=False)
    env = {"JIANFU_USERS": str(users_file), "JIANFU_MAX_BODY": str(max_body)}
    if db:
        env["JIANFU_DATABASE_URL"] = db
    if rules:
        env["JIANFU_RULES"] = str(Path(rules).resolve())
    os.environ.update(env)
    typer.echo(f"jianfu 服务 / serving on http://{host}:{port}/  (API http://{host}:{port}/api/v1, 文档 docs http://{host}:{port}/docs)")
    import uvicorn

    uvicorn.run(
        "jianfu.adapters.service.app:app_from_environment", factory=True, host=host, port=port, workers=workers,
        log_level="warning" if verbose == 0 else "info", access_log=verbose > 0, proxy_headers=False,
    )


def _demo(folder: Path, db: Optional[str], users: Optional[Path]) -> tuple[str, Path]:
    """A fresh SQLite register with the sample data and four users whose tokens are printed once."""
    from jianfu.adapters.files.read import read_register
    from jianfu.adapters.service.auth import ROLE_ZH, UsersFile
    from jianfu.adapters.storage import open_store

    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    db = db or str((folder / "register.sqlite3").resolve())
    users = users or (folder / "users.yaml").resolve()
    with guard():
        store = open_store(db)
        counts = store.import_register(read_register(shipped("examples") / "register.yaml"), source="import:register.yaml", actor="demo")
        store.close()
    typer.echo(f"示例台账 / sample register: {db}（单位 {counts['units']}，记录 {counts['records']}，计划 {counts['plans']}）")
    file = UsersFile(users)
    typer.echo(f"示例用户（令牌只显示这一次） / demo users, tokens shown once ({users}):")
    for name, role, unit in DEMO_USERS:
        token = file.add(name, role, unit)
        typer.echo(f"  {name:<6} {role:<10} {ROLE_ZH[role]}{'（' + unit + '）' if unit else ''}\n    令牌 token: {token}")
    typer.echo("登录网页时填写用户名和令牌；API 使用 Authorization: Bearer <令牌> / log in with the name and token; the API takes Bearer tokens")
    return db, users


# -- users -----------------------------------------------------------------------------------------------------------
@users_app.command("add")
def users_add(
    name: str = typer.Argument(..., help="用户名 / user name"),
    role: str = typer.Option(..., "--role", help="office | department | auditor | admin"),
    unit: Optional[str] = typer.Option(None, "--unit", help="部门用户绑定的单位 / the unit a department user is bound to"),
    users: Optional[Path] = UsersOption,
) -> None:
    """添加用户，打印其令牌（只显示这一次） / add a user and print their token (shown this once only)."""
    from jianfu.adapters.service.auth import UsersFile

    try:
        token = UsersFile(_users_file(users)).add(name, role, unit)
    except ValueError as exc:
        err_console.print(str(exc), markup=False)
        raise typer.Exit(EXIT_INVALID) from None
    typer.echo(token)


@users_app.command("list")
def users_list(users: Optional[Path] = UsersOption) -> None:
    """列出用户（不显示令牌） / list the users (never their tokens)."""
    from jianfu.adapters.service.auth import ROLE_ZH, UsersFile

    table = Table("用户 / name", "角色 / role", "单位 / unit")
    try:
        found = UsersFile(_users_file(users)).users()
    except ValueError as exc:
        err_console.print(str(exc), markup=False)
        raise typer.Exit(EXIT_INVALID) from None
    for user in found:
        table.add_row(user.name, f"{user.role}（{ROLE_ZH[user.role]}）", user.unit or "—")
    Console(highlight=False).print(table)


@users_app.command("revoke")
def users_revoke(name: str = typer.Argument(...), users: Optional[Path] = UsersOption) -> None:
    """吊销用户及其令牌（运行中的服务立即生效） / revoke a user and their token (a running service stops accepting it at once)."""
    from jianfu.adapters.service.auth import UsersFile

    try:
        UsersFile(_users_file(users)).revoke(name)
    except ValueError as exc:
        err_console.print(str(exc), markup=False)
        raise typer.Exit(EXIT_INVALID) from None
    typer.echo(f"已吊销 / revoked: {name}")


# -- the decision log --------------------------------------------------------------------------------------------------
@log_app.command("verify")
def log_verify(db: Optional[str] = StoreDbOption, as_json: bool = typer.Option(False, "--json")) -> None:
    """核验决定日志的哈希链：被改动或缺失的条目逐一列出，退出码 1 / find every altered or missing entry (exit 1)."""
    from jianfu.adapters.storage import decision_log as log
    from jianfu.adapters.storage import open_store

    with guard():
        store = open_store(db)
        with store.reading() as connection:
            count, problems = log.verify_connection(connection)
            last, head = log.head(connection)
        store.close()
    if as_json:
        typer.echo(json.dumps({"ok": not problems, "entries": count, "head": {"seq": last, "hash": head}, "problems": [p.as_json() for p in problems]}, ensure_ascii=False))
    else:
        for problem in problems:
            err_console.print(str(problem), markup=False)
        verdict = "完好 / intact" if not problems else f"发现 {len(problems)} 处问题 / {len(problems)} problems"
        typer.echo(f"决定日志 / decision log: {count} 条 entries，{verdict}；最新 head #{last} {head}")
    raise typer.Exit(1 if problems else 0)


@log_app.command("replay")
def log_replay(
    seq: int = typer.Argument(..., metavar="ID", help="日志条目编号 / entry number (seq)"),
    db: Optional[str] = StoreDbOption,
    rules: Optional[Path] = RulesOption,
) -> None:
    """按条目所列规则包重新作出决定，并说明结果是否相同 / decide the entry again with the packs it names: same or not.

    Exit 0 the same; 1 different, or a pack it names changed or is missing (then nothing is claimed); 2 no such entry."""
    from jianfu.adapters.service.replay import replay
    from jianfu.adapters.storage import open_store

    with guard():
        catalog = load_catalog(rules)
        store = open_store(db)
        try:
            result = replay(store, catalog, seq)
        except LookupError as exc:
            err_console.print(str(exc), markup=False)
            raise typer.Exit(EXIT_INVALID) from None
        finally:
            store.close()
    typer.echo(f"{result.zh} / {result.en}")
    for line in result.differences:
        typer.echo(f"  {line}")
    raise typer.Exit(0 if result.same else 1)


@log_app.command("show")
def log_show(db: Optional[str] = StoreDbOption, limit: int = typer.Option(20, "--limit")) -> None:
    """最近的日志条目 / the newest entries."""
    from jianfu.adapters.storage import decision_log as log
    from jianfu.adapters.storage import open_store

    with guard():
        store = open_store(db)
        with store.reading() as connection:
            rows = log.entries(connection, limit=limit)
        store.close()
    table = Table("#", "时间 / at", "用户 / actor", "动作 / action", "编号 / id", "决定 / decision")
    for row in rows:
        decision = json.loads(row["decision"])
        verdict = decision.get("decision") if isinstance(decision, dict) else f"{sum(d['decision'] == 'approve' for d in decision)}/{len(decision)} approve"
        table.add_row(str(row["seq"]), row["at"], row["actor"], row["action"], row["request_id"], verdict)
    Console(highlight=False).print(table)
