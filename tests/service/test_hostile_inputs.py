"""Issue 14, the hostile-input suite: malformed inputs for every reader (YAML, JSON, CSV, XLSX, the request models)
and the API's bodies, generated with hypothesis (deep nesting, huge lists and strings, wrong types at every field,
invalid dates, broken encodings). None may give a traceback, an exit code other than 2 or an HTTP status other than
4xx; a refused input writes nothing. Example counts are bounded so the suite stays quick."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from conftest_pages import make_service
from jianfu.adapters.files.read import SUBMISSION, read_plan, read_register, read_requests
from jianfu.adapters.storage import decision_log as log
from jianfu.engine.errors import InvalidInput, from_validation_error

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = yaml.safe_load((ROOT / "examples" / "requests.yaml").read_text(encoding="utf-8"))
HOSTILE = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

scalars = (st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False, allow_infinity=False)
           | st.text(max_size=40) | st.sampled_from(["2019-02-30", "2019/13/01", "5/10/2019", "０", "", " ", "是", "\x00", "=1+1"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)


@st.composite
def wrong_field(draw):
    """A sample request with one field (or one new field) given a value of any type."""
    base = dict(draw(st.sampled_from(REQUESTS)))
    key = draw(st.sampled_from(sorted(base) + ["extra", "items", "approvals"]))
    base[key] = draw(values | st.text(min_size=1000, max_size=5000) | st.lists(st.just(base.get(key)), min_size=50, max_size=200))
    return base


deep = st.integers(min_value=33, max_value=1500).map(lambda n: "[" * n + "]" * n)
documents = st.one_of(wrong_field(), st.lists(wrong_field(), max_size=3), values)
texts = st.one_of(documents.map(lambda d: json.dumps(d, ensure_ascii=False)), deep, st.text(max_size=300))
raw_bytes = st.one_of(st.binary(max_size=400), texts.map(lambda t: t.encode("utf-16")), texts.map(lambda t: t.encode("gb18030", "replace")))


def _cleanly(read, path: Path) -> None:
    """A reader gives its value or InvalidInput (exit 2 / 422), nothing else."""
    try:
        read(path)
    except InvalidInput as exc:
        assert exc.errors and all(len(str(e)) < 5_000 for e in exc.errors)


def _write(suffix: str, content: bytes | str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="jianfu-hostile-"))
    path = folder / f"input{suffix}"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


@HOSTILE
@given(document=documents)
@example(document={"¹": None})  # "¹".isdigit() is true, and int("¹") fails: once a traceback naming no field
def test_yaml_and_json_files(document):
    as_yaml = yaml.safe_dump(document, allow_unicode=True)
    for path in (_write(".yaml", as_yaml), _write(".json", json.dumps(document, ensure_ascii=False))):
        for read in (read_requests, read_plan, read_register):
            _cleanly(read, path)


@HOSTILE
@given(text=texts, content=raw_bytes)
def test_any_text_or_bytes_under_any_suffix(text, content):
    for suffix in (".yaml", ".json", ".csv", ".xlsx"):
        for data, read in ((text, read_requests), (content, read_plan), (text, read_register)):
            _cleanly(read, _write(suffix, data))


@HOSTILE
@given(rows=st.lists(st.lists(scalars.map(lambda v: "" if v is None else str(v)), max_size=12), max_size=5))
def test_csv_and_workbook_cells(rows):
    import csv
    import io

    import openpyxl

    header = ["编号", "类别", "地区", "单位", "日期", "标题", "会议名义", "内容所需名义", "范围", "常规性部署会议", "参会单位", "批准"]
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    _cleanly(read_requests, _write(".csv", out.getvalue()))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "会议"
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    for row in [header, *rows]:  # what a workbook can hold at all (openpyxl refuses control characters)
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v if not v.startswith("=") else "'" + v) for v in row])
    path = _write(".xlsx", b"")
    book.save(path)
    _cleanly(read_requests, path)


@HOSTILE
@given(document=documents)
def test_the_request_models(document):
    try:
        SUBMISSION.validate_python(document)
    except ValidationError as exc:
        assert from_validation_error(exc)  # the errors are always told, in Chinese and English


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    return make_service(tmp_path_factory.mktemp("hostile"))


ROUTES = ("/api/v1/screenings?record=true", "/api/v1/plans/check", "/api/v1/records", "/api/v1/plans", "/api/v1/approvals",
          "/api/v1/records/REQ-0/cancel", "/api/v1/plans/P/cancel")


def _written(service) -> tuple:
    store = service.app.state.store
    with store.reading() as connection:
        return store.counts(), log.head(connection)


@HOSTILE
@given(route=st.sampled_from(ROUTES), body=st.one_of(texts.map(str.encode), raw_bytes))
def test_the_api_s_bodies(service, route, body):
    client = TestClient(service.app, headers={"Authorization": f"Bearer {service.tokens['clerk']}"})
    before = _written(service)
    answer = client.post(route, content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code < 500, answer.text[:500]
    if answer.status_code >= 400:
        assert answer.json()["error"] and _written(service) == before


@pytest.mark.parametrize("text", ["¹⁹", "²⁰¹⁹", "٢٠١٩"])
def test_a_year_of_digits_that_are_not_ascii_is_refused_with_the_field(text):
    """`str.isdigit` is true of superscripts, which `int` cannot read: a year field checked that way failed with a
    traceback. It is refused naming the field, as any other year that is not four digits."""
    from jianfu.adapters.service.quota_views import _year

    problems: list = []
    assert _year(text, problems) is None
    assert [p.path for p in problems] == [("year",)]
