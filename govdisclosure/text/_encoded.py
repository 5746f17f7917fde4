"""Token lists of many texts in dictionary-encoded form: :class:`EncodedTokens`.

A corpus has a few thousand distinct tokens per 700,000 tokens. Keeping each distinct token
once (``types``) and every token as an integer code into it is what the token cache stores
(as ids into its vocabulary) and what the tidy frame is built from: per-type work (length,
kind, stopword) then runs once per type, and rebuilding token lists is one NumPy take that
only copies references to the shared type strings instead of creating a string per token.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["SEPARATOR", "EncodedTokens", "Tokens", "as_joined", "as_list", "encode", "splittable"]

# Worker processes send a text's tokens joined by the ASCII unit separator (one string pickles
# far faster than a list of small ones); Arrow splits such strings in C++.
SEPARATOR = "\x1f"
# Texts that cannot take the Arrow route: the separator itself (joining would be ambiguous) or
# a lone surrogate (not valid UTF-8, which Arrow strings must be).
_NOT_SPLITTABLE = re.compile("[\x1f\ud800-\udfff]")

# A text's tokens as segmented here (a list) or as sent by a worker (one joined string).
Tokens = list[str] | str


def splittable(text: str) -> bool:
    """Whether ``text``'s tokens may be joined by :data:`SEPARATOR` and handed to Arrow."""
    return _NOT_SPLITTABLE.search(text) is None


def as_list(tokens: Tokens) -> list[str]:
    """A text's tokens as a list (splitting a joined string)."""
    if isinstance(tokens, list):
        return tokens
    return tokens.split(SEPARATOR) if tokens else []


def as_joined(tokens: Tokens) -> str:
    """A text's tokens joined by :data:`SEPARATOR`."""
    return tokens if isinstance(tokens, str) else SEPARATOR.join(tokens)


@dataclass(frozen=True)
class EncodedTokens:
    """The tokens of many texts as codes into a table of distinct tokens.

    Attributes:
        types: Object array of token strings; entries no code points to may be ``None``.
        codes: Integer array, every text's tokens in order, each an index into ``types``.
        counts: ``int64`` array, the number of tokens of each text.
    """

    types: np.ndarray
    codes: np.ndarray
    counts: np.ndarray

    def lists(self) -> list[list[str]]:
        """One token list per text."""
        # One take copies references to the shared type strings; slicing the flat list costs
        # a reference per token too. Neither creates a string.
        flat = self.types[self.codes].tolist()
        out: list[list[str]] = []
        start = 0
        for end in np.cumsum(self.counts).tolist():
            out.append(flat[start:end])
            start = end
        return out


def encode(values: Sequence[Tokens], *, arrow: bool) -> EncodedTokens:
    """Dictionary-encode freshly segmented texts.

    Args:
        values: Each text's tokens, a list or a joined string.
        arrow: Every text was :func:`splittable`: join, split and encode in Arrow (C++), which
            costs less than one dict lookup per token in Python. Otherwise, encode in Python.
    """
    if not arrow:
        return _encode_in_python(values)
    joined = pa.array([as_joined(v) or None for v in values], type=pa.large_string())
    split = pc.split_pattern(joined, pattern=SEPARATOR)
    counts = pc.list_value_length(split).fill_null(0).to_numpy().astype(np.int64)
    encoded = pc.list_flatten(split).dictionary_encode()
    return EncodedTokens(
        types=encoded.dictionary.to_numpy(zero_copy_only=False),
        codes=encoded.indices.to_numpy(zero_copy_only=False),
        counts=counts,
    )


def _encode_in_python(values: Sequence[Tokens]) -> EncodedTokens:
    lists = [as_list(v) for v in values]
    index: dict[str, int] = {}
    codes = np.fromiter(
        (index.setdefault(t, len(index)) for t in chain.from_iterable(lists)),
        dtype=np.int64,
        count=sum(map(len, lists)),
    )
    types = np.empty(len(index), dtype=object)
    types[:] = list(index)
    counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    return EncodedTokens(types, codes, counts)
