"""The whole job in one call: read a corpus, run the analyses and the audit, draw the figures,
and write everything to one directory a researcher can open or share.

>>> from govdisclosure.workflow import analyze
>>> result = analyze("data/samples", "out")        # doctest: +SKIP
>>> result["html"]                                  # out/index.html, one self-contained page

Layout of ``out_dir``::

    index.html              the summary page: key numbers, figures, data-quality table, failures
    data/<name>.csv         every DataFrame, UTF-8 with BOM (Excel on Chinese Windows opens it)
    data/<name>.parquet     the same, typed, for pandas/R/Stata users
    figures/<name>.png      every figure (150 dpi) …
    figures/<name>.svg      … and as vector graphics for print
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.axes import Axes

from govdisclosure.analysis import (
    appeal_outcomes,
    channel_matrix,
    channels,
    commitments,
    follow_through,
    link_commitments,
    problems,
    recurring_problems,
    request_outcomes,
    similar_texts,
)
from govdisclosure.audit import audit
from govdisclosure.corpus import Corpus, read_corpus
from govdisclosure.plot import channels as c_plot
from govdisclosure.plot import problems as p_plot
from govdisclosure.plot import quality as q_plot
from govdisclosure.plot import requests as r_plot
from govdisclosure.plot._common import LEVEL_ZH, bare_figures, report_labels
from govdisclosure.plot._font import embed_cjk_font

__all__ = ["FIGURES", "analyze", "key_numbers", "quality_table", "run_analyses", "summary_html"]

Frames = dict[str, pd.DataFrame]


@dataclass(frozen=True)
class FigureSpec:
    """One figure of the job: file name, the page section it belongs to, a caption, how to draw it."""

    name: str
    group: str
    caption: str
    draw: Callable[[Frames], Axes]
    # Draw only when the frames hold something worth a figure (e.g. more than one year).
    when: Callable[[Frames], bool] = lambda frames: True


def _years(frames: Frames) -> int:
    return int(frames["reports"]["year"].nunique())


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("quality_issues_by_check", "数据质量",
               "解析和审核发现的问题，按检查项和严重程度计数；条形越长，该问题在语料中越常见。",
               lambda f: q_plot.issues_by_check(f["findings"])),
    FigureSpec("quality_issues_by_report", "数据质量",
               "每份报告发现的问题数，错误最多的报告排在最上方，核对时可从这些报告开始。",
               lambda f: q_plot.issues_by_report(f["findings"], f["reports"])),
    FigureSpec("quality_sections", "数据质量",
               "年度报告格式规定的六个部分，各有多少份报告找到了该部分的标题（橙色为缺失）。",
               lambda f: q_plot.section_coverage(f["sections"], f["reports"])),
    FigureSpec("quality_templates", "数据质量",
               "各报告年度采用的统计表格式：2021年格式、2019年格式，或没有统一表格。",
               lambda f: q_plot.templates(f["reports"])),
    FigureSpec("quality_failures", "数据质量",
               "完全无法读入的文件及其原因（如不支持的格式、没有文字层的扫描件）。",
               lambda f: q_plot.failures(f["failures"])),
    FigureSpec("requests_volumes", "依申请公开与复议诉讼",
               "各报告本年新收和上年结转的政府信息公开申请数（件），申请最多的排在最上方。",
               lambda f: r_plot.request_volumes(f["request_outcomes"].set_index("report_id"), f["reports"])),
    FigureSpec("requests_volumes_by_year", "依申请公开与复议诉讼",
               "各报告年度的申请数合计（件）。各年度包含的机关不同，合计的变化不一定是同一批机关的变化。",
               lambda f: r_plot.request_volumes(request_outcomes(f["tables"], f["reports"], by="year")),
               when=lambda f: _years(f) > 1),
    FigureSpec("requests_outcomes", "依申请公开与复议诉讼",
               "表三办理结果的构成：每行为一份报告，各色块为六类结果占办结申请的百分比，"
               "予以公开和部分公开比例最高的排在最上方。",
               lambda f: r_plot.request_outcomes(f["request_outcomes"].set_index("report_id"), f["reports"])),
    FigureSpec("requests_withheld_reasons", "依申请公开与复议诉讼",
               "未予公开的申请按表三所列理由合计（件）：不予公开、无法提供、不予处理的各项理由。",
               lambda f: r_plot.withheld_reasons(f["tables"])),
    FigureSpec("appeals_outcomes", "依申请公开与复议诉讼",
               "因政府信息公开引起的行政复议和行政诉讼案件的结果，纠错率为结果纠正占已审结案件的比例。",
               lambda f: r_plot.appeal_outcomes(f["appeal_outcomes"].set_index(["report_id", "proceeding"]))),
    FigureSpec("channels_adoption", "公开渠道",
               "各公开渠道被多少份报告提及（占全部报告的百分比），颜色为渠道类别。",
               lambda f: c_plot.channel_adoption(f["channels"], f["reports"])),
    FigureSpec("channels_adoption_by_year", "公开渠道",
               "按报告年度，提及各渠道的报告所占比例（%），看渠道使用的变化。",
               lambda f: c_plot.channel_adoption(f["channels"], f["reports"], by="year"),
               when=lambda f: _years(f) > 1),
    FigureSpec("channels_mix", "公开渠道",
               "每份报告提及各渠道的次数：行是报告，列是按类别分组的渠道，颜色越深提及越多。",
               lambda f: c_plot.channel_heatmap(f["channels"], f["reports"])),
    FigureSpec("channels_quantities", "公开渠道",
               "报告为各渠道给出的数量（如“视频号发表视频 54 个”），按渠道和单位合计；不同单位不相加。",
               lambda f: c_plot.channel_quantities(f["channels"])),
    FigureSpec("problems_categories", "问题与改进",
               "第五部分所列问题（橙）和改进措施（蓝）按类别计数，括号内为报告数。",
               lambda f: p_plot.problem_categories(f["problems"], f["commitments"])),
    FigureSpec("problems_recurring", "问题与改进",
               "在多份报告中以几乎相同的文字出现的问题，按提出该问题的报告数排列。",
               lambda f: p_plot.recurring_problems(f["recurring_problems"])),
    FigureSpec("problems_answered", "问题与改进",
               "每类问题中，有多少条在同一报告中有对应的改进措施（按文本相似度判断）。",
               lambda f: p_plot.commitment_links(f["commitment_links"], f["problems"])),
    FigureSpec("commitments_follow_through", "问题与改进",
               "同一机关上一年度报告承诺的改进措施，在下一年度报告中是否有落实的记述、问题是否再次出现。",
               lambda f: p_plot.follow_through(f["follow_through"])),
)


def analyze(
    paths: str | Path | Iterable[str | Path],
    out_dir: str | Path,
    *,
    n_jobs: int = 1,
    cache: bool | str | Path = True,
    progress: bool | None = None,
) -> dict[str, Any]:
    """Read reports, analyse them, audit them, and write data, figures and a summary page.

    Args:
        paths: A directory, glob pattern, file, or list of those (as :func:`~govdisclosure.read_corpus`).
        out_dir: Directory for the outputs; created if needed. Files of an earlier run with the
            same names are replaced.
        n_jobs: Worker processes for reading the reports; -1 for every core.
        cache: Reuse reports parsed before (see :func:`~govdisclosure.read_corpus`).
        progress: Show a progress bar while reading; by default only on a terminal.

    Returns:
        A dict with ``corpus`` (the :class:`~govdisclosure.Corpus`), ``frames`` (every DataFrame
        written, by name: the corpus frames, the analyses of :func:`run_analyses` and
        ``findings`` of the audit),
        ``figures`` (name → ``{"png": Path, "svg": Path}``), ``numbers`` (the key numbers shown on
        the page, name → value), ``html`` (Path of ``index.html``) and ``files`` (every Path
        written).

    Raises:
        OSError: ``out_dir`` cannot be written. Files that cannot be read are not errors: they
            are listed in ``corpus.failures`` and on the page.
    """
    out = Path(out_dir)
    corpus = read_corpus(paths, n_jobs=n_jobs, cache=cache, progress=progress)
    frames: Frames = dict(corpus.frames())
    frames.update(run_analyses(corpus))
    frames["findings"] = audit(corpus)
    files: list[Path] = []
    files += _write_frames(frames, out / "data")
    figures, drawn = _draw_figures(frames, out / "figures")
    files += [p for pair in figures.values() for p in pair.values()]
    numbers = key_numbers(frames)
    page = out / "index.html"
    page.write_text(summary_html(frames, numbers, drawn, corpus.run_info), encoding="utf-8")
    files.append(page)
    return {"corpus": corpus, "frames": frames, "figures": figures, "numbers": numbers, "html": page,
            "files": files}


def run_analyses(corpus: Corpus) -> Frames:
    """Every analysis of :mod:`govdisclosure.analysis` on a corpus, by the name its file gets.

    Returns:
        ``request_outcomes`` (one row per report), ``appeal_outcomes`` (one row per report and
        proceeding), ``channels`` (one row per mention), ``channel_matrix`` (report × channel
        mention counts), ``problems``, ``recurring_problems``, ``commitments``,
        ``commitment_links``, ``follow_through`` and ``similar_texts`` (pairs of reports with
        alike sections one or five). Indexes are columns (``report_id``, ``proceeding``), so
        every frame writes to CSV and Parquet alike.
    """
    mentions = channels(corpus.sections)
    found = problems(corpus.sections)
    made = commitments(corpus.sections)
    return {
        "request_outcomes": request_outcomes(corpus.tables, corpus.reports).reset_index(),
        "appeal_outcomes": appeal_outcomes(corpus.tables, corpus.reports).reset_index(),
        "channels": mentions,
        "channel_matrix": channel_matrix(mentions).reset_index(),
        "problems": found,
        "recurring_problems": recurring_problems(found),
        "commitments": made,
        "commitment_links": link_commitments(found, made),
        "follow_through": follow_through(found, made, corpus.reports, sections=corpus.sections),
        "similar_texts": similar_texts(corpus.sections, corpus.reports),
    }


def _write_frames(frames: Frames, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in frames.items():
        csv, parquet = directory / f"{name}.csv", directory / f"{name}.parquet"
        flat = _flat(frame)
        flat.to_csv(csv, index=False, encoding="utf-8-sig")
        flat.to_parquet(parquet, index=False)
        written += [csv, parquet]
    return written


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells holding lists or tuples (``recurring_problems.members``) as JSON text.

    Parquet cannot store a list of mixed (report_id, item) tuples, and CSV would get Python's
    repr; JSON reads back in any language.
    """
    nested = [c for c in frame.columns if frame[c].dtype == object
              and frame[c].map(lambda v: isinstance(v, list | tuple)).any()]
    if not nested:
        return frame
    return frame.assign(**{c: frame[c].map(lambda v: json.dumps(v, ensure_ascii=False)
                                           if isinstance(v, list | tuple) else v) for c in nested})


