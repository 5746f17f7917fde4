"""Grids → the long ``tables`` frame: one row per template cell, codes from the codebook.

The readers hand over raw grids; this stage decides which rows belong to which of the three
tables, which printed label is which codebook row, and which cell is which column. A value that
cannot be placed with confidence is reported as an issue, never guessed (DESIGN.md §6).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import pandas as pd

from govdisclosure.codebook import (
    LABEL_LETTERS,
    axis_codes,
    cell_pairs,
    label_key,
    match_label,
    short_labels,
)
from govdisclosure.issues import Issue
from govdisclosure.placement import Decision, Floating, resolve_floating
from govdisclosure.readers.source import Grid
from govdisclosure.values import parse_cell, value_starts

TABLE_COLUMNS = ["table", "row", "col", "value", "raw", "row_label", "col_label"]
# One template cell: table, row, col, value (NaN when blank), raw text, printed row and column.
CellRow = tuple[str, str, str, float, str, str, str]

# Label keys that open a table, whichever grid (or page) the rows come in: the proactive table
# opens with its 第二十条 block heads or 信息内容 header; the requests table with its 勾稽关系 note or
# its first rows; the appeals table with 行政复议/行政诉讼 (TEMPLATE.md).
_OPENERS = (
    ("proactive", ("第二十条", "信息内容")),
    ("requests", ("勾稽关系", "申请人情况", "本年新收", "上年结转")),
    ("appeals", ("行政复议", "行政诉讼")),
)
_APPEALS_ROWS = ("review", "litigation_direct", "litigation_after_review")
_APPEALS_COLS = ("upheld", "corrected", "other", "pending", "total")


class _Row(NamedTuple):
    """One grid row split into its label cells and the value cells after the last label.

    A named tuple, immutable as one instance serves every report that prints the row, and built
    in C: a frozen dataclass's ``__init__`` was a sixth of splitting a row.
    """

    labels: tuple[str, ...]
    values: tuple[str, ...]

    @property
    def label(self) -> str:
        return " ".join(self.labels)


@dataclass
class _TableState:
    """What has been read of one table so far."""

    cells: dict[tuple[str, str], tuple[float, str, str, str]] = field(default_factory=dict)
    header: list[str] = field(default_factory=list)
    header_cols: list[str] = field(default_factory=list)
    header_labels: list[str] = field(default_factory=list)
    seen: bool = False
    # Rows whose labels named no template row, kept until the table is read (requests only):
    # placement.py places them by the labelled rows around them (shanghai_kewei_2024.md).
    n_rows: int = 0
    anchors: list[tuple[int, str]] = field(default_factory=list)
    floating: list[Floating] = field(default_factory=list)


# Reports of one template print the same label rows, and township tables are mostly rows of
# zeros: the same cells recur across reports, so their split is remembered (bounded; a _Row is
# immutable, so one instance serves every report that prints the row).
@lru_cache(maxsize=8192)
def split_row(cells: tuple[str, ...]) -> _Row:
    """Separate the label cells from the value cells that follow them.

    Labels stand before the numbers; a text cell after the first number is a value that is not a
    number ("两件"), reported later as such rather than taken for a label.
    """
    stripped = tuple(map(str.strip, cells))
    first_value = len(stripped)
    starts = value_starts()
    for i, text in enumerate(stripped):
        # A label's first letter tells it from a value, without a parse. parse_cell strips what
        # it reads, so the stripped text reads the same (and shares its memo entry with the
        # value cell it becomes).
        if text and (text[0] in starts or text[0].isdecimal()) and parse_cell(text)[1] != "invalid":
            first_value = i
            break
    last_label = first_value - 1
    while last_label >= 0 and not stripped[last_label]:
        last_label -= 1
    return _Row(tuple(filter(None, stripped[: last_label + 1])), stripped[last_label + 1 :])


def fit_values(values: list[str], expected: int, *, aligned: bool = False) -> list[str] | None:
    """The row's ``expected`` value cells, or None when blank cells cannot be placed.

    Text tables (``aligned=False``) put blank cells under labels that span rows and a blank at
    the end of lines (seed 000, seed 002's trailing "||"): blanks at the edges are structure, so
    they are dropped, and what remains must be exactly ``expected`` cells — interior blanks are
    blank data cells. A text row with six numbers for seven columns is not read: which column is
    missing cannot be known. Markup tables (``aligned=True``) keep their columns, so only surplus
    blanks at the edges are dropped.
    """
    vals = list(values)
    while vals and not vals[-1] and (not aligned or len(vals) > expected):
        vals.pop()
    while vals and not vals[0] and (not aligned or len(vals) > expected):
        vals.pop(0)
    return vals if len(vals) == expected else None


def _spelled_in_label(key: str) -> str:
    """A regex for ``key``'s letters with label noise (codebook.LABEL_NOISE) between them."""
    return f"[^{LABEL_LETTERS}]*".join(map(re.escape, key))


# Each table's opening keys, found in a row's joined labels as printed: the same as looking for
# them in the labels' key (no key begins with a numeral, so a leading numbering never holds the
# start of one), without working out the key: for a row of 40 characters, that cost ~13 k
# instructions (a numbering match, then a noise substitution that stops at every bracket and 、),
# a scan ~3 k.
_OPENER_PATTERNS = tuple(
    (table, re.compile("|".join(map(_spelled_in_label, keys)))) for table, keys in _OPENERS
)
# Any table's keys: most rows hold none, and one scan turns them away.
_ANY_OPENER = re.compile("|".join(pattern.pattern for _table, pattern in _OPENER_PATTERNS))


@lru_cache(maxsize=8192)
def _opener_of(labels: tuple[str, ...]) -> str | None:
    """The table a row's labels open, if any (remembered: the same label rows recur)."""
    text = "".join(labels)
    if not _ANY_OPENER.search(text):
        return None
    for table, pattern in _OPENER_PATTERNS:
        if pattern.search(text):
            return table
    return None


class TableExtractor:
    """Reads the three tables of one report from its grids."""

    def __init__(self, template: str, report_id: str = "") -> None:
        self.template = template
        self.report_id = report_id
        self.state = {name: _TableState() for name in ("proactive", "requests", "appeals")}
        self.issues: list[Issue] = []
        self._aligned = False
        self._grid_pending = 0  # where the current grid's lines start in ``pending``
        self._labels = short_labels(template)

    # -- issue helpers -------------------------------------------------------------------
    def _issue(self, check: str, severity: str, table: str, message: str, **kw: object) -> None:
        self.issues.append(
            Issue(report_id=self.report_id, check=check, severity=severity, table=table,
                  message=message, **kw)  # type: ignore[arg-type]
        )

    def _table_zh(self, table: str) -> str:
        return self._labels.get((table, "table", table), table)

    # -- reading -------------------------------------------------------------------------
    def read(self, grids: Iterable[Grid]) -> list[CellRow]:
        """Read every grid and return one row per template cell (``TABLE_COLUMNS`` order)."""
        current: str | None = None
        pending: list[str] = []
        readers = {name: getattr(self, f"_read_{name}") for name in self.state}
        for grid in grids:
            self._aligned = grid.aligned
            self._grid_pending = len(pending)
            for cells in grid.rows:
                row = split_row(tuple(cells))
                opened = _opener_of(row.labels)
                if opened and opened != current:
                    current = opened
                    pending = []
                    self._grid_pending = 0
                if current is None:
                    continue
                self.state[current].seen = True
                handled = readers[current](row, pending)
                if handled:
                    pending = []
                    self._grid_pending = 0
                elif row.labels and not any(row.values):
                    pending.append(row.label)
        return self._assemble()

    def _place(self, table: str, row_code: str, cols: Sequence[str], values: Sequence[str],
               row_label: str, col_labels: Sequence[str]) -> None:
        cells = self.state[table].cells
        for col, raw, col_label in zip(cols, values, col_labels, strict=True):
            key = (row_code, col)
            if key in cells:
                self._issue(
                    "duplicate_cell", "warning", table,
                    f"{self._table_zh(table)}{row_label}·{col_label}：同一单元格出现两次，保留第一次的值"
                    f"（重复值 {raw!r}）",
                    row=row_code, col=col, reported=raw,
                )
                continue
            value, kind = parse_cell(raw)
            if kind == "invalid":
                self._issue(
                    "non_numeric_cell", "error", table,
                    f"{self._table_zh(table)}{row_label}·{col_label}：单元格“{raw}”不是数字",
                    row=row_code, col=col, reported=raw,
                )
            cells[key] = (value, raw, row_label, col_label)

    def _match_row(self, table: str, row: _Row, pending: list[str]) -> tuple[str | None, str]:
        """Match the most specific label first, then labels wrapped over preceding lines."""
        return _match_row(table, row.labels, tuple(pending), self.template)

    def _unplaced(self, table: str, row: _Row, pending: list[str], reason: str) -> None:
        label = row.label or "".join(pending) or "（无行标签）"
        values = [v for v in row.values if v]
        self._issue(
            "unplaced_values", "error", table,
            f"{self._table_zh(table)}“{label}”：{reason}；数值 {' '.join(values)} 未读入",
            reported=" ".join(values),
        )

    def _read_proactive(self, row: _Row, pending: list[str]) -> bool:
        key = label_key(row.labels[0]) if row.labels else ""
        header = None
        if key.startswith("信息内容"):
            # "信息内容本年处理决定数量" in one cell: the header of a block that lost its cell
            # borders (shanghai_kewei_2024.md prints its （五）（六）（八） blocks as plain lines).
            glued = row.labels[0].split("信息内容", 1)[-1].strip()
            header = [*([glued] if glued else []), *row.labels[1:]]
        elif row.labels and not any(row.values) and all(
            match_label(label_key(lb), "proactive", "col", self.template) for lb in row.labels
        ):
            # A header row whose "信息内容" cell came out empty: pdfplumber returns None there
            # for the block continued on hongze_2023.pdf's page 3.
            header = list(row.labels)
        if header is not None:
            st = self.state["proactive"]
            st.header_labels = header
            st.header_cols = []
            for label in st.header_labels:
                code = match_label(label_key(label), "proactive", "col", self.template)
                if code is None:
                    self._issue("unknown_col_label", "error", "proactive",
                                f"{self._table_zh('proactive')}：无法识别列标题“{label}”",
                                reported=label)
                st.header_cols.append(code or "")
            return True
        if not any(row.values) or key.startswith("第二十条"):
            return False
        code, label = self._match_row("proactive", row, pending)
        st = self.state["proactive"]
        if code is None:
            self._unplaced("proactive", row, pending, "无法识别的行标签")
            return True
        if not st.header_cols or "" in st.header_cols:
            self._unplaced("proactive", row, pending, "所在区块没有可识别的列标题")
            return True
        if not _row_cols("proactive", self.template)[code].issuperset(st.header_cols):
            # A row under another block's header (the header of its own block lost): its
            # numbers would land in cells the template does not have, and be dropped unnamed.
            self._unplaced("proactive", row, pending,
                           f"该行不属于其上方列标题（{'、'.join(st.header_labels)}）所在的区块")
            return True
        values = fit_values(row.values, len(st.header_cols), aligned=self._aligned)
        if values is None:
            self._unplaced("proactive", row, pending,
                           f"该行有 {len([v for v in row.values if v])} 个数值，列标题有 "
                           f"{len(st.header_cols)} 列，空白单元格无法定位")
            return True
        self._place("proactive", code, st.header_cols, values, label, st.header_labels)
        return True

    def _read_requests(self, row: _Row, pending: list[str]) -> bool:
        st = self.state["requests"]
        if not any(row.values):
            st.header.append(row.label)
            return False
        if not st.cells and not st.header_cols:
            self._check_requests_header(st.header)
        code, label = self._match_row("requests", row, pending)
        cols = axis_codes("requests", "col", self.template)  # cached by the codebook
        values = fit_values(row.values, len(cols), aligned=self._aligned)
        st.n_rows += 1
        if code is None or not row.labels:
            if row.labels and match_label(label_key(row.labels[-1]), "requests", "group",
                                          self.template):
                # A group label with numbers of its own: hongze_2023.pdf prints （六）其他处理 as
                # one row (the 2019 layout) inside a 2021 table; its numbers belong to no one
                # of the three sub-rows.
                self._unplaced("requests", row, pending,
                               "分组标题本身带有数值（如 2019 年格式的（六）其他处理单行），"
                               "无法分配到本表格式的各分项")
                return True
            # No label of its own (or one that names no row): placed after the whole table is
            # read, from the labelled rows around it (placement.py). A label wrapped above it
            # is only a hint: in fragmented text it may belong to another row.
            st.floating.append(Floating(
                seq=st.n_rows, cells=tuple(row.values),
                values=None if values is None else tuple(values),
                label=row.label,
                hint=None if row.labels else self._wrapped_hint(pending[self._grid_pending:]),
            ))
            return True
        if values is None:
            self._unplaced("requests", row, pending,
                           f"该行有 {len(row.values)} 个单元格，应为 {len(cols)} 列，空白单元格无法定位")
            return True
        st.anchors.append((st.n_rows, code))
        self._place("requests", code, cols, values, label, _col_labels("requests", self.template))
        return True

    def _read_appeals(self, row: _Row, pending: list[str]) -> bool:
        st = self.state["appeals"]
        if not any(row.values):
            codes = [match_label(label_key(lb), "appeals", "col", self.template)
                     for lb in row.labels]
            if len(codes) == len(_APPEALS_COLS) and set(codes) == set(_APPEALS_COLS):
                # One block's own header ("结果维持 | 结果纠正 | … | 总计"), as in the three small
                # tables of shuyang_2025.txt: its order is the order of the numbers below it.
                st.header_cols, st.header_labels = list(codes), list(row.labels)  # type: ignore[arg-type]
            return False
        cols = list(_APPEALS_COLS)
        col_labels = [self._labels[("appeals", "col", c)] for c in cols]
        if not row.labels and len([v for v in row.values if v]) <= len(cols):
            block = self._appeals_block(pending)
            values = fit_values(row.values, len(cols), aligned=self._aligned)
            if block is not None and values is not None:
                if st.header_cols:
                    cols, col_labels = st.header_cols, st.header_labels
                self._place("appeals", block, cols, values,
                            self._labels[("appeals", "row", block)], col_labels)
                return True
        if not row.labels:
            values = fit_values(row.values, len(_APPEALS_ROWS) * len(cols), aligned=self._aligned)
            if values is None:
                self._unplaced("appeals", row, pending,
                               f"该行有 {len([v for v in row.values if v])} 个数值，应为 15 个")
                return True
            for i, row_code in enumerate(_APPEALS_ROWS):
                self._place("appeals", row_code, cols, values[i * 5 : i * 5 + 5],
                            self._labels[("appeals", "row", row_code)], col_labels)
            return True
        code, label = self._match_row("appeals", row, pending)
        values = fit_values(row.values, len(cols), aligned=self._aligned)
        if code is None or values is None:
            self._unplaced("appeals", row, pending, "无法识别的行标签或数值个数不为 5")
            return True
        self._place("appeals", code, cols, values, label, col_labels)
        return True

    def _wrapped_hint(self, lines: list[str]) -> str | None:
        """The requests row named by label lines wrapped above a bare row, when they name one.

        Only lines of the row's own grid count, and only when exactly one template row can be
        read from them: in fragmented Markdown, the loose label block above a run of bare rows
        names several rows, and the line nearest a row often names a later one
        (shanghai_kewei_2024.md: "3.补正后申请内容仍不明确" stands above the row of （四）2).
        """
        lines = lines[-8:]
        codes = {
            code
            for i in range(len(lines))
            for j in range(i + 1, len(lines) + 1)
            if (code := match_label(label_key("".join(lines[i:j])), "requests", "row",
                                    self.template))
        }
        return codes.pop() if len(codes) == 1 else None

    def _appeals_block(self, pending: list[str]) -> str | None:
        """The appeals row named by the nearest heading above a row of five numbers.

        shuyang_2025.txt prints each block as its own small table under "### 行政复议",
        "### 行政诉讼（未经复议直接起诉）", "### 行政诉讼（复议后起诉）". A heading naming two
        blocks ("行政复议行政诉讼") decides nothing.
        """
        names = {
            code: label_key(self._labels[("appeals", "row", code)]).split("·")[-1]
            for code in _APPEALS_ROWS
        }
        names = {code: label_key(name.split("行政诉讼")[-1]) for code, name in names.items()}
        for label in reversed(pending):
            key = label_key(label)
            found = [code for code, name in names.items() if name and name in key]
            if len(found) == 1:
                return found[0]
            if found:
                return None
        return None

    def _resolve_requests(self) -> None:
        """Place the requests rows that had no recognised label (placement.py) and say how."""
        st = self.state["requests"]
        if not st.floating:
            return
        cols = self._cols("requests")
        row_order = list(axis_codes("requests", "row", self.template))
        filled = {row for row, _col in st.cells}
        decisions = resolve_floating(st.floating, st.anchors, row_order, filled,
                                     lambda extra: self._rule_failures(extra, cols))
        col_labels = [self._labels[("requests", "col", c)] for c in cols]
        for d in decisions:
            if d.code is not None and d.row.values is not None:
                self._place("requests", d.code, cols, d.row.values,
                            self._labels[("requests", "row", d.code)], col_labels)
                self._placement_issue(d)
            elif d.how == "unplaced":
                row = _Row(labels=(d.row.label,) if d.row.label else (), values=tuple(d.row.cells))
                self._unplaced("requests", row, [], d.reason)

    def _placement_issue(self, d: Decision) -> None:
        zh = self._table_zh("requests")

        def name(code: str) -> str:
            return f"“{self._labels[('requests', 'row', code)]}”" if code else ""

        numbers = " ".join(v for v in (d.row.values or ()) if v)
        what = (f"行标签“{d.row.label}”无法识别的一行" if d.row.label
                else "没有行标签的一行")
        around = "、".join(x for x in (name(d.before) and f"上方有标签的行{name(d.before)}",
                                       name(d.after) and f"下方有标签的行{name(d.after)}") if x)
        if d.how == "order":
            why = f"{around}之间空缺 {len(d.gap)} 行，按表格行序只有这一种放置方式"
        elif d.how == "label":
            why = f"{around}之间按行序有多种放置方式，按该行上方折行的行标签确定"
        elif d.failures == 0:
            why = (f"{around}之间按行序有 {d.alternatives} 种放置方式，"
                   "只有这一种使算术规则（勾稽关系）全部成立")
        else:
            why = (f"{around}之间按行序有 {d.alternatives} 种放置方式，这一种违反的算术规则最少"
                   f"（仍有 {d.failures} 处不成立），请核对")
        if d.hint_ignored:
            why += "；该行上方散落的行标签与此位置不符，未采用"
        self._issue(
            "placed_by_rules" if d.how == "rules" else "placed_by_order",
            "warning" if d.row.label or d.failures else "info", "requests",
            f"{zh}：{what}（数值 {numbers}）归入{name(d.code or '')}——{why}",
            row=d.code or "", reported=numbers,
        )

    def _rule_failures(self, extra: dict[str, tuple[str, ...]], cols: list[str]) -> int:
        """How many arithmetic rules the requests table breaks with ``extra`` rows placed."""
        from govdisclosure.checks import check_rows  # checks imports nothing from here

        st = self.state["requests"]
        cells = {key: found[0] for key, found in st.cells.items()}
        for row, values in extra.items():
            cells.update({(row, col): parse_cell(raw)[0]
                          for col, raw in zip(cols, values, strict=True)})
        # Every template cell, blank where nothing is placed: a rule skips cells that are absent
        # altogether, and a placement that leaves a needed row blank must count against it.
        complete = [("requests", row, col, float(cells.get((row, col), math.nan)))
                    for row, col in cell_pairs("requests", self.template)]
        issues = check_rows(complete, self.template)
        return sum(1 for issue in issues if issue.severity == "error")

    def _check_requests_header(self, header: list[str]) -> None:
        """Warn when the printed header does not show the template's seven applicant columns.

        Header words are often split over rows ("商业 | 科研" then "企业 | 机构", seed 002), so the
        check looks for the distinctive start of each column label anywhere in the header.
        """
        st = self.state["requests"]
        st.header_cols = self._cols("requests")
        text = label_key("".join(header))
        missing = [
            self._labels[("requests", "col", c)] for c in st.header_cols
            if label_key(self._labels[("requests", "col", c)])[:2] not in text
        ]
        if missing:
            self._issue(
                "header_not_recognised", "warning", "requests",
                f"{self._table_zh('requests')}：表头中未见列“{'、'.join(missing)}”，"
                "按全国统一格式的列序（自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他、总计）读取",
            )

    def _cols(self, table: str) -> list[str]:
        return list(axis_codes(table, "col", self.template))

    # -- output --------------------------------------------------------------------------
    def _assemble(self) -> list[CellRow]:
        self._resolve_requests()
        records = []
        for table, st in self.state.items():
            if not st.seen:
                self._issue("missing_table", "error", table,
                            f"{self._table_zh(table)}：报告中未找到该表格")
                continue
            missing = []
            found_cells = st.cells
            for pair, blank in _blank_records(table, self.template):
                found = found_cells.get(pair)
                if found is None:
                    missing.append(f"{blank[5]}·{blank[6]}")
                    records.append(blank)
                else:
                    records.append((table, *pair, *found))
            if missing:
                self._issue(
                    "missing_cells", "error", table,
                    f"{self._table_zh(table)}：{len(missing)} 个单元格未能读出："
                    + "、".join(missing[:10]) + ("等" if len(missing) > 10 else ""),
                    reported=str(len(missing)),
                )
        return records


# Every report of a template prints the same row labels: a row's match is remembered (bounded).
@lru_cache(maxsize=8192)
def _match_row(table: str, labels: tuple[str, ...], pending: tuple[str, ...],
               template: str) -> tuple[str | None, str]:
    """The row code named by a row's labels, most specific first, then with the labels wrapped
    over the lines above it (``pending``); and the label that named it."""
    candidates = []
    if labels:
        candidates.append(labels[-1])
        candidates.append("".join(labels))
    for n in range(1, len(pending) + 1):
        candidates.append("".join(pending[-n:]) + "".join(labels))
    for label in candidates:
        code = match_label(label_key(label), table, "row", template)
        if code:
            return code, label
    return None, " ".join(labels) or "".join(pending)


@lru_cache(maxsize=16)
def _row_cols(table: str, template: str) -> dict[str, frozenset[str]]:
    """Each row code of a table → the columns the template gives that row."""
    cols: dict[str, set[str]] = {}
    for row, col in cell_pairs(table, template):
        cols.setdefault(row, set()).add(col)
    return {row: frozenset(found) for row, found in cols.items()}


@lru_cache(maxsize=16)
def _col_labels(table: str, template: str) -> list[str]:
    """The short labels of a table's columns, in column order."""
    labels = short_labels(template)
    return [labels[(table, "col", c)] for c in axis_codes(table, "col", template)]


@lru_cache(maxsize=16)
def _blank_records(table: str, template: str) -> tuple[tuple[tuple[str, str], CellRow], ...]:
    """Every template cell of a table as ``((row, col), its row when the report leaves it blank)``.

    Worked out once per template: looking up both labels per cell per report was a fifth of
    reading the tables.
    """
    labels = short_labels(template)
    return tuple(((row, col), (table, row, col, math.nan, "", labels[(table, "row", row)],
                               labels[(table, "col", col)]))
                 for row, col in cell_pairs(table, template))


def extract_cells(grids: Iterable[Grid], template: str, report_id: str = "") -> tuple[list[CellRow], list[Issue]]:
    """Read the three tables from a report's grids, as rows in ``TABLE_COLUMNS`` order.

    What :func:`extract_tables` returns before it becomes a DataFrame; the corpus engine keeps
    the rows (a DataFrame per report cost more than reading the cells).
    """
    extractor = TableExtractor(template, report_id)
    return extractor.read(grids), extractor.issues


def cells_frame(rows: list[CellRow]) -> pd.DataFrame:
    """Cell rows → the long table frame (without ``report_id``)."""
    frame = pd.DataFrame.from_records(rows, columns=TABLE_COLUMNS)
    frame["value"] = frame["value"].astype(float)
    return frame


def extract_tables(grids: Iterable[Grid], template: str, report_id: str = "") -> tuple[pd.DataFrame, list[Issue]]:
    """Read the three tables from a report's grids.

    Args:
        grids: The grids a reader found, in document order.
        template: ``"2021"`` or ``"2019"`` (pick the codebook).
        report_id: Written into the issue rows.

    Returns:
        The long table frame (without ``report_id``) and the issues met on the way.
    """
    rows, issues = extract_cells(grids, template, report_id)
    return cells_frame(rows), issues
