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
    if values is not None:
        text = fill_seed(text, values)
    # Seed 002 signs "2025年1月17日" and plans for "2025年"; move both with the year.
    text = text.replace("2025", str(year + 1)).replace("2024", str(year))
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
