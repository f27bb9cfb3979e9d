"""The yearly audit of a stored register in worker processes: the machinery around the engine's walk.

The engine (engine/audit/run.py) walks the register's parts and merges them; this module runs parts side by side in
forked processes, brings each part's results back through a spool file, packs them for the journey, and switches
the cyclic collector off while the audit runs. `audit` has the engine's signature plus `loaders` and `workers`; the
result is the serial walk's, whatever the number of processes.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import tempfile
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from datetime import date
from inspect import signature
from typing import Any, Callable, Iterable, Iterator, Sequence

from jianfu.engine.audit.run import Audit, NotChecked, Part, RecordFindings, Walk, audit as engine_audit
from jianfu.engine.decide import Engine, built_finding
from jianfu.engine.errors import AuditIncomplete
from jianfu.engine.records import Unit


@contextmanager
def collector_paused() -> Iterator[None]:
    """The walk allocates millions of objects and keeps the findings: the cyclic collector would scan the growing
    report again and again. Reference counting frees most of each part; what it cannot free (the cycles durable-rules
    leaves behind each time it evaluates) is collected between parts when due (`Collections`). The collector is
    switched back on at the end (if it was on)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        _promoted()
        if collecting:
            gc.enable()


def _promoted() -> None:
    """Everything the paused collector left in its youngest generation (the report, kept for as long as its reader
    wants it) moves to the oldest without being scanned: switched back on, the collector would otherwise scan the
    whole report at the next allocation, 0.7 s at 250,000 records, for no cycle. What the last parts left of
    durable-rules' cycles goes with it and is collected at the next full collection. Left alone when the process
    keeps objects frozen of its own (a server that froze them before forking): unfreezing would let those go too."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


class Collections:
    """When to collect the cycles a walk leaves: each durable-rules evaluation leaves a few (its closures), and with
    the collector paused they stay until collected. Left until the audit's end they held gigabytes at a million
    records with `Memo.off()`. A collection of the youngest generation (where, paused, every new object stays) runs
    after a part once the engine has evaluated `EVALUATIONS` more times since the last: with the memo answering
    most records that is seldom or never, and each collection scans every object kept since the last (1.1 s of an
    audit at a million records when it ran after every 200,000 objects)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.last = engine.evaluator.calls

    def after_part(self) -> None:
        if self.engine.evaluator.calls - self.last > EVALUATIONS:
            gc.collect(0)
            self.last = self.engine.evaluator.calls


EVALUATIONS = 10_000
"""durable-rules evaluations between two collections: a few hundred thousand objects of cycles at most."""


def collected(parts: Iterable[Part], engine: Engine) -> Iterator[Part]:
    """The parts, each followed, once walked, by a collection when one is due (`Collections`)."""
    collections = Collections(engine)
    for part in parts:
        yield part
        collections.after_part()


def audit(engine: Engine, units: Iterable[Unit], *args: Any, loaders: Sequence[Callable[[], Part]] | None = None, workers: int = 1,
          **kwargs: Any) -> Audit:
    """The engine's audit (`jianfu.engine.audit.audit`, whose arguments `args` and `kwargs` are), the collector
    paused. `loaders` are the parts as callables a worker process can run on its own; with `workers` > 1 they are
    audited side by side (forked processes: the compiled rulesets are inherited) and merged in their order, so the
    result is the serial one."""
    call = signature(engine_audit).bind(engine, units, *args, **kwargs)
    call.apply_defaults()
    given = call.arguments
    with collector_paused():
        if loaders is None or workers < 2 or len(loaders) < 2:  # one process: the engine's own serial audit
            parts = (load() for load in loaders) if loaders is not None else given["parts"]
            given["parts"] = collected(parts if parts is not None else [(list(given["records"]), list(given["plans"]))], engine)
            return engine_audit(*call.args, **call.kwargs)
        walk = Walk.begin(engine, units, given["year"], given["baseline_year"], given["progress"], given["total"], given["as_of"])
        _in_workers(walk, loaders, min(workers, len(loaders)))  # never more processes than parts
        return walk.report(given["parameters"])


_FORKED: dict[str, Any] = {}


