"""Problems and commitments of section five: which problems agencies name, which statements recur
across agencies, whether each problem has an improvement measure, and whether last year's
promises show up as done — or as the same problem again — the year after.

The functions take the frames of :mod:`govdisclosure.analysis`: ``problems`` and ``commitments``
(one row per item, with a taxonomy ``category``), ``recurring_problems`` (one row per group),
``link_commitments`` (one row per commitment → problem link) and ``follow_through`` (one row per
planned commitment with the next year's report).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from govdisclosure.plot._common import (
    cjk_plot,
    fit_height,
    label_bars,
    legend_outside,
    new_axes,
    no_data,
    tidy,
)

__all__ = ["commitment_links", "follow_through", "problem_categories", "recurring_problems"]

STATUS_ZH = {
    "done": ("已落实", "#009E73"),
    "done_recurs": ("已落实但问题再现", "#E69F00"),
    "recurs": ("未见落实，问题再现", "#D55E00"),
    "no_evidence": ("未见落实的记述", "#BBBBBB"),
}


@cache
def category_names() -> dict[str, str]:
    """Chinese name of each problem category, from the analysis taxonomy (package data)."""
    path = resources.files("govdisclosure").joinpath("data/analysis/taxonomy.csv")
    with path.open(encoding="utf-8") as fh:
        table = pd.read_csv(fh, dtype=str, keep_default_na=False)
    return dict(zip(table["code"], table["label_zh"], strict=True))


def _category(code: object) -> str:
    return category_names().get(str(code), str(code))


def _short(text: str, n: int) -> str:
    """The first ``n`` characters of a statement, with an ellipsis when cut."""
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


@cjk_plot
def problem_categories(problems: pd.DataFrame, commitments: pd.DataFrame | None = None, *,
                       ax: Axes | None = None) -> Axes:
    """How many problem items (and, if given, improvement items) fall in each category.

    Args:
        problems: :func:`govdisclosure.analysis.problems` output (``report_id``, ``category``).
        commitments: :func:`govdisclosure.analysis.commitments` output, drawn beside the
            problems so a reader sees whether the measures address the topics of the problems.
        ax: Axes to draw on; a new figure when None.

    Returns:
        The Axes: horizontal bars per category (Chinese name of the taxonomy), most frequent
        problem on top, each labelled with the items and the number of reports.
    """
    title = "第五部分所列问题的类别"
    if problems.empty and (commitments is None or commitments.empty):
        return no_data(new_axes(ax, (7, 2.6)), title, "未找到问题条目")
    counts = problems.groupby("category").agg(items=("report_id", "size"), reports=("report_id", "nunique"))
    both = commitments is not None
    if both:
        title = "第五部分的问题与改进措施：按类别"
        made = commitments.groupby("category").agg(items=("report_id", "size"), reports=("report_id", "nunique"))
        counts = counts.join(made.add_suffix("_c"), how="outer").fillna(0)
    # "other" (no cue matched) goes last whatever its size: it is the residue, not a topic.
    counts = counts.assign(_other=counts.index == "other").sort_values(
        ["_other", "items"], ascending=[False, True], kind="stable")
    ax = new_axes(ax, (8.5, fit_height(len(counts) * (1.6 if both else 1))))
    y = np.arange(len(counts))
    height = 0.4 if both else 0.75
    bars = ax.barh(y + (height / 2 if both else 0), counts["items"].to_numpy(), height=height,
                   color="#D55E00", label="问题")
    ax.bar_label(bars, labels=[f"{int(i)} 条（{int(r)} 份）" if i else ""
                               for i, r in zip(counts["items"], counts["reports"], strict=True)],
                 padding=3, fontsize=8)
    if both:
        cbars = ax.barh(y - height / 2, counts["items_c"].to_numpy(), height=height, color="#0072B2",
                        label="改进措施")
        ax.bar_label(cbars, labels=[f"{int(i)} 条（{int(r)} 份）" if i else ""
                                    for i, r in zip(counts["items_c"], counts["reports_c"], strict=True)],
                     padding=3, fontsize=8)
        legend_outside(ax)
    ax.set_yticks(y, [_category(c) for c in counts.index])
    _, hi = ax.get_xlim()
    ax.set_xlim(0, hi * 1.3)
    ax.set_xlabel("条目数（条）；括号内为报告数（份）")
    ax.set_title(title)
    tidy(ax, counts="x")
    return ax


@cjk_plot
def recurring_problems(groups: pd.DataFrame, *, top: int = 15, ax: Axes | None = None) -> Axes:
    """The problem statements that recur across reports, by how many reports state them.

    Args:
        groups: :func:`govdisclosure.analysis.recurring_problems` output (``n_reports``,
            ``n_items``, ``category``, ``example``).
        top: The ``top`` groups stated by the most reports.
        ax: Axes to draw on; a new figure when None.

    Returns:
        The Axes: one horizontal bar per group, labelled with its most typical statement (cut
        to 24 characters) and category, most widespread on top.
    """
    title = "反复出现的问题表述：提出该问题的报告数"
    if groups.empty:
        return no_data(new_axes(ax, (7, 2.6)), title, "未发现在多份报告中重复的问题表述")
    shown = groups.sort_values(["n_reports", "n_items"], ascending=False, kind="stable").head(top).iloc[::-1]
    ax = new_axes(ax, (9, fit_height(len(shown), per_row=0.5)))
    labels = [f"{_short(e, 24)}\n［{_category(c)}］" for e, c in zip(shown["example"], shown["category"], strict=True)]
    bars = ax.barh(range(len(shown)), shown["n_reports"].to_numpy(), color="#CC79A7")
    ax.set_yticks(range(len(shown)), labels, fontsize=8)
    label_bars(ax, bars, shown["n_reports"].tolist(), fmt="{:.0f} 份")
    more = f"（前 {top} 组，共 {len(groups)} 组）" if len(groups) > top else ""
    ax.set_title(title + more)
    ax.set_xlabel("提出该问题的报告数（份）；标签为该组最典型的表述及其类别")
    tidy(ax, counts="x")
    return ax


@cjk_plot
def commitment_links(links: pd.DataFrame, problems: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Whether each problem a report names is answered by an improvement measure of the same report.

    Args:
        links: :func:`govdisclosure.analysis.link_commitments` output (``report_id``,
            ``problem``, ``commitment``).
        problems: :func:`govdisclosure.analysis.problems` output: every problem item counts,
            also those no measure answers.
        ax: Axes to draw on; a new figure when None.

    Returns:
        The Axes: per problem category, the items answered by at least one measure and those
        not answered, stacked, with the share answered at the end of each bar.
    """
    title = "问题是否有对应的改进措施（同一报告内）"
    if problems.empty:
        return no_data(new_axes(ax, (7, 2.6)), title, "未找到问题条目")
    answered = set(zip(links["report_id"], links["problem"].astype(int), strict=True))
    flags = [(rid, int(item)) in answered for rid, item in zip(problems["report_id"], problems["item"], strict=True)]
    table = (problems.assign(answered=flags).groupby(["category", "answered"]).size().unstack(fill_value=0)
             .reindex(columns=[True, False], fill_value=0))
    table = table.assign(_n=table.sum(axis=1), _other=table.index == "other").sort_values(
        ["_other", "_n"], ascending=[False, True], kind="stable")
    ax = new_axes(ax, (8.5, fit_height(len(table))))
    labels = [_category(c) for c in table.index]
    yes, no = table[True].to_numpy(), table[False].to_numpy()
    ax.barh(labels, yes, color="#0072B2", label="有对应措施")
    bars = ax.barh(labels, no, left=yes, color="#DDDDDD", label="无对应措施")
    ax.bar_label(bars, labels=[f"{y / n:.0%}（{y}/{n}）" for y, n in zip(yes, yes + no, strict=True)],
                 padding=3, fontsize=8)
    _, hi = ax.get_xlim()
    ax.set_xlim(0, hi * 1.3)
    total = len(problems)
    ax.set_title(f"{title}：{sum(flags)}/{total} 条问题有对应措施")
    ax.set_xlabel("问题条目数（条）；条形旁为有对应措施的比例")
    legend_outside(ax)
    tidy(ax, counts="x")
    return ax


