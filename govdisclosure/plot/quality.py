"""Data-quality figures: what the parse and the audit found, which sections are missing, which
template each report used, and which files could not be read at all.

Each function takes the corpus frame it summarises (``issues`` or the audit's findings,
``sections`` with ``reports``, ``reports``, ``failures``), an optional ``ax``, and returns the Axes.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from govdisclosure.plot._common import (
    SEVERITY_COLORS,
    SEVERITY_ZH,
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

__all__ = ["failures", "issues_by_check", "issues_by_report", "section_coverage", "templates"]

SECTION_ORDER = ("overview", "proactive", "requests", "appeals", "problems", "other")
SECTION_ZH = {
    "overview": "一、总体情况", "proactive": "二、主动公开", "requests": "三、依申请公开",
    "appeals": "四、复议诉讼", "problems": "五、问题及改进", "other": "六、其他事项",
}
TEMPLATE_ZH = {"2021": "2021年格式", "2019": "2019年格式", "pre2019": "2019年以前（无统一表格）",
               "unknown": "无法判断"}
# Parse-time notes the audit's findings.csv does not name (they are not findings but placements).
_EXTRA_CHECK_ZH = {"placed_by_order": "按表格行序归入的数值行", "placed_by_rules": "按勾稽关系归入的数值行"}


@cache
def check_names() -> dict[str, str]:
    """Chinese name of each check code, from the audit's ``findings.csv`` (package data)."""
    path = resources.files("govdisclosure").joinpath("data/audit/findings.csv")
    with path.open(encoding="utf-8") as fh:
        table = pd.read_csv(fh, dtype=str, keep_default_na=False)
    return {**_EXTRA_CHECK_ZH, **dict(zip(table["check"], table["name_zh"], strict=True))}


def _check_label(code: str) -> str:
    return check_names().get(code, code)


@cjk_plot
def issues_by_check(issues: pd.DataFrame, *, top: int = 20, ax: Axes | None = None) -> Axes:
    """How often each check fired, split by severity, most frequent first.

    Args:
        issues: The corpus ``issues`` frame or the audit's findings (both have ``check`` and
            ``severity``).
        top: Show the ``top`` most frequent checks; the title says when some were left out.
        ax: Axes to draw on; a new figure when None.

    Returns:
        The Axes, one horizontal bar per check (Chinese name from the audit's findings.csv),
        stacked error / warning / info, with the total at the end of each bar.
    """
    title = "检查发现的问题：按检查项和严重程度"
    if issues.empty:
        return no_data(new_axes(ax, (7, 2.6)), title, "未发现问题")
    counts = (issues.groupby(["check", "severity"]).size().unstack(fill_value=0)
              .reindex(columns=list(SEVERITY_COLORS), fill_value=0))
    counts = counts.assign(_n=counts.sum(axis=1)).sort_values(["_n"], ascending=False, kind="stable")
    shown = counts.head(top).iloc[::-1]  # barh draws bottom-up: most frequent on top
    ax = new_axes(ax, (8, fit_height(len(shown))))
    _severity_bars(ax, [wrap(_check_label(c), 18) for c in shown.index], shown)
    more = f"（前 {top} 项，共 {len(counts)} 项）" if len(counts) > top else f"（共 {len(issues)} 条）"
    ax.set_title(title + more)
    ax.set_xlabel("问题数（条）")
    legend_outside(ax, title="严重程度")
    tidy(ax, counts="x")
    return ax


@cjk_plot
def issues_by_report(issues: pd.DataFrame, reports: pd.DataFrame, *, top: int = 25,
                     ax: Axes | None = None) -> Axes:
    """The reports with the most problems found, split by severity: where to look first.

    Args:
        issues: The corpus ``issues`` frame or the audit's findings (``report_id``, ``severity``).
        reports: The ``reports`` frame, for the agency and year in each label.
        top: Show the ``top`` reports with the most errors, then warnings.
        ax: Axes to draw on; a new figure when None.

    Returns:
        The Axes, one stacked horizontal bar per report, most errors on top.
    """
    title = "各报告发现的问题数"
    if issues.empty or reports.empty:
        return no_data(new_axes(ax, (7, 2.6)), title, "未发现问题")
    counts = (issues.groupby(["report_id", "severity"]).size().unstack(fill_value=0)
              .reindex(columns=list(SEVERITY_COLORS), fill_value=0))
    counts["_n"] = counts.sum(axis=1)
    counts = counts.sort_values(["error", "warning", "_n"], ascending=False, kind="stable")
    shown = counts.head(top).iloc[::-1]
    ax = new_axes(ax, (8, fit_height(len(shown))))
    names = report_labels(reports, shown.index)
    _severity_bars(ax, [wrap(names.get(rid, str(rid)[:8]), 24) for rid in shown.index], shown)
    more = f"：错误最多的 {top} 份（共 {len(counts)} 份）" if len(counts) > top else ""
    ax.set_title(title + more + "\n按错误数、再按警告数排序")
    ax.set_xlabel("问题数（条）")
    legend_outside(ax, title="严重程度")
    tidy(ax, counts="x")
    return ax


def _severity_bars(ax: Axes, labels: list[str], shown: pd.DataFrame) -> None:
    """Horizontal bars stacked error / warning / info, with each bar's total (``_n``) at its end."""
    left = np.zeros(len(shown))
    for sev, color in SEVERITY_COLORS.items():
        vals = shown[sev].to_numpy(dtype=float)
        if vals.any():
            ax.barh(labels, vals, left=left, color=color, label=SEVERITY_ZH[sev])
        left += vals
    bars = ax.barh(labels, np.zeros(len(shown)), left=left)  # invisible: carries the totals
    label_bars(ax, bars, shown["_n"].tolist())


