"""The register (台账) contract: units, records of what was approved, held, issued or filed, and filed plans.

A record has the shape of a request plus a `status`. Rejected and cancelled records never count toward a limit.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Callable, Literal, Union

from pydantic import Field, model_validator

from .counting import COUNTING_STATUSES  # what counts is said in engine/counting.py
from .requests import Bulletin, Document, Inspection, Meeting, Plan
from .types import Contract, Text

Status = Literal["approved", "held", "issued", "filed", "cancelled", "rejected"]


class Unit(Contract):
    """A unit (单位): the city government, its general office, a department or a coordinating body."""

    name: Text
    type: Literal["government", "general_office", "department", "coordinating_body"]
    level: Literal["province", "city", "county", "township"]
    jurisdiction: Text | None = None
    aliases: list[Text] = Field(default_factory=list, max_length=50,
                                description="该单位的其他名称，如全称 景德镇市教育局 / other names it goes by, such as its full name")
    leads: list[Text] = Field(default_factory=list, max_length=500,
                              description="牵头的重大任务、重点工作（第三十九条） / the major tasks and key work it leads (art. 39)")


class _Recorded(Contract):
    status: Status

    @property
    def counts(self) -> bool:
        """Whether this record counts toward a limit (not rejected, not cancelled)."""
        return self.status in COUNTING_STATUSES


class DocumentRecord(Document, _Recorded):
    pass


class MeetingRecord(Meeting, _Recorded):
    pass


class InspectionRecord(Inspection, _Recorded):
    pass


class BulletinRecord(Bulletin, _Recorded):
    pass


Record = Annotated[
    Union[DocumentRecord, MeetingRecord, InspectionRecord, BulletinRecord], Field(discriminator="kind")
]


class FiledPlan(Plan):
    """A plan as filed with the supervision office (报市政府督查室备案)."""

    @model_validator(mode="after")
    def _must_be_filed(self) -> "FiledPlan":
        if not self.filed:
            raise ValueError("已备案的计划须有 filed_with 与 filed_on / a filed plan needs filed_with and filed_on")
        return self


class RegisterFile(Contract):
    """The register as a file: three lists."""

    units: list[Unit] = Field(default_factory=list, max_length=100_000)
    records: list[Record] = Field(default_factory=list, max_length=5_000_000)
    plans: list[FiledPlan] = Field(default_factory=list, max_length=100_000)


class StoredRecord:
    """A record as the register's own columns give it: what counting, the register's questions and the yearly
    obligations read (kind, unit, date, status, title, topics, scope, type, routine, subject, series, doc_no,
    valid_until; None where the kind has no such field, as `getattr(record, name, None)` would give). The whole
    record is read from its stored body only when it is decided: `full()`.

    The audit reads a year and the years before it, and decides only the records of the year with a pack in force:
    most records are never parsed, let alone validated, and the register's columns are what its questions count."""

    __slots__ = ("id", "kind", "jurisdiction", "unit", "date", "status", "title", "topics", "scope", "type", "routine",
                 "subject", "series", "doc_no", "valid_until", "onsite_office", "to", "_source", "_load")

    def __init__(self, id: str, kind: str, jurisdiction: str, unit: str, date: date, status: str, title: str, topics: list[str],
                 scope: str | None, type: str | None, routine: bool | None, subject: str | None, series: str | None,
                 doc_no: str | None, valid_until: date | None, source: Any, load: Callable[[Any], Any],
                 onsite_office: bool | None = None, to: str | None = None):
        self.id, self.kind, self.jurisdiction, self.unit, self.date, self.status = id, kind, jurisdiction, unit, date, status
        self.title, self.topics, self.scope, self.type, self.routine = title, topics, scope, type, routine
        self.subject, self.series, self.doc_no, self.valid_until = subject, series, doc_no, valid_until
        # SPEC's defaults for columns an older register left empty: not on-site, submitted to the city government
        self.onsite_office = bool(onsite_office) if kind == "meeting" else None
        self.to = (to or "city_government") if kind == "bulletin" else None
        self._source, self._load = source, load

    @property
    def counts(self) -> bool:
        return self.status in COUNTING_STATUSES

    def full(self) -> Any:
        """The record itself, validated from its stored body (an error naming the field if the body is damaged)."""
        return self._load(self._source)

    def __repr__(self) -> str:
        return f"StoredRecord({self.id!r}, {self.kind!r}, {self.unit!r}, {self.date})"
