"""What a revision of the packs changes (修订影响): the packs compared rule by rule, and the decisions that flip.

`diff` compares two catalogs by pack id: each rule and obligation added, removed or changed (its article text,
reading, condition, severity, approval and the rest, field by field), each parameter added, removed or changed in
a value or in the dates its values take effect, and the pack's own fields (version, jurisdictions, dates, extends).

`impact` is built on the audit's walk, not beside it: the year audited once under the packs in force and once under
the revised ones, each record decided with the packs of its own date against the records before it. Every record
whose decision or blocking rules differ is a flip; the units whose light or bulletin result differs come from the
what-if comparison (`audit.whatif.flips`). What counts toward a limit is the register's own status, never an
audit's verdict, so the two walks see the same register.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from .audit import Audit
from .audit.whatif import Flip, flips as unit_flips
from .decide import Engine, Found
from .errors import NoPackInForce
from .facts import FACTS
from .packs import PLACEHOLDER, Catalog, LoadedPack

RULE_FIELDS = ("text", "reading", "applies", "violated", "severity", "approval", "kind", "article", "source", "title", "needs",
               "report", "message", "remedy", "quota")
"""A rule's fields in the order a reviewer reads them: the article's words and our reading first, then the logic."""
OBLIGATION_FIELDS = ("text", "reading", "applies_to", "counts", "per_task", "minimum", "period", "closed_by", "article", "source", "title", "message")
PACK_FIELDS = ("version", "title", "jurisdiction", "effective", "extends", "sources")


def _dump(value: Any) -> Any:
    return value.model_dump(mode="json", by_alias=True) if hasattr(value, "model_dump") else value


def _fields(before: Any, after: Any, names: Iterable[str]) -> list[dict[str, Any]]:
    out = []
    for name in names:
        old, new = _dump(getattr(before, name)), _dump(getattr(after, name))
        if old != new:
            out.append({"field": name, "before": old, "after": new})
    return out


def _by_id(items: Iterable[Any], before: dict[str, Any] | None, names: tuple[str, ...]) -> list[dict[str, Any]]:
    """Items (rules, obligations) matched by id: each added, removed or changed, in the new order, removed last."""
    before = dict(before or {})
    out = []
    for item in items:
        old = before.pop(item.id, None)
        if old is None:
            out.append({"id": item.id, "change": "added", "title": item.title, "article": item.article, "fields": []})
        else:
            changed = _fields(old, item, names)
            if changed:
                out.append({"id": item.id, "change": "changed", "title": item.title, "article": item.article, "fields": changed})
    out += [{"id": old.id, "change": "removed", "title": old.title, "article": old.article, "fields": []} for old in before.values()]
    return out


def _values(values: dict | None) -> dict[str, Any]:
    return {str(day): _dump(value) for day, value in (values or {}).items()}


def _parameters(before: dict[str, Any], after: dict[str, Any], prefix: str = "") -> list[dict[str, Any]]:
    """Each parameter added, removed, or with a value or a date changed: `values` lists every date whose value
    differs (`before`/`after` None where that side has no value from that date)."""
    out = []
    for name in list(after) + [n for n in before if n not in after]:
        old, new = before.get(name), after.get(name)
        change = "added" if old is None else "removed" if new is None else "changed"
        old_values, new_values = _values(old.values if old else None), _values(new.values if new else None)
        dates = sorted(set(old_values) | set(new_values))
        values = [{"date": d, "before": old_values.get(d), "after": new_values.get(d)} for d in dates if old_values.get(d) != new_values.get(d)]
        if change != "changed" or values:
            out.append({"name": prefix + name, "change": change, "values": values})
    return out


def _pack(old: LoadedPack | None, new: LoadedPack | None) -> dict[str, Any] | None:
    if old is not None and new is not None and old.sha256 == new.sha256:
        return None
    ref = new or old
    entry: dict[str, Any] = {"id": ref.id, "change": "added" if old is None else "removed" if new is None else "changed",
                             "file": {"before": old.file if old else None, "after": new.file if new else None},
                             "version": {"before": old.pack.version if old else None, "after": new.pack.version if new else None},
                             "fields": [], "rules": [], "parameters": [], "obligations": [], "switched_off": []}
    if old is None or new is None:
        pack = ref.pack
        entry["rules"] = [{"id": r.id, "change": entry["change"], "title": r.title, "article": r.article, "fields": []} for r in pack.rules]
        entry["obligations"] = [{"id": o.id, "change": entry["change"], "title": o.title, "article": o.article, "fields": []} for o in pack.obligations]
        entry["parameters"] = _parameters({}, pack.parameters) if new else _parameters(pack.parameters, {})
        return entry
    a, b = old.pack, new.pack
    entry["fields"] = [f for f in _fields(a, b, PACK_FIELDS) if f["field"] != "version"]
    entry["rules"] = _by_id(b.rules, {r.id: r for r in a.rules}, RULE_FIELDS)
    entry["obligations"] = _by_id(b.obligations, {o.id: o for o in a.obligations}, OBLIGATION_FIELDS)
    entry["parameters"] = _parameters(a.parameters, b.parameters) + _parameters(a.overrides.parameters, b.overrides.parameters, "overrides.")
    off_before = {s.rule: s.reason for s in a.overrides.switch_off}
    off_after = {s.rule: s.reason for s in b.overrides.switch_off}
    entry["switched_off"] = ([{"rule": r, "change": "added"} for r in off_after if r not in off_before]
                             + [{"rule": r, "change": "removed"} for r in off_before if r not in off_after])
    if not any(entry[k] for k in ("fields", "rules", "parameters", "obligations", "switched_off")) and a.version == b.version:
        # the same packs written differently (comments, key order): nothing the engine reads has changed
        return None
    return entry


def diff(before: Catalog, after: Catalog) -> list[dict[str, Any]]:
    """The packs that differ, by id (those of the new folder in its order, then the removed ones)."""
    ids = list(after.packs) + [p for p in before.packs if p not in after.packs]
    return [found for pack_id in ids if (found := _pack(before.packs.get(pack_id), after.packs.get(pack_id))) is not None]


# -- impact -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RecordFlip:
    """A record (or a logged request) decided otherwise under the revised packs."""

    record_id: str
    unit: str
    before: str  # approve | reject | not_checked
    after: str
    rules: list[str]  # the blocking rules found (or lifted) on one side only
    waived_before: list[str] = field(default_factory=list)  # lifted by an approval: shown in the report, not a decision
    waived_after: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"record_id": self.record_id, "unit": self.unit, "before": self.before, "after": self.after, "rules": list(self.rules)}


def outcomes(result: Audit) -> dict[str, tuple[str, str, frozenset[str], frozenset[str]]]:
    """Each record the audit found something about: (unit, decision, blocking rules, rules waived by an approval).
    A record listed nowhere was checked and approved with nothing to lift."""
    out: dict[str, tuple[str, str, frozenset[str], frozenset[str]]] = {}
    for item in result.waivers:
        out[item.record_id] = (item.unit, "approve", frozenset(), frozenset(f.rule for f in item.findings))
    for item in result.violations:
        waived = out.get(item.record_id, (None, None, None, frozenset()))[3]
        out[item.record_id] = (item.unit, "reject", frozenset(f.rule for f in item.findings), waived)
    for item in result.not_checked:
        out[item.record_id] = (item.unit, "not_checked", frozenset(), frozenset())
    return out


NOTHING = (None, "approve", frozenset(), frozenset())


def record_flips(before: dict[str, tuple], after: dict[str, tuple]) -> list[RecordFlip]:
    """Every record whose decision or blocking rules differ. A blocking rule lifted by an approval (waived) counts as
    one of its blocking rules: a meeting that needed the city government's approval and under the revision needs
    none is listed, with the rule, though approved on both sides."""
    out = []
    for record_id in sorted(set(before) | set(after)):
        unit_a, decision_a, block_a, waived_a = before.get(record_id) or NOTHING
        unit_b, decision_b, block_b, waived_b = after.get(record_id) or NOTHING
        if decision_a != decision_b or block_a != block_b or waived_a != waived_b:
            rules = sorted((block_a ^ block_b) | (waived_a ^ waived_b))
            out.append(RecordFlip(record_id, unit_a or unit_b or "", decision_a, decision_b, rules, sorted(waived_a), sorted(waived_b)))
    return out


@dataclass
class Impact:
    year: int
    before: Audit
    after: Audit
    flips: list[RecordFlip]
    units: list[Flip]
    log_flips: list[RecordFlip] = field(default_factory=list)
    log_entries: int | None = None  # replayed; None without --log

    @property
    def flipped(self) -> bool:
        return bool(self.flips or self.log_flips)

    def by_rule(self) -> dict[str, int]:
        counts: Counter = Counter(rule for flip in self.flips + self.log_flips for rule in flip.rules)
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def by_unit(self) -> dict[str, int]:
        counts: Counter = Counter(flip.unit for flip in self.flips + self.log_flips)
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "packs": {"before": [p.model_dump(mode="json") for p in self.before.packs], "after": [p.model_dump(mode="json") for p in self.after.packs]},
            "records_decided": self.after.records_in_year,
            "flips": [f.as_dict() for f in self.flips],
            "log_entries_replayed": self.log_entries,
            "log_flips": [f.as_dict() for f in self.log_flips],
            "by_rule": self.by_rule(),
            "by_unit": self.by_unit(),
            "units": [f.as_dict() for f in self.units],
        }


def impact(year: int, before: Audit, after: Audit) -> Impact:
    """The flips between the year's audit under the packs in force and under the revised ones."""
    return Impact(year, before, after, record_flips(outcomes(before), outcomes(after)), unit_flips(before, after))


