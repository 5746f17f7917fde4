"""Problems that reports list in section five, classified, and the ones that recur across reports.

:func:`problems` returns one row per problem item of section five's problem part (存在问题 /
主要问题 / 不足 / 一是…), classified with the taxonomy of ``data/analysis/taxonomy.csv``.
:func:`recurring_problems` groups near-identical statements across reports without supervision
(TF-IDF over segmented words, then clustering) and counts them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer

from govdisclosure.analysis._classify import classify
from govdisclosure.analysis._data import problem_stopwords, setting_float
from govdisclosure.analysis._parts import Item, items_of
from govdisclosure.analysis._text import squeeze
from govdisclosure.text import Segmenter, default_segmenter, stopwords

__all__ = ["ITEM_COLUMNS", "items_frame", "problems", "recurring_problems"]

ITEM_COLUMNS = ["report_id", "item", "text", "category", "cues", "method", "marker", "start", "end"]
GROUP_COLUMNS = ["group", "n_items", "n_reports", "category", "terms", "example", "example_report_id",
                 "members"]


def items_frame(found: list[Item], extra: dict[str, list[object]] | None = None) -> pd.DataFrame:
    """Item records → the item frame (numbered 1, 2, … within each report), classified."""
    rows: dict[str, list[object]] = {c: [] for c in ITEM_COLUMNS}
    counter: dict[str, int] = {}
    for it in found:
        counter[it.report_id] = counter.get(it.report_id, 0) + 1
        category, cues = classify(it.text)
        rows["report_id"].append(it.report_id)
        rows["item"].append(counter[it.report_id])
        rows["text"].append(it.text)
        rows["category"].append(category)
        rows["cues"].append("|".join(cues))
        rows["method"].append(it.method)
        rows["marker"].append(it.marker)
        rows["start"].append(it.start)
        rows["end"].append(it.end)
    frame = pd.DataFrame(rows)
    for name, values in (extra or {}).items():
        frame[name] = values
    types = {"report_id": "str", "item": "int64", "text": "str", "category": "str", "cues": "str",
             "method": "str", "marker": "str", "start": "int64", "end": "int64"}
    return frame.astype(types)


def problems(sections: pd.DataFrame) -> pd.DataFrame:
    """One row per problem item of section five, classified.

    The problem part is what comes before the improvement part (改进情况 / 下一步 / "20XX年，…将");
    items are enumerated items (一是…, （一）…), else the items of an inline list
    ("如A、B、C等"), else the part's sentences (see :mod:`govdisclosure.analysis._parts`).

    Args:
        sections: A sections frame (``report_id``, ``section``, ``text``, ``start``). A report
            whose section five was not recognised as a heading line is searched for it inline.

    Returns:
        ``report_id``, ``item`` (1, 2, … within the report), ``text`` (as printed),
        ``category`` (taxonomy code), ``cues`` (the cue words that decided, "|"-joined),
        ``method`` (``enumeration``, ``markers``, ``inline_list`` or ``sentences``), ``marker``
        (一是 …, or ""), ``start``/``end`` (offsets into the report text).

    Example:
        >>> import govdisclosure as gd
        >>> from govdisclosure.analysis import problems
        >>> rep = gd.read_report("data/samples/002_090d11a260a4ff7f.txt")
        >>> problems(rep.sections)[["text", "category"]].values.tolist()[1]
        ['政策解读质量有待提升', 'interpretation']
    """
    found = [it for _five, _parts, its in items_of(sections, "problems") for it in its]
    return items_frame(found)


def _vectors(texts: list[str], segmenter: Segmenter | None) -> tuple[sp.csr_matrix, np.ndarray]:
    """L2-normalised TF-IDF rows over segmented words, and the vocabulary.

    Stop words: the text layer's defaults plus ``data/analysis/problem_stopwords.txt`` (有待,
    加强, 政务公开 …: they say that something is a problem, not which).
    """
    words = stopwords() | problem_stopwords()
    analyzer = (segmenter or default_segmenter()).analyzer(stopwords=words)
    vectorizer = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True)
    matrix = vectorizer.fit_transform([squeeze(t) for t in texts])
    return sp.csr_matrix(matrix), vectorizer.get_feature_names_out()


def _similar_pairs(matrix: sp.csr_matrix, threshold: float, block: int = 2000) -> sp.csr_matrix:
    """Cosine similarities at or above ``threshold``, as a sparse matrix, computed in blocks
    so that a corpus of tens of thousands of items never needs a dense n × n array."""
    pieces = []
    for start in range(0, matrix.shape[0], block):
        sims = (matrix[start:start + block] @ matrix.T).tocsr()
        sims.data[sims.data < threshold] = 0
        sims.eliminate_zeros()
        pieces.append(sims)
    return sp.vstack(pieces).tocsr() if pieces else sp.csr_matrix((0, 0))


def recurring_problems(
    problems: pd.DataFrame,
    *,
    threshold: float | None = None,
    min_reports: int = 2,
    segmenter: Segmenter | None = None,
) -> pd.DataFrame:
    """Group near-identical problem statements across reports and count them.

    Texts are segmented (the domain dictionary; default stop words removed) and weighted by
    TF-IDF; items whose cosine similarity reaches ``threshold`` are linked, and each linked
    component is clustered by average linkage at the same threshold, so that a chain of
    pairwise resemblances does not merge unrelated statements. Memory grows with the number of
    similar pairs, not with the square of the number of items.

    Args:
        problems: The frame :func:`problems` returns (``report_id``, ``item``, ``text``,
            ``category``).
        threshold: Cosine similarity that makes two statements the same problem; default
            ``recurring_threshold`` of ``data/analysis/settings.csv`` (where the choice is
            explained).
        min_reports: Keep groups stated by at least this many distinct reports.
        segmenter: The :class:`~govdisclosure.text.Segmenter`; default the shared one.

    Returns:
        One row per group, largest first: ``group`` (0, 1, …), ``n_items``, ``n_reports``,
        ``category`` (most common), ``terms`` (the group's top words, "|"-joined), ``example``
        (the statement closest to the others), ``example_report_id``, ``members`` (list of
        ``(report_id, item)``).
    """
    threshold = setting_float("recurring_threshold") if threshold is None else threshold
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], not {threshold}")
    texts = [str(t) for t in problems["text"].tolist()]
    if len(texts) < 2:
        return pd.DataFrame(columns=GROUP_COLUMNS)
    matrix, terms = _vectors(texts, segmenter)
    graph = _similar_pairs(matrix, threshold)
    n_components, component = connected_components(graph, directed=False)
    labels = np.full(len(texts), -1, dtype=np.int64)
    next_label = 0
    for c in range(n_components):
        members = np.flatnonzero(component == c)
        if len(members) == 1:
            labels[members] = next_label
            next_label += 1
            continue
        dense = matrix[members].toarray()
        clustering = AgglomerativeClustering(
            n_clusters=None, metric="cosine", linkage="average", distance_threshold=1 - threshold
        ).fit(dense)
        labels[members] = clustering.labels_ + next_label
        next_label += int(clustering.labels_.max()) + 1
    report_ids = problems["report_id"].astype(str).to_numpy()
    items = problems["item"].to_numpy()
    categories = problems["category"].astype(str).to_numpy() if "category" in problems else np.array([""] * len(texts))
    rows = []
    for label in np.unique(labels):
        idx = np.flatnonzero(labels == label)
        n_reports = len(set(report_ids[idx]))
        if n_reports < min_reports:
            continue
        sub = matrix[idx]
        centre = np.asarray(sub.mean(axis=0)).ravel()
        top = [terms[k] for k in np.argsort(-centre)[:5] if centre[k] > 0]
        closeness = np.asarray((sub @ sub.T).mean(axis=1)).ravel()
        best = idx[int(np.argmax(closeness))]
        values, counts = np.unique(categories[idx], return_counts=True)
        rows.append({
            "n_items": len(idx), "n_reports": n_reports, "category": str(values[np.argmax(counts)]),
            "terms": "|".join(top), "example": texts[best], "example_report_id": report_ids[best],
            "members": [(report_ids[k], int(items[k])) for k in idx],
        })
    out = pd.DataFrame(rows, columns=GROUP_COLUMNS[1:])
    out = out.sort_values(["n_reports", "n_items"], ascending=False, kind="stable").reset_index(drop=True)
    out.insert(0, "group", np.arange(len(out), dtype=np.int64))
    return out
