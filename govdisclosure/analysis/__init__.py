"""Analyses of disclosure reports: publishing channels, problems and commitments, copied text,
request and appeal statistics. DataFrame in, DataFrame out — they run the same on frames reloaded
from Parquet or CSV::

    import govdisclosure as gd
    from govdisclosure import analysis as ga

    corpus = gd.read_corpus("reports/")
    mentions = ga.channels(corpus.sections)              # one row per channel mention
    ga.channel_matrix(mentions)                          # report × channel
    probs = ga.problems(corpus.sections)                 # section five's problem items
    ga.recurring_problems(probs)                         # near-identical problems across reports
    promises = ga.commitments(corpus.sections)           # improvement items, planned/reported
    ga.link_commitments(probs, promises)                 # which problem each promise answers
    ga.follow_through(probs, promises, corpus.reports, sections=corpus.sections)
    ga.similar_texts(corpus.sections, corpus.reports)    # 内容雷同 between reports
    ga.request_outcomes(corpus.tables, corpus.reports, by="level")
    ga.appeal_outcomes(corpus.tables, corpus.reports)

Every rule that decides something is package data under ``govdisclosure/data/analysis``: the
channel vocabulary and the forms of unknown channels, the quantity grammar, the problem taxonomy
and its cue words, the markers of section five's parts, the request rows of each outcome, and the
thresholds with the measurements behind them. Nothing is loaded when this package is imported;
the word segmenter (used by :func:`recurring_problems`) loads on first use.
"""

from __future__ import annotations

from govdisclosure.analysis.channels import channel_matrix, channels
from govdisclosure.analysis.commitments import commitments, follow_through, link_commitments
from govdisclosure.analysis.outcomes import appeal_outcomes, request_outcomes
from govdisclosure.analysis.problems import problems, recurring_problems
from govdisclosure.analysis.similarity import similar_texts

__all__ = [
    "appeal_outcomes",
    "channel_matrix",
    "channels",
    "commitments",
    "follow_through",
    "link_commitments",
    "problems",
    "recurring_problems",
    "request_outcomes",
    "similar_texts",
]
