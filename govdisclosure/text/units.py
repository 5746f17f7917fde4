"""Sentences and enumerated items of report sections, with offsets into the report text.

Both take a ``sections`` DataFrame (``report_id``, ``section``, ``text``, ``start``; e.g.
``gd.read_corpus(...).sections``) and return one row per unit keeping ``report_id``,
``section``, an id, the text and ``start``/``end`` such that ``report.text[start:end]`` is the
unit (up to the length-preserving normalisation of section texts).

Table rows (lines whose cells are separated by tabs or pipes) are left out unless
``tables=True``: they are the report's statistics, not its narrative.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from govdisclosure.readers.text import is_table_line
from govdisclosure.text._data import ItemMarker, item_markers

__all__ = ["items", "sentences"]

# Sentence-final punctuation, and what may close a sentence after it (quotes, brackets).
_TERMINATORS = "。！？!?…"
_CLOSERS = "”’」』）)】》\"'"
_SEMICOLONS = "；;"
# Leading Markdown markup of a line ("## ", "> ", "- ") is not part of a sentence.
_LEADING_MARKUP = re.compile(r"^[#>*\-\s]+")
# What an item body starts and ends with that belongs to the enumeration, not the item.
_LEAD_TRIM = " \t\n\u3000：:，,、.．"
_TAIL_TRIM = " \t\n\u3000；;，,、。.．"
_CJK_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _require(frame: pd.DataFrame, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"the frame lacks column(s) {missing}; it has {list(frame.columns)} "
            "(pass a sections frame such as gd.read_corpus(...).sections)"
        )


def _rows(frame: pd.DataFrame) -> Iterator[tuple[str, str | None, str, int]]:
    """``(report_id, section, text, start)`` per row; start 0 when the frame has none."""
    _require(frame, ("report_id", "text"))
    sections = frame["section"].tolist() if "section" in frame.columns else [None] * len(frame)
    starts = frame["start"].tolist() if "start" in frame.columns else [0] * len(frame)
    for report_id, section, text, start in zip(
        frame["report_id"].tolist(), sections, frame["text"].tolist(), starts, strict=True
    ):
        yield report_id, section, "" if text is None or text != text else text, int(start)


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each line, without its newline."""
    pos = 0
    for line in text.split("\n"):
        yield pos, pos + len(line)
        pos += len(line) + 1


def narrative_blocks(text: str, *, tables: bool, wrapped: bool) -> list[tuple[int, int]]:
    """Spans of ``text`` that sentences may not cross.

    Each line is a block; with ``wrapped=True`` consecutive non-blank lines form one block
    (hard-wrapped PDF text). Table lines are dropped unless ``tables``.
    """
    blocks: list[tuple[int, int]] = []
    open_block: list[int] | None = None
    for start, end in _lines(text):
        line = text[start:end]
        if not line.strip() or (not tables and is_table_line(line)):
            open_block = None
            continue
        if wrapped and open_block is not None:
            open_block[1] = end
            blocks[-1] = (open_block[0], end)
        else:
            open_block = [start, end]
            blocks.append((start, end))
    return blocks


@cache
def _sentence_end(terminators: str) -> re.Pattern[str]:
    """A run of sentence-final marks with any closing quotes or brackets among and after them."""
    marks = re.escape(terminators)
    return re.compile(f"[{marks}][{marks}{re.escape(_CLOSERS)}]*")


