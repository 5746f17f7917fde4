"""Fixtures for the audit tests: seed reports with distinct values, re-dated, re-worded, as corpora."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from distinct import SEED_PIPE, SEED_TAB, distinct_values, fill_seed

import govdisclosure as gd
from govdisclosure.corpus import Corpus
from govdisclosure.issues import ISSUE_COLUMNS
from govdisclosure.report import reports_frame

SEEDS = {"tab": SEED_TAB, "pipe": SEED_PIPE}
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
Cell = tuple[str, str, str]


def seed_text(layout: str, *, year: int = 2024, values: dict[Cell, float] | None = None) -> str:
    """A seed report for ``year`` (title, statistics period and signature date moved along),
    its tables filled with ``values`` when given (else the seed's zeros)."""
    text = SEEDS[layout].read_text(encoding="utf-8")
    # Seed 002 signs "2025年1月17日" and plans for "2025年"; move both with the year. Before the
    # table is filled, so that no cell value is taken for a year.
    text = text.replace("2025", "\0").replace("2024", str(year)).replace("\0", str(year + 1))
    if values is not None:
        text = fill_seed(text, values)
    return text


def read_text(text: str, name: str = "fixture.txt") -> gd.Report:
    return gd.read_report(text.encode("utf-8"), format="txt", name=name)


def corpus_of(*reports: gd.Report) -> Corpus:
    """A Corpus from parsed reports, as read_corpus builds it (no files needed)."""

    def concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
        frames = [f for f in frames if len(f)]
        return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)

    return Corpus(
        reports=reports_frame([r.meta for r in reports]),
        sections=concat([r.sections for r in reports], list(reports[0].sections.columns)),
        tables=concat([r.tables for r in reports], list(reports[0].tables.columns)),
        issues=concat([r.issues for r in reports], ISSUE_COLUMNS),
        failures=pd.DataFrame(columns=["source_path", "error", "message"]),
    )


def filled(layout: str, *, year: int = 2024, seed: int = 0) -> tuple[str, dict[Cell, float]]:
    values = distinct_values("2021", seed=seed)
    return seed_text(layout, year=year, values=values), values


APPLICANTS = ["natural_person", "business", "research", "nonprofit", "legal_service", "other_org"]


def follow_on(before: dict[Cell, float], now: dict[Cell, float]) -> dict[Cell, float]:
    """``now`` changed to continue ``before``: 上年结转 = last year's 结转下年度 in every column
    (新收 adjusted so the table still balances), 现行有效 = last year's + 制发 − 废止 for both rows."""
    out = dict(now)
    for col in APPLICANTS:
        out[("requests", "carried_in", col)] = before[("requests", "carried_out", col)]
        out[("requests", "received", col)] = (out[("requests", "total_processed", col)]
                                              + out[("requests", "carried_out", col)]
                                              - out[("requests", "carried_in", col)])
    for row in ("received", "carried_in"):
        out[("requests", row, "total")] = sum(out[("requests", row, c)] for c in APPLICANTS)
    for row in ("rules", "normative_documents"):
        out[("proactive", row, "in_force")] = (before[("proactive", row, "in_force")]
                                               + out[("proactive", row, "issued")]
                                               - out[("proactive", row, "repealed")])
    return out


def _overview(text: str) -> tuple[int, int]:
    start = text.index("总体情况") + len("总体情况")
    return start, text.index("二、主动公开政府信息情况")


def copied_pipe() -> str:
    """Seed 002 whose 一、总体情况 is seed 000's, with other counts (a copy with the numbers changed)."""
    tab, pipe = seed_text("tab"), seed_text("pipe")
    start, end = _overview(tab)
    body = tab[start:end].replace("184", "97").replace("54 个", "21 个").replace("72 篇", "30 篇")
    p_start, p_end = _overview(pipe)
    return pipe[:p_start] + body + pipe[p_end:]
