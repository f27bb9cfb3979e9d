"""Who a text names: organs matched to the register's units by name and alias, the document-number prefixes (data
in prefixes.yaml), and the level a name speaks in (issuer). A name the register does not hold is reported, never
made into a unit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

PREFIXES_FILE = Path(__file__).with_name("prefixes.yaml")


@dataclass(frozen=True)
class Prefix:
    prefix: str
    jurisdiction: str
    issuer: str
    unit: str


@dataclass(frozen=True)
class PrefixBook:
    prefixes: tuple[Prefix, ...]
    jurisdictions: dict
    department_committees: tuple[str, ...]

    def lookup(self, doc_no: str) -> Prefix | None:
        """The longest prefix the number starts with (景府办字 before 景府字)."""
        head = doc_no.split("〔", 1)[0]
        best = None
        for entry in self.prefixes:
            if head == entry.prefix and (best is None or len(entry.prefix) > len(best.prefix)):
                best = entry
        return best

    def jurisdiction_in(self, name: str) -> str | None:
        """The jurisdiction an organ's full name starts with (南昌市人民政府 → 南昌市)."""
        for jurisdiction in sorted(self.jurisdictions, key=len, reverse=True):
            if name.startswith(jurisdiction):
                return jurisdiction
        return None


@lru_cache(maxsize=4)
def prefix_book(path: Path = PREFIXES_FILE) -> PrefixBook:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return PrefixBook(
        tuple(Prefix(**entry) for entry in data.get("prefixes", [])),
        dict(data.get("jurisdictions", {})),
        tuple(data.get("department_committees", [])),
    )


TYPE_TO_ISSUER = {"government": "city_government", "general_office": "general_office",
                  "department": "department", "coordinating_body": "coordinating_body"}


def issuer_of_name(name: str, book: PrefixBook) -> str | None:
    """The level a name speaks in, read from its last words (GB/T 9704 names the organ in full)."""
    if re.search(r"(人民政府|市政府)(办公室|办公厅|办)$", name):
        return "general_office"
    if re.search(r"(人民政府|市政府)$", name):
        return "city_government"
    if any(name.endswith(c) for c in book.department_committees):
        return "department"
    if re.search(r"(领导小组|联席会议|委员会|指挥部|工作小组)(办公室)?$", name):
        return "coordinating_body"
    if re.search(r"(局|委|办|厅|中心|处|署)$", name):
        return "department"
    return None


def _aliases(unit) -> list[str]:
    # `aliases` is the register's own field once the register contract has it; until then a unit has its name only.
    return [a for a in (getattr(unit, "aliases", None) or []) if a]


class UnitMatcher:
    """The register's units by every name they go by, and the short form a city's department signs with."""

    def __init__(self, units, jurisdiction: str | None = None):
        self.units = list(units)
        self.names: dict[str, object] = {}
        for unit in self.units:
            for name in [unit.name, *_aliases(unit)]:
                self.names.setdefault(_key(name), unit)

    def match(self, name: str, jurisdiction: str | None = None):
        """The unit a name is, or None. `景德镇市教育局` is the register's `市教育局` when the jurisdiction is 景德镇市:
        the register of a city writes its departments 市…, the document writes them in full."""
        name = _key(name)
        if not name:
            return None
        if name in self.names:
            return self.names[name]
        if name.endswith("委员会") and name[:-2] in self.names:  # 卫生健康委员会 signs what the register calls 卫生健康委
            return self.names[name[:-2]]
        if jurisdiction and name.startswith(jurisdiction) and len(name) > len(jurisdiction):
            short = "市" + name[len(jurisdiction):] if jurisdiction.endswith("市") else name[len(jurisdiction):]
            unit = self.names.get(short) or (self.names.get(short[:-2]) if short.endswith("委员会") else None)
            if unit is not None and getattr(unit, "jurisdiction", None) in (None, jurisdiction):
                return unit
        return None


def _key(name: str) -> str:
    return re.sub(r"\s", "", name).replace("（", "(").replace("）", ")")


GROUP = re.compile(r"^(各|有关|相关|市直|全市|市属|各级)")
"""A name for a group of units (各县(区)教育局, 市直有关单位): SPEC lets attendees and involved units name groups."""

ROLE_TAIL = re.compile(
    r"(的)?((?<=[局委办])(?:副)?(?:局长|主任)|科长|主要负责同志|主要负责人|分管负责同志|分管领导|负责同志|负责人|相关负责人|相关人员|有关人员|工作人员|业务骨干|联络员|同志|代表)"
    r"(和|及)?.*$"
)
COUNT = re.compile(r"[(（]\s*(各|每单位)?\s*[0-9一二三四五六七八九十两]+\s*(名|人)\s*[)）]|各\s*[0-9一二三四五六七八九十两]+\s*(名|人)")


def split_units(text: str) -> list[str]:
    """`市公安局、市财政局分管负责同志，各县(市、区)教育局` → its units: split at 、，,；and 及/和 outside brackets,
    the roles (分管负责同志) and head counts ((各1人)) taken off."""
    text = COUNT.sub("", text)
    parts, depth, current = [], 0, []
    for char in text:
        if char in "(（《":
            depth += 1
        elif char in ")）》":
            depth = max(depth - 1, 0)
        if depth == 0 and char in "、，,；;。":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    units = []
    for part in parts:
        for piece in re.split(r"(?<=[局委办厅府会组心院所站队])(?:及|和|与)", part):
            piece = ROLE_TAIL.sub("", piece.strip()).strip(" 　:：")
            piece = re.sub(r"^(请|由|邀请)", "", piece)
            if piece and len(piece) >= 2:
                units.append(piece)
    return units
