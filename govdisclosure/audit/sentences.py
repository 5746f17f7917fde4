"""Narrative sentences of a section, numbered the way a reader counts them (a sub-heading such as
"（二）依申请公开情况" on its own line counts as one).

Section texts hold tables too (tab- or pipe-separated rows, or a PDF's lines of numbers), and a
PDF wraps its paragraphs at the page width ("答\\n复 3050 件", huaian_2024.pdf). So: table lines are
dropped, wrapped lines are joined back into paragraphs, paragraphs are cut at 。！？, and each
sentence is compacted (no whitespace) for matching — "受理政府信息公开申请 3119 件" reads as
"受理政府信息公开申请3119件".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from govdisclosure.normalize import strip_markup

# Two numbers separated only by blanks: a table row ("10 1 0 0 0"), never running Chinese text.
_NUMBER_RUN = re.compile(r"(?<![\d.])\d+(?:\.\d+)?[ \t\u3000]+\d+(?:\.\d+)?(?![\d.])")
# A line that opens a new paragraph although the previous line did not end a sentence:
# sub-headings （一）… 一是… 1. and Markdown headings.
_OPENS = re.compile(r"^(?:#+|[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+[、是.．]|\d+[、.．](?!\d))")
_END = re.compile(r"[。！？!?：:]$")
_SPLIT = re.compile(r"(?<=[。！？!?])")
# A PDF line that is wrapped runs to the page width; a short line without closing punctuation is
# a heading or the end of a paragraph (pingtan pages print "（一）主动公开方面" alone on a line).
_WRAP_MIN = 20
_CLAUSE = re.compile(r"[，,；;：:（）()]")


@dataclass(frozen=True)
class Sentence:
    """One narrative sentence: its 1-based number in the section and its compacted text."""

    index: int
    text: str

    def clauses(self) -> list[str]:
        """The sentence cut at commas, semicolons, colons and brackets."""
        return [c for c in _CLAUSE.split(self.text) if c]


def is_table_line(line: str) -> bool:
    """A line of a table rather than of narrative."""
    return "\t" in line or "|" in line or bool(_NUMBER_RUN.search(line))


def paragraphs(text: str) -> list[str]:
    """The narrative paragraphs of a section text, with PDF line wraps joined back."""
    out: list[str] = []
    current = ""
    for raw in text.split("\n"):
        if is_table_line(raw):
            if current:
                out.append(current)
            current = ""
            continue
        line = strip_markup(raw)
        if not line:
            if current:
                out.append(current)
            current = ""
            continue
        if current and (_END.search(current) or len(_last_line(current)) < _WRAP_MIN or _OPENS.match(line)):
            out.append(current)
            current = line
        else:
            current = current + "\n" + line if current else line
    if current:
        out.append(current)
    return out


def _last_line(paragraph: str) -> str:
    return paragraph.rsplit("\n", 1)[-1].strip()


def sentences(text: str) -> list[Sentence]:
    """The section's sentences, numbered from 1, compacted (whitespace removed)."""
    out: list[Sentence] = []
    for paragraph in paragraphs(text):
        for piece in _SPLIT.split(paragraph):
            compact = re.sub(r"\s+", "", piece)
            if compact:
                out.append(Sentence(len(out) + 1, compact))
    return out
