"""The same checks as the Jingdezhen pack, hand-written in plain Python over the same SQLite data.

The yardstick for the engine's cost: what a programmer would write without rule packs or durable-rules. It must
decide exactly as the engine does (the benchmark asserts it on every sample), or the comparison means nothing.

`plain_violations` names the pack's blocking rules (their ids) a record breaks, `plain_advice` the advice rules it
gets (advice never rejects, but the engine checks every rule in force: the yardstick does the same work);
`before=True` counts only the records before it in (date, id) order, as the yearly audit does (bench/plain_audit.py),
instead of every other record in the register.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import timedelta
from fractions import Fraction

CITY_NAME = ("city_government", "general_office")
COUNTS = "counts"
FORMALISM = [re.compile(p) for p in (
    r".*(是否|有无).*(批示|召开|开会|会议|出台|印发|发文|文件|方案).*",
    r".*(批示|会议|发文|文件|方案|简报)的?(次数|数量|件数|份数|个数|场次|数).*",
    r".*(召开|出台|印发|制发).*(次数|数量|件数|份数|个数|场次).*",
)]  # the pack's formalism_patterns (art. 12), matched over the whole name as durable-rules does
TO_CITY = " AND (addressed_to IS NULL OR addressed_to='city_government')"  # art. 6: bulletins to the city government


def _cut_off(r, before: bool) -> tuple[str, tuple]:
    """The audit's cut-off as SQL and its values: only the records before `r`, in (date, id) order (none without)."""
    if not before:
        return "", ()
    return " AND (date<? OR (date=? AND id<?))", (r.date.isoformat(), r.date.isoformat(), r.id)


def plain_screening(db: sqlite3.Connection, r) -> tuple[str, list[str]]:
    """What a screening answers, worked out as the engine works it out: the decision and the advice rules it gives
    (advice never rejects, but every rule in force is checked, so the yardstick checks them too)."""
    return ("reject" if plain_violations(db, r) else "approve"), plain_advice(db, r)


