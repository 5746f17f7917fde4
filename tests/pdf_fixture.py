"""Build report PDFs inside the tests: a text layer, ruled tables, real-world layout quirks.

matplotlib's PDF backend writes the text (Noto Sans CJK from the ``noto-cjk-sans-otc`` package,
embedded as Type 42 so the text layer maps back to Unicode) and every table cell as a ruled
rectangle, which is what pdfplumber finds tables by. The layout copies what the corpus PDFs
(hongze_2023, huaian_2024) do: the title on two lines, a page number "- N -" at the foot of each
page, the requests table crossing a page break, labels wrapped inside their cells, header words
split one part per line ("商业\\n企业"), sub-items written "1、", group labels in a column of their
own, and the appeals numbers in one row under a three-row header. Narrative paragraphs, when given,
are indented and wrapped at the right margin as a word processor prints them, over page breaks.
"""

from __future__ import annotations

import importlib.metadata
import io
import re
from collections.abc import Callable, Sequence
from functools import cache

from distinct import Cell, _printed

from govdisclosure.codebook import codebook, template_cells

W, H = 595.0, 842.0  # A4 in points
LEFT, RIGHT, TOP, BOTTOM = 70.0, 525.0, 70.0, 780.0
LINE = 15.0  # height of one text line in a cell
FONT = "Noto Sans CJK SC"
BODY = 10.5  # body text size: 43 CJK characters fill LEFT..RIGHT
INDENT = 2 * BODY  # a paragraph's first line, as reports indent it by two characters
# What a printed line must not start with inside a paragraph: numbering ("五、", "（二）", "3.",
# "第…") keeps a line apart when the reader rejoins wrapped lines, and a short one could pass for
# a heading.
_ITEM_START = re.compile(r"^(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]"
                         r"|\d+\s*[、.．]|第[一二三四五六七八九十\d]+|[①②③④⑤⑥⑦⑧⑨⑩])")

# Requests labels as the corpus PDFs print them: wrapped, with "1、" in （六）.
_WRAPPED = {
    "partly_granted": "（二）部分公开（区分处理的，只计这一情\n形，不计其他情形）",
    "other_no_correction": "1、申请人无正当理由逾期不补正、\n行政机关不再处理其政府信息公开申请",
    "other_no_fee": "2、申请人逾期未按收费通知要求缴纳\n费用、行政机关不再处理其政府信息公开申请",
    "other_other": "3、其他",
    "rejected_confirmation": "5.要求行政机关确认或重新出具\n已获取信息",
}
# Group labels wrapped in their narrow column, as huaian_2024 prints them.
_GROUP_OF = {"withheld": "（三）不\n予公开", "unavailable": "（四）无\n法提供",
             "rejected": "（五）不\n予处理", "other_processing": "（六）其\n他处理"}


def _font_path() -> str:
    dist = importlib.metadata.distribution("noto-cjk-sans-otc")
    ttc = next(f for f in dist.files or () if str(f).endswith(".ttc"))
    return str(ttc.locate())


class _Page:
    """One page being drawn, in points from the top-left corner."""

    def __init__(self, number: int, ruled: bool = True) -> None:
        from matplotlib.figure import Figure  # no pyplot: the tests' backend stays untouched

        self.fig = Figure(figsize=(W / 72, H / 72))
        self.ruled = ruled
        self.y = TOP
        self.number = number

    def text(self, x: float, y: float, s: str, size: float = 10.5, **kw) -> None:
        self.fig.text(x / W, 1 - y / H, s, family=FONT, fontsize=size, va="center",
                      linespacing=1.2, **kw)

    def para(self, s: str, size: float = 10.5) -> None:
        self.text(LEFT, self.y + 8, s, size)
        self.y += 20 * (s.count("\n") + 1)

    def rect(self, x0: float, y0: float, x1: float, y1: float) -> None:
        from matplotlib.lines import Line2D

        xs = [x0 / W, x1 / W, x1 / W, x0 / W, x0 / W]
        ys = [1 - y0 / H, 1 - y0 / H, 1 - y1 / H, 1 - y1 / H, 1 - y0 / H]
        self.fig.add_artist(Line2D(xs, ys, color="black", linewidth=0.6))

    def cell(self, x0: float, y0: float, x1: float, y1: float, s: str) -> None:
        if self.ruled:
            self.rect(x0, y0, x1, y1)
        if s:
            self.text(x0 + 3, (y0 + y1) / 2, s, size=8)

    def footer(self) -> None:
        # Printed at the foot; pypdfium2 returns it as the page's first line (NOTES_other.md).
        self.text(W / 2 - 12, H - 40, f"- {self.number} -", size=9)


