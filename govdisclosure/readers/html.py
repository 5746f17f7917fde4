"""Reader for HTML pages (.html, .htm, .shtml, .mht): saved government web pages, Word-exported HTML.

A saved report page is mostly site chrome (menus, breadcrumbs, footers): on pingtan_2025.html the
chrome is twice as long as the report. The reader finds the report body, turns it into text with
one paragraph per line, and lays each statistics ``<table>`` out on its full grid (merged cells
handled as in :mod:`govdisclosure.readers.markup`). Facts found only in the chrome — the page
title and the web publication date — go into ``Source.meta``; they are not printed in the report.
"""

from __future__ import annotations

import email
import email.policy
import re

import lxml.html
from lxml import etree

from govdisclosure.errors import ExtractionError
from govdisclosure.readers.decode import decode_text
from govdisclosure.readers.markup import (
    MAX_ROWSPAN,
    SpanCell,
    TextBuilder,
    is_layout_grid,
    join_pieces,
    lay_out,
)
from govdisclosure.readers.source import Source

__all__ = ["find_body", "read_html"]

# Containers that CMS templates put the report body in, most specific first. Pingtan's TRS pages
# put it in div.TRS_Editor inside div.article_content; gov.cn-style (ucap) pages in #UCAP-CONTENT;
# many county sites in #zoom or .pages_content. Matching is on class tokens / ids, case-insensitive.
_BODY_SELECTORS: tuple[tuple[str, str], ...] = (
    ("id", "ucap-content"),
    ("class", "trs_editor"),
    ("class", "trs_ueditor"),  # TRS's newer editor: <div class="view TRS_UEDITOR trs_paper_default">
    ("class", "ucapcontent"),
    ("id", "zoom"),
    ("class", "pages_content"),
    ("class", "article_content"),
    ("class", "article-content"),
    ("class", "wordsection1"),  # Word's "save as web page": <div class=WordSection1>
)
# A selector match with less text than this is a stub (an empty editor box), not the body.
_MIN_BODY_CHARS = 50
_SKIP_TAGS = frozenset({
    "script", "style", "noscript", "template", "head", "title", "meta", "link", "iframe",
    "object", "embed", "select", "option", "button", "input", "textarea", "svg", "math", "map",
})
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "caption", "center", "dd", "details", "dialog",
    "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
    "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "li", "main", "menu", "nav", "ol", "p",
    "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all", re.I)
# Charset in the first bytes: <meta charset="utf-8" name="viewport" …> (pingtan_2025.html shares one
# tag between charset and viewport), <meta http-equiv content="text/html; charset=gb2312">, or an
# XML declaration.
_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
# A MIME web archive starts with mail-style headers, one of them MIME-Version or Content-Type.
_MIME_HEAD = re.compile(rb"^(?:[A-Za-z-]+:[^\n]*\r?\n(?:[ \t][^\n]*\r?\n)*)*?"
                        rb"(?:MIME-Version|Content-Type):", re.I)
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_TITLE_META = ("articletitle", "title", "og:title")
_DATE_META = ("pubdate", "publishdate", "firstpublishedtime", "publishtime", "og:release_date")
_TITLE_CLASSES = ("article_title", "article-title", "pages-title", "detail-title")
_DATE_CLASSES = ("article_time", "article-time", "pages-date", "pubdate")


