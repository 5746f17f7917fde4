"""Copied content (内容雷同): near-identical sections one and five between reports.

The 2021 format notice (国办公开办函〔2021〕30号) names 内容雷同 among the failings that lead to
accountability. Two reports are compared when they come from different agencies of the corpus, or
from one agency's consecutive years. Each section is scored by the cosine similarity of TF-IDF
vectors over character 2–4-grams (scikit-learn; no word segmentation needed for Chinese), with
every digit masked so that a copy with new years and counts still scores as a copy. A pair at or
above ``copied_threshold`` (``data/audit/settings.csv``, where the choice is explained) is a
finding; the matching passages are the sentence pairs whose own similarity reaches
``copied_passage_threshold``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from govdisclosure.audit._common import (
    finding,
    primary_reports,
    report_infos,
    section_label,
    setting_float,
    setting_int,
    settings,
)
from govdisclosure.audit.sentences import sentences

PAIR_COLUMNS = ["section", "report_id", "other_report_id", "score", "passages"]
_DIGITS = re.compile(r"\d")
_MAX_SHOWN = 5


@dataclass(frozen=True)
class _Doc:
    report_id: str
    key: str
    year: int | None
    text: str


def mask_digits(text: str) -> str:
    """Whitespace removed and every digit made 0: a copy with new years and counts stays a copy."""
    return _DIGITS.sub("0", re.sub(r"\s+", "", text))


def _vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char", ngram_range=(2, 4), sublinear_tf=True)


def similar_pairs(
    texts: Sequence[str], threshold: float, *, block: int = 1000
) -> tuple[TfidfVectorizer, list[tuple[int, int, float]]]:
    """The shared core of copied-content detection (this check and
    :func:`govdisclosure.analysis.similar_texts`).

    Fits TF-IDF over character 2–4-grams of the digit-masked texts and returns the fitted
    vectorizer (for :func:`matching_passages`) and every pair ``(i, j, score)``, ``i < j`` in
    row-major order, whose cosine similarity reaches ``threshold``. Similarities are computed a
    block of rows at a time and only the pairs above the threshold are kept, so thousands of
    reports never need a dense n × n matrix.
    """
    vectorizer = _vectorizer().fit([mask_digits(t) for t in texts])
    matrix = vectorizer.transform([mask_digits(t) for t in texts])
    pairs: list[tuple[int, int, float]] = []
    for start in range(0, matrix.shape[0], block):
        sims = (matrix[start:start + block] @ matrix.T).tocoo()
        for i, j, score in sorted(zip(sims.row + start, sims.col, sims.data, strict=True)):
            if j > i and score >= threshold:
                pairs.append((int(i), int(j), float(score)))
    return vectorizer, pairs


def _comparable(a: _Doc, b: _Doc) -> bool:
    if not a.key or not b.key or a.key != b.key:
        return True  # different agencies (or an agency we cannot name): any year
    return a.year is not None and b.year is not None and abs(a.year - b.year) == 1


def similar_sections(
    reports: pd.DataFrame, sections: pd.DataFrame, tables: pd.DataFrame, issues: pd.DataFrame,
    *, threshold: float | None = None,
) -> pd.DataFrame:
    """Pairs of reports whose section one or five are near-identical.

    Args:
        reports, sections, tables, issues: The corpus frames (tables and issues pick the better
            file when one report arrives twice).
        threshold: Overrides ``copied_threshold`` from the package settings.

    Returns:
        One row per pair and section, ``report_id`` the later report: ``section``,
        ``report_id``, ``other_report_id``, ``score`` (cosine similarity, 0–1) and ``passages``
        (a list of ``(sentence, other_sentence, score)``, best first).
    """
    threshold = setting_float("copied_threshold") if threshold is None else threshold
    ranked = primary_reports(reports, tables, issues)
    ranked = ranked[ranked["primary"]]
    keys = dict(zip(ranked["report_id"], ranked["key"], strict=True))
    years = {rid: None if pd.isna(y) else int(y) for rid, y in zip(ranked["report_id"], ranked["year"], strict=True)}
    order = {rid: i for i, rid in enumerate(ranked.sort_values(["year", "report_id"])["report_id"])}
    rows = []
    for code in settings()["copied_sections"].split():
        part = sections[(sections["section"] == code) & sections["report_id"].isin(keys)]
        docs = [_Doc(str(r), keys[r], years[r], str(t)) for r, t in zip(part["report_id"], part["text"], strict=True)
                if len(re.sub(r"\s+", "", str(t))) >= setting_int("copied_min_chars")]
        if len(docs) < 2:
            continue
        # Only the pairs above the threshold: a corpus of thousands has millions of pairs.
        vectorizer, pairs = similar_pairs([d.text for d in docs], threshold)
        for i, j, score in pairs:
            a, b = docs[i], docs[j]
            if not _comparable(a, b):
                continue
            if order[a.report_id] < order[b.report_id]:
                a, b = b, a  # report_id is the later report
            rows.append((code, a.report_id, b.report_id, score, matching_passages(vectorizer, a.text, b.text)))
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


def matching_passages(vectorizer: TfidfVectorizer, text: str, other: str) -> list[tuple[str, str, float]]:
    """Sentence pairs of two texts that match (``copied_passage_threshold``), best first.

    ``vectorizer`` is the one :func:`similar_pairs` returns.
    """
    min_chars = setting_int("copied_min_passage_chars")
    ours = [s.text for s in sentences(text) if len(s.text) >= min_chars]
    theirs = [s.text for s in sentences(other) if len(s.text) >= min_chars]
    if not ours or not theirs:
        return []
    sims = cosine_similarity(vectorizer.transform([mask_digits(s) for s in ours]),
                             vectorizer.transform([mask_digits(s) for s in theirs]))
    cut = setting_float("copied_passage_threshold")
    found = []
    for i, row in enumerate(sims):
        j = int(row.argmax())
        if row[j] >= cut:
            found.append((ours[i], theirs[j], round(float(row[j]), 3)))
    return sorted(found, key=lambda p: -p[2])


def check_copied(
    reports: pd.DataFrame, sections: pd.DataFrame, tables: pd.DataFrame, issues: pd.DataFrame
) -> list[dict[str, object]]:
    """A finding per report and copied section; between agencies both reports get one, within
    one agency's series the later year does."""
    infos = report_infos(reports)
    threshold = setting_float("copied_threshold")
    ranked = primary_reports(reports, tables, issues)
    keys = dict(zip(ranked["report_id"], ranked["key"], strict=True))
    out = []
    for pair in similar_sections(reports, sections, tables, issues).itertuples():
        targets = [(pair.report_id, pair.other_report_id)]
        if not keys[pair.report_id] or keys[pair.report_id] != keys[pair.other_report_id]:
            targets.append((pair.other_report_id, pair.report_id))
        for rid, other in targets:
            info, other_info = infos[rid], infos[other]
            own = 0 if rid == pair.report_id else 1
            evidence = "；".join(f"「{p[own]}」≈「{p[1 - own]}」（{p[2]:.2f}）" for p in pair.passages[:_MAX_SHOWN])
            out.append(finding(
                info, "copied_content", section_label(pair.section), section=pair.section,
                expected=f"{threshold:.2f}", reported=f"{pair.score:.2f}", evidence=evidence,
                fields={"other_agency": other_info.agency or other,
                        "other_year": "" if other_info.year is None else str(other_info.year),
                        "n_passages": str(len(pair.passages))},
            ))
    return out
