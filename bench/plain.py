"""The same checks as the Jingdezhen pack, hand-written in plain Python over the same SQLite data.

The yardstick for the engine's cost: what a programmer would write without rule packs or durable-rules. It must
decide exactly as the engine does (the benchmark asserts it on every sample), or the comparison means nothing.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import timedelta
from fractions import Fraction

CITY_NAME = ("city_government", "general_office")
COUNTS = "counts"
FORMALISM = re.compile(r"批示|召开|会议次数|出台|发文")


def plain_decide(db: sqlite3.Connection, r) -> str:
    blocked = False
    j, u, y, x = r.jurisdiction, r.unit, r.date.year, r.id
    approvals = {a.by for a in r.approvals if a.date is None or a.date <= r.date}
    if r.kind == "document":
        if r.relays and r.relays.explicit and r.relays.sent_to_counties and not r.relays.requires_local_rules:
            blocked = True
        if r.issuer in CITY_NAME and r.remit in ("coordinating_body", "department", "joint_departments"):
            blocked = True
        rows = db.execute(
            f"SELECT doc_no FROM records WHERE jurisdiction=? AND subject=? AND kind='document' AND {COUNTS}"
            " AND date<=? AND (valid_until IS NULL OR valid_until>=?) AND id<>?",
            (j, r.subject, r.date.isoformat(), r.date.isoformat(), x),
        ).fetchall()
        if any(not (r.replaces and row[0] == r.replaces) for row in rows):
            blocked = True
        if r.deployed_via:
            blocked = True
    elif r.kind == "meeting":
        if r.held_in_name_of == "city_government":
            if not r.arranged_by_general_office or not approvals & {"city_government_leader", "city_government"}:
                blocked = True
            if r.remit == "department":
                blocked = True
        onsite = "现场办公会" in r.title or any("现场办公会" in t for t in r.topics)
        if r.held_in_name_of == "department" and r.scope == "citywide_system" and not onsite:
            n = db.execute(
                f"SELECT count(*) FROM records WHERE jurisdiction=? AND unit=? AND kind='meeting' AND year=? AND {COUNTS}"
                " AND scope='citywide_system' AND NOT onsite_office AND id<>?",
                (j, u, y, x),
            ).fetchone()[0]
            if n >= 1 and "city_government" not in approvals:
                blocked = True
        if r.routine:
            mine = {"".join(t.split()).lower() for t in r.topics}
            rows = db.execute(
                f"SELECT topics, title FROM records WHERE jurisdiction=? AND unit=? AND kind='meeting' AND {COUNTS}"
                " AND routine AND date BETWEEN ? AND ? AND id<>?",
                (j, u, (r.date - timedelta(days=30)).isoformat(), (r.date + timedelta(days=30)).isoformat(), x),
            ).fetchall()
            title = "".join(r.title.split()).lower()
            for topics, other_title in rows:
                theirs = {"".join(t.split()).lower() for t in json.loads(topics or "[]")}
                if mine & theirs or (title and "".join((other_title or "").split()).lower() == title):
                    blocked = True
                    break
        if any(not a.directly_related for a in r.attendees):
            blocked = True
    elif r.kind == "inspection":
        if r.scope == "citywide":
            filed = r.plan_item is not None and db.execute(
                "SELECT 1 FROM plans p JOIN plan_items i ON i.plan_id=p.id WHERE p.jurisdiction=? AND p.unit=? AND p.year=?"
                " AND i.item_id=? AND p.status='filed' AND p.filed_on<=?",
                (j, u, y, r.plan_item, r.date.isoformat()),
            ).fetchone() is not None
            if not filed and not (r.urgent and approvals & {"city_government", "city_government_leader"}):
                blocked = True
        if r.type == "comprehensive":
            n = db.execute(
                f"SELECT count(*) FROM records WHERE jurisdiction=? AND unit=? AND kind='inspection' AND year=? AND {COUNTS}"
                " AND type='comprehensive' AND id<>?",
                (j, u, y, x),
            ).fetchone()[0]
            if n >= 1:
                blocked = True
        if len(set(r.involved_units) | {r.unit}) >= 2 and not r.joint:
            blocked = True
        plan = r.work_plan
        if (
            plan is None
            or not plan.targets
            or not plan.indicators
            or any(i.target is None or not re.search(r"\d", str(i.target)) for i in plan.indicators)
            or any(FORMALISM.search(i.name) for i in plan.indicators)
        ):
            blocked = True
    elif r.kind == "bulletin":
        series = {row[0] for row in db.execute(
            f"SELECT DISTINCT series FROM records WHERE jurisdiction=? AND unit=? AND kind='bulletin' AND year=? AND {COUNTS} AND id<>?",
            (j, u, y, x),
        )} - {r.series}
        if len(series) >= 1:
            blocked = True
        if y == 2019:
            issues = db.execute(
                f"SELECT count(*) FROM records WHERE jurisdiction=? AND unit=? AND kind='bulletin' AND year=? AND {COUNTS} AND id<>?",
                (j, u, y, x),
            ).fetchone()[0] + 1
            baseline = db.execute(
                f"SELECT count(*) FROM records WHERE jurisdiction=? AND unit=? AND kind='bulletin' AND year=2018 AND {COUNTS} AND id<>?",
                (j, u, x),
            ).fetchone()[0]
            if baseline == 0 or 1 - Fraction(issues, baseline) < Fraction(1, 5):
                blocked = True
    return "reject" if blocked else "approve"
