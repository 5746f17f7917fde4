"""Request and appeal figures: bars equal the table cells, shares add to 100, labels are Chinese."""

from __future__ import annotations

import pandas as pd
import pytest
from plot_helpers import hbars, new_ax, render, reports_frame, tables_frame, texts

from govdisclosure.plot import requests as rq

REPORTS = reports_frame([("r1", "淮安市人民政府", 2024, "prefecture"),
                         ("r2", "洪泽区人民政府", 2023, "county"),
                         ("r3", "郏县白庙乡人民政府", 2024, "township")])
T = "requests"
TABLES = tables_frame({
    "r1": {(T, "received", "total"): 300, (T, "carried_in", "total"): 20,
           (T, "granted", "total"): 150, (T, "partly_granted", "total"): 50,
           (T, "withheld_state_secret", "total"): 5, (T, "withheld_internal", "total"): 15,
           (T, "unavailable_not_held", "total"): 60, (T, "rejected_duplicate", "total"): 10,
           (T, "other_other", "total"): 10, (T, "total_processed", "total"): 300,
           ("appeals", "review", "upheld"): 6, ("appeals", "review", "corrected"): 2,
           ("appeals", "review", "other"): 2, ("appeals", "review", "pending"): 1,
           ("appeals", "litigation_direct", "upheld"): 3},
    "r2": {(T, "received", "total"): 10, (T, "granted", "total"): 2, (T, "unavailable_not_held", "total"): 8,
           (T, "total_processed", "total"): 10, ("appeals", "review", "corrected"): 1},
    "r3": {},  # a township with no request at all
})


def outcomes(**kwargs) -> pd.DataFrame:
    from govdisclosure.analysis import request_outcomes

    return request_outcomes(TABLES, REPORTS, **kwargs)


def appeals(**kwargs) -> pd.DataFrame:
    from govdisclosure.analysis import appeal_outcomes

    return appeal_outcomes(TABLES, REPORTS, **kwargs)


def test_request_volumes_stack_received_and_carried_in() -> None:
    ax = rq.request_volumes(outcomes(), REPORTS, ax=new_ax())
    render(ax)
    bars = hbars(ax)
    r1 = bars[bars["label"] == "淮安市人民政府 2024"].sort_values("left")
    assert r1["width"].tolist() == [300, 20]
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "淮安市人民政府 2024"  # largest on top
    assert {"320", "10", "0", "申请数（件）", "一、本年新收", "二、上年结转"} <= set(texts(ax))
    assert ax.get_title() == "政府信息公开申请数量（按报告）"


def test_request_volumes_pooled_by_level() -> None:
    ax = rq.request_volumes(outcomes(by="level"), ax=new_ax())
    render(ax)
    assert hbars(ax).groupby("label")["width"].sum().to_dict() == {"地市级": 320, "县级": 10}
    assert ax.get_title() == "政府信息公开申请数量（按行政级别）"


def test_request_outcomes_are_the_analysis_shares() -> None:
    ax = rq.request_outcomes(outcomes(), REPORTS, ax=new_ax())
    render(ax)
    bars = hbars(ax)
    r1 = bars[bars["label"] == "淮安市人民政府 2024"].sort_values("left")
    # 150 granted, 50 partly, 20 withheld, 60 unavailable, 10 not processed, 10 other of 300.
    assert r1["width"].tolist() == pytest.approx([50, 50 / 3, 20 / 3, 20, 10 / 3, 10 / 3])
    assert bars.groupby("label")["width"].sum().tolist() == pytest.approx([100, 100])
    # r3 handled nothing: no bar (its shares are NaN).
    assert "郏县白庙乡人民政府 2024" not in set(bars["label"])
    assert {"300 件", "10 件", "50%", "（三）不予公开"} <= set(texts(ax))
    assert ax.get_yticklabels()[-1].get_text() == "淮安市人民政府 2024"  # most granted on top


