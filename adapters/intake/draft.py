"""One file of paperwork into a draft request (SPEC, `jianfu intake`):
`{file, kind, request, missing, evidence, text, similar}`.

`request` holds only the contract's fields the text gives; `missing` the fields screening needs that it does not
give (a clerk fills them in); `evidence` the words each field was read from. A unit is the register's unit or it is
missing: a name the register does not hold is shown in `evidence`, never made into a unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from jianfu.engine.requests import Document, Inspection, Meeting

from .elements import cited_doc_no, read_elements, relayed_title, subject_of, to_counties
from .inspections import is_inspection_plan, read_inspection
from .meetings import is_meeting_notice, read_meeting
from .normalise import normalise
from .readers import RawDocument, read_file
from .similar import DEFAULT_THRESHOLD, similar_documents
from .units import GROUP, TYPE_TO_ISSUER, PrefixBook, UnitMatcher, issuer_of_name, prefix_book, split_units

MODELS = {"document": Document, "meeting": Meeting, "inspection": Inspection}


@dataclass
class RegisterData:
    """What intake reads of the register: its units (to match names) and its records (for `similar`)."""

    units: list = field(default_factory=list)
    records: list = field(default_factory=list)

    @classmethod
    def of(cls, register_file) -> "RegisterData":
        return cls(list(register_file.units), list(register_file.records))


@dataclass
class Intake:
    """A draft (exactly SPEC's seven keys) and the damage its text still holds, for the clerk to check."""

    draft: dict
    damage: list[str]


def required_fields(kind: str) -> list[str]:
    """The contract's fields a request of this kind cannot go without (`kind` aside: the draft gives it)."""
    model = MODELS[kind]
    return [name for name, info in model.model_fields.items() if info.is_required() and name != "kind"]


class _Draft:
    def __init__(self, kind: str):
        self.kind = kind
        self.request: dict[str, Any] = {"kind": kind}
        self.evidence: dict[str, str] = {}
        self.missing: list[str] = []

    def give(self, name: str, value: Any, evidence: str) -> None:
        self.request[name] = value.isoformat() if isinstance(value, date) else value
        self.evidence[name] = evidence

    def lack(self, name: str, evidence: str | None = None) -> None:
        if name not in self.missing:
            self.missing.append(name)
        if evidence:
            self.evidence[name] = evidence

    def close(self) -> None:
        for name in required_fields(self.kind):
            if name not in self.request:
                self.lack(name)


def kind_of(title: str, text: str) -> str:
    head = title or "\n".join(text.splitlines()[:8])
    if is_meeting_notice(head):
        return "meeting"
    if is_inspection_plan(head):
        return "inspection"
    return "document"


def intake_file(path: Path, register: RegisterData | None = None, jurisdiction: str | None = None,
                threshold: float = DEFAULT_THRESHOLD, book: PrefixBook | None = None, name: str | None = None) -> Intake:
    """The draft for one file; `InvalidInput` when it cannot be read."""
    return intake_raw(read_file(path), name or str(path), register, jurisdiction, threshold, book)


def intake_raw(raw: RawDocument, name: str, register: RegisterData | None = None, jurisdiction: str | None = None,
               threshold: float = DEFAULT_THRESHOLD, book: PrefixBook | None = None) -> Intake:
    book = book or prefix_book()
    register = register or RegisterData()
    normal = normalise(raw.text)
    text = normal.text
    elements = read_elements(text)
    title = elements.title.value if elements.title else ""
    kind = kind_of(title, text)
    draft = _Draft(kind)
    matcher = UnitMatcher(register.units)

    # Who issues it, and where: the number's prefix (data), then the 署名, the 发文机关标志, the title's organ.
    prefix = book.lookup(elements.doc_no.value) if elements.doc_no else None
    organ, organ_evidence = None, None
    if prefix is not None and prefix.issuer != "province":
        organ, organ_evidence = prefix.unit, elements.doc_no.evidence
    elif elements.signature is not None:
        organ, organ_evidence = elements.signers[0], elements.signature.evidence
    elif elements.masthead is not None:
        organ, organ_evidence = elements.masthead.value, elements.masthead.evidence
    elif title and re.match(r"^(.{3,30}?)关于", title):
        organ, organ_evidence = re.match(r"^(.{3,30}?)关于", title).group(1), title
    if jurisdiction:
        draft.give("jurisdiction", jurisdiction, "--jurisdiction")
    elif prefix is not None and prefix.issuer != "province":
        draft.give("jurisdiction", prefix.jurisdiction, elements.doc_no.evidence)
    elif organ and book.jurisdiction_in(organ):
        draft.give("jurisdiction", book.jurisdiction_in(organ), organ_evidence)
    where = draft.request.get("jurisdiction")
    unit = matcher.match(organ, where) if organ else None
    if unit is None and organ and prefix is not None and elements.signature is not None:
        unit = matcher.match(elements.signers[0], where)
    if unit is not None:
        draft.give("unit", unit.name, organ_evidence)
        if "jurisdiction" not in draft.request and getattr(unit, "jurisdiction", None):
            draft.give("jurisdiction", unit.jurisdiction, f"台账 / register: {unit.name}")
    else:
        draft.lack("unit", organ)

    if kind == "document":
        _document(draft, elements, text, title, prefix, organ, organ_evidence, unit, book)
    elif kind == "meeting":
        _meeting(draft, elements, text, title, unit, organ, matcher, where)
    else:
        _inspection(draft, elements, text, raw.tables, unit, matcher, where)
    draft.lack("id")  # the register's id for the request is the office's to give, never the file's
    draft.close()
    on = date.fromisoformat(draft.request["date"]) if "date" in draft.request else None
    similar = similar_documents(draft.request.get("title", title), draft.request.get("subject"), register.records,
                                on, draft.request.get("jurisdiction"), threshold)
    if normal.notes:
        draft.evidence["text"] = "\n".join(normal.notes)
    return Intake({"file": name, "kind": kind, "request": draft.request, "missing": draft.missing,
                   "evidence": draft.evidence, "text": text, "similar": similar},
                  [note for note in normal.notes if "乱码" in note or "多种读法" in note])


def _document(draft: _Draft, elements, text, title, prefix, organ, organ_evidence, unit, book) -> None:
    if elements.title:
        draft.give("title", title, elements.title.evidence)
    if elements.doc_no:
        draft.give("doc_no", elements.doc_no.value, elements.doc_no.evidence)
    if elements.date:
        draft.give("date", elements.date.value, elements.date.evidence)
    if len(elements.signers) > 1:
        draft.give("issuer", "joint_departments", elements.signature.evidence)
    elif prefix is not None and prefix.issuer != "province":
        draft.give("issuer", prefix.issuer, elements.doc_no.evidence)
    elif unit is not None and unit.type in TYPE_TO_ISSUER:
        draft.give("issuer", TYPE_TO_ISSUER[unit.type], organ_evidence)
    elif organ and issuer_of_name(organ, book):
        draft.give("issuer", issuer_of_name(organ, book), organ_evidence)
    if title:
        draft.give("subject", subject_of(title), title)
    cited = relayed_title(title)
    if cited:
        relay: dict[str, Any] = {}
        number = cited_doc_no(text, cited)
        if number is not None:
            relay["doc_no"] = number.value
            draft.evidence["relays.doc_no"] = number.evidence
        else:
            draft.lack("relays.doc_no")
        if elements.recipients is not None:
            relay["sent_to_counties"] = to_counties(elements.recipients.value)
            draft.evidence["relays.sent_to_counties"] = elements.recipients.evidence
        else:
            draft.lack("relays.sent_to_counties")
        draft.request["relays"] = relay
        draft.evidence["relays"] = title
        # Whether the superior's text is already explicit, and whether it asks for local rules, is a reading of
        # the cited document: the clerk's, not the reader's.
        draft.lack("relays.explicit")
        draft.lack("relays.requires_local_rules")


def _units(draft: _Draft, field_name: str, text: str, evidence: str, matcher: UnitMatcher, where, offset: int = 0) -> list[str]:
    names = []
    for position, name in enumerate(split_units(text), offset):
        unit = matcher.match(name, where)
        if unit is not None:
            names.append(unit.name)
        elif GROUP.match(name):
            names.append(name)
        else:
            draft.lack(f"{field_name}[{position}]", f"{name}（台账中无此单位 / not a unit of the register）")
            names.append(name)
    draft.evidence[field_name] = "\n".join(filter(None, [draft.evidence.get(field_name), evidence]))
    return names


def _meeting(draft: _Draft, elements, text, title, unit, organ, matcher, where) -> None:
    found = read_meeting(elements, text)
    for name in ("title", "date", "scope"):
        if name in found:
            draft.give(name, found[name][0], found[name][1])
    if "place" in found:
        draft.evidence["place"] = found["place"][1]
    if unit is not None:
        draft.give("held_in_name_of", "city_government" if unit.type in ("government", "general_office") else "department",
                   draft.evidence.get("unit", ""))
    if "attendees" in found:
        names = _units(draft, "attendees", found["attendees"][0], found["attendees"][1], matcher, where)
        # Whether each attendee is directly related to the meeting (art. 9) is the organiser's judgement.
        draft.request["attendees"] = [{"unit": name} for name in names]
        draft.lack("attendees[].directly_related")


def _inspection(draft: _Draft, elements, text, tables, unit, matcher, where) -> None:
    found = read_inspection(elements, text, tables)
    for name in ("title", "type", "scope", "date"):
        if name in found:
            draft.give(name, found[name][0], found[name][1])
    plan: dict[str, Any] = {}
    if "targets" in found:
        plan["targets"] = found["targets"][0]
        draft.evidence["work_plan.targets"] = found["targets"][1]
    if "indicators" in found:
        plan["indicators"] = found["indicators"][0]
        draft.evidence["work_plan.indicators"] = found["indicators"][1]
    if plan:
        draft.request["work_plan"] = plan
    involved: list[str] = []
    for key in ("lead", "join"):
        if key in found:
            involved += _units(draft, "involved_units", found[key][0], found[key][1], matcher, where, len(involved))
    if involved:
        draft.request["involved_units"] = list(dict.fromkeys(involved))
    if "joint" in found:
        draft.give("joint", True, found["joint"][1])
    if "unannounced" in found:
        draft.request["onsite"] = {"unannounced": True}
        draft.evidence["onsite.unannounced"] = found["unannounced"][1]
    else:
        draft.lack("onsite.unannounced")
