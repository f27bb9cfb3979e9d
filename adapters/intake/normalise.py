"""Normalising damaged paperwork, one step per function, each tested on the seeds that show the damage.

- `strip_web_chrome`: a copy saved from a government site keeps its navigation (首页, 当前栏目), its footer (网站地图,
  主办/承办, ICP and 公安备案 lines) and the page's own date/source line (seed 002).
- `unify_radicals` and `close_number_spaces`: a PDF's text layer gives ⽉ (a Kangxi radical) for 月 and sets
  digits apart (`2019 年 5 ⽉`).
- `to_simplified`: a copy converted to traditional characters (seed 000), back with OpenCC.
- `drop_pinyin`: the same converter left the pinyin reading after some characters, `縣(區(qū))`: a parenthesis of
  tone-marked Latin syllables directly after a Han character is a reading, not text (a parenthesis of plain Latin,
  `(APP)`, is text and stays).
- `restore_separators`: lost brackets and separators put back only where one reading is possible
  (`萍府办字202026` → `萍府办字〔2020〕26号`, a line `2020424` → `2020年4月24日`, `20206月底前` → `2020年6月底前`); a run that
  reads two ways (`2020114`: 1月14日 or 11月4日) is left as it is and listed.
- `repair_latin_mojibake`: Chinese shown in a Western code page (`¹ØÓÚ`, `å…³äºŽ` for 关于) loses no byte and
  reads back one way only: repaired.
- `find_mojibake`: UTF-8 read as GBK with bytes lost (`確?!氨O(jiān)”`) cannot be repaired: it is kept and listed with
  its line, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# Lines of a saved page that are the site, not the document. Each pattern is one kind of chrome the seeds show;
# a line is dropped only when it matches one, so a document line that merely mentions 网站 stays.
CHROME_LINES = [
    re.compile(r"^(首页|网站首页|返回首页|打印本页|关闭窗口|【?打印】?|【?关闭】?|分享到.*|上一篇.*|下一篇.*|关联稿件|相关链接.*)$"),
    re.compile(r"^当前(栏目|位置)\s*[:：]"),
    re.compile(r"网站地图|隐私声明|版权声明|功能说明|常见问题"),
    re.compile(r"^(主办|承办|运行管理|技术支持|主管)\s*[:：]"),
    re.compile(r"ICP\s*备|公安机关?备案号|政府网站标识码|举报中心|举报电话"),
    re.compile(r"^\d{4}-\d{2}-\d{2}(\s+\d{1,2}:\d{2}(:\d{2})?)?\s+(来源|信息来源)\s*[:：].*"),
    re.compile(r"^(来源|信息来源|发布时间|浏览次数|字号)\s*[:：].*$"),
    re.compile(r"^((中共)?[\u4e00-\u9fff]{2,6}(市委|市人大|市政协|市人民政府|市政府))(\s+(中共)?[\u4e00-\u9fff]{2,6}(市委|市人大|市政协|市人民政府|市政府)){2,}$"),
]


def strip_web_chrome(text: str) -> tuple[str, list[str]]:
    """The text without the lines that are the web site's; and those lines, for the clerk to see what went."""
    kept, removed = [], []
    for line in text.split("\n"):
        bare = line.strip().replace("\u3000", " ").strip()
        if bare and any(p.search(bare) for p in CHROME_LINES):
            removed.append(bare)
        else:
            kept.append(line)
    return "\n".join(kept), removed


@lru_cache(maxsize=1)
def _converter():
    import opencc

    # tw2s rather than t2s: the damaged copies were made by converters that write Taiwan forms (著 for 着 in 着力,
    # 沿着); tw2s maps those back as well, and on seed 000 keeps 99% of the 6-grams where t2s keeps 97.8%.
    return opencc.OpenCC("tw2s")


def to_simplified(text: str) -> str:
    return _converter().convert(text)


TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
PINYIN_READING = re.compile(rf"(?<=[{HAN}])\((?=[a-zü{TONED}]*[{TONED}])[a-zü{TONED}]{{1,7}}\)")


def drop_pinyin(text: str) -> tuple[str, int]:
    """Text without the pinyin readings left after characters, and how many went."""
    return PINYIN_READING.subn("", text)


RADICALS = re.compile("[\u2e80-\u2eff\u2f00-\u2fdf\uf900-\ufaff]")