@cache
def _register_font() -> None:
    from matplotlib import font_manager

    font_manager.fontManager.addfont(_font_path())


@cache
def _advance(ch: str) -> float:
    """The width of one character at body size, in points, as the PDF backend lays it out."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    _register_font()  # measured in the font the page is drawn in, not a fallback
    return TextToPath().get_text_width_height_descent(ch, FontProperties(family=FONT, size=BODY),
                                                      ismath=False)[0]


def wrap(paragraph: str, first_indent: float = INDENT) -> list[str]:
    """Break a paragraph into printed lines that fill LEFT..RIGHT (the first after an indent), as a
    word processor does: anywhere between two characters, but never so that a line starts with
    item numbering."""
    text = " ".join(paragraph.split())
    lines: list[str] = []
    start, width, room = 0, 0.0, RIGHT - LEFT - first_indent
    for i, ch in enumerate(text):
        advance = _advance(ch)
        if width + advance > room and i > start:
            end = i
            while end - 1 > start and _ITEM_START.match(text[end:]):
                end -= 1  # carry a character over, so the next line does not open with "五、"
            lines.append(text[start:end])
            start, room = end, RIGHT - LEFT
            width = sum(_advance(c) for c in text[start:i])
        width += advance
    lines.append(text[start:])
    return [line for line in lines if line.strip()]


def _paragraphs(pages: list[_Page], new_page: Callable[[], _Page], paragraphs: Sequence[str]) -> None:
    """Draw paragraphs wrapped at the right margin; a line that does not fit goes over the page."""
    page = pages[-1]
    for paragraph in paragraphs:
        for i, line in enumerate(wrap(paragraph)):
            if page.y + 20 > BOTTOM:
                page = new_page()
            page.text(LEFT + (INDENT if i == 0 else 0), page.y + 8, line, BODY)
            page.y += 20


def _keep_together(pages: list[_Page], new_page: Callable[[], _Page], height: float) -> None:
    """Start a new page unless ``height`` points still fit on the current one."""
    if pages[-1].y + height > BOTTOM:
        new_page()


def _heading(pages: list[_Page], new_page: Callable[[], _Page], s: str) -> None:
    """A heading line, on a new page when it and the line after it no longer fit."""
    _keep_together(pages, new_page, 40)
    pages[-1].para(s)


def _table(pages: list[_Page], new_page: Callable[[], _Page], xs: Sequence[float],
           rows: Sequence[tuple[float, Sequence[tuple[int, int, str]]]]) -> None:
    """Draw rows of cells (first col, last col, text); a row that does not fit goes over the page."""
    page = pages[-1]
    for height, cells in rows:
        if page.y + height > BOTTOM:
            page = new_page()
        for first, last, s in cells:
            page.cell(xs[first], page.y, xs[last + 1], page.y + height, s)
        page.y += height
    page.y += 12


def build_report_pdf(values: dict[Cell, float], template: str = "2021", *,
                     ruled: bool = True, narrative: dict[str, list[str]] | None = None) -> bytes:
    """A complete 2021-format report as PDF bytes, its table cells taken from ``values``.

    ``ruled=False`` leaves out every table line, as PDFs exported without cell borders do.
    ``narrative`` (section key → paragraphs, the keys of ``fixtures_build.HEADINGS``) adds
    paragraphs, indented and wrapped at the right margin, over as many pages as they take: after
    the fixed paragraph of overview, problems and other, between the heading and the table of
    proactive, requests and appeals. Tables are kept off a page break, except the long requests
    table, which always had one.
    """
    extra = narrative or {}
    unknown = set(extra) - {"overview", "proactive", "requests", "appeals", "problems", "other"}
    if unknown:
        raise ValueError(f"narrative for unknown sections: {sorted(unknown)}")
    import matplotlib
    from matplotlib.backends.backend_pdf import PdfPages

    _register_font()
    pages: list[_Page] = []

    def new_page() -> _Page:
        pages.append(_Page(len(pages) + 1, ruled))
        return pages[-1]

    def v(table: str, row: str, col: str) -> str:
        return _printed(values[(table, row, col)])

    page = new_page()
    page.text(W / 2 - 50, page.y, "测试县人民政府", size=16)
    page.text(W / 2 - 130, page.y + 28, "2024 年政府信息公开工作年度报告", size=16)
    page.y += 70
    page.para("本报告根据《中华人民共和国政府信息公开条例》编制，所列数据的统计期限自 2024 年 1 月 1 日\n"
              "起至 2024 年 12 月 31 日止。")
    page.para("一、总体情况")
    page.para("（一）主动公开情况。全年主动公开政府信息 1136 条。")
    _paragraphs(pages, new_page, extra.get("overview", ()))
    _heading(pages, new_page, "二、主动公开政府信息情况")
    _paragraphs(pages, new_page, extra.get("proactive", ()))

    # Proactive: four blocks, each a spanning heading row, a header row and its rows.
    xs = [LEFT, LEFT + 150, LEFT + 250, LEFT + 350, RIGHT]
    book = codebook("proactive", template=template)
    col_zh = dict(zip(book["code"], book["label_zh"], strict=True))
    rows_zh = dict(zip(book["code"], book["label_zh"], strict=True))
    cells = template_cells("proactive", template)
    blocks = [("第二十条第（一）项", ["rules", "normative_documents"]),
              ("第二十条第（五）项", ["licensing"]),
              ("第二十条第（六）项", ["penalty", "coercion"]),
              ("第二十条第（八）项", ["fees"])]
    table_rows = []
    for head, codes in blocks:
        cols = list(cells[cells["row"] == codes[0]]["col"])
        table_rows.append((LINE + 4, [(0, 3, head)]))
        span = [(1 + i, 1 + i, col_zh[c]) for i, c in enumerate(cols)]
        if len(cols) == 1:
            span = [(1, 3, col_zh[cols[0]])]
        table_rows.append((LINE + 4, [(0, 0, "信息内容"), *span]))
        for code in codes:
            vals = [(1 + i, 1 + i, v("proactive", code, c)) for i, c in enumerate(cols)]
            if len(cols) == 1:
                vals = [(1, 3, v("proactive", code, cols[0]))]
            table_rows.append((LINE + 4, [(0, 0, rows_zh[code]), *vals]))
    _keep_together(pages, new_page, sum(height for height, _cells in table_rows))
    _table(pages, new_page, xs, table_rows)

    # Requests: group column, label column, seven value columns; crosses a page break.
    _heading(pages, new_page, "三、收到和处理政府信息公开申请情况")
    _paragraphs(pages, new_page, extra.get("requests", ()))
    xs = [LEFT, LEFT + 45, LEFT + 215] + [LEFT + 215 + 34.3 * i for i in range(1, 8)]
    book = codebook("requests", template=template)
    rows = book[book["axis"] == "row"].sort_values("order")
    applicant_cols = ["natural_person", "business", "research", "nonprofit", "legal_service",
                      "other_org", "total"]
    table_rows = [
        (LINE * 2, [(0, 1, "（本列数据的勾稽关系为：第一项加第二项之和，\n等于第三项加第四项之和）"),
                    (2, 8, "申请人情况")]),
        (LINE * 3, [(0, 1, ""), (2, 2, "自然人"), (3, 3, "商业\n企业"), (4, 4, "科研\n机构"),
                    (5, 5, "社会\n公益\n组织"), (6, 6, "法律\n服务\n机构"), (7, 7, "其他"),
                    (8, 8, "总计")]),
    ]
    seen_groups: set[str] = set()
    for r in rows.itertuples():
        label = _WRAPPED.get(r.code, r.label_zh)
        height = LINE * (label.count("\n") + 1) + 4
        nums = [(2 + i, 2 + i, v("requests", r.code, c)) for i, c in enumerate(applicant_cols)]
        if r.parent in _GROUP_OF:
            group = _GROUP_OF[r.parent] if r.parent not in seen_groups else ""
            seen_groups.add(r.parent)
            table_rows.append((height, [(0, 0, group), (1, 1, label), *nums]))
        else:
            table_rows.append((height, [(0, 1, label), *nums]))
    _keep_together(pages, new_page, sum(height for height, _cells in table_rows[:5]))  # its header
    _table(pages, new_page, xs, table_rows)

    # Appeals: three header rows, then one row of fifteen numbers.
    page = pages[-1]
    if page.y + 140 > BOTTOM:
        page = new_page()
    page.para("四、政府信息公开行政复议、行政诉讼情况")
    _paragraphs(pages, new_page, extra.get("appeals", ()))
    xs = [LEFT + 30.3 * i for i in range(16)]
    heads = ["结果\n维持", "结果\n纠正", "其他\n结果", "尚未\n审结", "总计"]
    appeal_rows = [("review", 0), ("litigation_direct", 5), ("litigation_after_review", 10)]
    table_rows = [
        (LINE, [(0, 4, "行政复议"), (5, 14, "行政诉讼")]),
        (LINE * 2, [*((i, i, h) for i, h in enumerate(heads)), (5, 9, "未经复议直接起诉"),
                    (10, 14, "复议后起诉")]),
        (LINE * 2, [*((5 + i, 5 + i, h) for i, h in enumerate(heads)),
                    *((10 + i, 10 + i, h) for i, h in enumerate(heads))]),
        (LINE + 4, [(first + i, first + i, v("appeals", code, c))
                    for code, first in appeal_rows
                    for i, c in enumerate(["upheld", "corrected", "other", "pending", "total"])]),
    ]
    _keep_together(pages, new_page, sum(height for height, _cells in table_rows))
    _table(pages, new_page, xs, table_rows)

    _heading(pages, new_page, "五、存在的主要问题及改进情况")
    pages[-1].para("一是依申请公开答复质量有待提高。二是政策解读形式较为单一。")
    _paragraphs(pages, new_page, extra.get("problems", ()))
    _heading(pages, new_page, "六、其他需要报告的事项")
    pages[-1].para("本年度收取信息处理费 0 元。")
    _paragraphs(pages, new_page, extra.get("other", ()))
    _keep_together(pages, new_page, 40)
    page = pages[-1]
    page.text(RIGHT - 120, page.y + 10, "测试县人民政府")
    page.text(RIGHT - 120, page.y + 30, "2025年1月20日")

    buffer = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(buffer) as pdf:
        for p in pages:
            p.footer()
            pdf.savefig(p.fig)
    return buffer.getvalue()


def build_scanned_pdf(pages: int = 2) -> bytes:
    """A PDF whose pages are images only, like a scan: no text layer at all."""
    import numpy as np
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    rng = np.random.default_rng(0)
    buffer = io.BytesIO()
    with PdfPages(buffer) as pdf:
        for _ in range(pages):
            fig = Figure(figsize=(W / 72, H / 72))
            fig.figimage(rng.random((200, 150)), xo=50, yo=50, cmap="gray")
            pdf.savefig(fig)
    return buffer.getvalue()


# The padding string of the PDF standard security handler (ISO 32000-1, 7.6.3.3).
_PAD = bytes.fromhex(
    "28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A"
)


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out, i, j = bytearray(), 0, 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def build_encrypted_pdf(user_password: bytes = b"secret") -> bytes:
    """A one-page PDF encrypted with 40-bit RC4 (revision 2) that needs ``user_password`` to open.

    Written by hand because no library installed here writes encrypted PDFs; the algorithms are
    those of ISO 32000-1 §7.6.3 (algorithms 2, 3 and 4).
    """
    import hashlib

    doc_id = hashlib.md5(b"govdisclosure-test").digest()
    permissions = -4
    owner_key = hashlib.md5((b"owner" + _PAD)[:32]).digest()[:5]
    o_entry = _rc4(owner_key, (user_password + _PAD)[:32])
    key = hashlib.md5((user_password + _PAD)[:32] + o_entry
                      + permissions.to_bytes(4, "little", signed=True) + doc_id).digest()[:5]
    u_entry = _rc4(key, _PAD)

    def encrypt(num: int, data: bytes) -> bytes:
        obj_key = hashlib.md5(key + num.to_bytes(3, "little") + b"\0\0").digest()[:10]
        return _rc4(obj_key, data)

    content = encrypt(4, b"BT /F1 24 Tf 72 720 Td (Annual report) Tj ET")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <" + o_entry.hex().encode() + b"> /U <"
        + u_entry.hex().encode() + b"> /P %d >>" % permissions,
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for num, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % num + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 6 0 R /ID [<%s> <%s>] >>\n"
            % (len(objects) + 1, doc_id.hex().encode(), doc_id.hex().encode()))
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)
