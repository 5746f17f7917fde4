"""What reports promise to improve, which problem each promise answers, and whether it was kept.

- :func:`commitments`: one row per improvement item of section five (改进情况 / 改进措施 /
  下一步 / "20XX年，将…"), classified with the problem taxonomy and marked ``planned`` or
  ``reported`` (improvements the report says were already made).
- :func:`link_commitments`: which problem items of the same report each commitment addresses.
- :func:`follow_through`: for agencies with consecutive years, each year-N commitment against
  year N+1 — reported as done, or the same problem listed again.

Similarity is the cosine of TF-IDF vectors over character 1–2-grams with the problem stop words
blanked; thresholds are in ``data/analysis/settings.csv`` with the evidence for each.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from govdisclosure.analysis._data import part_patterns, problem_stopwords, setting, setting_float
from govdisclosure.analysis._parts import items_of
from govdisclosure.analysis._text import squeeze
from govdisclosure.analysis.problems import items_frame
from govdisclosure.audit._common import agency_key
from govdisclosure.text import sentences

__all__ = ["commitments", "follow_through", "link_commitments"]

LINK_COLUMNS = ["report_id", "commitment", "problem", "score", "same_category", "best",
                "commitment_text", "problem_text"]
FOLLOW_COLUMNS = [
    "agency", "year", "report_id", "commitment", "text", "category", "next_year", "next_report_id",
    "status", "done", "done_score", "done_evidence", "done_source", "recurs", "recur_score",
    "recur_problem", "recur_text",
]


@cache
def _cue(role: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p.pattern})" for p in part_patterns()[role]))


def _kind(intro: str, whole: str) -> str:
    """``planned`` or ``reported``: the part's introduction decides, else its whole text.

    A plan is announced (将, 下一步, "2025年，…将": 002, hongze_2023); an account of what was
    done says so (针对去年存在问题…进行如下改进 in 000, 采取以下措施…已成功开设 in shanghai_kewei_2024,
    丰富了 in shuyang_2025). With no cue either way the part is taken as a plan, which is what the
    2021 format asks section five for (pingtan_2021's bare "（二）改进措施：").
    """
    planned, reported = _cue("planned_cue"), _cue("reported_cue")
    if planned.search(intro):
        return "planned"
    if reported.search(intro) or reported.search(whole):
        return "reported"
    return "planned"


def commitments(sections: pd.DataFrame) -> pd.DataFrame:
    """One row per improvement item of section five, classified and marked planned/reported.

    Args:
        sections: A sections frame (``report_id``, ``section``, ``text``, ``start``).

    Returns:
        The columns of :func:`~govdisclosure.analysis.problems` (``report_id``, ``item``,
        ``text``, ``category``, ``cues``, ``method``, ``marker``, ``start``, ``end``) and
        ``kind``: ``planned`` (下一步 / 将) or ``reported`` (improvements made during the year,
        usually answering the previous report's problems).

    Example:
        >>> import govdisclosure as gd
        >>> from govdisclosure.analysis import commitments
        >>> rep = gd.read_report("data/samples/002_090d11a260a4ff7f.txt")
        >>> commitments(rep.sections)[["category", "kind"]].values.tolist()[0]
        ['mechanisms', 'planned']
    """
    found, kinds = [], []
    for five, parts, its in items_of(sections, "improvements"):
        if not its or parts.improvements is None:
            continue
        start, end = parts.improvements
        first = min(it.start for it in its) - five.base
        kind = _kind(five.text[start:max(start, first)], five.text[start:end])
        found += its
        kinds += [kind] * len(its)
    return items_frame(found, {"kind": kinds}).astype({"kind": "str"})


# -- similarity ---------------------------------------------------------------------------------


class _Similarity:
    """Cosine similarity of short texts: TF-IDF over character 1–2-grams, fitted on all texts.

    Characters rather than words: items are short and reword each other ("政策解读形式不够丰富"
    against "丰富政策解读形式"), and on the labelled links (tests/eval/commitments.csv) character
    n-grams found more of them at full precision than segmented words. The words of
    ``problem_stopwords.txt`` (有待, 加强, 政务公开 …) are blanked first: every item has them.
    """

    def __init__(self, texts: Sequence[str]) -> None:
        self._vectorizer: TfidfVectorizer | None = TfidfVectorizer(
            analyzer="char", ngram_range=(1, 2), sublinear_tf=True
        )
        try:
            self._vectorizer.fit([_mask(t) for t in texts] or [""])
        except ValueError:  # no text has a character left: nothing is similar to anything
            self._vectorizer = None

    def vectors(self, texts: Iterable[str]) -> sp.csr_matrix | None:
        """L2-normalised rows, one per text (``None`` when nothing was fitted)."""
        if self._vectorizer is None:
            return None
        return sp.csr_matrix(self._vectorizer.transform([_mask(t) for t in texts]))

    def matrix(self, left: Sequence[str], right: Sequence[str]) -> np.ndarray:
        a, b = self.vectors(left), self.vectors(right)
        if a is None or b is None or not left or not right:
            return np.zeros((len(left), len(right)))
        return (a @ b.T).toarray()


@cache
def _stop_pattern() -> re.Pattern[str]:
    # Single characters (待, 需, 还) are left alone: blanking them would cut words (需求, 还原).
    words = sorted((w for w in problem_stopwords() if len(w) >= 2), key=lambda w: (-len(w), w))
    return re.compile("|".join(re.escape(w) for w in words))


def _mask(text: str) -> str:
    """Whitespace removed, problem stop words blanked, punctuation kept as separators."""
    return _stop_pattern().sub(" ", squeeze(text))


def _require(frame: pd.DataFrame, name: str, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks column(s) {missing}; it has {list(frame.columns)}")


def link_commitments(
    problems: pd.DataFrame,
    commitments: pd.DataFrame,
    *,
    threshold: float | None = None,
) -> pd.DataFrame:
    """Which problem items of the same report each commitment addresses.

    Every commitment is compared with every problem item of its report; a pair is a link when
    the similarity reaches ``threshold``. A commitment whose best score is below it addresses
    no problem of this report (seed 000's improvements answer last year's problems).

    Args:
        problems: The frame :func:`~govdisclosure.analysis.problems` returns.
        commitments: The frame :func:`commitments` returns.
        threshold: Default ``link_threshold`` of ``data/analysis/settings.csv``.

    Returns:
        One row per link: ``report_id``, ``commitment`` and ``problem`` (item numbers),
        ``score`` (cosine similarity), ``same_category`` (the two were classified alike),
        ``best`` (the problem this commitment resembles most), ``commitment_text``,
        ``problem_text``.
    """
    _require(problems, "problems", ("report_id", "item", "text"))
    _require(commitments, "commitments", ("report_id", "item", "text"))
    threshold = setting_float("link_threshold") if threshold is None else threshold
    sim = _Similarity(list(problems["text"]) + list(commitments["text"]))
    # Vectors once for the corpus; each report multiplies its own rows.
    p_vectors, c_vectors = sim.vectors(problems["text"]), sim.vectors(commitments["text"])
    p_rows = problems.reset_index(drop=True).groupby("report_id", sort=False).indices
    p_items, p_texts = problems["item"].tolist(), problems["text"].tolist()
    p_cats = problems["category"].tolist() if "category" in problems.columns else [None] * len(problems)
    c_items, c_texts = commitments["item"].tolist(), commitments["text"].tolist()
    c_cats = commitments["category"].tolist() if "category" in commitments.columns else [None] * len(commitments)
    rows = []
    for rid, mine in commitments.reset_index(drop=True).groupby("report_id", sort=False).indices.items():
        theirs = p_rows.get(rid)
        if theirs is None or c_vectors is None or p_vectors is None:
            continue
        scores = (c_vectors[mine] @ p_vectors[theirs].T).toarray()
        for i, c in enumerate(mine):
            best = int(np.argmax(scores[i]))
            for j in np.flatnonzero(scores[i] >= threshold):
                p = theirs[j]
                rows.append({
                    "report_id": rid, "commitment": int(c_items[c]), "problem": int(p_items[p]),
                    "score": float(scores[i, j]), "same_category": c_cats[c] == p_cats[p], "best": j == best,
                    "commitment_text": c_texts[c], "problem_text": p_texts[p],
                })
    out = pd.DataFrame(rows, columns=LINK_COLUMNS)
    return out.astype({"report_id": "str", "commitment": "int64", "problem": "int64", "score": "float64",
                       "same_category": "bool", "best": "bool", "commitment_text": "str", "problem_text": "str"})


# -- follow-through -----------------------------------------------------------------------------


def _agency_key(agency: object) -> str:
    """How one agency's reports are grouped across years and files (the audit's rule, shared)."""
    return agency_key("" if agency is None or agency != agency else str(agency))


def _series(reports: pd.DataFrame, counts: pd.Series) -> pd.DataFrame:
    """One report per agency and year: the one with most items, then the longest text.

    The same report often arrives twice (pingtan_2023.html and the archive's pingtan_2023.txt).
    """
    _require(reports, "reports", ("report_id", "agency", "year"))
    frame = reports[["report_id", "agency", "year"]].copy()
    frame["key"] = [_agency_key(a) for a in frame["agency"]]
    frame["_items"] = frame["report_id"].map(counts).fillna(0)
    frame["_chars"] = reports["n_chars"] if "n_chars" in reports.columns else 0
    frame = frame[(frame["key"] != "") & frame["year"].notna()]
    frame = frame.sort_values(["key", "year", "_items", "_chars", "report_id"],
                              ascending=[True, True, False, False, True])
    frame = frame.drop_duplicates(["key", "year"])
    return frame.drop(columns=["_items", "_chars"]).astype({"year": "int64"})


def follow_through(
    problems: pd.DataFrame,
    commitments: pd.DataFrame,
    reports: pd.DataFrame,
    *,
    sections: pd.DataFrame | None = None,
    done_threshold: float | None = None,
    recur_threshold: float | None = None,
) -> pd.DataFrame:
    """For each planned commitment of year N, what the agency's year N+1 report says about it.

    Done: year N+1 reports improvements made (its ``reported`` commitments, e.g. "针对去年存在
    问题…进行如下改进") or, when ``sections`` is given, any sentence of its narrative (section
    one describes the year's work) that resembles the commitment at ``done_threshold`` or more.
    Recurs: a problem item of year N+1 resembles the commitment or a problem of year N it
    answers (:func:`link_commitments`) at ``recur_threshold`` or more — the same problem listed
    again.

    Args:
        problems: :func:`~govdisclosure.analysis.problems` of the corpus.
        commitments: :func:`commitments` of the corpus.
        reports: The ``reports`` frame (``report_id``, ``agency``, ``year``); one report per
            agency and year is used (the one with most items when a report came twice).
        sections: The sections frame, to look for evidence in year N+1's narrative; without it
            only year N+1's section five is searched.
        done_threshold, recur_threshold: Defaults ``done_threshold`` and ``recur_threshold``
            of ``data/analysis/settings.csv``.

    Returns:
        One row per planned commitment of a report whose agency has a report for year N+1:
        ``agency``, ``year``, ``report_id``, ``commitment`` (item), ``text``, ``category``,
        ``next_year``, ``next_report_id``, ``status`` (``done``, ``done_recurs``, ``recurs``,
        ``no_evidence``), ``done`` (bool), ``done_score``, ``done_evidence`` (the sentence or
        item), ``done_source`` (section code, or ``improvements``), ``recurs`` (bool),
        ``recur_score``, ``recur_problem`` (item number in year N+1, <NA> when none),
        ``recur_text``.
    """
    _require(problems, "problems", ("report_id", "item", "text"))
    _require(commitments, "commitments", ("report_id", "item", "text", "kind"))
    done_threshold = setting_float("done_threshold") if done_threshold is None else done_threshold
    recur_threshold = setting_float("recur_threshold") if recur_threshold is None else recur_threshold
    counts = pd.concat([problems["report_id"], commitments["report_id"]]).value_counts()
    series = _series(reports, counts)
    evidence = _evidence(commitments, sections, set(series["report_id"]))
    texts = list(problems["text"]) + list(commitments["text"])
    texts += [t for found in evidence.values() for _s, t in found]
    sim = _Similarity(texts)
    links = link_commitments(problems, commitments) if len(problems) else pd.DataFrame(columns=LINK_COLUMNS)
    answered: dict[tuple[str, int], list[int]] = {}
    for rid, c_item, p_item in zip(links["report_id"], links["commitment"], links["problem"], strict=True):
        answered.setdefault((str(rid), int(c_item)), []).append(int(p_item))
    # Grouped once: a corpus has thousands of reports, and each is looked up as year N and N+1.
    problems_of = {str(rid): grp for rid, grp in problems.groupby("report_id", sort=False)}
    planned_of = {str(rid): grp for rid, grp in commitments[commitments["kind"] == "planned"].groupby(
        "report_id", sort=False)}
    empty = problems.iloc[0:0]
    rows = []
    for _key, years in series.groupby("key", sort=False):
        by_year = dict(zip(years["year"], years["report_id"], strict=True))
        agency = str(years["agency"].iloc[0])
        for year, rid in by_year.items():
            nxt = by_year.get(year + 1)
            planned = planned_of.get(rid)
            if nxt is None or planned is None:
                continue
            later = problems_of.get(nxt, empty)
            later_texts = list(later["text"])
            own_problems = problems_of.get(rid, empty).set_index("item")["text"]
            candidates = evidence.get(nxt, [])
            done_scores = sim.matrix(list(planned["text"]), [t for _s, t in candidates])
            recur_scores = sim.matrix(list(planned["text"]), later_texts)
            for i, c in enumerate(planned.itertuples()):
                row = {"agency": agency, "year": year, "report_id": rid, "commitment": int(c.item),
                       "text": c.text, "category": getattr(c, "category", ""), "next_year": year + 1,
                       "next_report_id": nxt}
                d = int(np.argmax(done_scores[i])) if candidates else -1
                row["done_score"] = float(done_scores[i, d]) if d >= 0 else 0.0
                row["done"] = row["done_score"] >= done_threshold
                row["done_evidence"] = candidates[d][1] if d >= 0 and row["done"] else ""
                row["done_source"] = candidates[d][0] if d >= 0 and row["done"] else ""
                # The problem a commitment answers says what would recur better than the
                # commitment's own wording ("政策解读形式不够丰富" → "政策解读形式单一").
                recur = recur_scores[i]
                answers = answered.get((rid, int(c.item)), [])
                if answers and later_texts:
                    own = sim.matrix([own_problems[k] for k in answers], later_texts)
                    recur = np.maximum(recur, own.max(axis=0))
                r = int(np.argmax(recur)) if len(recur) else -1
                row["recur_score"] = float(recur[r]) if r >= 0 else 0.0
                row["recurs"] = row["recur_score"] >= recur_threshold
                row["recur_problem"] = int(later["item"].iloc[r]) if row["recurs"] else None
                row["recur_text"] = later_texts[r] if row["recurs"] else ""
                row["status"] = ("done_recurs" if row["done"] and row["recurs"] else "done" if row["done"]
                                 else "recurs" if row["recurs"] else "no_evidence")
                rows.append(row)
    out = pd.DataFrame(rows, columns=FOLLOW_COLUMNS)
    return out.astype({"agency": "str", "year": "int64", "report_id": "str", "commitment": "int64",
                       "text": "str", "category": "str", "next_year": "int64", "next_report_id": "str",
                       "status": "str", "done": "bool", "done_score": "float64", "done_evidence": "str",
                       "done_source": "str", "recurs": "bool", "recur_score": "float64",
                       "recur_problem": "Int64", "recur_text": "str"})


def _evidence(
    commitments: pd.DataFrame, sections: pd.DataFrame | None, report_ids: set[str]
) -> dict[str, list[tuple[str, str]]]:
    """``report_id → [(source, text)]``: what a year N+1 report says it did."""
    out: dict[str, list[tuple[str, str]]] = {}
    done = commitments[(commitments["kind"] == "reported") & commitments["report_id"].isin(report_ids)]
    for rid, text in zip(done["report_id"], done["text"], strict=True):
        out.setdefault(str(rid), []).append(("improvements", str(text)))
    if sections is not None:
        _require(sections, "sections", ("report_id", "section", "text"))
        narrative = sections[sections["report_id"].isin(report_ids)
                             & ~sections["section"].isin(["problems", "preamble"])]
        min_chars = int(setting("evidence_min_chars"))
        heading = _cue("evidence_heading")
        for row in sentences(narrative, semicolons=True).itertuples():
            text = heading.sub("", squeeze(row.text))
            if len(text) >= min_chars:
                out.setdefault(str(row.report_id), []).append((str(row.section), text))
    return out
