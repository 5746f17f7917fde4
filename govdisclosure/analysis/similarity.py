"""Similar texts (内容雷同): pairs of reports whose sections one and five read alike.

The 2021 format notice (国办公开办函〔2021〕30号) names 内容雷同 among the failings that lead to
accountability. The audit's ``copied`` check reports the pairs above its threshold as findings;
:func:`similar_texts` is the research view of the same measure — every pair above a lower score,
labelled by how the two reports relate (different agencies, consecutive years of one agency, the
same report read from two files) — and shares its core
(:func:`govdisclosure.audit.copied.similar_pairs`: TF-IDF over character 2–4-grams with digits
masked, cosine similarity).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from govdisclosure.analysis._data import setting, setting_float
from govdisclosure.analysis._text import squeeze
from govdisclosure.audit._common import agency_key
from govdisclosure.audit.copied import matching_passages, similar_pairs

__all__ = ["similar_texts"]

SIMILAR_COLUMNS = ["section", "report_id", "other_report_id", "score", "relation", "agency", "year",
                   "other_agency", "other_year"]


def _relation(a: tuple[str, int | None], b: tuple[str, int | None]) -> str:
    (key_a, year_a), (key_b, year_b) = a, b
    if not key_a or not key_b:
        return "unknown"
    if key_a != key_b:
        return "different_agencies"
    if year_a is None or year_b is None:
        return "same_agency"
    if year_a == year_b:
        return "same_report"  # one report in two files (pingtan_2023.html and .txt)
    return "consecutive_years" if abs(year_a - year_b) == 1 else "same_agency"


def similar_texts(
    sections: pd.DataFrame,
    reports: pd.DataFrame | None = None,
    *,
    section_codes: Sequence[str] = ("overview", "problems"),
    min_score: float | None = None,
    passages: bool = False,
) -> pd.DataFrame:
    """Pairs of reports whose section one (总体情况) or five (存在的主要问题及改进情况) are alike.

    Args:
        sections: A sections frame (``report_id``, ``section``, ``text``).
        reports: The ``reports`` frame; with it each pair gets its agencies, years and
            ``relation``, and ``report_id`` is the later report.
        section_codes: The sections to compare.
        min_score: Keep pairs at or above this cosine similarity; default ``similar_min_score``
            of ``data/analysis/settings.csv``. ``0`` keeps every pair (n² / 2 rows per section).
        passages: Add a ``passages`` column: the sentence pairs that match
            (``(sentence, other_sentence, score)``, best first; the audit's passage threshold).

    Returns:
        One row per pair and section, highest score first: ``section``, ``report_id``,
        ``other_report_id``, ``score`` (0–1), ``relation`` (``different_agencies``,
        ``consecutive_years``, ``same_agency`` (years further apart), ``same_report`` (one
        agency and year in two files), ``unknown``), ``agency``, ``year``, ``other_agency``,
        ``other_year``.
    """
    missing = [c for c in ("report_id", "section", "text") if c not in sections.columns]
    if missing:
        raise ValueError(f"similar_texts() needs a sections frame; it lacks {missing}")
    min_score = setting_float("similar_min_score") if min_score is None else min_score
    min_chars = int(setting("similar_min_chars"))
    info: dict[str, tuple[str, str, int | None]] = {}
    if reports is not None:
        for rid, agency, year in zip(reports["report_id"], reports["agency"], reports["year"], strict=True):
            name = "" if agency is None or agency != agency else str(agency)
            info[str(rid)] = (name, agency_key(name), None if pd.isna(year) else int(year))
    rows = []
    for code in section_codes:
        part = sections[sections["section"] == code]
        docs = [(str(r), str(t)) for r, t in zip(part["report_id"], part["text"], strict=True)
                if isinstance(t, str) and len(squeeze(t)) >= min_chars]
        if len(docs) < 2:
            continue
        # Floating-point cosine of identical texts can fall a hair below 1.0 or a threshold.
        vectorizer, pairs = similar_pairs([t for _r, t in docs], max(0.0, min_score - 1e-9))
        for i, j, score in pairs:
            (a, text_a), (b, text_b) = docs[i], docs[j]
            agency_a, key_a, year_a = info.get(a, ("", "", None))
            agency_b, key_b, year_b = info.get(b, ("", "", None))
            if year_a is not None and year_b is not None and (year_a, a) < (year_b, b):
                a, b, text_a, text_b = b, a, text_b, text_a
                agency_a, key_a, year_a, agency_b, key_b, year_b = agency_b, key_b, year_b, agency_a, key_a, year_a
            row = {"section": code, "report_id": a, "other_report_id": b, "score": min(score, 1.0),
                   "relation": _relation((key_a, year_a), (key_b, year_b)) if reports is not None else "unknown",
                   "agency": agency_a, "year": year_a, "other_agency": agency_b, "other_year": year_b}
            if passages:
                row["passages"] = matching_passages(vectorizer, text_a, text_b)
            rows.append(row)
    columns = SIMILAR_COLUMNS + (["passages"] if passages else [])
    out = pd.DataFrame(rows, columns=columns)
    out = out.astype({"section": "str", "report_id": "str", "other_report_id": "str", "score": "float64",
                      "relation": "str", "agency": "str", "year": "Int64", "other_agency": "str",
                      "other_year": "Int64"})
    return out.sort_values(["score", "section", "report_id"], ascending=[False, True, True],
                           kind="stable").reset_index(drop=True)
