"""A malformed rule pack is refused with its file, line and reason, and nothing starts with it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from jianfu.engine import InvalidPack, load_folder
from jianfu_cli import ROOT, jianfu

RULES = ROOT / "rules"


REVISION = "jingdezhen-2020-revision.yaml"
"""A test overlay (tests/packs/): Jingdezhen's own 2020 revision extending its 2019 pack, for the layering tests."""


@pytest.fixture
def packs(tmp_path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    return folder


@pytest.fixture
def layered(packs) -> Path:
    shutil.copy(Path(__file__).parent / "packs" / REVISION, packs / REVISION)
    return packs


def mutate(folder: Path, old: str, new: str, name: str = "jingdezhen-2019.yaml") -> int:
    """Replace one exact snippet of a pack; returns the 1-based line where it starts."""
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"snippet not unique: {old!r}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    return line


def refused(folder: Path) -> list:
    with pytest.raises(InvalidPack) as caught:
        load_folder(folder)
    return caught.value.errors


def test_the_real_packs_load():
    catalog = load_folder(RULES)
    assert set(catalog.packs) == {"jingdezhen-2019", "pingxiang-2020", "nanchang-2022"}
    assert len(catalog.stacks["jingdezhen-2019"].rules) == 18


def test_each_city_is_decided_by_its_own_law_alone():
    """No shipped pack extends another city's, and each city's rules and obligations cite only its own seed."""
    catalog = load_folder(RULES)
    own = {"jingdezhen-2019": "004_25cc8ea62125b708.txt", "pingxiang-2020": "002_22a072f485a76a77.txt", "nanchang-2022": "001_f5eb960d7dcae4b1.txt"}
    for pack_id, source in own.items():
        stack = catalog.stacks[pack_id]
        assert [p.id for p in stack.chain] == [pack_id]
        assert {r.source for r in stack.rules} | {o.source for o in stack.obligations} == {source}, pack_id
        assert [s.file for s in stack.leaf.pack.sources] == [source]


def test_a_layered_pack_takes_the_rules_of_the_pack_it_extends(layered):
    from datetime import date

    catalog = load_folder(layered)
    stack = catalog.stack_for("景德镇市", date(2020, 6, 1))
    assert [p.id for p in stack.chain] == ["jingdezhen-2019", "jingdezhen-2020-revision"]
    assert {r.id for r in stack.rules} == {r.id for r in catalog.stacks["jingdezhen-2019"].rules}
    assert catalog.stack_for("景德镇市", date(2019, 6, 1)).leaf.id == "jingdezhen-2019"


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ("    title: 本系统全市性会议每年原则上不超过一次\n", "    title: 本系统全市性会议每年原则上不超过一次\n    colour: red\n", "未知字段"),
        ("- {fact: system_meetings_in_year, gte: {param: system_meetings_per_year}}",
         "- {fact: meetings_this_year, gte: {param: system_meetings_per_year}}", "未知的事实"),
        ("violated: {fact: deployed_via_count, gt: 0}", "violated: {fact: series, gt: 0}", "不适用于 document"),
        ("violated: {fact: deployed_via_count, gt: 0}", 'violated: {fact: deployed_via_count, gt: "0"}', "类型不符"),
        ("applies: {fact: relays_present, eq: true}", "applies: {fact: relays_present, eq: 1}", "类型不符"),
        ("violated: {fact: remit, eq: coordinating_body}", "violated: {fact: remit, eq: leading_group}", "没有取值"),
        ("- {fact: system_meetings_in_year, gte: {param: system_meetings_per_year}}",
         "- {fact: system_meetings_in_year, gte: {param: meetings_per_year}}", "未定义的参数"),
        ("      \"2019-03-19\": 30\n", "      \"2019-02-30\": 30\n", "日历上没有这一天"),
        ("  from: \"2019-03-19\"", "  from: \"2019-13-19\"", "日期格式|日历"),
        ("      zh: 该项工作已通过{deployed_via}作出部署", "      zh: 该项工作已通过{deployed_by}作出部署", "占位符"),
        ("    text: 对已通过会议、电话等方式作出工作部署的,不再另行发文。\n", "    text: 对已通过会议、电话等方式作出工作部署的，不得再发文。\n", "逐字引用"),
        ("    text: 对已通过会议、电话等方式作出工作部署的,不再另行发文。\n", "", "缺少必填字段"),
        ("  - id: no_document_after_deployment\n", "  - id: no_duplicate_document\n", "重复"),
    ],
)
def test_a_bad_pack_is_refused_with_file_line_and_reason(packs, old, new, reason):
    line = mutate(packs, old, new)
    errors = refused(packs)
    text = "\n".join(str(e) for e in errors)
    assert __import__("re").search(reason, text), text
    assert any(e.file and e.file.endswith("jingdezhen-2019.yaml") for e in errors), text
    lines = [e.line for e in errors if e.line is not None]
    assert lines, text
    # the error points at the changed text or the rule or mapping that holds it, never far away
    assert min(abs(n - line) for n in lines) <= 40, (lines, line)


def test_an_unknown_condition_fact_is_named_at_its_line(packs):
    line = mutate(packs, "violated: {fact: deployed_via_count, gt: 0}", "violated: {fact: deployed_through, gt: 0}")
    errors = refused(packs)
    assert [e.line for e in errors] == [line]
    assert "deployed_through" in errors[0].zh and errors[0].en


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("a: &x 1\nb: *x\n", "别名"),
        ("id: x\nid: y\n", "重复"),
        ("id: [unclosed\n", "YAML 语法错误"),
    ],
)
def test_yaml_itself_is_read_safely(tmp_path, text, reason):
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "bad.yaml").write_text(text, encoding="utf-8")
    assert reason in str(refused(folder)[0])


