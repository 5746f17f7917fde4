"""Problem and commitment figures: bars equal the items, links and statuses they are given."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from plot_helpers import hbars, new_ax, render, texts

import govdisclosure as gd
from govdisclosure.plot import problems as pp

PROBLEMS = pd.read_csv(io.StringIO("""\
report_id,item,text,category
r1,1,政务公开理念较为滞后,awareness
r1,2,政务公开专业人员短缺,staffing
r1,3,公众对政务公开相关内容的知晓程度较低,public_engagement
r2,1,政府信息管理机制落实不到位,mechanisms
r2,2,政策解读质量有待提升,interpretation
r3,1,政策解读形式单一,interpretation
r3,2,便民服务仍有差距,other
"""))
COMMITMENTS = pd.read_csv(io.StringIO("""\
report_id,item,text,category,kind
r2,1,严格落实政府信息管理机制,mechanisms,planned
r2,2,提升政策解读质量,interpretation,planned
r3,1,丰富政策解读形式,interpretation,planned
r3,2,加强队伍建设,staffing,planned
"""))
LINKS = pd.DataFrame({"report_id": ["r2", "r2", "r3"], "commitment": [1, 2, 1], "problem": [1, 2, 1],
                      "score": [0.5, 0.4, 0.3]})
GROUPS = pd.DataFrame({
    "group": [0, 1], "n_items": [6, 2], "n_reports": [5, 2], "category": ["staffing", "interpretation"],
    "terms": ["队伍|建设", "政策解读|形式"], "example": ["政务公开队伍建设有待加强",
                                                  "政策解读的质量有待提高，形式还要更加多样、更加“接地气”"],
    "example_report_id": ["r1", "r2"], "members": [[], []],
})
FOLLOW = pd.DataFrame({
    "agency": ["平潭综合实验区"] * 5, "year": [2021, 2021, 2021, 2022, 2022],
    "next_year": [2022, 2022, 2022, 2023, 2023],
    "category": ["interpretation", "timeliness", "platforms", "interpretation", "mechanisms"],
    "status": ["recurs", "done_recurs", "done", "done", "no_evidence"],
})


def test_problem_categories_count_items_and_reports_other_last() -> None:
    ax = pp.problem_categories(PROBLEMS, ax=new_ax())
    render(ax)
    widths = hbars(ax).set_index("label")["width"]
    assert widths["政策解读"] == 2 and widths["意识与理念"] == 1
    assert ax.get_yticklabels()[0].get_text() == "其他"  # the residue at the bottom
    assert ax.get_yticklabels()[-1].get_text() == "政策解读"  # most frequent on top
    assert "2 条（2 份）" in texts(ax)


def test_problem_categories_beside_commitments() -> None:
    ax = pp.problem_categories(PROBLEMS, COMMITMENTS, ax=new_ax())
    render(ax)
    bars = hbars(ax)
    blue = bars[bars["color"] == "#0072b2"]
    assert sorted(blue["width"]) == [1, 1, 2]  # mechanisms, staffing, interpretation ×2
    assert {"问题", "改进措施"} <= set(texts(ax))


def test_recurring_problems_label_with_the_example_and_category() -> None:
    ax = pp.recurring_problems(GROUPS, ax=new_ax())
    render(ax)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1] == "政务公开队伍建设有待加强\n［人员与培训］"
    assert labels[0].startswith("政策解读的质量有待提高，形式还要更加多样") and "…" in labels[0]
    assert sorted(p.get_width() for p in ax.patches) == [2, 5]


def test_commitment_links_share_of_problems_answered() -> None:
    ax = pp.commitment_links(LINKS, PROBLEMS, ax=new_ax())
    render(ax)
    assert "3/7 条问题有对应措施" in ax.get_title()
    assert "100%（2/2）" in texts(ax)  # both 政策解读 problems are answered
    bars = hbars(ax)
    assert bars[bars["label"] == "意识与理念"]["color"].tolist() == ["#dddddd"]


def test_follow_through_by_category_and_by_year() -> None:
    ax = pp.follow_through(FOLLOW, ax=new_ax())
    render(ax)
    rows = hbars(ax).groupby("label")["width"].sum().to_dict()
    assert rows == {"政策解读": 2, "及时与全面": 1, "平台与渠道": 1, "机制与落实": 1}
    assert "落实 1/2" in texts(ax) and "（1 个机关，5 项措施）" in ax.get_title()
    ax = pp.follow_through(FOLLOW, by="year", ax=new_ax())
    render(ax)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["2022→2023", "2021→2022"]
    with pytest.raises(ValueError, match="category"):
        pp.follow_through(FOLLOW, by="agency", ax=new_ax())


def test_empty_frames_say_so() -> None:
    for fn in (lambda ax: pp.problem_categories(PROBLEMS.iloc[:0], ax=ax),
               lambda ax: pp.recurring_problems(GROUPS.iloc[:0], ax=ax),
               lambda ax: pp.commitment_links(LINKS.iloc[:0], PROBLEMS.iloc[:0], ax=ax),
               lambda ax: pp.follow_through(FOLLOW.iloc[:0], ax=ax)):
        ax = fn(new_ax())
        render(ax)
        assert len(ax.texts) == 1


def test_real_analysis_output_on_the_seeds() -> None:
    """The plots read the columns the analyses really return."""
    from govdisclosure.analysis import commitments, link_commitments, problems

    corpus = gd.read_corpus(Path(__file__).resolve().parents[1] / "data" / "samples", cache=False)
    found = problems(corpus.sections)
    made = commitments(corpus.sections)
    ax = pp.problem_categories(found, made, ax=new_ax())
    render(ax)
    assert hbars(ax)["width"].sum() == len(found) + len(made)
    render(pp.commitment_links(link_commitments(found, made), found, ax=new_ax()))
