"""Text → the six sections and the preamble, with offsets (DESIGN.md §2 "split").

Headings are found line by line: a top-level number (一、 二. 三 …) followed by a title that one
of the patterns in ``data/section_titles.csv`` matches in full, or — without a number — the bare
canonical title. Sub-headings such as "（一）主动公开情况" never open a section. Sections must come
in template order; a heading out of order is left to the text of the section it stands in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache, lru_cache

import pandas as pd

from govdisclosure.codebook import read_package_csv
from govdisclosure.issues import Issue
from govdisclosure.normalize import strip_markup
from govdisclosure.readers.text import is_table_line

SECTION_CODES = ("preamble", "overview", "proactive", "requests", "appeals", "problems", "other")
SECTION_COLUMNS = ["section", "order", "title", "text", "start", "end"]
# One section: code, order (0 for the preamble), printed title, text, start and end offsets.
SectionRow = tuple[str, int, str, str, int, int]
_MAX_HEADING = 60
_TOP_NUMBER = re.compile(r"^(?:第\s*)?[一二三四五六七八九十]{1,2}\s*(?:部分)?\s*[、.．,，:：\s]\s*")
_NOISE = re.compile(r"[^0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff]+")
# A sub-heading "（一）主要问题" / "(一) 存在问题": it may stand in for a missing top-level heading.
_SUB_NUMBER = re.compile(r"^[（(]\s*[一二三四五六七八九十]{1,2}\s*[)）]\s*")


@dataclass(frozen=True)
class _Heading:
    code: str
    order: int
    title: str
    start: int  # heading line start
    body: int  # first character after the heading line


@cache
def _patterns() -> tuple[tuple[str, int, re.Pattern[str], str], ...]:
    table = read_package_csv("section_titles.csv")
    return tuple(
        (r.code, int(r.order), re.compile(r.pattern), r.bare) for r in table.itertuples()
    )


@cache
def _any_pattern() -> re.Pattern[str]:
    """Every section's title pattern in one alternation: one regex call turns away most lines."""
    return re.compile("|".join(f"(?:{pattern.pattern})" for _c, _o, pattern, _b in _patterns()))


@cache
def _sub_patterns() -> dict[str, re.Pattern[str]]:
    """Sub-heading titles that may open a section whose own heading is missing (``sub_pattern``)."""
    table = read_package_csv("section_titles.csv")
    if "sub_pattern" not in table.columns:
        return {}
    return {r.code: re.compile(r.sub_pattern) for r in table.itertuples() if r.sub_pattern}


# Reports repeat their headings and table lines, and the inline search tries the same prefixes
# in every archive page of a series: classifications are remembered (bounded).
@lru_cache(maxsize=16384)
def classify_heading(line: str) -> str | None:
    """The section code a heading line opens, or None if the line is no top-level heading."""
    text = strip_markup(line)
    if not text or len(text) > _MAX_HEADING:
        return None
    numbered = _TOP_NUMBER.match(text)
    key = _NOISE.sub("", text[numbered.end():] if numbered else text)
    if numbered and not _any_pattern().fullmatch(key):
        return None
    for code, _order, pattern, bare in _patterns():
        if numbered and pattern.fullmatch(key):
            return code
        if not numbered and key == bare:
            return code
    return None


def find_headings(text: str) -> list[_Heading]:
    """Section headings in template order (the first acceptable one for each section)."""
    orders = {code: order for code, order, _p, _b in _patterns()}
    found: list[_Heading] = []
    offset = 0
    last_order = 0
    for line in text.split("\n"):
        # A paragraph is no heading: turned away by its length before the memo hashes it whole.
        short = len(line) <= _MAX_HEADING or len(strip_markup(line)) <= _MAX_HEADING
        code = None if not short or is_table_line(line) else classify_heading(line)
        if code is not None and orders[code] > last_order:
            found.append(_Heading(code, orders[code], line.strip(), offset, offset + len(line) + 1))
            last_order = orders[code]
        offset += len(line) + 1
    if len(found) < 2:
        found = _inline_headings(text, orders) or found
    return _fill_from_sub_headings(text, found, orders)


# A numbered heading inside a line. In text whose line breaks were lost, a heading can follow
# anything — table digits ("…0三、收到和处理…") or a table label ("…继续办理四、政府信息公开…") —
# except a longer number ("十一、") or 第 ("第一、").
_INLINE = re.compile(r"(?<![一二三四五六七八九十第])([一二三四五六七八九十]{1,2})\s*、\s*")
_INLINE_TAIL = re.compile(r"[^\s。；，,]{2,40}")
_ANY_NUMBER = re.compile(r"[一二三四五六七八九十]、")