@cjk_plot
def section_coverage(sections: pd.DataFrame, reports: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """For each of the six sections of the format, in how many reports it was found.

    Args:
        sections: The ``sections`` frame (``report_id``, ``section``).
        reports: The ``reports`` frame: every report counts, also one with no sections at all.
        ax: Axes to draw on; a new figure when None.

    Returns:
        The Axes, one horizontal bar per section in the format's order, split found / missing,
        with the number missing written on the bar.
    """
    title = "六个部分的完整性：找到该部分标题的报告数"
    ax = new_axes(ax, (8, 3.4))
    n = int(reports["report_id"].nunique())
    if n == 0:
        return no_data(ax, title)
    found = (sections[sections["report_id"].isin(reports["report_id"])]
             .groupby("section")["report_id"].nunique().reindex(SECTION_ORDER, fill_value=0))
    missing = n - found
    labels = [SECTION_ZH[s] for s in SECTION_ORDER][::-1]
    ax.barh(labels, found.to_numpy()[::-1], color="#009E73", label="找到")
    bars = ax.barh(labels, missing.to_numpy()[::-1], left=found.to_numpy()[::-1], color="#D55E00",
                   label="缺失")
    ax.bar_label(bars, labels=[f"缺 {m}" if m else "" for m in missing.to_numpy()[::-1]],
                 padding=3, fontsize=8)
    ax.set_xlim(0, n * 1.12)
    ax.set_title(f"{title}（共 {n} 份）")
    ax.set_xlabel("报告数（份）")
    legend_outside(ax)
    tidy(ax, counts="x")
    return ax


@cjk_plot
def templates(reports: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Which table format each year's reports used (2021, 2019, none, unrecognised).

    Args:
        reports: The ``reports`` frame (``year``, ``template``).
        ax: Axes to draw on; a new figure when None.

    Returns:
        The Axes, one stacked bar per reporting year ("年度不明" for reports without a year).
    """
    title = "各年度报告采用的表格格式"
    ax = new_axes(ax, (7, 3.6))
    if reports.empty:
        return no_data(ax, title)
    year = reports["year"].map(lambda y: "年度不明" if pd.isna(y) else str(int(y)))
    table = pd.crosstab(year, reports["template"])
    order = sorted(table.index, key=lambda y: (not y.isdigit(), y))
    table = table.reindex(order)
    cols = [t for t in TEMPLATE_ZH if t in table.columns] + [t for t in table.columns if t not in TEMPLATE_ZH]
    colors = {"2021": "#0072B2", "2019": "#56B4E9", "pre2019": "#E69F00", "unknown": "#999999"}
    bottom = np.zeros(len(table))
    x = list(table.index)
    for tpl in cols:
        vals = table[tpl].to_numpy(dtype=float)
        ax.bar(x, vals, bottom=bottom, color=colors.get(tpl, "#CC79A7"), label=TEMPLATE_ZH.get(tpl, tpl))
        bottom += vals
    bars = ax.bar(x, np.zeros(len(x)), bottom=bottom)
    label_bars(ax, bars, bottom.tolist(), horizontal=False)
    ax.set_title(title)
    ax.set_xlabel("报告年度")
    ax.set_ylabel("报告数（份）")
    legend_outside(ax, title="表格格式")
    tidy(ax, counts="y")
    return ax


@cjk_plot
def failures(failures: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Files that could not be read at all, by reason (the library's exception class).

    Args:
        failures: The ``failures`` frame (``source_path``, ``error``, ``message``).
        ax: Axes to draw on; a new figure when None.

    Returns:
        The Axes, one horizontal bar per error class with the file count; "所有文件均已读入"
        when there were none.
    """
    title = "未能读入的文件：按原因"
    if failures.empty:
        return no_data(new_axes(ax, (6, 2.2)), title, "所有文件均已读入")
    counts = failures["error"].value_counts().sort_values(kind="stable")
    ax = new_axes(ax, (8, fit_height(len(counts), low=2.2)))
    bars = ax.barh([_ERROR_ZH.get(e, e) for e in counts.index], counts.to_numpy(), color="#D55E00",
                   height=0.5 if len(counts) < 3 else 0.8)
    # With a few files, their names say more than the count.
    names = failures.groupby("error")["source_path"].agg(
        lambda ps: "、".join(str(p).replace("\\", "/").rsplit("/", 1)[-1] for p in ps))
    ax.bar_label(bars, labels=[f"{n} 个" + (f"：{names[e]}" if n <= 3 else "")
                               for e, n in counts.items()], padding=3, fontsize=8)
    ax.set_xlim(0, counts.max() * 1.6)
    ax.set_ylim(-0.8, len(counts) - 0.2)  # one bar should look like a bar, not fill the panel
    ax.set_title(f"{title}（共 {len(failures)} 个）")
    ax.set_xlabel("文件数（个）")
    tidy(ax, counts="x")
    return ax


_ERROR_ZH = {
    "UnsupportedFormatError": "不支持的文件格式",
    "ExtractionError": "无法提取文字（如扫描件、加密）",
    "EncodingError": "无法识别编码",
    "TimeLimitError": "超过处理时限",
    "SectionNotFoundError": "找不到报告的部分",
    "FileTooLargeError": "文件过大，未读",
}
