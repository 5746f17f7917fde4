"""The tidy tokens DataFrame: one row per token, with offsets into the report text."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from govdisclosure.text._cache import SEPARATOR
from govdisclosure.text.segment import (
    NUMBER,
    PUNCT,
    SPACE,
    Segmenter,
    Tokens,
    _as_joined,
    _as_list,
    default_segmenter,
    resolve_stopwords,
    token_kind,
)
from govdisclosure.text.units import _require, narrative_blocks

__all__ = ["KEY_COLUMNS", "tokens"]

# The columns that identify a unit; tokens() carries over those the input frame has.
KEY_COLUMNS = ("report_id", "section", "sentence_id", "item_id")


@dataclass
class Tokenized:
    """Flat arrays of tokens over all units (what tokens() and the statistics share)."""

    unit: np.ndarray  # row number of the unit in the input frame
    position: np.ndarray  # index in the unit's unfiltered token stream
    token: pa.Array
    start: np.ndarray  # offsets into the report text
    end: np.ndarray
    pos: pa.Array | None


def _pieces(text: str, *, tables: bool, wrapped: bool) -> list[tuple[int, int]]:
    """Spans of a unit's text to segment (table rows left out unless ``tables``)."""
    if tables and not wrapped:
        return [(0, len(text))] if text else []
    if not wrapped and "\t" not in text and "|" not in text:
        return [(0, len(text))] if text else []  # nothing to leave out: one piece, no copies
    return narrative_blocks(text, tables=tables, wrapped=wrapped)


def _unwrap(text: str) -> tuple[str, np.ndarray | None]:
    """Remove hard wraps and return the positions in ``text`` of the characters kept.

    A hard wrap is a single line break (with any spaces around it) inside a paragraph; a blank
    line still separates paragraphs.
    """
    if "\n" not in text:
        return text, None
    chars = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    keep = np.ones(len(chars), dtype=bool)
    blank = (32, 9, 0x3000)
    for i in np.flatnonzero(chars == 10):
        left, right = int(i), int(i) + 1
        while left > 0 and chars[left - 1] in blank:
            left -= 1
        while right < len(chars) and chars[right] in blank:
            right += 1
        if left > 0 and right < len(chars) and chars[left - 1] != 10 and chars[right] != 10:
            keep[left:right] = False
    index = np.flatnonzero(keep)
    if len(index) == len(chars):
        return text, None
    return chars[index].tobytes().decode("utf-32-le"), index


def _arrow_tokens(values: list[Tokens], *, safe: bool) -> tuple[pa.Array, np.ndarray]:
    """All texts' tokens as one Arrow array, and the number of tokens of each text.

    Joined strings (from the cache or a worker, or joined here) are split by Arrow in C++, so
    a warm re-run creates no Python object per token.
    """
    if not safe:
        lists = [_as_list(v) for v in values]
        counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
        return pa.array(list(chain.from_iterable(lists)), type=pa.large_string()), counts
    # Fresh lists are joined too: one join per text and a split in Arrow cost less than
    # converting every token string to Arrow one by one.
    joined = pa.array([_as_joined(v) or None for v in values], type=pa.large_string())
    split = pc.split_pattern(joined, pattern=SEPARATOR)
    counts = pc.list_value_length(split).fill_null(0).to_numpy().astype(np.int64)
    return pc.list_flatten(split), counts


def tokenize(
    frame: pd.DataFrame,
    *,
    segmenter: Segmenter | None,
    stopwords: frozenset[str],
    remove_punct: bool,
    remove_numbers: bool,
    pos: bool,
    tables: bool,
    wrapped: bool,
    n_jobs: int,
) -> Tokenized:
    """Segment every unit of ``frame`` and filter the tokens (the engine of :func:`tokens`)."""
    _require(frame, ("report_id", "text"))
    segmenter = segmenter or default_segmenter()
    texts = ["" if t is None or t != t else t for t in frame["text"].tolist()]
    bases = (
        frame["start"].to_numpy(dtype=np.int64) if "start" in frame.columns else np.zeros(len(texts), dtype=np.int64)
    )
    piece_text: list[str] = []
    piece_unit: list[int] = []
    piece_offset: list[int] = []
    piece_index: list[np.ndarray | None] = []
    for u, text in enumerate(texts):
        for s, e in _pieces(text, tables=tables, wrapped=wrapped):
            chunk = text[s:e] if (s, e) != (0, len(text)) else text
            index = None
            if wrapped:
                chunk, index = _unwrap(chunk)
            piece_text.append(chunk)
            piece_unit.append(u)
            piece_offset.append(s)
            piece_index.append(index)
    segmented = segmenter._process(piece_text, "tag" if pos else "cut", n_jobs)
    # A text containing the separator character was segmented here, not cached or pooled:
    # keep to Python lists then, as joining would be ambiguous.
    safe = not any(SEPARATOR in t for t in piece_text)
    flat, counts = _arrow_tokens([words for words, _ in segmented], safe=safe)
    tags = _arrow_tokens([t or [] for _, t in segmented], safe=safe)[0] if pos else None
    # Arrow from here on: lengths, classification and filtering run in C over the whole
    # corpus, and the token column becomes pandas' str dtype without copying.
    n = len(flat)
    lengths = pc.utf8_length(flat).to_numpy().astype(np.int64)
    piece_of = np.repeat(np.arange(len(counts)), counts)
    # Offsets within each piece: a running sum of token lengths restarted at every piece.
    ends_flat = np.cumsum(lengths)
    piece_first = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    piece_base = np.concatenate(([0], ends_flat))[piece_first]
    local_end = ends_flat - np.repeat(piece_base, counts)
    local_start = local_end - lengths
    if wrapped:
        for k, index in enumerate(piece_index):
            rows = slice(piece_first[k], piece_first[k] + counts[k])
            if index is not None and counts[k]:
                # A token's start is where its first character was; its end is one past its
                # last character (so it spans the removed line break).
                local_end[rows] = index[local_end[rows] - 1] + 1
                local_start[rows] = index[local_start[rows]]
    units = np.asarray(piece_unit, dtype=np.int64)[piece_of]
    unit_base = bases[np.asarray(piece_unit, dtype=np.int64)]
    offset = (np.asarray(piece_offset, dtype=np.int64) + unit_base)[piece_of]
    start = offset + local_start
    end = offset + local_end
    # Position in the unit's token stream, counted over all pieces of the unit.
    unit_first = np.concatenate(([0], np.cumsum(np.bincount(units, minlength=len(texts)))))
    position = np.arange(n, dtype=np.int64) - unit_first[units]
    # Classify each distinct token once (a corpus has far fewer types than tokens).
    encoded = flat.dictionary_encode()
    types = encoded.dictionary.to_pylist()
    type_kind = np.fromiter(map(token_kind, types), dtype=np.int8, count=len(types))
    drop = {SPACE} | ({PUNCT} if remove_punct else set()) | ({NUMBER} if remove_numbers else set())
    type_keep = ~np.isin(type_kind, list(drop))
    if stopwords:
        type_keep &= ~np.fromiter(map(stopwords.__contains__, types), dtype=bool, count=len(types))
    keep = type_keep[encoded.indices.to_numpy(zero_copy_only=False)] if n else np.zeros(0, bool)
    kept = np.flatnonzero(keep)
    return Tokenized(
        unit=units[kept],
        position=position[kept],
        token=flat.filter(pa.array(keep)),
        start=start[kept],
        end=end[kept],
        pos=None if tags is None else tags.filter(pa.array(keep)),
    )


