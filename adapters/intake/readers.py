"""Reading a file of paperwork into text: DOCX (paragraphs and tables), TXT/MD (UTF-8, GBK, GB18030), HTML saved
from a web page, PDF with a text layer.

Every reader is bounded before it decodes: a file is refused when it is larger than a 公文 ever is, and a DOCX (a zip)
is refused when its members would inflate past a bound or at a ratio no office document has (a zip bomb). What cannot
be read is an `InvalidInput` saying what to do (save as .docx, the PDF has no text layer), never a guess.
"""

from __future__ import annotations

import html.parser
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from jianfu.engine.errors import FieldError, InvalidInput

MAX_TEXT_BYTES = 8 * 1024 * 1024
"""A TXT, MD or HTML file: the longest 公文 we know is under 1 MB; 8 MB leaves room for a saved page's markup."""
MAX_BINARY_BYTES = 32 * 1024 * 1024
"""A DOCX or PDF as stored (images included)."""
MAX_UNZIPPED_BYTES = 64 * 1024 * 1024
"""All of a DOCX's members inflated."""
MAX_ZIP_RATIO = 200
"""Inflated / stored size of one DOCX member: XML compresses 5-20 times, a zip bomb thousands of times."""
MAX_ZIP_MEMBERS = 5000
MAX_PDF_PAGES = 500

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""The old binary Word/WPS format (.doc, .wps): no reader of ours; the office saves it as .docx."""


@dataclass
class RawDocument:
    """What a reader found: the text line by line, and the tables as rows of cells (DOCX, HTML, pipe tables)."""

    text: str
    format: str
    tables: list[list[list[str]]] = field(default_factory=list)


def refuse(path: Path | str, zh: str, en: str) -> InvalidInput:
    return InvalidInput([FieldError((), zh, en, file=str(path))])


def read_file(path: Path) -> RawDocument:
    """The file's text, or `InvalidInput` (exit 2) naming what is wrong and what to do."""
    path = Path(path)
    if not path.is_file():
        raise refuse(path, "文件不存在或不是文件", "no such file")
    suffix = path.suffix.lower()
    with path.open("rb") as handle:
        head = handle.read(8)
    if suffix in (".doc", ".wps", ".et", ".dps") or head.startswith(OLE_MAGIC):
        raise refuse(path, "旧版二进制 Word/WPS 文件（.doc/.wps）无法读取：请在 WPS 或 Word 中另存为 .docx 后再导入",
                     "an old binary .doc/.wps file cannot be read: save it as .docx in WPS or Word and try again")
    if suffix == ".docx" or (suffix not in (".txt", ".md", ".html", ".htm", ".pdf") and head.startswith(b"PK")):
        return read_docx(path)
    if suffix == ".pdf" or head.startswith(b"%PDF"):
        return read_pdf(path)
    data = _bounded_bytes(path, MAX_TEXT_BYTES)
    if suffix in (".html", ".htm") or re.match(rb"\s*<(!doctype html|html)", data[:200], re.I):
        return read_html(data, path)
    text = _decode(data, path)
    return RawDocument(text, "md" if suffix == ".md" else "txt", tables=pipe_tables(text))


def _bounded_bytes(path: Path, limit: int) -> bytes:
    # The size on disk is checked before a byte is read, and the read itself stops one past the bound: a 100 MB file
    # costs no more memory than an 8 MB one.
    if path.stat().st_size > limit:
        raise refuse(path, f"文件过大（{path.stat().st_size // 1024 // 1024} MB，上限 {limit // 1024 // 1024} MB）：公文不会这么大，请检查是否选错了文件",
                     f"file too large ({path.stat().st_size // 1024 // 1024} MB, limit {limit // 1024 // 1024} MB): no document is this long; check the file")
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise refuse(path, "文件过大", "file too large")
    return data


def _decode(data: bytes, path: Path) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK and GB2312); strict, so a wrong guess fails."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise refuse(path, "无法识别文件编码（既非 UTF-8 也非 GBK/GB18030）：请另存为 UTF-8 文本或 .docx",
                 "unknown text encoding (neither UTF-8 nor GBK/GB18030): save it as UTF-8 text or .docx")


PIPE_ROW = re.compile(r"^\s*\|(.+)\|\s*$")


