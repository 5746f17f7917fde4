"""The template's arithmetic rules, run as data (PUDL's parent/child/weight idea).

``data/checks.csv`` lists each rule (which table, along which axis its terms lie, severity, the
rule in words) and ``data/check_terms.csv`` its terms: parent cells, whose sum is the reported
value, and weighted child cells, whose sum is the expected value. One generic function evaluates
every rule for every column (terms along rows) or row (terms along columns).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from operator import itemgetter, mul

import pandas as pd

from govdisclosure.codebook import TABLES, axis_codes, cell_pairs, read_package_csv, short_labels, value_types
from govdisclosure.issues import Issue

_TOLERANCE = 1e-6
CellKey = tuple[str, str, str]


@dataclass(frozen=True)
class _Term:
    code: str
    role: str
    weight: float


@cache
def _rules(template: str) -> tuple[tuple[object, tuple[_Term, ...]], ...]:
    """The rules that apply to a template, each with its terms (read once)."""
    rules = read_package_csv("checks.csv")
    terms = read_package_csv("check_terms.csv")
    out = []
    for rule in rules.itertuples():
        if template in rule.templates.split():
            mine = terms[terms["check"] == rule.check]
            out.append((rule, tuple(_Term(t.code, t.role, float(t.weight)) for t in mine.itertuples())))
    return tuple(out)


def format_number(value: float) -> str:
    """Numbers as a reader writes them: 560 not 560.0; decimals kept."""
    if math.isnan(value):
        return "空白"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


def check_tables(tables: pd.DataFrame, template: str, report_id: str = "") -> list[Issue]:
    """Run the arithmetic rules and value checks on one report's cells.

    Blank cells (NaN) are not silently treated as zero: a rule that involves blanks is evaluated
    with blanks as 0, and the issue says so — an ``info`` issue when the rule holds that way, the
    rule's own severity when it does not.

    Args:
        tables: The report's long table frame (``table``, ``row``, ``col``, ``value``).
        template: ``"2021"`` or ``"2019"``.
        report_id: Written into the issue rows.

    Returns:
        One issue per failed rule instance and per invalid value.
    """
    if template not in ("2021", "2019") or tables.empty:
        return []
    cells = dict(zip(zip(tables["table"], tables["row"], tables["col"], strict=True),
                     tables["value"].astype(float), strict=True))
    return check_cells(cells, template, report_id)


def check_cells(cells: dict[CellKey, float], template: str, report_id: str = "") -> list[Issue]:
    """:func:`check_tables` on ``{(table, row, col): value}``.

    Checks a table in any state: a rule that needs an absent cell is skipped, and cells outside
    the template are checked for their values only.
    """
    if template not in ("2021", "2019") or not cells:
        return []
    labels = short_labels(template)
    return (_value_issues(list(cells), list(cells.values()), template, labels, report_id)
            + _rule_issues(cells, _by_key(template), labels, report_id))


def check_rows(rows: Sequence[Sequence[object]], template: str, report_id: str = "") -> list[Issue]:
    """:func:`check_cells` on cell rows ``(table, row, col, value, …)``, the form the parser holds.

    The corpus engine checks every report this way. Rows laid out as the table reader returns
    them — the tables it found complete and in template order — are read by position, without
    building a dict or looking up a key per rule term (that was most of the checks' time); any
    other rows are checked as :func:`check_cells` checks a dict.
    """
    if template not in ("2021", "2019") or not rows:
        return []
    columns = zip(*rows, strict=True)  # the rows' columns, one by one, in C
    tables, row_codes, col_codes, values = next(columns), next(columns), next(columns), next(columns)
    layout = _layout(template, tables[0], tables[-1], len(rows))
    if layout is None or (tables, row_codes, col_codes) != layout.columns:
        cells = dict(zip(zip(tables, row_codes, col_codes, strict=True), values, strict=True))
        return check_cells(cells, template, report_id)  # type: ignore[arg-type]
    labels = short_labels(template)
    return (_value_issues(layout.keys, values, template, labels, report_id)  # type: ignore[arg-type]
            + _rule_issues(values, layout.rules, labels, report_id))


def _suspects(values: Sequence[float]) -> list[int]:
    """Where the values that may be at fault stand (negative or fractional, not blank), in order.

    A table repeats a few dozen numbers (0, 1, 2 … and the parser's one NaN object): each
    distinct value is tested once, and the values are only walked when one is a suspect.
    """
    suspects = {value for value in set(values)
                if value < 0 or (value != value // 1 and not math.isnan(value))}
    return [i for i, value in enumerate(values) if value in suspects] if suspects else []


def _rule_issues(cells: dict | tuple, rules: tuple[_Getters, ...], labels: dict,
                 report_id: str) -> list[Issue]:
    """The issues of every rule instance whose cells are all in ``cells`` (blank or not)."""
    issues = []
    for rule in rules:
        try:
            # Most instances hold with no blank: decided from two sums, without the term loop.
            if rule.unit:  # every weight 1 (all of checks.csv today): no products to take
                reported, expected = sum(rule.parents(cells)), sum(rule.children(cells))
            else:
                reported = sum(map(mul, rule.parent_weights, rule.parents(cells)))
                expected = sum(map(mul, rule.child_weights, rule.children(cells)))
            if abs(reported - expected) <= _TOLERANCE:  # False when a blank (NaN) is among them
                continue
            values = rule.terms(cells)
        except KeyError:
            continue  # a cell the rule needs is not in this report's table at all
        issue = _evaluate(rule.instance, list(values), labels, report_id)
        if issue is not None:
            issues.append(issue)
    return issues


@dataclass(frozen=True)
class _Instance:
    """One rule along one column (terms along rows) or one row: the cells it reads, in term order."""

    rule: object
    terms: tuple[_Term, ...]
    other: str
    keys: tuple[CellKey, ...]


@cache
def _instances(template: str) -> tuple[_Instance, ...]:
    """Every rule instance of a template, in rule order and then codebook order."""
    out = []
    for rule, terms in _rules(template):
        along_rows = rule.terms_axis == "row"
        for other in axis_codes(rule.table, "col" if along_rows else "row", template):
            keys = tuple((rule.table, t.code, other) if along_rows else (rule.table, other, t.code)
                         for t in terms)
            out.append(_Instance(rule, terms, other, keys))
    return tuple(out)


@dataclass(frozen=True)
class _Getters:
    """An instance's cell values read out of a dict (by key) or out of the value column of rows
    (by position) as tuples, KeyError when one is absent; weights in the same order.

    Worked out once: looking the cells up per report and per rule was most of the checks' time.
    """

    instance: _Instance
    parents: Callable[[dict | tuple], tuple[float, ...]]
    children: Callable[[dict | tuple], tuple[float, ...]]
    terms: Callable[[dict | tuple], tuple[float, ...]]
    parent_weights: tuple[float, ...]
    child_weights: tuple[float, ...]
    unit: bool  # every weight is 1


def _getters(instance: _Instance, where: Callable[[CellKey], object]) -> _Getters:
    """The instance's getters, each cell found at ``where(key)``."""
    terms = instance.terms
    keys = [where(key) for key in instance.keys]
    roles = [t.role == "parent" for t in terms]
    return _Getters(
        instance,
        _tuple_getter([k for k, parent in zip(keys, roles, strict=True) if parent]),
        _tuple_getter([k for k, parent in zip(keys, roles, strict=True) if not parent]),
        _tuple_getter(keys),
        tuple(t.weight for t in terms if t.role == "parent"),
        tuple(t.weight for t in terms if t.role != "parent"),
        all(t.weight == 1 for t in terms),
    )


@cache
def _by_key(template: str) -> tuple[_Getters, ...]:
    """Every rule instance of a template, its cells read from a dict by key."""
    return tuple(_getters(instance, lambda key: key) for instance in _instances(template))


@dataclass(frozen=True)
class _Layout:
    """Rows holding some of a template's tables complete and in template order."""

    columns: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]  # table, row, col as they read
    keys: tuple[CellKey, ...]
    rules: tuple[_Getters, ...]  # the instances within these tables, cells read by position


@lru_cache(maxsize=64)
def _layout(template: str, first: str, last: str, n_rows: int) -> _Layout | None:
    """The layout of rows from table ``first`` to table ``last``, if it has ``n_rows`` rows."""
    if first not in TABLES or last not in TABLES:
        return None
    tables = TABLES[TABLES.index(first):TABLES.index(last) + 1]
    keys = tuple((table, row, col) for table in tables for row, col in cell_pairs(table, template))
    if len(keys) != n_rows:
        return None
    position = {key: i for i, key in enumerate(keys)}
    rules = tuple(_getters(instance, position.__getitem__) for instance in _instances(template)
                  if all(key in position for key in instance.keys))
    return _Layout(tuple(zip(*keys, strict=True)), keys, rules)  # type: ignore[arg-type]


def _tuple_getter(keys: list[object]) -> Callable[[dict | tuple], tuple[float, ...]]:
    """``itemgetter`` that returns a tuple for any number of keys (it returns a bare value for one)."""
    if len(keys) == 1:
        key = keys[0]
        return lambda cells: (cells[key],)
    if not keys:
        return lambda cells: ()
    return itemgetter(*keys)


def _evaluate(instance: _Instance, values: list[float], labels: dict, report_id: str) -> Issue | None:
    if all(map(math.isnan, values)):
        return None  # a block left wholly blank breaks no rule (the blank template's every block)
    rule, present, other = instance.rule, instance.terms, instance.other
    table = rule.table
    reported = expected = 0.0
    blanks = []
    for term, value in zip(present, values, strict=True):
        if math.isnan(value):
            blanks.append(term.code)
        elif term.role == "parent":
            reported += term.weight * value
        else:
            expected += term.weight * value
    holds = abs(reported - expected) <= _TOLERANCE
    if holds and not blanks:
        return None
    term_axis = rule.terms_axis
    other_axis = "col" if term_axis == "row" else "row"
    parents = "+".join(labels[(table, term_axis, t.code)] for t in present if t.role == "parent")
    place = labels[(table, other_axis, other)]
    where = f"{labels[(table, 'table', table)]}{parents}·{place}" if term_axis == "row" else (
        f"{labels[(table, 'table', table)]}{place}·{parents}"
    )
    note = ""
    if blanks:
        blank_names = "、".join(labels[(table, term_axis, c)] for c in blanks)
        note = f"（空白单元格 {blank_names} 按 0 计）"
    if holds:
        message = f"{where}：规则“{rule.rule_zh}”在空白按 0 计时成立{note}"
    else:
        message = (f"{where}：报告值 {format_number(reported)}，分项合计 {format_number(expected)}"
                   f"（规则：{rule.rule_zh}）{note}")
    first_parent = next(t.code for t in present if t.role == "parent")
    row, col = (first_parent, other) if term_axis == "row" else (other, first_parent)
    return Issue(
        report_id=report_id, check=rule.check, severity="info" if holds else rule.severity,
        table=table, row=row, col=col, expected=format_number(expected),
        reported=format_number(reported), message=message,
    )


def _value_issues(keys: Sequence[CellKey], values: Sequence[float], template: str, labels: dict,
                  report_id: str) -> list[Issue]:
    """Counts must be non-negative integers; amounts non-negative (TEMPLATE.md Data rules)."""
    types = value_types(template)
    issues = []
    for i in _suspects(values):
        value = values[i]
        table, row, col = keys[i]
        kind = types.get((table, col), "count")
        if value < 0 and kind != "signed":
            issues.append(Issue(report_id, "negative_value", "error",
                                f"{_where(labels, table, row, col)}：数值 {format_number(value)} 为负数",
                                table, row, col, "", format_number(value)))
        elif kind in ("count", "signed") and not float(value).is_integer():
            issues.append(Issue(report_id, "non_integer", "error",
                                f"{_where(labels, table, row, col)}：件数应为整数，报告值 {format_number(value)}",
                                table, row, col, "", format_number(value)))
    return issues


def _where(labels: dict, table: str, row: str, col: str) -> str:
    return f"{labels[(table, 'table', table)]}{labels[(table, 'row', row)]}·{labels[(table, 'col', col)]}"
