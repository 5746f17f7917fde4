"""Distinct-value fixtures: every template cell a different number, every arithmetic rule held.

The seed reports' tables are all zeros, so they cannot show that a cell landed in the right place.
These fixtures can: a value that lands in the wrong cell is a different number.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from govdisclosure.codebook import codebook, template_cells

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
SEED_TAB = SAMPLES / "000_dc9580d96d94ba76.txt"
SEED_PIPE = SAMPLES / "002_090d11a260a4ff7f.txt"
Cell = tuple[str, str, str]

_APPLICANTS = ["natural_person", "business", "research", "nonprofit", "legal_service", "other_org"]


def _outcome_rows(template: str) -> list[str]:
    book = codebook("requests", template=template)
    rows = book[(book["axis"] == "row")].sort_values("order")["code"].tolist()
    return [r for r in rows if r not in ("received", "carried_in", "total_processed", "carried_out")]


def distinct_values(template: str = "2021", seed: int = 0) -> dict[Cell, float]:
    """Values for every cell of the template, pairwise distinct, satisfying every rule.

    The fee amount carries decimals as real reports do (pingtan_2024 prints 18651.06).
    """
    for attempt in range(seed, seed + 1000):
        values = _attempt(template, random.Random(attempt))
        if len(set(values.values())) == len(values):
            return values
    raise RuntimeError("no distinct assignment found")  # pragma: no cover


def _attempt(template: str, rng: random.Random) -> dict[Cell, float]:
    values: dict[Cell, float] = {}
    pool = rng.sample(range(1, 400), 200)
    proactive = template_cells("proactive", template)
    for i, cell in enumerate(proactive.itertuples()):
        values[("proactive", cell.row, cell.col)] = float(pool[i] + 1000)
    amount_cols = {"fee_amount", "procurement_amount"}
    for key in list(values):
        if key[2] in amount_cols:
            values[key] = values[key] + 0.06
    outcomes = _outcome_rows(template)
    small = iter(pool[len(proactive):])
    for col in _APPLICANTS:
        for row in outcomes:
            values[("requests", row, col)] = float(next(small))
        total = sum(values[("requests", row, col)] for row in outcomes)
        carried_in = float(next(small) + 5000)
        carried_out = float(next(small) + 6000)
        values[("requests", "total_processed", col)] = total
        values[("requests", "carried_in", col)] = carried_in
        values[("requests", "carried_out", col)] = carried_out
        values[("requests", "received", col)] = total + carried_out - carried_in
    rows = ["received", "carried_in", *outcomes, "total_processed", "carried_out"]
    for row in rows:
        values[("requests", row, "total")] = sum(values[("requests", row, c)] for c in _APPLICANTS)
    for i, block in enumerate(["review", "litigation_direct", "litigation_after_review"]):
        parts = [float(next(small) + 7000 + 1000 * i) for _ in range(4)]
        for col, value in zip(["upheld", "corrected", "other", "pending"], parts, strict=True):
            values[("appeals", block, col)] = value
        values[("appeals", block, "total")] = sum(parts)
    return values


def ordered_cells(template: str = "2021") -> list[Cell]:
    """The template's cells in the order the printed tables list them (proactive, requests, appeals)."""
    return [
        (table, cell.row, cell.col)
        for table in ("proactive", "requests", "appeals")
        for cell in template_cells(table, template).itertuples()
    ]


def fill_seed(seed_text: str, values: dict[Cell, float], template: str = "2021") -> str:
    """The seed report with its table zeros replaced, in printed order, by ``values``.

    Both seeds print their 200 cells in codebook order, so the n-th "0" cell of the table lines is
    the n-th template cell. Separators and spacing are kept, so the layout stays the seed's own.
    """
    numbers = iter(_printed(values[cell]) for cell in ordered_cells(template))
    used = 0
    out = []
    for line in seed_text.split("\n"):
        if "\t" in line.lstrip() or "|" in line:
            parts = re.split(r"(\t|\|)", line)
            for i, part in enumerate(parts):
                if part.strip() == "0":
                    parts[i] = part.replace("0", next(numbers))
                    used += 1
            line = "".join(parts)
        out.append(line)
    if used != len(values):
        raise AssertionError(f"seed has {used} zero cells, expected {len(values)}")
    return "\n".join(out)


def _printed(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def write_distinct_corpus(root: Path, pairs: int) -> Path:
    """``pairs`` reports in each seed layout, each pair with its own distinct values, and one
    empty file (a failure), under ``root`` (created)."""
    root.mkdir()
    for i in range(pairs):
        values = distinct_values("2021", seed=100 * i)
        (root / f"tab{i}.txt").write_text(fill_seed(SEED_TAB.read_text(encoding="utf-8"), values),
                                          encoding="utf-8")
        (root / f"pipe{i}.md").write_text(fill_seed(SEED_PIPE.read_text(encoding="utf-8"), values),
                                          encoding="utf-8")
    (root / "empty.txt").write_bytes(b"")
    return root
