"""What people read: the Chinese words for the contract's codes, and how a message template is filled.

One module for it, so the decision's findings, the command line's table, the pages and the audit's reports name a
thing the same way (本系统全市性 for `citywide_system` everywhere).
"""

from __future__ import annotations

from typing import Any

from .facts import FACTS
from .packs import PLACEHOLDER

APPROVER_ZH = {
    "city_government": "市政府",
    "city_government_leader": "市政府负责同志",
    "general_office": "市政府办公室",
    "supervision_office": "市政府督查室",
}

VALUE_ZH = {
    **APPROVER_ZH,
    "coordinating_body": "议事协调机构",
    "department": "部门",
    "joint_departments": "部门联合",
    "citywide_system": "本系统全市性",
    "citywide": "全市性",
    "other": "其他",
    "comprehensive": "综合性",
    "special": "专项",
    "ad_hoc": "临时性",
    "document": "文件",
    "meeting": "会议",
    "inspection": "督查检查考核",
    "bulletin": "简报",
    "public": "面向公众",
}
"""The Chinese word for each enumerated value a request or a fact may hold."""

DECISION_ZH = {"approve": "批准", "reject": "驳回", "not_checked": "未核查"}  # not_checked: a record no pack could decide (impact reports)
SEVERITY_ZH = {"block": "阻止", "advice": "提醒", "waived": "已批准豁免"}
# How the rule catalogue, read as a document, words a rule's result, a condition's test, a period and a scenario.
SEVERITY_RESULT_ZH = {"block": "阻止（驳回）", "advice": "提醒（不驳回）"}
CONDITION_OP_ZH = {"eq": "为", "ne": "不为", "gt": "大于", "gte": "不少于", "lt": "少于", "lte": "不超过", "in": "为以下之一：",
                   "matches": "符合模式", "any_matches": "中有一项符合模式"}
PERIOD_EVERY_ZH = {"year": "每年", "half_year": "每半年", "quarter": "每季度", "two_months": "每两个月", "month": "每月", "week": "每周"}
OUTCOME_ZH = {"approve": "批准", "reject": "驳回", "met": "已履行", "missed": "未履行"}
LIGHT_ZH = {"green": "绿灯", "yellow": "黄灯", "red": "红灯", "grey": "未核查"}
MEETING_ZH = {"citywide_system": "本系统全市性会议", "onsite_office": "现场办公会", "other": "其他会议"}
INSPECTION_ZH = {"comprehensive": "综合性督查考核", "special": "专项", "ad_hoc": "临时性"}
PERIOD_ZH = {"year": "年", "half_year": "半年", "quarter": "季度", "two_months": "两个月", "month": "月", "week": "周"}


def render(template: str, context: dict[str, Any], lang: str) -> str:
    """Fill `{name}` placeholders (nothing else: templates are data, not format strings)."""

    def value(match) -> str:
        name = match.group(1)
        return show_value(name, context.get(name), lang)

    return PLACEHOLDER.sub(value, template)


def split_template(template: str) -> tuple[str, ...]:
    """A template split once into literal, name, literal, name, …, literal (what `filled` fills)."""
    return tuple(PLACEHOLDER.split(template))


def filled(pieces: tuple[str, ...], context: dict[str, Any], lang: str) -> str:
    """`render` of a template already split by `split_template`."""
    if len(pieces) == 1:
        return pieces[0]
    out = list(pieces)
    for i in range(1, len(out), 2):
        out[i] = show_value(out[i], context.get(out[i]), lang)
    return "".join(out)


def show_value(name: str, value: Any, lang: str) -> str:
    """A fact's or parameter's value as a message shows it (the Chinese word for an enumeration, 20% for a ratio)."""
    kind = type(value)
    if kind is int:  # the common cases first: a count, a list of ids or names
        return str(value)
    if kind is list and value:
        try:
            return ("、" if lang == "zh" else ", ").join(value)
        except TypeError:  # not every item is text
            pass
    fact = FACTS.get(name)
    if value is None:
        return "—"
    if lang == "zh" and fact is not None and fact.values and value in VALUE_ZH:
        return VALUE_ZH[value]
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, float) and (fact is not None and fact.ratio or name.endswith("_cut") or name.endswith("_ratio")):
        return f"{value * 100:g}%"
    if isinstance(value, (list, tuple, set)):
        items = [str(v) for v in value]
        if not items:
            return "无" if lang == "zh" else "none"
        return ("、" if lang == "zh" else ", ").join(items)
    return str(value)


def approval_text(approval: Any, lang: str = "zh") -> str:
    """An approval on file as a waived finding names it: who, the reference, the date."""
    who = APPROVER_ZH.get(approval.by, approval.by) if lang == "zh" else approval.by
    parts = [who]
    if approval.ref:
        parts.append(approval.ref)
    if approval.date:
        parts.append(str(approval.date))
    return " ".join(parts)

