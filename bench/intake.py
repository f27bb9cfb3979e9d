"""Field-level accuracy of intake (`jianfu bench --only intake`, or `python -m jianfu.bench.intake`): the fixture set
(bench/intake_fixtures.yaml, ten or more of each kind) and the four seeds, each written in its format (DOCX through
python-docx, GBK text, Markdown, a saved web page), damaged as the seeds are where the fixture says so, read back
through `intake_file` against the sample register, and every expected field compared. Figures, never assertions
(tests/intake/test_fixtures.py holds the floor).
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from jianfu import shipped
from jianfu.adapters.files.read import read_register
from jianfu.adapters.intake import RegisterData, intake_file

FIXTURES = Path(__file__).with_name("intake_fixtures.yaml")
KINDS = {"documents": "document", "meetings": "meeting", "inspections": "inspection"}

SEEDS = [
    {"name": "seed-001", "seed": "001_f5eb960d7dcae4b1.txt",
     "expect": {"kind": "document", "doc_no": "洪府字〔2022〕103号", "date": "2022-10-19", "issuer": "city_government", "jurisdiction": "南昌市"}},
    {"name": "seed-000", "seed": "000_86517728c97d515c.txt", "expect": {"kind": "document", "date": "2022-10-19"}},
    {"name": "seed-002", "seed": "002_22a072f485a76a77.txt",
     "expect": {"kind": "document", "doc_no": "萍府办字〔2020〕26号", "date": "2020-04-24", "issuer": "general_office", "jurisdiction": "萍乡市"}},
    {"name": "seed-004", "seed": "004_25cc8ea62125b708.txt", "expect": {"kind": "document", "date": "2019-03-19"}},
]

PIPE = re.compile(r"^\s*\|(.+)\|\s*$")


def damage(text: str, how: str | None) -> str:
    if how == "traditional":
        import opencc

        return opencc.OpenCC("s2tw").convert(text)
    if how == "brackets":  # as seed 002 lost them: 萍府办字202026, a date line 2020424
        text = re.sub(r"〔(\d{4})〕(\d+)号", r"\1\2", text)
        return re.sub(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$", r"\1\2\3", text, flags=re.M)
    return text


def write(fixture: dict, folder: Path) -> Path:
    text = damage(fixture["text"], fixture.get("damage"))
    fmt = fixture.get("format", "txt")
    lines = text.splitlines()
    if fmt == "docx":
        import docx

        document = docx.Document()
        rows: list[list[str]] = []
        for line in lines + [""]:
            match = PIPE.match(line)
            if match:
                rows.append([c.strip() for c in match.group(1).split("|")])
                continue
            if rows:
                table = document.add_table(rows=len(rows), cols=len(rows[0]))
                for r, row in enumerate(rows):
                    for c, cell in enumerate(row):
                        table.cell(r, c).text = cell
                rows = []
            if line:
                document.add_paragraph(line)
        path = folder / f"{fixture['name']}.docx"
        document.save(str(path))
        return path
    if fmt == "html":
        body, rows = [], []
        for line in lines + [""]:
            match = PIPE.match(line)
            if match:
                rows.append("<tr>" + "".join(f"<td>{c.strip()}</td>" for c in match.group(1).split("|")) + "</tr>")
                continue
            if rows:
                body.append("<table>" + "".join(rows) + "</table>")
                rows = []
            if line:
                body.append(f"<p>{line}</p>")
        page = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>政府信息公开</title><script>var x=1;</script></head>"
                "<body><div>首页</div><div>当前位置：首页 &gt; 政务公开 &gt; 文件</div>" + "".join(body) +
                "<div>网站地图 | 隐私声明</div><div>主办：景德镇市人民政府办公室</div><div>赣ICP备05003124号</div></body></html>")
        path = folder / f"{fixture['name']}.html"
        path.write_text(page, encoding="utf-8")
        return path
    if fmt == "txt-gbk":
        path = folder / f"{fixture['name']}.txt"
        path.write_bytes(text.encode("gbk"))
        return path
    path = folder / f"{fixture['name']}.{'md' if fmt == 'md' else 'txt'}"
    path.write_text(text, encoding="utf-8")
    return path


def value_of(draft: dict, field: str) -> Any:
    request = draft["request"]
    if field == "kind":
        return draft["kind"]
    if field == "attendees":
        return [a["unit"] for a in request.get("attendees", [])] or None
    if field == "work_plan.indicators":
        rows = (request.get("work_plan") or {}).get("indicators")
        return [[r["name"], r["target"]] for r in rows] if rows else None
    value: Any = request
    for part in field.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def score(draft: dict, expect: dict) -> list[tuple[str, Any, Any, bool]]:
    """Each expected field: (field, expected, read, right). `null` expected: the field must not be given (it is
    missing, never invented); `missing: [...]`: each must be listed in the draft's missing."""
    out = []
    for field, expected in expect.items():
        if field == "missing":
            for name in expected:
                out.append((f"missing:{name}", True, name in draft["missing"], name in draft["missing"]))
            continue
        got = value_of(draft, field)
        out.append((field, expected, got, got == expected))
    return out


def run(fixtures: Path = FIXTURES) -> dict:
    data = yaml.safe_load(fixtures.read_text(encoding="utf-8"))
    register = RegisterData.of(read_register(shipped("examples") / "register.yaml"))
    results: dict[str, Any] = {}
    failures: list[str] = []
    started = time.perf_counter()
    files = 0
    with tempfile.TemporaryDirectory(prefix="jianfu-intake-") as tmp:
        folder = Path(tmp)
        groups = {KINDS[k]: v for k, v in data.items()}
        groups["seed"] = SEEDS
        for kind, fixtures_of_kind in groups.items():
            right = total = 0
            for fixture in fixtures_of_kind:
                path = shipped("rules") / "sources" / fixture["seed"] if "seed" in fixture else write(fixture, folder)
                draft = intake_file(path, register).draft
                files += 1
                for field, expected, got, ok in score(draft, fixture["expect"]):
                    total += 1
                    right += ok
                    if not ok:
                        failures.append(f"{fixture['name']} {field}: expected {expected!r}, read {got!r}")
            results[kind] = {"files": len(fixtures_of_kind), "fields": total, "right": right,
                             "accuracy": round(right / total, 3) if total else None}
    results["seconds_per_file"] = round((time.perf_counter() - started) / max(files, 1), 4)
    results["failures"] = failures
    return results


def main() -> None:
    result = run(Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURES)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
