"""Corpus statistics: document-term matrices, keywords, keyness, KWIC and collocations.

Every function takes either a frame of text units (sections, sentences, items: segmented on
the fly with the token cache) or a tokens frame from :func:`~govdisclosure.text.tokens`
(already segmented, e.g. reloaded from Parquet), and returns DataFrames.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from govdisclosure.text.segment import (
    NUMBER,
    PUNCT,
    SPACE,
    Analyzer,
    Segmenter,
    default_segmenter,
    resolve_stopwords,
    token_kind,
)
from govdisclosure.text.tidy import KEY_COLUMNS, token_frame, tokenize

if TYPE_CHECKING:
    from scipy import sparse

__all__ = ["DocumentTermMatrix", "collocations", "dtm", "keyness", "keywords", "kwic"]

Stopwords = Collection[str] | Literal["default"] | None


def _by_list(by: str | Sequence[str]) -> list[str]:
    return [by] if isinstance(by, str) else list(by)


def _token_frame(
    frame: pd.DataFrame,
    *,
    segmenter: Segmenter | None,
    stopwords: Stopwords,
    remove_punct: bool,
    remove_numbers: bool,
    keep: Sequence[str] = (),
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Tokens of ``frame`` (segmenting it when it has ``text``), filtered, with ``keep``
    columns of the input carried over."""
    stop = resolve_stopwords(stopwords)
    if "token" in frame.columns:
        toks = frame
        kinds = {t: token_kind(t) for t in pd.unique(toks["token"])}
        drop = {SPACE} | ({PUNCT} if remove_punct else set()) | ({NUMBER} if remove_numbers else set())
        mask = ~toks["token"].map(kinds).isin(drop)
        if stop:
            mask &= ~toks["token"].isin(stop)
        return toks.loc[mask]
    if "text" not in frame.columns:
        raise ValueError(
            f"pass a frame with a 'text' column (sections, sentences, items) or a tokens frame "
            f"with a 'token' column; this one has {list(frame.columns)}"
        )
    flat = tokenize(
        frame,
        segmenter=segmenter,
        stopwords=stop,
        remove_punct=remove_punct,
        remove_numbers=remove_numbers,
        pos=False,
        tables=False,
        wrapped=False,
        n_jobs=n_jobs,
    )
    return token_frame(frame, flat, keep=keep, with_unit=True)


# -- document-term matrix -----------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentTermMatrix:
    """A sparse document-term matrix with its row keys and column terms.

    Attributes:
        matrix: ``scipy.sparse.csr_matrix`` of counts, documents × terms.
        terms: The vocabulary, in column order (sorted, as scikit-learn orders it).
        docs: One row per document: the ``by`` columns, in row order.
    """

    matrix: sparse.csr_matrix
    terms: np.ndarray
    docs: pd.DataFrame

    @property
    def shape(self) -> tuple[int, int]:
        """``(documents, terms)``."""
        return self.matrix.shape  # type: ignore[return-value]

    def to_frame(self) -> pd.DataFrame:
        """The matrix as a dense DataFrame (documents as the index, terms as columns).

        Dense: for a few hundred documents, not for a corpus-wide vocabulary of thousands.
        """
        index = (
            pd.MultiIndex.from_frame(self.docs)
            if self.docs.shape[1] > 1
            else pd.Index(self.docs.iloc[:, 0], name=self.docs.columns[0])
        )
        return pd.DataFrame(self.matrix.toarray(), index=index, columns=pd.Index(self.terms))

    def __repr__(self) -> str:
        return (
            f"DocumentTermMatrix({self.shape[0]} documents × {self.shape[1]} terms, "
            f"{self.matrix.nnz} non-zero, by {list(self.docs.columns)})"
        )