def _in_workers(walk: Walk, loaders: Sequence[Callable[[], Part]], workers: int) -> None:
    """The parts audited by `workers` processes: `workers - 1` forked ones taking parts from the front, and this one
    taking them from the back (its own results need no journey between processes). Each part is claimed once; the
    results are merged in the parts' order, so the audit is the serial one.

    A worker writes each part's results to a file of its own and sends only the file's name: through the pool's pipe
    a part's results (megabytes) would go 64 KiB at a time, each piece received by a thread of the parent that must
    win the interpreter from the parent's own walk, and the worker would stand waiting for it.

    A worker that dies (killed, or out of memory) fails the audit with `AuditIncomplete`: the parts it had claimed
    are nobody's, and a report without them would pass their units as compliant."""
    context = multiprocessing.get_context("fork")
    claimed = context.Array("b", len(loaders))
    walked: dict[int, Walk] = {}
    progress, walk.progress = walk.progress, None  # reported here as parts finish, merged only at the end
    done = [0]

    def finished(index: int, partial: "Walk | str | None") -> None:
        if isinstance(partial, str):  # a worker's part, waiting in its file (gone once read: the spool stays small)
            with open(partial, "rb") as spooled:
                path, partial = partial, pickle.load(spooled).walk
            os.unlink(path)
        if partial is not None:
            walked[index] = partial
            done[0] += partial.done
            if progress is not None:
                progress(done[0], walk.total or done[0])

    with tempfile.TemporaryDirectory(prefix="jianfu-audit-") as spool:
        _FORKED.update(engine=walk.engine, collections=Collections(walk.engine), known=walk.known, year=walk.year, baseline_year=walk.baseline_year, as_of=walk.as_of, loaders=loaders, claimed=claimed, spool=spool)
        pool = ProcessPoolExecutor(workers - 1, mp_context=context)
        try:
            results = [pool.submit(_spooled_part, index) for index in range(len(loaders))]
            received = 0
            for index in reversed(range(len(loaders))):
                partial = _audit_part(index)
                if partial is None:
                    break  # the workers have come this far: the rest is theirs
                finished(index, partial)
                while received < len(loaders) and results[received].done():  # what the workers finished meanwhile
                    finished(received, results[received].result())
                    received += 1
            for index in range(received, len(loaders)):
                finished(index, results[index].result())
        except BrokenProcessPool as broken:
            raise AuditIncomplete(
                "审计的工作进程意外退出（被终止或内存不足），审计未完成 / an audit worker process ended unexpectedly"
                " (killed, or out of memory): the audit is incomplete") from broken
        finally:
            # After a failure the workers finish the part in hand and take no other, before the spool goes.
            pool.shutdown(wait=True, cancel_futures=True)
            _FORKED.clear()
            walk.progress = progress
    for index in sorted(walked):
        walk.merge(walked[index])


def _audit_part(index: int) -> "Walk | None":
    """Part `index` audited on its own, or None when another process claimed it first."""
    job = _FORKED
    with job["claimed"].get_lock():
        if job["claimed"][index]:
            return None
        job["claimed"][index] = 1
    walk = Walk(job["engine"], job["known"], job["year"], job["baseline_year"], None, None, job["as_of"])
    walk.part(*job["loaders"][index]())
    job["collections"].after_part()  # the part's cycles, when a collection is due (see `Collections`)
    walk.engine = walk.known = None  # the parent has them; only the part's results travel back
    return walk


def _spooled_part(index: int) -> str | None:
    """In a worker: part `index` audited and written to a file in the spool, whose name is returned (None when the
    parent claimed the part first)."""
    walk = _audit_part(index)
    if walk is None:
        return None
    path = os.path.join(_FORKED["spool"], f"{index}.pickle")
    with open(path, "wb") as spooled:
        pickle.dump(_Spooled(walk), spooled, protocol=pickle.HIGHEST_PROTOCOL)
    return path


class _Packed:
    """A part's listed findings as they travel from a worker to the parent: each distinct finding once, as its
    fields, and each record as plain values pointing at them. Pickling the findings themselves (pydantic models,
    their dates) cost a worker and the parent more than deciding the records had."""

    def __init__(self, lists: Sequence[list[RecordFindings]]):
        index: dict[int, int] = {}
        self.findings: list[dict[str, Any]] = []
        self.lists: list[list[tuple]] = []
        for listed in lists:
            rows = []
            for item in listed:
                refs = []
                for finding in item.findings:
                    at = index.get(id(finding))
                    if at is None:
                        at = index[id(finding)] = len(self.findings)
                        self.findings.append(finding.__dict__)
                    refs.append(at)
                rows.append((item.record_id, item.unit, item.kind, item.date.toordinal(), refs))
            self.lists.append(rows)

    def unpacked(self) -> list[list[RecordFindings]]:
        findings = [built_finding(fields) for fields in self.findings]
        return [[RecordFindings(record_id, unit, kind, date.fromordinal(day), [findings[i] for i in refs]) for record_id, unit, kind, day, refs in rows]
                for rows in self.lists]


class _Spooled:
    """A worker's walked part as it travels to the parent: its listed findings packed (`_Packed`), the records not
    checked as plain values."""

    def __init__(self, walk: Walk):
        self.walk = walk

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.walk.__dict__)
        state["violations"] = _Packed([state.pop("violations"), state.pop("advice"), state.pop("waivers")])
        state["not_checked"] = [(n.record_id, n.unit, n.kind, n.date.toordinal(), n.reason) for n in state["not_checked"]]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        walk = self.walk = Walk.__new__(Walk)
        walk.__dict__.update(state)
        walk.violations, walk.advice, walk.waivers = state["violations"].unpacked()
        walk.not_checked = [NotChecked(record_id, unit, kind, date.fromordinal(day), reason) for record_id, unit, kind, day, reason in state["not_checked"]]