def _split_sentences(text: str, start: int, end: int, terminators: str) -> Iterator[tuple[int, int]]:
    pos = start
    for match in _sentence_end(terminators).finditer(text, start, end):
        yield pos, match.end()
        pos = match.end()
    if pos < end:
        yield pos, end


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span past surrounding whitespace and a leading Markdown marker."""
    while start < end and text[start].isspace():
        start += 1
    markup = _LEADING_MARKUP.match(text, start, end)
    if markup:
        start = markup.end()
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentences(
    sections: pd.DataFrame,
    *,
    tables: bool = False,
    wrapped: bool = False,
    semicolons: bool = False,
) -> pd.DataFrame:
    """Split section texts into sentences.

    A sentence ends at 。！？!?… (with any closing quotes or brackets), at a line break, and at
    the end of the section.

    Args:
        sections: Rows with ``report_id``, ``text`` and, optionally, ``section`` and ``start``.
        tables: Keep table rows (tab- or pipe-separated lines) as sentences.
        wrapped: The text is hard-wrapped (PDF or Markdown converted from PDF): a single line
            break does not end a sentence; a blank line does.
        semicolons: Also end sentences at ；/; (the clauses of 一是…；二是…).

    Returns:
        Columns ``report_id``, ``section`` (if given), ``sentence_id`` (0, 1, … within each
        report), ``text``, ``start``, ``end`` (offsets into the report text).

    Example:
        >>> import govdisclosure as gd, govdisclosure.text as gt
        >>> rep = gd.read_report("data/samples/000_dc9580d96d94ba76.txt")
        >>> s = gt.sentences(rep.sections)
        >>> row = s.iloc[8]
        >>> row.text[:16], rep.text[row.start:row.end] == row.text
        ('严格遵循规范的依申请公开工作流程', True)
    """
    terminators = _TERMINATORS + (_SEMICOLONS if semicolons else "")
    out: dict[str, list] = {k: [] for k in ("report_id", "section", "text", "start", "end")}
    for report_id, section, text, base in _rows(sections):
        for block_start, block_end in narrative_blocks(text, tables=tables, wrapped=wrapped):
            for s, e in _split_sentences(text, block_start, block_end, terminators):
                s, e = _trim(text, s, e)
                if s < e and any(ch.isalnum() for ch in text[s:e]):
                    out["report_id"].append(report_id)
                    out["section"].append(section)
                    out["text"].append(text[s:e])
                    out["start"].append(base + s)
                    out["end"].append(base + e)
    frame = _frame(out, "sentence_id", has_section="section" in sections.columns)
    return frame


def _frame(out: dict[str, list], id_column: str, *, has_section: bool) -> pd.DataFrame:
    report_ids = pd.Series(out["report_id"], dtype="str")
    ids = report_ids.groupby(report_ids, sort=False).cumcount().astype("int64")
    columns: dict[str, object] = {"report_id": report_ids}
    if has_section:
        columns["section"] = pd.Series(out["section"], dtype="str")
    columns[id_column] = ids
    for name, values in out.items():
        if name in ("report_id", "section"):
            continue
        if name in ("start", "end"):
            columns[name] = pd.Series(values, dtype="int64")
        else:
            columns[name] = pd.Series(values, dtype=_dtype_of(name))
    return pd.DataFrame(columns)


def _dtype_of(name: str) -> str:
    if name in ("list_id", "parent_id"):
        return "Int64"
    if name in ("level", "ordinal"):
        return "int64"
    return "str"


# -- items --------------------------------------------------------------------------------------


def cjk_number(numeral: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十 → 20, 二十三 → 23 (up to 99)."""
    if "十" not in numeral:
        return _CJK_DIGITS[numeral] if len(numeral) == 1 else -1
    tens, _, ones = numeral.partition("十")
    value = (_CJK_DIGITS.get(tens, -100) if tens else 1) * 10
    if ones:
        value += _CJK_DIGITS.get(ones, -100)
    return value if value > 0 else -1


@dataclass
class _Marker:
    family: str
    ordinal: int | None  # None: "the last one" (最后)
    start: int  # where the marker text starts
    end: int  # where the item body starts
    cut: int  # where the previous item ends: the marker's line start if it opens the line
    text: str
    paragraph: int  # index of the line the marker is on


@dataclass
class _List:
    family: str
    parent: _Marker | None
    markers: list[_Marker] = field(default_factory=list)
    last: int = 0
    closed: bool = False


def _find_markers(text: str, *, tables: bool) -> list[_Marker]:
    found: list[_Marker] = []
    line_starts = [s for s, _e in _lines(text)]
    table_lines = {i for i, (s, e) in enumerate(_lines(text)) if is_table_line(text[s:e])}
    for spec in item_markers():
        for match in spec.pattern.finditer(text):
            marker = _marker(text, match, spec, line_starts)
            if marker is not None and (tables or marker.paragraph not in table_lines):
                found.append(marker)
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    # One marker per position (the longest); overlapping matches (e.g. "一是" inside "（一）是")
    # keep the first.
    kept: list[_Marker] = []
    for marker in found:
        if kept and marker.start < kept[-1].end:
            continue
        kept.append(marker)
    return kept


