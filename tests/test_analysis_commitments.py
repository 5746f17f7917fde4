"""Commitments: improvement items, the problems they answer, and what the next year says."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import govdisclosure as gd
from govdisclosure.analysis import commitments, follow_through, link_commitments, problems

SEEDS = {"000": "data/samples/000_dc9580d96d94ba76.txt", "002": "data/samples/002_090d11a260a4ff7f.txt"}
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def five(*texts: str) -> pd.DataFrame:
    return pd.DataFrame({"report_id": [f"r{k}" for k in range(len(texts))], "section": "problems",
                         "text": list(texts), "start": 0})


def test_seed_002_planned_commitments() -> None:
    rep = gd.read_report(SEEDS["002"])
    found = commitments(rep.sections)
    assert found[["item", "category", "kind", "method", "marker"]].values.tolist() == [
        [1, "mechanisms", "planned", "enumeration", "一是"],
        [2, "interpretation", "planned", "enumeration", "二是"],
        [3, "staffing", "planned", "enumeration", "三是"],
    ]
    assert found["text"].iloc[1] == "加强政策解读工作,从抓解读覆盖面延伸至内容质量,推进政策的进一步传播、落地"
    for row in found.itertuples():
        assert rep.text[row.start:row.end] == row.text


def test_seed_000_reports_improvements_already_made() -> None:
    rep = gd.read_report(SEEDS["000"])
    found = commitments(rep.sections)
    assert found["kind"].tolist() == ["reported"] * 3
    # "针对去年存在问题，2024年我们进行如下改进：" introduces the first sentence; it is not the item.
    assert found["text"].iloc[0].startswith("规范信息公开格式与标准，制定了一套全面且统一的信息公开格式和标准")
    assert found["text"].iloc[2].startswith("在社交媒体方面，注册并运营官方微信公众号")
    assert found["category"].tolist() == ["standardisation", "platforms", "public_engagement"]


@pytest.mark.parametrize(
    ("text", "items", "kind"),
    [
        # huaian_2024: one sentence, two commitments split at ；, the intro cut off
        ("一是解读质量仍需提升；二是队伍建设还需加强。\n针对存在问题，下一步，我市将着力加强政策解读质效，开发解读产品；"
         "建立健全“传帮带”机制，定期组织业务培训。",
         ["着力加强政策解读质效，开发解读产品", "建立健全“传帮带”机制，定期组织业务培训"], "planned"),
        # pingtan_2018: 下一步，我区将… is the intro of a single commitment
        ("但还存在责任意识不强、队伍建设有待加强等问题。下一步，我区将加强队伍建设，提升业务素质。",
         ["加强队伍建设，提升业务素质"], "planned"),
        # shuyang_2025: no 将; 丰富了 says it was done
        ("仍存在短板：一是解读形式需进一步丰富。二是办件质量需进一步提升。\n针对上述问题，我县坚持问题导向，精准施策；\n"
         "一是增加解读的形式，丰富了视频解读。\n二是开展考核管理。",
         ["增加解读的形式，丰富了视频解读", "开展考核管理"], "reported"),
        # shanghai_kewei_2024: the status sentence after the list is not part of the last item
        ("（一）主要问题\n栏目结构无法满足需要。\n（二）改进情况\n根据上述问题，市科委采取以下措施：一是开设专栏。二是调整目录。\n"
         "目前，专栏已成功开设。",
         ["开设专栏", "调整目录"], "reported"),
        # pingtan_2021: a bare 改进措施 heading is a plan
        ("（一）存在的主要问题:解读形式不够丰富。（二）改进措施：一是丰富解读形式。二是拓宽公开渠道。",
         ["丰富解读形式", "拓宽公开渠道"], "planned"),
    ],
)
def test_improvement_parts(text: str, items: list[str], kind: str) -> None:
    found = commitments(five(text))
    assert found["text"].tolist() == items
    assert set(found["kind"]) == {kind}


def test_a_report_without_improvements_has_no_commitments() -> None:
    found = commitments(five("一是解读形式单一。二是队伍建设有待加强。"))
    assert found.empty and "kind" in found.columns


def test_links_in_seed_002_pair_each_commitment_with_its_problem() -> None:
    rep = gd.read_report(SEEDS["002"])
    links = link_commitments(problems(rep.sections), commitments(rep.sections))
    assert links[["commitment", "problem"]].values.tolist() == [[1, 1], [2, 2], [3, 3]]
    assert links["best"].all() and links["score"].between(0.3, 0.6).all()
    assert links["same_category"].tolist() == [True, True, False]  # training answers standardisation


def test_seed_000_improvements_answer_last_year_not_this_year() -> None:
    rep = gd.read_report(SEEDS["000"])
    assert link_commitments(problems(rep.sections), commitments(rep.sections)).empty


def test_link_threshold_and_missing_columns() -> None:
    rep = gd.read_report(SEEDS["002"])
    p, c = problems(rep.sections), commitments(rep.sections)
    assert len(link_commitments(p, c, threshold=0.0)) == 9
    with pytest.raises(ValueError, match="problems lacks column"):
        link_commitments(p.drop(columns="text"), c)


SERIES = pd.DataFrame([
    ("a22", "overview", "全年主动公开政府信息1000条。", 0),
    ("a22", "problems", "存在问题：一是政策解读形式单一。二是政务公开队伍建设有待加强。\n2023年，我区将采取以下措施："
                        "一是丰富政策解读形式，开展图解、视频等多形式解读。二是加强业务培训，提升队伍业务能力。"
                        "三是优化主动公开目录编制工作。", 100),
    ("a23", "overview", "全年发布图解、视频等多形式政策解读82篇。"
                        "组织全区政务公开业务培训4次，提升队伍业务能力。", 0),
    ("a23", "problems", "存在问题：一是政策解读形式仍需创新。二是平台互动功能仍有不足。\n"
                        "下一步，我区将：一是创新解读方式。二是优化平台互动。", 100),
    # The same 2023 report read from a second file that lost its section five.
    ("a23_copy", "overview", "全年发布政策解读82篇。", 0),
], columns=["report_id", "section", "text", "start"])
REPORTS = pd.DataFrame({"report_id": ["a22", "a23", "a23_copy"], "year": [2022, 2023, 2023],
                        "agency": ["某区人民政府", "某区政府", "某区人民政府"], "n_chars": [200, 200, 900]})


def test_follow_through_done_recurs_and_silence() -> None:
    p, c = problems(SERIES), commitments(SERIES)
    result = follow_through(p, c, REPORTS, sections=SERIES)
    assert result[["year", "commitment", "next_year", "next_report_id", "status"]].values.tolist() == [
        [2022, 1, 2023, "a23", "done_recurs"],
        [2022, 2, 2023, "a23", "done"],
        [2022, 3, 2023, "a23", "no_evidence"],
    ]
    first = result.iloc[0]
    assert first["done_evidence"] == "全年发布图解、视频等多形式政策解读82篇。" and first["done_source"] == "overview"
    assert (first["recur_problem"], first["recur_text"]) == (1, "政策解读形式仍需创新")
    assert result["agency"].tolist() == ["某区人民政府"] * 3
    assert pd.isna(result["recur_problem"].iloc[1]) and result["done_evidence"].iloc[2] == ""


def test_follow_through_without_sections_looks_only_at_reported_improvements() -> None:
    series = pd.concat([SERIES[SERIES["section"] == "problems"], pd.DataFrame([(
        "a23", "problems", "（一）存在问题\n一是平台互动功能仍有不足。二是意识不强。\n（二）改进情况\n"
        "针对去年存在问题，我们进行如下改进：一是完成主动公开目录编制工作。二是开展业务培训，提升队伍业务能力。", 100,
    )], columns=SERIES.columns)]).drop_duplicates("report_id", keep="last")
    p, c = problems(series), commitments(series)
    result = follow_through(p, c, REPORTS)
    assert result["status"].tolist() == ["no_evidence", "done", "done"]
    assert set(result.loc[result["done"], "done_source"]) == {"improvements"}
    assert result["done_evidence"].iloc[2] == "完成主动公开目录编制工作"


def test_follow_through_needs_consecutive_years() -> None:
    p, c = problems(SERIES), commitments(SERIES)
    apart = REPORTS.assign(year=[2020, 2023, 2023])
    assert follow_through(p, c, apart).empty
    with pytest.raises(ValueError, match="reports lacks column"):
        follow_through(p, c, REPORTS.drop(columns="agency"))


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the development corpus (../shared/corpus) is not here")
def test_pingtan_series() -> None:
    paths = sorted(CORPUS.glob("pingtan_20*.*"))
    corpus = gd.read_corpus(paths)
    p, c = problems(corpus.sections), commitments(corpus.sections)
    result = follow_through(p, c, corpus.reports, sections=corpus.sections)
    # One report per year although 2018 and 2023–2025 each come as .html and .txt; 2018 has no
    # 2019 in the corpus, so 2021→2022 … 2024→2025, three commitments each.
    assert result.groupby("year").size().to_dict() == {2021: 3, 2022: 3, 2023: 3, 2024: 3}
    recurs = result[result["recurs"]]
    # 政策解读形式不够丰富 (2021) → 政策解读形式单一 (2022) → 形式还要更加多样 (2023) → 仍需创新 (2024).
    assert recurs[["year", "commitment", "recur_problem"]].values.tolist() == [
        [2021, 1, 3], [2021, 2, 2], [2022, 3, 3], [2023, 3, 2]]
    # Nothing in 2023 on 意见征集 (2022's first commitment), nothing in 2025 on 主动公开目录 (2024's).
    silent = result[result["status"] == "no_evidence"]
    assert silent[["year", "commitment"]].values.tolist() == [[2022, 1], [2024, 1]]
    done = result.set_index(["year", "commitment"])
    assert "智能问答" in done.loc[(2024, 3), "done_evidence"]