def _inline_headings(text: str, orders: dict[str, int]) -> list[_Heading]:
    """Headings that stand inside lines, for text whose line breaks were lost.

    The archive extractions pingtan_20xx.txt put the whole report on one line: "…12月31日。一、总体情况
    2024年，…". The title is the shortest stretch after the number that classifies as a heading and
    holds no other number ("四、结转下年度继续办理0000000四、政府信息公开行政复议…" is a table label, then
    the heading), extended while it still spells the start of the canonical title (主动公开 →
    主动公开政府信息情况); template order applies as for line headings, which keeps a stray
    "统一、主动公开" in a sentence from opening a section once its own section has passed.
    """
    bare = {code: b for code, _o, _p, b in _patterns()}
    found: list[_Heading] = []
    last_order = 0
    for match in _INLINE.finditer(text):
        tail_match = _INLINE_TAIL.match(text, match.end())
        if tail_match is None:
            continue
        tail = tail_match.group()
        # A title never holds another number: prefixes stop short of the first one in the tail.
        number = _ANY_NUMBER.search(tail)
        last = len(tail) if number is None else number.end() - 1
        # A prefix's key is a prefix of the whole stretch's key: when no title pattern matches at
        # the start of that, no prefix can classify (most numbered list items in running text).
        if not _any_pattern().match(_NOISE.sub("", tail[:last])):
            continue
        code, end = None, 0
        for end in range(2, last + 1):
            code = classify_heading(f"{match.group(1)}、{tail[:end]}")
            if code is not None:
                break
        if code is None or orders[code] <= last_order:
            continue
        while end < len(tail):
            longer = _NOISE.sub("", tail[: end + 1])
            if len(longer) == len(_NOISE.sub("", tail[:end])) or not bare[code].startswith(longer):
                break
            end += 1
        title_end = match.end() + end
        found.append(_Heading(code, orders[code], text[match.start():title_end], match.start(), title_end))
        last_order = orders[code]
    return found


def _fill_from_sub_headings(text: str, found: list[_Heading], orders: dict[str, int]) -> list[_Heading]:
    """Open a section whose heading is missing at its first sub-heading, where the data allow it.

    shanghai_kewei_2024.md drops the heading "存在的主要问题及改进情况" and keeps only
    "（一）主要问题" / "（二）改进情况" between the appeals table and "五、其他需要报告的事项". Only
    sections with a ``sub_pattern`` in section_titles.csv are looked for this way, and only
    between the sections found before and after them; the section then starts at (and includes)
    the sub-heading.
    """
    have = {h.code for h in found}
    for code, pattern in _sub_patterns().items():
        if code in have:
            continue
        before = [h for h in found if h.order < orders[code]]
        after = [h for h in found if h.order > orders[code]]
        lo = before[-1].body if before else 0
        hi = after[0].start if after else len(text)
        offset = lo
        for line in text[lo:hi].split("\n"):
            body = strip_markup(line)
            numbered = _SUB_NUMBER.match(body)
            if numbered and len(body) <= _MAX_HEADING and not is_table_line(line) and \
                    pattern.fullmatch(_NOISE.sub("", body[numbered.end():])):
                found = sorted([*found, _Heading(code, orders[code], line.strip(), offset, offset)],
                               key=lambda h: h.start)
                break
            offset += len(line) + 1
    return found


def split_sections(
    text: str, normalized: str, *, report_id: str = "", expect_all: bool = True
) -> tuple[pd.DataFrame, list[Issue]]:
    """Split a report into its preamble and six sections.

    Args:
        text: The report text (titles are taken from it as printed).
        normalized: ``normalize_chars(text)``, same length; headings are matched and section
            texts are taken from it.
        report_id: Written into the issue rows.
        expect_all: Report a missing section as a ``warning`` (True) or as ``info`` (False, for
            reports that predate the fixed format).

    Returns:
        The sections frame (without ``report_id``) and one issue per missing section.
    """
    rows, issues = section_rows(text, normalized, report_id=report_id, expect_all=expect_all)
    return pd.DataFrame(rows, columns=SECTION_COLUMNS), issues


def section_rows(
    text: str, normalized: str, *, report_id: str = "", expect_all: bool = True
) -> tuple[list[SectionRow], list[Issue]]:
    """:func:`split_sections` as rows in ``SECTION_COLUMNS`` order, before any DataFrame.

    The arguments are those of :func:`split_sections`. The corpus engine keeps the rows: a
    DataFrame per report cost more than finding the sections.

    Returns:
        One row per section, preamble first, and one issue per missing section.
    """
    headings = find_headings(normalized)
    rows = []
    first = headings[0].start if headings else len(text)
    rows.append(("preamble", 0, "", normalized[:first], 0, first))
    for i, head in enumerate(headings):
        end = headings[i + 1].start if i + 1 < len(headings) else len(text)
        body = min(head.body, end)
        rows.append((head.code, head.order, text[head.start:head.body].strip(),
                     normalized[body:end], body, end))
    found = {h.code for h in headings}
    issues = [
        Issue(report_id=report_id, check="section_heading_missing", severity="info",
              message=f"未见第{'一二三四五六'[h.order - 1]}部分的标题，该部分从小标题“{h.title}”开始",
              row=h.code)
        for h in headings if h.start == h.body
    ]
    issues += [
        Issue(report_id=report_id, check="missing_section", severity="warning",
              message=f"未找到第{'一二三四五六'[order - 1]}部分“{bare}”的标题",
              row=code)
        for code, order, _pattern, bare in _patterns()
        if code not in found
    ]
    return rows, issues if expect_all else sections_optional(issues)


def sections_optional(issues: list[Issue]) -> list[Issue]:
    """Section issues as for a report without a fixed outline (``expect_all=False``): a missing
    section is only noted (``info``). Lets a caller that learns the template after splitting
    keep the sections it found instead of splitting again."""
    return [replace(issue, severity="info") if issue.check == "missing_section" else issue
            for issue in issues]
