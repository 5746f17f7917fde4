"""Requests and appeals: how many requests came in, what became of them, why information was
withheld, and how administrative review and litigation ended.

The functions read the long ``tables`` frame of the corpus (DESIGN.md §4–§5), so they work the
same on a corpus just parsed and on tables reloaded from CSV or Parquet. Rows can be single
reports or groups of them (``by="year"``, ``"level"``, ``"province"`` or any ``reports`` column).
"""

from __future__ import annotations

from functools import cache
from typing import Literal

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from govdisclosure.codebook import codebook
from govdisclosure.plot._common import (
    LEVEL_ZH,
    cjk_plot,
    fit_height,
    label_bars,
    legend_outside,
    new_axes,
    no_data,
    report_labels,
    tidy,
    wrap,
)

__all__ = ["appeal_outcomes", "request_outcomes", "request_volumes", "withheld_reasons"]

# The six outcome groups of 表三 三、本年度办理结果, in the template's order; （六）其他处理 is three
# rows in the 2021 format and one (other_handling) in 2019.
OUTCOME_GROUPS = {
    "granted": ("（一）予以公开", "#009E73"),
    "partly_granted": ("（二）部分公开", "#56B4E9"),
    "withheld": ("（三）不予公开", "#D55E00"),
    "unavailable": ("（四）无法提供", "#E69F00"),
    "rejected": ("（五）不予处理", "#CC79A7"),
    "other_processing": ("（六）其他处理", "#999999"),
}
APPEAL_KINDS = {"review": "行政复议", "litigation_direct": "行政诉讼：未经复议直接起诉",
                "litigation_after_review": "行政诉讼：复议后起诉"}
APPEAL_RESULTS = {"upheld": ("结果维持", "#0072B2"), "corrected": ("结果纠正", "#D55E00"),
                  "other": ("其他结果", "#999999"), "pending": ("尚未审结", "#E6E6E6")}
By = Literal["report", "year", "level", "province", "city", "agency", "template"] | str


@cache
def _request_rows() -> pd.DataFrame:
    """Every 表三 row code of both formats: parent group, short label, template order."""
    both = pd.concat([codebook("requests", template="2021"), codebook("requests", template="2019")])
    rows = both[both["axis"] == "row"].drop_duplicates("code")
    return rows.set_index("code")[["parent", "label_short", "order"]]


def _outcome_group(code: str) -> str | None:
    rows = _request_rows()
    if code not in rows.index:
        return None
    if code in OUTCOME_GROUPS:
        return code
    parent = rows.loc[code, "parent"]
    if code == "other_handling":  # 2019: （六）其他处理 is a single row
        return "other_processing"
    return parent if parent in OUTCOME_GROUPS else None


def _wide(tables: pd.DataFrame, table: str, col: str | None) -> pd.DataFrame:
    """Report × row (or × (row, col)) values of one table; NaN where blank."""
    cells = tables[tables["table"] == table]
    if col is not None:
        cells = cells[cells["col"] == col]
        return cells.pivot_table(index="report_id", columns="row", values="value", aggfunc="first",
                                 dropna=False)
    return cells.pivot_table(index="report_id", columns=["row", "col"], values="value", aggfunc="first",
                             dropna=False)


def group_labels(reports: pd.DataFrame, by: By) -> pd.Series:
    """The row label of each report when rows are grouped ``by`` a reports column (or "report")."""
    if by == "report":
        return report_labels(reports)
    if by not in reports.columns:
        raise ValueError(f"cannot group by {by!r}: reports has no such column; "
                         f"use 'report' or one of {', '.join(reports.columns)}")
    values = reports.set_index("report_id")[by]
    if by == "year":
        return values.map(lambda y: "年度不明" if pd.isna(y) else f"{int(y)}年")
    if by == "level":
        return values.map(lambda v: "级别不明" if pd.isna(v) or v == "" else LEVEL_ZH.get(v, v))
    return values.map(lambda v: "不明" if pd.isna(v) or v == "" else str(v))


def _grouped(values: pd.DataFrame, reports: pd.DataFrame, by: By) -> pd.DataFrame:
    """Sum report rows into groups; reports absent from ``reports`` are dropped."""
    keys = group_labels(reports, by)
    values = values[values.index.isin(keys.index)]
    return values.groupby(keys.reindex(values.index).to_numpy(), sort=False).sum(min_count=1)


