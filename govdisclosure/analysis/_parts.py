"""Section five cut into its problem part and its improvement part, and each part into items.

Section five (存在的主要问题及改进情况) is written in many ways; the ones of the development
corpus, and the rule each forced (all patterns are rows of ``data/analysis/parts.csv``):

- sub-headings "(一) 存在问题" / "(二) 改进情况" (seed 000, shanghai_kewei_2024, pingtan_2021);
- one paragraph of problems, then one of plans opened by "2025年，…将" (seed 002, Pingtan),
  "针对存在问题，下一步" (hongze_2023, huaian_2024) or "下一步" (pingtan_2018);
- problems enumerated (一是…；二是…), listed inline ("如A、B、C等", "存在A、B、C等问题"),
  written as plain sentences (pingtan_2021, shanghai), or numbered wrongly (pingtan_2023:
  一是…三是…三是);
- section five inside a text that lost its line breaks (the archive's pingtan_20xx.txt), where no
  heading line exists: it is found inline between "五、…主要问题及改进情况" and "六、…".

Items are found by the first strategy that yields two or more: the text layer's enumerations
(:func:`govdisclosure.text.items`), loose 一是/二是 markers, an inline list (problems only), and
finally the part's sentences and ；-clauses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Literal

import pandas as pd

from govdisclosure.analysis._data import part_patterns
from govdisclosure.analysis._text import is_wrapped, squeeze
from govdisclosure.text import items as text_items
from govdisclosure.text import sentences as text_sentences

Part = Literal["problems", "improvements"]
Method = Literal["enumeration", "markers", "inline_list", "sentences"]

_TRIM_LEAD = " \t\n\u3000：:，,、.．"
_TRIM_TAIL = " \t\n\u3000；;，,、。.．"
_SENTENCE_START = re.compile(r"[。！？!?\n]")
_MIN_ITEM_CHARS = 4


@dataclass(frozen=True)
class SectionFive:
    """The text of one report's section five and where it starts in the report text."""

    report_id: str
    text: str
    base: int
    inline: bool  # found inside another section's text (no heading line)


@dataclass(frozen=True)
class Item:
    """One problem or improvement item: offsets are into the report text."""

    report_id: str
    part: Part
    text: str
    start: int
    end: int
    method: Method
    marker: str


@dataclass(frozen=True)
class Parts:
    """Local spans of section five: problems and improvements (``None`` when absent)."""

    problems: tuple[int, int] | None
    improvements: tuple[int, int] | None


