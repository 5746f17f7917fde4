"""Shared by the plot tests: render a figure and fail on a missing glyph; read bars back; inline data.

Figures are drawn on bare ``Figure`` objects (no pyplot), except where a test checks the ``ax=None``
path, which uses pyplot on the Agg backend.
"""

from __future__ import annotations

import io
import warnings

import matplotlib

matplotlib.use("Agg")  # tests only: the library never chooses a backend

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from govdisclosure.codebook import codebook


def new_ax() -> Axes:
    """An Axes on a bare Figure: no pyplot state is touched."""
    return Figure(figsize=(8, 5), layout="constrained").add_subplot()


def render(ax: Axes) -> None:
    """Draw the figure as PNG and SVG; fail if matplotlib warned about a missing glyph."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for fmt in ("png", "svg"):
            ax.figure.savefig(io.BytesIO(), format=fmt)
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert not missing, missing[:3]


def texts(ax: Axes) -> list[str]:
    """Every piece of text on the Axes: title, axis labels, tick labels, bar labels, legend."""
    found = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
    found += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
    found += [t.get_text() for t in ax.texts]
    legend = ax.get_legend()
    if legend is not None:
        found += [t.get_text() for t in legend.get_texts()]
        found.append(legend.get_title().get_text())
    return [t for t in found if t]


def hbars(ax: Axes) -> pd.DataFrame:
    """Visible horizontal bars: y tick label, left, width, colour (as hex)."""
    labels = {round(t.get_position()[1]): t.get_text() for t in ax.get_yticklabels()}
    rows = []
    for patch in ax.patches:
        if not isinstance(patch, Rectangle) or patch.get_width() == 0 or not patch.get_visible():
            continue
        y = round(patch.get_y() + patch.get_height() / 2)
        rows.append({"label": labels.get(y, ""), "left": patch.get_x(), "width": patch.get_width(),
                     "color": matplotlib.colors.to_hex(patch.get_facecolor())})
    return pd.DataFrame(rows, columns=["label", "left", "width", "color"])


def vbars(ax: Axes) -> pd.DataFrame:
    """Visible vertical bars: x tick label, bottom, height, colour."""
    labels = {round(t.get_position()[0]): t.get_text() for t in ax.get_xticklabels()}
    rows = []
    for patch in ax.patches:
        if not isinstance(patch, Rectangle) or patch.get_height() == 0 or not patch.get_visible():
            continue
        x = round(patch.get_x() + patch.get_width() / 2)
        rows.append({"label": labels.get(x, ""), "bottom": patch.get_y(), "height": patch.get_height(),
                     "color": matplotlib.colors.to_hex(patch.get_facecolor())})
    return pd.DataFrame(rows, columns=["label", "bottom", "height", "color"])


def tables_frame(values: dict[str, dict[tuple[str, str, str], float]]) -> pd.DataFrame:
    """A long ``tables`` frame: every 表三 and 表四 cell of the 2021 format, zero unless given.

    ``values`` maps report_id → {(table, row, col): value}.
    """
    cells = []
    for table in ("requests", "appeals"):
        book = codebook(table)
        rows = book.loc[book["axis"] == "row", "code"]
        cols = book.loc[book["axis"] == "col", "code"]
        cells += [(table, r, c) for r in rows for c in cols]
    out = []
    for rid, given in values.items():
        for table, row, col in cells:
            value = float(given.get((table, row, col), 0.0))
            out.append({"report_id": rid, "table": table, "row": row, "col": col, "value": value,
                        "raw": str(int(value)), "row_label": row, "col_label": col})
    return pd.DataFrame(out)


def reports_frame(rows: list[tuple[str, str | None, int | None, str]]) -> pd.DataFrame:
    """A ``reports`` frame from (report_id, agency, year, level) tuples."""
    return pd.DataFrame(
        [{"report_id": rid, "agency": agency, "year": year, "level": level, "template": "2021",
          "source_path": f"/data/{rid}.txt", "province": "河南省"} for rid, agency, year, level in rows]
    ).astype({"year": "Int64"})