def plain_violations(db: sqlite3.Connection, r, before: bool = False, stored_approvals=(), city_bulletins=None) -> list[str]:
    """The blocking rules of the Jingdezhen pack that `r` breaks, by id. `stored_approvals`: (by, date) pairs
    recorded in the database for `r`, besides its own. `city_bulletins`: (the city's counted bulletins of the year
    before `r`, those of 2018) when the caller keeps them as it walks (the audit); else they are counted here."""
    broken: list[str] = []
    j, u, y, x = r.jurisdiction, r.unit, r.date.year, r.id
    approvals = {a.by for a in r.approvals if a.date is None or a.date <= r.date}
    approvals |= {by for by, day in stored_approvals if day is None or day <= r.date.isoformat()}
    cut, at = _cut_off(r, before)
    if r.kind == "document":
        if r.relays and r.relays.explicit and r.relays.sent_to_counties and not r.relays.requires_local_rules:
            broken.append("no_relay_of_explicit_document")
        if r.issuer in CITY_NAME and r.remit == "coordinating_body":
            broken.append("coordinating_body_not_in_city_name")
        if r.issuer in CITY_NAME and r.remit in ("department", "joint_departments"):
            broken.append("department_document_not_escalated")
        rows = db.execute(
            f"SELECT doc_no FROM records WHERE jurisdiction=? AND subject=? AND kind='document' AND {COUNTS}"
            " AND date<=? AND (valid_until>=? OR (valid_until IS NULL AND year=?)) AND id<>?" + cut,  # undated: its own year
            (j, r.subject, r.date.isoformat(), r.date.isoformat(), y, x, *at),
        ).fetchall()
        if any(not (r.replaces and row[0] == r.replaces) for row in rows):
            broken.append("no_duplicate_document")
        if r.deployed_via:
            broken.append("no_document_after_deployment")
    elif r.kind == "meeting":
        if r.held_in_name_of == "city_government":
            if not r.arranged_by_general_office or not approvals & {"city_government_leader", "city_government"}:
                broken.append("city_meeting_arranged_and_approved")
            if r.remit == "department":
                broken.append("department_meeting_not_escalated")
        onsite = r.onsite_office
        if r.held_in_name_of == "department" and r.scope == "citywide_system" and not onsite:
            n = db.execute(
                f"SELECT count(*) FROM records WHERE jurisdiction=? AND unit=? AND kind='meeting' AND year=? AND {COUNTS}"
                " AND scope='citywide_system' AND NOT onsite_office AND id<>?" + cut,
                (j, u, y, x, *at),
            ).fetchone()[0]
            if n >= 1 and "city_government" not in approvals:
                broken.append("system_meeting_once_a_year")
        if r.routine:
            mine = {"".join(t.split()).lower() for t in r.topics}
            rows = db.execute(
                f"SELECT topics, title FROM records WHERE jurisdiction=? AND unit=? AND kind='meeting' AND {COUNTS}"
                " AND routine AND date BETWEEN ? AND ? AND id<>?" + cut,
                (j, u, (r.date - timedelta(days=30)).isoformat(), (r.date + timedelta(days=30)).isoformat(), x, *at),
            ).fetchall()
            title = "".join(r.title.split()).lower()
            for topics, other_title in rows:
                theirs = {"".join(t.split()).lower() for t in json.loads(topics or "[]")}
                if mine & theirs or (title and "".join((other_title or "").split()).lower() == title):
                    broken.append("merge_similar_routine_meetings")
                    break
        if any(not a.directly_related for a in r.attendees):
            broken.append("only_directly_related_attendees")
    elif r.kind == "inspection":
        if r.scope == "citywide":
            filed = r.plan_item is not None and db.execute(
                "SELECT 1 FROM plans p JOIN plan_items i ON i.plan_id=p.id WHERE p.jurisdiction=? AND p.unit=? AND p.year=?"
                " AND i.item_id=? AND p.status='filed' AND p.filed_on<=?",
                (j, u, y, r.plan_item, r.date.isoformat()),
            ).fetchone() is not None
            if not filed and not (r.urgent and approvals & {"city_government", "city_government_leader"}):
                broken.append("inspection_in_filed_plan")
        if r.type == "comprehensive":
            n = db.execute(
                f"SELECT count(*) FROM records WHERE jurisdiction=? AND unit=? AND kind='inspection' AND year=? AND {COUNTS}"
                " AND type='comprehensive' AND id<>?" + cut,
                (j, u, y, x, *at),
            ).fetchone()[0]
            if n >= 1 and "city_government" not in approvals:
                broken.append("one_comprehensive_inspection")
        plan = r.work_plan
        if (
            plan is None
            or not plan.targets
            or not plan.indicators
            or any(i.target is None or not re.search(r"\d", str(i.target)) for i in plan.indicators)
            or any(p.fullmatch(i.name) for p in FORMALISM for i in plan.indicators)
        ):
            broken.append("inspection_work_plan")
    elif r.kind == "bulletin" and r.to == "city_government":
        series = {row[0] for row in db.execute(
            f"SELECT DISTINCT series FROM records WHERE jurisdiction=? AND unit=? AND kind='bulletin' AND year=? AND {COUNTS} AND id<>?"
            + TO_CITY + cut,
            (j, u, y, x, *at),
        )} - {r.series}
        if len(series) >= 1 and "city_government" not in approvals:
            broken.append("one_bulletin_series")
        if y == 2019:  # the city's total (every unit of the jurisdiction) against its 2018 total
            if city_bulletins is not None:
                issues, baseline = city_bulletins[0] + 1, city_bulletins[1]
            else:
                issues = db.execute(
                    f"SELECT count(*) FROM records WHERE jurisdiction=? AND kind='bulletin' AND year=? AND {COUNTS} AND id<>?" + TO_CITY + cut,
                    (j, y, x, *at),
                ).fetchone()[0] + 1
                baseline = db.execute(
                    f"SELECT count(*) FROM records WHERE jurisdiction=? AND kind='bulletin' AND year=2018 AND {COUNTS} AND id<>?" + TO_CITY,
                    (j, x),
                ).fetchone()[0]
            if baseline == 0 or 1 - Fraction(issues, baseline) < Fraction(1, 5):
                broken.append("bulletin_cut")
    return broken


def plain_advice(db: sqlite3.Connection, r, before: bool = False) -> list[str]:
    """The advice rules of the Jingdezhen pack `r` gets, by id: the unit's share of the bulletin cut (art. 6, counted
    by query as each unit's other limits are), a joint inspection when several departments are involved (art. 11),
    on-site checks unannounced and without demands (art. 15). `before` as for `plain_violations`."""
    advice: list[str] = []
    j, u, y, x = r.jurisdiction, r.unit, r.date.year, r.id
    if r.kind == "inspection":
        if len(set(r.involved_units) | {u}) >= 2 and not r.joint:
            advice.append("joint_inspection_when_several_departments")
        if r.onsite is not None and (not r.onsite.unannounced or len(r.onsite.demands) > 0):
            advice.append("onsite_without_disturbance")
    elif r.kind == "bulletin" and r.to == "city_government" and y == 2019:
        cut, at = _cut_off(r, before)
        baseline = db.execute(
            f"SELECT count(*) FROM records WHERE jurisdiction=? AND unit=? AND kind='bulletin' AND year=2018 AND {COUNTS} AND id<>?" + TO_CITY,
            (j, u, x),
        ).fetchone()[0]
        if baseline > 0:  # a unit with no 2018 issues has no share to compare
            issues = db.execute(
                f"SELECT count(*) FROM records WHERE jurisdiction=? AND unit=? AND kind='bulletin' AND year=? AND {COUNTS} AND id<>?" + TO_CITY + cut,
                (j, u, y, x, *at),
            ).fetchone()[0] + 1
            if 1 - Fraction(issues, baseline) < Fraction(1, 5):
                advice.append("bulletin_unit_share")
    return advice
