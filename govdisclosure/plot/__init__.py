"""Figures with Chinese labels: functions take analysis DataFrames and an optional ``ax``.

Every function draws with a CJK font (an installed one, else the packaged Noto Sans CJK) inside
:func:`cjk_context`, returns the Axes, and leaves the caller's rcParams alone::

    import govdisclosure as gd
    import govdisclosure.plot as gp

    corpus = gd.read_corpus("data/samples")
    gp.issues_by_check(corpus.issues)

    from govdisclosure import analysis as ga
    gp.request_outcomes(ga.request_outcomes(corpus.tables, corpus.reports, by="year"))
    gp.channel_adoption(ga.channels(corpus.sections), corpus.reports, by="level")

Data quality (corpus frames or the audit's findings): ``issues_by_check``, ``issues_by_report``,
``section_coverage``, ``templates``, ``failures``. Requests and appeals (``analysis.request_outcomes``
and ``analysis.appeal_outcomes``, per report or pooled): ``request_volumes``, ``request_outcomes``,
``appeal_outcomes``; ``withheld_reasons`` (the long ``tables``). Channels (``analysis.channels``):
``channel_adoption``, ``channel_heatmap``, ``channel_quantities``. Problems and commitments
(``analysis.problems`` …): ``problem_categories``, ``recurring_problems``, ``commitment_links``,
``follow_through``.

Given ``ax=None`` a function makes a new pyplot figure sized for its content; pass ``ax`` to
draw into a figure of your own.
"""

from govdisclosure.plot._common import bare_figures, report_labels
from govdisclosure.plot._font import EMBEDDED_FAMILY, cjk_context, cjk_family, embed_cjk_font, use_cjk_font
from govdisclosure.plot.channels import channel_adoption, channel_heatmap, channel_quantities
from govdisclosure.plot.problems import commitment_links, follow_through, problem_categories, recurring_problems
from govdisclosure.plot.quality import failures, issues_by_check, issues_by_report, section_coverage, templates
from govdisclosure.plot.requests import appeal_outcomes, request_outcomes, request_volumes, withheld_reasons

__all__ = [
    "EMBEDDED_FAMILY",
    "appeal_outcomes",
    "bare_figures",
    "channel_adoption",
    "channel_heatmap",
    "channel_quantities",
    "cjk_context",
    "cjk_family",
    "commitment_links",
    "embed_cjk_font",
    "failures",
    "follow_through",
    "issues_by_check",
    "issues_by_report",
    "problem_categories",
    "recurring_problems",
    "report_labels",
    "request_outcomes",
    "request_volumes",
    "section_coverage",
    "templates",
    "use_cjk_font",
    "withheld_reasons",
]
