"""Text → the six sections and the preamble, with offsets (DESIGN.md §2 "split").

Headings are found line by line: a top-level number (一、 二. 三 …) followed by a title that one
of the patterns in ``data/section_titles.csv`` matches in full, or — without a number — the bare
canonical title. Sub-headings such as "（一）主动公开情况" never open a section. Sections must come
in template order; a heading out of order is left to the text of the section it stands in.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache

import pandas as pd

from govdisclosure.codebook import LABEL_LETTERS, LABEL_NOISE, read_package_csv
from govdisclosure.issues import Issue
from govdisclosure.normalize import strip_markup
from govdisclosure.readers.text import is_table_line

SECTION_CODES = ("preamble", "overview", "proactive", "requests", "appeals", "problems", "other")
SECTION_COLUMNS = ["section", "order", "title", "text", "start", "end"]
# One section: code, order (0 for the preamble), printed title, text, start and end offsets.
SectionRow = tuple[str, int, str, str, int, int]
_MAX_HEADING = 60
_TOP_NUMBER = re.compile(r"^(?:第\s*)?[一二三四五六七八九十]{1,2}\s*(?:部分)?\s*[、.．,，:：\s]\s*")
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


@cache
def _heading_start() -> re.Pattern[str]:
    """Leading noise (blanks, Markdown marks, brackets …), then a letter a heading can begin with:
    a numeral or 第 (numbered headings), or the first letter of a bare title (section_titles.csv).
    A line without it cannot classify: a numbered heading's number comes first after the marks,
    a bare title's key is the line's letters."""
    firsts = set("第一二三四五六七八九十") | {bare[0] for _c, _o, _p, bare in _patterns()}
    return re.compile(f"[^{LABEL_LETTERS}\n]*[{''.join(sorted(firsts))}]")


@cache
def _next_line_start() -> re.Pattern[str]:
    """A line break, then :func:`_heading_start`: found in the whole text in one scan that skips
    from line break to line break (a literal first), instead of a regex call per line."""
    return re.compile(f"\n{_heading_start().pattern}")


def _candidate_lines(text: str) -> Iterator[tuple[int, int]]:
    """Start and end of every line :func:`_heading_start` matches, in order."""
    starts = [m.start() + 1 for m in _next_line_start().finditer(text)]
    if _heading_start().match(text):
        starts.insert(0, 0)
    for start in starts:
        end = text.find("\n", start)
        yield start, len(text) if end < 0 else end


# Reports repeat their headings and table lines, and the inline search tries the same prefixes
# in every archive page of a series: classifications are remembered (bounded).
@lru_cache(maxsize=16384)
def classify_heading(line: str) -> str | None:
    """The section code a heading line opens, or None if the line is no top-level heading."""
    text = strip_markup(line)
    if not text or len(text) > _MAX_HEADING:
        return None
    numbered = _TOP_NUMBER.match(text)
    key = LABEL_NOISE.sub("", text[numbered.end():] if numbered else text)
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
    found = _line_headings(text, orders)
    if len(found) < 2:
        found = _inline_headings(text, orders) or found
    return _fill_from_sub_headings(text, found, orders)


def _line_headings(text: str, orders: dict[str, int]) -> list[_Heading]:
    """Headings that are lines of their own, in template order."""
    found: list[_Heading] = []
    last_order = 0
    # Most lines are turned away by their first letter, all at once; each was a memo miss in a
    # report's first pass (the lines of a text are nearly all its own).
    for start, end in _candidate_lines(text):
        line = text[start:end]
        # A paragraph is no heading: turned away by its length before the memo hashes it whole.
        short = len(line) <= _MAX_HEADING or len(strip_markup(line)) <= _MAX_HEADING
        code = classify_heading(line) if short and not is_table_line(line) else None
        if code is not None and orders[code] > last_order:
            found.append(_Heading(code, orders[code], line.strip(), start, end + 1))
            last_order = orders[code]
    return found


# A numbered heading inside a line. In text whose line breaks were lost, a heading can follow
# anything — table digits ("…0三、收到和处理…") or a table label ("…继续办理四、政府信息公开…") —
# except a longer number ("十一、") or 第 ("第一、").
_NUMERALS = frozenset("一二三四五六七八九十")
_NOT_BEFORE_INLINE = _NUMERALS | {"第"}
_INLINE = re.compile(r"([一二三四五六七八九十]{1,2})\s*、\s*")
# A 、 after a numeral or a blank; the literal comes first, so the regex engine skips ahead to it.
_COMMA_AFTER_NUMBER = re.compile(r"、(?<=[一二三四五六七八九十\s]、)")
_INLINE_TAIL = re.compile(r"[^\s。；，,]{2,40}")
_ANY_NUMBER = re.compile(r"[一二三四五六七八九十]、")
_LETTER = re.compile(f"[{LABEL_LETTERS}]")


def _inline_numbers(text: str) -> Iterator[re.Match[str]]:
    r"""Every "N、" that may open a heading inside a line: what ``_INLINE.finditer`` finds, less
    those after another numeral or 第.

    Found from their 、: a scan for the numerals cost ~200 instructions a character of the report
    (a class of ten scattered CJK characters), a scan for a literal 、 ~20, and only the few 、
    after a numeral or a blank are looked at in Python. ``\s`` and ``str.isspace`` are the same
    characters.
    """
    for comma in _COMMA_AFTER_NUMBER.finditer(text):
        numbers_end = comma.start()
        while numbers_end and text[numbers_end - 1].isspace():
            numbers_end -= 1
        start = numbers_end
        while start > numbers_end - 2 and start and text[start - 1] in _NUMERALS:
            start -= 1
        if start < numbers_end and not (start and text[start - 1] in _NOT_BEFORE_INLINE):
            yield _INLINE.match(text, start)  # type: ignore[misc]  # numerals, blanks, 、 from start


def _inline_headings(text: str, orders: dict[str, int]) -> list[_Heading]:
    """Headings that stand inside lines, for text whose line breaks were lost.

    The archive extractions pingtan_20xx.txt put the whole report on one line: "…12月31日。一、总体情况
    2024年，…". Template order applies as for line headings, which keeps a stray "统一、主动公开"
    in a sentence from opening a section once its own section has passed.
    """
    found: list[_Heading] = []
    last_order = 0
    for match in _inline_numbers(text):
        tail_match = _INLINE_TAIL.match(text, match.end())
        title = _inline_title(match.group(1), tail_match.group()) if tail_match else None
        if title is None or orders[title[0]] <= last_order:
            continue
        code, end = title
        title_end = match.end() + end
        found.append(_Heading(code, orders[code], text[match.start():title_end], match.start(), title_end))
        last_order = orders[code]
    return found


# The archive pages of a series print the same headings with the same text after them.
@lru_cache(maxsize=4096)
def _inline_title(number: str, tail: str) -> tuple[str, int] | None:
    """The section a number "N、" opens in running text, and where its title ends in ``tail``.

    The title is the shortest stretch after the number that classifies as a heading and holds no
    other number ("四、结转下年度继续办理0000000四、政府信息公开行政复议…" is a table label, then the
    heading), extended while it still spells the start of the canonical title (主动公开 →
    主动公开政府信息情况).
    """
    # A title never holds another number: prefixes stop short of the first one in the tail.
    number_in_tail = _ANY_NUMBER.search(tail)
    last = len(tail) if number_in_tail is None else number_in_tail.end() - 1
    # A prefix's key is a prefix of the whole stretch's key: when no title pattern matches at
    # the start of that, no prefix can classify (most numbered list items in running text).
    key = LABEL_NOISE.sub("", tail[:last])
    if last < 2 or not _any_pattern().match(key):
        return None
    end = _shortest_title(tail, last, key)
    code = None if end is None else classify_heading(f"{number}、{tail[:end]}")
    if end is None or code is None:
        return None
    bare = next(b for c, _o, _p, b in _patterns() if c == code)
    spelled = LABEL_NOISE.sub("", tail[:end])
    while end < len(tail) and _LETTER.match(tail, end) and bare.startswith(spelled + tail[end]):
        spelled += tail[end]
        end += 1
    return code, end


def _shortest_title(tail: str, last: int, key: str) -> int | None:
    """The shortest prefix ``tail[:end]`` (2 <= end <= last) that reads as a numbered heading.

    A numbered line classifies as soon as some title pattern matches its key in full, and the key
    of ``tail[:end]`` is the first n letters of ``key``, n the letters in ``tail[:end]``: the
    prefixes' keys are matched in place in ``key``, and only the one found is classified. Trying
    each prefix through :func:`classify_heading` cost a memo miss per prefix.
    """
    # Where each letter of the stretch ends; without noise in it, the n-th letter ends at n.
    letter_ends: Sequence[int] = (range(1, last + 1) if len(key) == last
                                  else [m.end() for m in _LETTER.finditer(tail, 0, last)])
    any_title = _any_pattern()
    for n in range(bisect_right(letter_ends, 2), len(letter_ends) + 1):
        if any_title.fullmatch(key, 0, n):
            return max(2, letter_ends[n - 1]) if n else 2
    return None


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
                    pattern.fullmatch(LABEL_NOISE.sub("", body[numbered.end():])):
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
