"""Issue 14: a unit is one unit under all its names (SPEC: `aliases`); a name that is no unit of the register is an
error naming `unit`, the line and the nearest known names, and no route ever makes a unit on the fly; a plan's items
are its own unit's; two units never share a name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from jianfu.adapters.files.read import read_register
from jianfu.adapters.storage import open_store
from jianfu.engine import Engine, InvalidInput, load_folder
from jianfu_cli import jianfu

ROOT = Path(__file__).resolve().parents[2]
REGISTER = ROOT / "examples" / "register.yaml"
REQUESTS = yaml.safe_load((ROOT / "examples" / "requests.yaml").read_text(encoding="utf-8"))
SYSTEM_MEETING = next(r for r in REQUESTS if r["id"] == "REQ-2019-0510-01")  # 市教育局's second system meeting of 2019


def _write(path: Path, data) -> Path:
    path.write_text(yaml.safe_dump(json.loads(json.dumps(data)), allow_unicode=True, sort_keys=False), encoding="utf-8")  # no YAML anchors
    return path


def _register_with_alias(tmp_path: Path) -> Path:
    data = yaml.safe_load(REGISTER.read_text(encoding="utf-8"))
    for unit in data["units"]:
        if unit["name"] == "市教育局":
            unit["aliases"] = ["景德镇市教育局"]
    return _write(tmp_path / "register.yaml", data)


def _decisions(done) -> list[dict]:
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def test_a_unit_under_its_full_name_is_the_same_unit(tmp_path):
    register = _register_with_alias(tmp_path)
    by_short = _decisions(jianfu("check", str(_write(tmp_path / "a.yaml", [SYSTEM_MEETING])), "-r", str(register), "-f", "json"))
    full = {**SYSTEM_MEETING, "unit": "景德镇市教育局"}
    by_full = _decisions(jianfu("check", str(_write(tmp_path / "b.yaml", [full])), "-r", str(register), "-f", "json"))
    assert by_short[0]["decision"] == by_full[0]["decision"] == "reject"
    assert "system_meeting_once_a_year" in {f["rule"] for f in by_full[0]["findings"]}


def test_an_unknown_unit_names_unit_the_line_and_the_nearest_names(tmp_path):
    wrong = {**SYSTEM_MEETING, "id": "U-2", "unit": "景德镇教育局"}
    path = _write(tmp_path / "u.yaml", [dict(SYSTEM_MEETING, id="U-1", unit="市财政局"), wrong])
    done = jianfu("check", str(path), "-r", str(REGISTER))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "U-2" in text)
    assert f"u.yaml:{line - 1}" in done.stderr or f"u.yaml:{line}" in done.stderr, done.stderr
    assert "[1].unit" in done.stderr and "未知单位 '景德镇教育局'" in done.stderr and "市教育局" in done.stderr


@pytest.fixture
def sample_store(db_url):
    store = open_store(db_url)
    store.import_register(read_register(REGISTER), source="test")
    yield store
    store.close()


def test_no_route_makes_a_unit_on_the_fly(sample_store, tmp_path):
    from jianfu.engine.requests import Meeting

    engine = Engine(load_folder(ROOT / "rules"))
    before = len(sample_store.units())
    stranger = Meeting.model_validate({**SYSTEM_MEETING, "id": "U-3", "unit": "市新设局"})
    with pytest.raises(InvalidInput) as caught:
        sample_store.decide_and_record(engine, stranger)
    assert caught.value.errors[0].path == ("unit",) and "市新设局" in caught.value.errors[0].zh
    with pytest.raises(InvalidInput):
        sample_store.decide(engine, stranger)
    done = jianfu("check", str(_write(tmp_path / "s.yaml", [stranger.model_dump(mode="json")])), "--db", sample_store.url, "--record")
    assert done.returncode == 2 and "[0].unit" in done.stderr
    assert len(sample_store.units()) == before and sample_store.record("U-3") is None


def test_a_plan_item_of_another_unit_is_an_error_naming_the_item(tmp_path):
    plan = {"id": "P-1", "kind": "plan", "jurisdiction": "景德镇市", "unit": "市教育局", "year": 2019,
            "items": [{**{k: v for k, v in SYSTEM_MEETING.items() if k not in ("jurisdiction",)}, "id": "P-1-1", "unit": "市财政局"}]}
    done = jianfu("plan", str(_write(tmp_path / "plan.yaml", plan)), "-r", str(REGISTER))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "items[0].unit" in done.stderr and "P-1-1" in done.stderr


def test_two_units_of_one_name_are_refused(tmp_path):
    data = yaml.safe_load(REGISTER.read_text(encoding="utf-8"))
    data["units"].append({"name": "市教育局", "type": "department", "level": "city"})
    done = jianfu("register", "import", str(_write(tmp_path / "dup.yaml", data)), "--db", str(tmp_path / "r.sqlite3"))
    assert done.returncode == 2 and "units[" in done.stderr and "重复" in done.stderr