def unify_radicals(text: str) -> str:
    """Kangxi radicals and compatibility ideographs as the ideographs they stand for (⽉ → 月, ⼀ → 一): what a PDF's
    text layer gives for glyphs its font maps to the radical's code point. Only these blocks: NFKC on the whole
    text would also turn the full-width （：，of a 公文 into ASCII."""
    return RADICALS.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)


SPACED = re.compile(rf"(?<=[0-9{HAN}〔〕（）()])[ \t]+(?=[0-9])|(?<=[0-9])[ \t]+(?=[{HAN}〔〕（）()])")


def close_number_spaces(text: str) -> str:
    """A PDF's text layer sets digits apart from Han characters (`2019 年 5 月`, `〔 2019 〕 15 号`): Chinese text has
    no space there, so it goes. Spaces between Han characters (two organs on one 署名 line) stay."""
    text = SPACED.sub("", text)
    return re.sub(r"(?<=〔)[ \t]+|[ \t]+(?=〕)", "", text)


@dataclass
class Repair:
    step: str
    before: str
    after: str
    line: int


def _dates(digits: str) -> list[date]:
    """Every date a run of 7 or 8 digits can be read as: four for the year, then the month, then the day."""
    year, rest = int(digits[:4]), digits[4:]
    found = []
    for cut in (1, 2):
        month, day = rest[:cut], rest[cut:]
        if not day or len(day) > 2 or month.startswith("0") and cut == 1:
            continue
        try:
            found.append(date(year, int(month), int(day)))
        except ValueError:
            continue
    return sorted(set(found))


def _year(text: str) -> bool:
    return 1949 <= int(text) <= 2100


DOC_NO_BROKEN = re.compile(rf"([{HAN}]{{1,8}}[字发函])\s*[〔\[【(（]?\s*((?:19|20)\d\d)\s*[〕\]】)）]?\s*(\d{{1,4}})(号)?(?!\d)")
LONE_DATE = re.compile(r"^(\s*)((?:19|20)\d{5,6})(\s*)$")
YEAR_MONTH = re.compile(r"(?<!\d)((?:19|20)\d\d)(\d{1,2})月")
YEAR_MONTH_DAY = re.compile(r"(?<!\d)((?:19|20)\d{5,6})日")


def restore_separators(text: str) -> tuple[str, list[Repair], list[str]]:
    """Brackets and separators put back where one reading is possible; the repairs made; the runs left ambiguous."""
    repairs: list[Repair] = []
    ambiguous: list[str] = []
    out_lines = []
    for number, line in enumerate(text.split("\n"), 1):
        def doc_no(match: re.Match) -> str:
            prefix, year, serial, hao = match.groups()
            if not _year(year) or serial.startswith("0"):
                return match.group(0)
            fixed = f"{prefix}〔{year}〕{serial}号"
            if fixed != match.group(0):
                repairs.append(Repair("doc_no", match.group(0), fixed, number))
            return fixed

        line = DOC_NO_BROKEN.sub(doc_no, line)
        lone = LONE_DATE.match(line)
        if lone:
            readings = _dates(lone.group(2))
            if len(readings) == 1:
                day = readings[0]
                fixed = f"{lone.group(1)}{day.year}年{day.month}月{day.day}日{lone.group(3)}"
                repairs.append(Repair("date", lone.group(2), f"{day.year}年{day.month}月{day.day}日", number))
                line = fixed
            elif len(readings) > 1:
                ambiguous.append(f"第{number}行 / line {number}: {lone.group(2)}")

        def ymd(match: re.Match) -> str:
            readings = _dates(match.group(1))
            if len(readings) != 1:
                if readings:
                    ambiguous.append(f"第{number}行 / line {number}: {match.group(0)}")
                return match.group(0)
            day = readings[0]
            fixed = f"{day.year}年{day.month}月{day.day}日"
            repairs.append(Repair("date", match.group(0), fixed, number))
            return fixed

        line = YEAR_MONTH_DAY.sub(ymd, line)

        def ym(match: re.Match) -> str:
            year, month = match.groups()
            if not _year(year) or not 1 <= int(month) <= 12 or (len(month) == 2 and month.startswith("0")):
                return match.group(0)
            fixed = f"{year}年{int(month)}月"
            repairs.append(Repair("year_month", match.group(0), fixed, number))
            return fixed

        line = YEAR_MONTH.sub(ym, line)
        out_lines.append(line)
    return "\n".join(out_lines), repairs, ambiguous


