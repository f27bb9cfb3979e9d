"""Columns of request sheets (CSV, XLSX/WPS): each contract field, its Chinese header and how a cell is read.

A sheet has one request per row. Headers may be the contract's English keys (`held_in_name_of`, `relays.explicit`)
or the Chinese headers below (`会议名义`). Enumerations may be written as the contract's codes or in Chinese
(`本系统全市性` for `citywide_system`); booleans as true/false, 是/否, yes/no, 1/0.
"""

from __future__ import annotations

from dataclasses import dataclass

from jianfu.engine.messages import VALUE_ZH


@dataclass(frozen=True)
class Column:
    path: str  # dotted contract key: relays.explicit
    zh: str
    type: str  # text | bool | int | date | list | attendees | approvals | indicators | enum | issue
    kinds: tuple[str, ...]
    values: tuple[str, ...] = ()
    help: str = ""


ALL = ("document", "meeting", "inspection", "bulletin")
ISSUER = ("city_government", "general_office", "coordinating_body", "department", "joint_departments")

COLUMNS: tuple[Column, ...] = (
    Column("id", "编号", "text", ALL, help="唯一编号"),
    Column("kind", "类别", "enum", ALL, ALL, help="document 文件 / meeting 会议 / inspection 督查检查考核 / bulletin 简报"),
    Column("jurisdiction", "地区", "text", ALL, help="如 景德镇市"),
    Column("unit", "单位", "text", ALL, help="申请或主办单位"),
    Column("date", "日期", "date", ALL, help="发文、召开或开始日期 YYYY-MM-DD"),
    Column("title", "标题", "text", ALL),
    Column("topics", "议题", "list", ALL, help="多个用；分隔"),
    Column("approvals", "批准", "approvals", ALL, help="批准方|文号|日期|针对条款，多个用；分隔"),
    Column("status", "状态", "enum", ALL, ("approved", "held", "issued", "filed", "cancelled", "rejected"), help="台账记录的状态"),
    # documents
    Column("issuer", "发文名义", "enum", ("document",), ISSUER),
    Column("remit", "内容所需名义", "enum", ("document", "meeting"), ISSUER),
    Column("subject", "工作事项", "text", ("document",)),
    Column("relays.doc_no", "转发上级文号", "text", ("document",)),
    Column("relays.explicit", "上级文件已明确具体", "bool", ("document",)),
    Column("relays.sent_to_counties", "上级文件已发至县", "bool", ("document",)),
    Column("relays.requires_local_rules", "上级要求另定细则", "bool", ("document",)),
    Column("deployed_via", "已部署方式", "list", ("document",), help="meeting；phone"),
    Column("doc_no", "文号", "text", ("document",)),
    Column("replaces", "替代文号", "text", ("document",)),
    Column("valid_until", "有效期至", "date", ("document",)),
    # meetings
    Column("held_in_name_of", "会议名义", "enum", ("meeting",), ("city_government", "department")),
    Column("scope", "范围", "enum", ("meeting", "inspection"), ("citywide_system", "citywide", "other")),
    Column("routine", "常规性部署会议", "bool", ("meeting",)),
    Column("arranged_by_general_office", "经办公室统筹", "bool", ("meeting",)),
    Column("attendees", "参会单位", "attendees", ("meeting",), help="单位:是否直接相关，如 市财政局:是；市教育局:否"),
    Column("onsite_office", "现场办公会", "bool", ("meeting",), help="是否第39条现场办公会（申明，不看标题）"),
    # inspections
    Column("type", "督查类型", "enum", ("inspection",), ("comprehensive", "special", "ad_hoc")),
    Column("urgent", "紧急事项", "bool", ("meeting", "inspection"), help="是否紧急突发事项"),
    Column("plan_item", "计划事项", "text", ("inspection",)),
    Column("involved_units", "涉及单位", "list", ("inspection",)),
    Column("joint", "联合开展", "bool", ("inspection",)),
    Column("work_plan.targets", "方案目标", "list", ("inspection",)),
    Column("work_plan.indicators", "方案指标", "indicators", ("inspection",), help="指标=目标值，如 整改完成率=95%"),
    Column("onsite.unannounced", "暗访抽查", "bool", ("inspection",)),
    Column("onsite.demands", "对基层要求", "list", ("inspection",)),
    # bulletins
    Column("series", "简报名称", "text", ("bulletin",)),
    Column("issue_no", "期号", "issue", ("bulletin",)),
    Column("to", "报送对象", "enum", ("bulletin",), ("city_government", "public"), help="city_government 向市政府报送（默认） / public 面向公众的专栏"),
)

BY_KEY = {c.path: c for c in COLUMNS}
BY_HEADER = {**{c.zh: c for c in COLUMNS}, **BY_KEY}
CODE_OF_ZH = {zh: code for code, zh in VALUE_ZH.items()}
CODE_OF_ZH.update({"批准": "approved", "已批准": "approved", "已召开": "held", "已印发": "issued", "已备案": "filed", "已取消": "cancelled", "已驳回": "rejected", "驳回": "rejected", "取消": "cancelled"})
STATUS_ZH = {"approved": "已批准", "held": "已召开", "issued": "已印发", "filed": "已备案", "cancelled": "已取消", "rejected": "已驳回"}

RESULT_HEADERS = frozenset({"决定", "条款", "理由", "怎么办"})
"""Columns `jianfu plan --out` adds to a checked workbook: read back, they are ignored, not unknown."""
