"""The register (台账) contract: units, records of what was approved, held, issued or filed, and filed plans.

A record has the shape of a request plus a `status`. Rejected and cancelled records never count toward a limit.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, model_validator

from .requests import Bulletin, Document, Inspection, Meeting, Plan
from .types import Contract, Text

Status = Literal["approved", "held", "issued", "filed", "cancelled", "rejected"]
COUNTING_STATUSES: frozenset[str] = frozenset({"approved", "held", "issued", "filed"})


class Unit(Contract):
    """A unit (单位): the city government, its general office, a department or a coordinating body."""

    name: Text
    type: Literal["government", "general_office", "department", "coordinating_body"]
    level: Literal["province", "city", "county", "township"]
    jurisdiction: Text | None = None


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
