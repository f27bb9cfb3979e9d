"""`jianfu intake FILE…`: real paperwork (DOCX, TXT, MD, saved HTML, PDF with a text layer; a folder of them) into
draft requests, one per file in input order (SPEC, `jianfu intake`).

Exit codes: 0 every file read into a draft; 1 some draft needs a closer look than filling in its missing fields (a
still-valid document of the register on the same work, art. 4, or damaged text that could not be repaired); 2 a file
could not be read (an old .doc, a scan, a file too large): then nothing is printed for any file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
import yaml

from jianfu.engine.errors import FieldError, InvalidInput

from .common import EXIT_APPROVED, EXIT_REJECTED, DbOption, RegisterOption, VerboseOption, err_console, guard, setup_logging

SUFFIXES = (".docx", ".txt", ".md", ".html", ".htm", ".pdf", ".doc", ".wps")


def files_of(paths: list[Path]) -> list[Path]:
    """Each file as given; a folder's files (its drafts, in name order, sub-folders included)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith((".", "~$")))
        else:
            out.append(path)
    return out


def intake(
    files: list[Path] = typer.Argument(..., metavar="FILE…", help="公文、会议通知、督查检查考核工作方案（DOCX、TXT、MD、HTML、PDF）或其文件夹 / documents, meeting notices, inspection plans, or folders of them"),
    jurisdiction: Optional[str] = typer.Option(None, "--jurisdiction", "-j", help="辖区（文中未写明时） / jurisdiction, where the text does not say"),
    register: Optional[Path] = RegisterOption,
    db: Optional[str] = DbOption,
    fmt: str = typer.Option("json", "--format", "-f", help="输出格式 / output format: json | yaml"),
    threshold: float = typer.Option(60.0, "--threshold", min=0, max=100, help="相似文件的最低得分（0-100） / lowest score of a similar document (0-100)"),
    verbose: int = VerboseOption,
) -> None:
    """读取公文、会议通知和工作方案，生成待审查的申请草稿 / read paperwork into draft requests."""
    from jianfu.adapters.intake import RegisterData, intake_file

    setup_logging(verbose)
    if fmt not in ("json", "yaml"):
        raise typer.BadParameter("应为 json | yaml / expected json or yaml", param_hint="--format")
    if register is not None and db is not None:
        raise typer.BadParameter("--register 与 --db 不能同时使用 / use --register or --db, not both", param_hint="--register")
    with guard("无法读取，未输出任何草稿 / could not read: no draft written"):
        data = RegisterData()
        if register is not None:
            from jianfu.adapters.files.read import read_register

            data = RegisterData.of(read_register(register))
        elif db is not None:
            from jianfu.adapters.storage import open_store

            data = RegisterData.of(open_store(db).register_file())
        paths = files_of(files)
        if not paths:
            raise InvalidInput([FieldError((), "没有可读取的文件", "no file to read", file=" ".join(map(str, files)))])
        results, errors = [], []
        for path in paths:
            try:
                results.append(intake_file(path, data, jurisdiction, threshold))
            except InvalidInput as exc:  # every unreadable file is reported, then nothing is printed
                errors += exc.errors
        if errors:
            raise InvalidInput(errors)
    drafts = [result.draft for result in results]
    if fmt == "json":
        sys.stdout.write(json.dumps(drafts, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(yaml.safe_dump(drafts, allow_unicode=True, sort_keys=False))
    attention = False
    for result in results:
        for note in result.damage:
            err_console.print(f"{result.draft['file']}: {note}", markup=False)
            attention = True
        for hit in result.draft["similar"]:
            err_console.print(f"{result.draft['file']}: 台账中有相近的有效文件 / a similar valid document: {hit['doc_no'] or hit['id']} {hit['title']}（{hit['score']}）", markup=False)
            attention = True
    raise typer.Exit(EXIT_REJECTED if attention else EXIT_APPROVED)
