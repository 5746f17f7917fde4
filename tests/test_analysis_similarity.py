"""Similar texts (内容雷同): pairs, their scores and how the two reports relate."""

from __future__ import annotations

import pandas as pd
import pytest
from audit_fixtures import copied_pipe, corpus_of, read_text, seed_text

from govdisclosure.analysis import similar_texts
from govdisclosure.audit.copied import similar_pairs


def test_unrelated_seeds_score_low_and_are_left_out_by_default() -> None:
    corpus = corpus_of(read_text(seed_text("tab")), read_text(seed_text("pipe")))
    assert similar_texts(corpus.sections, corpus.reports).empty
    every = similar_texts(corpus.sections, corpus.reports, min_score=0)
    assert sorted(every["section"]) == ["overview", "problems"]
    assert (every["score"] < 0.2).all() and set(every["relation"]) == {"different_agencies"}


def test_a_copy_between_agencies() -> None:
    tab, pipe = read_text(seed_text("tab")), read_text(copied_pipe())
    corpus = corpus_of(tab, pipe)
    pairs = similar_texts(corpus.sections, corpus.reports, passages=True)
    assert len(pairs) == 1
    pair = pairs.iloc[0]
    assert pair["section"] == "overview" and pair["score"] > 0.95 and pair["relation"] == "different_agencies"
    assert {pair["agency"], pair["other_agency"]} == {"郏县白庙乡人民政府", "襄城区欧庙镇人民政府"}
    changed = [p for p in pair["passages"] if "超184条" in p[0] + p[1]]
    assert len(changed) == 1 and "超97条" in changed[0][0] + changed[0][1]


def test_one_agency_next_year_and_the_same_report_twice() -> None:
    old = read_text(seed_text("tab", year=2023), "a_2023.txt")
    new = read_text(seed_text("tab", year=2024), "a_2024.txt")
    again = read_text(seed_text("tab", year=2024) + "\n", "a_2024_copy.txt")
    corpus = corpus_of(old, new, again)
    pairs = similar_texts(corpus.sections, corpus.reports, section_codes=["problems"])
    relations = sorted(pairs["relation"])
    assert relations == ["consecutive_years", "consecutive_years", "same_report"]
    later = pairs[pairs["relation"] == "consecutive_years"]
    assert set(later["report_id"]) == {new.report_id, again.report_id}
    assert set(later["other_report_id"]) == {old.report_id}
    assert (later["year"] == 2024).all() and (later["other_year"] == 2023).all()
    assert pairs["score"].min() > 0.99


def test_without_reports_the_relation_is_unknown() -> None:
    sections = pd.DataFrame({"report_id": ["a", "b"], "section": "overview",
                             "text": ["加强政府网站建设，" * 12, "加强政府网站建设，" * 12]})
    pairs = similar_texts(sections)
    assert pairs[["report_id", "other_report_id", "relation"]].values.tolist() == [["a", "b", "unknown"]]
    assert pd.isna(pairs["year"].iloc[0])


def test_short_sections_are_not_compared() -> None:
    sections = pd.DataFrame({"report_id": ["a", "b"], "section": "overview", "text": ["（文字描述）"] * 2})
    assert similar_texts(sections, min_score=0).empty
    with pytest.raises(ValueError, match="lacks"):
        similar_texts(sections.drop(columns="section"))


def test_shared_core_blocks_give_the_same_pairs() -> None:
    texts = ["政府信息公开工作取得成效" * 5, "政府信息公开工作取得成效" * 5, "村务公开栏建设与维护" * 5,
             "政府信息公开工作取得成效，村务公开栏建设" * 3]
    _v, whole = similar_pairs(texts, 0.1)
    _v, blocked = similar_pairs(texts, 0.1, block=1)
    assert whole == blocked
    assert whole[0][:2] == (0, 1) and whole[0][2] == pytest.approx(1.0)
    assert all(i < j for i, j, _s in whole)
