"""Across years of one agency (TEMPLATE.md "Across years of one agency").

- 上年结转 (year N) = 结转下年度继续办理 (year N−1), column by column: the requests carried over
  are the same requests.
- 现行有效件数 (N) against 现行有效件数 (N−1) + 本年制发件数 (N) − 本年废止件数 (N), a warning only:
  revisions and documents that expire without a repeal make legitimate differences
  (pingtan_2024 prints 440 where 470 + 62 − 33 = 499).
- A year missing from an agency's series between its first and last report.

Reports are grouped by :func:`~govdisclosure.audit._common.agency_key`; of two files of one agency
and year the one with more table numbers is used (``primary_reports``).
"""

from __future__ import annotations

import itertools
import math

import pandas as pd

from govdisclosure.audit._common import (
    ReportInfo,
    cell_label,
    cell_values,
    finding,
    primary_reports,
    report_infos,
)

_TOLERANCE = 1e-6
Key = tuple[str, str, str]
# Rows of the 2021 table "proactive" that carry 本年制发 / 本年废止 / 现行有效 (第二十条第（一）项).
_DOCUMENT_ROWS = ("rules", "normative_documents")
_REQUEST_COLS = ("natural_person", "business", "research", "nonprofit", "legal_service", "other_org", "total")


def check_years(reports: pd.DataFrame, tables: pd.DataFrame, issues: pd.DataFrame) -> list[dict[str, object]]:
    """Findings across consecutive years of each agency."""
    ranked = primary_reports(reports, tables, issues)
    ranked = ranked[ranked["primary"] & (ranked["key"] != "") & ranked["year"].notna()]
    infos = report_infos(reports)
    cells = cell_values(tables)
    out: list[dict[str, object]] = []
    for _key, series in ranked.groupby("key", sort=True):
        by_year = {int(y): str(rid) for y, rid in zip(series["year"], series["report_id"], strict=True)}
        years = sorted(by_year)
        for previous, current in itertools.pairwise(years):
            info = infos[by_year[current]]
            if current - previous > 1:
                for missing in range(previous + 1, current):
                    out.append(finding(info, "year_missing", "年度序列", fields={
                        "first_year": str(years[0]), "last_year": str(years[-1]),
                        "missing_year": str(missing)}))
                continue
            now, before = cells.get(by_year[current], {}), cells.get(by_year[previous], {})
            out += _carryover(info, now, before, previous)
            out += _in_force(info, now, before, previous)
    return out


def _number(cells: dict[Key, float], key: Key) -> float | None:
    value = cells.get(key)
    return None if value is None or math.isnan(value) else value


def _carryover(
    info: ReportInfo, now: dict[Key, float], before: dict[Key, float], previous: int
) -> list[dict[str, object]]:
    out = []
    for col in _REQUEST_COLS:
        carried_in = _number(now, ("requests", "carried_in", col))
        carried_out = _number(before, ("requests", "carried_out", col))
        if carried_in is None or carried_out is None or abs(carried_in - carried_out) <= _TOLERANCE:
            continue
        out.append(finding(
            info, "carryover_mismatch", cell_label("requests", "carried_in", col, info.template),
            table="requests", row="carried_in", col=col, section="requests",
            expected=carried_out, reported=carried_in, fields={"previous_year": str(previous)},
        ))
    return out


def _in_force(
    info: ReportInfo, now: dict[Key, float], before: dict[Key, float], previous: int
) -> list[dict[str, object]]:
    out = []
    for row in _DOCUMENT_ROWS:
        current = _number(now, ("proactive", row, "in_force"))
        prior = _number(before, ("proactive", row, "in_force"))
        issued = _number(now, ("proactive", row, "issued"))
        repealed = _number(now, ("proactive", row, "repealed"))
        if None in (current, prior, issued, repealed):
            continue
        expected = prior + issued - repealed  # type: ignore[operator]
        if abs(expected - current) <= _TOLERANCE:  # type: ignore[operator]
            continue
        out.append(finding(
            info, "in_force_drift", cell_label("proactive", row, "in_force", info.template),
            table="proactive", row=row, col="in_force", section="proactive",
            expected=expected, reported=current,
            fields={"previous": prior, "issued": issued, "repealed": repealed,
                    "previous_year": str(previous)},
        ))
    return out
