"""Requests and appeals: how many requests came in, what became of them, why information was
withheld, and how administrative review and litigation ended.

:func:`request_volumes` and :func:`request_outcomes` draw the frame of
:func:`govdisclosure.analysis.request_outcomes`, :func:`appeal_outcomes` that of
:func:`govdisclosure.analysis.appeal_outcomes` — per report, or pooled per group when the
analysis was run with ``by=`` — so a figure shows exactly the numbers the analysis returns, with
its definitions (shares of 三（七）总计; correction rate = 结果纠正 ÷ 已审结).
:func:`withheld_reasons` reads the long ``tables`` frame, for the reason rows of （三）–（五）.
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
    cjk_plot,
    fit_height,
    index_by,
    label_bars,
    legend_outside,
    new_axes,
    no_data,
    ordinal_order,
    row_labels,
    tidy,
    wrap,
)

__all__ = ["appeal_outcomes", "request_outcomes", "request_volumes", "withheld_reasons"]

# The six outcome groups of 表三 三、本年度办理结果 in the template's order, by the codes of
# analysis.request_outcomes (the names differ from the codebook's group codes rejected and
# other_processing, used for the reason rows below).
SHARES = {
    "granted": ("（一）予以公开", "#009E73"),
    "partly_granted": ("（二）部分公开", "#56B4E9"),
    "withheld": ("（三）不予公开", "#D55E00"),
    "unavailable": ("（四）无法提供", "#E69F00"),
    "not_processed": ("（五）不予处理", "#CC79A7"),
    "other": ("（六）其他处理", "#999999"),
}
# Codebook groups of 表三 (（六）其他处理 is three rows in the 2021 format and one,
# other_handling, in 2019).
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


@cjk_plot
def request_volumes(outcomes: pd.DataFrame, reports: pd.DataFrame | None = None, *, top: int = 30,
                    ax: Axes | None = None) -> Axes:
    """Requests to handle in the year: newly received plus carried in from last year.

    Args:
        outcomes: :func:`govdisclosure.analysis.request_outcomes` output, per report or pooled
            (``by="year"``, ``"level"`` …).
        reports: The ``reports`` frame, for report labels (agency and year).
        top: Show the ``top`` largest; the title says when some were left out.
        ax: Axes to draw on; a new figure when None.

    Returns:
        The Axes: horizontal bars, largest on top (years and levels in their own order),
        本年新收 and 上年结转 stacked, the sum written at the end. Reports without a table are
        left out.
    """
    by = index_by(outcomes.index)
    title = f"政府信息公开申请数量（按{by}）"
    wide = outcomes[["received", "carried_in"]].dropna(how="all")
    if wide.empty:
        return no_data(new_axes(ax, (7, 2.6)), title, "无依申请公开统计表")
    wide = wide.assign(_n=wide.sum(axis=1))
    if not (wide["_n"] > 0).any():
        return no_data(new_axes(ax, (7, 2.6)), title, f"{len(wide)} 个{by}的新收和上年结转申请均为 0 件")
    wide.index = row_labels(wide.index, reports)
    wide = wide.sort_values("_n", ascending=False, kind="stable")
    shown = wide.head(top).iloc[::-1]
    natural = ordinal_order(shown.index, outcomes.index.name)
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


@cjk_plot
def request_outcomes(outcomes: pd.DataFrame, reports: pd.DataFrame | None = None, *, top: int = 30,
                     ax: Axes | None = None) -> Axes:
    """What became of the requests: the shares of the six outcome groups of 表三, one bar each.

    Args:
        outcomes: :func:`govdisclosure.analysis.request_outcomes` output, per report or pooled.
        reports: The ``reports`` frame, for report labels.
        top: Show the ``top`` rows with the most requests handled.
        ax: Axes to draw on; a new figure when None.

    Returns:
        The Axes: stacked horizontal bars of the ``share_*`` columns in percent, in the template's
        order of outcomes; rows sorted by the share granted in full or in part (highest on top),
        years and levels in their own order. The number handled (（七）总计) is written at the right;
        where the outcome rows do not add up to it the bar does not end at 100 and the label says
        what they add up to. Rows with nothing handled are left out (their shares are NaN).
    """
    by = index_by(outcomes.index)
    title = f"依申请公开办理结果构成（按{by}）"
    shares = outcomes[[f"share_{k}" for k in SHARES]].dropna(how="all").fillna(0) * 100
    if shares.empty:
        return no_data(new_axes(ax, (7, 2.6)), title, "办结申请均为 0 件或无统计表")
    n = outcomes.loc[shares.index, "total_processed"]
    parts = outcomes.loc[shares.index, "outcomes_sum"]
    extra = ""
    if "n_with_table" in outcomes.columns:  # pooled: say how many reports had a table
        extra_counts = outcomes.loc[shares.index, ["n_with_table", "n_reports"]]
        extra = [f"（{int(a)}/{int(b)} 份有表）" for a, b in extra_counts.to_numpy()]
    labels = row_labels(shares.index, reports)
    if extra:
        labels = [f"{lab}{e}" for lab, e in zip(labels, extra, strict=True)]
    frame = shares.assign(_n=n.to_numpy(), _parts=parts.to_numpy(),
                          _open=shares["share_granted"] + shares["share_partly_granted"])
    frame.index = labels
    n_rows = len(frame)
    frame = frame.sort_values("_n", ascending=False, kind="stable").head(top)
    natural = ordinal_order(pd.Index([lab.split("（")[0] for lab in frame.index]), outcomes.index.name)
    if natural is not None:
        order = {lab.split("（")[0]: lab for lab in frame.index}
        frame = frame.loc[[order[k] for k in natural]]
    else:
        frame = frame.sort_values("_open", kind="stable")  # highest share granted ends on top
    ax = new_axes(ax, (9, fit_height(len(frame)) + 0.4))
    ylabels = [wrap(x, 22) for x in frame.index]
    left = np.zeros(len(frame))
    for code, (zh, color) in SHARES.items():
        vals = frame[f"share_{code}"].to_numpy()
        bars = ax.barh(ylabels, vals, left=left, color=color, label=zh)
        # Percentages inside segments wide enough to hold them.
        ax.bar_label(bars, labels=[f"{v:.0f}%" if v >= 7 else "" for v in vals], label_type="center",
                     fontsize=7, color="white" if code in ("granted", "withheld") else "black")
        left += vals
    for y, (total, summed) in enumerate(zip(frame["_n"], frame["_parts"], strict=True)):
        note = "" if summed == total or np.isnan(summed) else f"（分项合计 {summed:,.0f}）"
        ax.text(max(101.0, left[y] + 1), y, f"{total:,.0f} 件{note}", va="center", fontsize=8, color="#333333")
    ax.set_xlim(0, max(100.0, float(left.max())) + 16)
    ax.set_xticks(range(0, 101, 20))
    more = f"（办结最多的 {top} 个）" if n_rows > top else ""
    # The legend sits in one row between the title and the bars, in the bars' order.
    ax.set_title(title + more, pad=22)
    ax.set_xlabel("占办结申请（（七）总计）的比例（%）；右侧为办结申请数（件）")
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
def appeal_outcomes(appeals: pd.DataFrame, reports: pd.DataFrame | None = None, *,
                    rows: Literal["proceeding", "group"] = "proceeding",
                    proceedings: tuple[str, ...] = tuple(APPEAL_KINDS), ax: Axes | None = None) -> Axes:
    """How administrative review and litigation over disclosure ended (表四).

    Args:
        appeals: :func:`govdisclosure.analysis.appeal_outcomes` output (rows per report or group
            and ``proceeding``).
        reports: The ``reports`` frame, for report labels with ``rows="group"``.
        rows: ``"proceeding"``: one bar per kind of case (复议, 直接起诉, 复议后起诉), summed over
            the frame's reports or groups; ``"group"``: one bar per report or group, summing the
            ``proceedings`` chosen.
        proceedings: The kinds of case to include.
        ax: Axes to draw on; a new figure when None.

    Returns:
        The Axes: horizontal bars stacked 维持 / 纠正 / 其他 / 尚未审结, their sum at the end with
        the correction rate 结果纠正 ÷ 已审结 (维持 + 纠正 + 其他) of the summed counts — the
        analysis' definition; the printed 总计 is not used, so a row whose 总计 contradicts its
        cells does not distort the bar.
    """
    title = "行政复议和行政诉讼的结果"
    keys = [n for n in appeals.index.names if n != "proceeding"]
    frame = appeals.reset_index()
    frame = frame[frame["proceeding"].isin(proceedings)]
    if rows == "proceeding":
        counts = frame.groupby("proceeding")[list(APPEAL_RESULTS)].sum(min_count=1)
        counts = counts.reindex([p for p in proceedings if p in counts.index])
        with_table = frame.dropna(subset=list(APPEAL_RESULTS), how="all")
        units = with_table[keys].drop_duplicates()
        sub = f"（{len(units)} 份报告合计）" if keys == ["report_id"] else f"（{len(units)} 组合计）"
        counts.index = [APPEAL_KINDS[p] for p in counts.index]
    elif rows == "group":
        counts = frame.groupby(keys, dropna=False)[list(APPEAL_RESULTS)].sum(min_count=1)
        counts.index = row_labels(counts.index, reports)
        sub = f"（按{index_by(appeals.index.droplevel('proceeding'))}）"
    else:
        raise ValueError(f"rows must be 'proceeding' or 'group', not {rows!r}")
    counts = counts.dropna(how="all").fillna(0)
    if counts.empty:
        return no_data(new_axes(ax, (7, 2.6)), title, "无复议诉讼统计表")
    if not (counts.to_numpy() > 0).any():
        return no_data(new_axes(ax, (7, 2.6)), title + sub, "行政复议和行政诉讼案件均为 0 件")
    if rows == "group":
        natural = ordinal_order(pd.Index([lab.split("（")[0] for lab in counts.index]),
                                keys[0] if len(keys) == 1 else None)
        if natural is not None:
            order = {lab.split("（")[0]: lab for lab in counts.index}
            counts = counts.loc[[order[k] for k in natural]]
        else:
            counts = counts.assign(_n=counts.sum(axis=1)).sort_values("_n", kind="stable").drop(columns="_n")
    else:
        counts = counts.iloc[::-1]  # the printed table's order, top to bottom
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
