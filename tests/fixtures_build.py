"""Build HTML pages and DOCX files of a whole report from a distinct-value fixture.

The printed layout is described once, format-neutrally, as rows of :class:`C` cells with their
spans (the layout of the national format as pingtan_2025.html and template_2021_blank.docx print
it), then rendered to HTML (CMS page or Word-exported page) or to DOCX (python-docx, real merges).
Every one of the 200 cells holds a different number (``tests/distinct.py``), so a value read into
the wrong cell cannot go unnoticed.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass

from govdisclosure.codebook import codebook

Cell = tuple[str, str, str]

AGENCY = "平潭综合实验区"
NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
HEADINGS = {
    "overview": "一、总体情况",
    "proactive": "二、主动公开政府信息情况",
    "requests": "三、收到和处理政府信息公开申请情况",
    "appeals": "四、政府信息公开行政复议、行政诉讼情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}
# The 第二十条 blocks of the proactive table and the rows under each (TEMPLATE.md).
_BLOCKS = {
    "2021": [
        ("第二十条第（一）项", ["rules", "normative_documents"]),
        ("第二十条第（五）项", ["licensing"]),
        ("第二十条第（六）项", ["penalty", "coercion"]),
        ("第二十条第（八）项", ["fees"]),
    ],
    "2019": [
        ("第二十条第（一）项", ["rules", "normative_documents"]),
        ("第二十条第（五）项", ["licensing", "other_services"]),
        ("第二十条第（六）项", ["penalty", "coercion"]),
        ("第二十条第（八）项", ["fees"]),
        ("第二十条第（九）项", ["procurement"]),
    ],
}
_APPEAL_SUBS = ["结果\n维持", "结果\n纠正", "其他\n结果", "尚未\n审结", "总计"]


@dataclass(frozen=True)
class C:
    """A printed cell: text ("\\n" = a line break inside the cell), spans, and whether a number."""

    text: str
    rs: int = 1
    cs: int = 1
    value: bool = False


def printed(value: float) -> str:
    """A number as a report prints it: 560, 18651.06."""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def _labels(template: str) -> dict[tuple[str, str], str]:
    book = codebook(None, template=template)
    return {(r.table, r.code): r.label_zh for r in book.itertuples()}


def proactive_rows(values: dict[Cell, float], template: str = "2021") -> list[list[C]]:
    """The proactive table, 4 columns; single-value blocks span their last cell over the rest."""
    book = codebook("proactive", template=template)
    labels = _labels(template)
    row_cols = {r.code: r.cols.split() for r in book[book["axis"] == "row"].itertuples()}
    rows: list[list[C]] = []
    for head, codes in _BLOCKS[template]:
        cols = row_cols[codes[0]]
        rest = 3 - len(cols)  # the last value column spans what is left of the 3
        rows.append([C(head, cs=4)])
        rows.append([C("信息内容")] + [
            C(labels[("proactive", col)], cs=1 + (rest if i == len(cols) - 1 else 0))
            for i, col in enumerate(cols)
        ])
        for code in codes:
            rows.append([C(labels[("proactive", code)])] + [
                C(printed(values[("proactive", code, col)]),
                  cs=1 + (rest if i == len(cols) - 1 else 0), value=True)
                for i, col in enumerate(cols)
            ])
    return rows


def requests_rows(values: dict[Cell, float], template: str = "2021") -> list[list[C]]:
    """The requests table: 3 label columns + 7 value columns, 3-row header, stacked row labels."""
    book = codebook("requests", template=template)
    labels = _labels(template)
    cols = list(book[book["axis"] == "col"].sort_values("order")["code"])
    rows_book = book[book["axis"] == "row"].sort_values("order")
    groups = {r.code: r.label_zh for r in book[book["axis"] == "group"].itertuples()}
    parent = dict(zip(rows_book["code"], rows_book["parent"], strict=True))
    in_results = [c for c, p in parent.items() if p == "results" or (p in groups and p != "results")]
    rows: list[list[C]] = [
        [C(NOTE, rs=3, cs=3), C("申请人情况", cs=7)],
        [C("自然人", rs=2), C("法人或其他组织", cs=5), C("总计", rs=2)],
        [C(labels[("requests", c)]) for c in cols[1:6]],
    ]
    seen_groups: set[str] = set()
    for code in rows_book["code"]:
        cells: list[C] = []
        group = parent[code]
        if code == in_results[0]:
            cells.append(C(groups["results"], rs=len(in_results)))
        if group == "":
            cells.append(C(labels[("requests", code)], cs=3))
        elif group == "results":
            cells.append(C(labels[("requests", code)], cs=2))
        else:
            if group not in seen_groups:
                seen_groups.add(group)
                size = sum(1 for p in parent.values() if p == group)
                cells.append(C(groups[group], rs=size))
            cells.append(C(labels[("requests", code)]))
        cells += [C(printed(values[("requests", code, col)]), value=True) for col in cols]
        rows.append(cells)
    return rows


def appeals_rows(values: dict[Cell, float]) -> list[list[C]]:
    """The appeals table: 4 rows, the 15 numbers in the last."""
    blocks = ["review", "litigation_direct", "litigation_after_review"]
    cols = ["upheld", "corrected", "other", "pending", "total"]
    return [
        [C("行政复议", cs=5), C("行政诉讼", cs=10)],
        [C(s, rs=2) for s in _APPEAL_SUBS] + [C("未经复议直接起诉", cs=5), C("复议后起诉", cs=5)],
        [C(s) for s in _APPEAL_SUBS * 2],
        [C(printed(values[("appeals", b, c)]), value=True) for b in blocks for c in cols],
    ]


def report_parts(values: dict[Cell, float], template: str = "2021", year: int = 2025, *,
                 narrative: dict[str, list[str]] | None = None) -> list[tuple[str, object]]:
    """The report in order: ("p", text) paragraphs, ("h", heading) and ("table", rows).

    ``narrative`` (section key of :data:`HEADINGS` → paragraphs) adds paragraphs to sections: after
    the fixture's own paragraph under overview, problems and other, right after the heading (before
    the table) under proactive, requests and appeals. Without it the parts are the fixed ones.
    """
    extra = narrative or {}
    unknown = set(extra) - set(HEADINGS)
    if unknown:
        raise ValueError(f"narrative for unknown sections: {sorted(unknown)}")

    def more(key: str) -> list[tuple[str, object]]:
        return [("p", paragraph) for paragraph in extra.get(key, ())]

    return [
        ("p", f"本报告根据《中华人民共和国政府信息公开条例》编制。本报告所列数据统计期限为{year}年1月1日"
              f"至{year}年12月31日。"),
        ("h", HEADINGS["overview"]),
        ("p", f"{year}年，{AGENCY}持续深化政府信息公开。（一）主动公开方面。全年主动公开政府信息7700余条。"),
        *more("overview"),
        ("h", HEADINGS["proactive"]),
        *more("proactive"),
        ("table", proactive_rows(values, template)),
        ("h", HEADINGS["requests"]),
        *more("requests"),
        ("table", requests_rows(values, template)),
        ("h", HEADINGS["appeals"]),
        *more("appeals"),
        ("table", appeals_rows(values)),
        ("h", HEADINGS["problems"]),
        ("p", "一是公开质量有待提高。下一步，我区将持续改进。"),
        *more("problems"),
        ("h", HEADINGS["other"]),
        ("p", f"{year}年，无收取信息处理费情况。"),
        *more("other"),
    ]


# -- HTML ------------------------------------------------------------------------------------


def _html_label(text: str, *, split: bool) -> str:
    """A label as CMS pages print it: pieces in <p> padded with &nbsp; runs, <br/> for line breaks,
    and one word split over a <span> (服<span>务</span>, pingtan_2024.html)."""
    text = html.escape(text).replace("\n", "<br/>").replace("服务", "服<span>务</span>")
    if not split or len(text) <= 4 or "<" in text:
        return f"<p>{text}</p>"
    pieces = [text[i:i + 3] for i in range(0, len(text), 3)]
    return "".join(f"<p>{p}&nbsp; &nbsp; &nbsp;</p>" for p in pieces)


def _html_number(text: str) -> str:
    """Digits split across runs as Word-exported HTML writes them: <span>1</span><font>234</font>."""
    if len(text) < 2:
        return f'<p><span lang="EN-US">{text}</span></p>'
    return f'<p><span lang="EN-US">{text[:1]}</span><font face="Times">{text[1:]}</font></p>'


def html_table(rows: list[list[C]], *, split_labels: bool = True) -> str:
    """A <table> with rowspan/colspan, no <th> (as the Pingtan pages have none)."""
    out = ['<table border="1" cellspacing="0"><tbody>']
    for row in rows:
        out.append("<tr>")
        for cell in row:
            attrs = (f' rowspan="{cell.rs}"' if cell.rs > 1 else "") + (
                f' colspan="{cell.cs}"' if cell.cs > 1 else "")
            inner = _html_number(cell.text) if cell.value else _html_label(cell.text,
                                                                            split=split_labels)
            out.append(f'<td{attrs} valign="center">{inner}</td>')
        out.append("</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def cms_page(values: dict[Cell, float], template: str = "2021", *, year: int = 2025,
             page_date: str = "2026-03-10 12:56",
             narrative: dict[str, list[str]] | None = None) -> str:
    """A TRS-style CMS page: site chrome around div.TRS_Editor, the title only in the chrome.
    ``narrative``: extra paragraphs per section, as :func:`report_parts` takes them."""
    title = f"{AGENCY}{year}年度政府信息公开工作年度报告"
    body = []
    for kind, content in report_parts(values, template, year, narrative=narrative):
        if kind == "table":
            body.append(html_table(content))  # type: ignore[arg-type]
        elif kind == "h":
            body.append(f'<p style="text-indent: 2em;"><strong>\u00a0{html.escape(str(content))} '
                        "</strong></p>")
        else:
            body.append(f'<p style="text-indent: 2em;"><span>{html.escape(str(content))}</span></p>')
    chrome_table = (
        "<table><tr><td>网站访问量</td><td>123456</td></tr><tr><td>今日访问</td><td>789</td></tr>"
        "</table>"
    )
    return f"""<!DOCTYPE html>
