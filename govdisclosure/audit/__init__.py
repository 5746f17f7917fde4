"""The audit a disclosure office runs every spring, located to the cell (issue 8).

>>> import govdisclosure as gd
>>> from govdisclosure.audit import audit, write_audit
>>> corpus = gd.read_corpus("data/samples")
>>> findings = audit(corpus)                       # one row per finding
>>> write_audit(findings, corpus.reports, "audit.xlsx")   # or .csv / .html

Checks, by group (``checks=`` takes group names or single check codes):

- ``parse``: the issues found while parsing — arithmetic rules, missing sections and tables.
- ``text_table``: numbers in the narrative against the tables and section six.
- ``across_years``: 上年结转 against last year's 结转下年度, 现行有效件数 drift, missing years.
- ``form``: renamed sections, outdated or absent template tables, blank cells, 信息处理费 not
  reported in section six, duplicate files of one report.
- ``deadline``: publication date against the legal deadline.
- ``copied``: near-identical sections one and five (内容雷同).

Severity and Chinese wording of every finding live in ``data/audit/findings.csv``; patterns,
deadlines and thresholds in the other files of ``data/audit``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

import pandas as pd

from govdisclosure.audit._common import (
    FINDING_COLUMNS,
    SEVERITY_RANK,
    finding_specs,
    findings_frame,
)
from govdisclosure.audit.copied import check_copied, similar_sections
from govdisclosure.audit.deadline import check_deadline, publication_status
from govdisclosure.audit.form import check_form
from govdisclosure.audit.narrative import check_narrative, extract_statements
from govdisclosure.audit.output import write_audit
from govdisclosure.audit.parsed import check_parsed
from govdisclosure.audit.years import check_years
from govdisclosure.issues import ISSUE_COLUMNS
from govdisclosure.report import Report, reports_frame

__all__ = [
    "CHECK_GROUPS",
    "FINDING_COLUMNS",
    "audit",
    "extract_statements",
    "publication_status",
    "similar_sections",
    "write_audit",
]

CHECK_GROUPS = ("parse", "text_table", "across_years", "form", "deadline", "copied")


class _Frames(Protocol):
    reports: pd.DataFrame
    sections: pd.DataFrame
    tables: pd.DataFrame
    issues: pd.DataFrame


_Runner = Callable[[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame], list[dict[str, object]]]
_RUNNERS: dict[str, _Runner] = {
    "parse": lambda r, s, t, i: check_parsed(r, i),
    "text_table": lambda r, s, t, i: check_narrative(r, s, t),
    "across_years": lambda r, s, t, i: check_years(r, t, i),
    "form": check_form,
    "deadline": lambda r, s, t, i: check_deadline(r),
    "copied": check_copied,
}


def audit(corpus: _Frames | Report, *, checks: Iterable[str] | None = None) -> pd.DataFrame:
    """Run the audit over a corpus (or one report) and return one row per finding.

    Args:
        corpus: A :class:`~govdisclosure.Corpus` (or anything with its ``reports``, ``sections``,
            ``tables`` and ``issues`` frames, e.g. reloaded from CSV), or a single
            :class:`~govdisclosure.Report` (then the across-years and copied-content checks have
            nothing to compare with).
        checks: Group names (:data:`CHECK_GROUPS`) and/or single check codes of
            ``data/audit/findings.csv``; None runs everything.

    Returns:
        The finding frame, sorted by agency, year, severity and check (within a check, in the
        order of the template: rows, then columns): ``report_id``,
        ``agency``, ``year`` (Int64), ``check``, ``severity`` (error/warning/info),
        ``location`` (printed labels: "表三（七）总计·自然人", "第一部分 总体情况 第2句"),
        ``table``, ``row``, ``col``, ``section`` (codes), ``expected``, ``reported``,
        ``message`` (Chinese) and ``evidence`` (the sentence or passages, where useful).

    Raises:
        ValueError: An unknown group or check code; the message lists the valid ones.
    """
    reports, sections, tables, issues = _frames(corpus)
    groups, codes = _selection(checks)
    rows: list[dict[str, object]] = []
    for group, whole in groups:
        found = _RUNNERS[group](reports, sections, tables, issues)
        rows += found if whole else [r for r in found if r["check"] in codes]
    frame = findings_frame(rows)
    order = frame.assign(
        _sev=frame["severity"].map(SEVERITY_RANK).fillna(3),
        _year=frame["year"].fillna(0),
    ).sort_values(["agency", "_year", "report_id", "_sev", "check"], kind="stable")
    return order.drop(columns=["_sev", "_year"]).reset_index(drop=True)


def _frames(corpus: _Frames | Report) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    if isinstance(corpus, Report):
        return (reports_frame([corpus.meta]), corpus.sections, corpus.tables,
                corpus.issues.reindex(columns=ISSUE_COLUMNS))
    return corpus.reports, corpus.sections, corpus.tables, corpus.issues


def _selection(checks: Iterable[str] | None) -> tuple[list[tuple[str, bool]], set[str]]:
    """Groups to run, each with whether all its findings are kept, and the single codes asked."""
    if checks is None:
        return [(g, True) for g in CHECK_GROUPS], set()
    if isinstance(checks, str):
        checks = [checks]
    specs = finding_specs()
    whole: set[str] = set()
    codes: set[str] = set()
    for name in checks:
        if name in CHECK_GROUPS:
            whole.add(name)
        elif name in specs.index:
            codes.add(name)
        else:
            raise ValueError(
                f"unknown check {name!r}; groups are {', '.join(CHECK_GROUPS)}; "
                f"checks are {', '.join(specs.index)}"
            )
    partial = {str(specs.loc[c, "group"]) for c in codes}
    return [(g, g in whole) for g in CHECK_GROUPS if g in whole | partial], codes
