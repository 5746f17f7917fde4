"""Every corpus report against its golden file, cell by cell (issue 3, item 6).

The golden files in ``tests/golden`` were written by reading each document by hand, never by
running the parser (``NOTES_pingtan.md``, ``NOTES_other.md``). For each template cell the parsed
value is

* **correct** — equal to the golden value (both blank counts as equal);
* **flagged** — blank, and an error issue names its table (and its row, or no row): the parser
  said it could not read the cell;
* **wrong** — anything else: a number that differs from the golden one, a number where the golden
  cell is blank or "?" (not establishable), or a blank nobody flagged. Any wrong cell fails.

Files whose tables are readable ("true" in the meta CSVs) must have every cell correct. Files whose
tables are unreadable (the ``pingtan_*.txt`` archive extractions, cells run together) must produce
no number at all and an issue ``tables_unreadable``. Metadata (agency, year, published date,
template, sections present) is compared with ``corpus_meta_*.csv``.

The corpus lives outside the repository (``../shared/corpus``); without it every test here is
skipped. Nothing is written: the per-file accuracy table for the README comes from a benchmark
script. Files whose format work is still under way are listed in ``PENDING_CELLS`` /
``PENDING_META`` and marked xfail
(see ``tests/golden/HARNESS.md``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

import govdisclosure as gd
from govdisclosure.codebook import template_cells

GOLDEN = Path(__file__).resolve().parent / "golden"
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"

# Corpus files whose reader or format work is not finished yet: their tests run but may fail
# (xfail, strict=False). PENDING_CELLS covers the table tests (cells, unreadable, pre-2019),
# PENDING_META the metadata test. Delete an entry when it passes — see golden/HARNESS.md.
PENDING_CELLS: dict[str, str] = {
}
PENDING_META: dict[str, str] = {
}
_EPS = 1e-9


def _meta_rows() -> list[dict[str, str]]:
    frames = [
        pd.read_csv(path, dtype=str, keep_default_na=False)
        for path in sorted(GOLDEN.glob("corpus_meta_*.csv"))
    ]
    return pd.concat(frames, ignore_index=True).to_dict("records")


META = {row["file"]: row for row in _meta_rows()}


def _cells_file(file: str) -> Path | None:
    """The golden cells of a corpus file: ``<stem>.cells.csv`` (pingtan_2023.txt has none of its
    own: its cells come from the HTML page of the same report and cannot be read from it)."""
    path = GOLDEN / f"{Path(file).stem}.cells.csv"
    return path if path.exists() else None


def _param(file: str, pending: dict[str, str]) -> object:
    marks = []
    if file in pending:
        marks.append(pytest.mark.xfail(strict=False, reason=pending[file]))
    return pytest.param(file, marks=marks, id=file)


READABLE = [f for f, row in META.items() if row["tables_readable"] in ("true", "partial")]
UNREADABLE = [
    f for f, row in META.items() if row["tables_readable"] == "false" and row["template"] != "pre2019"
]
PRE2019 = [f for f, row in META.items() if row["template"] == "pre2019"]


needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(),
    reason=f"the development corpus is not at {CORPUS} (../shared/corpus); "
    "the golden-file comparisons need it",
)


@cache
def _read(file: str) -> gd.Report:
    return gd.read_report(CORPUS / file)


@dataclass
class Comparison:
    """Cell-by-cell outcome of one report against its golden file."""

    correct: int = 0
    flagged: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.correct + len(self.flagged) + len(self.wrong)


def _float(text: str) -> float:
    return float(text) if text.strip() else math.nan


def _same(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= _EPS * max(1.0, abs(a), abs(b))


def compare(report: gd.Report, golden: pd.DataFrame) -> Comparison:
    """Classify every golden cell as correct, flagged or wrong (module docstring)."""
    parsed = {
        (r.table, r.row, r.col): float(r.value) for r in report.tables.itertuples()
    }
    issues = report.issues
    errors = issues[issues["severity"] == "error"] if len(issues) else issues
    flag_rows = {(r.table, r.row) for r in errors.itertuples()} if len(errors) else set()
    out = Comparison()
    for cell in golden.itertuples():
        key = (cell.table, cell.row, cell.col)
        expected = _float(cell.value)
        got = parsed.get(key, math.nan)
        where = f"{cell.table}/{cell.row}/{cell.col}"
        if _same(got, expected):
            out.correct += 1
        elif math.isnan(got) and ((cell.table, cell.row) in flag_rows
                                  or (cell.table, "") in flag_rows):
            out.flagged.append(where)
        elif math.isnan(got):
            out.wrong.append(f"{where}: blank and not flagged (golden {cell.value or '?'})")
        else:
            golden_text = cell.value or ("?" if cell.raw == "?" else "blank")
            out.wrong.append(f"{where}: parsed {got:g}, golden {golden_text}")
    return out


def _golden_cells(file: str) -> pd.DataFrame:
    path = _cells_file(file)
    assert path is not None, f"no golden cells file for {file}"
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.mark.parametrize("file", [_param(f, PENDING_CELLS) for f in READABLE])
@needs_corpus
def test_cells_match_golden(file: str) -> None:
    golden = _golden_cells(file)
    result = compare(_read(file), golden)
    assert result.total == len(golden) == 200
    summary = (f"{file}: {result.correct} correct, {len(result.flagged)} flagged, "
               f"{len(result.wrong)} wrong of {result.total}")
    assert not result.wrong, summary + "\n" + "\n".join(result.wrong[:40])
    if META[file]["tables_readable"] == "true":
        # Readable tables leave nothing to flag: every cell must come out right.
        assert result.correct == result.total, summary + "; flagged: " + ", ".join(result.flagged)


@pytest.mark.parametrize("file", [_param(f, PENDING_CELLS) for f in UNREADABLE])
@needs_corpus
def test_unreadable_tables_give_no_numbers(file: str) -> None:
    report = _read(file)
    numbers = report.tables["value"].notna().sum() if len(report.tables) else 0
    assert numbers == 0, f"{file}: {numbers} numbers read from tables whose cells run together"
    checks = set(report.issues["check"])
    assert "tables_unreadable" in checks, f"{file}: no tables_unreadable issue; issues: {checks}"


@pytest.mark.parametrize("file", [_param(f, PENDING_CELLS) for f in PRE2019])
@needs_corpus
def test_pre2019_reports_are_narrative_only(file: str) -> None:
    report = _read(file)
    assert report.template == "pre2019"
    assert report.tables.empty


@pytest.mark.parametrize("file", [_param(f, PENDING_META) for f in META])
@needs_corpus
def test_metadata_matches_golden(file: str) -> None:
    row = META[file]
    report = _read(file)
    got = {
        "agency": report.agency if report.meta["agency"] else "",
        "year": "" if report.year is None else str(report.year),
        "published": "" if report.published is None else report.published.isoformat(),
        "template": report.template,
        "sections": ";".join(
            s for s in ("overview", "proactive", "requests", "appeals", "problems", "other")
            if s in set(report.sections["section"])
        ),
    }
    expected = {k: row[k] for k in got}
    assert got == expected


def test_golden_files_are_complete() -> None:
    """Every golden cells file holds the 200 cells of the 2021 template exactly once, and every
    readable corpus file has one (this test runs without the corpus too)."""
    template = {
        (table, cell.row, cell.col)
        for table in ("proactive", "requests", "appeals")
        for cell in template_cells(table, "2021").itertuples()
    }
    assert len(template) == 200
    for file in READABLE:
        golden = _golden_cells(file)
        keys = list(zip(golden["table"], golden["row"], golden["col"], strict=True))
        assert len(keys) == len(set(keys)) == 200, file
        assert set(keys) == template, file
