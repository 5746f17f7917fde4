"""Placing table rows that lost their labels, with the table's row order and arithmetic as referees.

PDF-to-Markdown conversion detaches labels from their numbers: shanghai_kewei_2024.md prints ten
of the 25 requests rows as bare "| 8 | 2 | 0 | 0 | 0 | 0 | 10 |" lines, their wrapped labels
scattered as loose text elsewhere. Such a row can still be placed when the table keeps the
template's row order (every labelled row of that report does): the labelled rows before and after
it bound the rows it can be, and when the bare rows between two labelled rows are exactly as many
as the template rows missing there, only one placement keeps the order. When several placements
keep the order, the arithmetic rules decide — if exactly one placement breaks fewer rules than all
others. Anything else stays unplaced and is reported; a guess is never written into a cell.

This module only decides; :mod:`govdisclosure.tables` reads the rows and writes the cells and
issues.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations
from math import comb
from typing import Literal

__all__ = ["Decision", "Floating", "resolve_floating"]

# Above this many order-keeping placements of one gap, none is scored: the rules could not single
# one out among so many (within a group such as （三）1–8 every placement gives the same sums).
_MAX_CANDIDATES = 64


@dataclass(frozen=True)
class Floating:
    """A data row whose own label named no template row.

    Attributes:
        seq: Its position among the table's data rows, in document order.
        cells: The row's value cells as printed.
        values: The row's cells fitted to the table's columns; None when their count does not fit.
        label: The row's own label text ("" when it has none).
        hint: A row code that label lines wrapped above it suggest, or None. Loose label lines of
            a fragmented table may belong to another row, so a hint only counts when the
            labelled rows around the row allow it.
    """

    seq: int
    cells: tuple[str, ...]
    values: tuple[str, ...] | None
    label: str = ""
    hint: str | None = None


@dataclass(frozen=True)
class Decision:
    """What became of one floating row.

    Attributes:
        row: The floating row.
        code: The template row it was placed in, or None.
        how: ``"order"`` (the only order-keeping placement), ``"label"`` (the only one that
            agrees with the label lines wrapped above the rows), ``"rules"`` (the one placement
            the arithmetic rules prefer), ``"unplaced"`` or ``"ignored"`` (no number in it, e.g.
            the "| - | - |" placeholder rows of shuyang_2025.txt's header fragments).
        before: Code of the nearest labelled row above ("" at the table's start).
        after: Code of the nearest labelled row below ("" at its end).
        gap: The template rows that were free between them.
        alternatives: How many order-keeping placements there were.
        reason: Why the row was not placed (empty when it was).
        hint_ignored: True when the row's hint names another row than the one chosen.
        failures: For ``"rules"``: how many rule instances the chosen placement still breaks
            (0 when it satisfies every rule).
    """

    row: Floating
    code: str | None
    how: Literal["order", "label", "rules", "unplaced", "ignored"]
    before: str = ""
    after: str = ""
    gap: tuple[str, ...] = ()
    alternatives: int = 0
    reason: str = ""
    hint_ignored: bool = False
    failures: int = 0


def resolve_floating(
    floating: Sequence[Floating],
    anchors: Sequence[tuple[int, str]],
    row_order: Sequence[str],
    filled: set[str],
    score: Callable[[dict[str, tuple[str, ...]]], int],
) -> list[Decision]:
    """Decide where each floating row goes.

    Args:
        floating: The rows without a recognised label, in document order.
        anchors: ``(seq, code)`` of the rows placed by their own labels.
        row_order: The template's row codes in printed order.
        filled: Row codes that already hold values.
        score: Number of rule violations of the table with the given extra rows placed; lower
            is better.

    Returns:
        One decision per floating row.
    """
    order = {code: i for i, code in enumerate(row_order)}
    anchors = sorted((seq, code) for seq, code in anchors if code in order)
    runs: dict[tuple[str, str], list[Floating]] = {}
    for row in floating:
        before = next((code for seq, code in reversed(anchors) if seq < row.seq), "")
        after = next((code for seq, code in anchors if seq > row.seq), "")
        runs.setdefault((before, after), []).append(row)
    decisions: list[Decision] = []
    for (before, after), rows in runs.items():
        lo = order[before] if before else -1
        hi = order[after] if after else len(row_order)
        gap = tuple(c for c in row_order if lo < order[c] < hi and c not in filled)
        decisions += _resolve_run(rows, before, after, gap, score)
    return sorted(decisions, key=lambda d: d.row.seq)


def _resolve_run(rows: list[Floating], before: str, after: str, gap: tuple[str, ...],
                 score: Callable[[dict[str, tuple[str, ...]]], int]) -> list[Decision]:
    def unplaced(row: Floating, reason: str, n: int = 0) -> Decision:
        return Decision(row, None, "unplaced", before, after, gap, n, reason)

    decisions: list[Decision] = []
    occupants: list[Floating] = []
    for row in rows:
        if row.values is not None:
            occupants.append(row)
        elif not row.label and not any(ch.isdigit() for ch in "".join(row.cells)):
            decisions.append(Decision(row, None, "ignored", before, after, gap))
        else:
            decisions.append(unplaced(row, "单元格个数与表格列数不符，不是一整行数据"))
    if not occupants:
        return decisions
    if len(occupants) > len(gap):
        reason = (f"前后有标签的行之间只空缺 {len(gap)} 行，却有 {len(occupants)} 行无法识别标签的数值"
                  if gap else "前后有标签的行之间没有空缺的行")
        return decisions + [unplaced(row, reason) for row in occupants]
    if comb(len(gap), len(occupants)) > 50_000:
        return decisions + [unplaced(row, "可能的位置过多") for row in occupants]
    every = list(combinations(range(len(gap)), len(occupants)))
    how: Literal["order", "label", "rules"] = "order"
    candidates = every
    if len(every) > 1:
        # Several order-keeping placements: a hint inside the gap pins its row. Hints are not
        # used when order alone decides: the loose label lines of a fragmented table stand as a
        # block before the rows they label (shanghai_kewei_2024.md, "2.没有现成信息需要另行制作" /
        # "3.补正后申请内容仍不明确" above the rows of （四）2 and 3), so the line nearest a row
        # often names a later row.
        pins = [gap.index(r.hint) if r.hint in gap else None for r in occupants]
        pinned = [
            slots for slots in every
            if all(pin is None or pin == slot for pin, slot in zip(pins, slots, strict=True))
        ]
        if pinned and any(pin is not None for pin in pins):
            candidates, how = pinned, "label"
    n = len(candidates)
    chosen = candidates[0]
    if n > 1:
        if n > _MAX_CANDIDATES:
            return decisions + [unplaced(r, f"按行序有 {n} 种放置方式，无法确定", n) for r in occupants]
        scores = [
            score({gap[s]: r.values for s, r in zip(slots, occupants, strict=True)
                   if r.values is not None})
            for slots in candidates
        ]
        best = min(scores)
        if scores.count(best) > 1:
            return decisions + [
                unplaced(r, f"按行序有 {n} 种放置方式，算术规则无法区分", n) for r in occupants
            ]
        how, chosen = "rules", candidates[scores.index(best)]
    failures = best if how == "rules" else 0
    for row, slot in zip(occupants, chosen, strict=True):
        decisions.append(Decision(row, gap[slot], how, before, after, gap, n,
                                  hint_ignored=row.hint is not None and row.hint != gap[slot],
                                  failures=failures))
    return decisions
