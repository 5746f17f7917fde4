"""The tidy tokens DataFrame: one row per token, with offsets into the report text."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from govdisclosure.text._encoded import EncodedTokens
from govdisclosure.text.segment import (
    NUMBER,
    PUNCT,
    SPACE,
    Segmenter,
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


@dataclass
class _Pieces:
    """The spans of the units' texts that get segmented (see :func:`_pieces`)."""

    text: list[str]
    unit: np.ndarray  # row of the unit in the input frame
    offset: np.ndarray  # where the piece starts in the unit's text
    index: list[np.ndarray | None]  # for unwrapped pieces, where each character was


def _split_units(texts: list[str], *, tables: bool, wrapped: bool) -> _Pieces:
    piece_text: list[str] = []
    piece_unit: list[int] = []
    piece_offset: list[int] = []
    piece_index: list[np.ndarray | None] = []
    whole = not wrapped
    for u, text in enumerate(texts):
        if whole and (tables or ("\t" not in text and "|" not in text)):
            # The usual case, without a call per text: the whole text is the one piece.
            if text:
                piece_text.append(text)
                piece_unit.append(u)
                piece_offset.append(0)
                piece_index.append(None)
            continue
        for s, e in _pieces(text, tables=tables, wrapped=wrapped):
            chunk = text[s:e] if (s, e) != (0, len(text)) else text
            index = None
            if wrapped:
                chunk, index = _unwrap(chunk)
            piece_text.append(chunk)
            piece_unit.append(u)
            piece_offset.append(s)
            piece_index.append(index)
    return _Pieces(
        piece_text, np.asarray(piece_unit, dtype=np.int64), np.asarray(piece_offset, dtype=np.int64), piece_index
    )


def _type_filter(types: list[str], *, stopwords: frozenset[str], drop: set[int]) -> np.ndarray:
    """Which token types to keep: decided once per type, not per token."""
    kinds = np.fromiter(map(token_kind, types), dtype=np.int8, count=len(types))
    keep = ~np.isin(kinds, list(drop))
    if stopwords:
        keep &= ~np.fromiter(map(stopwords.__contains__, types), dtype=bool, count=len(types))
    return keep


def _spans(
    pieces: _Pieces,
    words: EncodedTokens,
    type_length: np.ndarray,
    kept: np.ndarray,
    kept_codes: np.ndarray,
    bases: np.ndarray,
    n_units: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Unit, position in the unit, start and end of the kept tokens.

    Written to allocate few token-sized arrays: on a VM, fresh memory costs a page fault per
    4 KiB, which for 700,000 tokens weighs as much as the arithmetic.

    Args:
        pieces: What was segmented.
        words: Its tokens.
        type_length: Characters of each type.
        kept: Indices of the kept tokens (increasing).
        kept_codes: Their codes.
        bases: Offset of each unit in its report's text.
        n_units: Rows of the input frame.
    """
    counts = words.counts
    # End of every token counted from the start of the first piece (removed tokens count too),
    # in place in the array of lengths, in 32 bits unless the texts are longer than that.
    ends = type_length.astype(np.int32)[words.codes]
    if len(ends) and sum(map(len, pieces.text)) >= 2**31:
        ends = ends.astype(np.int64)
    np.cumsum(ends, out=ends)
    first = np.zeros(len(counts), dtype=np.int64)  # first token of each piece
    np.cumsum(counts[:-1], out=first[1:])
    before = np.zeros(len(counts), dtype=np.int64)  # characters of all earlier pieces
    later = first > 0
    before[later] = ends[first[later] - 1]
    origin = pieces.offset + bases[pieces.unit]  # where each piece starts in the report text
    piece = np.repeat(np.arange(len(counts), dtype=np.int32), counts)[kept]
    end = np.take(origin - before, piece)
    end += ends[kept]
    del ends  # freed now, so that the arrays below can reuse its memory
    start = np.take(type_length, kept_codes)
    np.subtract(end, start, out=start)
    for k, index in enumerate(pieces.index):
        if index is not None:
            rows = slice(*np.searchsorted(piece, (k, k + 1)))
            # A token's start is where its first character was; its end is one past its last
            # character (so it spans the removed line break).
            end[rows] = index[end[rows] - origin[k] - 1] + 1 + origin[k]
            start[rows] = index[start[rows] - origin[k]] + origin[k]
    unit = pieces.unit[piece]
    # Position in the unit's token stream, counted over all pieces of the unit.
    per_unit = np.bincount(pieces.unit, weights=counts, minlength=n_units).astype(np.int64)
    unit_first = np.concatenate(([0], np.cumsum(per_unit)[:-1]))
    position = np.take(unit_first, unit)
    np.subtract(kept, position, out=position)
    return unit, position, start, end


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
    pieces = _split_units(texts, tables=tables, wrapped=wrapped)
    words, tags = segmenter._encoded(pieces.text, "tag" if pos else "cut", n_jobs)
    # Dictionary-encoded tokens (from the cache or encoded in Arrow): lengths, kinds and
    # stopwords are decided per type, and no Python string is created per token.
    used, types, number = _occurring(words.types, words.codes)
    drop = {SPACE} | ({PUNCT} if remove_punct else set()) | ({NUMBER} if remove_numbers else set())
    type_keep = np.zeros(len(words.types), dtype=bool)
    type_keep[used] = _type_filter(words.types[used].tolist(), stopwords=stopwords, drop=drop)
    type_length = np.zeros(len(words.types), dtype=np.int64)
    type_length[used] = pc.utf8_length(types).to_numpy()
    kept = np.flatnonzero(type_keep[words.codes])
    kept_codes = words.codes[kept]
    pos_column = None if tags is None else _column(tags.types, tags.codes[kept])
    unit, position, start, end = _spans(pieces, words, type_length, kept, kept_codes, bases, len(texts))
    return Tokenized(
        unit=unit,
        position=position,
        token=types.take(number[kept_codes]),
        start=start,
        end=end,
        pos=pos_column,
    )


def _occurring(all_types: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, pa.Array, np.ndarray]:
    """The types ``codes`` use: their codes, those types as Arrow strings, and for every code
    its index in that array.

    Codes from the cache index its whole vocabulary (every text it ever stored): per-type work
    must only see the types of these texts.
    """
    used = np.flatnonzero(np.bincount(codes, minlength=len(all_types)))
    number = np.zeros(len(all_types), dtype=np.int32)
    number[used] = np.arange(len(used), dtype=np.int32)
    return used, pa.array(all_types[used], type=pa.large_string()), number


def _column(all_types: np.ndarray, codes: np.ndarray) -> pa.Array:
    """The strings of ``codes`` as one Arrow array."""
    _, types, number = _occurring(all_types, codes)
    return types.take(number[codes])


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
    # Every column is a new array made for this frame: no need for pandas to copy them again.
    return pd.DataFrame(columns, copy=False)
