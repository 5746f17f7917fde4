"""Copied content (内容雷同): sections one and five between agencies and between consecutive years."""

from __future__ import annotations

from audit_fixtures import copied_pipe, corpus_of, read_text, seed_text

from govdisclosure.audit import audit, similar_sections


def test_unrelated_reports_are_not_copies() -> None:
    corpus = corpus_of(read_text(seed_text("tab")), read_text(seed_text("pipe")))
    assert audit(corpus, checks=["copied"]).empty
    assert similar_sections(corpus.reports, corpus.sections, corpus.tables, corpus.issues).empty


def test_a_copy_between_agencies_is_reported_on_both() -> None:
    tab, pipe = read_text(seed_text("tab")), read_text(copied_pipe())
    corpus = corpus_of(tab, pipe)
    found = audit(corpus, checks=["copied"])
    assert sorted(found["agency"]) == ["襄城区欧庙镇人民政府", "郏县白庙乡人民政府"]
    assert set(found["check"]) == {"copied_content"} and set(found["severity"]) == {"warning"}
    assert set(found["location"]) == {"第一部分 总体情况"} and set(found["section"]) == {"overview"}
    assert set(found["expected"]) == {"0.60"}
    assert all(float(score) >= 0.95 for score in found["reported"])
    mine = found.set_index("agency").loc["郏县白庙乡人民政府"]
    assert "与襄城区欧庙镇人民政府2024年度报告的同一部分相似度" in mine["message"]
    # The matching passages: this report's sentence first, then the other's; five shown, best first.
    shown = mine["evidence"].split("；")
    assert len(shown) == 5
    assert shown[0].startswith("「2024年，将乡村振兴、应急管理") and shown[0].endswith("（1.00）")
    pairs = similar_sections(corpus.reports, corpus.sections, corpus.tables, corpus.issues)
    assert len(pairs) == 1
    passages = pairs["passages"].iloc[0]
    assert f"雷同段落 {len(passages)} 处" in mine["message"]
    changed = [p for p in passages if "超184条" in p[0] + p[1]]
    assert len(changed) == 1 and "超97条" in changed[0][0] + changed[0][1] and changed[0][2] >= 0.8

def test_a_copy_of_last_years_report_is_reported_on_the_later_year() -> None:
    old = read_text(seed_text("tab", year=2023), "a_2023.txt")
    new = read_text(seed_text("tab", year=2024), "a_2024.txt")
    found = audit(corpus_of(old, new), checks=["copied"])
    assert found[["report_id", "year", "location", "reported"]].values.tolist() == [
        [new.report_id, 2024, "第一部分 总体情况", "1.00"],
        [new.report_id, 2024, "第五部分 存在的主要问题及改进情况", "1.00"],
    ]
    assert "与郏县白庙乡人民政府2023年度报告的同一部分相似度 1.00" in found["message"].iloc[0]


def test_years_two_apart_are_not_compared_within_one_agency() -> None:
    old = read_text(seed_text("tab", year=2022))
    new = read_text(seed_text("tab", year=2024))
    assert audit(corpus_of(old, new), checks=["copied"]).empty


def test_the_threshold_decides() -> None:
    corpus = corpus_of(read_text(seed_text("tab")), read_text(seed_text("pipe")))
    pairs = similar_sections(corpus.reports, corpus.sections, corpus.tables, corpus.issues, threshold=0.0)
    # Two unrelated overviews and two unrelated problems sections score low but not zero.
    assert sorted(pairs["section"]) == ["overview", "problems"]
    assert all(0.0 < score < 0.3 for score in pairs["score"])