def ordinal_order(labels: pd.Index, by: By | None) -> list | None:
    """Bottom-to-top order of rows for groups with a natural order (years, levels), else None.

    A year or an administrative level is read in its own order, not ranked by size: earliest year
    and highest level on top (a horizontal bar chart draws its first row at the bottom).
    """
    if by == "year":
        return sorted(labels, key=lambda g: (not str(g)[:4].isdigit(), str(g)), reverse=True)
    if by == "level":
        rank = {zh: i for i, zh in enumerate(LEVEL_ZH.values())}
        return sorted(labels, key=lambda g: rank.get(g, len(rank)), reverse=True)
    return None


def _by_zh(by: By) -> str:
    return {"report": "报告", "year": "年度", "level": "行政级别", "province": "省份", "city": "地市",
            "agency": "机关", "template": "格式"}.get(by, by)


@cjk_plot
def request_volumes(tables: pd.DataFrame, reports: pd.DataFrame, *, by: By = "report", top: int = 30,
                    ax: Axes | None = None) -> Axes:
    """Requests to handle in the year: newly received plus carried in from last year.

    Args:
        tables: The long ``tables`` frame (column ``total`` of 表三 is used).
        reports: The ``reports`` frame, for labels and groups.
        by: One bar per report (``"report"``) or per group of a ``reports`` column.
        top: Show the ``top`` largest; the title says when some were left out.
        ax: Axes to draw on; a new figure when None.

    Returns:
        The Axes: horizontal bars, largest on top (years and levels in their own order),
        本年新收 and 上年结转 stacked, the sum written at the end.
    """
    title = f"政府信息公开申请数量（按{_by_zh(by)}）"
    wide = _wide(tables, "requests", "total").reindex(columns=["received", "carried_in"])
    wide = _grouped(wide, reports, by).dropna(how="all")
    if wide.empty:
        return no_data(new_axes(ax, (7, 2.6)), title, "无依申请公开统计表")
    wide["_n"] = wide[["received", "carried_in"]].sum(axis=1)
    if not (wide["_n"] > 0).any():
        return no_data(new_axes(ax, (7, 2.6)), title,
                       f"{len(wide)} 个{_by_zh(by)}的新收和上年结转申请均为 0 件")
    wide = wide.sort_values("_n", ascending=False, kind="stable")
    shown = wide.head(top).iloc[::-1]
    natural = ordinal_order(shown.index, by)
    if natural is not None:
        shown = shown.loc[natural]
    ax = new_axes(ax, (8, fit_height(len(shown))))
    labels = [wrap(x, 20) for x in shown.index]
    received = shown["received"].fillna(0).to_numpy()
    ax.barh(labels, received, color="#0072B2", label="一、本年新收")
    bars = ax.barh(labels, shown["carried_in"].fillna(0).to_numpy(), left=received, color="#56B4E9",
                   label="二、上年结转")
    label_bars(ax, bars, shown["_n"].tolist())
    more = f"（最多的 {top} 个，共 {len(wide)} 个）" if len(wide) > top else ""
    ax.set_title(title + more)
    ax.set_xlabel("申请数（件）")
    legend_outside(ax)
    tidy(ax, counts="x")
    return ax


def outcome_shares(tables: pd.DataFrame, reports: pd.DataFrame, *, by: By = "report") -> pd.DataFrame:
    """Counts of the six outcome groups per report or group, with ``n`` their sum.

    The shares in :func:`request_outcomes` divide by ``n``, the sum of the outcome rows, not by the
    printed （七）总计, so they add up to 100 % even where a report's total does not balance (that
    report has an issue of its own).
    """
    wide = _wide(tables, "requests", "total")
    groups = {code: _outcome_group(code) for code in wide.columns}
    keep = [c for c, g in groups.items() if g is not None]
    summed = wide[keep].T.groupby([groups[c] for c in keep]).sum(min_count=1).T
    summed = summed.reindex(columns=list(OUTCOME_GROUPS))
    summed = _grouped(summed, reports, by).dropna(how="all")
    summed["n"] = summed[list(OUTCOME_GROUPS)].sum(axis=1)
    return summed


