"""Steps of the Chinese feature files, run by pytest-bdd through the real engine and the real rule packs.

Tables use the same Chinese headers as the Excel template (编号、单位、日期、范围…), read by the same code that reads
a department's sheet; longer requests are YAML in a doc string. Nothing here decides anything: the engine does.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError
from pytest_bdd import given, parsers, then, when

from jianfu.adapters.files import tabular
from jianfu.engine import Engine, EvaluationError, MemoryRegister, load_folder
from jianfu.engine.audit import audit
from jianfu.engine.records import FiledPlan, Record, Unit
from jianfu.engine.requests import Plan, Submission
from jianfu.engine.sources import load_yaml

RULES = Path(__file__).resolve().parents[1] / "rules"
KIND_ZH = {"文件": "document", "会议": "meeting", "督查检查考核": "inspection", "督查": "inspection", "简报": "bulletin"}
DEFAULT_STATUS = {"document": "issued", "meeting": "held", "inspection": "approved", "bulletin": "issued"}
OUTCOME = {"批准": "approve", "驳回": "reject"}

SUBMISSION = TypeAdapter(Submission)
RECORD = TypeAdapter(Record)


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine(load_folder(RULES))


class World:
    """What a scenario has set up and what the engine answered."""

    def __init__(self) -> None:
        self.jurisdiction = "景德镇市"
        self.defaults: dict[str, dict[str, Any]] = {}
        self.units: list[Unit] = []
        self.records: list[Any] = []
        self.plans: list[FiledPlan] = []
        self.decisions: list[Any] = []
        self.error: Exception | None = None
        self.plan_filed: bool | None = None
        self.audit = None

    def register(self) -> MemoryRegister:
        return MemoryRegister(self.units, self.records, self.plans)

    @property
    def last(self):
        assert self.error is None, f"引擎报错：{self.error}"
        assert self.decisions, "还没有提交申请"
        return self.decisions[-1]


@pytest.fixture
def world() -> World:
    return World()


def _rows(datatable: list[list[str]], kind: str | None, defaults: dict[str, Any]) -> list[dict[str, Any]]:
    """A Gherkin table read exactly as a sheet of the Excel template would be."""
    headers = [(h.strip(), tabular.column_letter(i)) for i, h in enumerate(datatable[0])]
    sheet = tabular.Sheet("场景", "feature", headers)
    for r, row in enumerate(datatable[1:], start=2):
        sheet.rows.append([tabular.Cell(r, tabular.column_letter(i), v) for i, v in enumerate(row)])
    base = {**defaults, **({"kind": kind} if kind else {})}
    records, errors = tabular.records(sheet, base)
    assert not errors, "\n".join(str(e) for e in errors)
    return [r.data for r in records]


def _kind(word: str) -> str:
    assert word in KIND_ZH, f"未知的类别 {word}"
    return KIND_ZH[word]


def _defaults(world: World, kind: str) -> dict[str, Any]:
    return {"jurisdiction": world.jurisdiction, **world.defaults.get(kind, {})}


# -- 假如 ---------------------------------------------------------------------------------------------------------
@given(parsers.parse('地区为"{jurisdiction}"'))
def _jurisdiction(world: World, jurisdiction: str) -> None:
    world.jurisdiction = jurisdiction


@given(parsers.parse("{kind}申请未写明的字段取以下默认值："))
def _kind_defaults(world: World, kind: str, datatable) -> None:
    kind = _kind(kind)
    rows = _rows(datatable, None, {})
    assert len(rows) == 1, "默认值表只有一行"
    world.defaults[kind] = rows[0]


@given("台账中有以下单位：")
def _units(world: World, datatable) -> None:
    header = datatable[0]
    names = {"名称": "name", "类型": "type", "层级": "level", "别名": "aliases", "牵头任务": "leads"}
    lists = {"aliases", "leads"}  # several, separated by ；
    for row in datatable[1:]:
        data = {names.get(h, h): v for h, v in zip(header, row)}
        for key in lists & set(data):
            data[key] = [v.strip() for v in data[key].split("；") if v.strip()]
        world.units.append(Unit.model_validate(data))


@given(parsers.parse("台账中有以下{kind}："))
def _records(world: World, kind: str, datatable) -> None:
    kind = _kind(kind)
    for data in _rows(datatable, kind, _defaults(world, kind)):
        data.setdefault("status", DEFAULT_STATUS[kind])
        world.records.append(RECORD.validate_python(data))


@given("台账中有以下年度计划：")
def _plans(world: World, docstring: str) -> None:
    data = load_yaml(docstring).data
    for plan in data if isinstance(data, list) else [data]:
        plan.setdefault("jurisdiction", world.jurisdiction)
        plan.setdefault("kind", "plan")
        world.plans.append(FiledPlan.model_validate(plan))


@given("台账为空")
def _empty(world: World) -> None:
    world.records.clear()
    world.plans.clear()


# -- 当 -----------------------------------------------------------------------------------------------------------
def _decide(world: World, engine: Engine, requests: list[Any], as_of: date | None = None) -> None:
    register = world.register()
    try:
        for request in requests:
            world.decisions.append(engine.decide(request, register, as_of))
    except EvaluationError as exc:
        world.error = exc


@when(parsers.parse("提交以下{kind}申请："))
def _submit_table(world: World, engine: Engine, kind: str, datatable) -> None:
    kind = _kind(kind)
    requests = [SUBMISSION.validate_python(d) for d in _rows(datatable, kind, _defaults(world, kind))]
    _decide(world, engine, requests)


@when(parsers.parse('以"{day}"为审查日期提交以下{kind}申请：'))
def _submit_as_of(world: World, engine: Engine, day: str, kind: str, datatable) -> None:
    kind = _kind(kind)
    requests = [SUBMISSION.validate_python(d) for d in _rows(datatable, kind, _defaults(world, kind))]
    _decide(world, engine, requests, date.fromisoformat(day))


@when("提交以下申请：")
def _submit_yaml(world: World, engine: Engine, docstring: str) -> None:
    data = load_yaml(docstring).data
    requests = []
    for item in data if isinstance(data, list) else [data]:
        item = {**_defaults(world, item.get("kind", "")), **item}
        requests.append(SUBMISSION.validate_python(item))
    _decide(world, engine, requests)


@when("预审以下年度计划：")
def _check_plan(world: World, engine: Engine, docstring: str) -> None:
    data = load_yaml(docstring).data
    data.setdefault("jurisdiction", world.jurisdiction)
    data.setdefault("kind", "plan")
    for item in data.get("items", []):
        for key, value in world.defaults.get(item.get("kind", ""), {}).items():
            item.setdefault(key, value)
    plan = Plan.model_validate(data)
    try:
        result = engine.check_plan(plan, world.register())
    except EvaluationError as exc:
        world.error = exc
        return
    world.plan_filed = result.filed
    world.decisions.extend(result.decisions)


@when("提交以下无效申请：")
def _submit_invalid(world: World, docstring: str) -> None:
    data = load_yaml(docstring).data
    try:
        SUBMISSION.validate_python(data)
    except ValidationError as exc:
        world.error = exc


@when(parsers.parse("审计{year:d}年度"))
def _audit(world: World, engine: Engine, year: int) -> None:
    world.audit = audit(engine, world.units, world.records, world.plans, year)


# -- 那么 ---------------------------------------------------------------------------------------------------------
def _decision(world: World, request_id: str | None = None):
    if request_id is None:
        return world.last
    found = [d for d in world.decisions if d.id == request_id]
    assert found, f"没有 {request_id} 的决定"
    return found[-1]


@then(parsers.parse('决定为"{outcome}"'))
def _outcome(world: World, outcome: str) -> None:
    decision = world.last
    assert decision.decision == OUTCOME[outcome], _explain(decision)


@then(parsers.parse('"{request_id}"的决定为"{outcome}"'))
def _outcome_of(world: World, request_id: str, outcome: str) -> None:
    decision = _decision(world, request_id)
    assert decision.decision == OUTCOME[outcome], _explain(decision)


def _finding(decision, rule: str):
    return next((f for f in decision.findings if f.rule == rule), None)


@then(parsers.parse('违反规则"{rule}"'))
def _violates(world: World, rule: str) -> None:
    finding = _finding(world.last, rule)
    assert finding is not None and finding.severity == "block", _explain(world.last)


@then(parsers.parse('"{request_id}"违反规则"{rule}"'))
def _violates_of(world: World, request_id: str, rule: str) -> None:
    decision = _decision(world, request_id)
    finding = _finding(decision, rule)
    assert finding is not None and finding.severity == "block", _explain(decision)


@then(parsers.parse('不违反规则"{rule}"'))
def _not_violates(world: World, rule: str) -> None:
    finding = _finding(world.last, rule)
    assert finding is None or finding.severity != "block", _explain(world.last)


@then("违反的规则为：")
def _violations_exactly(world: World, datatable) -> None:
    expected = sorted(row[0] for row in datatable[1:])
    actual = sorted(f.rule for f in world.last.findings if f.severity == "block")
    assert actual == expected, _explain(world.last)


@then(parsers.parse('决定所依据的规则包为"{packs}"'))
def _packs_used(world: World, packs: str) -> None:
    assert [p.id for p in world.last.packs] == packs.split("+"), [p.id for p in world.last.packs]


@then(parsers.parse('没有引用"{source}"'))
def _not_citing(world: World, source: str) -> None:
    assert all(f.source != source for f in world.last.findings), _explain(world.last)


@then("没有适用的规则")
def _nothing_applicable(world: World) -> None:
    decision = world.last
    assert not decision.findings and not decision.passed and not decision.not_applicable, _explain(decision)


@then(parsers.parse('规则"{rule}"通过'))
def _passed(world: World, rule: str) -> None:
    assert rule in world.last.passed, _explain(world.last)


@then(parsers.parse('规则"{rule}"不适用'))
def _not_applicable(world: World, rule: str) -> None:
    assert rule in world.last.not_applicable, _explain(world.last)


@then(parsers.parse('规则"{rule}"因批准而豁免'))
def _waived(world: World, rule: str) -> None:
    finding = _finding(world.last, rule)
    assert finding is not None and finding.severity == "waived", _explain(world.last)


@then(parsers.parse('规则"{rule}"给出提醒'))
def _advice(world: World, rule: str) -> None:
    finding = _finding(world.last, rule)
    assert finding is not None and finding.severity == "advice", _explain(world.last)


@then(parsers.parse('依据第{clause}条'))
def _clause(world: World, clause: str) -> None:
    assert any(f.clause == clause for f in world.last.findings), _explain(world.last)


@then(parsers.parse('理由包含"{text}"'))
def _reason(world: World, text: str) -> None:
    assert any(text in f.message for f in world.last.findings), _explain(world.last)


@then(parsers.parse('英文理由包含"{text}"'))
def _reason_en(world: World, text: str) -> None:
    assert any(text in f.message_en for f in world.last.findings), _explain(world.last)


@then(parsers.parse('无法作出决定，原因包含"{text}"'))
def _no_decision(world: World, text: str) -> None:
    assert world.error is not None, f"应当无法作出决定，实际：{[d.decision for d in world.decisions]}"
    assert text in str(world.error), str(world.error)


@then(parsers.parse('计划"{state}"报督查室备案'))
def _plan_filed(world: World, state: str) -> None:
    assert world.plan_filed is (state == "已"), f"备案状态：{world.plan_filed}"


def _obligation(world: World, unit: str, obligation: str):
    assert world.audit is not None, "还没有审计"
    found = [o for o in world.audit.unit(unit).obligations if o.id == obligation]
    assert found, f"{unit} 没有义务 {obligation}：{[o.id for o in world.audit.unit(unit).obligations]}"
    return found[0]


@then(parsers.parse('"{unit}"的义务"{obligation}"为"{state}"'))
def _obligation_state(world: World, unit: str, obligation: str, state: str) -> None:
    result = _obligation(world, unit, obligation)
    assert state in ("已履行", "未履行")
    assert result.met is (state == "已履行"), f"{result.id}: 实有 {result.found}，缺少 {result.missing}"


@then(parsers.parse('"{unit}"的义务"{obligation}"缺少"{text}"'))
def _obligation_missing(world: World, unit: str, obligation: str, text: str) -> None:
    result = _obligation(world, unit, obligation)
    assert any(text in m for m in result.missing), result.missing


@then(parsers.parse('"{unit}"亮{light}'))
def _light(world: World, unit: str, light: str) -> None:
    assert world.audit is not None, "还没有审计"
    lights = {"绿灯": "green", "黄灯": "yellow", "红灯": "red"}
    assert world.audit.unit(unit).light == lights[light], world.audit.unit(unit).as_dict()


def _explain(decision) -> str:
    lines = [f"{decision.id}: {decision.decision}"]
    lines += [f"  [{f.severity}] {f.rule}: {f.message}" for f in decision.findings]
    lines.append(f"  passed: {decision.passed}")
    lines.append(f"  not applicable: {decision.not_applicable}")
    return "\n".join(lines)


def pytest_configure(config) -> None:
    """Each rule id is a tag: register it as a marker (`pytest -m system_meeting_once_a_year` runs its scenarios)."""
    catalog = load_folder(RULES)
    for rule, _ in catalog.all_rules():
        config.addinivalue_line("markers", f"{rule.id}: 规则 {rule.id}（第{rule.article}条）")
    for loaded in catalog.packs.values():
        for obligation in loaded.pack.obligations:
            config.addinivalue_line("markers", f"{obligation.id}: 年度义务 {obligation.id}（{obligation.article}）")
