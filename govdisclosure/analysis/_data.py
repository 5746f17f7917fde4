"""The package data of the analyses (``govdisclosure/data/analysis``), read once and cached.

Every rule that decides something — channel names, the problem taxonomy, where section five's
problem part ends, what a quantity looks like, which request rows make an outcome — is a row in
one of these files, with a ``why`` column naming the report that forced it. The code only
interprets them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pandas as pd

__all__ = [
    "Category",
    "ChannelPattern",
    "ChannelWord",
    "channel_patterns",
    "channel_words",
    "outcome_rows",
    "part_patterns",
    "quantity_settings",
    "read_analysis_csv",
    "setting",
    "taxonomy",
]


def read_analysis_csv(name: str) -> pd.DataFrame:
    """Read ``govdisclosure/data/analysis/<name>`` with every column as text (blanks are "")."""
    path = resources.files("govdisclosure").joinpath(f"data/analysis/{name}")
    with path.open(encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


@dataclass(frozen=True)
class ChannelWord:
    """One surface form of the channel vocabulary."""

    surface: str
    code: str
    category: str
    label_zh: str
    generic: bool


@dataclass(frozen=True)
class ChannelPattern:
    """A form that finds channel names missing from the vocabulary (``云上郟县 app``)."""

    code: str
    category: str
    pattern: re.Pattern[str]


@cache
def channel_words() -> tuple[ChannelWord, ...]:
    """The vocabulary of ``channels.csv``, one entry per surface form, longest first.

    Longest first makes the alternation built from it match leftmost-longest: 河南日报农村版
    before 河南日报, 微信视频号 before 视频号 and 微信, 公开栏目 before 公开栏.
    """
    table = read_analysis_csv("channels.csv")
    words: dict[str, ChannelWord] = {}
    for row in table.itertuples():
        for surface in str(row.surfaces).split("|"):
            surface = surface.strip()
            if not surface:
                continue
            if surface in words and words[surface].code != row.code:
                raise ValueError(
                    f"channels.csv: surface {surface!r} belongs to both {words[surface].code!r} "
                    f"and {row.code!r}; a surface form must name one channel"
                )
            words[surface] = ChannelWord(surface, row.code, row.category, row.label_zh, row.generic == "1")
    return tuple(sorted(words.values(), key=lambda w: (-len(w.surface), w.surface)))


@cache
def channel_labels() -> dict[str, tuple[str, str]]:
    """``code → (category, label_zh)`` for vocabulary codes and unknown-form codes."""
    out = {r.code: (r.category, r.label_zh) for r in read_analysis_csv("channels.csv").itertuples()}
    for r in read_analysis_csv("channel_patterns.csv").itertuples():
        out.setdefault(r.code, (r.category, r.code))
    return out


@cache
def channel_patterns() -> tuple[ChannelPattern, ...]:
    """The unknown-form patterns of ``channel_patterns.csv``."""
    table = read_analysis_csv("channel_patterns.csv")
    return tuple(ChannelPattern(r.code, r.category, re.compile(r.pattern)) for r in table.itertuples())


@dataclass(frozen=True)
class QuantitySettings:
    number: re.Pattern[str]
    stop: re.Pattern[str]
    max_gap: int


@cache
def quantity_settings() -> QuantitySettings:
    """The number pattern, the clause stop and the maximum gap of ``quantities.csv``."""
    rows = {r.role: r.pattern for r in read_analysis_csv("quantities.csv").itertuples()}
    return QuantitySettings(re.compile(rows["number"]), re.compile(rows["stop"]), int(rows["max_gap"]))


@dataclass(frozen=True)
class Category:
    """One row of the problem/commitment taxonomy."""

    code: str
    priority: int
    label_zh: str
    label_en: str
    cues: tuple[str, ...]


@cache
def taxonomy() -> tuple[Category, ...]:
    """``taxonomy.csv`` in priority order (ties between categories go to the first)."""
    table = read_analysis_csv("taxonomy.csv")
    cats = [
        Category(r.code, int(r.priority), r.label_zh, r.label_en, tuple(c for c in r.cues.split("|") if c))
        for r in table.itertuples()
    ]
    return tuple(sorted(cats, key=lambda c: c.priority))


@cache
def part_patterns() -> dict[str, tuple[re.Pattern[str], ...]]:
    """``parts.csv`` grouped by role: each role's patterns, compiled, in file order."""
    out: dict[str, list[re.Pattern[str]]] = {}
    for r in read_analysis_csv("parts.csv").itertuples():
        out.setdefault(r.role, []).append(re.compile(r.pattern))
    return {k: tuple(v) for k, v in out.items()}


@cache
def settings() -> dict[str, str]:
    """``settings.csv`` as ``key → value`` (text)."""
    return {r.key: r.value for r in read_analysis_csv("settings.csv").itertuples()}


def setting(key: str) -> str:
    """One value of ``settings.csv``; raises ``KeyError`` naming the file when it is absent."""
    values = settings()
    if key not in values:
        raise KeyError(f"{key!r} is not in govdisclosure/data/analysis/settings.csv")
    return values[key]


def setting_float(key: str) -> float:
    return float(setting(key))


@cache
def outcome_rows() -> pd.DataFrame:
    """``outcomes.csv``: which table row feeds which measure of the request outcomes."""
    return read_analysis_csv("outcomes.csv")


@cache
def problem_stopwords() -> frozenset[str]:
    """``problem_stopwords.txt``: words that mark a problem or a promise but not its topic."""
    path = resources.files("govdisclosure").joinpath("data/analysis/problem_stopwords.txt")
    with path.open(encoding="utf-8") as fh:
        return frozenset(w for line in fh if (w := line.strip()) and not w.startswith("#"))
