"""The register's database: where it is (a URL or a SQLite file), its schema (Alembic), and its transactions.

One unit of work per screening that records: the limits are checked and the approved request recorded in the same
transaction, under a lock that makes concurrent recordings of one jurisdiction take turns (SQLite: BEGIN
IMMEDIATE; PostgreSQL: a transaction-scoped advisory lock on the jurisdiction). So two simultaneous requests for
the last slot of a limit never both get approved.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Sequence

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from jianfu.engine import Decision
from jianfu.engine.errors import InvalidInput
from jianfu.engine.requests import Approval

from .sql_register import SqlRegister

MIGRATIONS = Path(__file__).with_name("migrations")

def default_url() -> str:
    """JIANFU_DATABASE_URL, or a SQLite file under the user's data directory."""
    url = os.environ.get("JIANFU_DATABASE_URL")
    if url:
        return url
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("jianfu", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'register.sqlite3'}"


def normalise_url(url_or_path: str | None) -> str:
    """A URL as given, or a file path for SQLite (`--db register.db`)."""
    if not url_or_path:
        url_or_path = default_url()
    if url_or_path.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url_or_path.split("://", 1)[1]  # psycopg 3 is the driver we ship
    if "://" in url_or_path:
        return url_or_path
    return f"sqlite:///{Path(url_or_path).expanduser().resolve()}"


def sqlite_file(url_or_path: str) -> str | None:
    """The file of an SQLite register (given as a URL or a path); None for a server's database or one in memory."""
    url = make_url(normalise_url(url_or_path))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return url.database


class RegisterUnreachable(Exception):
    """The register's database cannot be reached (no server there, wrong password, a file that cannot be opened):
    one line for people, naming the database (its password left out) and the cause."""

    def __init__(self, url: str, cause: BaseException):
        self.url = shown_url(url)
        reason = str(getattr(cause, "orig", None) or cause).strip().splitlines()
        self.cause = reason[0] if reason else type(cause).__name__
        self.zh = f"无法连接台账数据库 {self.url}：{self.cause}"
        self.en = f"cannot reach the register's database {self.url}: {self.cause}"
        super().__init__(f"{self.zh} / {self.en}")