class RecordingEngine(Engine):
    """The engine of the walk under the packs in force, keeping each record's findings for `ReusingEngine`."""

    def __init__(self, catalog: Catalog):
        super().__init__(catalog)
        self.kept: dict[str, list] = {}

    def findings(self, request, *args, **kwargs) -> Found:
        found = super().findings(request, *args, **kwargs)
        self.kept[request.id] = found.findings
        return found


class ReusingEngine(Engine):
    """The engine of the walk under the revised packs. A record whose kind has, on its date, the same rules and
    the same parameters in both catalogs is found what it was found before: its facts come from the same register,
    so its findings are the same, and only the packs named differ. Every other record is decided again. Kept behind
    `impact_audits(..., reuse=False)` so a test can compare the two ways; a record the first walk did not keep (a
    forked worker's) is decided again too."""

    def __init__(self, catalog: Catalog, first: RecordingEngine):
        super().__init__(catalog)
        self.first = first
        self._same: dict[tuple, bool] = {}
        self._rules: dict[tuple, tuple[bool, set[str]]] = {}

    def unchanged(self, jurisdiction: str, on, kind: str) -> bool:
        try:
            old, new = self.first.catalog.stack_for(jurisdiction, on), self.catalog.stack_for(jurisdiction, on)
        except NoPackInForce:
            return False
        key = (id(old), id(new), kind, on)  # jurisdictions sharing a chain share the answer
        found = self._same.get(key)
        if found is None:
            chains = (id(old), id(new), kind)  # the rules compared once per pair of chains and kind
            rules = self._rules.get(chains)
            if rules is None:
                same = old.rules_for(kind) == new.rules_for(kind)
                rules = self._rules[chains] = (same, _params_read(kind, old.rules_for(kind)))
            same, names = rules
            found = self._same[key] = same and _at(old, names, on) == _at(new, names, on)
        return found

    def findings(self, request, *args, **kwargs):
        kept = self.first.kept.get(request.id)
        if kept is not None and self.unchanged(request.jurisdiction, request.date, request.kind):
            return Found(kept, self.in_force(request.jurisdiction, request.date, request.kind).packs)
        return super().findings(request, *args, **kwargs)


