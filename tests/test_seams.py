"""The seams of the core, read from the source: durable-rules is the evaluator's alone, and the engine holds the
domain only (no process machinery, no adapters)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = ("engine", "adapters", "bench", "jianfu")
EVALUATOR = ROOT / "engine" / "evaluator.py"
# How the evaluator names a pack rule's durable rules and an approval's fact key: nobody else may spell them.
DURABLE_NAMING = ("__applies", "__violated", "__unwaived", "approval_ignored")
EVALUATOR_API = {"EVALUATOR", "Evaluator", "Ruleset", "Verdict", "Verdicts", "Outcome"}


def _sources(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py") if ".venv" not in p.parts)


def _imports(path: Path) -> set[str]:
    """Every module the file imports, relative imports resolved to `jianfu.…`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ["jianfu", *path.relative_to(ROOT).parts[:-1]]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                out.add(".".join(base + ([node.module] if node.module else [])))
            else:
                out.add(node.module or "")
    return out


def test_the_sources_are_found():
    assert EVALUATOR in _sources("engine") and len(_sources(*CODE)) > 60


def test_only_the_evaluator_imports_durable_rules():
    importing = [p.relative_to(ROOT) for p in _sources(*CODE, "tests")
                 if any(m == "durable" or m.startswith("durable.") for m in _imports(p))]
    assert importing == [EVALUATOR.relative_to(ROOT)]


def test_only_the_evaluator_knows_how_durable_rules_are_named():
    knowing = [(str(p.relative_to(ROOT)), name) for p in _sources(*CODE) if p != EVALUATOR
               for name in DURABLE_NAMING if name in p.read_text(encoding="utf-8")]
    assert knowing == []
    assert all(name.strip("_") in EVALUATOR.read_text(encoding="utf-8") for name in DURABLE_NAMING)


def test_the_evaluator_is_used_through_its_verdicts_only():
    """What others take from the evaluator: the evaluator, its rulesets and their verdicts; never the suffixes or the
    fact keys its durable rules are built from."""
    taken = {}
    for path in _sources(*CODE, "tests"):
        if path == EVALUATOR:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("evaluator"):
                for alias in node.names:
                    taken.setdefault(alias.name, set()).add(str(path.relative_to(ROOT)))
    assert taken and set(taken) <= EVALUATOR_API, {name: where for name, where in taken.items() if name not in EVALUATOR_API}


def test_the_chinese_value_tables_are_written_once_in_messages():
    tables = ("APPROVER_ZH", "VALUE_ZH", "DECISION_ZH", "SEVERITY_ZH", "LIGHT_ZH", "MEETING_ZH", "INSPECTION_ZH", "PERIOD_ZH")
    defined = {}
    for path in _sources(*CODE):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id in tables:
                        defined.setdefault(target.id, []).append(str(path.relative_to(ROOT)))
    assert defined == {name: ["engine/messages.py"] for name in tables}


def test_the_engine_holds_the_domain_and_no_machinery():
    """Worker processes, spool files, pickling and the collector switch are the storage adapter's
    (adapters/storage/audit_workers.py); the engine imports no adapter either."""
    machinery = ("multiprocessing", "concurrent", "pickle", "gc", "jianfu.adapters", "threading.Thread")
    found = [(str(p.relative_to(ROOT)), m) for p in _sources("engine") for m in sorted(_imports(p))
             if any(m == name or m.startswith(name + ".") for name in machinery)]
    assert found == []
    assert "multiprocessing" in _imports(ROOT / "adapters" / "storage" / "audit_workers.py")  # the scan sees imports
