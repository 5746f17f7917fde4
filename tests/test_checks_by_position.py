"""The arithmetic checks reading cells by position (check_rows) or through shared getters
(check_cells) give the issues of their first definition: every rule instance looked up cell by
cell, every value tested one by one."""

from __future__ import annotations

import math
from dataclasses import astuple

from distinct import distinct_values, ordered_cells
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govdisclosure.checks import _evaluate, _instances, check_cells, check_rows, format_number
from govdisclosure.codebook import short_labels, value_types
from govdisclosure.issues import Issue


def _check_cells_by_definition(cells: dict, template: str, report_id: str = "") -> list[Issue]:
    """check_cells as first written: a value test per cell, then a lookup per rule term."""
    labels = short_labels(template)
    types = value_types(template)
    issues = []
    for (table, row, col), value in cells.items():
        if math.isnan(value):
            continue
        kind = types.get((table, col), "count")
        where = f"{labels[(table, 'table', table)]}{labels[(table, 'row', row)]}·{labels[(table, 'col', col)]}"
        if value < 0 and kind != "signed":
            issues.append(Issue(report_id, "negative_value", "error",
                                f"{where}：数值 {format_number(value)} 为负数",
                                table, row, col, "", format_number(value)))
        elif kind in ("count", "signed") and not float(value).is_integer():
            issues.append(Issue(report_id, "non_integer", "error",
                                f"{where}：件数应为整数，报告值 {format_number(value)}",
                                table, row, col, "", format_number(value)))
    for instance in _instances(template):
        values = [cells.get(key) for key in instance.keys]
        if None in values:
            continue
        issue = _evaluate(instance, values, labels, report_id)  # type: ignore[arg-type]
        if issue is not None:
            issues.append(issue)
    return issues


_CHANGES = st.sampled_from(["blank", "negative", "fraction", "plus", "minus", "huge", "inf", "drop"])


@st.composite
def _reports(draw: st.DrawFn) -> tuple[str, list[tuple]]:
    """A template and its cell rows: whole tables kept or left out, values that satisfy every
    rule, then changed in a few cells (blank, negative, fractional, off by some, huge, infinite,
    or dropped)."""
    template = draw(st.sampled_from(["2021", "2019"]))
    values = distinct_values(template, seed=draw(st.integers(0, 20)))
    kept = draw(st.sets(st.sampled_from(["proactive", "requests", "appeals"]), min_size=1))
    keys = [key for key in ordered_cells(template) if key[0] in kept]
    changes = draw(st.dictionaries(st.sampled_from(keys), _CHANGES, max_size=12))
    rows = []
    for key in keys:
        value = values[key]
        change = changes.get(key)
        if change == "drop":
            continue
        value = {"blank": math.nan, "negative": -value, "fraction": value + 0.5, "plus": value + 3,
                 "minus": value - 1, "huge": value * 1e12, "inf": math.inf}.get(change, value)  # type: ignore[arg-type]
        rows.append((*key, value, "", "", ""))
    return template, rows


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_reports())
def test_checks_equal_their_first_definition(report: tuple[str, list[tuple]]) -> None:
    template, rows = report
    cells = {(r[0], r[1], r[2]): r[3] for r in rows}
    expected = [astuple(i) for i in _check_cells_by_definition(cells, template, "r")]
    assert [astuple(i) for i in check_cells(cells, template, "r")] == expected
    # Rows: complete tables take the array path, rows with a dropped cell the dict path.
    assert [astuple(i) for i in check_rows(rows, template, "r")] == expected


def test_rows_out_of_template_order_are_checked_as_cells() -> None:
    values = distinct_values("2021")
    values[("requests", "received", "total")] += 5  # breaks the total across applicants
    values[("appeals", "review", "upheld")] = -1.0
    rows = [(*key, values[key], "", "", "") for key in ordered_cells("2021")]
    first = next(i for i, r in enumerate(rows) if r[0] == "requests")
    for a, b in ((0, len(rows) - 1), (first, first + 9)):  # tables swapped; two requests rows swapped
        swapped = rows[:]
        swapped[a], swapped[b] = swapped[b], swapped[a]  # not the layout the table reader returns
        cells = {(r[0], r[1], r[2]): r[3] for r in swapped}
        issues = check_rows(swapped, "2021", "r")
        assert [astuple(i) for i in issues] == [astuple(i) for i in _check_cells_by_definition(cells, "2021", "r")]
        assert {(i.check, i.row, i.col) for i in issues} >= {("negative_value", "review", "upheld")}
        assert any(i.table == "requests" and i.row == "received" and i.severity == "error" for i in issues)


def test_weighted_terms(monkeypatch) -> None:
    """A term of weight other than 1 (none in checks.csv today) is multiplied in."""
    from govdisclosure import checks

    rules = checks._rules("2021")
    doubled = tuple((rule, tuple(checks._Term(t.code, t.role, 2.0 if t.role == "parent" else t.weight)
                                 for t in terms)) for rule, terms in rules)
    for memo in (checks._instances, checks._by_key, checks._layout):
        memo.cache_clear()
    monkeypatch.setattr(checks, "_rules", lambda template: doubled)
    try:
        values = distinct_values("2021")
        rows = [(*key, values[key], "", "", "") for key in ordered_cells("2021")]
        cells = {(r[0], r[1], r[2]): r[3] for r in rows}
        issues = check_rows(rows, "2021", "r")
        # Every instance now reads twice its parents: each breaks, as the definition says.
        assert len([i for i in issues if i.severity == "error"]) == len(checks._instances("2021"))
        assert [astuple(i) for i in issues] == [astuple(i) for i in _check_cells_by_definition(cells, "2021", "r")]
    finally:
        monkeypatch.undo()
        for memo in (checks._instances, checks._by_key, checks._layout):
            memo.cache_clear()


def test_a_rule_is_skipped_only_when_a_cell_it_needs_is_absent() -> None:
    values = distinct_values("2021")
    values[("appeals", "review", "total")] += 2
    rows = [(*key, values[key], "", "", "") for key in ordered_cells("2021") if key[0] == "appeals"]
    (issue,) = check_rows(rows, "2021", "r")
    assert (issue.check, issue.row, issue.col, issue.reported) == (
        "appeals_block_total", "review", "total", format_number(values[("appeals", "review", "total")]))
    without = [r for r in rows if (r[1], r[2]) != ("review", "corrected")]
    assert check_rows(without, "2021", "r") == []  # the review block's rule cannot be evaluated
    blank = [(*r[:3], math.nan if (r[1], r[2]) == ("review", "corrected") else r[3], *r[4:]) for r in rows]
    (issue,) = check_rows(blank, "2021", "r")
    assert "空白单元格" in issue.message and issue.row == "review"