def test_request_outcomes_say_when_the_rows_do_not_add_up() -> None:
    from govdisclosure.analysis import request_outcomes

    tables = TABLES.copy()
    tables.loc[(tables["report_id"] == "r2") & (tables["row"] == "total_processed")
               & (tables["col"] == "total"), "value"] = 12.0
    ax = rq.request_outcomes(request_outcomes(tables, REPORTS), REPORTS, ax=new_ax())
    render(ax)
    assert "12 件（分项合计 10）" in texts(ax)
    r2 = hbars(ax).query("label == '洪泽区人民政府 2023'")
    assert r2["width"].sum() == pytest.approx(1000 / 12)  # the bar ends short of 100


def test_pooled_outcomes_say_how_many_reports_had_a_table_years_in_order() -> None:
    reports = REPORTS.assign(year=pd.array([2024, 2023, 2024], dtype="Int64"))
    from govdisclosure.analysis import request_outcomes

    ax = rq.request_outcomes(request_outcomes(TABLES, reports, by="year"), ax=new_ax())
    render(ax)
    assert [t.get_text() for t in ax.get_yticklabels()][::-1] == ["2023年（1/1 份有表）", "2024年（2/2 份有表）"]


def test_years_keep_their_order_earliest_on_top() -> None:
    reports = REPORTS.assign(year=pd.array([2024, 2023, 2025], dtype="Int64"))
    from govdisclosure.analysis import request_outcomes

    ax = rq.request_volumes(request_outcomes(TABLES, reports, by="year"), ax=new_ax())
    render(ax)
    assert [t.get_text() for t in ax.get_yticklabels()][::-1][:2] == ["2023年", "2024年"]


def test_withheld_reasons_are_summed_over_reports_in_template_order() -> None:
    ax = rq.withheld_reasons(TABLES, ax=new_ax())
    render(ax)
    widths = hbars(ax).set_index("label")["width"]
    assert widths.to_dict() == {"（三）1.国家秘密": 5, "（三）5.内部事务": 15, "（四）1.不掌握": 68,
                                "（五）2.重复申请": 10}
    order = [t.get_text() for t in ax.get_yticklabels()][::-1]
    assert order[0] == "（三）1.国家秘密" and order[-1] == "（五）5.要求确认或重新出具"


def test_appeal_outcomes_by_proceeding_with_correction_rate() -> None:
    ax = rq.appeal_outcomes(appeals(), ax=new_ax())
    render(ax)
    review = hbars(ax).query("label == '行政复议'").sort_values("left")
    assert review["width"].tolist() == [6, 3, 2, 1]  # upheld, corrected (2+1), other, pending
    assert "12 件，纠错率 27%" in texts(ax)  # 3 of 11 decided
    assert "（3 份报告合计）" in ax.get_title()
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "行政复议"  # the printed order


def test_appeal_outcomes_per_report() -> None:
    ax = rq.appeal_outcomes(appeals(), REPORTS, rows="group", ax=new_ax())
    render(ax)
    assert hbars(ax).groupby("label")["width"].sum().to_dict() == {"淮安市人民政府 2024": 14,
                                                                   "洪泽区人民政府 2023": 1}
    with pytest.raises(ValueError, match="rows"):
        rq.appeal_outcomes(appeals(), rows="report", ax=new_ax())


def test_all_zero_or_no_table_says_so() -> None:
    from govdisclosure.analysis import appeal_outcomes, request_outcomes

    zeros = TABLES[TABLES["report_id"] == "r3"]
    for tables in (zeros, zeros.iloc[:0]):
        for ax in (rq.request_volumes(request_outcomes(tables, REPORTS), ax=new_ax()),
                   rq.request_outcomes(request_outcomes(tables, REPORTS), ax=new_ax()),
                   rq.withheld_reasons(tables, ax=new_ax()),
                   rq.appeal_outcomes(appeal_outcomes(tables, REPORTS), ax=new_ax())):
            render(ax)
            assert ax.get_title() and len(ax.texts) == 1 and not len(hbars(ax)), ax.get_title()