@dataclass(frozen=True)
class _Drawn:
    spec: FigureSpec
    title: str
    png: bytes


def _draw_figures(frames: Frames, directory: Path) -> tuple[dict[str, dict[str, Path]], list[_Drawn]]:
    directory.mkdir(parents=True, exist_ok=True)
    paths: dict[str, dict[str, Path]] = {}
    drawn: list[_Drawn] = []
    # Bare Figures: a batch job must not pile figures up in pyplot or need a display.
    with bare_figures():
        for spec in FIGURES:
            if not spec.when(frames):
                continue
            ax = spec.draw(frames)
            png = io.BytesIO()
            ax.figure.savefig(png, format="png", dpi=150)
            paths[spec.name] = {"png": directory / f"{spec.name}.png", "svg": directory / f"{spec.name}.svg"}
            paths[spec.name]["png"].write_bytes(png.getvalue())
            ax.figure.savefig(paths[spec.name]["svg"], format="svg")
            drawn.append(_Drawn(spec, ax.get_title(), png.getvalue()))
    return paths, drawn


def key_numbers(frames: Frames) -> dict[str, Any]:
    """The numbers at the top of the summary page, computed from the frames.

    Returns:
        ``reports``, ``failures``, ``agencies``, ``years`` (e.g. "2021–2024"), ``templates``
        (template → count), ``findings_error``/``_warning``/``_info``, ``reports_with_errors``,
        ``requests_received``, ``requests_processed``, ``granted_share`` (予以公开 + 部分公开 of
        the outcome rows, NaN when none), ``appeal_cases``, ``correction_rate`` (结果纠正 ÷
        已审结 over review and litigation, NaN when none was decided) and, when the analyses
        were run, ``channels`` (distinct channels named), ``problems``, ``commitments``,
        ``problems_answered`` (share of problem items a measure of the same report answers) and
        ``follow_through_done`` (share of last year's planned measures reported done).
    """
    reports, findings, tables = frames["reports"], frames["findings"], frames["tables"]
    years = reports["year"].dropna()
    severity = findings["severity"].value_counts()
    # Pooled over reports: Σ counts, then divide (analysis.outcomes' definitions).
    req = request_outcomes(tables)
    handled = req[req["total_processed"] > 0]
    processed = float(handled["total_processed"].sum())
    opened = float(handled[["granted", "partly_granted"]].sum(min_count=1).sum())
    app = appeal_outcomes(tables)
    app = app[app.index.get_level_values("proceeding") != "litigation"]  # the sum of the two others
    decided = float(app["decided"].sum())
    numbers: dict[str, Any] = {
        "reports": len(reports),
        "failures": len(frames["failures"]),
        "agencies": int(reports["agency"].nunique()),
        "years": "" if years.empty else (f"{int(years.min())}–{int(years.max())}" if years.min() != years.max()
                                          else str(int(years.min()))),
        "templates": {str(k): int(v) for k, v in reports["template"].value_counts().items()},
        "findings_error": int(severity.get("error", 0)),
        "findings_warning": int(severity.get("warning", 0)),
        "findings_info": int(severity.get("info", 0)),
        "reports_with_errors": int(findings.loc[findings["severity"] == "error", "report_id"].nunique()),
        "requests_received": float(req["received"].sum()),
        "requests_processed": processed,
        "granted_share": opened / processed if processed else math.nan,
        "appeal_cases": float(app[["upheld", "corrected", "other", "pending"]].sum().sum()),
        "correction_rate": float(app["corrected"].sum()) / decided if decided else math.nan,
    }
    if "problems" in frames:
        found, links, follow = frames["problems"], frames["commitment_links"], frames["follow_through"]
        answered = len(set(zip(links["report_id"], links["problem"], strict=True)))
        numbers.update({
            "channels": int(frames["channels"]["channel"].nunique()),
            "problems": len(found),
            "commitments": len(frames["commitments"]),
            "problems_answered": answered / len(found) if len(found) else math.nan,
            "follow_through_done": float(follow["done"].mean()) if len(follow) else math.nan,
        })
    return numbers