def test_layering_errors(layered):
    mutate(layered, "extends: jingdezhen-2019", "extends: jiangxi-2019", REVISION)
    assert "找不到被扩展的规则包" in str(refused(layered)[0])


def test_overrides_must_name_what_exists(layered):
    packs = layered
    path = packs / REVISION
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "extends: jingdezhen-2019\n",
            "extends: jingdezhen-2019\noverrides:\n  parameters:\n    bulletin_cutt: {values: {\"2020-01-01\": 0.3}, reason: 试}\n"
            "  switch_off:\n    - {rule: bulletin_cutt, reason: 试}\n",
        ),
        encoding="utf-8",
    )
    text = "\n".join(str(e) for e in refused(packs))
    assert "被覆盖的参数 'bulletin_cutt' 不存在" in text and "要停用的规则 'bulletin_cutt' 不存在" in text


def test_an_overlay_overrides_a_parameter_and_switches_a_rule_off(layered):
    packs = layered
    path = packs / REVISION
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "extends: jingdezhen-2019\n",
            "extends: jingdezhen-2019\noverrides:\n  parameters:\n    system_meetings_per_year: {values: {\"2020-01-01\": 2}, reason: 试点}\n"
            "  switch_off:\n    - {rule: only_directly_related_attendees, reason: 试点}\n",
        ),
        encoding="utf-8",
    )
    stack = load_folder(packs).stacks["jingdezhen-2020-revision"]
    from datetime import date

    assert stack.params_at(date(2020, 6, 1))["system_meetings_per_year"] == 2
    assert stack.rule("only_directly_related_attendees") is None
    assert stack.switched_off == {"only_directly_related_attendees": "试点"}
    assert load_folder(packs).stacks["jingdezhen-2019"].params_at(date(2020, 6, 1))["system_meetings_per_year"] == 1


def test_lint_exits_2_on_a_bad_pack_and_0_on_the_real_ones(packs):
    ok = jianfu("rules", "lint")
    assert ok.returncode == 0, ok.stderr
    mutate(packs, "violated: {fact: deployed_via_count, gt: 0}", "violated: {fact: deployed_through, gt: 0}")
    bad = jianfu("rules", "lint", "--rules", str(packs))
    assert bad.returncode == 2
    assert "jingdezhen-2019.yaml" in bad.stderr and "deployed_through" in bad.stderr


def test_lint_fails_when_a_rule_lacks_a_scenario(tmp_path):
    features = tmp_path / "features"
    shutil.copytree(ROOT / "features", features)
    (features / "会议_萍乡_无会月.feature").unlink()
    done = jianfu("rules", "lint", "--features", str(features))
    assert done.returncode == 2
    assert "no_meeting_month" in done.stderr


def test_a_check_with_a_bad_pack_decides_nothing(packs):
    mutate(packs, "violated: {fact: deployed_via_count, gt: 0}", "violated: {fact: deployed_through, gt: 0}")
    done = jianfu("check", "examples/requests.yaml", "--register", "examples/register.yaml", "--rules", str(packs), "-f", "json")
    assert done.returncode == 2 and done.stdout == ""


def test_the_pack_in_force_is_chosen_anew_on_every_day_a_pack_starts_or_stops(layered):
    """stack_for remembers its choice per period between the days packs start and stop: asked in any order, each day
    still gets its own answer, and a day outside every pack is refused each time it is asked."""
    from datetime import date

    from jianfu.engine import NoPackInForce
    from jianfu.engine.audit.whatif import with_parameters

    mutate(layered, 'effective:\n  from: "2019-03-19"', 'effective:\n  from: "2019-03-19"\n  until: "2021-06-30"')
    catalog = load_folder(layered)
    asked = [date(2020, 5, 1), date(2019, 3, 18), date(2019, 3, 19), date(2021, 6, 30), date(2021, 7, 1), date(2019, 3, 18), date(2020, 1, 1)]

    def chosen(place: str) -> list:
        out = []
        for on in asked:
            try:
                out.append(catalog.stack_for(place, on).leaf.id)
            except NoPackInForce as exc:
                assert str(on) in str(exc)
                out.append(None)
        return out

    # Pingxiang's own pack from the day 002 was issued (2020-04-24), with no end
    assert chosen("萍乡市") == ["pingxiang-2020", None, None, "pingxiang-2020", "pingxiang-2020", None, None]
    # Jingdezhen's 2020 revision (a test overlay) wins over the 2019 pack it extends, in 2020 only
    rev = "jingdezhen-2020-revision"
    assert chosen("景德镇市") == [rev, None, "jingdezhen-2019", "jingdezhen-2019", None, None, rev]
    # a what-if copy of the catalog answers with its own changed stacks, not the ones the original remembered
    changed = with_parameters(catalog, {"bulletin_cut": 0.3})
    assert changed.stack_for("景德镇市", date(2019, 6, 1)).params_at(date(2019, 6, 1))["bulletin_cut"] == 0.3
    assert catalog.stack_for("景德镇市", date(2019, 6, 1)).params_at(date(2019, 6, 1))["bulletin_cut"] == 0.2


def test_a_shipped_packs_chinese_texts_speak_chinese_not_field_codes():
    """A clerk reads the Chinese remedy and message: "joint 设为 true" asked them to type a code (issue 14)."""
    import re

    from jianfu import shipped

    catalog = load_folder(shipped("rules"))
    codes = re.compile(r"\b(true|false|citywide_system|city_government|department|comprehensive)\b")
    spoken = [(rule.id, text) for rule, _ in catalog.all_rules() for text in (rule.message.zh, rule.remedy.zh) if codes.search(text)]
    assert spoken == []
