"""The register's storage: SQLite by default, PostgreSQL when shared (SQLAlchemy 2, Alembic migrations).

One unit of work per screening that records: the limits are checked and the approved request recorded in the same
transaction, under a lock that makes concurrent recordings of one jurisdiction take turns (SQLite: BEGIN
IMMEDIATE; PostgreSQL: a transaction-scoped advisory lock on the jurisdiction). So two simultaneous requests for
the last slot of a limit never both get approved.

Imports happen in one transaction: the whole file is validated first, then written; a bad row or a killed
process leaves the register exactly as it was.
"""

from __future__ import annotations

import json
import os
import threading
from functools import partial
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from loguru import logger
from pydantic import TypeAdapter
from sqlalchemy import Connection, Engine, create_engine, event, func, insert, select, text, update
from sqlalchemy.engine import make_url

from jianfu.engine import Decision
from jianfu.engine.audit import Tallied
from jianfu.engine.errors import FieldError, InvalidInput
from jianfu.engine.counting import BULLETINS, counts, field_value
from jianfu.engine.records import FiledPlan, Record, RegisterFile, StoredRecord, Unit
from jianfu.engine.register import MemoryRegister
from jianfu.engine.requests import Approval, Meeting

from . import tables as t
from .sql_register import SqlRegister

