"""Every field error and refusal carries a stable code: docs/errors.md lists exactly `engine.errors.CODES`, no code
is used that the list lacks, and the command line shows the codes it reports."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from jianfu.adapters.service.errors import HTTP_WORDS, ServiceError
from jianfu.engine.errors import _CODE_OF_TYPE, CODES, FieldError, from_validation_error
from jianfu.engine.requests import Submission
from jianfu_cli import jianfu

ROOT = Path(__file__).resolve().parents[1]
ROW = re.compile(r"^\| `([a-z0-9_]+)` \| (.*) \| (.*) \| (.*) \|$")


def test_the_table_in_the_docs_is_the_list_in_the_code():
    rows = [ROW.match(line).groups() for line in (ROOT / "docs" / "errors.md").read_text(encoding="utf-8").splitlines() if ROW.match(line)]
    assert rows == [(c.code, c.when, c.zh, c.en) for c in CODES.values()]


def _codes_used() -> dict[str, str]:
    """Every literal code in the sources: `code="…"` arguments and class attributes, ServiceError's fourth argument,
    the `"error": "…"` of a hand-written JSON body."""
    used = {}
    for path in sorted(p for folder in ("engine", "adapters") for p in (ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            found = []
            if isinstance(node, ast.Call):
                found += [k.value for k in node.keywords if k.arg == "code"]
                if getattr(node.func, "id", None) == "ServiceError" and len(node.args) >= 4:
                    found.append(node.args[3])
            elif isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "code" for t in node.targets):
                found.append(node.value)
            elif isinstance(node, ast.Dict):
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                if {"error", "message"} <= keys:
                    found += [v for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant) and k.value == "error"]
            for value in found:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    used[value.value] = str(path.relative_to(ROOT))
    return used


def test_every_code_used_is_in_the_list():
    used = _codes_used()
    assert {"bad_syntax", "implausible_year", "invalid_input", "no_pack_in_force", "forbidden", "too_large"} <= set(used)
    assert {code: where for code, where in used.items() if code not in CODES} == {}
    assert set(_CODE_OF_TYPE.values()) <= set(CODES)
    assert {f"http_{status}" for status in HTTP_WORDS} <= set(CODES)


def test_a_code_outside_the_list_is_refused():
    with pytest.raises(ValueError, match="docs/errors.md"):
        FieldError(("x",), "错", "wrong", code="no_such_code")
    with pytest.raises(ValueError, match="docs/errors.md"):
        ServiceError(400, "错", "wrong", "no_such_code")


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"colour": "red"}, "colour", "unknown_field"),
    ({"date": "2019-02-30"}, "date", "bad_date"),
    ({"date": "10/05/2019"}, "date", "bad_date"),
    ({"scope": "everywhere"}, "scope", "not_allowed"),
    ({"routine": "yes"}, "routine", "wrong_type"),
    ({"kind": "memo"}, "kind", "bad_kind"),
    ({"unit": ""}, "unit", "bad_length"),
    ({"remit": None}, "remit", "not_allowed"),
])
def test_a_field_error_is_coded_by_what_is_wrong(change, field, code):
    meeting = {"id": "M-1", "kind": "meeting", "jurisdiction": "景德镇市", "unit": "市财政局", "date": "2019-06-12", "title": "会议",
               "held_in_name_of": "department", "remit": "department", "scope": "citywide_system", "routine": False, **change}
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(Submission).validate_python(meeting)
    errors = {e.field_path: e.code for e in from_validation_error(caught.value)}
    assert errors.get(field) == code, errors


def test_a_missing_field_is_coded():
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(Submission).validate_python({"id": "M-1", "kind": "meeting", "jurisdiction": "景德镇市", "unit": "市财政局", "date": "2019-06-12"})
    assert {e.code for e in from_validation_error(caught.value)} == {"missing_field"}


def test_the_command_line_names_the_codes(tmp_path):
    bad = tmp_path / "requests.yaml"
    bad.write_text("- id: M-1\n  kind: meeting\n  jurisdiction: 景德镇市\n  unit: 市财政局\n  date: 2019-02-30\n  title: 会议\n"
                   "  held_in_name_of: department\n  remit: department\n  scope: citywide_system\n  routine: false\n  colour: red\n", encoding="utf-8")
    result = jianfu("check", str(bad))
    assert result.returncode == 2, result.stderr
    assert "code: invalid_input" in result.stderr
    assert "[bad_date]" in result.stderr and "[unknown_field]" in result.stderr and ":5:" in result.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("- id: [\n", encoding="utf-8")
    assert "[bad_syntax]" in jianfu("check", str(broken)).stderr
    old = tmp_path / "old.yaml"
    old.write_text(bad.read_text(encoding="utf-8").replace("2019-02-30", "2010-01-04").replace("  colour: red\n", ""), encoding="utf-8")
    refused = jianfu("check", str(old))
    assert refused.returncode == 2 and "code: no_pack_in_force" in refused.stderr