def read_html(data: bytes, *, source_format: str = "html", name: str = "<bytes>") -> Source:
    """Decode an HTML page, find the report body and return its text and table grids.

    Args:
        data: The file's bytes.
        source_format: ``"html"``.
        name: The file name, for error messages.

    Returns:
        The body text (one paragraph or table row per line, table cells separated by tabs), the
        grids of the statistics tables, and ``meta`` with ``encoding``, ``title`` (from the page
        chrome, used when the body prints none), ``page_title``, ``page_date`` (the web publication
        date, ``YYYY-MM-DD``; not the date printed in the report), ``site_name`` and ``body``
        (how the body was found) when present.

    Raises:
        ExtractionError: The bytes are empty, binary or undecodable, or the page has no text.
    """
    declared = None
    if _MIME_HEAD.match(data[:4096]):
        data, declared = mhtml_html_part(data, name=name)
    text, encoding = decode_text(data, name=name, declared=declared or declared_charset(data))
    root = parse_html(text, name=name)
    body, how = find_body(root)
    builder = TextBuilder()
    _walk(body, builder)
    body_text = builder.text()
    if not body_text.strip():
        raise ExtractionError(
            f"{name}: the HTML page has no visible text; if the report is an attachment "
            "(PDF, DOCX) linked from the page, download and read the attachment instead."
        )
    meta: dict[str, object] = {"encoding": encoding, "body": how}
    meta.update(_page_facts(root))
    # The chrome title stands in for a title the body does not print (pingtan_2025.html), but only
    # when it names a report: Word-exported pages carry titles such as "Microsoft Word - 1.doc".
    page_title = str(meta.get("page_title", ""))
    if "报告" in page_title or "年报" in page_title:
        meta["title"] = page_title
    return Source(text=body_text, grids=tuple(builder.grids), source_format=source_format,
                  meta=meta)


def mhtml_html_part(data: bytes, *, name: str = "<bytes>") -> tuple[bytes, str | None]:
    """The HTML of a single-file web page (.mht/.mhtml, Word's and IE's "单个文件网页").

    Returns:
        The first ``text/html`` part, transfer-decoded (quoted-printable, base64), and the charset
        its MIME header declares.

    Raises:
        ExtractionError: The archive holds no HTML part.
    """
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload.strip():
                return payload, part.get_content_charset()
    raise ExtractionError(f"{name}: the web archive (MHTML) contains no HTML page.")


def declared_charset(data: bytes) -> str | None:
    """The charset the page declares, unless the bytes are valid UTF-8.

    A page that decodes as UTF-8 is UTF-8 whatever it declares: CMS templates keep a stale
    ``charset=gb2312`` after the site moved to UTF-8, and GB18030 would "decode" those bytes into
    mojibake without an error. Real GBK text is practically never valid UTF-8.
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    head = data[:4096]
    match = _XML_ENCODING.match(head) or _CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


def parse_html(text: str, *, name: str = "<bytes>") -> lxml.html.HtmlElement:
    """Parse page text with lxml's HTML parser: no network, no huge trees, comments dropped.

    libxml2's HTML parser does not expand entities declared in a DTD, so entity-expansion bombs
    ("billion laughs") stay inert; ``huge_tree=False`` keeps libxml2's depth and size limits.
    """
    parser = lxml.html.HTMLParser(
        remove_comments=True, remove_pis=True, no_network=True, huge_tree=False,
        default_doctype=False,
    )
    # lxml refuses str input that carries an XML encoding declaration; the text is decoded already.
    text = _XML_DECL.sub("", text, count=1)
    try:
        return lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"{name}: the HTML could not be parsed ({exc}).") from exc


def find_body(root: lxml.html.HtmlElement) -> tuple[lxml.html.HtmlElement, str]:
    """The element holding the report body, and how it was found.

    Known CMS containers first (``_BODY_SELECTORS``); otherwise the element whose own paragraphs
    hold the most text (the readability idea), which finds Word-exported pages and unknown CMSs.
    """
    # Only elements that carry the attribute at all, found by libxml2's XPath in C: walking
    # every element once per selector from Python was most of an HTML page's reading time.
    carriers = {attr: [(el, _attr_tokens(el, attr)) for el in root.xpath(f"//*[@{attr}]")]
                for attr in {attr for attr, _ in _BODY_SELECTORS}}
    lengths: dict[lxml.html.HtmlElement, int] = {}
    for attr, value in _BODY_SELECTORS:
        found = [el for el, tokens in carriers[attr] if value in tokens]
        for el in found:
            if el not in lengths:
                lengths[el] = _visible_len(el)
        found = [el for el in found if lengths[el] >= _MIN_BODY_CHARS]
        if found:
            best = max(found, key=lengths.__getitem__)
            return best, f"{attr}={value}"
    best_el, best_score = root, -1
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in _SKIP_TAGS:
            continue
        score = _own_paragraph_chars(el)
        if score > best_score:
            best_el, best_score = el, score
    return best_el, "densest"


def _attr_tokens(el: lxml.html.HtmlElement, attr: str) -> list[str]:
    raw = (el.get(attr) or "").lower()
    return raw.split() if attr == "class" else [raw.strip()]


def _visible_len(el: lxml.html.HtmlElement) -> int:
    total = 0
    for node in el.iter():
        if not isinstance(node.tag, str) or node.tag in _SKIP_TAGS:
            continue
        total += len((node.text or "").strip())
        if node is not el:
            total += len((node.tail or "").strip())
    return total


def _own_paragraph_chars(el: lxml.html.HtmlElement) -> int:
    """Text in an element's direct children that are paragraphs, tables or inline text."""
    total = len((el.text or "").strip())
    for child in el:
        if not isinstance(child.tag, str):
            continue
        if child.tag in ("p", "table", "h1", "h2", "h3", "h4", "h5", "h6", "span", "font",
                         "strong", "b", "center", "ul", "ol", "blockquote", "pre"):
            total += len(child.text_content().strip())
        total += len((child.tail or "").strip())
    return total


