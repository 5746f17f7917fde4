"""Publishing channels: how many reports name each channel, the mix per report, and the
quantities reports give ("视频号全年共制作发表视频 54 个").

The functions take the mention frame of :func:`govdisclosure.analysis.channels` (one row per
mention: ``report_id``, ``channel``, ``category``, ``label_zh``, ``count``, ``unit`` …) and, where
a share of reports is shown, the ``reports`` frame: a report that names no channel at all still
counts in the denominator.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import PowerNorm
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from govdisclosure.plot._common import (
    By,
    by_zh,
    cjk_plot,
    fit_height,
    group_labels,
    legend_outside,
    new_axes,
    no_data,
    report_labels,
    tidy,
    wrap,
)

__all__ = ["channel_adoption", "channel_heatmap", "channel_quantities"]

# Category codes of data/analysis/channels.csv, in the order a reader expects them: the
# government's own platforms first, then media, then offline places and direct contact.
CATEGORY_ZH = {
    "website": ("网站", "#0072B2"),
    "new_media": ("政务新媒体", "#56B4E9"),
    "higher_platform": ("上级及全国性平台", "#009E73"),
    "media": ("新闻媒体", "#E69F00"),
    "newspaper": ("报纸", "#D55E00"),
    "broadcast": ("广播电视", "#CC79A7"),
    "offline": ("线下场所与公报", "#F0E442"),
    "hotline": ("热线与信箱", "#999999"),
    "interaction": ("在线互动", "#8C564B"),
}
# Short names for the band over the heatmap's columns, where a category may be one column wide.
CATEGORY_SHORT = {"website": "网站", "new_media": "新媒体", "higher_platform": "上级平台", "media": "媒体",
                  "newspaper": "报纸", "broadcast": "广电", "offline": "线下", "hotline": "热线",
                  "interaction": "互动"}
# Channels found by their form rather than the vocabulary carry their pattern's code as label.
_PATTERN_ZH = {"fabu_account": "“××发布”账号", "weibao_account": "“××微报”账号",
               "newspaper_named": "其他报纸（《》）"}


def _labels(mentions: pd.DataFrame) -> pd.Series:
    """Chinese label per channel code (the mention frame's ``label_zh``)."""
    first = mentions.drop_duplicates("channel").set_index("channel")
    labels = first["label_zh"] if "label_zh" in first else pd.Series(first.index, index=first.index)
    return pd.Series({c: _PATTERN_ZH.get(c, lab if lab != c else c) for c, lab in labels.items()})


def _categories(mentions: pd.DataFrame) -> pd.Series:
    return mentions.drop_duplicates("channel").set_index("channel")["category"]


def _category_order(category: str) -> int:
    return list(CATEGORY_ZH).index(category) if category in CATEGORY_ZH else len(CATEGORY_ZH)


def _category_legend(ax: Axes, categories: pd.Series) -> None:
    present = sorted(set(categories), key=_category_order)
    handles = [Patch(color=CATEGORY_ZH.get(c, (c, "#777777"))[1], label=CATEGORY_ZH.get(c, (c, ""))[0])
               for c in present]
    legend_outside(ax, handles=handles, title="渠道类别")


@cjk_plot
def channel_adoption(mentions: pd.DataFrame, reports: pd.DataFrame, *, by: By | None = None,
                     top: int = 20, ax: Axes | None = None) -> Axes:
    """Share of reports that name each channel at least once.

    Args:
        mentions: The frame :func:`govdisclosure.analysis.channels` returns.
        reports: The ``reports`` frame: the denominator (all reports, also those naming no channel).
        by: None for one bar per channel over all reports; a ``reports`` column (``"year"``,
            ``"level"``, ``"province"``, ``"agency"``) for a heatmap of groups × channels.
        top: The ``top`` channels named by the most reports.
        ax: Axes to draw on; a new figure when None.

    Returns:
        The Axes: horizontal bars coloured by channel category, most widely used on top, with
        "n/N 份" at each bar; or, with ``by``, a heatmap with the percentage in each cell.
    """
    title = "各公开渠道的使用：提及该渠道的报告比例"
    n_reports = int(reports["report_id"].nunique())
    mentions = mentions[mentions["report_id"].isin(reports["report_id"])]
    if mentions.empty or n_reports == 0:
        return no_data(new_axes(ax, (7, 2.6)), title, "报告中未找到公开渠道")
    labels, categories = _labels(mentions), _categories(mentions)
    present = mentions.drop_duplicates(["report_id", "channel"])
    overall = present.groupby("channel")["report_id"].nunique().sort_values(ascending=False, kind="stable")
    chosen = list(overall.index[:top])
    more = f"，前 {top} 个（共 {len(overall)} 个渠道）" if len(overall) > top else ""
    if by is None:
        shown = overall.loc[chosen].iloc[::-1]
        ax = new_axes(ax, (8.5, fit_height(len(shown))))
        shares = shown / n_reports * 100
        bars = ax.barh([labels[c] for c in shown.index], shares.to_numpy(),
                       color=[CATEGORY_ZH.get(categories[c], ("", "#777777"))[1] for c in shown.index])
        ax.bar_label(bars, labels=[f"{k}/{n_reports} 份" for k in shown], padding=3, fontsize=8)
        ax.set_xlim(0, 118)
        ax.set_xticks(range(0, 101, 20))
        ax.set_xlabel("提及该渠道的报告比例（%）")
        ax.set_title(f"{title}\n共 {n_reports} 份报告{more}")
        _category_legend(ax, categories.loc[shown.index])
        tidy(ax)
        return ax
    groups = group_labels(reports, by)
    sizes = groups.value_counts()
    hits = present.assign(group=present["report_id"].map(groups))
    table = (hits[hits["channel"].isin(chosen)].groupby(["channel", "group"])["report_id"].nunique()
             .unstack(fill_value=0).reindex(index=chosen, columns=sorted(sizes.index), fill_value=0))
    shares = table.div(sizes.reindex(table.columns), axis=1) * 100
    # Channels down the side (long Chinese names read horizontally), groups across the top.
    ax = new_axes(ax, (max(6.5, 3.5 + 0.9 * shares.shape[1]), fit_height(len(chosen), per_row=0.36, base=2.2)))
    image = ax.imshow(shares.to_numpy(), cmap="Blues", vmin=0, vmax=100, aspect="auto")
    _annotate(ax, shares.to_numpy(), fmt="{:.0f}", threshold=60)
    ax.set_yticks(range(len(chosen)), [labels[c] for c in chosen], fontsize=8)
    col_labels = [f"{g}\n（{sizes[g]} 份）" for g in shares.columns]
    long = max(len(str(g)) for g in shares.columns) > 6
    ax.set_xticks(range(shares.shape[1]), col_labels, fontsize=8, rotation=30 if long else 0,
                  ha="right" if long else "center")
    ax.tick_params(length=0)
    ax.figure.colorbar(image, ax=ax, label="提及该渠道的报告比例（%）", shrink=0.8)
    ax.set_title(f"{title}（按{by_zh(by)}）" + (f"\n{more.lstrip('，')}" if more else ""))
    return ax


def _annotate(ax: Axes, values: np.ndarray, *, fmt: str, threshold: float | None = None) -> None:
    """Write each cell's value in it, white on dark cells, and nothing in empty cells."""
    high = np.nanmax(values) if threshold is None else threshold
    for (i, j), v in np.ndenumerate(values):
        if np.isnan(v) or v == 0:
            continue
        dark = v > 0.6 * high if threshold is None else v > threshold
        ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=7,
                color="white" if dark else "#222222")