def _marker(text: str, match: re.Match[str], spec: ItemMarker, line_starts: list[int]) -> _Marker | None:
    start = match.start()
    paragraph = int(np.searchsorted(line_starts, start, side="right")) - 1
    line_start = line_starts[paragraph]
    prefix = text[line_start:start]
    at_line_start = _LEADING_MARKUP.fullmatch(prefix) is not None or prefix == ""
    if spec.placement == "line" and not at_line_start:
        return None
    # A marker follows the start of the text, a line start, whitespace or punctuation: never a
    # letter or character (唯一是, 第（一）项, 附件1.).
    if start > 0 and text[start - 1].isalnum():
        return None
    if spec.numeral == "fixed":
        ordinal = spec.ordinal
    else:
        raw = match.group("num")
        ordinal = int(raw) if spec.numeral == "arabic" else cjk_number(raw)
        if ordinal < 1:
            return None
    return _Marker(
        family=spec.family,
        ordinal=ordinal,
        start=start,
        end=match.end(),
        cut=line_start if at_line_start else start,
        text=match.group(),
        paragraph=paragraph,
    )


def _build_lists(markers: list[_Marker]) -> list[_List]:
    """Group markers into enumerations: consecutive ordinals of one family, nested by a stack."""
    lists: list[_List] = []
    stack: list[_List] = []
    for marker in markers:
        depth = next(
            (
                i
                for i in range(len(stack) - 1, -1, -1)
                if stack[i].family == marker.family and (marker.ordinal is None or marker.ordinal == stack[i].last + 1)
            ),
            None,
        )
        if depth is not None:
            del stack[depth + 1 :]  # the lists opened inside the previous item are over
            current = stack[depth]
            current.markers.append(marker)
            current.last = current.last + 1 if marker.ordinal is None else marker.ordinal
            if marker.ordinal is None:  # 最后 closes its list
                del stack[depth:]
            continue
        if marker.ordinal != 1:
            continue  # 二是 without 一是: not an enumeration we can place
        same = next((i for i, lst in enumerate(stack) if lst.family == marker.family), None)
        if same is not None:
            del stack[same:]  # a new 一是… list replaces the open one of its kind
        parent = stack[-1].markers[-1] if stack else None
        new = _List(family=marker.family, parent=parent, markers=[marker], last=1)
        lists.append(new)
        stack.append(new)
    return lists


def _drop_short(lists: list[_List], min_items: int) -> list[_List]:
    """Drop lists with fewer than ``min_items`` items, re-parenting what was nested in them."""
    dropped = {id(m): lst.parent for lst in lists if len(lst.markers) < min_items for m in lst.markers}
    kept = [lst for lst in lists if len(lst.markers) >= min_items]
    for lst in kept:
        while lst.parent is not None and id(lst.parent) in dropped:
            lst.parent = dropped[id(lst.parent)]
    return kept


