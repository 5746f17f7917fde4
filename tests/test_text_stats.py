"""Document-term matrices, keywords, keyness, KWIC and collocations (issue 4, item 4)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency
from sklearn.feature_extraction.text import CountVectorizer

import govdisclosure as gd
import govdisclosure.text as gt
from govdisclosure.text.segment import Segmenter

ROOT = Path(__file__).resolve().parents[1]
SEED_000 = ROOT / "data" / "samples" / "000_dc9580d96d94ba76.txt"
SEED_002 = ROOT / "data" / "samples" / "002_090d11a260a4ff7f.txt"


@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "report_id": ["a", "b", "c"],
            "text": ["政务公开和依申请公开。政务公开！", "主动公开2024年", "的"],
        }
    )


# -- dtm -------------------------------------------------------------------------------------------


def test_dtm_matches_a_hand_built_matrix(seg: Segmenter, small: pd.DataFrame) -> None:
    m = gt.dtm(small, segmenter=seg)
    assert m.shape == (3, 3)
    assert m.terms.tolist() == ["主动公开", "依申请公开", "政务公开"]
    assert m.matrix.toarray().tolist() == [[0, 1, 2], [1, 0, 0], [0, 0, 0]]
    assert m.docs["report_id"].tolist() == ["a", "b", "c"]  # c kept, though all stop words
    frame = m.to_frame()
    assert frame.loc["a", "政务公开"] == 2 and frame.index.name == "report_id"


def test_dtm_without_filters(seg: Segmenter, small: pd.DataFrame) -> None:
    m = gt.dtm(small, segmenter=seg, stopwords=None, remove_numbers=False)
    assert m.terms.tolist() == ["2024", "主动公开", "依申请公开", "和", "年", "政务公开", "的"]
    assert m.matrix.toarray().tolist() == [
        [0, 0, 1, 1, 0, 2, 0],
        [1, 1, 0, 0, 1, 0, 0],
        [0, 0, 0, 0, 0, 0, 1],
    ]


def test_dtm_groups_by_several_columns_and_min_df(seg: Segmenter) -> None:
    frame = pd.DataFrame(
        {
            "report_id": ["a", "a", "a", "b"],
            "section": ["overview", "problems", "overview", "overview"],
            "text": ["政务公开", "依申请公开", "政务公开", "政务公开"],
        }
    )
    m = gt.dtm(frame, by=["report_id", "section"], segmenter=seg)
    assert m.docs.to_dict("list") == {
        "report_id": ["a", "a", "b"],
        "section": ["overview", "problems", "overview"],
    }
    assert m.matrix.toarray().tolist() == [[0, 2], [1, 0], [0, 1]]
    assert gt.dtm(frame, by="report_id", segmenter=seg, min_df=2).terms.tolist() == ["政务公开"]
    with pytest.raises(ValueError, match="year"):
        gt.dtm(frame, by="year", segmenter=seg)


def test_dtm_from_a_tokens_frame_and_from_the_analyzer_agree(seg: Segmenter, small: pd.DataFrame) -> None:
    from_text = gt.dtm(small, segmenter=seg)
    from_tokens = gt.dtm(gt.tokens(small, segmenter=seg), segmenter=seg)
    assert from_tokens.terms.tolist() == from_text.terms.tolist()
    assert (from_tokens.matrix != from_text.matrix).nnz == 0
    vectorizer = CountVectorizer(analyzer=seg.analyzer())
    matrix = vectorizer.fit_transform(small["text"])
    assert vectorizer.get_feature_names_out().tolist() == from_text.terms.tolist()
    assert (matrix != from_text.matrix).nnz == 0


# -- keywords --------------------------------------------------------------------------------------


def test_keywords_by_tfidf_against_the_corpus(seg: Segmenter) -> None:
    frame = pd.DataFrame(
        {"report_id": ["a", "b"], "text": ["政务公开。政务公开。依申请公开。", "依申请公开。主动公开。"]}
    )
    found = gt.keywords(frame, segmenter=seg)
    assert found.columns.tolist() == ["report_id", "rank", "term", "tfidf", "count", "doc_freq"]
    idf_rare, idf_common = math.log(3 / 2) + 1, 1.0  # smooth idf of df=1 and df=2 among 2 docs
    a = found[found["report_id"] == "a"]
    assert a["term"].tolist() == ["政务公开", "依申请公开"]
    norm = math.hypot(2 * idf_rare, idf_common)
    assert a["tfidf"].tolist() == pytest.approx([2 * idf_rare / norm, idf_common / norm])
    assert a["count"].tolist() == [2, 1] and a["doc_freq"].tolist() == [1, 2]
    b = found[found["report_id"] == "b"]
    assert b["term"].tolist() == ["主动公开", "依申请公开"]
    assert gt.keywords(frame, segmenter=seg, n=1)["term"].tolist() == ["政务公开", "主动公开"]


# -- keyness ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def planted() -> tuple[pd.DataFrame, str]:
    sections = gd.read_corpus([SEED_000, SEED_002]).sections
    target_id = gd.read_report(SEED_000).report_id
    extra = pd.DataFrame({"report_id": [target_id], "section": ["other"], "text": ["县长信箱。" * 8], "start": [0]})
    return pd.concat([sections, extra], ignore_index=True), target_id


@pytest.mark.parametrize("measure", ["chi2", "lr"])
def test_keyness_ranks_the_planted_term_first(seg: Segmenter, planted: tuple[pd.DataFrame, str], measure: str) -> None:
    frame, target_id = planted
    found = gt.keyness(frame, target=[target_id], segmenter=seg, measure=measure)  # type: ignore[arg-type]
    column = "chi2" if measure == "chi2" else "g2"
    top = found.iloc[0]
    assert (top["term"], top["n_target"], top["n_reference"]) == ("县长信箱", 8, 0)
    total_t, total_r = found["n_target"].sum(), found["n_reference"].sum()
    table = [[8, 0], [total_t - 8, total_r]]
    expected = chi2_contingency(
        table,
        correction=measure == "chi2",
        lambda_=None if measure == "chi2" else "log-likelihood",
    )
    assert top[column] == pytest.approx(expected.statistic)
    assert top["p"] == pytest.approx(expected.pvalue)
    assert found[column].is_monotonic_decreasing
    only_reference = found.set_index("term").loc["欧庙"]  # only in the reference: negative
    assert only_reference["n_target"] == 0 and only_reference[column] < 0


def test_keyness_groups_as_boolean_series_and_overlaps_refused(
    seg: Segmenter, planted: tuple[pd.DataFrame, str]
) -> None:
    frame, target_id = planted
    mask = frame["report_id"] == target_id
    by_mask = gt.keyness(frame, target=mask, segmenter=seg)
    by_ids = gt.keyness(frame, target=[target_id], segmenter=seg)
    pd.testing.assert_frame_equal(by_mask, by_ids)
    with pytest.raises(ValueError, match="overlap"):
        gt.keyness(frame, target=mask, reference=mask, segmenter=seg)
    with pytest.raises(TypeError):
        gt.keyness(frame, target=target_id, segmenter=seg)  # a str is not a collection of ids


# -- kwic ------------------------------------------------------------------------------------------


def test_kwic_in_seed_000(seg: Segmenter) -> None:
    rep = gd.read_report(SEED_000)
    found = gt.kwic(gt.sentences(rep.sections), "依申请公开", window=2, segmenter=seg)
    assert found.columns.tolist() == [
        "report_id", "section", "sentence_id", "position", "start", "end", "pre", "keyword", "post",
    ]  # fmt: skip
    assert len(found) == 4
    assert (found["keyword"] == "依申请公开").all()
    assert all(rep.text[r.start : r.end] == "依申请公开" for r in found.itertuples())
    assert found[["pre", "post"]].values.tolist()[:2] == [["二）", "情况"], ["规范的", "工作流程"]]


def test_kwic_phrase_regex_and_tokens_frame(seg: Segmenter) -> None:
    rep = gd.read_report(SEED_000)
    sentences = gt.sentences(rep.sections)
    phrase = gt.kwic(sentences, "主动公开 信息", window=1, segmenter=seg)
    assert phrase["keyword"].tolist() == ["主动公开信息", "主动公开信息"]
    assert phrase["post"].iloc[0] == "超"
    regex = gt.kwic(sentences, "^政府信息", valuetype="regex", segmenter=seg)
    assert set(regex["keyword"]) == {"政府信息", "政府信息公开", "政府信息管理", "政府信息公开平台"}
    toks = gt.tokens(sentences, segmenter=seg)
    from_tokens = gt.kwic(toks.sample(frac=1, random_state=0), "依申请公开", window=1)
    assert from_tokens["post"].tolist() == ["情况", "工作", "受理", "各"]


# -- collocations ----------------------------------------------------------------------------------


def test_collocations_on_a_hand_built_tokens_frame() -> None:
    rows = [
        ("r1", 0, "政务"), ("r1", 1, "公开"), ("r1", 2, "平台"), ("r1", 3, "建设"),
        ("r2", 0, "政务"), ("r2", 1, "公开"), ("r2", 2, "指南"),
        ("r3", 0, "政务"), ("r3", 1, "服务"),
        ("r4", 0, "政务"), ("r4", 2, "公开"),  # a removed token between them: no pair
    ]  # fmt: skip
    toks = pd.DataFrame(rows, columns=["report_id", "position", "token"])
    found = gt.collocations(toks)
    assert found["collocation"].tolist() == ["政务 公开"]
    top = found.iloc[0]
    assert (top["count"], top["count_first"], top["count_second"]) == (2, 3, 2)
    # N = 6 pairs; O = [2, 1, 0, 3], E = [1, 2, 1, 2]
    assert top["g2"] == pytest.approx(2 * (2 * math.log(2) + math.log(1 / 2) + 3 * math.log(3 / 2)))
    assert top["pmi"] == pytest.approx(1.0)
    assert len(gt.collocations(toks, min_count=1)) == 5


def test_collocations_of_the_seeds(seg: Segmenter) -> None:
    sections = gd.read_corpus([SEED_000, SEED_002]).sections
    found = gt.collocations(sections, segmenter=seg)
    top = found.iloc[:2][["collocation", "count"]].values.tolist()
    assert top == [["欧庙 镇", 4], ["基层政务公开 标准化", 3]]
    assert found["g2"].is_monotonic_decreasing
    assert np.all(found["count"] >= 2)
