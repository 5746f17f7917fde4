"""Scoring the analyses against the hand labels of ``tests/eval`` (precision and recall).

Shared by ``tests/test_analysis_eval.py`` (which keeps the scores from falling) and
``benchmarks/eval_analysis.py`` (which prints them for the README). The labels were written by
reading the reports (``tests/eval/README.md``); this module only compares.

Matching rules:

- channels: a mention is the pair (document, channel code); a quantity is (document, channel,
  count, unit); a name is (document, channel, name). Each is a set per document.
- problem and commitment items: a predicted item matches a labelled one of the same document
  when their texts (whitespace removed) share enough character bigrams — Dice ≥ ``ITEM_MATCH``
  — pairing the most similar first, each item at most once. A category is right when it equals
  the label (strict) or is among the label's ``also`` (lenient).
- links: (document, commitment item, problem item) through the item matching.
- follow-through: per labelled commitment (year, item), whether the problem recurs (with the
  right problem item) and whether it was done (``unclear`` labels are not scored).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

import govdisclosure as gd
from govdisclosure import analysis as ga
from govdisclosure.normalize import normalize_chars

HERE = Path(__file__).resolve().parent
EVAL = HERE / "eval"
HELDOUT = EVAL / "heldout"
SAMPLES = HERE.parent / "data" / "samples"
CORPUS = HERE.parents[1] / "shared" / "corpus"
ITEM_MATCH = 0.5
# Where the held-out texts are (they are not in the repository: tests/eval/heldout/SOURCES.csv).
HELDOUT_TEXTS_ENV = "GOVDISCLOSURE_HELDOUT_TEXTS"


def read_labels(name: str, labels: Path = EVAL) -> pd.DataFrame:
    return pd.read_csv(labels / f"{name}.csv", dtype=str, keep_default_na=False)


def heldout_texts() -> Path | None:
    value = os.environ.get(HELDOUT_TEXTS_ENV)
    return Path(value) if value else None


def doc_path(doc: str) -> Path:
    for folder in (SAMPLES, CORPUS, heldout_texts()):
        if folder is not None and (folder / doc).exists():
            return folder / doc
    return CORPUS / doc


def labelled_docs(labels: Path = EVAL) -> list[str]:
    docs: set[str] = set()
    for name in ("channels", "problems", "commitments"):
        docs |= set(read_labels(name, labels)["doc"])
    return sorted(docs)


@cache
def corpus(docs: tuple[str, ...]) -> tuple[gd.Corpus, dict[str, str]]:
    """The labelled documents read as one corpus, and ``report_id → doc``."""
    paths = [doc_path(d) for d in docs]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise FileNotFoundError(f"labelled documents not found: {missing}")
    c = gd.read_corpus(paths)
    names = {str(rid): Path(p).name for rid, p in zip(c.reports["report_id"], c.reports["source_path"], strict=True)}
    return c, names


@dataclass(frozen=True)
class Score:
    task: str
    predicted: int
    labelled: int
    correct_p: int  # predictions that are right
    correct_r: int  # labels that were found

    @property
    def precision(self) -> float:
        return self.correct_p / self.predicted if self.predicted else float("nan")

    @property
    def recall(self) -> float:
        return self.correct_r / self.labelled if self.labelled else float("nan")


def set_score(task: str, predicted: set, labelled: set) -> Score:
    hit = len(predicted & labelled)
    return Score(task, len(predicted), len(labelled), hit, hit)


# -- channels -----------------------------------------------------------------------------------


def score_channels(docs: tuple[str, ...], labels_dir: Path = EVAL) -> list[Score]:
    c, names = corpus(docs)
    labels = read_labels("channels", labels_dir)
    labels = labels[labels["doc"].isin(docs)]
    found = ga.channels(c.sections)
    found = found.assign(doc=found["report_id"].map(names))
    found = found[found["doc"].isin(set(labels["doc"]))]
    pred_mentions = set(zip(found["doc"], found["channel"], strict=True))
    gold_mentions = set(zip(labels["doc"], labels["channel"], strict=True))
    with_count = found[found["count"].notna()]
    pred_q = {(d, ch, float(n), u) for d, ch, n, u in zip(with_count["doc"], with_count["channel"],
                                                          with_count["count"], with_count["unit"], strict=True)}
    gold_c = labels[labels["count"] != ""]
    gold_q = {(d, ch, float(n), u) for d, ch, n, u in zip(gold_c["doc"], gold_c["channel"], gold_c["count"],
                                                          gold_c["unit"], strict=True)}
    named = found[found["name"] != ""]
    pred_n = {(d, ch, normalize_chars(n))
              for d, ch, n in zip(named["doc"], named["channel"], named["name"], strict=True)}
    gold_named = labels[labels["name"] != ""]
    gold_n = {(d, ch, normalize_chars(n)) for d, ch, n in zip(gold_named["doc"], gold_named["channel"],
                                                              gold_named["name"], strict=True)}
    return [set_score("channels: mentions (doc, channel)", pred_mentions, gold_mentions),
            set_score("channels: quantities (doc, channel, count, unit)", pred_q, gold_q),
            set_score("channels: names (doc, channel, name)", pred_n, gold_n)]


# -- items --------------------------------------------------------------------------------------


def _bigrams(text: str) -> set[str]:
    t = re.sub(r"\s+", "", text)
    return {t[i:i + 2] for i in range(len(t) - 1)} or {t}


def dice(a: str, b: str) -> float:
    x, y = _bigrams(a), _bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y))


def match_items(predicted: pd.DataFrame, labelled: pd.DataFrame) -> dict[tuple[str, int], tuple[str, int]]:
    """``(doc, predicted item) → (doc, labelled item)``, most similar first, one-to-one."""
    pairs = []
    for doc, gold in labelled.groupby("doc"):
        mine = predicted[predicted["doc"] == doc]
        for p in mine.itertuples():
            for g in gold.itertuples():
                score = dice(p.text, g.text)
                if score >= ITEM_MATCH:
                    pairs.append((score, doc, int(p.item), int(g.item)))
    out: dict[tuple[str, int], tuple[str, int]] = {}
    used: set[tuple[str, int]] = set()
    for _score, doc, p_item, g_item in sorted(pairs, reverse=True):
        if (doc, p_item) in out or (doc, g_item) in used:
            continue
        out[(doc, p_item)] = (doc, g_item)
        used.add((doc, g_item))
    return out


def score_items(name: str, predicted: pd.DataFrame, labels: pd.DataFrame) -> tuple[list[Score], dict]:
    matched = match_items(predicted, labels)
    n_pred, n_gold = len(predicted), len(labels)
    gold = labels.set_index(["doc", labels["item"].astype(int)])
    pred = predicted.set_index(["doc", "item"])
    strict = lenient = 0
    for p_key, g_key in matched.items():
        category = pred.loc[p_key, "category"]
        strict += category == gold.loc[g_key, "category"]
        lenient += category == gold.loc[g_key, "category"] or category in gold.loc[g_key, "also"].split(";")
    scores = [Score(f"{name}: items", n_pred, n_gold, len(matched), len(matched)),
              Score(f"{name}: item + category (strict)", n_pred, n_gold, strict, strict),
              Score(f"{name}: item + category (lenient)", n_pred, n_gold, lenient, lenient)]
    return scores, matched


def _predicted(frame: pd.DataFrame, names: dict[str, str], docs: set[str]) -> pd.DataFrame:
    out = frame.assign(doc=frame["report_id"].map(names))
    return out[out["doc"].isin(docs)]


def score_problems(docs: tuple[str, ...], labels_dir: Path = EVAL) -> list[Score]:
    c, names = corpus(docs)
    labels = read_labels("problems", labels_dir)
    labels = labels[labels["doc"].isin(docs)]
    predicted = _predicted(ga.problems(c.sections), names, set(labels["doc"]))
    return score_items("problems", predicted, labels)[0]


def score_commitments(docs: tuple[str, ...], labels_dir: Path = EVAL) -> list[Score]:
    c, names = corpus(docs)
    labels = read_labels("commitments", labels_dir)
    labels = labels[labels["doc"].isin(docs)]
    predicted = _predicted(ga.commitments(c.sections), names, set(labels["doc"]))
    scores, matched = score_items("commitments", predicted, labels)
    gold = labels.set_index(["doc", labels["item"].astype(int)])
    pred = predicted.set_index(["doc", "item"])
    kind = sum(pred.loc[p, "kind"] == gold.loc[g, "kind"] for p, g in matched.items())
    scores.append(Score("commitments: item + kind", len(predicted), len(labels), kind, kind))
    # Links, through the item matching of both sides.
    p_labels = read_labels("problems", labels_dir)
    p_labels = p_labels[p_labels["doc"].isin(docs)]
    p_pred = _predicted(ga.problems(c.sections), names, set(p_labels["doc"]))
    p_matched = match_items(p_pred, p_labels)
    links = ga.link_commitments(ga.problems(c.sections), ga.commitments(c.sections))
    links = links.assign(doc=links["report_id"].map(names))
    links = links[links["doc"].isin(set(labels["doc"]))]
    pred_links = set()
    for doc, c_item, p_item in zip(links["doc"], links["commitment"], links["problem"], strict=True):
        ck, pk = matched.get((doc, int(c_item))), p_matched.get((doc, int(p_item)))
        pred_links.add((doc, ck[1] if ck else f"c{c_item}", pk[1] if pk else f"p{p_item}"))
    gold_links = {(r.doc, int(r.item), int(x)) for r in labels.itertuples() for x in r.addresses.split(";") if x}
    scores.append(set_score("commitments: links to problems", pred_links, gold_links))
    return scores


# -- follow-through -----------------------------------------------------------------------------


def score_follow_through(labels_dir: Path = EVAL) -> list[Score]:
    labels = read_labels("follow_through", labels_dir)
    docs = tuple(sorted(set(labels["doc"]) | set(labels["next_doc"])))
    c, names = corpus(docs)
    year_of = {names[str(r)]: int(y) for r, y in zip(c.reports["report_id"], c.reports["year"], strict=True)}
    result = ga.follow_through(ga.problems(c.sections), ga.commitments(c.sections), c.reports, sections=c.sections)
    got = {(int(y), int(i)): r for y, i, r in zip(result["year"], result["commitment"],
                                                  result.to_dict("records"), strict=True)}
    recur_pred, recur_gold, done_pred, done_gold = set(), set(), set(), set()
    for row in labels.itertuples():
        key = (year_of[row.doc], int(row.item))
        found = got.get(key)
        if row.recurs:
            recur_gold.add((*key, int(row.recurs)))
        if found is not None and found["recurs"]:
            recur_pred.add((*key, int(found["recur_problem"])))
        if row.done == "unclear":
            continue
        if row.done == "yes":
            done_gold.add(key)
        if found is not None and found["done"]:
            done_pred.add(key)
    scored = {(year_of[r.doc], int(r.item)) for r in labels.itertuples() if r.done != "unclear"}
    return [set_score("follow-through: recurs (with the right problem)", recur_pred, recur_gold),
            set_score("follow-through: done", done_pred & scored, done_gold)]


def all_scores(labels_dir: Path = EVAL) -> list[Score]:
    """Every score for the labels in ``labels_dir`` (``tests/eval`` or ``tests/eval/heldout``)."""
    docs = tuple(labelled_docs(labels_dir))
    return (score_channels(docs, labels_dir) + score_problems(docs, labels_dir)
            + score_commitments(docs, labels_dir) + score_follow_through(labels_dir))