def pipe_tables(text: str) -> list[list[list[str]]]:
    """Markdown pipe tables (and a saved text's tab-separated rows) as tables: how an indicator table survives in TXT."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in text.splitlines():
        match = PIPE_ROW.match(line)
        cells = [c.strip() for c in match.group(1).split("|")] if match else (line.split("\t") if "\t" in line.strip() else None)
        if cells is not None and not all(re.fullmatch(r":?-{2,}:?", c or "--") for c in cells):
            current.append([c.strip() for c in cells])
        elif cells is None and current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    return [t for t in tables if len(t) >= 2]


def read_docx(path: Path) -> RawDocument:
    stored = path.stat().st_size
    if stored > MAX_BINARY_BYTES:
        raise refuse(path, "文件过大", f"file too large ({stored} bytes)")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise refuse(path, "DOCX 内部文件数异常，拒绝读取", "a DOCX with too many members: refused")
            total = 0
            for member in members:
                total += member.file_size
                ratio = member.file_size / max(member.compress_size, 1)
                if total > MAX_UNZIPPED_BYTES or (member.file_size > 1024 * 1024 and ratio > MAX_ZIP_RATIO):
                    raise refuse(path, "DOCX 解压后过大（疑似压缩炸弹），拒绝读取",
                                 "the DOCX inflates far beyond any document (a zip bomb?): refused")
            if "word/document.xml" not in archive.namelist():
                raise refuse(path, "不是 Word 文档（缺少 word/document.xml）：请在 WPS 或 Word 中另存为 .docx",
                             "not a Word document (no word/document.xml): save it as .docx in WPS or Word")
    except zipfile.BadZipFile:
        raise refuse(path, "DOCX 文件已损坏，无法打开：请重新保存", "the DOCX is damaged and cannot be opened: save it again") from None
    import docx  # python-docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several kinds on a malformed package
        raise refuse(path, f"DOCX 无法解析：{exc.__class__.__name__}，请在 WPS 或 Word 中重新保存",
                     f"the DOCX cannot be parsed ({exc.__class__.__name__}): save it again in WPS or Word") from None
    lines: list[str] = []
    tables: list[list[list[str]]] = []
    # Body order matters (the indicator table sits under its heading), so walk the body's children, not
    # `document.paragraphs` then `document.tables`.
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, document).text)
        elif tag == "tbl":
            rows = []
            for row in Table(child, document).rows:
                cells: list[str] = []
                seen: set[int] = set()
                for cell in row.cells:  # a merged cell comes back once per grid column it spans: keep it once
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    cells.append(" ".join(cell.text.split()))
                rows.append(cells)
                lines.append(" | ".join(cells))
            tables.append(rows)
    return RawDocument("\n".join(lines), "docx", tables)


class _HtmlText(html.parser.HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article", "ul", "ol", "title"}
    SKIP = {"script", "style", "noscript", "head"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.tables: list[list[list[str]]] = []
        self.row: list[str] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skip += 1
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        if tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" | ")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skip:
            self.skip -= 1
        if tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None and self.tables:
            self.tables[-1].append(self.row)
            self.row = None
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if self.skip:
            return
        self.parts.append(data)
        if self.cell is not None:
            self.cell.append(data)


def read_html(data: bytes, path: Path) -> RawDocument:
    head = data[:2048].decode("ascii", "ignore").lower()
    declared = re.search(r"charset=[\"']?([\w-]+)", head)
    text = None
    if declared and declared.group(1) in ("gbk", "gb2312", "gb18030"):
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            text = None
    if text is None:
        text = _decode(data, path)
    parser = _HtmlText()
    parser.feed(text)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    return RawDocument("\n".join(lines), "html", [t for t in parser.tables if t])


def read_pdf(path: Path) -> RawDocument:
    if path.stat().st_size > MAX_BINARY_BYTES:
        raise refuse(path, "文件过大", "file too large")
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if len(reader.pages) > MAX_PDF_PAGES:
            raise refuse(path, f"PDF 页数过多（{len(reader.pages)} 页）", f"too many pages ({len(reader.pages)})")
        text = "\n".join((page.extract_text() or "") for page in reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise refuse(path, f"PDF 已损坏，无法读取（{exc.__class__.__name__}）", f"the PDF is damaged ({exc.__class__.__name__})") from None
    if len(re.sub(r"\s", "", text)) < 20:
        raise refuse(path, "PDF 没有文字层（扫描件）：请提供原始 .docx，或先做文字识别（OCR）后再导入",
                     "the PDF has no text layer (a scan): supply the .docx, or run OCR first")
    return RawDocument(text, "pdf", pipe_tables(text))
