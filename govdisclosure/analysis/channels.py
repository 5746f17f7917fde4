"""Publishing channels: which media carry government information, and how much.

:func:`channels` finds every mention of a channel in the narrative of the reports — government
websites and disclosure columns, 政务新媒体 (微信公众号, 视频号, 微博, 抖音, apps), higher-level
platforms (学习强国, 平顶山微报), newspapers, broadcasting, offline places (公开栏, 政务服务中心,
查阅点, 档案馆, 图书馆, 新闻发布会, 政府公报) and hotlines — with the quantity the report attaches to
it ("视频号全年共制作发表视频 54 个" → 54 个). :func:`channel_matrix` turns mentions into a
report × channel table.

The vocabulary is ``data/analysis/channels.csv`` (code, category, surface forms); channel names
that are not in it but have the form of one ("云上郟县 app", “××发布”) come from
``channel_patterns.csv`` and are kept with ``known=False``; the quantity grammar is
``quantities.csv``.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, replace
from functools import cache
from typing import Literal

import numpy as np
import pandas as pd

from govdisclosure.analysis._data import (
    channel_labels,
    channel_patterns,
    channel_words,
    quantity_settings,
    setting,
)
from govdisclosure.analysis._text import Compact, compact_blocks

__all__ = ["MENTION_COLUMNS", "channel_matrix", "channels"]

MENTION_COLUMNS = [
    "report_id", "section", "channel", "category", "label_zh", "surface", "name", "known",
    "start", "end", "count", "unit", "measure", "approximate",
]
# Qualifiers that make a count approximate: 超 184 条, 近 1000 条, 7700余条.
_APPROX = {"超", "超过", "近", "约", "逾", "余", "多"}


@dataclass(frozen=True)
class _Mention:
    start: int  # compact offsets
    end: int
    code: str
    generic: bool
    known: bool
    name: str = ""
    count: float = float("nan")
    unit: str = ""
    measure: str = ""
    approximate: bool = False


@cache
def _vocabulary() -> tuple[re.Pattern[str], dict[str, tuple[str, bool]]]:
    """One alternation over all surface forms (longest first) and ``surface → (code, generic)``."""
    parts = []
    for word in channel_words():
        piece = re.escape(word.surface)
        # ASCII forms must not match inside longer words or numbers: app in "application",
        # 12345 in a phone number.
        if word.surface.isascii():
            piece = rf"(?<![A-Za-z0-9]){piece}(?![A-Za-z0-9])"
        parts.append(piece)
    lookup = {w.surface: (w.code, w.generic) for w in channel_words()}
    return re.compile("|".join(parts)), lookup


@cache
def _name_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    return re.compile(setting("name_before_channel")), re.compile(setting("name_strip"))


def _find(block: Compact) -> list[_Mention]:
    text = block.text
    pattern, lookup = _vocabulary()
    name_before, name_strip = _name_patterns()
    mentions: list[_Mention] = []
    for m in pattern.finditer(text):
        code, generic = lookup[m.group()]
        start, name = m.start(), ""
        quoted = name_before.search(text, max(0, start - 20), start)
        if quoted:  # “平潭发布”公众号: the quoted name belongs to the mention
            start, name = quoted.start(), quoted.group("name")
        mentions.append(_Mention(start, m.end(), code, generic, True, name))
    for spec in channel_patterns():
        for m in spec.pattern.finditer(text):
            inside = [k for k, x in enumerate(mentions) if x.start < m.end() and m.start() < x.end]
            name_start, name_end = m.span("name")
            # A vocabulary word inside the name part only (上级新媒体 in 上级新媒体宁德微报) is
            # not the name: the name starts after it.
            if inside and all(mentions[k].end <= name_end for k in inside):
                name_start = max(mentions[k].end for k in inside)
                inside = []
            if not inside:
                name = name_strip.sub("", text[name_start:name_end])
                if len(name) >= 2:
                    start = m.start() if name_start == m.start("name") else name_start
                    mentions.append(_Mention(start, m.end(), spec.code, False, False, name))
                continue
            # A form around a vocabulary word of its own kind names it (云上郟县 + app); a form
            # around another channel (《平潭时报》, 平顶山微报) leaves the vocabulary to speak.
            if len(inside) == 1:
                k = inside[0]
                x = mentions[k]
                if x.code == spec.code and not x.name and x.start >= m.start("name") + len(m.group("name")):
                    name = name_strip.sub("", m.group("name"))
                    if len(name) >= 2:
                        mentions[k] = replace(x, start=m.start(), end=max(x.end, m.end()), known=False, name=name)
    mentions.sort(key=lambda x: x.start)
    return _merge_appositions(mentions)


def _merge_appositions(mentions: list[_Mention]) -> list[_Mention]:
    """A generic right before a named channel is one mention of it: 上级新媒体平顶山微报 (000)."""
    out: list[_Mention] = []
    for x in mentions:
        if out and out[-1].generic and out[-1].end == x.start and not x.generic:
            x = replace(x, start=out[-1].start)
            out[-1] = x
            continue
        out.append(x)
    return out


def _attach_quantities(block: Compact, mentions: list[_Mention]) -> list[_Mention]:
    """Attach the first number + unit that follows each mention within its clause."""
    q = quantity_settings()
    text = block.text
    out = []
    for k, x in enumerate(mentions):
        limit = min(len(text), x.end + q.max_gap)
        if k + 1 < len(mentions):
            limit = min(limit, mentions[k + 1].start)
        stop = q.stop.search(text, x.end, limit)
        if stop:
            limit = stop.start()
        number = q.number.search(text, x.end, limit)
        if number is None:
            out.append(x)
            continue
        value = float(number.group("num")) * (10000 if number.group("wan") else 1)
        quals = {number.group("qual_pre") or "", number.group("qual_post") or ""}
        # What is counted, without the brackets closing the channel's name (《淮安市人民政府公报》6 期).
        measure = text[x.end:number.start()].strip().lstrip("》」』”’）)")
        out.append(replace(
            x, count=value, unit=number.group("unit"), measure=measure,
            approximate=bool(quals & _APPROX),
        ))
    return out


def channels(
    sections: pd.DataFrame,
    *,
    include: Collection[str] | None = None,
    wrapped: bool | None = None,
) -> pd.DataFrame:
    """Find every mention of a publishing channel, with any quantity attached to it.

    Args:
        sections: A sections frame (``report_id``, ``section``, ``text``, ``start``), e.g.
            ``gd.read_corpus(...).sections``. Table rows inside section texts are skipped.
        include: Section codes to search; default all.
        wrapped: Whether section texts are hard-wrapped (PDF text); default: decided per
            section from its line endings.

    Returns:
        One row per mention, in text order: ``report_id``, ``section``, ``channel`` (code of
        ``channels.csv``, or of ``channel_patterns.csv`` for a form found by pattern),
        ``category``, ``label_zh``, ``surface`` (as printed, from the report text),
        ``name`` (an account, app or site name when printed: “平潭发布”, 云上郟县),
        ``known`` (False for forms found by pattern), ``start``/``end`` (offsets into the
        report text), ``count`` (float, NaN when no quantity), ``unit`` (个, 篇, 条 …),
        ``measure`` (the words between the channel and its number: "全年共制作发表视频"),
        ``approximate`` (the count carried 余/超/近/约).

    Example:
        >>> import govdisclosure as gd
        >>> from govdisclosure.analysis import channels
        >>> rep = gd.read_report("data/samples/000_dc9580d96d94ba76.txt")
        >>> m = channels(rep.sections)
        >>> row = m[m.channel == "pingdingshan_daily"].iloc[0]
        >>> float(row["count"]), row["unit"], row["measure"]
        (27.0, '篇', '发表')
    """
    missing = [c for c in ("report_id", "text") if c not in sections.columns]
    if missing:
        raise ValueError(f"channels() needs a sections frame; it lacks {missing} (has {list(sections.columns)})")
    frame = sections if include is None else sections[sections["section"].isin(list(include))]
    labels = channel_labels()
    rows: dict[str, list] = {c: [] for c in MENTION_COLUMNS}
    has_section = "section" in frame.columns
    starts = frame["start"].tolist() if "start" in frame.columns else [0] * len(frame)
    section_codes = frame["section"].tolist() if has_section else [""] * len(frame)
    for report_id, section, text, base in zip(frame["report_id"].tolist(), section_codes,
                                              frame["text"].tolist(), starts, strict=True):
        if not isinstance(text, str) or not text:
            continue
        for block in compact_blocks(text, wrapped=wrapped):
            for x in _attach_quantities(block, _find(block)):
                s, e = block.span(x.start, x.end)
                category, label = labels[x.code]
                rows["report_id"].append(report_id)
                rows["section"].append(section)
                rows["channel"].append(x.code)
                rows["category"].append(category)
                rows["label_zh"].append(label)
                rows["surface"].append(text[s:e])
                rows["name"].append(x.name)
                rows["known"].append(x.known)
                rows["start"].append(int(base) + s)
                rows["end"].append(int(base) + e)
                rows["count"].append(x.count)
                rows["unit"].append(x.unit)
                rows["measure"].append(x.measure)
                rows["approximate"].append(x.approximate)
    out = pd.DataFrame(rows)
    dtypes = {"report_id": "str", "section": "str", "channel": "str", "category": "str",
              "label_zh": "str", "surface": "str", "name": "str", "known": "bool",
              "start": "int64", "end": "int64", "count": "float64", "unit": "str",
              "measure": "str", "approximate": "bool"}
    return out.astype(dtypes)


def channel_matrix(
    mentions: pd.DataFrame,
    *,
    by: Literal["channel", "category"] = "channel",
    values: Literal["mentions", "present", "count"] = "mentions",
) -> pd.DataFrame:
    """Report × channel table of :func:`channels` output.

    Args:
        mentions: The frame :func:`channels` returns (or a filtered part of it).
        by: Columns per channel code or per category.
        values: ``"mentions"`` (how often the report names the channel), ``"present"``
            (1/0), or ``"count"`` (sum of the quantities attached; columns are then
            ``(channel, unit)`` pairs, because 54 个 and 27 篇 do not add up).

    Returns:
        A DataFrame indexed by ``report_id``, one column per channel (sorted), zeros where a
        report does not mention a channel; for ``"count"``, NaN where it gives no quantity.
    """
    if by not in ("channel", "category"):
        raise ValueError(f"by must be 'channel' or 'category', not {by!r}")
    if values == "count":
        with_count = mentions[mentions["count"].notna()]
        table = with_count.pivot_table(index="report_id", columns=[by, "unit"], values="count",
                                       aggfunc="sum")
        return table.reindex(sorted(mentions["report_id"].unique())).sort_index(axis=1)
    if values not in ("mentions", "present"):
        raise ValueError(f"values must be 'mentions', 'present' or 'count', not {values!r}")
    table = pd.crosstab(mentions["report_id"], mentions[by])
    if values == "present":
        table = (table > 0).astype(np.int64)
    table.columns.name = by
    return table.sort_index(axis=1)
