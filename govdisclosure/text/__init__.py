"""Text layer: segmentation tuned for disclosure reports, and text-as-data statistics.

DataFrame in, DataFrame out (quanteda's workflow, for Chinese)::

    import govdisclosure as gd
    import govdisclosure.text as gt

    corpus = gd.read_corpus("data/samples")
    sents = gt.sentences(corpus.sections)            # sentence rows with offsets
    problems = gt.items(corpus.sections.query("section == 'problems'"))   # 一是…二是…
    toks = gt.tokens(sents, stopwords="default")      # tidy tokens
    m = gt.dtm(corpus.sections, by="report_id")       # sparse document-term matrix
    gt.keywords(corpus.sections, by="report_id")      # TF-IDF against the corpus
    gt.kwic(sents, "依申请公开")                      # keyword in context

Importing this package loads no dictionary: the :class:`Segmenter` builds its private jieba
tokenizer on first use (``default_segmenter()`` is shared by the functions).
"""

from __future__ import annotations

from govdisclosure.text._data import dictionary, stopwords
from govdisclosure.text.segment import Analyzer, Segmenter, default_segmenter
from govdisclosure.text.stats import (
    DocumentTermMatrix,
    collocations,
    dtm,
    keyness,
    keywords,
    kwic,
)
from govdisclosure.text.tidy import tokens
from govdisclosure.text.units import items, sentences

__all__ = [
    "Analyzer",
    "DocumentTermMatrix",
    "Segmenter",
    "collocations",
    "default_segmenter",
    "dictionary",
    "dtm",
    "items",
    "keyness",
    "keywords",
    "kwic",
    "sentences",
    "stopwords",
    "tokens",
]
