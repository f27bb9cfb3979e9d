"""The elements of a 公文 (GB/T 9704-2012 党政机关公文格式): 发文机关标志, 发文字号, 标题, 主送机关, 正文, 附件说明,
发文机关署名, 成文日期. Each is found with the line it was read from, so the draft can show its evidence.

The 版头 (标志, 字号) and the 标题 stand before the 主送机关; the 署名 and the 成文日期 close the main text, before any
附件: so the first line that is a date and nothing else is the 成文日期 (an attachment's own dates come later).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .normalise import HAN

HEADING = r"(?:[一二三四五六七八九十]+\s*[、.．]|\d+\s*[、.．]|[(（][一二三四五六七八九十\d]+[)）])?\s*"
"""A heading's number (一、 1. （二）), which may stand before a label."""
CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

DOC_NO = re.compile(rf"([{HAN}]{{1,8}}[字发函])〔((?:19|20)\d\d)〕(\d{{1,4}})号")
DATE = re.compile(r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
CN_DATE = re.compile(r"([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")
GENRES = "通知|通报|意见|决定|批复|报告|请示|函|方案|办法|规定|细则|纪要|要点|计划|规划|公告|通告"
TITLE = re.compile(rf"^(.*关于.*的({GENRES})|.*(工作方案|实施方案|实施细则|工作要点|考核办法|会议通知|会议的通知))$")
RECIPIENTS = re.compile(r"^(各|市|省|县|区|有关|.{2,40}(政府|部门|单位|委员会|管委会|局|委|办)).{0,200}[:：]$")


def cn_number(text: str) -> int:
    """一 → 1, 十 → 10, 十九 → 19, 二十四 → 24, 三十一 → 31."""
    if "十" in text:
        tens, _, units = text.partition("十")
        return (CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (CN_DIGITS.get(units, 0) if units else 0)
    return CN_DIGITS.get(text, 0)


def parse_date(text: str) -> date | None:
    """The first full date a text gives, in Arabic or Chinese numerals (二〇一九年三月十九日)."""
    match = DATE.search(text)
    if match:
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            return None
    match = CN_DATE.search(text)
    if match:
        year = int("".join(str(CN_DIGITS[c]) for c in match.group(1)))
        try:
            return date(year, cn_number(match.group(2)), cn_number(match.group(3)))
        except ValueError:
            return None
    return None


def is_date_line(line: str) -> bool:
    bare = re.sub(r"\s", "", line)
    bare = re.sub(r"^[(（]?|[)）]?$", "", bare)
    return bool(re.fullmatch(DATE.pattern.replace(r"\s*", ""), bare) or CN_DATE.fullmatch(bare))


@dataclass
class Found:
    value: object
    evidence: str
    line: int


@dataclass
class Elements:
    """What the text gives of each element, each with the line it was read from (None: not found)."""

    lines: list[str]
    masthead: Found | None = None
    doc_no: Found | None = None
    title: Found | None = None
    recipients: Found | None = None
    signature: Found | None = None
    date: Found | None = None
    signers: list[str] = field(default_factory=list)


def _clean(line: str) -> str:
    return line.strip().strip("\u3000").strip()


def read_elements(text: str) -> Elements:
    lines = [_clean(line) for line in text.split("\n")]
    found = Elements(lines)
    body = [(i, line) for i, line in enumerate(lines) if line]
    head = body[:20]
    for i, line in head:
        if found.doc_no is None:
            match = DOC_NO.search(line)
            if match and len(line) <= len(match.group(0)) + 30:
                found.doc_no = Found(match.group(0), line, i + 1)
                continue
        if found.masthead is None and found.title is None and re.fullmatch(rf"[{HAN}()（）、\s]{{4,60}}文件", line):
            found.masthead = Found(re.sub(r"\s", "", line)[:-2], line, i + 1)
            continue
        if found.recipients is None and RECIPIENTS.match(line) and len(line) <= 200:
            found.recipients = Found(line.rstrip(":："), line, i + 1)
            break
        if found.title is None and TITLE.match(line) and len(line) <= 200:
            found.title = Found(line, line, i + 1)
    if found.title is None:
        found.title = _split_title(head)
    start = found.recipients.line if found.recipients else 0
    dated = [(position, i, line) for position, (i, line) in enumerate(body) if i >= start and is_date_line(line) and parse_date(line)]
    # The 成文日期 follows the 署名; a text without a 署名 (a copy from a web page) closes with a date line of its
    # own. A date alone under a heading (一、会议时间 / 2019年5月20日) is the meeting's, not the notice's.
    chosen = None
    for position, i, line in dated:
        signers = _signers_before(body, position)
        if signers:
            chosen = (position, i, line, signers)
            break
    if chosen is None:
        for position, i, line in dated:
            previous = body[position - 1][1] if position else ""
            if not (re.match(rf"^{HEADING}\S{{2,10}}$", previous) and re.search(r"时间|日期|日程", previous)) and not previous.endswith(("：", ":")):
                chosen = (position, i, line, [])
                break
    if chosen is not None:
        position, i, line, signers = chosen
        found.date = Found(parse_date(line), line, i + 1)
        if signers:
            found.signers = signers
            found.signature = Found("、".join(signers), " ".join(signers), body[position - len(signers)][0] + 1)
    return found


ORGAN = re.compile(rf"[{HAN}()（）]{{3,40}}(政府|办公室|办公厅|局|委|办|小组|会议|委员会|中心|指挥部|厅)")


def _signers_before(body: list[tuple[int, str]], position: int) -> list[str]:
    """The organs named on the lines just above a date line (one or several: a joint document signs them all)."""
    signers: list[str] = []
    for j in range(position - 1, max(position - 5, -1), -1):
        names = [n for n in re.split(r"\s+", body[j][1]) if n]
        if names and all(ORGAN.fullmatch(n) for n in names):
            signers = names + signers
        else:
            break
    return signers


def _split_title(head: list[tuple[int, str]]) -> Found | None:
    """A long title broken over two lines (Word wraps a 标题 of more than one line into two paragraphs)."""
    for (i, first), (_, second) in zip(head, head[1:]):
        joined = first + second
        if TITLE.match(joined) and "关于" in first and len(joined) <= 200:
            return Found(joined, f"{first}\n{second}", i + 1)
    return None


def subject_of(title: str) -> str:
    """A subject suggestion from the title: 关于进一步加强预算绩效管理的通知 → 加强预算绩效管理."""
    text = re.sub(r"^.*?关于", "", title)
    text = re.sub(r"^(印发|转发|进一步)", "", text)
    text = re.sub(rf"的?({GENRES})$", "", text)
    text = text.strip("《》“”")
    text = re.sub(r"^(印发|转发|进一步)", "", text)
    return text or title


RELAYED = re.compile(r"转发[《〈](.+?)[》〉]")


def relayed_title(title: str) -> str | None:
    match = RELAYED.search(title)
    return match.group(1) if match else None


def cited_doc_no(text: str, title: str) -> Found | None:
    """The number of the cited document: written after its title in the 正文 (《…》(赣府发〔2019〕3号))."""
    for number, line in enumerate(text.split("\n"), 1):
        if title and title[:12] in line:
            after = line[line.index(title[:12]):]
            match = DOC_NO.search(after)
            if match:
                return Found(match.group(0), line.strip(), number)
    return None


def to_counties(recipients: str | None) -> bool:
    """主送 各县(市、区)人民政府…: the document goes down to the counties."""
    return bool(recipients and re.search(r"各县[(（]?(市|区)", recipients))


def put(out: dict, field: str, found: "Found | tuple[object, str] | None") -> None:
    """A reader's `out[field] = (value, evidence)`, when something was found (a `Found`, or the pair already)."""
    if found is not None:
        out[field] = (found.value, found.evidence) if isinstance(found, Found) else found


def labelled(lines: list[str], labels: str, start: int = 0) -> Found | None:
    """The value after a label (`会议时间：…`, or a heading `一、会议时间` with the value on the next line)."""
    pattern = re.compile(rf"^{HEADING}({labels})\s*(?:[:：]\s*(.*)|(\s.*)?)$")
    for i in range(start, len(lines)):
        match = pattern.match(lines[i])
        if not match:
            continue
        value = (match.group(2) or match.group(3) or "").strip()
        if value:
            return Found(value, lines[i], i + 1)
        for j in range(i + 1, min(i + 4, len(lines))):
            if lines[j]:
                if re.match(rf"^{HEADING}\S{{2,8}}$", lines[j]) and re.match(r"^([一二三四五六七八九十]+[、.．]|\d+[、.．])", lines[j]):
                    break
                return Found(lines[j], f"{lines[i]}\n{lines[j]}", j + 1)
    return None


MONTH_DAY = re.compile(r"(?<![\d年])(\d{1,2})\s*月\s*(\d{1,2})\s*日")


def labelled_date(lines: list[str], labels: str, text: str, sentence: str, reference: date | None) -> tuple[date, str] | None:
    """(the day, its evidence) read from a labelled line (`会议时间：…`), else from the first `sentence` of the text
    whose group 1 is the day (`定于5月20日召开`): a meeting's own day or a plan's start, never the paper's date."""
    found = labelled(lines, labels)
    if found is not None:
        day = date_in(found.value, reference)
        if day is not None:
            return day, found.evidence
    match = re.search(sentence, text)
    if match:
        day = date_in(match.group(1), reference)
        if day is not None:
            return day, match.group(0)
    return None


def date_in(text: str, reference: date | None) -> date | None:
    """A full date in the text, or a 月日 without a year read in the year of the reference (the notice's own date;
    a month and day that fall before it are the next year's)."""
    full = parse_date(text)
    if full is not None:
        return full
    match = MONTH_DAY.search(text)
    if match is None or reference is None:
        return None
    try:
        day = date(reference.year, int(match.group(1)), int(match.group(2)))
    except ValueError:
        return None
    return day if day >= reference else date(reference.year + 1, day.month, day.day)
