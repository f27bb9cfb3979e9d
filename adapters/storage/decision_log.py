"""The decision log (决定日志): every decision the service makes, who asked, when, the request, the decision and the
packs (id, version, sha256) that made it, each entry chained to the one before by a hash.

    hash = sha256(canonical JSON of {seq, at, actor, role, action, request_id, as_of, request, decision, packs,
                                      prev_hash})

where canonical JSON sorts keys, uses no spaces and keeps Chinese as it is, and the request, decision and packs are
hashed as the exact text stored. Appends take the log's own lock (SQLite: the write transaction, BEGIN IMMEDIATE;
PostgreSQL: a transaction-scoped advisory lock) and number the entry themselves, so two workers never give two
entries the same predecessor: the chain never forks. `verify` walks the chain: an edited column changes that entry's
hash; a deleted entry leaves a gap in `seq` and a `prev_hash` that points at nothing. What it cannot see alone is
the newest entries removed together with nothing after them: `head()` is the value to note down elsewhere.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator, Sequence

from sqlalchemy import Connection, insert, select, text

from . import tables as t

GENESIS = "0" * 64
LOCK = "jianfu:decision-log"
HASHED = ("seq", "at", "actor", "role", "action", "request_id", "as_of", "request", "decision", "packs", "prev_hash")


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(entry: dict[str, Any]) -> str:
    return hashlib.sha256(canonical({k: entry[k] for k in HASHED}).encode("utf-8")).hexdigest()


@dataclass
class Entry:
    """What one decision adds to the log (the appender adds seq, at, prev_hash and hash)."""

    actor: str
    role: str
    action: str  # DECISIONS, or a change: import | record | plan_filing | cancel | cancel_plan | approval | cancel_approval
    request_id: str
    request: Any  # JSON-able, or its JSON text as it is to be kept
    decision: Any  # JSON-able, or its JSON text as it is to be kept
    packs: list[dict[str, Any]]
    as_of: str | None = None
    at: str | None = None  # when it was decided (ISO, UTC); default: when it is appended


DECISIONS = ("screening", "recording", "plan_check")
"""The actions that hold a decision (and can be replayed); the others record a change to the register (an import,
a record or plan filed as it is, a cancellation, an approval) with who made it."""


def decision_entry(actor: str, role: str, action: str, request: Any, decision: Any, as_of: Any = None, at: str | None = None) -> Entry:
    """The entry of one decision made on a request (its request and decision as pydantic serialises them)."""
    packs = [p.model_dump(mode="json") for p in decision.packs]
    return Entry(
        actor=actor, role=role, action=action, request_id=request.id, request=request.model_dump_json(),
        decision=decision.model_dump_json(), packs=packs, as_of=as_of.isoformat() if as_of else None, at=at,
    )


def change_entry(actor: str | None, role: str, action: str, subject: str, what: Any) -> Entry:
    """The entry of a change to the register that no decision made (`what`: what was written, JSON-able)."""
    return Entry(actor=actor or default_actor(), role=role, action=action, request_id=subject, request=what,
                 decision={"action": action}, packs=[])


def default_actor() -> str:
    """Who is at the keyboard when nobody said (`--as`): the operating system's user."""
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in this environment (a container without one)
        return "unknown"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": LOCK})
    # SQLite: the caller's transaction is BEGIN IMMEDIATE (Store.writing), which already excludes other writers


def append(connection: Connection, entries: Sequence[Entry]) -> list[dict[str, Any]]:
    """Append entries in the caller's write transaction; returns the rows written (with seq and hash)."""
    if not entries:
        return []
    _lock(connection)
    last = connection.execute(select(t.decision_log.c.seq, t.decision_log.c.hash).order_by(t.decision_log.c.seq.desc()).limit(1)).first()
    seq, prev = (last[0], last[1]) if last else (0, GENESIS)
    at = now()
    rows = []
    for entry in entries:
        seq += 1
        row = {
            "seq": seq,
            "at": entry.at or at,
            "actor": entry.actor,
            "role": entry.role,
            "action": entry.action,
            "request_id": entry.request_id,
            "as_of": entry.as_of,
            "request": _text(entry.request),
            "decision": _text(entry.decision),
            "packs": canonical(entry.packs),
            "prev_hash": prev,
        }
        row["hash"] = prev = entry_hash(row)
        rows.append(row)
    connection.execute(insert(t.decision_log), rows)
    return rows


def _text(value: Any) -> str:
    """JSON kept as given when it already is text (pydantic's own serialisation, the hot path), else canonical."""
    return value if isinstance(value, str) else canonical(value)


COLUMNS = [t.decision_log.c[name] for name in (*HASHED, "hash")]


def _row(r) -> dict[str, Any]:
    return dict(r._mapping)


def entries(connection: Connection, limit: int = 100, offset: int = 0, actor: str | None = None, request_id: str | None = None, newest_first: bool = True) -> list[dict[str, Any]]:
    query = select(*COLUMNS)
    if actor:
        query = query.where(t.decision_log.c.actor == actor)
    if request_id:
        query = query.where(t.decision_log.c.request_id == request_id)
    query = query.order_by(t.decision_log.c.seq.desc() if newest_first else t.decision_log.c.seq).limit(limit).offset(offset)
    return [_row(r) for r in connection.execute(query)]


def entry(connection: Connection, seq: int) -> dict[str, Any] | None:
    found = connection.execute(select(*COLUMNS).where(t.decision_log.c.seq == seq)).first()
    return _row(found) if found else None


def head(connection: Connection) -> tuple[int, str]:
    last = connection.execute(select(t.decision_log.c.seq, t.decision_log.c.hash).order_by(t.decision_log.c.seq.desc()).limit(1)).first()
    return (last[0], last[1]) if last else (0, GENESIS)


@dataclass
class Problem:
    seq: int
    zh: str
    en: str

    def __str__(self) -> str:
        return f"#{self.seq}: {self.zh} / {self.en}"

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "message": self.zh, "message_en": self.en}


def _walk(connection: Connection) -> Iterator[dict[str, Any]]:
    after = 0
    while True:
        batch = connection.execute(select(*COLUMNS).where(t.decision_log.c.seq > after).order_by(t.decision_log.c.seq).limit(5000)).all()
        if not batch:
            return
        for r in batch:
            yield _row(r)
        after = batch[-1][0]


def verify(rows: Iterable[dict[str, Any]]) -> tuple[int, list[Problem]]:
    """Walk the chain in seq order: (entries checked, every altered or missing entry found)."""
    problems: list[Problem] = []
    expected, prev, count = 1, GENESIS, 0
    for row in rows:
        count += 1
        seq = row["seq"]
        if seq != expected:
            missing = f"{expected}" if seq == expected + 1 else f"{expected}–{seq - 1}"
            problems.append(Problem(expected, f"缺少条目 #{missing}（已被删除）", f"entries #{missing} are missing (deleted)"))
        if row["prev_hash"] != prev:
            problems.append(Problem(seq, f"条目 #{seq} 的 prev_hash 与前一条目不符（前一条目被改动或删除）", f"entry #{seq}: prev_hash does not match the entry before it (that one was altered or deleted)"))
        if entry_hash(row) != row["hash"]:
            problems.append(Problem(seq, f"条目 #{seq} 已被改动（哈希不符）", f"entry #{seq} was altered (its hash does not match)"))
        prev, expected = row["hash"], seq + 1
    return count, problems


def verify_connection(connection: Connection) -> tuple[int, list[Problem]]:
    return verify(_walk(connection))
