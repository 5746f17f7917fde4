"""Deadline: the publication date against the legal deadline (条例第四十九条; TEMPLATE.md).

Departments publish last year's report by 31 January; a government's disclosure office publishes
the government's own report by 31 March; townships and streets follow 31 January in most
provinces. The deadlines are package data (``data/audit/deadlines.csv``) keyed by the ``level``
column of ``reports``; an unknown level is judged against the latest deadline, so "late" is
never claimed where a level could excuse it.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import pandas as pd

from govdisclosure.audit._common import finding, read_audit_table, report_infos

STATUS_COLUMNS = ["report_id", "published", "deadline", "status", "rule"]
STATUS_ZH = {"on_time": "按时", "late": "逾期", "early": "日期存疑", "unknown": "日期不详"}


@cache
def _deadlines() -> dict[str, tuple[int, int, str]]:
    table = read_audit_table("deadlines.csv")
    return {r.level: (int(r.month), int(r.day), r.rule) for r in table.itertuples()}


def deadline_for(level: str, year: int) -> tuple[dt.date, str]:
    """The last day to publish a report on ``year`` for an agency of ``level``, and the rule."""
    table = _deadlines()
    month, day, rule = table.get(level or "", table[""])
    return dt.date(year + 1, month, day), rule


def publication_status(reports: pd.DataFrame) -> pd.DataFrame:
    """One row per report: ``published``, ``deadline``, ``status`` (on_time/late/early/unknown).

    ``early`` is a date on or before the end of the reporting year itself: the statistics period
    runs to 31 December, so such a date (or the year) is wrong.
    """
    rows = []
    for report in reports.itertuples():
        if pd.isna(report.year):
            rows.append((report.report_id, pd.NaT, pd.NaT, "unknown", ""))
            continue
        level = "" if pd.isna(report.level) else str(report.level)
        deadline, rule = deadline_for(level, int(report.year))
        published = report.published
        if pd.isna(published):
            status = "unknown"
        else:
            day = pd.Timestamp(published).date()
            year_end = dt.date(int(report.year), 12, 31)
            status = "early" if day <= year_end else "late" if day > deadline else "on_time"
        rows.append((report.report_id, published, pd.Timestamp(deadline), status, rule))
    frame = pd.DataFrame(rows, columns=STATUS_COLUMNS)
    frame["published"] = pd.to_datetime(frame["published"])
    frame["deadline"] = pd.to_datetime(frame["deadline"])
    return frame


def check_deadline(reports: pd.DataFrame) -> list[dict[str, object]]:
    """Late publication (error), a date inside the reporting year (warning), no date (info)."""
    infos = report_infos(reports)
    out = []
    for row in publication_status(reports).itertuples():
        info = infos[str(row.report_id)]
        if info.year is None:
            continue
        deadline = row.deadline.date().isoformat()
        published = "" if pd.isna(row.published) else row.published.date().isoformat()
        if row.status == "late":
            out.append(finding(info, "late_publication", "发布日期", expected=deadline,
                               reported=published, fields={"rule": row.rule}))
        elif row.status == "early":
            out.append(finding(info, "published_early", "发布日期", expected=deadline, reported=published))
        elif row.status == "unknown":
            out.append(finding(info, "date_unknown", "发布日期", expected=deadline))
    return out
