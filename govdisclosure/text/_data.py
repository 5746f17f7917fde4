"""Package data of the text layer: the domain dictionary, the stop words, the item markers.

Everything here is read on first use and memoised; importing this module reads nothing.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import pandas as pd

__all__ = [
    "DEFAULT_WORD_FREQ",
    "ItemMarker",
    "dictionary",
    "item_markers",
    "parse_dictionary",
    "stopwords",
]

_DATA = "data/text"
USER_DICT = "user_dict.txt"
STOPWORDS = "stopwords.txt"
ITEM_MARKERS = "item_markers.csv"

# The frequency every packaged word gets, and user words given without one. The header of
# data/text/user_dict.txt says how it was chosen (the smallest round value that kept the
# development reports' terms whole in context).
DEFAULT_WORD_FREQ = 1000

# jieba's own user-dictionary syntax: the word, then an optional count, then an optional tag.
# Words may contain spaces in jieba's grammar, but none of ours do; splitting from the right
# keeps words such as "12345热线" intact.
_TAG = re.compile(r"^[a-z]+$")


def _read_text(name: str) -> str:
    return resources.files("govdisclosure").joinpath(f"{_DATA}/{name}").read_text(encoding="utf-8")


def parse_dictionary(text: str, *, source: str = "<string>") -> list[tuple[str, int, str | None]]:
    """Parse a jieba user dictionary (``word [freq] [tag]`` per line, ``#`` comments allowed).

    jieba's own ``load_userdict`` would read a comment line as a word, which is why the
    dictionary is parsed here and handed to the backend word by word.

    Args:
        text: The dictionary's text.
        source: A name for error messages.

    Returns:
        ``(word, freq, tag)`` triples in file order; a missing frequency is
        :data:`DEFAULT_WORD_FREQ`, a missing tag ``None``.

    Raises:
        ValueError: A line has a zero or negative frequency, or an unparseable field.
    """
    entries: list[tuple[str, int, str | None]] = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        fields = line.split()
        word, freq, tag = fields[0], DEFAULT_WORD_FREQ, None
        rest = fields[1:]
        if rest and rest[0].isdigit():
            freq = int(rest.pop(0))
        if rest and _TAG.match(rest[0]):
            tag = rest.pop(0)
        if rest:
            raise ValueError(f"{source}, line {lineno}: cannot parse {raw!r} as 'word freq tag'")
        if freq < 1:
            # jieba deletes a word with frequency 0 by changing its process-global HMM
            # (finalseg.add_force_split), which would leak into every other user of jieba.
            raise ValueError(f"{source}, line {lineno}: frequency must be at least 1: {raw!r}")
        entries.append((word, freq, tag))
    return entries


@cache
def _dictionary_entries() -> tuple[tuple[str, int, str | None], ...]:
    return tuple(parse_dictionary(_read_text(USER_DICT), source=USER_DICT))


@cache
def dictionary_digest() -> str:
    """A short hash of the packaged dictionary file (part of the token cache key)."""
    return hashlib.sha256(_read_text(USER_DICT).encode("utf-8")).hexdigest()[:16]


def dictionary() -> pd.DataFrame:
    """The packaged domain dictionary as a DataFrame.

    Returns:
        Columns ``word``, ``freq``, ``tag``: the 政务公开 vocabulary the :class:`Segmenter`
        adds to jieba's dictionary (the file's header says how it was built).

    Example:
        >>> import govdisclosure.text as gt
        >>> "依申请公开" in set(gt.dictionary()["word"])
        True
    """
    entries = _dictionary_entries()
    return pd.DataFrame(
        {
            "word": [w for w, _f, _t in entries],
            "freq": [f for _w, f, _t in entries],
            "tag": [t for _w, _f, t in entries],
        }
    )


@cache
def stopwords() -> frozenset[str]:
    """The packaged Chinese stop words, tuned to report boilerplate.

    Returns:
        Function words, enumeration markers, counting units, calendar words and the genre's
        set-phrase words (工作, 情况, 进一步 …). Extend it with set union:
        ``gt.stopwords() | {"平潭"}``.
    """
    words = (line.strip() for line in _read_text(STOPWORDS).splitlines())
    return frozenset(w for w in words if w and not w.startswith("#"))


@dataclass(frozen=True)
class ItemMarker:
    """One row of ``data/text/item_markers.csv``: how an enumeration marker is written."""

    family: str
    pattern: re.Pattern[str]
    numeral: Literal["cjk", "arabic", "fixed"]
    ordinal: int | None  # for fixed words; None with numeral "fixed" means "the last item"
    placement: Literal["any", "line"]


@cache
def item_markers() -> tuple[ItemMarker, ...]:
    """The enumeration markers that :func:`govdisclosure.text.items` recognises."""
    rows = csv.DictReader(_read_text(ITEM_MARKERS).splitlines())
    markers = []
    for row in rows:
        numeral = row["numeral"]
        if numeral not in ("cjk", "arabic", "fixed") or row["placement"] not in ("any", "line"):
            raise ValueError(f"{ITEM_MARKERS}: bad numeral or placement in {row}")
        ordinal = None
        if numeral == "fixed" and row["ordinal"] != "last":
            ordinal = int(row["ordinal"])
        markers.append(
            ItemMarker(
                family=row["family"],
                pattern=re.compile(row["pattern"]),
                numeral=numeral,  # type: ignore[arg-type]
                ordinal=ordinal,
                placement=row["placement"],  # type: ignore[arg-type]
            )
        )
    return tuple(markers)