def _hidden(el: lxml.html.HtmlElement) -> bool:
    return el.get("hidden") is not None or bool(_HIDDEN_STYLE.search(el.get("style") or ""))


def _walk(el: lxml.html.HtmlElement, out: TextBuilder) -> None:
    """Write an element's visible text: blocks on their own lines, tables as grids."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _SKIP_TAGS or _hidden(el):
        return
    if tag == "br":
        out.newline()
        return
    if tag == "table" and _walk_table(el, out):
        return
    block = tag in _BLOCK_TAGS
    if block:
        out.newline()
    out.add(el.text or "")
    for child in el:
        if isinstance(child.tag, str):
            _walk(child, out)
        out.add(child.tail or "")
    if block:
        out.newline()


def _walk_table(table: lxml.html.HtmlElement, out: TextBuilder) -> bool:
    """Write a statistics table as a grid; False for layout tables (read as running text)."""
    if table.xpath(".//table"):
        return False
    trs = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
    rows = [
        [SpanCell(cell_text(td), _span(td, "rowspan"), _span(td, "colspan"))
         for td in tr if isinstance(td.tag, str) and td.tag in ("td", "th") and not _hidden(td)]
        for tr in trs
    ]
    grid = lay_out(rows)
    if is_layout_grid(grid):
        return False
    for caption in table.xpath("./caption"):
        out.newline()
        out.add(cell_text(caption))
        out.newline()
    out.grid(grid)
    return True


def _span(td: lxml.html.HtmlElement, attr: str) -> int:
    raw = td.get(attr)
    if raw is None:  # most cells: no regex for them
        return 1
    raw = raw.strip() or "1"
    match = re.match(r"\d+", raw)
    if match is None:
        return 1
    value = int(match.group())
    # rowspan="0" spans to the end of the table section (HTML spec).
    return MAX_ROWSPAN if value == 0 and attr == "rowspan" else max(value, 1)


def cell_text(td: lxml.html.HtmlElement) -> str:
    """A cell's printed text: inline pieces joined as they are, paragraphs by :func:`join_pieces`.

    Word-exported HTML splits digits over ``<span>``/``<font>`` runs (``<span>1</span><span>2</span>``
    is "12"), and CMS pages split labels over ``<p>`` pieces and even inside words
    (``服<span>务</span>``, pingtan_2024.html): inline runs join with nothing, paragraphs and
    ``<br>`` start a new piece.
    """
    if not len(td):  # a plain cell, most of a table: its text is all there is
        return join_pieces([td.text or ""])
    pieces: list[str] = [""]
    _add_inline(pieces, td.text)
    for child in td:
        if isinstance(child.tag, str):
            _visit_cell_part(child, pieces)
        _add_inline(pieces, child.tail)
    return join_pieces(pieces)


# Module functions, not closures inside cell_text: a recursive closure is a reference cycle
# (function → its cell → function) holding the cell's lxml element, so every cell of a page left
# garbage only the cyclic collector frees (2,216 objects for pingtan_2024.html's 277 cells).
def _add_inline(pieces: list[str], text: str | None) -> None:
    """Append an inline run's text to the current piece."""
    if text:
        pieces[-1] += text


