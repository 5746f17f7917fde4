"""Small, composable ``str -> str`` normalisation functions (the textacy way).

The source text is never modified: each function returns a new string. Every function except
:func:`normalize_newlines` keeps the string's length, character for character, so that offsets
found in the normalised text point at the same characters of the report text.
:func:`normalize_chars` composes the length-keeping ones; it is what the parsers match against.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from importlib import resources

import numpy as np

__all__ = [
    "normalize_chars",
    "normalize_newlines",
    "normalize_spaces",
    "normalize_text",
    "normalize_variants",
    "normalize_width",
]

# Full-width ASCII (U+FF01–U+FF5E) maps onto ASCII by a fixed offset. Chinese brackets （）,
# colon ：, comma ，, semicolon ； and 、 are kept: the template itself prints （一）, and a comma
# inside a number ("1，234") is rare next to the comma between clauses. Digits, Latin letters,
# "．" and "－" are what real tables write full-width (TEMPLATE.md: "２０２４", "（一）" vs "(一)").
_KEEP_FULL_WIDTH = set("（），：；！？")
_WIDTH_TABLE = {
    code: code - 0xFEE0
    for code in range(0xFF01, 0xFF5F)
    if chr(code) not in _KEEP_FULL_WIDTH
}
# Spaces that print as blank: NBSP (Word-exported HTML), ideographic space U+3000 (indentation in
# Chinese documents), thin and zero-width spaces. Zero-width ones become a plain space, not
# nothing, to keep the length.
_SPACE_TABLE = {
    ord(ch): " "
    for ch in "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u200b\u202f\u205f\u3000\ufeff"
}
_NEWLINES = re.compile(r"\r\n|\r|\u2028|\u2029|\x0b|\x0c|\x85")


@cache
def _variant_table() -> dict[int, int]:
    """Traditional/variant → simplified characters (package data, built from OpenCC)."""
    with resources.files("govdisclosure").joinpath("data/variants.tsv").open(
        encoding="utf-8"
    ) as fh:
        lines = (line for line in fh if not line.startswith("#"))
        return {ord(r["variant"]): ord(r["simplified"]) for r in csv.DictReader(lines, delimiter="\t")}


def normalize_newlines(text: str) -> str:
    """Unify line endings (CRLF, CR, U+2028/2029, VT, FF, NEL) to ``\\n``.

    This is the only normaliser that may shorten a string; readers apply it while decoding, so
    the report text that offsets refer to already has ``\\n`` line endings.
    """
    return _NEWLINES.sub("\n", text)


def normalize_width(text: str) -> str:
    """Full-width digits, Latin letters and ASCII punctuation → half-width (length kept)."""
    return text.translate(_WIDTH_TABLE)


def normalize_spaces(text: str) -> str:
    """NBSP, U+3000 and other blank characters → an ASCII space (length kept)."""
    return text.translate(_SPACE_TABLE)


def normalize_variants(text: str) -> str:
    """Traditional and variant characters → simplified (郟县 → 郏县; length kept)."""
    return text.translate(_variant_table())


@cache
def _chars_table() -> list[int | str]:
    """Width, spaces and variants in one table: one pass over the text instead of three.

    The three maps touch disjoint characters (ASCII-range full-width forms, blank characters,
    CJK ideographs), so applying them together equals applying them in turn. A list indexed by
    code point up to the highest mapped one (every other entry maps a character to itself):
    ``str.translate`` indexes a list without hashing, twice as fast as with a dict on report
    text, and a character past its end (IndexError, a LookupError) is kept as it is.
    """
    mapping = {**_variant_table(), **_SPACE_TABLE, **_WIDTH_TABLE}
    table: list[int | str] = list(range(max(mapping) + 1))
    for code, replacement in mapping.items():
        table[code] = replacement
    return table


@cache
def _chars_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    """A character class of every character :func:`_chars_table` changes, and its replacements."""
    table = _chars_table()
    mapped = [code for code, to in enumerate(table) if to != code]
    ranges = []
    start = prev = mapped[0]
    for code in mapped[1:]:
        if code != prev + 1:
            ranges.append((start, prev))
            start = code
        prev = code
    ranges.append((start, prev))
    members = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                      for a, b in ranges)
    replacements = {chr(code): to if isinstance(to, str) else chr(to)
                    for code in mapped for to in (table[code],)}
    return re.compile(f"[{members}]"), replacements


def char_replacements() -> dict[str, str]:
    """Every character :func:`normalize_chars` changes → the character it becomes (read-only)."""
    return _chars_pattern()[1]


@cache
def _changed_mask() -> np.ndarray:
    """True at every code point :func:`_chars_table` changes, then one False for all beyond."""
    table = _chars_table()
    return np.array([to != code for code, to in enumerate(table)] + [False])


# Below this length the regex counts faster than the array's fixed cost (a few µs).
_ARRAY_FROM = 512


def _changed_positions(text: str) -> list[int]:
    """Where ``text`` holds a character :func:`normalize_chars` changes, found over its code
    points as an array: ~4x fewer instructions than a regex scan of a report's text (the regex
    tests each character against a class of ~3,600 scattered ones)."""
    # numpy drops trailing NUL characters from a string: they are never changed, so no position
    # is lost.
    codes = np.array([text]).view(np.uint32)
    return _changed_mask().take(codes, mode="clip").nonzero()[0].tolist()


def _replace_at(text: str, positions: list[int], replacements: dict[str, str]) -> str:
    """``text`` with the characters at ``positions`` (ascending) replaced."""
    pieces = []
    last = 0
    for i in positions:
        pieces.append(text[last:i])
        pieces.append(replacements[text[i]])
        last = i + 1
    pieces.append(text[last:])
    return "".join(pieces)


def normalize_chars(text: str) -> str:
    """All length-keeping normalisations: width, spaces, variants."""
    # Report text rarely holds a character to change (none in most of ../shared/corpus): finding
    # them first is much faster than str.translate, which looks up every character of CJK text
    # in the table. Text dense in them (full-width digits throughout, U+3000 indentation on every
    # line) is translated in one pass as before; the few of sparse text are replaced in place.
    pattern, replacements = _chars_pattern()
    short = len(text) < _ARRAY_FROM
    positions = [] if short else _changed_positions(text)
    found = len(pattern.findall(text)) if short else len(positions)
    if not found:
        return text
    if found > len(text) // 16:
        return text.translate(_chars_table())
    if short:
        return pattern.sub(lambda match: replacements[match.group()], text)
    # A second regex scan of long text to replace its few characters cost as much as the whole
    # parse of a short report (~1.5 M instructions for 3 NBSPs in 6,000 characters).
    return _replace_at(text, positions, replacements)


def normalize_text(text: str) -> str:
    """Everything, including line endings: the form to compare or display text in."""
    return normalize_chars(normalize_newlines(text))


# The characters ``\s`` matches (Unicode whitespace: all below U+3001), for ``str.strip``.
_WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
_LEADING_MARKS = _WHITESPACE + "#*>"
_TRAILING_MARKS = _WHITESPACE + "*"


def strip_markup(line: str) -> str:
    """A line without the Markdown marks around it: leading ``#``, ``*``, ``>`` and blanks, trailing
    ``*`` and blanks (``## 一、总体情况``, ``**二、主动公开**``).

    The same as ``re.sub(r"^[#*>\\s]+|[*\\s]+$", "", line)`` on one line (no line break), without a
    regex: headings and signatures are looked for on every line of every report.
    """
    return line.lstrip(_LEADING_MARKS).rstrip(_TRAILING_MARKS)