def tokens(
    frame: pd.DataFrame,
    *,
    segmenter: Segmenter | None = None,
    stopwords: Collection[str] | Literal["default"] | None = None,
    remove_punct: bool = True,
    remove_numbers: bool = False,
    pos: bool = False,
    tables: bool = False,
    wrapped: bool = False,
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Segment text units into a tidy tokens DataFrame.

    Args:
        frame: Sections, sentences or items (or any rows with ``report_id`` and ``text``;
            ``start`` makes offsets point into the report text).
        segmenter: The :class:`Segmenter`; default: jieba with the domain dictionary, cached.
        stopwords: ``"default"`` for :func:`~govdisclosure.text.stopwords`, a collection of
            words, or ``None`` to keep every word.
        remove_punct: Drop punctuation tokens (whitespace is always dropped).
        remove_numbers: Drop numbers (2024, 3.5%, 0591-23165385).
        pos: Add jieba's part-of-speech tag in a ``pos`` column (slower; see
            :meth:`Segmenter.tag`).
        tables: Also segment table rows (left out by default: they are numbers and labels).
        wrapped: Join hard-wrapped lines before segmenting (PDF text, where 政\\n府网站 would
            otherwise split a word); tokens then span the removed line break.
        n_jobs: Processes for texts not in the token cache (``-1``: one per CPU).

    Returns:
        Columns: the unit's keys among ``report_id``, ``section``, ``sentence_id``,
        ``item_id``; ``position`` (index of the token in its unit, counted before filtering,
        so removed tokens leave gaps and only truly adjacent tokens have consecutive
        positions); ``token``; ``start``, ``end`` (offsets into the report text); ``pos``.

    Example:
        >>> import govdisclosure as gd, govdisclosure.text as gt
        >>> rep = gd.read_report("data/samples/000_dc9580d96d94ba76.txt")
        >>> toks = gt.tokens(rep.sections)
        >>> "依申请公开" in set(toks.token)
        True
    """
    flat = tokenize(
        frame,
        segmenter=segmenter,
        stopwords=resolve_stopwords(stopwords),
        remove_punct=remove_punct,
        remove_numbers=remove_numbers,
        pos=pos,
        tables=tables,
        wrapped=wrapped,
        n_jobs=n_jobs,
    )
    return token_frame(frame, flat)


def token_frame(frame: pd.DataFrame, flat: Tokenized, *, keep: Sequence[str] = (),
                with_unit: bool = False) -> pd.DataFrame:
    """The tidy tokens frame: ``frame``'s key columns (and ``keep``) for each token of ``flat``.

    Args:
        frame: The units that were segmented.
        flat: What :func:`tokenize` returned for them.
        keep: Further columns of ``frame`` to carry over.
        with_unit: Add ``_unit``, the row of ``frame`` each token came from.
    """
    columns: dict[str, object] = {}
    for key in dict.fromkeys([*KEY_COLUMNS, *keep]):
        if key in frame.columns:
            # take() keeps the dtype and, for str columns, runs in Arrow.
            columns[key] = frame[key].take(flat.unit).reset_index(drop=True)
    if with_unit:
        columns["_unit"] = flat.unit
    columns["position"] = flat.position
    columns["token"] = pd.Series(pd.array(flat.token, dtype="str"))
    columns["start"] = flat.start
    columns["end"] = flat.end
    if flat.pos is not None:
        columns["pos"] = pd.Series(pd.array(flat.pos, dtype="str"))
    return pd.DataFrame(columns)