def _first(role: str, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
    end = len(text) if endpos is None else endpos
    found = [m for p in part_patterns().get(role, ()) if (m := p.search(text, pos, end))]
    return min(found, key=lambda m: m.start()) if found else None


def section_five(sections: pd.DataFrame) -> Iterator[SectionFive]:
    """Section five of every report of a sections frame, in report order.

    A report with a ``problems`` section gives its text, cut where a "六、" heading line opens
    (pingtan_2018's pre-2019 statistics table is read into section five). A report without one
    is searched for an inline "五、…主要问题及改进情况" in its other section texts; a report with
    neither gives nothing.
    """
    missing = [c for c in ("report_id", "section", "text") if c not in sections.columns]
    if missing:
        raise ValueError(f"a sections frame is needed; it lacks {missing} (has {list(sections.columns)})")
    starts = sections["start"].tolist() if "start" in sections.columns else [0] * len(sections)
    rows_of: dict[str, list[tuple[str, object, int]]] = {}
    for rid, code, text, base in zip(sections["report_id"].tolist(), sections["section"].tolist(),
                                     sections["text"].tolist(), starts, strict=True):
        rows_of.setdefault(str(rid), []).append((str(code), text, int(base)))
    for report_id, rows in rows_of.items():
        own = [(text, base) for code, text, base in rows if code == "problems" and isinstance(text, str)]
        if own:
            text, base = own[0]
            # A "六、" heading inside section five ends it: on its own line (pingtan_2018.html) or
            # run into the text (pingtan_2018.txt).
            ends = [m.start() for role in ("section_end", "inline_end") if (m := _first(role, text, 1))]
            yield SectionFive(report_id, text[: min(ends)] if ends else text, base, False)
            continue
        for _code, text, base in rows:
            if not isinstance(text, str):
                continue
            start = _first("inline_start", text)
            if start is None:
                continue
            end = _first("inline_end", text, start.end())
            body = text[start.end(): end.start() if end else len(text)]
            yield SectionFive(report_id, body, base + start.end(), True)
            break


def split_parts(text: str) -> Parts:
    """Where the problem part and the improvement part of a section-five text are."""
    heading = _first("problems_heading", text)
    p_start = heading.end() if heading else 0
    improvements = _first("improvements_heading", text, p_start)
    if improvements is not None:
        return Parts((p_start, improvements.start()), (improvements.end(), len(text)))
    marker = _first("improvements_start", text, p_start)
    if marker is None:
        return Parts((p_start, len(text)), None)
    # The improvement part opens with the sentence that holds the marker.
    cut = max((m.end() for m in _SENTENCE_START.finditer(text, p_start, marker.start())), default=p_start)
    return Parts((p_start, cut), (cut, len(text)))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _TRIM_LEAD:
        start += 1
    while end > start and text[end - 1] in _TRIM_TAIL:
        end -= 1
    return start, end


def _cut_last(text: str, start: int, end: int) -> int:
    """The last item of a list ends with its paragraph (``item_end``), not at the part's end."""
    m = _first("item_end", text, start, end)
    return m.end() if m else end


def _by_enumeration(text: str, found: pd.DataFrame | None) -> list[tuple[int, int, str]]:
    """The first top-level list the text layer found in the part (``found``: its items rows)."""
    if found is None or found.empty:
        return []
    top = found[found["level"] == found["level"].min()]
    first_list = top[top["list_id"] == top["list_id"].iloc[0]]
    out = []
    rows = list(zip(first_list["start"].tolist(), first_list["end"].tolist(), first_list["marker"].tolist(),
                    strict=True))
    for k, (start, end, marker) in enumerate(rows):
        if k == len(rows) - 1:
            end = _cut_last(text, start, end)
        start, end = _trim(text, start, end)
        out.append((start, end, str(marker)))
    return out


def _by_loose_markers(text: str, span: tuple[int, int]) -> list[tuple[int, int, str]]:
    markers = [m for p in part_patterns()["loose_marker"] for m in p.finditer(text, span[0], span[1])]
    markers.sort(key=lambda m: m.start())
    if len(markers) < 2:
        return []
    out = []
    for k, m in enumerate(markers):
        end = markers[k + 1].start() if k + 1 < len(markers) else _cut_last(text, m.end(), span[1])
        start, end = _trim(text, m.end(), end)
        out.append((start, end, m.group()))
    return out


@cache
def _problem_cue() -> re.Pattern[str]:
    return re.compile("|".join(p.pattern for p in part_patterns()["problem_cue"]))


def _by_inline_list(text: str, span: tuple[int, int]) -> list[tuple[int, int, str]]:
    cue = _problem_cue()
    for pattern in part_patterns()["inline_list"]:
        for m in pattern.finditer(text, span[0], span[1]):
            start, end = m.span("list")
            body = text[start:end]
            for separators in ("；;", "、"):
                pieces = _pieces(body, separators)
                if len(pieces) < 2:
                    continue
                if separators == "、" and not all(cue.search(body[s:e]) for s, e in pieces):
                    continue  # 智能化、数字化手段运用还不够充分 is one problem
                out = []
                for s, e in pieces:
                    s, e = _trim(text, start + s, start + e)
                    if text[e - 1: e] == "等":
                        e -= 1
                    out.append((s, e, ""))
                return out
    return []


def _pieces(body: str, separators: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for i, ch in enumerate(body):
        if ch in separators:
            out.append((pos, i))
            pos = i + 1
    out.append((pos, len(body)))
    return [(s, e) for s, e in out if body[s:e].strip()]


def _is_intro(sentence: str) -> bool:
    if sentence.rstrip().endswith(("：", ":")):
        return True
    return any(p.search(sentence) for p in part_patterns().get("intro_sentence", ()))


def _by_sentences(text: str, found: pd.DataFrame | None) -> list[tuple[int, int, str]]:
    """The part's sentences and ；-clauses (``found``: its sentence rows), introductions left out."""
    out: list[tuple[int, int, str]] = []
    if found is None:
        return out
    for start, end in zip(found["start"].tolist(), found["end"].tolist(), strict=True):
        if _is_intro(text[start:end]):
            continue
        for prefix in part_patterns().get("intro_prefix", ()):
            m = prefix.match(text, start, end)
            if m and m.end() < end:
                start = m.end()
                break
        start, end = _trim(text, start, end)
        if len(squeeze(text[start:end])) >= _MIN_ITEM_CHARS:
            out.append((start, end, ""))
    return out


def _batch(frame: pd.DataFrame, run: Callable[[pd.DataFrame], pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Run a text-layer function once over many parts (keyed by ``report_id``), rows per key.

    One call for the corpus rather than one per report: the text layer's cost is mostly in
    building its frames.
    """
    if frame.empty:
        return {}
    return {str(key): rows for key, rows in run(frame).groupby("report_id", sort=False)}


def items_of(sections: pd.DataFrame, part: Part) -> list[tuple[SectionFive, Parts, list[Item]]]:
    """Every report's items of one part, with the section and its parts (for the callers).

    Per part, the first strategy that finds two items wins: the text layer's enumerations, loose
    一是 markers, an inline list (problems only); else the part's sentences.
    """
    fives = [(five, split_parts(five.text)) for five in section_five(sections)]
    spans: dict[str, tuple[SectionFive, tuple[int, int]]] = {}
    for k, (five, parts) in enumerate(fives):
        span = parts.problems if part == "problems" else parts.improvements
        if span is not None and span[1] > span[0]:
            spans[str(k)] = (five, span)
    # Offsets of the part frames are local to the section-five text.
    frame = pd.DataFrame({"report_id": list(spans), "text": [f.text[a:b] for f, (a, b) in spans.values()],
                          "start": [a for _f, (a, _b) in spans.values()]})
    enumerations = _batch(frame, text_items)
    chosen: dict[str, tuple[Method, list[tuple[int, int, str]]]] = {}
    pending = []
    for key, (five, span) in spans.items():
        found = _by_enumeration(five.text, enumerations.get(key))
        if len(found) >= 2:
            chosen[key] = ("enumeration", found)
            continue
        found = _by_loose_markers(five.text, span)
        if len(found) >= 2:
            chosen[key] = ("markers", found)
            continue
        found = _by_inline_list(five.text, span) if part == "problems" else []
        if len(found) >= 2:
            chosen[key] = ("inline_list", found)
            continue
        pending.append(key)
    # Sentences, wrapped and unwrapped parts in one call each (PDF text is hard-wrapped).
    rest = frame[frame["report_id"].isin(pending)]
    wrapped = rest["text"].map(is_wrapped).astype(bool)
    split = {**_batch(rest[wrapped], lambda f: text_sentences(f, semicolons=True, wrapped=True)),
             **_batch(rest[~wrapped], lambda f: text_sentences(f, semicolons=True))}
    for key in pending:
        chosen[key] = ("sentences", _by_sentences(spans[key][0].text, split.get(key)))
    out = []
    for k, (five, parts) in enumerate(fives):
        method, found = chosen.get(str(k), ("sentences", []))
        items = [Item(five.report_id, part, five.text[s:e], five.base + s, five.base + e, method, marker)
                 for s, e, marker in found if e > s]
        out.append((five, parts, items))
    return out
