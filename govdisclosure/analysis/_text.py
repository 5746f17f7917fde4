"""Small text helpers the analyses share: compact views with offsets, hard-wrap detection.

A *compact view* of a text removes whitespace so that words a PDF wrapped across lines
("“上海科技”视频\\n号", shanghai_kewei_2024.md) and numbers printed with spaces ("54 个") read
as written, while an index array maps every kept character back to its offset in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from govdisclosure.analysis._data import setting
from govdisclosure.readers.text import is_table_line

_CLOSING = "。！？；：:;!?”’）)」』】》…"
_BLANK = " \t\u3000\r\xa0"


def is_wrapped(text: str) -> bool:
    """Whether ``text`` is hard-wrapped: most of its long lines end mid-sentence.

    Report texts come either with one paragraph per line (HTML, Word) or wrapped at the page
    width (PDF text, shanghai_kewei_2024.md). Thresholds are ``wrapped_share`` and
    ``wrapped_min_line`` of ``data/analysis/settings.csv``.
    """
    min_line = int(setting("wrapped_min_line"))
    lines = [ln.strip(_BLANK) for ln in text.split("\n")]
    long = [ln for ln in lines if len(ln) >= min_line and not is_table_line(ln)]
    if len(long) < 2:
        return False
    open_ended = sum(1 for ln in long if ln[-1] not in _CLOSING)
    return open_ended / len(long) >= float(setting("wrapped_share"))


@dataclass(frozen=True)
class Compact:
    """A compact view: ``text`` without whitespace; ``index[i]`` is where ``text[i]`` was."""

    text: str
    index: np.ndarray

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Offsets in the original text of the compact span ``[start, end)``."""
        return int(self.index[start]), int(self.index[end - 1]) + 1


def compact_blocks(text: str, *, wrapped: bool | None = None) -> Iterator[Compact]:
    """Compact views of the narrative blocks of ``text`` (table lines are left out).

    A block is a paragraph: in a hard-wrapped text, the lines up to a blank line; otherwise a
    single line. Within a block whitespace is removed.

    Args:
        text: A section text.
        wrapped: Treat the text as hard-wrapped; ``None`` decides with :func:`is_wrapped`.
    """
    if wrapped is None:
        wrapped = is_wrapped(text)
    block: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if not line.strip(_BLANK) or is_table_line(line):
            if block:
                yield _compact(text, block)
                block = []
            continue
        block.append((start, end))
        if not wrapped:
            yield _compact(text, block)
            block = []
    if block:
        yield _compact(text, block)


def _compact(text: str, lines: list[tuple[int, int]]) -> Compact:
    chars: list[str] = []
    index: list[int] = []
    for start, end in lines:
        for i in range(start, end):
            ch = text[i]
            if ch in _BLANK or ch == "\n":
                continue
            chars.append(ch)
            index.append(i)
    return Compact("".join(chars), np.asarray(index, dtype=np.int64))


_SPACE = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """``text`` without any whitespace (how items are compared and classified)."""
    return _SPACE.sub("", text)
