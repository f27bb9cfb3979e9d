"""The facts a rule may test: the closed vocabulary between rule packs and requests.

A pack's condition can only name a fact listed here, for the kinds listed here, with a value of the right type; the
pack loader checks that before the engine starts. Each fact is computed from the request, from the register (台账)
through the `RegisterView` port, or from a parameter of the pack in force. durable-rules sees only flat scalar facts
(and lists of strings for pattern tests): counts instead of lists, since it has no array length.

Facts marked `report_only` are never tested; they carry the ids and names a message quotes ("已召开1次（REQ-0）").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any, Callable, Mapping, Sequence

from .register import Cutoff, RegisterView, is_onsite_office_meeting, normalise_topic, window
from .requests import KINDS, Document, Inspection, Meeting, Plan

ISSUER_LEVELS = ("city_government", "general_office", "coordinating_body", "department", "joint_departments")


@dataclass(slots=True)
class FactContext:
    """Everything a fact may be computed from: the request, the register, the parameters in force. One is made for
    every request decided and nothing changes it (not frozen: a frozen dataclass sets each field through
    `object.__setattr__`, three times the cost of making it)."""

    request: Any
    register: RegisterView
    params: Mapping[str, Any]
    before: Cutoff | None = None
    plan: Plan | None = None  # when the request is an item of a plan being pre-checked


@dataclass(frozen=True)
class Fact:
    name: str
    type: type  # bool, int, float, str or list (of str)
    kinds: tuple[str, ...]
    zh: str
    source: str  # "request" | "register" | "parameter"
    values: tuple[str, ...] | None = None  # allowed values of a str fact
    report_only: bool = False
    params: tuple[str, ...] = ()  # pack parameters the computation reads
    ratio: bool = False  # shown as a percentage in messages


@dataclass(frozen=True)
class Provider:
    """Computes one or more facts at once (one register question can answer several facts)."""

    facts: tuple[Fact, ...]
    compute: Callable[[FactContext], dict[str, Any]]


PROVIDERS: list[Provider] = []
FACTS: dict[str, Fact] = {}
_PROVIDER_OF: dict[str, Provider] = {}


def provides(*facts: Fact):
    def register(fn: Callable[[FactContext], dict[str, Any]]):
        provider = Provider(tuple(facts), fn)
        PROVIDERS.append(provider)
        for f in facts:
            if f.name in FACTS:
                raise RuntimeError(f"fact {f.name} declared twice")
            FACTS[f.name] = f
            _PROVIDER_OF[f.name] = provider
        return fn

    return register


ALL = KINDS
DOC, MEET, INSP, BULL = ("document",), ("meeting",), ("inspection",), ("bulletin",)


# -- every kind -------------------------------------------------------------------------------------------------
@provides(
    Fact("kind", str, ALL, "申请类别", "request", values=KINDS),
    Fact("year", int, ALL, "申请所在年份", "request"),
    Fact("month", int, ALL, "申请所在月份（1-12）", "request"),
)
def _calendar(ctx: FactContext) -> dict[str, Any]:
    r = ctx.request
    return {"kind": r.kind, "year": r.date.year, "month": r.date.month}


# -- documents ---------------------------------------------------------------------------------------------------
@provides(
    Fact("issuer", str, DOC, "以谁的名义发文", "request", values=ISSUER_LEVELS),
    Fact("remit", str, ("document", "meeting"), "内容所需的最低名义", "request", values=ISSUER_LEVELS),
)
def _names(ctx: FactContext) -> dict[str, Any]:
    r = ctx.request
    out = {"remit": r.remit}
    if isinstance(r, Document):
        out["issuer"] = r.issuer
    return out


@provides(
    Fact("relays_present", bool, DOC, "是否转发上级文件", "request"),
    Fact("relays_explicit", bool, DOC, "上级文件是否已非常明确具体", "request"),
    Fact("relays_sent_to_counties", bool, DOC, "上级文件是否已发送至县（市、区）", "request"),
    Fact("relays_requires_local_rules", bool, DOC, "上级文件是否要求另行制定实施细则", "request"),
    Fact("relays_doc_no", str, DOC, "所转发的上级文件文号", "request", report_only=True),
)
def _relays(ctx: FactContext) -> dict[str, Any]:
    relay = ctx.request.relays
    if relay is None:
        return {
            "relays_present": False,
            "relays_explicit": False,
            "relays_sent_to_counties": False,
            "relays_requires_local_rules": False,
            "relays_doc_no": "",
        }
    return {
        "relays_present": True,
        "relays_explicit": relay.explicit,
        "relays_sent_to_counties": relay.sent_to_counties,
        "relays_requires_local_rules": relay.requires_local_rules,
        "relays_doc_no": relay.doc_no,
    }


@provides(
    Fact("deployed_via_count", int, DOC, "已作出部署的方式数（会议、电话等）", "request"),
    Fact("deployed_via", list, DOC, "已作出部署的方式", "request", report_only=True),
)
def _deployed(ctx: FactContext) -> dict[str, Any]:
    via = list(ctx.request.deployed_via)
    return {"deployed_via_count": len(via), "deployed_via": via}


UNDATED_VALIDITY = "undated_document_valid_years"
"""How many calendar years (its own first) a document without `valid_until` stays valid for 004 art. 4."""


@provides(
    Fact("valid_documents_same_subject", int, DOC, "同一工作仍在有效期内的已发文件数（被本文件替代的除外）", "register",
         params=(UNDATED_VALIDITY,)),
    Fact("valid_document_refs", list, DOC, "仍有效的已发文件", "register", report_only=True),
    Fact("replaces", str, DOC, "本文件替代的文件文号", "request", report_only=True),
)
def _valid_documents(ctx: FactContext) -> dict[str, Any]:
    r: Document = ctx.request
    found = ctx.register.valid_documents(r.jurisdiction, r.subject, r.date, r.id, ctx.before)
    # 004 art. 4's "仍在有效期内" for a document that states no term: in force through 31 December of the
    # `undated_document_valid_years`-th calendar year counting its own (the pack's reading; one: its own year).
    years = int(ctx.params[UNDATED_VALIDITY])
    found = [d for d in found if d.valid_until is not None or d.issued is None or r.date.year <= d.issued.year + years - 1]
    # 原制发文件仍在有效期内的，不再重复发文 — unless the new document replaces (修订) that one.
    still = [d for d in found if d.doc_no != r.replaces] if r.replaces else found
    return {"valid_documents_same_subject": len(still), "valid_document_refs": [d.ref for d in still], "replaces": r.replaces or ""}


# -- meetings ----------------------------------------------------------------------------------------------------
WINDOW_PARAMETER = "routine_merge_window_days"
"""The one parameter that reaches back in time: routine meetings within so many days either side (the audit reads
the register that far before its year: engine/audit/running.py)."""

@provides(
    Fact("held_in_name_of", str, MEET, "以谁的名义召开", "request", values=("city_government", "department")),
    Fact("scope", str, ("meeting", "inspection"), "范围", "request", values=("citywide_system", "citywide", "other")),
    Fact("routine", bool, MEET, "是否常规性工作部署会议", "request"),
    Fact("arranged_by_general_office", bool, MEET, "是否经市政府办公室统筹安排", "request"),
    Fact("onsite_office_meeting", bool, MEET, "是否申明为第39条现场办公会（onsite_office）", "request"),
)
def _meeting(ctx: FactContext) -> dict[str, Any]:
    r = ctx.request
    if isinstance(r, Inspection):
        return {"scope": r.scope}
    return {
        "held_in_name_of": r.held_in_name_of,
        "scope": r.scope,
        "routine": r.routine,
        "arranged_by_general_office": r.arranged_by_general_office,
        "onsite_office_meeting": is_onsite_office_meeting(r),
    }


@provides(Fact("urgent", bool, ("meeting", "inspection"), "是否紧急突发事项", "request"))
def _urgent(ctx: FactContext) -> dict[str, Any]:
    return {"urgent": ctx.request.urgent}


@provides(
    Fact("attendee_count", int, MEET, "参会单位数", "request"),
    Fact("unrelated_attendee_count", int, MEET, "非直接相关的参会单位数", "request"),
    Fact("unrelated_attendees", list, MEET, "非直接相关的参会单位", "request", report_only=True),
)
def _attendees(ctx: FactContext) -> dict[str, Any]:
    attendees = ctx.request.attendees
    unrelated = [a.unit for a in attendees if not a.directly_related]
    return {"attendee_count": len(attendees), "unrelated_attendee_count": len(unrelated), "unrelated_attendees": unrelated}


@provides(
    Fact("system_meetings_in_year", int, MEET, "本单位本年度已召开（已批准）的本系统全市性会议数", "register"),
    Fact("system_meeting_ids", list, MEET, "本年度已有的本系统全市性会议", "register", report_only=True),
)
def _system_meetings(ctx: FactContext) -> dict[str, Any]:
    r: Meeting = ctx.request
    ids = ctx.register.system_meetings(r.jurisdiction, r.unit, r.date.year, r.id, ctx.before)
    return {"system_meetings_in_year": len(ids), "system_meeting_ids": ids}


@provides(
    Fact(
        "similar_routine_meetings",
        int,
        MEET,
        "相近日期内议题相近的本单位其他常规性会议数",
        "register",
        params=(WINDOW_PARAMETER,),
    ),
    Fact("similar_routine_meeting_ids", list, MEET, "议题相近的常规性会议", "register", report_only=True),
)
def _similar_meetings(ctx: FactContext) -> dict[str, Any]:
    r: Meeting = ctx.request
    days = int(ctx.params[WINDOW_PARAMETER])
    start, end = window(r.date, days)
    mine = {normalise_topic(t) for t in r.topics}
    title = normalise_topic(r.title)
    similar = [
        m.id
        for m in ctx.register.routine_meetings(r.jurisdiction, r.unit, start, end, r.id, ctx.before)
        # 内容相近: at least one topic in common, or the same title when topics are not given.
        if (mine & m.topics) or (title and normalise_topic(m.title) == title)
    ]
    return {"similar_routine_meetings": len(similar), "similar_routine_meeting_ids": similar}


# -- inspections -------------------------------------------------------------------------------------------------
@provides(
    Fact("type", str, INSP, "督查检查考核类型", "request", values=("comprehensive", "special", "ad_hoc")),
    Fact("joint", bool, INSP, "是否联合开展", "request"),
    Fact("plan_item", str, INSP, "所执行的年度计划事项", "request", report_only=True),
    Fact("departments_involved", int, INSP, "涉及的部门数（含牵头部门）", "request"),
)
def _inspection(ctx: FactContext) -> dict[str, Any]:
    r: Inspection = ctx.request
    involved = {u for u in r.involved_units} | {r.unit}
    return {
        "type": r.type,
        "joint": r.joint,
        "plan_item": r.plan_item or "",
        "departments_involved": len(involved),
    }


@provides(
    Fact("plan_item_filed", bool, INSP, "是否在报市政府督查室备案的年度计划内", "register"),
    Fact("filed_plan", str, INSP, "备案的年度计划", "register", report_only=True),
)
def _plan_item(ctx: FactContext) -> dict[str, Any]:
    r: Inspection = ctx.request
    if ctx.plan is not None and any(item.id == r.id for item in ctx.plan.items):
        # The plan being pre-checked is the annual plan: its own inspection items are planned by definition.
        return {"plan_item_filed": True, "filed_plan": f"{ctx.plan.id}（本计划）"}
    if not r.plan_item:
        return {"plan_item_filed": False, "filed_plan": ""}
    entry = ctx.register.filed_plan_item(r.jurisdiction, r.unit, r.date.year, r.plan_item, r.date)
    if entry is None:
        return {"plan_item_filed": False, "filed_plan": ""}
    return {"plan_item_filed": True, "filed_plan": f"{entry.plan_id}（{entry.filed_on}备案）"}


@provides(
    Fact("comprehensive_inspections_in_year", int, INSP, "本部门本年度已开展的综合性督查考核数", "register"),
    Fact("comprehensive_inspection_ids", list, INSP, "本年度已有的综合性督查考核", "register", report_only=True),
)
def _comprehensive(ctx: FactContext) -> dict[str, Any]:
    r: Inspection = ctx.request
    ids = ctx.register.comprehensive_inspections(r.jurisdiction, r.unit, r.date.year, r.id, ctx.before)
    return {"comprehensive_inspections_in_year": len(ids), "comprehensive_inspection_ids": ids}


_DIGIT = re.compile(r"\d")


@provides(
    Fact("work_plan_present", bool, INSP, "是否制定了工作方案", "request"),
    Fact("work_plan_target_count", int, INSP, "工作方案中的目标数", "request"),
    Fact("work_plan_indicator_count", int, INSP, "工作方案中的指标数", "request"),
    Fact("work_plan_unquantified_count", int, INSP, "未量化（目标值中无数字）的指标数", "request"),
    Fact("work_plan_indicator_names", list, INSP, "指标名称", "request"),
)
def _work_plan(ctx: FactContext) -> dict[str, Any]:
    plan = ctx.request.work_plan
    if plan is None:
        return {
            "work_plan_present": False,
            "work_plan_target_count": 0,
            "work_plan_indicator_count": 0,
            "work_plan_unquantified_count": 0,
            "work_plan_indicator_names": [],
        }
    unquantified = [i for i in plan.indicators if i.target is None or not _DIGIT.search(str(i.target))]
    return {
        "work_plan_present": True,
        "work_plan_target_count": len(plan.targets),
        "work_plan_indicator_count": len(plan.indicators),
        "work_plan_unquantified_count": len(unquantified),
        "work_plan_indicator_names": [i.name for i in plan.indicators],
    }


@provides(
    Fact("onsite_present", bool, INSP, "是否有实地督查", "request"),
    Fact("onsite_unannounced", bool, INSP, "实地督查是否采用暗访、随机抽查", "request"),
    Fact("onsite_demand_count", int, INSP, "对基层提出的陪同、迎接、汇报材料等要求数", "request"),
    Fact("onsite_demands", list, INSP, "对基层提出的要求", "request", report_only=True),
)
def _onsite(ctx: FactContext) -> dict[str, Any]:
    onsite = ctx.request.onsite
    if onsite is None:
        return {"onsite_present": False, "onsite_unannounced": False, "onsite_demand_count": 0, "onsite_demands": []}
    return {
        "onsite_present": True,
        "onsite_unannounced": onsite.unannounced,
        "onsite_demand_count": len(onsite.demands),
        "onsite_demands": list(onsite.demands),
    }


# -- bulletins ---------------------------------------------------------------------------------------------------
@provides(Fact("bulletin_to", str, BULL, "报送对象（向市政府报送，或面向公众的专栏）", "request", values=("city_government", "public")))
def _bulletin_to(ctx: FactContext) -> dict[str, Any]:
    return {"bulletin_to": ctx.request.to}


@provides(
    Fact("other_series_in_year", int, BULL, "本单位本年度其他简报种类数", "register"),
    Fact("other_series", list, BULL, "本单位本年度其他简报", "register", report_only=True),
    Fact("series", str, BULL, "简报名称", "request", report_only=True),
)
def _series(ctx: FactContext) -> dict[str, Any]:
    r = ctx.request
    others = sorted(ctx.register.bulletin_series(r.jurisdiction, r.unit, r.date.year, r.id, ctx.before) - {r.series})
    return {"other_series_in_year": len(others), "other_series": others, "series": r.series}


@provides(
    Fact("bulletin_issues_in_year", int, BULL, "含本期在内本单位本年度简报期数", "register"),
    Fact(
        "bulletin_baseline_issues",
        int,
        BULL,
        "本单位基准年度简报期数",
        "register",
        params=("bulletin_baseline_year",),
    ),
    Fact(
        "bulletin_cut_achieved",
        float,
        BULL,
        "含本期在内相对基准年度的压减比例",
        "register",
        params=("bulletin_baseline_year",),
        ratio=True,
    ),
    Fact("bulletin_quota", int, BULL, "按压减比例本年度最多可发期数", "register", report_only=True, params=("bulletin_cut",)),
)
def _bulletin_cut(ctx: FactContext) -> dict[str, Any]:
    return _cut_facts(ctx, ctx.request.unit, "")


@provides(
    Fact("city_bulletin_issues_in_year", int, BULL, "含本期在内全市（本地区各单位合计）本年度简报期数", "register"),
    Fact("city_bulletin_baseline_issues", int, BULL, "全市基准年度简报期数", "register", params=("bulletin_baseline_year",)),
    Fact(
        "city_bulletin_cut_achieved",
        float,
        BULL,
        "含本期在内全市相对基准年度的压减比例",
        "register",
        params=("bulletin_baseline_year",),
        ratio=True,
    ),
    Fact("city_bulletin_quota", int, BULL, "按压减比例全市本年度最多可发期数", "register", report_only=True, params=("bulletin_cut",)),
)
def _city_bulletin_cut(ctx: FactContext) -> dict[str, Any]:
    # 004 art. 6: "2019年全市各级政府简报数量压减20%以上" is a target for the city's total (issue 13's reading):
    # the register's question with unit None counts every unit of the jurisdiction together.
    return _cut_facts(ctx, None, "city_")


def _cut_facts(ctx: FactContext, unit: str | None, prefix: str) -> dict[str, Any]:
    """The bulletin cut's facts for the request's unit, or (unit None) its whole jurisdiction: this year's issues
    with the request's own, the baseline year's, the cut achieved and the quota, each named with `prefix`."""
    r = ctx.request
    baseline_year = int(ctx.params["bulletin_baseline_year"])
    issues = ctx.register.bulletin_issues(r.jurisdiction, unit, r.date.year, r.id, ctx.before) + 1
    baseline = ctx.register.bulletin_issues(r.jurisdiction, unit, baseline_year, r.id, None)
    return {
        f"{prefix}bulletin_issues_in_year": issues,
        f"{prefix}bulletin_baseline_issues": baseline,
        f"{prefix}bulletin_cut_achieved": cut_achieved(baseline, issues),
        f"{prefix}bulletin_quota": bulletin_quota(baseline, ctx.params.get("bulletin_cut")),
    }


def cut_achieved(baseline: int, issues: int) -> float:
    """1 - issues/baseline, exact to 6 places (a float 1 - 8/10 would fall just short of 0.2): the quotient of the two
    whole numbers, which Python's integer division rounds correctly, as `float(Fraction(...))` would. The city's
    counts are new on nearly every bulletin, so no cache of the answers pays.

    With no baseline issues, any issue is an increase: reported as -1.0 (-100%).
    """
    if baseline <= 0:
        return -1.0 if issues > 0 else 0.0
    return round((baseline - issues) / baseline, 6)


@lru_cache(maxsize=65_536)
def bulletin_quota(baseline: int, cut: Any) -> int:
    """The most issues a unit may publish: floor(baseline × (1 - cut))."""
    if cut is None:
        return baseline
    fraction = Fraction(str(cut))
    return int(baseline * (1 - fraction))


# -- approvals ---------------------------------------------------------------------------------------------------
APPROVED = Fact("approved", bool, ALL, "本规则所需的批准是否已取得（须报…批准）", "request")
"""A per-rule fact: true when the request carries an approval that this rule accepts (see `approval_for`)."""
FACTS[APPROVED.name] = APPROVED


def approval_for(request: Any, rule_id: str, clause: str, by: Sequence[str]) -> Any:
    """The approval on the request that satisfies the rule, or None.

    Accepted: an approval by one of `by`, given for this rule or article (or for nothing in particular), dated on
    or before the request's date (批准后召开: an approval after the event does not count).
    """
    for approval in request.approvals:
        if approval.by not in by:
            continue
        if approval.covers not in (None, rule_id, clause) and not _covers_article(approval.covers, clause):
            continue
        if approval.date is not None and approval.date > request.date:
            continue
        return approval
    return None


def _covers_article(covers: str, clause: str) -> bool:
    # "第8条", "art. 8", "article 8" and "8" all name article 8.
    text = covers.strip().lower()
    for noise in ("article", "art.", "art", "第", "条", " "):
        text = text.replace(noise, "")
    return text == clause


# -- computing ---------------------------------------------------------------------------------------------------
def providers_for(names: set[str]) -> list[Provider]:
    seen: list[Provider] = []
    for name in names:
        provider = _PROVIDER_OF.get(name)
        if provider is not None and provider not in seen:
            seen.append(provider)
    return seen


def compute(ctx: FactContext, providers: Sequence[Provider]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for provider in providers:
        values.update(provider.compute(ctx))
    return values


def kinds_of(name: str) -> tuple[str, ...]:
    return FACTS[name].kinds


def vocabulary() -> list[dict[str, Any]]:
    return [
        {
            "name": f.name,
            "type": f.type.__name__,
            "kinds": list(f.kinds),
            "description": f.zh,
            "source": f.source,
            "values": list(f.values) if f.values else None,
            "report_only": f.report_only,
        }
        for f in FACTS.values()
    ]

