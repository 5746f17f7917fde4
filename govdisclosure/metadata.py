"""Report metadata from the text: agency, reporting year, publication date, template, region, level.

Every rule that depends on wording lives in package data: ``levels.csv`` (agency name → level),
``regions.csv`` (division names and codes) and ``templates.csv`` (labels that mark a template).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from govdisclosure.codebook import read_package_csv
from govdisclosure.normalize import strip_markup

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
# "（2026年1月23日）" under a title (shuyang_2025) or "2025年1月17日" after the signature (seed 002).
_DATE_LINE = re.compile(
    r"^[（(]?\s*(?P<y>\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*(?P<m>\d{1,2}|[一二三四五六七八九十]{1,3})\s*月"
    r"\s*(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})\s*日\s*[)）]?$"
)
_ISO_DATE_LINE = re.compile(r"^(?P<y>\d{4})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})$")
_TITLE_TAIL = re.compile(
    r"(?:(?:19|20)\d{2}\s*年\s*度?)?\s*(?:度\s*)?政\s*府\s*信\s*息\s*公\s*开.*$|年\s*度\s*报\s*告.*$"
)
_CN_DIGITS = {ch: i for i, ch in enumerate("零一二三四五六七八九")} | {"〇": 0, "○": 0}
_AGENCY_END = re.compile(
    r"(政府|局|委员会|委|办公室|办|厅|中心|院|署|部|管委会|办事处|街道|镇|乡|会|处|所|站|队)$"
)
_SENTENCE_PUNCT = re.compile(r"[。，；：！？,;]")
_YEAR_END = re.compile(r"(?:19|20)\d{2}\s*年\s*度?$")
# The longest real title seen is about 40 characters; a longer line is running text.
_MAX_TITLE = 60


def _cn_number(text: str) -> int:
    """二〇二五 → 2025 (digit by digit); 十七 → 17; 十 → 10; 二十 → 20."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)
    return int("".join(str(_CN_DIGITS[ch]) for ch in text))


# What a date line begins with once its marks and blanks are stripped: a bracket or a Chinese
# numeral; decimal digits are tested apart (``\d`` in _DATE_LINE matches every script's digits).
_DATE_FIRST = frozenset("（(〇○零一二三四五六七八九")


def parse_date_line(line: str) -> dt.date | None:
    """A line that is only a date (Arabic or Chinese numerals) → the date, else None."""
    text = strip_markup(line)
    # The signature and the title block are searched line by line, and most lines are text:
    # their first letter turns them away before a copy without spaces and two regex matches.
    if not text or not (text[0] in _DATE_FIRST or text[0].isdecimal()):
        return None
    text = text.replace(" ", "")
    match = _DATE_LINE.match(text) or _ISO_DATE_LINE.match(text)
    if not match:
        return None
    try:
        return dt.date(_cn_number(match["y"]), _cn_number(match["m"]), _cn_number(match["d"]))
    except (ValueError, KeyError):
        return None


def _lines(text: str) -> list[str]:
    return [strip_markup(line) for line in text.split("\n") if line.strip()]


def _last_lines(text: str, n: int) -> list[str]:
    """``_lines(text)[-n:]`` without cleaning every line of the report first."""
    tail = []
    for line in reversed(text.split("\n")):
        if line.strip():
            tail.append(strip_markup(line))
            if len(tail) == n:
                break
    return tail[::-1]


# Archive extractions label their header lines "标题: …", "发布机构: …" (pingtan_20xx.txt).
_TITLE_KEY = re.compile(r"^\s*(?:标题|题目|文章标题|名称)\s*[:：]\s*")


def find_title(preamble: str) -> str:
    """The report's title: the first line of the preamble that names a report."""
    lines = [_TITLE_KEY.sub("", line) for line in _lines(preamble)[:12]]
    for i, line in enumerate(lines):
        compact = line.replace(" ", "")
        if len(compact) > _MAX_TITLE or "。" in compact:
            # A sentence is no title: pingtan_2025.html prints its title only in the page chrome
            # and its body opens "本报告根据《…条例》…编制。本报告共分6个部分…".
            continue
        if "报告" in compact and ("政府信息公开" in compact or "年度" in compact):
            # A title set on two lines, the agency above the year ("淮安市人民政府" /
            # "2024 年政府信息公开工作年度报告", huaian_2024.pdf and hongze_2023.pdf): join them.
            previous = lines[i - 1].replace(" ", "") if i > 0 else ""
            if (_YEAR.match(compact) and len(previous) <= 30
                    and not _SENTENCE_PUNCT.search(previous) and _AGENCY_END.search(previous)):
                return f"{lines[i - 1].strip()}{line.strip()}"
            # The year ends the line above ("平潭综合实验区2018年度" / "政府信息公开工作年度报告",
            # pingtan_2018.html sets its title in two <p>): join them too.
            if _YEAR_END.search(previous) and len(previous) <= 30 and not _SENTENCE_PUNCT.search(
                previous
            ):
                return f"{lines[i - 1].strip()}{line.strip()}"
            # The title broken mid-phrase ("2024 年上海市科委政府信息公开工作" / "年度报告",
            # shanghai_kewei_2024.md): the line above carries the agency and 政府信息公开.
            if ("政府信息公开" not in compact and "政府信息公开" in previous
                    and len(previous) <= 40 and not _SENTENCE_PUNCT.search(previous)):
                return f"{lines[i - 1].strip()}{line.strip()}"
            return line.strip()
    return ""