# Chinese read as a Western code page: GBK bytes shown as Latin-1 (`¹ØÓÚ` for 关于) or UTF-8 bytes shown as
# Windows-1252 (`å…³äºŽ`), as a page saved with a wrong charset gives. No byte is lost, so the run reads back one
# way only. A run of eight or more such characters, not part of a Western word, is no text of its own (four,
# `ÀÁÂÃ`, would read as two Han characters by coincidence: too short to trust).
LATIN_RUN = re.compile(r"(?<![A-Za-z])[\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]{8,}(?![A-Za-z])")
CHINESE = re.compile(rf"[{HAN}\u3000-\u303f\uff00-\uffef“”‘’—…·]+")


def repair_latin_mojibake(text: str) -> tuple[str, list["Repair"]]:
    """Runs of Chinese shown in a Western code page, read back (GBK via Latin-1, UTF-8 via Windows-1252)."""
    repairs: list[Repair] = []
    out_lines = []
    for number, line in enumerate(text.split("\n"), 1):
        def fix(match: re.Match) -> str:
            run = match.group(0)
            for shown, meant in (("latin-1", "gbk"), ("cp1252", "utf-8"), ("latin-1", "utf-8")):
                try:
                    fixed = run.encode(shown).decode(meant)
                except (UnicodeEncodeError, UnicodeDecodeError):
                    continue
                if CHINESE.fullmatch(fixed):
                    repairs.append(Repair("mojibake", run, fixed, number))
                    return fixed
            return run

        out_lines.append(LATIN_RUN.sub(fix, line))
    return "\n".join(out_lines), repairs


# A question mark or U+FFFD beside a Han character: in Chinese text a question is ？, so an ASCII ? inside Chinese is
# what a decoder wrote for bytes it could not read. The run around it is what the clerk must check.
MOJIBAKE = re.compile(rf"[^\s，。、；：,.;:“”]{{0,4}}(?:(?<=[{HAN}])[?\ufffd]|[?\ufffd](?=[{HAN}！!“”]))[^\s，。、；：,.;:]{{0,4}}|\ufffd")


def find_mojibake(text: str) -> list[dict]:
    """Each damaged run: its line and the run as it stands (kept in the text, never replaced)."""
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        for match in MOJIBAKE.finditer(line):
            found.append({"line": number, "text": match.group(0)})
    return found


@dataclass
class Normalised:
    text: str
    chrome: list[str] = field(default_factory=list)
    pinyin_removed: int = 0
    repairs: list[Repair] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    mojibake: list[dict] = field(default_factory=list)

    @property
    def notes(self) -> list[str]:
        out = []
        if self.chrome:
            out.append(f"删除网页栏目/页脚 {len(self.chrome)} 行 / removed {len(self.chrome)} lines of web chrome")
        if self.pinyin_removed:
            out.append(f"删除残留拼音 {self.pinyin_removed} 处 / removed {self.pinyin_removed} pinyin readings")
        for repair in self.repairs:
            out.append(f"第{repair.line}行补全 / line {repair.line} restored: {repair.before} → {repair.after}")
        for run in self.ambiguous:
            out.append(f"有多种读法，未改动 / more than one reading, left as is: {run}")
        for bad in self.mojibake:
            out.append(f"第{bad['line']}行乱码，无法修复，请核对原件 / line {bad['line']} mojibake kept: {bad['text']}")
        return out


def normalise(text: str) -> Normalised:
    """Every step in order: chrome, characters, readings, separators; the mojibake that is left, listed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text, chrome = strip_web_chrome(text)
    # Blank runs left by a saved page's layout collapse to one blank line (first, so that every line number the
    # later steps report is a line of the text the clerk sees).
    compact: list[str] = []
    for line in text.split("\n"):
        line = line.rstrip()
        if not line.strip() and (not compact or not compact[-1].strip()):
            continue
        compact.append(line)
    text = "\n".join(compact).strip("\n")
    text, repaired = repair_latin_mojibake(text)
    text = to_simplified(unify_radicals(text))
    text = close_number_spaces(text)
    text, pinyin = drop_pinyin(text)
    text, repairs, ambiguous = restore_separators(text)
    repairs = repaired + repairs
    return Normalised(text, chrome, pinyin, repairs, ambiguous, find_mojibake(text))
