"""What every figure shares: a fresh or given Axes, report labels, bar labels, an empty-data note.

Plot functions draw inside :func:`~govdisclosure.plot.cjk_context`, so Chinese text renders on a
machine without a Chinese system font and the caller's rcParams are left alone.
"""

from __future__ import annotations

import contextvars
import functools
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Literal, ParamSpec

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator

from govdisclosure.plot._font import cjk_context

# One palette for every figure: the outcome of a request or appeal keeps its colour everywhere.
# Colour-blind safe (Okabe–Ito), with grey for "other" and "pending".
OKABE_ITO = ("#0072B2", "#56B4E9", "#E69F00", "#D55E00", "#CC79A7", "#009E73", "#F0E442", "#999999")
SEVERITY_COLORS = {"error": "#D55E00", "warning": "#E69F00", "info": "#56B4E9"}
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
LEVEL_ZH = {
    "central": "中央", "province": "省级", "prefecture": "地市级", "county": "县级",
    "township": "乡镇", "department": "部门",
}
By = Literal["report", "year", "level", "province", "city", "agency", "template"] | str
# Below this many characters a label fits beside a bar; longer ones are wrapped.
_WRAP = 14


P = ParamSpec("P")


def cjk_plot(func: Callable[P, Axes]) -> Callable[P, Axes]:
    """Run a plot function inside :func:`cjk_context` and give every text on its Axes the CJK font.

    A caller's Axes made before the context already holds its title, axis labels and tick labels
    with the font of that moment (Text objects keep their font), so setting the rcParams alone is
    not enough: the fonts are set on the Axes' texts, and on the tick parameters for ticks that
    matplotlib creates later while drawing.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Axes:
        with cjk_context():
            ax = func(*args, **kwargs)
            families = list(mpl.rcParams["font.family"])
            ax.tick_params(which="both", labelfontfamily=families)
            for text in ax.findobj(Text):
                text.set_fontfamily(families)
        return ax

    return wrapper


_BARE_FIGURES: contextvars.ContextVar[bool] = contextvars.ContextVar("bare_figures", default=False)


@contextmanager
def bare_figures() -> Iterator[None]:
    """Inside this block, plot functions called without ``ax`` make bare ``Figure`` objects.

    For batch jobs (the workflow writing dozens of files): no pyplot state, no GUI backend, and
    nothing to close; the figure is freed with its last reference.
    """
    token = _BARE_FIGURES.set(True)
    try:
        yield
    finally:
        _BARE_FIGURES.reset(token)


def new_axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    """The Axes to draw on: ``ax`` itself, or one on a new figure of ``size`` inches.

    A pyplot figure (not a bare ``Figure``) so that a notebook shows it, on whatever backend the
    caller's session chose; a bare one inside :func:`bare_figures`.
    """
    if ax is not None:
        return ax
    if _BARE_FIGURES.get():
        return Figure(figsize=size, layout="constrained").add_subplot()
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=size, layout="constrained")
    return new


def fit_height(n_rows: int, *, per_row: float = 0.32, base: float = 1.6, low: float = 2.6,
               high: float = 14.0) -> float:
    """Figure height in inches for a horizontal bar chart of ``n_rows`` bars."""
    return min(high, max(low, base + per_row * n_rows))


def no_data(ax: Axes, title: str, message: str = "无数据") -> Axes:
    """Mark an Axes as empty, with its title, rather than leave a blank or misleading frame."""
    ax.set_title(title)
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="#555555")
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def wrap(label: object, width: int = _WRAP) -> str:
    """Break a long label into lines of at most ``width`` characters.

    Chinese has no spaces to break at, so a long run is cut every ``width`` characters; where
    there are spaces ("淮安市人民政府 2024") the break goes there, so a year is never split.
    """
    text = str(label)
    if len(text) <= width:
        return text
    lines: list[str] = []
    for word in text.split(" "):
        chunks = [word[i:i + width] for i in range(0, len(word), width)] or [""]
        for chunk in chunks:
            if lines and len(lines[-1]) + 1 + len(chunk) <= width:
                lines[-1] += " " + chunk
            else:
                lines.append(chunk)
    return "\n".join(lines)


def report_labels(reports: pd.DataFrame, ids: Iterable[str] | None = None) -> pd.Series:
    """A short readable label per report: "agency year", unique within the corpus.

    The agency can be missing (NA) or the same agency-year can come twice (a web page and its
    text copy); the file name, then the report id, keeps the labels apart.

    Args:
        reports: The ``reports`` frame (needs ``report_id``, ``agency``, ``year``; ``source_path``
            is used when present).
        ids: Report ids to label; by default every report.

    Returns:
        Labels indexed by ``report_id``.
    """
    frame = reports.drop_duplicates("report_id").set_index("report_id")
    if ids is not None:
        frame = frame.reindex(list(dict.fromkeys(ids)))
    agency = frame["agency"].astype("object").where(frame["agency"].notna(), None)
    if "source_path" in frame:
        stems = frame["source_path"].map(lambda p: _file_name(p) if isinstance(p, str) else None)
    else:
        stems = pd.Series(None, index=frame.index, dtype="object")
    years = frame["year"].map(lambda y: "" if _missing(y) else f" {int(y)}")
    names = [a if a else (s or str(rid)[:8]) for rid, a, s in zip(frame.index, agency, stems, strict=True)]
    labels = pd.Series([f"{n}{y}" for n, y in zip(names, years, strict=True)], index=frame.index, dtype="object")
    dup = labels.duplicated(keep=False)
    if dup.any():
        # Same agency and year twice: the file's own name tells a reader which copy is which.
        extra = [f"（{s}）" if s else f"（{str(rid)[:6]}）"
                 for rid, s in zip(frame.index[dup], stems[dup], strict=True)]
        labels[dup] = [f"{lab}{e}" for lab, e in zip(labels[dup], extra, strict=True)]
    dup = labels.duplicated(keep=False)
    if dup.any():
        labels[dup] = [f"{lab}·{str(rid)[:6]}" for lab, rid in zip(labels[dup], labels.index[dup], strict=True)]
    return labels


def _file_name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def _missing(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def label_bars(ax: Axes, bars: BarContainer, values: Sequence[float], *, fmt: str = "{:,.0f}",
               horizontal: bool = True) -> None:
    """Write each bar's value at its end, so a reader need not estimate it from the axis."""
    texts = [fmt.format(v) if not _missing(v) else "" for v in values]
    ax.bar_label(bars, labels=texts, padding=3, fontsize=8, color="#333333")
    # Room for the labels past the longest bar; counts start at zero.
    if horizontal:
        _, hi = ax.get_xlim()
        ax.set_xlim(0, hi * 1.12)
    else:
        _, hi = ax.get_ylim()
        ax.set_ylim(0, hi * 1.10)


