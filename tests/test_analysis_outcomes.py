"""Request and appeal statistics: volumes, shares, correction rates, zero volumes, pooled groups."""

from __future__ import annotations

import io
import math

import pandas as pd
import pytest

import govdisclosure as gd
from govdisclosure.analysis import appeal_outcomes, request_outcomes
from govdisclosure.analysis._data import outcome_rows
from govdisclosure.codebook import codebook

# Two reports' 总计 column, the cells a reader would see (blank = not printed).
REQUESTS = pd.read_csv(io.StringIO("""\
report_id,row,value
big,received,100
big,carried_in,10
big,granted,40
big,partly_granted,10
big,withheld_state_secret,2
big,withheld_process,8
big,unavailable_not_held,20
big,unavailable_unclear,5
big,rejected_duplicate,5
big,other_other,
big,other_no_correction,4
big,total_processed,94
big,carried_out,16
small,received,0
small,carried_in,0
small,granted,0
small,total_processed,0
small,carried_out,0
"""))
APPEALS = pd.read_csv(io.StringIO("""\
report_id,row,col,value
big,review,upheld,6
big,review,corrected,2
big,review,other,2
big,review,pending,5
big,review,total,15
big,litigation_direct,upheld,3
big,litigation_direct,corrected,1
big,litigation_direct,other,0
big,litigation_direct,pending,0
big,litigation_direct,total,4
big,litigation_after_review,upheld,1
big,litigation_after_review,corrected,1
big,litigation_after_review,other,0
big,litigation_after_review,pending,2
big,litigation_after_review,total,4
odd,review,upheld,10
odd,review,corrected,1
odd,review,other,0
odd,review,pending,0
odd,review,total,0
"""))
REPORTS = pd.DataFrame({"report_id": ["big", "small", "odd", "none"],
                        "level": ["county", "township", "county", "township"], "year": [2024, 2024, 2024, 2023]})


def long_requests(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(table="requests", col="total")


def long_appeals(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(table="appeals")


def test_request_volumes_and_shares() -> None:
    out = request_outcomes(long_requests(REQUESTS))
    big = out.loc["big"]
    assert (big["received"], big["total_processed"], big["carried_out"]) == (100, 94, 16)
    counts = big[["granted", "withheld", "unavailable", "not_processed", "other"]].tolist()
    assert counts == [40, 10, 25, 5, 4]
    assert big["withheld_process"] == 8 and big["withheld_state_secret"] == 2 and math.isnan(big["withheld_inquiry"])
    assert big["outcomes_sum"] == 94  # the format's own balance
    assert big["share_granted"] == pytest.approx(40 / 94) and big["share_withheld_process"] == pytest.approx(8 / 94)


def test_zero_volume_gives_nan_shares_not_errors() -> None:
    small = request_outcomes(long_requests(REQUESTS)).loc["small"]
    assert small["total_processed"] == 0 and small["granted"] == 0
    assert math.isnan(small["share_granted"]) and math.isnan(small["share_unavailable"])
    assert math.isnan(small["unavailable"])  # not printed at all: unknown, not zero


def test_every_report_gets_a_row_and_groups_pool_counts() -> None:
    per_report = request_outcomes(long_requests(REQUESTS), REPORTS)
    assert per_report.index.tolist() == ["big", "small", "odd", "none"]
    assert per_report.loc["none"].isna().all()
    pooled = request_outcomes(long_requests(REQUESTS), REPORTS, by="level")
    assert pooled.loc["county", "n_reports"] == 2 and pooled.loc["county", "n_with_table"] == 1
    assert pooled.loc["township", "n_reports"] == 2 and pooled.loc["township", "total_processed"] == 0
    assert math.isnan(pooled.loc["township", "share_granted"])
    both = request_outcomes(long_requests(REQUESTS), REPORTS, by=["level", "year"])
    assert both.loc[("county", 2024), "share_granted"] == pytest.approx(40 / 94)
    with pytest.raises(ValueError, match="needs the reports frame"):
        request_outcomes(long_requests(REQUESTS), by="level")


def test_one_applicant_column() -> None:
    frame = pd.concat([long_requests(REQUESTS), long_requests(REQUESTS).assign(col="business", value=1.0)])
    out = request_outcomes(frame, col="business")
    assert out.loc["big", "granted"] == 1 and out.loc["big", "share_granted"] == 1.0


def test_the_2019_format_single_other_row() -> None:
    frame = long_requests(pd.DataFrame({"report_id": "old", "row": ["granted", "other_handling", "total_processed"],
                                        "value": [3.0, 1.0, 4.0]}))
    out = request_outcomes(frame).loc["old"]
    assert out["other"] == 1 and out["share_other"] == 0.25


def test_outcome_rows_cover_every_codebook_row() -> None:
    # Every numbered row of the requests table, in both formats, feeds exactly one measure.
    table = outcome_rows()
    assert table["row"].is_unique
    for template in ("2021", "2019"):
        book = codebook("requests", template=template)
        assert set(book.loc[book["axis"] == "row", "code"]) <= set(table["row"])


def test_appeal_rates() -> None:
    out = appeal_outcomes(long_appeals(APPEALS))
    review = out.loc[("big", "review")]
    assert (review["decided"], review["correction_rate"], review["upheld_rate"]) == (10, 0.2, 0.6)
    assert review["pending_share"] == pytest.approx(5 / 15) and bool(review["balanced"])
    litigation = out.loc[("big", "litigation")]
    assert (litigation["total"], litigation["corrected"], litigation["decided"]) == (8, 2, 6)
    assert litigation["correction_rate"] == pytest.approx(2 / 6)
    assert out.loc["big"].index.tolist() == ["review", "litigation_direct", "litigation_after_review", "litigation"]


def test_a_total_that_contradicts_its_cells() -> None:
    # hongze_2023.pdf prints 结果维持 10, 结果纠正 1 and 总计 0 for 行政复议.
    odd = appeal_outcomes(long_appeals(APPEALS)).loc[("odd", "review")]
    assert odd["decided"] == 11 and odd["correction_rate"] == pytest.approx(1 / 11)
    assert not odd["balanced"] and math.isnan(odd["pending_share"])


def test_appeals_zero_missing_and_pooled() -> None:
    out = appeal_outcomes(long_appeals(APPEALS), REPORTS)
    assert len(out) == 4 * 4
    none = out.loc[("none", "review")]
    assert math.isnan(none["total"]) and pd.isna(none["balanced"]) and math.isnan(none["correction_rate"])
    odd_direct = out.loc[("odd", "litigation_direct")]  # no cell printed for this proceeding
    assert math.isnan(odd_direct["total"])
    pooled = appeal_outcomes(long_appeals(APPEALS), REPORTS, by="level")
    county = pooled.loc[("county", "review")]
    assert (county["upheld"], county["corrected"], county["decided"]) == (16, 3, 21)
    assert county["correction_rate"] == pytest.approx(3 / 21)
    assert pooled.index.get_level_values("proceeding")[:4].tolist() == [
        "review", "litigation_direct", "litigation_after_review", "litigation"]


def test_seed_reports_have_no_requests_and_no_appeals() -> None:
    rep = gd.read_report("data/samples/000_dc9580d96d94ba76.txt")
    requests = request_outcomes(rep.tables)
    assert requests.loc[rep.report_id, "received"] == 0 and math.isnan(requests.loc[rep.report_id, "share_granted"])
    appeals = appeal_outcomes(rep.tables)
    assert appeals["total"].eq(0).all() and appeals["correction_rate"].isna().all()