def _params_read(kind: str, rules: list) -> set[str]:
    """The parameters a kind's findings can depend on: those its rules test, those its facts read, those its
    messages and remedies show."""
    names = {p for fact in FACTS.values() if kind in fact.kinds for p in fact.params}
    for rule in rules:
        names |= rule.params_tested
        for text in (rule.message.zh, rule.message.en, rule.remedy.zh, rule.remedy.en):
            names |= set(PLACEHOLDER.findall(text))
    return names


def _at(stack: Any, names: set[str], on: Any) -> dict[str, Any]:
    """The named parameters' values in force on the day (those without one then left out, as `params_at` does)."""
    out = {}
    for name in names:
        param = stack.parameters.get(name)
        if param is not None:
            try:
                out[name] = param.at(on)
            except KeyError:
                continue
    return out


def engines(before: Catalog, after: Catalog, reuse: bool = True) -> tuple[Engine, Engine]:
    """The two engines of an impact's walks: with `reuse`, the second finds again only what the revision can
    change (a kind whose rules or parameters differ on the record's date)."""
    if not reuse:
        return Engine(before), Engine(after)
    first = RecordingEngine(before)
    return first, ReusingEngine(after, first)


def decision_outcome(contract: dict[str, Any]) -> tuple[str, frozenset[str], frozenset[str]]:
    """A decision contract's outcome: approve or reject, its blocking rules and the rules an approval lifted."""
    findings = contract.get("findings", ())
    return (contract["decision"], frozenset(f["rule"] for f in findings if f.get("severity") == "block"),
            frozenset(f["rule"] for f in findings if f.get("severity") == "waived"))


__all__ = ["Impact", "RecordFlip", "ReusingEngine", "RecordingEngine", "decision_outcome", "diff", "engines", "impact", "outcomes", "record_flips"]
