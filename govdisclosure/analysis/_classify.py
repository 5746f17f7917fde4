"""Classify a problem or commitment item with the taxonomy of ``data/analysis/taxonomy.csv``.

Each category has cue words. Cues are matched longest first without overlap, so 责任意识 counts
for awareness and not also 责任 for mechanisms. A category scores one point per distinct cue it
has in the item, two when the cue stands in the item's first clause: reports name the topic
first and the detail after ("政策解读质量仍需提升，个别单位政策解读内容简单、形式单一",
huaian_2024). The highest score wins; a tie goes to the category listed first (``priority``);
no cue at all gives ``other``.
"""

from __future__ import annotations

import re
from functools import cache

from govdisclosure.analysis._data import taxonomy
from govdisclosure.analysis._text import squeeze

_CLAUSE_END = re.compile(r"[，,。；;：:！？!?]")


@cache
def _cue_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    owner: dict[str, str] = {}
    for cat in taxonomy():
        for cue in cat.cues:
            if cue in owner and owner[cue] != cat.code:
                raise ValueError(f"taxonomy.csv: cue {cue!r} belongs to both {owner[cue]!r} and {cat.code!r}")
            owner[cue] = cat.code
    alternation = "|".join(re.escape(c) for c in sorted(owner, key=lambda c: (-len(c), c)))
    return re.compile(alternation), owner


def classify(text: str) -> tuple[str, list[str]]:
    """``(category, cues)`` of one item: the winning category and its cue words as found.

    Example:
        >>> classify("政府信息管理机制落实不到位")
        ('mechanisms', ['机制', '落实'])
    """
    compact = squeeze(text)
    pattern, owner = _cue_pattern()
    head_end = m.start() if (m := _CLAUSE_END.search(compact)) else len(compact)
    weights: dict[str, dict[str, int]] = {}
    for match in pattern.finditer(compact):
        cue = match.group()
        per = weights.setdefault(owner[cue], {})
        per[cue] = max(per.get(cue, 0), 2 if match.start() < head_end else 1)
    if not weights:
        return "other", []
    order = {cat.code: k for k, cat in enumerate(taxonomy())}
    best = min(weights, key=lambda code: (-sum(weights[code].values()), order[code]))
    return best, list(weights[best])