def _documents(frame: pd.DataFrame, toks: pd.DataFrame, by: list[str]) -> tuple[pd.DataFrame, list[list[str]]]:
    """Group tokens into documents, one per distinct ``by`` value of the input frame (in order
    of first appearance), including documents left without tokens after filtering."""
    source = frame if "_unit" in toks.columns else toks
    missing = [c for c in by if c not in source.columns]
    if missing:
        raise ValueError(f"by={by}: column(s) {missing} not in the frame ({list(source.columns)})")
    values = pd.MultiIndex.from_frame(source[by]) if len(by) > 1 else source[by[0]]
    codes, uniques = pd.factorize(values, sort=False, use_na_sentinel=False)
    if "_unit" in toks.columns:
        codes = codes[toks["_unit"].to_numpy()]
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    words = toks["token"].to_numpy(dtype=object)[order]
    documents = [words[bounds[i] : bounds[i + 1]].tolist() for i in range(len(uniques))]
    if len(by) > 1:
        keys = uniques.to_frame(index=False)
        keys.columns = by
    else:
        keys = pd.DataFrame({by[0]: uniques})
    for column in by:
        keys[column] = keys[column].astype(source[column].dtype)
    return keys, documents


def dtm(
    frame: pd.DataFrame,
    *,
    by: str | Sequence[str] = "report_id",
    segmenter: Segmenter | None = None,
    stopwords: Stopwords = "default",
    remove_punct: bool = True,
    remove_numbers: bool = True,
    min_df: int | float = 1,
    max_df: int | float = 1.0,
    n_jobs: int = 1,
) -> DocumentTermMatrix:
    """A document-term matrix, built by scikit-learn's ``CountVectorizer`` with the segmenter
    as its analyzer.

    Args:
        frame: Text units (``text`` column) or a tokens frame (``token`` column).
        by: The column(s) whose values make one document: ``"report_id"``,
            ``["report_id", "section"]``, or any column you merged in (``"year"``).
        segmenter: The :class:`Segmenter` (default: :func:`default_segmenter`).
        stopwords: ``"default"`` (the packaged list), a collection, or ``None``.
        remove_punct: Drop punctuation.
        remove_numbers: Drop numbers.
        min_df: Drop terms in fewer documents (an int) or a smaller share of them (a float).
        max_df: Drop terms in more documents (int) or a larger share (float).
        n_jobs: Processes for segmentation.

    Returns:
        A :class:`DocumentTermMatrix` (``.matrix``, ``.terms``, ``.docs``).

    Example:
        >>> import pandas as pd, govdisclosure.text as gt
        >>> m = gt.dtm(pd.DataFrame({"report_id": ["a", "b"],
        ...                          "text": ["依申请公开，依申请公开", "主动公开"]}))
        >>> m.terms.tolist(), m.matrix.toarray().tolist()
        (['主动公开', '依申请公开'], [[0, 2], [1, 0]])
    """
    from sklearn.feature_extraction.text import CountVectorizer

    by = _by_list(by)
    segmenter = segmenter or default_segmenter()
    toks = _token_frame(
        frame,
        segmenter=segmenter,
        stopwords=None,
        remove_punct=False,
        remove_numbers=False,
        n_jobs=n_jobs,
    )
    keys, documents = _documents(frame, toks, by)
    # The documents are already segmented (cached, possibly in parallel); the analyzer
    # applies the same filters a raw-text analyzer would, so a user's own pipeline with
    # segmenter.analyzer() on the texts gives the same matrix.
    analyzer = Analyzer(segmenter, stopwords=stopwords, remove_punct=remove_punct, remove_numbers=remove_numbers)
    vectorizer = CountVectorizer(analyzer=analyzer, min_df=min_df, max_df=max_df, dtype=np.int64)
    matrix = vectorizer.fit_transform(documents).tocsr()
    terms = vectorizer.get_feature_names_out().astype(object)
    return DocumentTermMatrix(matrix=matrix, terms=terms, docs=keys)