def _visit_cell_part(el: lxml.html.HtmlElement, pieces: list[str]) -> None:
    """Add an element inside a cell to ``pieces``: blocks and ``<br>`` start a new piece."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _SKIP_TAGS or _hidden(el):
        return
    if tag == "br":
        pieces.append("")
        return
    block = tag in _BLOCK_TAGS
    if block:
        pieces.append("")
    _add_inline(pieces, el.text)
    for child in el:
        if isinstance(child.tag, str):
            _visit_cell_part(child, pieces)
        _add_inline(pieces, child.tail)
    if block:
        pieces.append("")


def _page_facts(root: lxml.html.HtmlElement) -> dict[str, object]:
    """Title, web date and site name from the page chrome (meta tags, title blocks)."""
    metas: dict[str, str] = {}
    for el in root.iter("meta"):
        key = (el.get("name") or el.get("property") or "").strip().lower()
        content = (el.get("content") or "").strip()
        if key and content and key not in metas:
            metas[key] = content
    facts: dict[str, object] = {}
    by_class = _first_by_class(root)
    title = _first(
        [metas.get(k, "") for k in _TITLE_META[:1]]
        + [_text_of_class(by_class, c) for c in _TITLE_CLASSES]
        + [_page_title(root)]
        + [metas.get(k, "") for k in _TITLE_META[1:]]
    )
    if title:
        facts["page_title"] = title
    date = _first(
        [_iso_date(metas.get(k, "")) for k in _DATE_META]
        + [_iso_date(_text_of_class(by_class, c)) for c in _DATE_CLASSES]
    )
    if date:
        facts["page_date"] = date
    if metas.get("sitename"):
        facts["site_name"] = metas["sitename"]
    return facts


def _first(values: list[str]) -> str:
    return next((v for v in values if v), "")


def _first_by_class(root: lxml.html.HtmlElement) -> dict[str, lxml.html.HtmlElement]:
    """The first element in document order carrying each (lower-cased) class name."""
    index: dict[str, lxml.html.HtmlElement] = {}
    for el in root.xpath("//*[@class]"):
        for cls in _attr_tokens(el, "class"):
            index.setdefault(cls, el)
    return index


def _text_of_class(by_class: dict[str, lxml.html.HtmlElement], cls: str) -> str:
    el = by_class.get(cls)
    return "" if el is None else re.sub(r"\s+", " ", el.text_content()).strip()


def _page_title(root: lxml.html.HtmlElement) -> str:
    """<title> without the site-name tail: "报告标题_栏目_站点" → "报告标题"."""
    el = root.find(".//title")
    if el is None:
        return ""
    text = re.sub(r"\s+", " ", el.text_content()).strip()
    parts: list[str] = [p.strip() for p in re.split(r"\s*[_|｜]\s*|\s+-\s+", text) if p.strip()]
    return next((p for p in parts if "报告" in p), parts[0] if parts else "")


def _iso_date(text: str) -> str:
    match = _DATE.search(text)
    if not match:
        return ""
    y, m, d = (int(g) for g in match.groups())
    if not (1 <= m <= 12 and 1 <= d <= 31):
        return ""
    return f"{y:04d}-{m:02d}-{d:02d}"