def legend_outside(ax: Axes, **kwargs: object) -> None:
    """Legend to the right of the Axes, where it cannot cover a bar."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, **kwargs)  # type: ignore[arg-type]


def tidy(ax: Axes, *, counts: Literal["x", "y"] | None = None) -> None:
    """Drop the top and right spines; on an axis of counts, ticks only at whole numbers.

    With one or two bars, keep them bar-shaped rather than stretched over the whole panel.
    """
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    horizontal = counts != "y"
    n = len(ax.get_yticks() if horizontal else ax.get_xticks())
    if 0 < n < 3:
        (ax.set_ylim if horizontal else ax.set_xlim)(-1.0, n)
    if counts is not None:
        # "2.5 reports" is not a thing; small counts otherwise get half ticks.
        axis = ax.xaxis if counts == "x" else ax.yaxis
        axis.set_major_locator(MaxNLocator(integer=True))
        # 3,500 like the bar labels, not 3500.
        axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))


# -- rows that are reports or groups of reports --------------------------------------------------


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


def row_labels(index: pd.Index, reports: pd.DataFrame | None) -> list[str]:
    """Readable labels for the rows of an analysis frame: reports, or groups of one or more keys."""
    if index.nlevels == 1 and index.name in (None, "report_id"):
        if reports is None:
            return [str(i) for i in index]
        names = report_labels(reports, index)
        return [names.get(i, str(i)) for i in index]
    levels = [index.get_level_values(k) for k in range(index.nlevels)]
    parts = [[_group_value(v, name) for v in values] for values, name in zip(levels, index.names, strict=True)]
    return [" · ".join(p) for p in zip(*parts, strict=True)]


def _group_value(value: object, by: str | None) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) or value == "":
        return {"year": "年度不明", "level": "级别不明"}.get(str(by), "不明")
    if by == "year":
        return f"{int(value)}年"  # type: ignore[call-overload]
    if by == "level":
        return LEVEL_ZH.get(str(value), str(value))
    return str(value)


def index_by(index: pd.Index) -> str:
    """What the rows of an analysis frame are, in Chinese: 报告, or the ``by`` column(s) (年度、省份)."""
    if index.nlevels == 1 and index.name in (None, "report_id"):
        return by_zh("report")
    return "、".join(by_zh(str(n)) for n in index.names)


def by_zh(by: By) -> str:
    return {"report": "报告", "year": "年度", "level": "行政级别", "province": "省份", "city": "地市",
            "agency": "机关", "template": "格式"}.get(by, by)