def keywords(
    frame: pd.DataFrame,
    *,
    by: str | Sequence[str] = "report_id",
    n: int = 10,
    segmenter: Segmenter | None = None,
    stopwords: Stopwords = "default",
    remove_punct: bool = True,
    remove_numbers: bool = True,
    min_df: int | float = 1,
    sublinear_tf: bool = False,
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Each document's (or group's) top terms by TF-IDF against this corpus.

    The IDF is fitted on the documents given, not taken from jieba's ``analyse`` module, whose
    IDF table comes from other text (news, web pages) and would rank the genre's stock terms
    as distinctive.

    Args:
        frame: Text units or a tokens frame.
        by: Column(s) defining a document or group (see :func:`dtm`).
        n: Terms per document.
        segmenter, stopwords, remove_punct, remove_numbers, min_df, n_jobs: As in :func:`dtm`.
        sublinear_tf: Use 1 + log(tf) instead of raw counts.

    Returns:
        Columns: the ``by`` columns, ``rank`` (1 = top), ``term``, ``tfidf`` (L2-normalised
        per document), ``count`` (occurrences in the document), ``doc_freq`` (documents
        containing the term); ties broken by term.
    """
    from sklearn.feature_extraction.text import TfidfTransformer

    m = dtm(
        frame,
        by=by,
        segmenter=segmenter,
        stopwords=stopwords,
        remove_punct=remove_punct,
        remove_numbers=remove_numbers,
        min_df=min_df,
        n_jobs=n_jobs,
    )
    counts = m.matrix.copy()
    counts.sort_indices()
    weights = TfidfTransformer(sublinear_tf=sublinear_tf).fit_transform(counts).tocsr()
    weights.sort_indices()
    doc_freq = np.bincount(counts.indices, minlength=len(m.terms))
    rows = []
    for d in range(counts.shape[0]):
        lo, hi = weights.indptr[d], weights.indptr[d + 1]
        cols = weights.indices[lo:hi]
        scores = weights.data[lo:hi]
        count_lo, count_hi = counts.indptr[d], counts.indptr[d + 1]
        count_of = dict(zip(counts.indices[count_lo:count_hi], counts.data[count_lo:count_hi], strict=True))
        terms = m.terms[cols]
        order = np.lexsort((terms.astype(str), -scores))[:n]
        for rank, k in enumerate(order, 1):
            rows.append((d, rank, terms[k], scores[k], count_of[cols[k]], doc_freq[cols[k]]))
    out = pd.DataFrame(rows, columns=["_doc", "rank", "term", "tfidf", "count", "doc_freq"])
    keys = m.docs.iloc[out["_doc"].to_numpy()].reset_index(drop=True)
    result = pd.concat([keys, out.drop(columns="_doc")], axis=1)
    result["term"] = result["term"].astype("str")
    return result.astype({"rank": "int64", "count": "int64", "doc_freq": "int64"})


# -- keyness ------------------------------------------------------------------------------------


def _group_mask(frame: pd.DataFrame, spec: object, by: str, name: str) -> np.ndarray:
    if isinstance(spec, pd.Series) and spec.dtype == bool:
        if not spec.index.equals(frame.index):
            raise ValueError(f"{name}: a boolean Series must have the frame's index")
        return spec.to_numpy()
    if isinstance(spec, np.ndarray) and spec.dtype == bool:
        if len(spec) != len(frame):
            raise ValueError(f"{name}: a boolean array must have one value per row")
        return spec
    if isinstance(spec, str) or not isinstance(spec, Collection):
        raise TypeError(
            f"{name} must be a boolean Series aligned with the frame or a collection of "
            f"{by!r} values, not {type(spec).__name__}"
        )
    if by not in frame.columns:
        raise ValueError(f"by={by!r} is not a column of the frame ({list(frame.columns)})")
    return frame[by].isin(list(spec)).to_numpy()


def keyness(
    frame: pd.DataFrame,
    target: pd.Series | Collection[object],
    *,
    reference: pd.Series | Collection[object] | None = None,
    by: str = "report_id",
    measure: Literal["chi2", "lr"] = "chi2",
    correction: bool = True,
    segmenter: Segmenter | None = None,
    stopwords: Stopwords = "default",
    remove_punct: bool = True,
    remove_numbers: bool = True,
    min_count: int = 1,
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Terms over- and under-used by one group of reports compared with another.

    For each term, the 2×2 table (term / other terms × target / reference) is tested with
    Pearson's chi² (Yates-corrected unless ``correction=False``) or the log-likelihood ratio
    G² (Dunning 1993). The statistic is signed: positive when the term's share of the target's
    tokens exceeds its share of the reference's.

    Args:
        frame: Text units or a tokens frame.
        target: The target group: a boolean Series aligned with ``frame``, or a collection of
            values of the ``by`` column (e.g. report ids, or years after merging ``year`` in).
        reference: The reference group, in the same forms; default: every other row.
        by: The column ``target``/``reference`` values refer to.
        measure: ``"chi2"`` or ``"lr"`` (G²).
        correction: Yates's continuity correction for chi².
        segmenter, stopwords, remove_punct, remove_numbers, n_jobs: As in :func:`dtm`.
        min_count: Leave out terms with fewer occurrences in both groups together.

    Returns:
        Columns ``term``, ``n_target``, ``n_reference`` (counts), ``chi2`` or ``g2``, ``p``
        (df = 1), sorted by the statistic, most over-used first (ties by term).
    """
    from scipy.stats import chi2 as chi2_distribution

    target_rows = _group_mask(frame, target, by, "target")
    reference_rows = ~target_rows if reference is None else _group_mask(frame, reference, by, "reference")
    if (target_rows & reference_rows).any():
        raise ValueError("target and reference overlap: a row cannot be in both groups")
    group = np.where(target_rows, 0, np.where(reference_rows, 1, -1))
    toks = _token_frame(
        frame.assign(_group=group),
        segmenter=segmenter,
        stopwords=stopwords,
        remove_punct=remove_punct,
        remove_numbers=remove_numbers,
        keep=["_group"],
        n_jobs=n_jobs,
    )
    toks = toks[toks["_group"] >= 0]
    counts = pd.crosstab(toks["token"], toks["_group"]).reindex(columns=[0, 1], fill_value=0)
    counts = counts[counts.sum(axis=1) >= min_count]
    a = counts[0].to_numpy(dtype=float)
    b = counts[1].to_numpy(dtype=float)
    total_t, total_r = a.sum(), b.sum()
    c, d = total_t - a, total_r - b
    n = total_t + total_r
    sign = np.sign(a * total_r - b * total_t)
    if measure == "chi2":
        det = np.abs(a * d - b * c)
        if correction:
            det = np.maximum(det - n / 2, 0)
        denominator = (a + b) * (c + d) * (a + c) * (b + d)
        with np.errstate(divide="ignore", invalid="ignore"):
            stat = np.where(denominator > 0, n * det**2 / denominator, 0.0)
    elif measure == "lr":
        observed = np.stack([a, b, c, d])
        expected = np.stack([(a + b) * total_t, (a + b) * total_r, (c + d) * total_t, (c + d) * total_r]) / n
        with np.errstate(divide="ignore", invalid="ignore"):
            cells = np.where(observed > 0, observed * np.log(observed / expected), 0.0)
        stat = 2 * cells.sum(axis=0)
    else:
        raise ValueError(f"measure must be 'chi2' or 'lr', not {measure!r}")
    signed = sign * stat
    name = "chi2" if measure == "chi2" else "g2"
    result = pd.DataFrame(
        {
            "term": pd.Series(counts.index.to_numpy(), dtype="str"),
            "n_target": a.astype(np.int64),
            "n_reference": b.astype(np.int64),
            name: signed,
            "p": chi2_distribution.sf(stat, 1),
        }
    )
    return result.sort_values([name, "term"], ascending=[False, True], ignore_index=True)