def items(sections: pd.DataFrame, *, tables: bool = False, min_items: int = 2) -> pd.DataFrame:
    """Enumerated items: 一是…二是…, （一）…（二）…, 1. / 1、, 一、, 第一，…, 首先/其次/最后.

    Markers are package data (``data/text/item_markers.csv``). Markers of one family with
    consecutive ordinals form a list; a list opened inside an item is nested in it (the
    一是…三是 under "(一) 存在问题"). An item runs to the next item of its list; the last item
    runs to the end of its paragraph when the whole list is one paragraph (一是…；二是…；三是…。),
    else to the next marker outside it or the end of its parent item or section.

    Args:
        sections: Rows with ``report_id``, ``text`` and, optionally, ``section`` and ``start``.
        tables: Also look for markers in table rows.
        min_items: Lists with fewer items are not enumerations (a lone "1." or "一是").

    Returns:
        Columns ``report_id``, ``section`` (if given), ``item_id`` (0, 1, … within each report),
        ``list_id`` (items of one enumeration share it), ``parent_id`` (the enclosing item's
        ``item_id``, or <NA>), ``level`` (1 = top), ``family`` (the marker row's family),
        ``ordinal``, ``marker`` (as printed), ``text`` (the item without its marker and trailing
        separator), ``start``, ``end`` (offsets of ``text`` in the report text).

    Example:
        >>> import govdisclosure as gd, govdisclosure.text as gt
        >>> rep = gd.read_report("data/samples/002_090d11a260a4ff7f.txt")
        >>> found = gt.items(rep.sections[rep.sections.section == "problems"])
        >>> found.text.tolist()[:3]
        ['政府信息管理机制落实不到位', '政策解读质量有待提升', '基层政务公开标准化规范化工作有待进一步深化细化']
    """
    if min_items < 1:
        raise ValueError(f"min_items must be at least 1, not {min_items}")
    names = (
        "report_id",
        "section",
        "list_id",
        "parent_id",
        "level",
        "family",
        "ordinal",
        "marker",
        "text",
        "start",
        "end",
    )
    out: dict[str, list] = {k: [] for k in names}
    list_counter: dict[str, int] = {}
    item_counter: dict[str, int] = {}
    for report_id, section, text, base in _rows(sections):
        markers = _find_markers(text, tables=tables)
        lists = _drop_short(_build_lists(markers), min_items)
        if not lists:
            continue
        spans = _item_spans(text, lists)
        # Items in text order get their ids; a parent's id is known before its children's.
        ordered = sorted(((m, lst) for lst in lists for m in lst.markers), key=lambda pair: pair[0].start)
        ids: dict[int, int] = {}
        list_ids: dict[int, int] = {}
        levels: dict[int, int] = {}
        for marker, lst in ordered:
            ids[id(marker)] = item_counter.get(report_id, 0)
            item_counter[report_id] = ids[id(marker)] + 1
            if id(lst) not in list_ids:
                list_ids[id(lst)] = list_counter.get(report_id, 0)
                list_counter[report_id] = list_ids[id(lst)] + 1
                levels[id(lst)] = 1 if lst.parent is None else levels[id(_owner(lists, lst.parent))] + 1
            start, end = spans[id(marker)]
            out["report_id"].append(report_id)
            out["section"].append(section)
            out["list_id"].append(list_ids[id(lst)])
            out["parent_id"].append(None if lst.parent is None else ids[id(lst.parent)])
            out["level"].append(levels[id(lst)])
            out["family"].append(lst.family)
            out["ordinal"].append(lst.markers.index(marker) + 1)
            out["marker"].append(marker.text)
            out["text"].append(text[start:end])
            out["start"].append(base + start)
            out["end"].append(base + end)
    frame = _frame(out, "item_id", has_section="section" in sections.columns)
    order = ["report_id", "section", "item_id", *names[2:]]
    return frame[[c for c in order if c in frame.columns]]


def _owner(lists: list[_List], marker: _Marker) -> _List:
    return next(lst for lst in lists if any(m is marker for m in lst.markers))


def _item_spans(text: str, lists: list[_List]) -> dict[int, tuple[int, int]]:
    """``id(marker) → (start, end)`` of each item's body, parents before children."""
    spans: dict[int, tuple[int, int]] = {}
    all_markers = sorted((m for lst in lists for m in lst.markers), key=lambda m: m.start)
    for lst in lists:  # creation order: a parent list is created before its children
        limit = len(text) if lst.parent is None else spans[id(lst.parent)][1]
        own = {id(m) for m in lst.markers}
        for k, marker in enumerate(lst.markers):
            if k + 1 < len(lst.markers):
                end = lst.markers[k + 1].cut
            else:
                # The last item: up to the next marker that is not nested inside it …
                descendants = _descendants(lists, marker)
                end = next(
                    (
                        m.cut
                        for m in all_markers
                        if m.start > marker.start and id(m) not in own and id(m) not in descendants
                    ),
                    len(text),
                )
                # … and, when the whole list is one paragraph, no further than its end.
                if all(m.paragraph == marker.paragraph for m in lst.markers):
                    newline = text.find("\n", marker.end)
                    if newline != -1:
                        end = min(end, newline)
            end = min(end, limit)
            start = marker.end
            while start < end and text[start] in _LEAD_TRIM:
                start += 1
            while end > start and text[end - 1] in _TAIL_TRIM:
                end -= 1
            spans[id(marker)] = (start, end)
    return spans


def _descendants(lists: list[_List], marker: _Marker) -> set[int]:
    found: set[int] = set()
    parents = {id(marker)}
    changed = True
    while changed:
        changed = False
        for lst in lists:
            if lst.parent is not None and id(lst.parent) in parents:
                for m in lst.markers:
                    if id(m) not in parents:
                        parents.add(id(m))
                        found.add(id(m))
                        changed = True
    return found
