"""Request and appeal statistics from the long ``tables`` frame: volumes, outcome shares, and
correction rates, per report or pooled per group (level, region, year).

Definitions (the researcher's choices, stated once here):

- A request outcome share is the outcome's count over 三（七）总计 (``total_processed``) of the
  same column (default 总计). Which request rows make which outcome is
  ``data/analysis/outcomes.csv`` (（三）1–8 → withheld, （四）1–3 → unavailable, …).
- The correction rate of a proceeding is 结果纠正 / (结果维持 + 结果纠正 + 其他结果): the share of
  the cases *decided* during the year in which the agency's reply was corrected. That is
  结果纠正 / (总计 − 尚未审结) when the row balances; the results are used rather than 总计
  because a printed 总计 can contradict its cells (hongze_2023.pdf). Pending cases have no
  result yet; counting them in the denominator would make an agency with a backlog look better.
  ``upheld_rate`` is 结果维持 over the same denominator.
- Zero volume gives NaN shares and rates, never an error (most townships receive no request:
  both seeds). A cell printed blank or as a placeholder (NaN in ``tables``) counts as nothing
  when other cells of the same sum are printed, and leaves the sum NaN when none is.
- Pooled figures sum the counts of the group's reports first and divide after, so a group's
  share is weighted by volume (Σ granted / Σ total), not an average of report shares.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from govdisclosure.analysis._data import outcome_rows

__all__ = ["appeal_outcomes", "request_outcomes"]

OUTCOME_GROUPS = ("granted", "partly_granted", "withheld", "unavailable", "not_processed", "other")
VOLUMES = ("received", "carried_in", "total_processed", "carried_out")
PROCEEDINGS = ("review", "litigation_direct", "litigation_after_review", "litigation")
APPEAL_COUNTS = ("upheld", "corrected", "other", "pending", "total")


def _require(frame: pd.DataFrame, name: str, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks column(s) {missing}; it has {list(frame.columns)}")


def _cells(tables: pd.DataFrame, table: str, col: str | None) -> pd.DataFrame:
    """``report_id`` × row of one table (one column of it, or all columns as a MultiIndex)."""
    _require(tables, "tables", ("report_id", "table", "row", "col", "value"))
    part = tables[tables["table"] == table]
    if col is not None:
        part = part[part["col"] == col]
        return part.pivot_table(index="report_id", columns="row", values="value", aggfunc="first", dropna=False)
    return part.pivot_table(index="report_id", columns=["row", "col"], values="value", aggfunc="first",
                            dropna=False)


def _sum(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    present = [c for c in columns if c in frame.columns]
    if not present:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    return frame[present].sum(axis=1, min_count=1)


def _share(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """``numerator / denominator``, NaN where the denominator is 0 or NaN."""
    den = denominator.where(denominator > 0)
    return numerator / den


def _with_reports(frame: pd.DataFrame, reports: pd.DataFrame | None) -> pd.DataFrame:
    """Every report of ``reports`` gets a row (NaN when its table is missing or unreadable)."""
    if reports is None:
        return frame
    _require(reports, "reports", ("report_id",))
    return frame.reindex(pd.Index(reports["report_id"].astype(str).unique(), name="report_id"))


def _grouped(frame: pd.DataFrame, reports: pd.DataFrame | None, by: str | Sequence[str] | None,
             counts: Sequence[str], extra_keys: Sequence[str] = ()) -> pd.DataFrame:
    """Per-report counts, or their sums per group of ``reports`` columns."""
    if by is None:
        return frame
    if reports is None:
        raise ValueError("by= needs the reports frame (the groups are its columns: level, province, year …)")
    keys = [by] if isinstance(by, str) else list(by)
    _require(reports, "reports", ["report_id", *keys])
    joined = frame.reset_index().merge(reports[["report_id", *keys]].astype({"report_id": "str"}),
                                       on="report_id", how="left")
    group_keys = [*keys, *extra_keys]
    has_table = joined[list(counts)].notna().any(axis=1)
    sums = joined.groupby(group_keys, dropna=False)[list(counts)].sum(min_count=1)
    sums.insert(0, "n_reports", joined.groupby(group_keys, dropna=False)["report_id"].nunique())
    sums.insert(1, "n_with_table", joined[has_table].groupby(group_keys, dropna=False)["report_id"].nunique()
                .reindex(sums.index).fillna(0).astype("int64"))
    return sums


def request_outcomes(
    tables: pd.DataFrame,
    reports: pd.DataFrame | None = None,
    *,
    by: str | Sequence[str] | None = None,
    col: str = "total",
) -> pd.DataFrame:
    """Request volumes and outcome shares per report, or pooled per group.

    Args:
        tables: The long ``tables`` frame (rows of table ``requests`` are used).
        reports: The ``reports`` frame: every report gets a row (NaN without a table), and it
            supplies the ``by`` columns.
        by: A ``reports`` column or columns to pool over (``"level"``, ``["province", "year"]``).
        col: The applicant column (``total``, ``natural_person``, ``business`` …).

    Returns:
        Indexed by ``report_id`` (or the ``by`` columns, with ``n_reports`` and
        ``n_with_table``): volumes ``received``, ``carried_in``, ``total_processed``,
        ``carried_out``; counts ``granted``, ``partly_granted``, ``withheld`` and each
        ``withheld_*`` reason, ``unavailable``, ``not_processed``, ``other``; ``outcomes_sum``
        (their sum, which the format says equals ``total_processed``); and ``share_<count>``
        for every count (NaN when ``total_processed`` is 0 or missing).

    Example:
        >>> import govdisclosure as gd
        >>> from govdisclosure.analysis import request_outcomes
        >>> rep = gd.read_report("data/samples/000_dc9580d96d94ba76.txt")
        >>> out = request_outcomes(rep.tables)
        >>> float(out["total_processed"].iloc[0]), bool(out["share_granted"].isna().iloc[0])
        (0.0, True)
    """
    cells = _cells(tables, "requests", col)
    mapping = outcome_rows()
    mapping = mapping[mapping["table"] == "requests"]
    out = pd.DataFrame(index=cells.index)
    for volume in VOLUMES:
        out[volume] = cells[volume] if volume in cells.columns else np.nan
    for group in OUTCOME_GROUPS:
        out[group] = _sum(cells, mapping.loc[mapping["measure"] == group, "row"].tolist())
    reasons = mapping.loc[mapping["measure"] == "withheld", "row"].tolist()
    for reason in reasons:
        out[reason] = cells[reason] if reason in cells.columns else np.nan
    out["outcomes_sum"] = _sum(out, list(OUTCOME_GROUPS))
    counts = [*VOLUMES, *OUTCOME_GROUPS, *reasons, "outcomes_sum"]
    out = _grouped(_with_reports(out.astype("float64"), reports), reports, by, counts)
    for name in [*OUTCOME_GROUPS, *reasons]:
        out[f"share_{name}"] = _share(out[name], out["total_processed"])
    return out


def appeal_outcomes(
    tables: pd.DataFrame,
    reports: pd.DataFrame | None = None,
    *,
    by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Administrative review and litigation: counts, correction and upheld rates.

    Args:
        tables: The long ``tables`` frame (rows of table ``appeals`` are used).
        reports: The ``reports`` frame: every report gets rows (NaN without a table), and it
            supplies the ``by`` columns.
        by: A ``reports`` column or columns to pool over.

    Returns:
        One row per report (or group) and ``proceeding`` — ``review`` (行政复议),
        ``litigation_direct`` (未经复议直接起诉), ``litigation_after_review`` (复议后起诉) and
        ``litigation`` (the two together): ``upheld``, ``corrected``, ``other``, ``pending``,
        ``total``, ``decided`` (upheld + corrected + other: total − pending when the row
        balances), ``balanced`` (upheld + corrected + other + pending == total),
        ``correction_rate`` (corrected / decided), ``upheld_rate`` (upheld / decided),
        ``pending_share`` (pending / total); rates are NaN when their denominator is 0 or
        missing.
    """
    cells = _cells(tables, "appeals", None)
    frames = []
    for proceeding in PROCEEDINGS[:3]:
        part = pd.DataFrame(index=cells.index)
        for count in APPEAL_COUNTS:
            key = (proceeding, count)
            part[count] = cells[key] if key in cells.columns else np.nan
        frames.append(_with_reports(part.astype("float64"), reports))
    both = pd.concat([frames[1], frames[2]]).groupby(level=0, sort=False).sum(min_count=1)
    frames.append(both.reindex(frames[1].index))
    long = pd.concat(frames, keys=list(PROCEEDINGS), names=["proceeding", "report_id"])
    long = long.swaplevel().reindex(pd.MultiIndex.from_product([frames[0].index, PROCEEDINGS],
                                                               names=["report_id", "proceeding"]))
    if by is not None:
        long = _grouped(long.reset_index("proceeding"), reports, by, APPEAL_COUNTS, extra_keys=["proceeding"])
        # Groups in their own order, proceedings in the order of the printed table.
        rank = long.index.get_level_values("proceeding").map({p: k for k, p in enumerate(PROCEEDINGS)})
        long = (long.assign(_rank=np.asarray(rank)).reset_index("proceeding")
                .sort_values("_rank", kind="stable").sort_index(kind="stable")
                .set_index("proceeding", append=True).drop(columns="_rank"))
    # Decided cases are the results themselves: total − pending when the row balances, but a
    # printed 总计 can contradict its cells (hongze_2023.pdf: 行政复议 结果维持 10, 结果纠正 1, 总计 0).
    long["decided"] = _sum(long, ["upheld", "corrected", "other"])
    parts = long[["upheld", "corrected", "other", "pending"]].sum(axis=1, min_count=1)
    long["balanced"] = (parts == long["total"]).astype("boolean").mask(parts.isna() | long["total"].isna())
    long["correction_rate"] = _share(long["corrected"], long["decided"])
    long["upheld_rate"] = _share(long["upheld"], long["decided"])
    long["pending_share"] = _share(long["pending"], long["total"])
    return long