RECORD = TypeAdapter(Record)
MIGRATIONS = Path(__file__).with_name("migrations")
BATCH = 2_000


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


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Store:
    """The register in a database."""

    def __init__(self, url: str, migrate: bool = True):
        self.url = url
        self.dialect = make_url(url).get_backend_name()
        self.engine: Engine = self._create_engine(url)
        self._local = threading.local()
        self._readers: list[Any] = []
        self._writer_mutex = threading.Lock()
        self._writer_fd: int | None = None
        if migrate:
            self.migrate()

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
    def writing(self, lock: str | None = None) -> Iterator[Connection]:
        """A write transaction; `lock` serialises writers of one jurisdiction (the whole file for SQLite)."""
        with self._writer_turn(), self.engine.connect() as connection:
            if self.dialect == "sqlite":
                connection = connection.execution_options(sqlite_begin="IMMEDIATE")
            with connection.begin():
                if self.dialect == "postgresql" and lock is not None:
                    connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"jianfu:{lock}"})
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

    def decide_and_record(
        self, engine, request: Any, as_of: date | None = None, actor: str | None = None,
        then: Callable[[Connection, Decision], None] | None = None,
    ) -> Decision:
        """Screen and, when approved, record the request as approved: one transaction, race-free. `then` runs in
        the same transaction once decided (the service writes its decision log there: recorded and logged, or
        neither)."""
        with self.writing(lock=request.jurisdiction) as connection:
            request = self._with_stored_approvals(connection, request)
            exists = connection.execute(select(t.records.c.id).where(t.records.c.id == request.id)).first()
            if exists is not None:
                raise InvalidInput([FieldError(("id",), f"台账中已有编号 {request.id!r}", f"the register already holds id {request.id!r}")])
            decision = engine.decide(request, SqlRegister(connection), as_of)
            if decision.approved:
                self._ensure_unit(connection, request.unit, request.jurisdiction)
                record = RECORD.validate_python({**request.model_dump(mode="json"), "status": "approved"})
                self._insert_records(connection, [record], source="screening", actor=actor, decisions={record.id: decision})
            if then is not None:
                then(connection, decision)
            return decision

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

    # -- writing -----------------------------------------------------------------------------------------------
    def _ensure_unit(self, connection: Connection, name: str, jurisdiction: str | None) -> None:
        """A unit screened for the first time is added as a city department (the office can correct it)."""
        if connection.execute(select(t.units.c.name).where(t.units.c.name == name)).first() is None:
            connection.execute(
                insert(t.units).values(name=name, type="department", level="city", jurisdiction=jurisdiction, recorded_at=_now())
            )

    def _insert_records(
        self,
        connection: Connection,
        records: Sequence[Any],
        source: str,
        actor: str | None = None,
        decisions: dict[str, Decision] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        now = _now()
        event = "recorded" if source in ("screening", "api") else "imported"
        for start in range(0, len(records), BATCH):
            chunk = records[start : start + BATCH]
            rows = [_record_row(r, source, actor, now, (decisions or {}).get(r.id)) for r in chunk]
            connection.execute(insert(t.records), rows)
            connection.execute(
                insert(t.record_events),
                [{"record_id": r.id, "event": event, "status": r.status, "actor": actor, "at": now} for r in chunk],
            )
            if progress:
                progress(start + len(chunk))

    def import_register(
        self, data: RegisterFile, source: str, actor: str | None = None, progress: Callable[[str, int, int], None] | None = None
    ) -> dict[str, int]:
        """Append a whole register file in one transaction, or nothing at all."""
        with self.writing(lock="import") as connection:
            errors = self._import_conflicts(connection, data)
            if errors:
                raise InvalidInput(errors)
            now = _now()
            new_units = [u for u in data.units if not self._has_unit(connection, u.name)]
            if new_units:
                connection.execute(
                    insert(t.units),
                    [{"name": u.name, "type": u.type, "level": u.level, "jurisdiction": u.jurisdiction, "recorded_at": now} for u in new_units],
                )
            total = len(data.records)
            self._insert_records(
                connection, data.records, source, actor, progress=(lambda n: progress("records", n, total)) if progress else None
            )
            for plan in data.plans:
                self._insert_plan(connection, plan, source, actor, now)
            if progress:
                progress("plans", len(data.plans), len(data.plans))
        # Refresh the planner's statistics after a bulk load: with stale ones PostgreSQL scans the whole table
        # for the next import's id checks instead of using the index.
        with self.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA optimize" if self.dialect == "sqlite" else "ANALYZE records, plans, plan_items")
            connection.commit()
        return {"units": len(new_units), "records": len(data.records), "plans": len(data.plans)}

    def _has_unit(self, connection: Connection, name: str) -> bool:
        return connection.execute(select(t.units.c.name).where(t.units.c.name == name)).first() is not None

    def _import_conflicts(self, connection: Connection, data: RegisterFile) -> list[FieldError]:
        errors: list[FieldError] = []
        known_units = {r[0] for r in connection.execute(select(t.units.c.name))} | {u.name for u in data.units}
        ids = [r.id for r in data.records]
        existing: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            existing |= {r[0] for r in connection.execute(select(t.records.c.id).where(t.records.c.id.in_(chunk)))}
        for i, record in enumerate(data.records):
            if record.id in existing:
                errors.append(FieldError(("records", i, "id"), f"台账中已有编号 {record.id!r}", f"the register already holds id {record.id!r}"))
            if record.unit not in known_units:
                errors.append(FieldError(("records", i, "unit"), f"未知单位 {record.unit!r}（不在台账的单位中）", f"unknown unit {record.unit!r}"))
        plan_ids = [p.id for p in data.plans]
        taken = {r[0] for r in connection.execute(select(t.plans.c.id).where(t.plans.c.id.in_(plan_ids)))} if plan_ids else set()
        for i, plan in enumerate(data.plans):
            if plan.id in taken:
                errors.append(FieldError(("plans", i, "id"), f"台账中已有计划 {plan.id!r}", f"the register already holds plan {plan.id!r}"))
            if plan.unit not in known_units:
                errors.append(FieldError(("plans", i, "unit"), f"未知单位 {plan.unit!r}", f"unknown unit {plan.unit!r}"))
        return errors

    def _insert_plan(self, connection: Connection, plan: FiledPlan, source: str, actor: str | None, now: datetime) -> None:
        connection.execute(
            insert(t.plans).values(
                id=plan.id,
                jurisdiction=plan.jurisdiction,
                unit=plan.unit,
                year=plan.year,
                filed_with=plan.filed_with,
                filed_on=plan.filed_on,
                status="filed",
                body=plan.model_dump_json(),
                source=source,
                recorded_by=actor,
                recorded_at=now,
            )
        )
        if plan.items:
            connection.execute(insert(t.plan_items), [{"plan_id": plan.id, "item_id": i.id, "kind": i.kind} for i in plan.items])

    def file_plan(self, plan: FiledPlan, actor: str | None = None) -> None:
        data = RegisterFile(plans=[plan])
        with self.writing(lock=plan.jurisdiction) as connection:
            errors = self._import_conflicts(connection, data)
            if errors:
                raise InvalidInput(errors)
            self._insert_plan(connection, plan, "api", actor, _now())

    def add_record(self, record: Any, actor: str | None = None, source: str = "api") -> None:
        """Append one record (held, issued, …) as it is, after the same checks as an import."""
        data = RegisterFile(records=[record])
        with self.writing(lock=record.jurisdiction) as connection:
            errors = self._import_conflicts(connection, data)
            if errors:
                raise InvalidInput(errors)
            self._insert_records(connection, [record], source, actor)

    def add_unit(self, unit: Unit) -> None:
        with self.writing() as connection:
            if self._has_unit(connection, unit.name):
                raise InvalidInput([FieldError(("name",), f"单位 {unit.name!r} 已存在", f"unit {unit.name!r} exists")])
            connection.execute(insert(t.units).values(**unit.model_dump(), recorded_at=_now()))

    def cancel(self, record_id: str, reason: str, actor: str | None = None) -> None:
        """Cancel a record: it stays in the register, marked cancelled, with the reason; it no longer counts."""
        with self.writing() as connection:
            row = connection.execute(select(t.records.c.status).where(t.records.c.id == record_id)).first()
            if row is None:
                raise InvalidInput([FieldError(("id",), f"台账中没有编号 {record_id!r}", f"no record {record_id!r}")])
            if row[0] == "cancelled":
                raise InvalidInput([FieldError(("id",), f"{record_id} 已取消", f"{record_id} is already cancelled")])
            connection.execute(update(t.records).where(t.records.c.id == record_id).values(status="cancelled", counts=False))
            connection.execute(
                insert(t.record_events).values(record_id=record_id, event="cancelled", status="cancelled", reason=reason, actor=actor, at=_now())
            )

    def cancel_plan(self, plan_id: str, reason: str, actor: str | None = None) -> None:
        with self.writing() as connection:
            row = connection.execute(select(t.plans.c.status).where(t.plans.c.id == plan_id)).first()
            if row is None:
                raise InvalidInput([FieldError(("id",), f"台账中没有计划 {plan_id!r}", f"no plan {plan_id!r}")])
            connection.execute(update(t.plans).where(t.plans.c.id == plan_id).values(status="cancelled"))
            logger.info("plan {} cancelled by {}: {}", plan_id, actor, reason)

    def add_approval(self, request_id: str, approval: Approval, actor: str | None = None) -> None:
        with self.writing() as connection:
            connection.execute(
                insert(t.approvals).values(
                    request_id=request_id, by=approval.by, ref=approval.ref, date=approval.date, covers=approval.covers,
                    status="valid", recorded_by=actor, recorded_at=_now(),
                )
            )

    def cancel_approval(self, seq: int, actor: str | None = None) -> None:
        with self.writing() as connection:
            done = connection.execute(update(t.approvals).where(t.approvals.c.seq == seq).values(status="cancelled"))
            if done.rowcount == 0:
                raise InvalidInput([FieldError(("seq",), f"没有批准 {seq}", f"no approval {seq}")])
            logger.info("approval {} cancelled by {}", seq, actor)

    def approvals_for(self, request_id: str, connection: Connection | None = None) -> list[Approval]:
        def run(conn: Connection) -> list[Approval]:
            rows = SqlRegister(conn).approvals(request_id)
            return [Approval(by=r[0], ref=r[1], date=r[2], covers=r[3]) for r in rows]

        if connection is not None:
            return run(connection)
        with self.reading() as conn:
            return run(conn)

    # -- reading -----------------------------------------------------------------------------------------------
    def units(self) -> list[Unit]:
        with self.reading() as connection:
            return [Unit(name=r[0], type=r[1], level=r[2], jurisdiction=r[3]) for r in connection.execute(
                select(t.units.c.name, t.units.c.type, t.units.c.level, t.units.c.jurisdiction).order_by(t.units.c.name))]

    def register_file(self, years: Sequence[int] | None = None) -> RegisterFile:
        """The register (or some years of it) as the file contract: units, records, filed plans."""
        units = self.units()
        with self.reading() as connection:
            query = select(t.records.c.body, t.records.c.status).order_by(t.records.c.date, t.records.c.id)
            if years is not None:
                query = query.where(t.records.c.year.in_(list(years)))
            records = []
            for body, status in connection.execute(query):
                data = json.loads(body)
                data["status"] = status
                records.append(RECORD.validate_python(data))
            plans = [FiledPlan.model_validate_json(r[0]) for r in connection.execute(
                select(t.plans.c.body).where(t.plans.c.status == "filed").order_by(t.plans.c.id))]
        return RegisterFile.model_construct(units=units, records=records, plans=plans)

    def jurisdictions(self) -> list[str]:
        with self.reading() as connection:
            return [r[0] for r in connection.execute(select(t.records.c.jurisdiction).distinct().order_by(t.records.c.jurisdiction))]

    def audit_part(self, jurisdiction: str, up_to: int, read_from: date | None = None) -> tuple:
        """One jurisdiction's records that count up to a year (with the approvals recorded for them) and its filed
        plans: the records of the year `up_to` in full, validated again from their stored bodies (an error naming the
        field when one is damaged), those before as the register's columns (`StoredRecord`: counted, never decided).

        With `read_from` (engine.audit.read_from: the audit of `up_to`), only what the year's questions can reach is
        read of the days before the year: every record from that day on, the documents still valid on the year's
        first day; the bulletins of the days before are counted per unit and year (a `Tallied`, the part's third
        element), never listed. The walk puts the records in (date, id) order itself."""
        with self.reading() as connection:
            stored: dict[str, list[tuple]] = {}
            for row in connection.execute(
                select(t.approvals.c.request_id, t.approvals.c.by, t.approvals.c.ref, t.approvals.c.date, t.approvals.c.covers)
                .join(t.records, t.records.c.id == t.approvals.c.request_id)
                .where(t.approvals.c.status == "valid", t.records.c.jurisdiction == jurisdiction).order_by(t.approvals.c.seq)
            ):
                stored.setdefault(row[0], []).append(tuple(row[1:]))
            # Only the records that count (a cancelled or rejected one never does), found by jurisdiction and date
            # (AUDIT_YEAR_ROWS and the rest, below).
            register = SqlRegister(connection)
            start, end = date(up_to, 1, 1), date(up_to, 12, 31)
            year_rows = register.rows(AUDIT_YEAR_ROWS, j=jurisdiction, start=start, end=end)
            reach, params = _reach(read_from)
            earlier_rows = register.rows(AUDIT_EARLIER_ROWS + reach, j=jurisdiction, start=start, **params)
            records = _AuditRecords(year_rows, stored, earlier_rows)
            plans = [FiledPlan.model_validate_json(r[0]) for r in connection.execute(
                select(t.plans.c.body).where(t.plans.c.status == "filed", t.plans.c.jurisdiction == jurisdiction))]
            if read_from is None:
                return records, plans
            tallied = Tallied(read_from, {(jurisdiction, unit, int(year)): count
                                          for unit, year, count in register.rows(AUDIT_TALLY, j=jurisdiction, since=read_from)})
        return records, plans, tallied

    def audit_reads(self, up_to: int, read_from: date | None = None) -> int:
        """How many records the audit parts of `audit_part` hold (the benchmark's figure)."""
        reach, params = _reach(read_from)
        with self.reading() as connection:
            return int(SqlRegister(connection).rows("SELECT COUNT(*) FROM records WHERE year <= :y AND counts" + reach,
                                                    y=up_to, start=date(up_to, 1, 1), **params)[0][0])

    def audit_parts(self, up_to: int, read_from: date | None = None) -> Iterator[tuple]:
        """The register up to a year, one jurisdiction at a time: what the audit walks, without ever holding the
        whole province in memory."""
        for place in self.jurisdictions():
            yield self.audit_part(place, up_to, read_from)

    def audit_loaders(self, up_to: int, read_from: date | None = None) -> list[Callable[[], tuple]]:
        """The same parts as `audit_parts`, as loaders a worker process can call on its own connection."""
        return [partial(load_audit_part, self.url, place, up_to, read_from) for place in self.jurisdictions()]

    def audit(self, engine, year: int, baseline_year: int | None = None, progress=None, parameters=None, workers: int = 1):
        """The yearly audit of the database, read one jurisdiction at a time (in `workers` processes)."""
        from jianfu.adapters.storage.audit_workers import audit
        from jianfu.engine.audit import read_from

        # Records after the audited year never count (every question is cut off before the record); of the years
        # before, only what the year's questions can reach is read: the baseline's bulletins (counted), documents
        # still valid, meetings in the merge window across the year's edge.
        return audit(engine, self.units(), year=year, baseline_year=baseline_year, progress=progress, parameters=parameters,
                     loaders=self.audit_loaders(year, read_from(engine.catalog, year)), workers=workers, total=self.count_records(year))

    def count_records(self, year: int) -> int:
        """Records of a year that count (approved, held, issued, filed)."""
        with self.reading() as connection:
            return int(connection.execute(self.count_statement(year)).scalar_one())

    @staticmethod
    def count_statement(year: int):
        """`count_records`' query (answered from the index by year, kind and status: migration 0003)."""
        return select(func.count()).select_from(t.records).where(t.records.c.year == year, t.records.c.counts.is_(True))

    def memory_register(self, years: Sequence[int] | None = None) -> MemoryRegister:
        data = self.register_file(years)
        return MemoryRegister(data.units, data.records, data.plans)

    def refuse_recorded(self, items: Sequence[Any], file: str | None = None) -> None:
        """A batch to record is refused whole when any of its ids is in the register already: nothing is recorded."""
        taken = self.existing_ids([item.id for item in items])
        if taken:
            index = {item.id: i for i, item in enumerate(items)}
            raise InvalidInput([FieldError((index[i], "id"), f"台账中已有编号 {i!r}，本批未作任何记录", f"the register already holds id {i!r}: nothing recorded", file=file)
                                for i in sorted(taken)])

    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        with self.reading() as connection:
            for start in range(0, len(ids), 500):
                chunk = list(ids[start : start + 500])
                found |= {r[0] for r in connection.execute(select(t.records.c.id).where(t.records.c.id.in_(chunk)))}
        return found

    def records(self, unit: str | None = None, kind: str | None = None, year: int | None = None, limit: int = 200, offset: int = 0) -> list[dict]:
        query = select(
            t.records.c.id, t.records.c.kind, t.records.c.jurisdiction, t.records.c.unit, t.records.c.date,
            t.records.c.status, t.records.c.title, t.records.c.source,
        ).order_by(t.records.c.date.desc(), t.records.c.id)
        if unit:
            query = query.where(t.records.c.unit == unit)
        if kind:
            query = query.where(t.records.c.kind == kind)
        if year:
            query = query.where(t.records.c.year == year)
        with self.reading() as connection:
            return [dict(r._mapping) for r in connection.execute(query.limit(limit).offset(offset))]

    def record(self, record_id: str) -> dict | None:
        with self.reading() as connection:
            row = connection.execute(select(t.records).where(t.records.c.id == record_id)).first()
            if row is None:
                return None
            events = connection.execute(
                select(t.record_events.c.event, t.record_events.c.status, t.record_events.c.reason, t.record_events.c.actor, t.record_events.c.at)
                .where(t.record_events.c.record_id == record_id).order_by(t.record_events.c.seq)
            ).all()
            out = dict(row._mapping)
            out["events"] = [dict(e._mapping) for e in events]
            return out

    def approvals(self, request_id: str | None = None, limit: int = 200, offset: int = 0) -> list[dict]:
        """Approvals on file (valid and cancelled), newest first."""
        query = select(t.approvals).order_by(t.approvals.c.seq.desc())
        if request_id:
            query = query.where(t.approvals.c.request_id == request_id)
        with self.reading() as connection:
            return [dict(r._mapping) for r in connection.execute(query.limit(limit).offset(offset))]

    def plans(self, unit: str | None = None, year: int | None = None, limit: int = 200, offset: int = 0) -> list[dict]:
        """Filed plans (and cancelled ones, marked so), without their items."""
        query = select(
            t.plans.c.id, t.plans.c.jurisdiction, t.plans.c.unit, t.plans.c.year, t.plans.c.filed_with, t.plans.c.filed_on,
            t.plans.c.status, t.plans.c.source, t.plans.c.recorded_by, t.plans.c.recorded_at,
        ).order_by(t.plans.c.year.desc(), t.plans.c.id)
        if unit:
            query = query.where(t.plans.c.unit == unit)
        if year:
            query = query.where(t.plans.c.year == year)
        with self.reading() as connection:
            return [dict(r._mapping) for r in connection.execute(query.limit(limit).offset(offset))]

    def plan(self, plan_id: str) -> dict | None:
        """One filed plan with its items (`body`, the plan as filed)."""
        with self.reading() as connection:
            row = connection.execute(select(t.plans).where(t.plans.c.id == plan_id)).first()
        if row is None:
            return None
        out = dict(row._mapping)
        out["body"] = json.loads(out["body"])
        return out

    def counts(self) -> dict[str, int]:
        with self.reading() as connection:
            return {
                name: int(connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one())
                for name in ("units", "records", "plans", "approvals", "record_events")
            }


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _stored_record(source: tuple) -> Any:
    """A stored record in full: its body (the record as validated when written, without its status) validated again,
    with the approvals recorded for it in the database."""
    body, status, approvals = source
    if body is None:
        raise ValueError("只读取了当年记录的正文 / only the audited year's records were read in full")
    record = RECORD.validate_json(f'{body[:-1]},"status":"{status}"}}')
    return Store._merge_approvals(record, approvals) if approvals else record


class _AuditRecords:
    """An audit part's records as read, made into records when first walked: the year's validated from their bodies
    (with the approvals recorded for them), the earlier ones built from their columns. The work is done by whoever
    walks them, not by the thread that read them ahead (validating holds the interpreter: done there, it only kept
    the walk waiting)."""

    def __init__(self, year_rows: list[tuple], approvals: dict[str, list[tuple]], earlier_rows: list[tuple]):
        self._rows: tuple | None = (year_rows, approvals, earlier_rows)
        self._made: list[Any] = []

    def __iter__(self) -> Iterator[Any]:
        if self._rows is not None:
            year_rows, approvals, earlier_rows = self._rows
            made = [_stored_record((body, status, approvals.get(rid))) for rid, status, body in year_rows]
            places: dict[str, str] = {}  # one string per unit and place, not one per row
            made += [
                StoredRecord(rid, kind, places.setdefault(place, place), places.setdefault(unit, unit), _day(day), status, title or "",
                             [] if topics in (None, "[]") else json.loads(topics), scope, type_, None if routine is None else bool(routine),
                             subject, series, doc_no, valid_until and _day(valid_until), (None, status, None), _stored_record)
                for rid, kind, place, unit, day, status, title, topics, scope, type_, routine, subject, series, doc_no, valid_until in earlier_rows
            ]
            self._made, self._rows = made, None
        return iter(self._made)


AUDIT_YEAR_ROWS = "SELECT id, status, body FROM records WHERE jurisdiction = :j AND date >= :start AND date <= :end AND counts"
AUDIT_EARLIER_ROWS = ("SELECT id, kind, jurisdiction, unit, date, status, title, topics, scope, type, routine, subject, series, doc_no,"
                      " valid_until FROM records WHERE jurisdiction = :j AND date < :start AND counts")
AUDIT_TALLY = ("SELECT unit, year, COUNT(*) FROM records WHERE jurisdiction = :j AND " + BULLETINS.sql() + " AND date < :since"
               " GROUP BY unit, year")
"""An audit part's reads (with `_reach` after the second; the tally counts the bulletins before the reach): each
answered from the index by jurisdiction and date (migration 0003), a row looked up in the table only when it is read,
the tally from the index alone."""


def _reach(read_from: date | None) -> tuple[str, dict[str, Any]]:
    """The condition an audit part's records before the year meet: from `read_from` on, or a document still valid on
    the audited year's first day (`:start`; nothing more when every earlier record is read)."""
    if read_from is None:
        return "", {}
    return " AND (date >= :since OR (kind = 'document' AND (valid_until IS NULL OR valid_until >= :start)))", {"since": read_from}


def load_audit_part(url: str, jurisdiction: str, up_to: int, read_from: date | None = None) -> tuple:
    """A worker's own read of one jurisdiction (connections are never shared across processes)."""
    store = Store(url, migrate=False)
    try:
        return store.audit_part(jurisdiction, up_to, read_from)
    finally:
        store.close()


def _record_row(record: Any, source: str, actor: str | None, now: datetime, decision: Decision | None) -> dict:
    body = record.model_dump(mode="json", exclude={"status"})
    return {
        "id": record.id,
        "kind": record.kind,
        "jurisdiction": record.jurisdiction,
        "unit": record.unit,
        "date": record.date,
        "year": record.date.year,
        "status": record.status,
        "counts": counts(record),
        "scope": getattr(record, "scope", None),
        "type": getattr(record, "type", None),
        "routine": getattr(record, "routine", None),
        "onsite_office": field_value(record, "onsite_office") if isinstance(record, Meeting) else None,
        "subject": getattr(record, "subject", None),
        "series": getattr(record, "series", None),
        "doc_no": getattr(record, "doc_no", None),
        "valid_until": getattr(record, "valid_until", None),
        "title": record.title,
        "topics": json.dumps(list(record.topics), ensure_ascii=False),
        "body": json.dumps(body, ensure_ascii=False),
        "decision": decision.model_dump_json() if decision else None,
        "source": source,
        "recorded_by": actor,
        "recorded_at": now,
    }