def quality_table(frames: Frames) -> pd.DataFrame:
    """One row per report for the page: what was found, and how many problems of each severity."""
    reports, sections, findings = frames["reports"], frames["sections"], frames["findings"]
    six = {"overview", "proactive", "requests", "appeals", "problems", "other"}
    found = sections[sections["section"].isin(six)].groupby("report_id")["section"].nunique()
    sev = findings.groupby(["report_id", "severity"]).size().unstack(fill_value=0)
    sev = sev.reindex(columns=["error", "warning", "info"], fill_value=0)
    names = q_plot.check_names()
    top = (findings[findings["severity"] == "error"].groupby("report_id")["check"]
           .agg(lambda cs: "、".join(names.get(c, c) for c in dict.fromkeys(cs))))
    ids = reports["report_id"]
    table = pd.DataFrame({
        "报告": report_labels(reports).reindex(ids).to_numpy(),
        "文件": reports["source_path"].map(lambda p: str(p).replace("\\", "/").rsplit("/", 1)[-1]).to_numpy(),
        "格式": reports["template"].map(lambda t: q_plot.TEMPLATE_ZH.get(t, t)).to_numpy(),
        "级别": reports["level"].map(lambda v: LEVEL_ZH.get(v, v) if isinstance(v, str) else "").to_numpy(),
        "部分（共6）": found.reindex(ids).fillna(0).astype(int).to_numpy(),
        "错误": sev["error"].reindex(ids).fillna(0).astype(int).to_numpy(),
        "警告": sev["warning"].reindex(ids).fillna(0).astype(int).to_numpy(),
        "提示": sev["info"].reindex(ids).fillna(0).astype(int).to_numpy(),
        "错误类型": top.reindex(ids).fillna("").to_numpy(),
    })
    return table.sort_values(["错误", "警告", "报告"], ascending=[False, False, True], kind="stable")


_CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC","govdisclosure CJK",sans-serif;
max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.5}
h1{font-size:1.6em;margin-bottom:.2em} h2{border-bottom:2px solid #0072B2;padding-bottom:.2em;margin-top:2em}
.meta{color:#666;font-size:.9em} .caveat{background:#fff3cd;border-left:4px solid #E69F00;padding:.5em 1em}
.numbers{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:.6em;margin:1em 0}
.num{background:#f4f7fb;border-radius:6px;padding:.6em .8em} .num b{display:block;font-size:1.5em;color:#0072B2}
figure{margin:1.5em 0} figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{color:#444;font-size:.95em} table{border-collapse:collapse;font-size:.88em;width:100%}
th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top} th{background:#f0f0f0}
"""


def _fmt(value: Any, *, pct: bool = False) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "—"
    if pct:
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def summary_html(frames: Frames, numbers: dict[str, Any], drawn: list[_Drawn],
                 run_info: dict[str, object] | None = None) -> str:
    """The self-contained summary page: every figure embedded as PNG, every text escaped.

    Agency names, file names and messages come from untrusted files, so all of them go through
    :func:`html.escape` (tables through ``DataFrame.to_html(escape=True)``).
    """
    esc = html.escape
    n = numbers
    cards = [
        ("读入报告", _fmt(n["reports"]) + " 份"), ("未能读入", _fmt(n["failures"]) + " 个文件"),
        ("机关", _fmt(n["agencies"]) + " 个"), ("报告年度", n["years"] or "—"),
        ("审核错误", _fmt(n["findings_error"]) + " 条"), ("有错误的报告", _fmt(n["reports_with_errors"]) + " 份"),
        ("新收申请", _fmt(n["requests_received"]) + " 件"), ("办结申请", _fmt(n["requests_processed"]) + " 件"),
        ("予以公开和部分公开", _fmt(n["granted_share"], pct=True)),
        ("复议诉讼案件", _fmt(n["appeal_cases"]) + " 件"), ("复议诉讼纠错率", _fmt(n["correction_rate"], pct=True)),
    ]
    if "problems" in n:
        cards += [
            ("提及的公开渠道", _fmt(n["channels"]) + " 种"), ("所列问题", _fmt(n["problems"]) + " 条"),
            ("改进措施", _fmt(n["commitments"]) + " 条"),
            ("有对应措施的问题", _fmt(n["problems_answered"], pct=True)),
            ("上年措施见落实", _fmt(n["follow_through_done"], pct=True)),
        ]
    parts = [
        "<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        "<title>政府信息公开工作年度报告：分析摘要</title>", f"<style>{_CSS}</style></head><body>",
        "<h1>政府信息公开工作年度报告：分析摘要</h1>",
        f'<p class="meta">由 govdisclosure 生成于 {esc(dt.datetime.now().strftime("%Y-%m-%d %H:%M"))}'
        + (f"；输入文件 {esc(str(run_info.get('files', '')))} 个" if run_info else "")
        + "。数据表见 <code>data/</code>，图见 <code>figures/</code>（PNG 与 SVG）。</p>",
    ]
    caveats = []
    if n["failures"]:
        caveats.append(f"{n['failures']} 个文件未能读入，未计入以下任何数字（见文末“未能读入的文件”）。")
    if n["findings_error"]:
        caveats.append(f"{n['reports_with_errors']} 份报告有审核错误（表格勾稽不平、单元格未读出等），"
                       "使用其数字前请核对“数据质量”一节。")
    if caveats:
        parts.append('<div class="caveat">' + "<br>".join(esc(c) for c in caveats) + "</div>")
    parts.append('<div class="numbers">' + "".join(
        f'<div class="num"><b>{esc(v)}</b>{esc(k)}</div>' for k, v in cards) + "</div>")
    if n["templates"]:
        parts.append("<p>表格格式：" + esc("，".join(f"{q_plot.TEMPLATE_ZH.get(k, k)} {v} 份"
                                                   for k, v in n["templates"].items())) + "</p>")
    groups = list(dict.fromkeys(d.spec.group for d in drawn))
    for group in groups:
        parts.append(f"<h2>{esc(group)}</h2>")
        for d in (d for d in drawn if d.spec.group == group):
            data = base64.b64encode(d.png).decode("ascii")
            parts.append(f'<figure id="{esc(d.spec.name)}"><img alt="{esc(d.title)}" '
                         f'src="data:image/png;base64,{data}"><figcaption>{esc(d.spec.caption)} '
                         f'<a href="figures/{esc(d.spec.name)}.svg">SVG</a></figcaption></figure>')
        if group == "数据质量":
            parts.append("<h3>各报告的数据质量</h3><p>按错误数、警告数排序。"
                         "“部分”为找到标题的部分数；错误类型为该报告出现的错误检查项。完整的逐条结果见 "
                         "<code>data/findings.csv</code>。</p>")
            parts.append(quality_table(frames).to_html(index=False, escape=True, border=0))
        if group == "问题与改进" and len(frames.get("recurring_problems", ())):
            top = frames["recurring_problems"].head(10)
            shown = pd.DataFrame({"提出该问题的报告数": top["n_reports"], "条目数": top["n_items"],
                                  "类别": top["category"].map(p_plot.category_names()).fillna(top["category"]),
                                  "典型表述": top["example"], "关键词": top["terms"].str.replace("|", "、")})
            parts.append("<h3>反复出现的问题（前 10 组）</h3>"
                         + shown.to_html(index=False, escape=True, border=0))
    parts.append("<h2>未能读入的文件</h2>")
    failures = frames["failures"]
    if failures.empty:
        parts.append("<p>所有文件均已读入。</p>")
    else:
        shown = failures.rename(columns={"source_path": "文件", "error": "原因", "message": "说明"})
        parts.append(shown.to_html(index=False, escape=True, border=0))
    parts.append("<h2>数据文件</h2><ul>" + "".join(
        f'<li><a href="data/{esc(name)}.csv">{esc(name)}.csv</a>（{len(frame):,} 行）</li>'
        for name, frame in frames.items()) + "</ul>")
    parts.append("</body></html>")
    # Readable on a machine without a Chinese font too: the packaged font, cut to this page.
    return embed_cjk_font("\n".join(parts))