@cjk_plot
def channel_heatmap(mentions: pd.DataFrame, reports: pd.DataFrame | None = None, *, top_reports: int = 40,
                    top_channels: int = 25, ax: Axes | None = None) -> Axes:
    """The channel mix of each report: how often it names each channel.

    Args:
        mentions: The frame :func:`govdisclosure.analysis.channels` returns.
        reports: The ``reports`` frame, for row labels (agency and year); report ids otherwise.
        top_reports: Rows for at most this many reports (those naming the most channels).
        top_channels: Columns for at most this many channels (those named by the most reports).
        ax: Axes to draw on; a new figure when None.

    Returns:
        The Axes: a report × channel heatmap of mention counts (the ``channel_matrix`` of the
        analysis), columns grouped by category, the count written in each non-empty cell.
    """
    from govdisclosure.analysis import channel_matrix

    title = "各报告的公开渠道构成：提及次数"
    if mentions.empty:
        return no_data(new_axes(ax, (7, 2.6)), title, "报告中未找到公开渠道")
    labels, categories = _labels(mentions), _categories(mentions)
    matrix = channel_matrix(mentions)
    adoption = (matrix > 0).sum().sort_values(ascending=False, kind="stable")
    cols = list(adoption.index[:top_channels])
    cols.sort(key=lambda c: (_category_order(categories[c]), -adoption[c]))
    breadth = (matrix[cols] > 0).sum(axis=1).sort_values(ascending=False, kind="stable")
    rows = list(breadth.index[:top_reports])
    values = matrix.loc[rows, cols].to_numpy(dtype=float)
    names = report_labels(reports, rows) if reports is not None else pd.Series(rows, index=rows)
    ax = new_axes(ax, (max(7.0, 3.2 + 0.36 * len(cols)), fit_height(len(rows), per_row=0.34, base=3.4)))
    # Square-root colours: a single mention stays visible next to a report naming a channel 20 times.
    image = ax.imshow(np.where(values > 0, values, np.nan), cmap="Blues", aspect="auto",
                      norm=PowerNorm(0.5, vmin=0, vmax=max(1.0, float(values.max()))))
    _annotate(ax, values, fmt="{:.0f}", threshold=float(values.max()) * 0.4)
    ax.set_xticks(range(len(cols)), [labels[c] for c in cols], fontsize=8, rotation=45, ha="right",
                  rotation_mode="anchor")
    ax.set_yticks(range(len(rows)), [wrap(names.get(r, r), 26) for r in rows], fontsize=8)
    ax.tick_params(length=0)
    # Categories: white lines between them and their names along the top.
    groups = [categories[c] for c in cols]
    edges = [i for i in range(1, len(cols)) if groups[i] != groups[i - 1]]
    for x in edges:
        ax.axvline(x - 0.5, color="white", linewidth=2.5)
    starts = [0, *edges]
    ends = [*edges, len(cols)]
    top = ax.secondary_xaxis("top")
    top.set_xticks([(a + b - 1) / 2 for a, b in zip(starts, ends, strict=True)],
                   [wrap(CATEGORY_SHORT.get(groups[a], groups[a]), max(2, 3 * (b - a))) for a, b in
                    zip(starts, ends, strict=True)], fontsize=8)
    top.tick_params(length=0)
    bar = ax.figure.colorbar(image, ax=ax, label="提及次数", shrink=0.8)
    bar.locator = MaxNLocator(integer=True)  # "1.5 mentions" is not a thing
    bar.update_ticks()
    more = []
    if len(matrix) > top_reports:
        more.append(f"渠道最多的 {top_reports} 份报告")
    if len(adoption) > top_channels:
        more.append(f"最常见的 {top_channels} 个渠道")
    ax.set_title(title + (f"（{'，'.join(more)}）" if more else "")
                 + "\n行按提及的渠道种类数排序，列按渠道类别分组")
    return ax