# -- KWIC ---------------------------------------------------------------------------------------


def _matcher(value: str, valuetype: str):  # type: ignore[no-untyped-def]
    if valuetype == "fixed":
        return lambda tokens: tokens == value
    if valuetype == "regex":
        pattern = re.compile(value)
        return lambda tokens: np.fromiter(
            (pattern.search(t) is not None for t in tokens), dtype=bool, count=len(tokens)
        )
    if valuetype == "glob":
        pattern = re.compile(fnmatch.translate(value))
        return lambda tokens: np.fromiter((pattern.match(t) is not None for t in tokens), dtype=bool, count=len(tokens))
    raise ValueError(f"valuetype must be 'fixed', 'regex' or 'glob', not {valuetype!r}")


def kwic(
    frame: pd.DataFrame,
    pattern: str | Sequence[str],
    *,
    window: int = 5,
    valuetype: Literal["fixed", "regex", "glob"] = "fixed",
    segmenter: Segmenter | None = None,
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Keyword in context: every match of a token (or phrase) with the text around it.

    Args:
        frame: Text units (the context is then their exact text, punctuation included) or a
            tokens frame (the context is its tokens, joined).
        pattern: A token, a phrase as a list of tokens, or a string with spaces between the
            phrase's tokens ("政务 公开"). Matching is on whole tokens: 政府信息 does not match
            inside the token 政府信息公开 unless ``valuetype="regex"``.
        window: Tokens of context on each side (punctuation counts as a token).
        valuetype: ``"fixed"`` (equality), ``"regex"`` (``re.search`` in a token) or
            ``"glob"`` (``*``/``?`` wildcards over the whole token).
        segmenter: The :class:`Segmenter`.
        n_jobs: Processes for segmentation.

    Returns:
        Columns: the unit's keys (``report_id``, ``section``, ``sentence_id``/``item_id``),
        ``position`` (of the match's first token), ``start``, ``end`` (of the match in the
        report text), ``pre``, ``keyword``, ``post``.
    """
    phrase = pattern.split() if isinstance(pattern, str) else list(pattern)
    if not phrase:
        raise ValueError("pattern is empty")
    if window < 0:
        raise ValueError(f"window must be >= 0, not {window}")
    matchers = [_matcher(p, valuetype) for p in phrase]
    from_text = "token" not in frame.columns
    toks, unit = _in_unit_order(
        _token_frame(
            frame,
            segmenter=segmenter,
            stopwords=None,
            remove_punct=False,
            remove_numbers=False,
            n_jobs=n_jobs,
        )
    )
    words = toks["token"].to_numpy(dtype=object)
    n, size = len(words), len(phrase)
    hit = np.ones(max(n - size + 1, 0), dtype=bool)
    for j, match in enumerate(matchers):
        hit &= np.asarray(match(words[j : n - size + 1 + j]), dtype=bool)
        hit &= unit[j : n - size + 1 + j] == unit[: n - size + 1]
    # Units are contiguous runs; the first and last row of each bound the context.
    first = np.searchsorted(unit, unit, side="left")
    last = np.searchsorted(unit, unit, side="right") - 1
    keys = [c for c in KEY_COLUMNS if c in toks.columns]
    starts, ends = toks["start"].to_numpy(), toks["end"].to_numpy()
    texts = frame["text"].tolist() if from_text else None
    bases = (
        frame["start"].to_numpy() if from_text and "start" in frame.columns else np.zeros(len(frame), dtype=np.int64)
    )
    rows = []
    for i in np.flatnonzero(hit):
        j = i + size - 1
        lo, hi = max(first[i], i - window), min(last[i], j + window)
        if texts is not None:
            text, base = texts[unit[i]], bases[unit[i]]
            pre = text[starts[lo] - base : starts[i] - base]
            keyword = text[starts[i] - base : ends[j] - base]
            post = text[ends[j] - base : ends[hi] - base]
        else:
            pre = "".join(words[lo:i])
            keyword = "".join(words[i : j + 1])
            post = "".join(words[j + 1 : hi + 1])
        rows.append([*(toks[k].iat[i] for k in keys), toks["position"].iat[i], starts[i], ends[j], pre, keyword, post])
    columns = [*keys, "position", "start", "end", "pre", "keyword", "post"]
    out = pd.DataFrame(rows, columns=columns)
    for key in keys:
        out[key] = out[key].astype(toks[key].dtype)
    return out.astype(
        {"position": "int64", "start": "int64", "end": "int64", "pre": "str", "keyword": "str", "post": "str"}
    )


def _in_unit_order(toks: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Tokens sorted by unit and position, with each row's unit number.

    Tokens segmented here carry their unit (``_unit``); a tokens frame passed in is grouped by
    its key columns, in order of first appearance, so a shuffled frame works too.
    """
    if "_unit" in toks.columns:
        unit = toks["_unit"].to_numpy()
    else:
        keys = [c for c in KEY_COLUMNS if c in toks.columns]
        if keys:
            values = pd.MultiIndex.from_frame(toks[keys]) if len(keys) > 1 else toks[keys[0]]
            unit = pd.factorize(values, use_na_sentinel=False)[0].astype(np.int64)
        else:
            unit = np.zeros(len(toks), dtype=np.int64)
    order = np.lexsort((toks["position"].to_numpy(), unit))
    return toks.iloc[order].reset_index(drop=True), unit[order]


# -- collocations -------------------------------------------------------------------------------


def collocations(
    frame: pd.DataFrame,
    *,
    min_count: int = 2,
    segmenter: Segmenter | None = None,
    stopwords: Stopwords = "default",
    remove_punct: bool = True,
    remove_numbers: bool = True,
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Two-token collocations scored by log-likelihood (G²) and pointwise mutual information.

    Only tokens that were adjacent in the text form a pair: a removed stop word, number or
    punctuation mark between two tokens breaks the pair (positions are counted before
    filtering).

    Args:
        frame: Text units or a tokens frame.
        min_count: Leave out pairs seen fewer times.
        segmenter, stopwords, remove_punct, remove_numbers, n_jobs: As in :func:`dtm`.

    Returns:
        Columns ``collocation`` ("first second"), ``first``, ``second``, ``count``,
        ``count_first``, ``count_second`` (as first/second member of any pair), ``g2``
        (signed: negative when the pair is rarer than chance), ``pmi`` (log2), sorted by
        ``g2``, then ``count``, then the collocation.
    """
    toks, unit = _in_unit_order(
        _token_frame(
            frame,
            segmenter=segmenter,
            stopwords=stopwords,
            remove_punct=remove_punct,
            remove_numbers=remove_numbers,
            n_jobs=n_jobs,
        )
    )
    position = toks["position"].to_numpy()
    words = toks["token"].to_numpy(dtype=object)
    adjacent = (unit[1:] == unit[:-1]) & (position[1:] == position[:-1] + 1)
    pairs = pd.DataFrame({"first": words[:-1][adjacent], "second": words[1:][adjacent]})
    columns = ["collocation", "first", "second", "count", "count_first", "count_second", "g2", "pmi"]
    if pairs.empty:
        return pd.DataFrame({c: pd.Series(dtype="str" if c in columns[:3] else "float64") for c in columns})
    n = float(len(pairs))
    counted = pairs.value_counts().rename("count").reset_index()
    first_counts = pairs["first"].value_counts()
    second_counts = pairs["second"].value_counts()
    o11 = counted["count"].to_numpy(dtype=float)
    f1 = first_counts.reindex(counted["first"]).to_numpy(dtype=float)
    f2 = second_counts.reindex(counted["second"]).to_numpy(dtype=float)
    observed = np.stack([o11, f1 - o11, f2 - o11, n - f1 - f2 + o11])
    expected = np.stack([f1 * f2, f1 * (n - f2), (n - f1) * f2, (n - f1) * (n - f2)]) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        cells = np.where(observed > 0, observed * np.log(observed / expected), 0.0)
    g2 = 2 * cells.sum(axis=0) * np.sign(o11 - expected[0])
    counted["collocation"] = counted["first"] + " " + counted["second"]
    counted["count_first"] = f1.astype(np.int64)
    counted["count_second"] = f2.astype(np.int64)
    counted["g2"] = g2
    counted["pmi"] = np.log2(o11 * n / (f1 * f2))
    counted = counted[counted["count"] >= min_count]
    out = counted[columns].sort_values(
        ["g2", "count", "collocation"], ascending=[False, False, True], ignore_index=True
    )
    return out.astype({"collocation": "str", "first": "str", "second": "str", "count": "int64"})
