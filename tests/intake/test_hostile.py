"""Hostile files: a zip-bomb DOCX and a 100 MB text are refused with exit 2 before they are inflated or read, in
bounded memory (the peak resident size of the command is measured, not assumed)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import docx

from jianfu.adapters.intake.readers import MAX_TEXT_BYTES, MAX_UNZIPPED_BYTES

PEAK = """
import json, resource, subprocess, sys
run = subprocess.run([sys.executable, "-m", "jianfu", "intake", *sys.argv[1:]], capture_output=True, text=True)
print(json.dumps({"rc": run.returncode, "stderr": run.stderr, "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""
BOUND_MB = 250  # the interpreter with jianfu, OpenCC and python-docx loaded is about 100 MB; the files are 100+ MB


def measured(*args: str) -> dict:
    """The command run as the only child of a fresh interpreter, so the peak is the command's own."""
    out = subprocess.run([sys.executable, "-c", PEAK, *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def zip_bomb(path, inflated_mb: int = 200):
    """A DOCX whose document.xml inflates to `inflated_mb` MB of zeros (a few hundred KB stored)."""
    template = path.with_name("template.docx")
    docx.Document().save(str(template))
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                bomb.writestr(item, source.read(item))
        with bomb.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(inflated_mb):
                member.write(chunk)
    return path


def test_zip_bomb_docx_is_refused_before_it_inflates(tmp_path):
    bomb = zip_bomb(tmp_path / "bomb.docx")
    assert bomb.stat().st_size < 2 * 1024 * 1024 and 200 * 1024 * 1024 > MAX_UNZIPPED_BYTES
    result = measured(str(bomb))
    assert result["rc"] == 2, result
    assert "压缩炸弹" in result["stderr"] and "Traceback" not in result["stderr"]
    assert result["peak_mb"] < BOUND_MB, result


def test_100_mb_text_is_refused_without_being_read(tmp_path):
    big = tmp_path / "big.txt"
    line = ("关于召开全市教育工作会议的通知。" * 20 + "\n").encode("utf-8")
    with big.open("wb") as handle:
        for _ in range(100 * 1024 * 1024 // len(line) + 1):
            handle.write(line)
    assert big.stat().st_size > 100 * 1024 * 1024 > MAX_TEXT_BYTES
    result = measured(str(big))
    assert result["rc"] == 2, result
    assert "文件过大" in result["stderr"] and "big.txt" in result["stderr"]
    assert result["peak_mb"] < BOUND_MB, result


def test_a_docx_with_too_many_members_is_refused(tmp_path):
    path = tmp_path / "many.docx"
    docx.Document().save(str(path))
    with zipfile.ZipFile(path, "a") as archive:
        for i in range(5001):
            archive.writestr(f"customXml/padding{i}.xml", "<a/>")
    result = measured(str(path))
    assert result["rc"] == 2 and "文件数" in result["stderr"]


def test_an_entity_bomb_in_document_xml_is_not_expanded(tmp_path):
    """Billion laughs: python-docx parses with entities unresolved, so the bomb reads as (almost) nothing."""
    path = tmp_path / "laughs.docx"
    docx.Document().save(str(path))
    lol = ('<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "haha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
           '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
           '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
           '<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           '<w:p><w:r><w:t>&h;</w:t></w:r></w:p></w:body></w:document>')
    rebuilt = tmp_path / "rebuilt.docx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            out.writestr(item, lol if item.filename == "word/document.xml" else source.read(item))
    result = measured(str(rebuilt))
    assert result["rc"] in (0, 2) and "Traceback" not in result["stderr"], result
    assert result["peak_mb"] < BOUND_MB, result