@cjk_plot
def channel_quantities(mentions: pd.DataFrame, *, top: int = 20, ax: Axes | None = None) -> Axes:
    """The quantities reports attach to channels, summed per channel and unit.

    Args:
        mentions: The frame :func:`govdisclosure.analysis.channels` returns; rows without a
            ``count`` are ignored.
        top: The ``top`` largest (channel, unit) sums.
        ax: Axes to draw on; a new figure when None.

    Returns:
        The Axes: one horizontal bar per channel and unit ("政府网站（条）") on a logarithmic
        axis, because counts of accounts and of published items differ by orders of magnitude;
        the sum and the number of reports written at each bar. Different units are never added.
    """
    title = "报告为各渠道给出的数量（按渠道和单位合计）"
    counted = mentions[mentions["count"].notna() & (mentions["count"] > 0)]
    if counted.empty:
        return no_data(new_axes(ax, (7, 2.6)), title, "报告未给出渠道的数量")
    labels, categories = _labels(mentions), _categories(mentions)
    sums = (counted.groupby(["channel", "unit"])
            .agg(total=("count", "sum"), reports=("report_id", "nunique"))
            .sort_values("total", ascending=False, kind="stable"))
    shown = sums.head(top).iloc[::-1]
    ax = new_axes(ax, (8.5, fit_height(len(shown))))
    names = [f"{labels[c]}（{u}）" for c, u in shown.index]
    bars = ax.barh(names, shown["total"].to_numpy(),
                   color=[CATEGORY_ZH.get(categories[c], ("", "#777777"))[1] for c, _ in shown.index])
    ax.set_xscale("log")
    ax.bar_label(bars, labels=[f"{t:,.0f}（{r} 份）" for t, r in zip(shown["total"], shown["reports"], strict=True)],
                 padding=3, fontsize=8)
    _, hi = ax.get_xlim()
    ax.set_xlim(0.8, hi * 20)  # room for the labels on a log axis
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_xlabel("数量（对数刻度；单位见各行括号）；条形旁为合计与给出该数量的报告数")
    more = f"（前 {top} 项）" if len(sums) > top else ""
    ax.set_title(title + more)
    _category_legend(ax, pd.Series([categories[c] for c, _ in shown.index]))
    tidy(ax)
    return ax
