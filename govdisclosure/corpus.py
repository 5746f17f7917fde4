"""Many reports → one :class:`Corpus` of DataFrames; every input path ends up parsed or failed."""

from __future__ import annotations

import glob
import html
import sys
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from govdisclosure.errors import GovDisclosureError
from govdisclosure.issues import ISSUE_COLUMNS
from govdisclosure.report import Report, read_report, reports_frame
from govdisclosure.sections import SECTION_COLUMNS
from govdisclosure.tables import TABLE_COLUMNS

FAILURE_COLUMNS = ["source_path", "error", "message"]


class GovDisclosureWarning(UserWarning):
    """The one summary warning a corpus run emits when files could not be read."""


@dataclass(frozen=True, repr=False, eq=False)
class Corpus:
    """The DataFrames of many reports (DESIGN.md §4). Build it with :func:`read_corpus`."""

    reports: pd.DataFrame
    sections: pd.DataFrame
    tables: pd.DataFrame
    issues: pd.DataFrame
    failures: pd.DataFrame

    def __len__(self) -> int:
        return len(self.reports)

    def __repr__(self) -> str:
        errors = int((self.issues["severity"] == "error").sum())
        return (
            f"<Corpus reports={len(self.reports)} failures={len(self.failures)} "
            f"cells={len(self.tables)} issues={len(self.issues)} errors={errors}>"
        )

    def _repr_html_(self) -> str:
        esc = html.escape
        banner = ""
        if len(self.failures):
            banner = (f'<div style="background:#f8d7da;padding:4px 8px">{len(self.failures)} '
                      f"files could not be read: "
                      + esc(", ".join(Path(p).name for p in self.failures["source_path"].head(5)))
                      + "</div>")
        shown = self.reports[["agency", "year", "template", "level", "n_issues"]].head(20)
        return (f"<div><b>Corpus</b>: {len(self.reports)} reports, {len(self.issues)} issues"
                f"{banner}{shown.to_html(escape=True)}</div>")

    def to_csv(self, directory: str | Path) -> list[Path]:
        """Write each frame as ``<name>.csv`` in UTF-8 with BOM, so Excel on Chinese Windows opens it."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for name in ("reports", "sections", "tables", "issues", "failures"):
            path = out / f"{name}.csv"
            getattr(self, name).to_csv(path, index=False, encoding="utf-8-sig")
            paths.append(path)
        return paths


def expand_paths(paths: str | Path | Iterable[str | Path]) -> list[str]:
    """A directory (all files below it, sorted), a glob pattern, a file, or a list of those."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    out: list[str] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            out += sorted(str(p) for p in path.rglob("*")
                          if p.is_file() and not any(part.startswith(".") for part in p.parts[len(path.parts):]))
        elif any(ch in str(item) for ch in "*?["):
            out += sorted(glob.glob(str(item), recursive=True))
        else:
            out.append(str(item))
    return out


def read_corpus(
    paths: str | Path | Iterable[str | Path], *, progress: bool | None = None
) -> Corpus:
    """Read many reports.

    Args:
        paths: A directory, a glob pattern, a file, or a list of those.
        progress: Show a progress bar; by default only when stderr is a terminal.

    Returns:
        A Corpus whose ``reports`` and ``failures`` together hold every input path once.
        A file that cannot be read lands in ``failures`` with its reason; when any did, one
        :class:`GovDisclosureWarning` sums them up.
    """
    files = expand_paths(paths)
    metas, sections, tables, issues, failures = [], [], [], [], []
    for path, result in _parse_all(files, progress):
        if isinstance(result, Report):
            metas.append(result.meta)
            sections.append(result.sections)
            tables.append(result.tables)
            issues.append(result.issues)
        else:
            failures.append((path, type(result).__name__, str(result)))
    corpus = Corpus(
        reports=reports_frame(metas),
        sections=_concat(sections, ["report_id", *SECTION_COLUMNS]),
        tables=_concat(tables, ["report_id", *TABLE_COLUMNS]),
        issues=_concat(issues, ISSUE_COLUMNS),
        failures=pd.DataFrame(failures, columns=FAILURE_COLUMNS),
    )
    if failures:
        warnings.warn(
            f"{len(failures)} of {len(files)} files could not be read; see Corpus.failures "
            f"(first: {failures[0][0]}: {failures[0][2]})",
            GovDisclosureWarning,
            stacklevel=2,
        )
    return corpus


def _parse_all(files: list[str], progress: bool | None) -> Iterator[tuple[str, Report | Exception]]:
    show = sys.stderr.isatty() if progress is None else progress
    iterator: Iterable[str] = files
    if show:
        from tqdm.auto import tqdm

        iterator = tqdm(files, desc="reading reports", unit="report")
    for path in iterator:
        try:
            yield path, read_report(path)
        except (GovDisclosureError, OSError) as exc:  # recorded in failures, never dropped
            yield path, exc


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]