<html><head>
<meta charset="utf-8" name="viewport" content="width=device-width, initial-scale=1.0" />
<meta name="SiteName" content="{AGENCY}党工委管委会"/>
<meta name="ArticleTitle" content="{title}"/>
<meta name="PubDate" content="{page_date}"/>
<title>{title}_政府信息公开年报_{AGENCY}党工委管委会</title>
<style>.article_title {{ font-size: 20px; }}</style>
<script>var nav = "一、总体情况";</script>
</head><body>
<div class="header"><a href="/">首页</a> <a href="/zwgk">政务公开</a> 当前位置：首页 &gt; 政府信息公开年报</div>
<div class="article">
  <div class="article_title_group"><div class="article_title">
      {title}
  </div></div>
  <div class="article_info"><span class="article_time">时间：{page_date}</span>
  <span class="article_source">来源：{AGENCY}管委会办公室</span></div>
  <div class="article_content"><div class="TRS_Editor">
{chr(10).join(body)}
  </div></div>
</div>
<div class="footer"><h3>新媒体矩阵</h3>{chrome_table}<p>主办：{AGENCY}管委会办公室 版权所有</p></div>
</body></html>
"""


def word_page(values: dict[Cell, float], template: str = "2021", *, year: int = 2025,
              signed: str = "2026年1月20日", narrative: dict[str, list[str]] | None = None) -> str:
    """A Word "save as web page" file: no CMS container, MsoNormal paragraphs, source lines wrapped
    inside Chinese text, digits split over runs, title and signature in the body.
    ``narrative``: extra paragraphs per section, as :func:`report_parts` takes them."""
    body = [f'<p class=MsoNormal align=center><b><span style="font-family:黑体">{AGENCY}{year}年度'
            "政府信息公开工作年度报告</span></b></p>"]
    for kind, content in report_parts(values, template, year, narrative=narrative):
        if kind == "table":
            body.append(html_table(content, split_labels=False))  # type: ignore[arg-type]
        else:
            text = html.escape(str(content))
            # Word wraps long source lines, also between two Chinese characters.
            wrapped = text[:6] + "\n" + text[6:] if len(text) > 8 else text
            body.append(f'<p class=MsoNormal><span style="font-family:宋体">{wrapped}</span>'
                        "<o:p></o:p></p>")
    body.append(f"<p class=MsoNormal align=right><span>{AGENCY}管委会</span></p>")
    body.append(f"<p class=MsoNormal align=right><span>{signed}</span></p>")
    return f"""<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">
