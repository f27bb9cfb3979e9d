"""Art. 4 made practical: the register's still-valid documents nearest to a draft, so the clerk sees that a document
on the same work is in force before issuing another.

Titles are compared without the words every title shares (关于, 印发, 的通知), since two notices on different work
would otherwise look alike; the subject is compared too, and the better of the two scores counts. rapidfuzz's
WRatio weighs a shorter title found inside a longer one (进一步加强预算绩效管理 in 关于进一步加强全市预算绩效管理工作).
"""

from __future__ import annotations

import re
from datetime import date

from rapidfuzz import fuzz

from jianfu.engine.records import COUNTING_STATUSES

DEFAULT_THRESHOLD = 60.0
MAX_SIMILAR = 5


def _core(title: str) -> str:
    text = re.sub(r"^.*?关于", "", title or "")
    text = re.sub(r"^(印发|转发)", "", text)
    text = re.sub(r"的?(通知|意见|决定|通报|函|办法|方案|规定|细则)$", "", text)
    return re.sub(r"[\s《》“”\"]", "", text)


def still_valid(record, on: date | None) -> bool:
    if getattr(record, "kind", None) != "document" or getattr(record, "status", None) not in COUNTING_STATUSES:
        return False
    until = getattr(record, "valid_until", None)
    return on is None or ((record.date <= on) and (until is None or until >= on))


def similar_documents(title: str, subject: str | None, records, on: date | None, jurisdiction: str | None,
                      threshold: float = DEFAULT_THRESHOLD) -> list[dict]:
    """`[{id, doc_no, title, score}]`, best first, scores at or above the threshold (0-100)."""
    mine = _core(title)
    if not mine and not subject:
        return []
    found = []
    for record in records:
        if not still_valid(record, on):
            continue
        if jurisdiction and getattr(record, "jurisdiction", None) not in (None, jurisdiction):
            continue
        score = fuzz.WRatio(mine, _core(record.title)) if mine and record.title else 0.0
        if subject and getattr(record, "subject", None):
            score = max(score, fuzz.ratio(subject, record.subject))
        if score >= threshold:
            found.append({"id": record.id, "doc_no": getattr(record, "doc_no", None), "title": record.title,
                          "score": round(float(score), 1)})
    found.sort(key=lambda item: (-item["score"], item["id"]))
    return found[:MAX_SIMILAR]