@cjk_plot
def request_outcomes(tables: pd.DataFrame, reports: pd.DataFrame, *, by: By = "report", top: int = 30,
                     ax: Axes | None = None) -> Axes:
    """What became of the requests: shares of the six outcome groups of 表三, one bar each.

    Args:
        tables: The long ``tables`` frame (column ``total`` of 表三).
        reports: The ``reports`` frame, for labels and groups.
        by: One bar per report or per group of a ``reports`` column.
        top: Show the ``top`` rows with the most requests handled.
        ax: Axes to draw on; a new figure when None.

    Returns:
        The Axes: 100 % stacked horizontal bars in the template's order of outcomes, rows sorted by
        the share granted in full or in part (highest on top) — years and levels in their own
        order, earliest and highest on top — with the number handled at the right.
        Rows with no request handled are left out (a share of nothing is undefined).
    """
    title = f"依申请公开办理结果构成（按{_by_zh(by)}）"
    counts = outcome_shares(tables, reports, by=by)
    n_rows = len(counts)
    counts = counts[counts["n"] > 0]
    if counts.empty:
        return no_data(new_axes(ax, (7, 2.6)), title, "办结申请均为 0 件")
    counts = counts.sort_values("n", ascending=False, kind="stable").head(top)
    shares = counts[list(OUTCOME_GROUPS)].fillna(0).div(counts["n"], axis=0) * 100
    shares = shares.assign(_open=shares["granted"] + shares["partly_granted"])
    natural = ordinal_order(shares.index, by)
    # Highest share granted ends on top (barh draws the first row at the bottom).
    shares = shares.loc[natural] if natural is not None else shares.sort_values("_open", kind="stable")
    ax = new_axes(ax, (9, fit_height(len(shares)) + 0.4))
    labels = [wrap(x, 20) for x in shares.index]
    left = np.zeros(len(shares))
    for code, (zh, color) in OUTCOME_GROUPS.items():
        vals = shares[code].to_numpy()
        bars = ax.barh(labels, vals, left=left, color=color, label=zh)
        # Percentages inside segments wide enough to hold them.
        ax.bar_label(bars, labels=[f"{v:.0f}%" if v >= 7 else "" for v in vals], label_type="center",
                     fontsize=7, color="white" if code in ("granted", "withheld") else "black")
        left += vals
    n = counts["n"].reindex(shares.index)
    for y, v in enumerate(n):
        ax.text(101, y, f"{v:,.0f} 件", va="center", fontsize=8, color="#333333")
    ax.set_xlim(0, 112)
    ax.set_xticks(range(0, 101, 20))
    more = f"（办结最多的 {top} 个）" if n_rows > top else ""
    # The legend sits in one row between the title and the bars, in the bars' order.
    ax.set_title(title + more, pad=22)
    ax.set_xlabel("占办结申请的比例（%）；右侧为办结申请数（件）")
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=6, frameon=False, fontsize=8,
              handlelength=1.2, columnspacing=1.0, borderaxespad=0.2)
    tidy(ax)
    return ax


@cjk_plot
def withheld_reasons(tables: pd.DataFrame, *, groups: tuple[str, ...] = ("withheld", "unavailable", "rejected"),
                     ax: Axes | None = None) -> Axes:
    """Why requests were not granted: every reason row of 表三 within ``groups``, summed.

    Args:
        tables: The long ``tables`` frame; filter it to the reports you want first.
        groups: Outcome groups whose reason rows are shown: ``"withheld"`` （三）不予公开,
            ``"unavailable"`` （四）无法提供, ``"rejected"`` （五）不予处理, ``"other_processing"`` （六）.
        ax: Axes to draw on; a new figure when None.

    Returns:
        The Axes: one horizontal bar per reason in the template's order, coloured by group, with
        the count written at the end.
    """
    title = "未予公开的申请：按理由"
    cells = tables[(tables["table"] == "requests") & (tables["col"] == "total")]
    rows = _request_rows()
    wanted = [c for c in rows.sort_values("order").index
              if c not in OUTCOME_GROUPS and _outcome_group(c) in groups]
    sums = cells[cells["row"].isin(wanted)].groupby("row")["value"].sum(min_count=1)
    sums = sums.reindex(wanted).dropna()
    if sums.empty:
        return no_data(new_axes(ax, (7, 2.6)), title, "无依申请公开统计表")
    if not (sums > 0).any():
        return no_data(new_axes(ax, (7, 2.6)), title, "各项理由均为 0 件")
    shown = sums.iloc[::-1]
    ax = new_axes(ax, (8, fit_height(len(shown))))
    colors = [OUTCOME_GROUPS[_outcome_group(c) or "other_processing"][1] for c in shown.index]
    bars = ax.barh([rows.loc[c, "label_short"] for c in shown.index], shown.to_numpy(), color=colors)
    label_bars(ax, bars, shown.tolist())
    handles = [Patch(color=OUTCOME_GROUPS[g][1], label=OUTCOME_GROUPS[g][0]) for g in groups]
    legend_outside(ax, handles=handles)
    ax.set_title(title)
    ax.set_xlabel("申请数（件）")
    tidy(ax, counts="x")
    return ax