@cjk_plot
def follow_through(follow: pd.DataFrame, *, by: str = "category", ax: Axes | None = None) -> Axes:
    """What became of last year's planned measures according to the next year's report.

    Args:
        follow: :func:`govdisclosure.analysis.follow_through` output (``status``, ``category``,
            ``year``, ``next_year``).
        by: ``"category"`` (rows are the measures' categories) or ``"year"`` (rows are the
            pairs of years, "2021→2022").
        ax: Axes to draw on; a new figure when None.

    Returns:
        The Axes: stacked horizontal bars of measures by status — done, done but the problem
        recurs, not shown done and the problem recurs, no evidence either way.
    """
    title = "上年改进措施的落实情况（据下一年度报告）"
    if follow.empty:
        return no_data(new_axes(ax, (7, 2.6)), title, "没有可与下一年度报告对照的改进措施")
    if by == "year":
        keys = follow["year"].astype(int).astype(str) + "→" + follow["next_year"].astype(int).astype(str)
    elif by == "category":
        keys = follow["category"].map(_category)
    else:
        raise ValueError(f"by must be 'category' or 'year', not {by!r}")
    table = (pd.crosstab(keys, follow["status"]).reindex(columns=list(STATUS_ZH), fill_value=0))
    if by == "year":
        table = table.sort_index(ascending=False)  # earliest on top
    else:
        table = table.assign(_n=table.sum(axis=1)).sort_values("_n", kind="stable").drop(columns="_n")
    ax = new_axes(ax, (8.5, fit_height(len(table))))
    left = np.zeros(len(table))
    for status, (zh, color) in STATUS_ZH.items():
        vals = table[status].to_numpy(dtype=float)
        ax.barh(table.index, vals, left=left, color=color, label=zh)
        left += vals
    done = table[["done", "done_recurs"]].sum(axis=1).to_numpy()
    bars = ax.barh(table.index, np.zeros(len(table)), left=left)
    ax.bar_label(bars, labels=[f"落实 {d:.0f}/{n:.0f}" for d, n in zip(done, left, strict=True)], padding=3,
                 fontsize=8)
    _, hi = ax.get_xlim()
    ax.set_xlim(0, hi * 1.3)
    agencies = follow["agency"].nunique() if "agency" in follow else 0
    ax.set_title(f"{title}（{agencies} 个机关，{len(follow)} 项措施）")
    ax.set_xlabel("改进措施数（项）")
    legend_outside(ax, fontsize=8)
    tidy(ax, counts="x")
    return ax
