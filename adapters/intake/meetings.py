"""A meeting notice (会议通知, 关于召开…会议的通知) read into a meeting draft: the meeting's own date and time (not the
notice's 成文日期), its place, its title, the attendees from 参会人员/参会单位 split into units, and `scope` suggested
for a 全市…系统 meeting (本系统全市性会议, art. 8)."""

from __future__ import annotations

import re

from .elements import Elements, labelled, labelled_date, put

MEETING_TITLE = re.compile(r"关于召开(.+?会议?)的通知")
CALLED = re.compile(r"(?:决定|定于|拟于|拟定)[^。]*?召开(.+?会)[。，,；]")
TIME_LABELS = r"(?:会议)?时间|会议时间和地点|时间和地点|时间、地点"
PLACE_LABELS = r"(?:会议)?地点"
ATTENDEE_LABELS = r"参会人员|参会单位|参加人员|参加对象|参会对象|出席对象|出席人员|与会人员|参会范围|参加范围|会议对象"


def is_meeting_notice(title: str) -> bool:
    return bool(re.search(r"召开.*会议?的通知|会议通知$", title)) and "纪要" not in title


def read_meeting(elements: Elements, text: str) -> dict:
    """`{field: (value, evidence)}` for what the notice gives."""
    out: dict = {}
    title = elements.title.value if elements.title else ""
    match = MEETING_TITLE.search(title) or CALLED.search(text)
    if match:
        out["title"] = (match.group(1), match.group(0))
    lines = elements.lines
    notice_day = elements.date.value if elements.date else None
    put(out, "date", labelled_date(lines, TIME_LABELS, text, r"(?:定于|拟于|于)([^。，,]{4,20}?日)[^。]*?召开", notice_day))
    put(out, "place", labelled(lines, PLACE_LABELS))
    put(out, "attendees", labelled(lines, ATTENDEE_LABELS))
    meeting_title = out.get("title", ("", ""))[0]
    if re.search(r"全市.*系统", meeting_title):
        out["scope"] = ("citywide_system", meeting_title)
    return out
