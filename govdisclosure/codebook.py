"""The codebook: printed table labels → codes, per template (package data, DESIGN.md §5)."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources
from typing import Literal

import pandas as pd

TableName = Literal["proactive", "requests", "appeals"]
TABLES: tuple[str, ...] = ("proactive", "requests", "appeals")
TEMPLATES: tuple[str, ...] = ("2021", "2019")

# Numbering in front of a label: 一、 （一） (一) 1. 1、 1． ① and the space after it. Applied
# repeatedly, because labels such as "三、（一）予以公开" stack two levels.
_NUMBERING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十0-9]+\s*[)）]"
    r"|[0-9]{1,2}\s*[、.．](?![0-9])|[①②③④⑤⑥⑦⑧⑨⑩])\s*"
)
# Everything that is not a letter, a digit or a CJK character is noise when matching labels:
# spaces inside labels ("结果 维持"), quotes (“三安全一稳定”), brackets, commas, slashes. Written
# as one noise character and then any more, not as ``[…]+``: a pattern that opens with a
# character class lets the regex engine skip in C to the next noise character, while one that
# opens with a repeat tries a match at every character (~200 instructions each; labels are
# mostly CJK, so mostly not noise).
LABEL_LETTERS = "0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff"  # the letters, as a character class's body
LABEL_NOISE = re.compile(f"[^{LABEL_LETTERS}][^{LABEL_LETTERS}]*")
# Every leading numbering at once ("（一）1." …): the same as removing one _NUMBERING at a time.
_NUMBERINGS = re.compile(f"(?:{_NUMBERING.pattern.removeprefix('^')})+")


def read_package_csv(name: str) -> pd.DataFrame:
    """Read a CSV shipped in ``govdisclosure/data`` with every column as text."""
    with resources.files("govdisclosure").joinpath(f"data/{name}").open(encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False, comment=None)


@cache
def _codebook_all() -> pd.DataFrame:
    frame = read_package_csv("codebook.csv")
    frame["order"] = frame["order"].astype(int)
    return frame


def codebook(table: TableName | None = None, *, template: str = "2021") -> pd.DataFrame:
    """The codebook of one table (or all tables) of a template.

    Args:
        table: ``"proactive"``, ``"requests"`` or ``"appeals"``; None for all three.
        template: ``"2021"`` or ``"2019"``.

    Returns:
        One row per table, row, row group and column: ``template``, ``table``, ``axis``
        (``table``/``row``/``group``/``col``), ``code``, ``parent``, ``order``, ``label_zh``,
        ``label_short``, ``label_en``, ``match`` (the regular expression a normalised printed label
        must match in full), ``cols`` (for proactive rows: the columns the row has) and
        ``value_type`` (``count``, ``amount`` or ``signed``).

    Raises:
        ValueError: Unknown table or template.
    """
    if template not in TEMPLATES:
        raise ValueError(f"unknown template {template!r}; codebooks exist for {', '.join(TEMPLATES)}")
    if table is not None and table not in TABLES:
        raise ValueError(f"unknown table {table!r}; tables are {', '.join(TABLES)}")
    frame = _codebook_all()
    mask = frame["template"] == template
    if table is not None:
        mask &= frame["table"] == table
    return frame[mask].reset_index(drop=True)


# Every report of a template prints the same labels: keys and matches are remembered (bounded).
@lru_cache(maxsize=8192)
def label_key(label: str) -> str:
    """A printed label reduced to what identifies it: no numbering, spaces or punctuation.

    Example: ``"(二) 部分公开 (区分处理的, 只计这一情形, 不计其他情形)"`` →
    ``"部分公开区分处理的只计这一情形不计其他情形"``.
    """
    numbering = _NUMBERINGS.match(label)
    return LABEL_NOISE.sub("", label[numbering.end():] if numbering else label)


@cache
def _matchers(template: str, table: str, axis: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    book = codebook(table, template=template)  # type: ignore[arg-type]
    book = book[book["axis"] == axis]
    return tuple((row.code, re.compile(row.match)) for row in book.itertuples() if row.match)


@cache
def _matcher(template: str, table: str, axis: str) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """The axis's patterns as one alternation, each in a group named after its place, in
    codebook order: its full match is the first pattern's that matches in full (one regex call
    instead of up to 25 for a requests row; the patterns hold no named groups or back-references)."""
    matchers = _matchers(template, table, axis)
    if not matchers:
        return None, {}
    names = {f"m{i}": code for i, (code, _pattern) in enumerate(matchers)}
    alternation = "|".join(f"(?P<m{i}>{pattern.pattern})" for i, (_code, pattern) in enumerate(matchers))
    return re.compile(alternation), names


@lru_cache(maxsize=8192)
def match_label(key: str, table: str, axis: str, template: str) -> str | None:
    """The code whose ``match`` pattern the label key matches in full, else None."""
    if not key:
        return None
    pattern, names = _matcher(template, table, axis)
    found = pattern.fullmatch(key) if pattern is not None else None
    # The outer group closes last, so it is the last group matched (re's ``lastgroup``).
    return names[found.lastgroup] if found is not None else None  # type: ignore[index]


def template_cells(table: str, template: str) -> pd.DataFrame:
    """Every cell the template defines for a table, in printed order: ``row``, ``col``."""
    return pd.DataFrame(cell_pairs(table, template), columns=["row", "col"])


# The parser looks codes and labels up once per row and cell; pandas filtering at that rate
# cost 0.1 s a report, so these cached plain-Python views of the codebook serve the hot paths.
@cache
def axis_codes(table: str, axis: str, template: str) -> tuple[str, ...]:
    """The codes of one axis (``row``, ``col``, ``group``) of a table, in printed order."""
    book = codebook(table, template=template)  # type: ignore[arg-type]
    return tuple(book[book["axis"] == axis].sort_values("order")["code"])


@cache
def cell_pairs(table: str, template: str) -> tuple[tuple[str, str], ...]:
    """``(row, col)`` of every template cell of a table, in printed order."""
    book = codebook(table, template=template)  # type: ignore[arg-type]
    col_order = axis_codes(table, "col", template)
    pairs: list[tuple[str, str]] = []
    for row in book[book["axis"] == "row"].sort_values("order").itertuples():
        allowed = row.cols.split() if row.cols else col_order
        pairs += [(row.code, col) for col in col_order if col in allowed]
    return tuple(pairs)


@cache
def short_labels(template: str) -> dict[tuple[str, str, str], str]:
    """``(table, axis, code)`` → the short printed label used in messages (表三, （七）总计 …)."""
    return {(r.table, r.axis, r.code): r.label_short for r in codebook(None, template=template).itertuples()}


@cache
def value_types(template: str) -> dict[tuple[str, str], str]:
    """``(table, col)`` → ``count``, ``amount`` or ``signed``."""
    book = codebook(None, template=template)
    return {(r.table, r.code): r.value_type for r in book[book["axis"] == "col"].itertuples()}
