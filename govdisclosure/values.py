"""Cell text → number: placeholders, notes and thousands separators (TEMPLATE.md)."""

from __future__ import annotations

import math
import re
from functools import cache, lru_cache
from typing import Literal

from govdisclosure.normalize import char_replacements, normalize_chars

CellKind = Literal["number", "blank", "invalid"]

# Printed for "nothing here" (TEMPLATE.md): empty, slash, dashes, 无.
PLACEHOLDERS = frozenset({"", "/", "／", "—", "——", "-", "--", "–", "无", "\\", "－"})
# A number, optionally with thousands separators and decimals, optionally followed by a unit or a
# bracketed note: "22（其中修订16件）" (TEMPLATE.md), "18651.06", "1,234", "5件".
_NUMBER = re.compile(
    r"(?P<num>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*(?:件|条|个|次|万元|元)?\s*"
    r"(?P<note>[（(].*[)）])?"
)


# A report's ~300 cells repeat a few dozen strings ("0", "/", "1"); a cell's reading depends on
# its text alone, so readings are remembered (bounded) across cells and reports.
@lru_cache(maxsize=8192)
def parse_cell(raw: str) -> tuple[float, CellKind]:
    """Read one table cell.

    Returns:
        ``(value, kind)``: the number and ``"number"``; NaN and ``"blank"`` for a placeholder;
        NaN and ``"invalid"`` for text that is neither.
    """
    text = (raw if raw.isascii() else normalize_chars(raw)).strip()  # ASCII has nothing to normalise
    if text in PLACEHOLDERS:
        return math.nan, "blank"
    match = _NUMBER.fullmatch(text)
    if match is None:
        return math.nan, "invalid"
    return float(match["num"].replace(",", "")), "number"


@cache
def value_starts() -> frozenset[str]:
    """Every character a cell that reads as a number or a placeholder may begin with (after its
    blanks), other than decimal digits: the signs, the placeholders' first characters, and
    every character ``normalize_chars`` turns into one of those, into a digit or into a blank.

    A stripped cell that begins with none of them, nor with a decimal digit, reads as
    ``"invalid"``: a table row's label cells are told from its values by this test, without
    :func:`parse_cell` (a memo miss per distinct label: normalising it, then a failed match).
    """
    direct = {"+", "-", *(p[0] for p in PLACEHOLDERS if p)}
    mapped = {char for char, to in char_replacements().items()
              if to in direct or to.isdecimal() or to.isspace()}
    return frozenset(direct | mapped)