@cjk_plot
def appeal_outcomes(tables: pd.DataFrame, reports: pd.DataFrame | None = None, *, by: By | None = None,
                    kinds: tuple[str, ...] = tuple(APPEAL_KINDS), ax: Axes | None = None) -> Axes:
    """How administrative review and litigation over disclosure ended (表四).

    Args:
        tables: The long ``tables`` frame.
        reports: The ``reports`` frame; needed only with ``by``.
        by: None for one bar per kind of case (复议, 直接起诉, 复议后起诉) over all reports; else
            one bar per report or group, summing the ``kinds`` chosen.
        kinds: The kinds of case to include.
        ax: Axes to draw on; a new figure when None.

    Returns:
        The Axes: horizontal bars stacked 维持 / 纠正 / 其他 / 尚未审结, the total of the four at
        the end (the printed 总计 is not used, so a total that does not balance does not distort the
        bar) and the correction rate, 结果纠正 ÷ 已审结 (维持 + 纠正 + 其他).
    """
    title = "行政复议和行政诉讼的结果"
    cells = tables[(tables["table"] == "appeals") & tables["row"].isin(kinds)
                   & tables["col"].isin(list(APPEAL_RESULTS))]
    if by is None:
        counts = cells.groupby(["row", "col"])["value"].sum(min_count=1).unstack()
        counts = counts.reindex(index=[k for k in kinds if k in counts.index])
        counts.index = [APPEAL_KINDS[k] for k in counts.index]
        sub = f"（{cells.loc[cells['value'].notna(), 'report_id'].nunique()} 份报告合计）"
    else:
        if reports is None:
            raise ValueError("appeal_outcomes(by=...) needs the reports frame")
        per = cells.groupby(["report_id", "col"])["value"].sum(min_count=1).unstack()
        counts = _grouped(per, reports, by)
        sub = f"（按{_by_zh(by)}）"
    counts = counts.reindex(columns=list(APPEAL_RESULTS)).dropna(how="all").fillna(0)
    if counts.empty:
        return no_data(new_axes(ax, (7, 2.6)), title, "无复议诉讼统计表")
    if not (counts.to_numpy() > 0).any():
        return no_data(new_axes(ax, (7, 2.6)), title + sub, "行政复议和行政诉讼案件均为 0 件")
    if by is not None:
        natural = ordinal_order(counts.index, by)
        if natural is not None:
            counts = counts.loc[natural]
        else:
            counts = counts.assign(_n=counts.sum(axis=1)).sort_values("_n", kind="stable").drop(columns="_n")
    else:
        counts = counts.iloc[::-1]  # template order, top to bottom
    ax = new_axes(ax, (8.5, fit_height(len(counts), base=2.0)))
    labels = [wrap(x, 14) for x in counts.index]
    left = np.zeros(len(counts))
    for col, (zh, color) in APPEAL_RESULTS.items():
        vals = counts[col].to_numpy(dtype=float)
        ax.barh(labels, vals, left=left, color=color, label=zh, edgecolor="#BBBBBB" if col == "pending" else None,
                linewidth=0.5)
        left += vals
    decided = counts[["upheld", "corrected", "other"]].sum(axis=1)
    rate = (counts["corrected"] / decided.where(decided > 0)) * 100
    bars = ax.barh(labels, np.zeros(len(counts)), left=left)
    ax.bar_label(bars, labels=[f"{n:,.0f} 件" + ("" if np.isnan(r) else f"，纠错率 {r:.0f}%")
                               for n, r in zip(left, rate, strict=True)], padding=3, fontsize=8)
    _, hi = ax.get_xlim()
    ax.set_xlim(0, hi * 1.3)
    ax.set_title(title + sub)
    ax.set_xlabel("案件数（件）；纠错率 = 结果纠正 ÷ 已审结")
    legend_outside(ax, fontsize=8)
    tidy(ax, counts="x")
    return ax