def agency_from_title(title: str) -> str:
    """"郏县白庙乡人民政府 2024 年政府信息公开工作年度 报告" → "郏县白庙乡人民政府"."""
    compact = re.sub(r"\s+", "", title)
    year = _YEAR.search(compact)
    if year and year.start() == 0:  # "2024年XX镇政府信息公开…": the agency follows the year
        compact = compact[year.end():].lstrip("度")
    head = _TITLE_TAIL.sub("", compact)
    head = re.sub(r"(?:19|20)\d{2}年?度?$", "", head)
    return head.strip("《》“”\"'（）() ")


def find_signature(text: str) -> tuple[str, dt.date | None]:
    """The signing agency and date at the end of the report (seed 002: 襄城区欧庙镇人民政府 / 2025年1月17日)."""
    lines = _last_lines(text, 6)
    for i in range(len(lines) - 1, -1, -1):
        date = parse_date_line(lines[i])
        if date is None:
            continue
        agency = ""
        if i > 0:
            candidate = lines[i - 1].replace(" ", "")
            if (len(candidate) <= 40 and not _SENTENCE_PUNCT.search(candidate)
                    and _AGENCY_END.search(candidate)):
                agency = candidate
        return agency, date
    return "", None


def find_top_date(preamble: str) -> dt.date | None:
    """A date line among the first lines, as under shuyang_2025's title: "(2026年1月23日)"."""
    for line in _lines(preamble)[:6]:
        date = parse_date_line(line)
        if date is not None:
            return date
    return None


def choose_agency(from_title: str, from_signature: str) -> str:
    """Prefer the fuller name when one contains the other (襄城区欧庙镇 → 襄城区欧庙镇人民政府).

    A place name with a known look-alike slip is corrected (:func:`correct_place_slip`).
    """
    if from_signature and (not from_title or from_title in from_signature):
        return correct_place_slip(from_signature)
    return correct_place_slip(from_title or from_signature)


@cache
def _confusables() -> tuple[tuple[str, str], ...]:
    table = read_package_csv("confusables.csv")
    return tuple((r.seen, r.meant) for r in table.itertuples())


def correct_place_slip(agency: str) -> str:
    """Undo an OCR or typing slip in the place name of an agency.

    shuyang_2025.txt writes 沐阳县人民政府 throughout; no division is called 沐阳, but 沭阳县 is,
    and 沐/沭 differ by one stroke. A name is changed only when it names no division as written
    and exactly one look-alike substitution from ``data/confusables.csv`` makes it name one.
    """
    if not agency or resolve_region(agency)["adcode"]:
        return agency
    fixes = {
        agency.replace(seen, meant)
        for seen, meant in _confusables()
        if seen in agency
    }
    fixes = {fix for fix in fixes if resolve_region(fix)["adcode"]}
    return fixes.pop() if len(fixes) == 1 else agency


def find_year(title: str, preamble: str) -> int | None:
    """The reporting year: the year in the title, else the statistics period in the preamble."""
    match = _YEAR.search(title.replace(" ", ""))
    if match:
        return int(match.group(1))
    period = re.search(r"自\s*((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日", preamble)
    if period:
        return int(period.group(1))
    match = _YEAR.search(preamble.replace(" ", ""))
    return int(match.group(1)) if match else None


@cache
def _template_markers() -> tuple[tuple[str, str], ...]:
    table = read_package_csv("templates.csv")
    return tuple((r.template, r.marker) for r in table.itertuples())