<head>
<meta http-equiv=Content-Type content="text/html; charset=gb2312">
<meta name=Generator content="Microsoft Word 15">
<!--[if gte mso 9]><xml><w:WordDocument><w:View>Print</w:View></w:WordDocument></xml><![endif]-->
<style>p.MsoNormal {{ margin:0cm; }}</style>
</head>
<body lang=ZH-CN>
<div class=WordSection1>
{chr(10).join(body)}
</div>
</body>
</html>
"""


# -- DOCX ------------------------------------------------------------------------------------


def docx_bytes(values: dict[Cell, float], template: str = "2021", *, year: int = 2025,
               narrative: dict[str, list[str]] | None = None) -> bytes:
    """A .docx report with real merged cells (gridSpan, vMerge), labels split over runs and
    paragraphs, line breaks inside header cells and numbers split over two runs.
    ``narrative``: extra paragraphs per section, as :func:`report_parts` takes them."""
    import docx

    document = docx.Document()
    document.add_paragraph(f"{AGENCY}{year}年度政府信息公开工作年度报告")
    for kind, content in report_parts(values, template, year, narrative=narrative):
        if kind == "table":
            _docx_table(document, content)  # type: ignore[arg-type]
        else:
            document.add_paragraph(str(content))
    document.add_paragraph(f"{AGENCY}管委会")
    document.add_paragraph(f"{year + 1}年1月20日")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_table(document: object, rows: list[list[C]]) -> None:
    width = sum(cell.cs for cell in rows[0]) + 0  # the first row of every table spans it all
    table = document.add_table(rows=len(rows), cols=width)  # type: ignore[attr-defined]
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            target = table.cell(r, c)
            if cell.rs > 1 or cell.cs > 1:
                target = target.merge(table.cell(r + cell.rs - 1, c + cell.cs - 1))
            for dr in range(cell.rs):
                for dc in range(cell.cs):
                    taken.add((r + dr, c + dc))
            _docx_fill(target, cell)
            c += cell.cs


def _docx_fill(target: object, cell: C) -> None:
    paragraph = target.paragraphs[0]  # type: ignore[attr-defined]
    if cell.value:
        # Numbers split over two runs, as Word does after an edit ("1" + "234").
        paragraph.add_run(cell.text[:1])
        if len(cell.text) > 1:
            paragraph.add_run(cell.text[1:])
        return
    first, _, second = cell.text.partition("\n")
    if second and first.startswith("结果"):
        # Appeals sub-heads: one paragraph with a line break, "结果<w:br/>纠正".
        paragraph.add_run(first).add_break()
        paragraph.add_run(second)
    elif second:
        paragraph.add_run(first)
        target.add_paragraph(second)  # type: ignore[attr-defined]
    elif cell.text in ("商业企业", "科研机构"):
        # Two paragraphs in one cell (template_2021_blank.docx: "商业" / "企业").
        paragraph.add_run(cell.text[:2])
        target.add_paragraph(cell.text[2:])  # type: ignore[attr-defined]
    else:
        # Labels split over runs mid-word ("本年|制发件数", template_2021_blank.docx).
        middle = len(cell.text) // 2
        paragraph.add_run(cell.text[:middle])
        paragraph.add_run(cell.text[middle:])