def shown_url(url: str) -> str:
    """A database URL as it may be shown: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a URL we can parse: show nothing of it but its scheme
        return url.split("://", 1)[0] + "://…"


def unreachable(exc: BaseException) -> bool:
    """Whether a database error means the database cannot be reached (not a query of ours at fault)."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    return isinstance(exc, (OperationalError, InterfaceError))


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Database:
    """The register's database: its engine, schema and transactions, and the screening read (the job the other
    parts of `Store` build on)."""

    def __init__(self, url: str, migrate: bool = True):
        self.url = url
        self.dialect = make_url(url).get_backend_name()
        self.engine: Engine = self._create_engine(url)
        self._local = threading.local()
        self._readers: list[Any] = []
        self._writer_mutex = threading.Lock()
        self._writer_fd: int | None = None
        self._known_units: set[str] = set()
        if migrate:
            try:
                self.migrate()
            except Exception as exc:
                if unreachable(exc):
                    self.engine.dispose()
                    raise RegisterUnreachable(url, exc) from None
                raise

    def _create_engine(self, url: str) -> Engine:
        if self.dialect == "sqlite":
            engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

            @event.listens_for(engine, "connect")
            def _sqlite_connect(dbapi_connection, _record) -> None:
                dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (IMMEDIATE when writing)
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.execute("PRAGMA busy_timeout=60000")
                cursor.close()

            @event.listens_for(engine, "begin")
            def _sqlite_begin(connection) -> None:
                mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
                connection.exec_driver_sql(f"BEGIN {mode}")

            return engine
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)

    # -- schema ----------------------------------------------------------------------------------------------
    def migrate(self) -> None:
        """Create or upgrade the schema to the newest migration (Alembic)."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.connect() as connection:
            if self.dialect == "postgresql":
                # two processes starting together must not both create the tables
                connection.execute(text("SELECT pg_advisory_lock(hashtext('jianfu-migrate'))"))
            try:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                connection.commit()
            finally:
                if self.dialect == "postgresql":
                    connection.execute(text("SELECT pg_advisory_unlock(hashtext('jianfu-migrate'))"))
                    connection.commit()

    def close(self) -> None:
        for raw in self._readers:
            try:
                raw.close()
            except Exception:  # noqa: BLE001 - closing a connection another thread still holds
                pass
        self._readers.clear()
        if self._writer_fd is not None:
            os.close(self._writer_fd)
            self._writer_fd = None
        self.engine.dispose()

    # -- transactions ------------------------------------------------------------------------------------------
    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            with connection.begin():
                yield connection

    @contextmanager
    def writing(self, lock: str | Sequence[str] | None = None) -> Iterator[Connection]:
        """A write transaction; `lock` serialises writers of one jurisdiction, or of several (a batch), taken in
        sorted order so two batches never wait on each other (SQLite: the whole file)."""
        with self._writer_turn(), self.engine.connect() as connection:
            if self.dialect == "sqlite":
                connection = connection.execution_options(sqlite_begin="IMMEDIATE")
            with connection.begin():
                if self.dialect == "postgresql" and lock is not None:
                    for key in sorted({lock} if isinstance(lock, str) else set(lock)):
                        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"jianfu:{key}"})
                yield connection

    @contextmanager
    def _writer_turn(self) -> Iterator[None]:
        """SQLite writers of this file queue here, across threads and processes, before BEGIN IMMEDIATE.

        SQLite's own busy handler makes a writer that finds the file locked sleep and retry, up to 100 ms a nap:
        with several service workers writing the decision log, that was the tail latency. A blocking file lock
        (flock) wakes the next writer the moment the last one commits. BEGIN IMMEDIATE still guards correctness;
        this only decides who goes next. PostgreSQL has row locks and advisory locks and needs none of it."""
        path = self._writer_lock_path()
        if path is None:
            yield
            return
        import fcntl

        with self._writer_mutex:
            if self._writer_fd is None:
                self._writer_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._writer_fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._writer_fd, fcntl.LOCK_UN)

    def _writer_lock_path(self) -> str | None:
        database = sqlite_file(self.url) if os.name == "posix" else None
        return None if database is None else database + ".writers"

    # -- screening -----------------------------------------------------------------------------------------
    def decide(self, engine, request: Any, as_of: date | None = None) -> Decision:
        """Screen without recording: one read transaction on this thread's own connection."""
        raw = self._reader()
        sqlite = self.dialect == "sqlite"
        if sqlite:
            raw.execute("BEGIN")
        try:
            view = SqlRegister(raw, sqlite=sqlite)
            request = self._known_unit(view, request)
            request = self._merge_approvals(request, view.approvals(request.id))
            return engine.decide(request, view, as_of)
        finally:
            if sqlite:
                raw.execute("COMMIT")
            else:
                raw.rollback()

    def _reader(self):
        """A DB-API connection of this thread's own for screenings (the hot path skips the pool)."""
        raw = getattr(self._local, "raw", None)
        if raw is None:
            fairy = self.engine.raw_connection()
            fairy.detach()  # ours for the thread's life, configured by the engine's connect hook
            raw = fairy.dbapi_connection
            self._local.raw = raw
            self._readers.append(raw)
        return raw

    def _known_unit(self, view: SqlRegister, request: Any, recording: bool = False) -> Any:
        """The request with its unit as the register names it; a name that is no unit of the register is an error
        (when recording always: no unit is ever made on the fly; when only screening, once the register has units).
        The usual case is one lookup by name; the units are listed only when it misses."""
        if request.unit in self._known_units:  # units are never deleted: a name once found stays a unit
            return request
        if view.unit(request.unit) is not None:
            self._known_units.add(request.unit)
            return request
        from jianfu.adapters.unit_names import UnitNames

        names = UnitNames(self.units_in(view))
        canonical = names.canonical.get(request.unit)
        if canonical is not None:
            return request.model_copy(update={"unit": canonical})
        if names or recording:
            raise InvalidInput([names.unknown(request.unit, ("unit",))])
        return request

    def units_in(self, view: SqlRegister) -> list[Any]:
        """The register's units read on the screening's own connection (a part of `Store` lists them)."""
        from jianfu.engine.records import Unit

        return [Unit(name=r[0], type=r[1], level=r[2], jurisdiction=r[3]) for r in view.rows("SELECT name, type, level, jurisdiction FROM units")]

    def view(self, connection: Connection) -> SqlRegister:
        return SqlRegister(connection)

    def _with_stored_approvals(self, connection: Connection, request: Any) -> Any:
        return self._merge_approvals(request, SqlRegister(connection).approvals(request.id))

    @staticmethod
    def _merge_approvals(request: Any, rows: list[tuple]) -> Any:
        if not rows:
            return request
        stored = [Approval(by=r[0], ref=r[1], date=r[2], covers=r[3]) for r in rows]
        known = {(a.by, a.ref, a.date, a.covers) for a in request.approvals}
        extra = [a for a in stored if (a.by, a.ref, a.date, a.covers) not in known]
        return request.model_copy(update={"approvals": [*request.approvals, *extra]}) if extra else request
