"""Write the research notebooks 01–04 under ``notebooks/`` (without outputs).

The notebooks are generated so that their structure stays uniform — question and outline, ONE
parameters cell second, data checks before analysis, one sentence per figure, figures saved under
``OUT`` — and so that a change to all of them is one diff here. Edit this file, then run::

    python docs/make_notebooks.py

``tests/test_notebooks.py`` executes every notebook and checks that none is committed with outputs.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def params(name: str) -> str:
    return f'# Parameters\nCORPUS = "../data/samples"\nOUT = "../out/{name}"'


SETUP = '''\
import warnings
from pathlib import Path

import matplotlib.pyplot as plt

import govdisclosure as gd
import govdisclosure.plot as gp

out = Path(OUT)
out.mkdir(parents=True, exist_ok=True)


def save(ax, name):
    """Write the figure of ``ax`` as PNG and SVG under OUT and return it, shown once below the cell."""
    ax.figure.savefig(out / f"{name}.png", dpi=150)
    ax.figure.savefig(out / f"{name}.svg")
    plt.close(ax.figure)  # displayed as the cell's result, not a second time by pyplot
    return ax.figure


with warnings.catch_warnings():
    # Files that cannot be read are listed in corpus.failures below; no need to warn twice.
    warnings.simplefilter("ignore", gd.GovDisclosureWarning)
    corpus = gd.read_corpus(CORPUS)
corpus'''

CONTRACT_CHECKS = '''\
# The frames have the columns of the contract (DESIGN.md §4), every input file is accounted
# for, and every row points at a report that exists.
assert len(corpus.reports) > 0, f"no report could be read from {CORPUS}"
assert len(corpus.reports) + len(corpus.failures) == corpus.run_info["files"]
assert corpus.reports["report_id"].is_unique
for name, frame in corpus.frames().items():
    if name not in ("reports", "failures"):
        assert set(frame["report_id"]) <= set(corpus.reports["report_id"]), name'''


def nb_data_quality() -> nbformat.NotebookNode:
    name = "01-data-quality"
    cells = [
        new_markdown_cell(
            "# 01 · Data quality: can these reports' numbers be used?\n\n"
            "**Question.** How complete and internally consistent are the reports in the corpus — "
            "which files could not be read, which sections and tables are missing, which sums do not "
            "balance — and which reports must be checked by hand before their numbers enter an analysis?\n\n"
            "**Outline.**\n"
            "1. Read the corpus and check the frames against the contract.\n"
            "2. Files that could not be read at all.\n"
            "3. Templates and sections: is every report in the national format?\n"
            "4. The audit: every finding, by check and by report.\n"
            "5. A data-quality table per report, saved for the disclosure office.\n\n"
            "Set `CORPUS` to your own folder of reports; figures and tables go to `OUT`."),
        new_code_cell(params(name)),
        new_code_cell(SETUP),
        new_markdown_cell("## 1 · Check the data\n\nBefore any count: the frames must have the contract's "
                          "columns and every file must be either a report or a failure."),
        new_code_cell(CONTRACT_CHECKS + '''
expected = {"report_id", "agency", "year", "template", "level", "source_path"}
assert expected <= set(corpus.reports.columns), expected - set(corpus.reports.columns)
assert corpus.reports["template"].isin(["2021", "2019", "pre2019", "unknown"]).all()
corpus.reports[["agency", "year", "template", "level", "n_issues"]]'''),
        new_markdown_cell("## 2 · Files that could not be read\n\n"
                          "The figure counts the files that could not be read at all, by reason; with "
                          "three or fewer files of one reason their names are written next to the bar."),
        new_code_cell('save(gp.failures(corpus.failures), "failures")'),
        new_code_cell("corpus.failures"),
        new_markdown_cell("## 3 · Templates and sections\n\n"
                          "The first figure shows, for each reporting year, how many reports use the 2021 "
                          "format, the 2019 format, or no standard tables; the second shows for each of the "
                          "six sections how many reports have its heading."),
        new_code_cell('save(gp.templates(corpus.reports), "templates")'),
        new_code_cell('save(gp.section_coverage(corpus.sections, corpus.reports), "sections")'),
        new_markdown_cell("## 4 · The audit\n\n"
                          "`audit` runs every check — the table arithmetic found while parsing, text against "
                          "tables, across years, form, deadline and copied content — and returns one located "
                          "finding per row. We check its shape before plotting it."),
        new_code_cell('''\
from govdisclosure.audit import audit

findings = audit(corpus)
assert {"report_id", "check", "severity", "location", "message"} <= set(findings.columns)
assert findings["severity"].isin(["error", "warning", "info"]).all()
assert set(findings["report_id"]) <= set(corpus.reports["report_id"])
# Every parse issue is among the findings.
assert len(findings[findings["check"].isin(corpus.issues["check"])]) >= len(corpus.issues)
findings.groupby(["severity", "check"]).size()'''),
        new_markdown_cell("The figure counts the findings of each check, split by severity: the longest bars "
                          "are the problems that are most common in this corpus."),
        new_code_cell('save(gp.issues_by_check(findings), "findings_by_check")'),
        new_markdown_cell("The next figure lists the reports with the most findings, errors first: where a "
                          "disclosure office should start checking."),
        new_code_cell('save(gp.issues_by_report(findings, corpus.reports), "findings_by_report")'),
        new_markdown_cell("## 5 · A data-quality table per report\n\n"
                          "One row per report: sections found, findings by severity, and the error checks. "
                          "It is saved as CSV (UTF-8 with BOM, for Excel) next to the figures."),
        new_code_cell('''\
from govdisclosure.workflow import quality_table

table = quality_table({**corpus.frames(), "findings": findings})
assert len(table) == len(corpus.reports)
table.to_csv(out / "data_quality.csv", index=False, encoding="utf-8-sig")
findings.to_csv(out / "findings.csv", index=False, encoding="utf-8-sig")
table'''),
    ]
    return _notebook(name, cells)


def nb_channels() -> nbformat.NotebookNode:
    name = "02-publishing-channels"
    cells = [
        new_markdown_cell(
            "# 02 · Publishing channels: where do agencies publish government information?\n\n"
            "**Question.** Through which channels — government websites and disclosure columns, 政务新媒体, "
            "higher-level platforms, newspapers and broadcasting, offline places, hotlines — do agencies say "
            "they publish government information, how does the mix differ between agencies, levels and years, "
            "and how much do they report publishing on each?\n\n"
            "**Outline.**\n"
            "1. Read the corpus and check it.\n"
            "2. Find every channel mention with `channels()` and check that each one points back at the text.\n"
            "3. Adoption: the share of reports naming each channel, overall and by year.\n"
            "4. The channel mix of each report.\n"
            "5. Quantities attached to channels (视频号 54 个, 平顶山日报 27 篇).\n"
            "6. Channel-like names outside the vocabulary, and the tables saved as CSV.\n\n"
            "The vocabulary is `govdisclosure/data/analysis/channels.csv`: add a row there for a channel it "
            "misses. Set `CORPUS` to your own folder of reports; figures and tables go to `OUT`."),
        new_code_cell(params(name)),
        new_code_cell(SETUP),
        new_markdown_cell("## 1 · Check the data"),
        new_code_cell(CONTRACT_CHECKS + '''
assert {"report_id", "section", "text", "start", "end"} <= set(corpus.sections.columns)
print(f"{corpus.sections['report_id'].nunique()} reports with sections, "
      f"{int(corpus.sections['text'].str.len().sum()):,} characters of narrative")'''),
        new_markdown_cell("## 2 · Channel mentions\n\n"
                          "Every mention keeps its offsets into the report text, so each one can be checked "
                          "against what the report prints; we check all of them before counting."),
        new_code_cell('''\
from govdisclosure.analysis import channel_matrix, channels

mentions = channels(corpus.sections)
sections = corpus.sections.set_index(["report_id", "section"])
for m in mentions.itertuples():
    sec = sections.loc[(m.report_id, m.section)]
    assert sec["text"][m.start - sec["start"]:m.end - sec["start"]] == m.surface, m
assert (mentions["count"].dropna() >= 0).all()
print(f"{len(mentions)} mentions of {mentions['channel'].nunique()} channels "
      f"in {mentions['report_id'].nunique()} of {len(corpus.reports)} reports")
mentions[["report_id", "label_zh", "surface", "count", "unit", "measure"]].head(20)'''),
        new_markdown_cell("## 3 · Adoption\n\n"
                          "The figure shows, for each channel, the share of all reports that name it at least "
                          "once (a report naming no channel still counts); colours are the channel categories."),
        new_code_cell('save(gp.channel_adoption(mentions, corpus.reports), "channel_adoption")'),
        new_markdown_cell("The same shares by reporting year (or, with reports of one year only, by "
                          "administrative level): each column is a group, each cell the percentage of its "
                          "reports naming the channel."),
        new_code_cell('''\
by = "year" if corpus.reports["year"].nunique() > 1 else "level"
save(gp.channel_adoption(mentions, corpus.reports, by=by), f"channel_adoption_by_{by}")'''),
        new_markdown_cell("## 4 · The channel mix of each report\n\n"
                          "Rows are reports, columns channels grouped by category; a cell gives how often the "
                          "report names the channel, so a report's row is its publishing profile."),
        new_code_cell('save(gp.channel_heatmap(mentions, corpus.reports), "channel_mix")'),
        new_markdown_cell("## 5 · Quantities\n\n"
                          "Where a report writes a number right after a channel (\"视频号全年共制作发表视频 54 个\"), "
                          "the figure adds those numbers up per channel and unit on a logarithmic axis; "
                          "different units are never added together."),
        new_code_cell('save(gp.channel_quantities(mentions), "channel_quantities")'),
        new_markdown_cell("## 6 · Names outside the vocabulary, and the tables\n\n"
                          "Channel-like names found by their form (\"云上郟县 app\", “××发布”) are candidates for "
                          "the vocabulary; the mention table and the report × channel matrix are saved as CSV."),
        new_code_cell('''\
unknown = mentions[~mentions["known"]]
matrix = channel_matrix(mentions)
assert set(matrix.index) == set(mentions["report_id"])
mentions.to_csv(out / "channel_mentions.csv", index=False, encoding="utf-8-sig")
matrix.to_csv(out / "channel_matrix.csv", encoding="utf-8-sig")
unknown[["report_id", "channel", "name", "surface"]]'''),
    ]
    return _notebook(name, cells)


def nb_problems() -> nbformat.NotebookNode:
    name = "03-problems-and-commitments"
    cells = [
        new_markdown_cell(
            "# 03 · Problems and commitments: do agencies fix what they say is wrong?\n\n"
            "**Question.** Which problems do agencies name in section five of their reports, which "
            "statements recur across agencies almost word for word, do the improvement measures of a report "
            "answer its problems, and does the next year's report show last year's measures carried out — or "
            "the same problem again?\n\n"
            "**Outline.**\n"
            "1. Read the corpus and check it.\n"
            "2. Problem items of section five, classified by the taxonomy; check them.\n"
            "3. Recurring statements across reports.\n"
            "4. Improvement measures and which problems they answer.\n"
            "5. Follow-through from one year's report to the next (agencies with consecutive years).\n"
            "6. The tables, saved as CSV.\n\n"
            "The taxonomy and its cue words are `govdisclosure/data/analysis/taxonomy.csv`. Set `CORPUS` to "
            "your own folder of reports; figures and tables go to `OUT`."),
        new_code_cell(params(name)),
        new_code_cell(SETUP),
        new_markdown_cell("## 1 · Check the data"),
        new_code_cell(CONTRACT_CHECKS + '''
five = corpus.sections[corpus.sections["section"] == "problems"]
print(f"{five['report_id'].nunique()} of {len(corpus.reports)} reports have a section five heading")'''),
        new_markdown_cell("## 2 · Problem items\n\n"
                          "Items are numbered 1, 2, … within each report and carry the cue words that decided "
                          "their category; we check both before counting."),
        new_code_cell('''\
from govdisclosure.analysis import commitments, follow_through, link_commitments, problems, recurring_problems
from govdisclosure.plot.problems import category_names

found = problems(corpus.sections)
assert found["category"].isin(category_names()).all()
for rid, items in found.groupby("report_id"):
    assert items["item"].tolist() == list(range(1, len(items) + 1)), rid
assert (found["start"] < found["end"]).all()
found[["report_id", "item", "text", "category", "cues"]]'''),
        new_markdown_cell("The figure counts problem items (orange) and improvement items (blue) per category; "
                          "the number in brackets is how many reports name it."),
        new_code_cell('''\
made = commitments(corpus.sections)
assert made["kind"].isin(["planned", "reported"]).all()
save(gp.problem_categories(found, made), "categories")'''),
        new_markdown_cell("## 3 · Recurring statements\n\n"
                          "Statements that are near-identical across reports (TF-IDF over segmented words, "
                          "grouped by similarity) are counted by the number of reports making them; the label "
                          "is the group's most typical wording."),
        new_code_cell('''\
groups = recurring_problems(found)
assert (groups["n_reports"] >= 2).all()
save(gp.recurring_problems(groups), "recurring")'''),
        new_code_cell('groups[["n_reports", "n_items", "category", "terms", "example"]]'),
        new_markdown_cell("## 4 · Do the measures answer the problems?\n\n"
                          "A measure answers a problem of the same report when their texts are similar enough "
                          "(threshold in `data/analysis/settings.csv`); the figure shows, per category, the "
                          "share of problems that some measure answers."),
        new_code_cell('''\
links = link_commitments(found, made)
assert set(zip(links["report_id"], links["problem"], strict=True)) <= set(
    zip(found["report_id"], found["item"], strict=True))
save(gp.commitment_links(links, found), "answered")'''),
        new_markdown_cell("## 5 · Follow-through\n\n"
                          "For an agency with reports for consecutive years, each measure it planned in year N "
                          "is looked for in year N+1's report: reported done, the same problem listed again, "
                          "both, or neither. With a single year per agency there is nothing to follow."),
        new_code_cell('''\
follow = follow_through(found, made, corpus.reports, sections=corpus.sections)
assert follow["status"].isin(["done", "done_recurs", "recurs", "no_evidence"]).all()
save(gp.follow_through(follow), "follow_through")'''),
        new_markdown_cell("## 6 · The tables"),
        new_code_cell('''\
for table_name, frame in {"problems": found, "commitments": made, "commitment_links": links,
                          "follow_through": follow}.items():
    frame.to_csv(out / f"{table_name}.csv", index=False, encoding="utf-8-sig")
groups.drop(columns="members").to_csv(out / "recurring_problems.csv", index=False, encoding="utf-8-sig")
follow[["agency", "year", "text", "status", "done_evidence", "recur_text"]]'''),
    ]
    return _notebook(name, cells)


def nb_requests() -> nbformat.NotebookNode:
    name = "04-requests-and-appeals"
    cells = [
        new_markdown_cell(
            "# 04 · Requests and appeals: what happens to a request for government information?\n\n"
            "**Question.** How many requests for government information do agencies receive, what "
            "share is granted in full or in part, on what grounds is information withheld or not "
            "provided, and how often do administrative review and litigation correct the agency?\n\n"
            "**Outline.**\n"
            "1. Read the corpus; check the tables 三 and 四 before using them, and set aside reports "
            "whose tables do not balance.\n"
            "2. Request volumes.\n"
            "3. Outcomes: the six outcome groups of 表三, per report and per year.\n"
            "4. Grounds for not granting.\n"
            "5. Review and litigation outcomes (表四) and the correction rate.\n"
            "6. The per-report numbers, saved as CSV.\n\n"
            "Set `CORPUS` to your own folder of reports; figures and tables go to `OUT`."),
        new_code_cell(params(name)),
        new_code_cell(SETUP),
        new_markdown_cell("## 1 · Check the data\n\n"
                          "Counts must be whole and not negative, and a report whose table 三 or 四 has an "
                          "arithmetic error is set aside: its shares would be wrong. The list says which."),
        new_code_cell(CONTRACT_CHECKS + '''
cells = corpus.tables[corpus.tables["table"].isin(["requests", "appeals"])]
values = cells["value"].dropna()
assert (values >= 0).all() and (values == values.round()).all(), "counts must be whole numbers >= 0"

errors = corpus.issues[(corpus.issues["severity"] == "error")
                       & corpus.issues["table"].isin(["requests", "appeals"])]
set_aside = sorted(set(errors["report_id"]))
with_tables = set(cells.loc[cells["value"].notna(), "report_id"])
usable = sorted(with_tables - set(set_aside))
reports = corpus.reports[corpus.reports["report_id"].isin(usable)]
tables = corpus.tables[corpus.tables["report_id"].isin(usable)]
assert len(usable) + len(with_tables & set(set_aside)) == len(with_tables)
print(f"{len(usable)} reports with usable tables; set aside: {len(set_aside)}")
corpus.reports.loc[corpus.reports["report_id"].isin(set_aside), ["agency", "year", "source_path"]]'''),
        new_markdown_cell("`request_outcomes` and `appeal_outcomes` turn the tables into volumes, outcome "
                          "shares and correction rates (definitions in their docstrings); shares are NaN, not "
                          "errors, where nothing was handled."),
        new_code_cell('''\
from govdisclosure.analysis import appeal_outcomes, request_outcomes

outcomes = request_outcomes(tables, reports)
appeals = appeal_outcomes(tables, reports)
assert list(outcomes.index) == list(reports["report_id"])
handled = outcomes[outcomes["total_processed"] > 0]
shares = handled[[c for c in handled.columns if c.startswith("share_") and "_withheld_" not in c]]
assert ((shares.sum(axis=1) - 1).abs() < 0.01).all(), "outcome shares of a balanced table add up to 1"
outcomes[["received", "total_processed", "share_granted", "share_partly_granted", "share_withheld"]]'''),
        new_markdown_cell("## 2 · Request volumes\n\n"
                          "Each bar is one report's requests to handle in the year: newly received plus "
                          "carried over from the year before (件), largest on top."),
        new_code_cell('save(gp.request_volumes(outcomes, reports), "request_volumes")'),
        new_markdown_cell("## 3 · Outcomes\n\n"
                          "Each bar splits one report's handled requests into the six outcome groups of "
                          "表三, in percent; reports granting the most (in full or in part) are on top, and "
                          "the number handled is written on the right."),
        new_code_cell('save(gp.request_outcomes(outcomes, reports), "request_outcomes")'),
        new_markdown_cell("The same composition pooled by reporting year: the requests of all reports of a "
                          "year added up before taking shares; the label says how many reports had a table."),
        new_code_cell('''\
by_year = request_outcomes(tables, reports, by="year")
save(gp.request_outcomes(by_year), "request_outcomes_by_year")'''),
        new_markdown_cell("## 4 · Grounds for not granting\n\n"
                          "The figure adds up, over all usable reports, the requests in each row of "
                          "（三）不予公开, （四）无法提供 and （五）不予处理 — the grounds the format lists."),
        new_code_cell('save(gp.withheld_reasons(tables), "withheld_reasons")'),
        new_markdown_cell("## 5 · Review and litigation\n\n"
                          "Cases over disclosure decisions, by kind and result (表四); the correction rate is "
                          "结果纠正 divided by the cases decided (维持 + 纠正 + 其他)."),
        new_code_cell('save(gp.appeal_outcomes(appeals), "appeal_outcomes")'),
        new_markdown_cell("## 6 · Per-report numbers\n\n"
                          "The numbers behind the figures, one row per report (and per proceeding for "
                          "appeals), saved as CSV."),
        new_code_cell('''\
per_report = reports.set_index("report_id")[["agency", "year", "level"]].join(outcomes)
per_report.to_csv(out / "request_outcomes.csv", encoding="utf-8-sig")
appeals.to_csv(out / "appeal_outcomes.csv", encoding="utf-8-sig")
per_report'''),
    ]
    return _notebook(name, cells)


def _notebook(name: str, cells: list) -> nbformat.NotebookNode:
    # Stable cell ids: regenerating a notebook changes only what was edited.
    for i, cell in enumerate(cells):
        cell.id = f"{name[:2]}-{i:02d}"
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


BUILDERS = {
    "01-data-quality": nb_data_quality,
    "02-publishing-channels": nb_channels,
    "03-problems-and-commitments": nb_problems,
    "04-requests-and-appeals": nb_requests,
}


def main() -> None:
    for name, build in BUILDERS.items():
        nb = build()
        nbformat.validate(nb)
        nbformat.write(nb, NOTEBOOKS / f"{name}.ipynb")


if __name__ == "__main__":
    main()
