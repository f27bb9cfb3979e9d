"""The decision contract (SPEC, "The decision contract"): approve or reject, with every reason.

`decision` is `approve` only when no blocking finding remains. A finding whose rule an approval on file lifted is
kept, with severity `waived`, so an auditor sees the waiver that was used; it does not block.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field

from .types import Contract

Severity = Literal["block", "advice", "waived"]


class PackRef(Contract):
    id: str
    version: str
    sha256: str


class Finding(Contract):
    rule: str
    source: str
    clause: str
    severity: Severity
    message: str
    message_en: str
    article_text: str
    facts: dict[str, Any] = Field(default_factory=dict)
    remedy: str


class Decision(Contract):
    id: str
    decision: Literal["approve", "reject"]
    as_of: date
    packs: list[PackRef]
    findings: list[Finding] = Field(default_factory=list)
    passed: list[str] = Field(default_factory=list)
    not_applicable: list[str] = Field(default_factory=list)

    @property
    def approved(self) -> bool:
        return self.decision == "approve"

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "block"]

    def contract(self) -> dict[str, Any]:
        """The decision as SPEC's JSON object."""
        return self.model_dump(mode="json")