def detect_template(text: str, grid_text: str, year: int | None) -> str:
    """"2021", "2019", "pre2019" or "unknown", from the labels the report prints (templates.csv).

    A marker printed whole is looked for first; only when none is, the text is read again without
    whitespace, for labels split by spaces or line breaks (so a whole marker wins over a split one).
    """
    for template, marker in _template_markers():
        if marker in grid_text or marker in text:
            return template
    compact = "".join((grid_text + "\n" + text).split())  # str.split: the same whitespace as \s, faster
    for template, marker in _template_markers():
        if marker in compact:
            return template
    if year is not None and year < 2019:
        return "pre2019"
    return "unknown"


@dataclass(frozen=True)
class _Division:
    adcode: str
    name: str
    level: str
    province: str
    city: str
    county: str

    @property
    def rank(self) -> int:
        return _RANK[self.level]


_RANK = {"province": 0, "prefecture": 1, "county": 2}
_SUFFIX = re.compile(r"(特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|自治县|地区|省|市|县|区|盟|旗)$")


@cache
def _divisions() -> tuple[_Division, ...]:
    table = read_package_csv("regions.csv")
    return tuple(_Division(r.adcode, r.name, r.level, r.province, r.city, r.county)
                 for r in table.itertuples())


@cache
def _division_index() -> tuple[dict[str, list[int]], dict[str, list[int]], int]:
    """Division positions by the first character of their full name, and by short name.

    Every report looks up its agency; scanning 3,219 names with ``in`` cost ~2 ms a report, most
    of a text report's parse. Indexed, a lookup tests only the names that can start at each
    character of the agency name.
    """
    by_first: dict[str, list[int]] = {}
    by_short: dict[str, list[int]] = {}
    for i, division in enumerate(_divisions()):
        by_first.setdefault(division.name[0], []).append(i)
        short = _SUFFIX.sub("", division.name)
        if len(short) >= 2:
            by_short.setdefault(short, []).append(i)
    longest_short = max(map(len, by_short))
    return by_first, by_short, longest_short


def _division_hits(agency: str) -> list[_Division]:
    """Divisions whose full name occurs in the agency name, else whose short name starts it.

    In the order of ``regions.csv``, as a scan of the table would give them.
    """
    divisions = _divisions()
    by_first, by_short, longest_short = _division_index()
    found = {i for pos, char in enumerate(agency) for i in by_first.get(char, ())
             if agency.startswith(divisions[i].name, pos)}
    if not found:
        found = {i for n in range(2, min(longest_short, len(agency)) + 1)
                 for i in by_short.get(agency[:n], ())}
    return [divisions[i] for i in sorted(found)]


def resolve_region(agency: str) -> dict[str, str]:
    """Province, city, county and adcode of the places an agency name starts with.

    Full division names are matched anywhere in the name (淮安市洪泽区人民政府); a short name without
    its suffix (平潭 for 平潭县) only at the very start, where place names stand in agency names —
    elsewhere short names hit ordinary words. Names shared by several divisions (朝阳区) are kept
    only when another matched place tells them apart.
    """
    best = _best_division(agency) if agency else None
    if best is None:
        return {"province": "", "city": "", "county": "", "adcode": ""}
    return {"province": best.province, "city": best.city, "county": best.county, "adcode": best.adcode}


@lru_cache(maxsize=4096)
def _best_division(agency: str) -> _Division | None:
    """The most specific consistent division (the last of the highest rank, in table order)."""
    hits = _consistent(_division_hits(agency))
    if not hits:
        return None
    top = max(d.rank for d in hits)
    return [d for d in hits if d.rank == top][-1]


def _consistent(hits: list[_Division]) -> list[_Division]:
    """Keep the divisions that agree with each other; drop names that stay ambiguous."""
    if len(hits) <= 1:
        return hits
    prefixes = [d.adcode[:2] if d.level == "province" else d.adcode[:4]
                for d in hits if d.level != "county"]
    if prefixes:
        narrowed = [d for d in hits if any(d.adcode.startswith(p) for p in prefixes)]
        if narrowed:
            hits = narrowed
    counts = Counter(d.name for d in hits)
    return [d for d in hits if counts[d.name] == 1]


@cache
def _level_rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    table = read_package_csv("levels.csv")
    return tuple((re.compile(r.pattern), r.level) for r in table.itertuples())


def agency_level(agency: str, region: dict[str, str]) -> str:
    """The agency's level from its name (levels.csv); a government takes its place's level."""
    for pattern, level in _level_rules():
        if pattern.search(agency):
            if level != "government":
                return level
            code = region.get("adcode", "")
            if not code:
                return ""
            if code.endswith("0000"):
                return "province"
            return "prefecture" if code.endswith("00") else "county"
    return ""


def first_of(values: Iterable[str]) -> str:
    """The first non-empty string."""
    return next((v for v in values if v), "")
