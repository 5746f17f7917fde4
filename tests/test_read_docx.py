"""The DOCX reader on documents built inside the tests with python-docx (real merged cells)."""

from __future__ import annotations

import copy
import io
import math
import struct
import zipfile
from pathlib import Path

import docx
import pytest
from distinct import distinct_values
from docx.oxml.ns import qn
from fixtures_build import AGENCY, docx_bytes
from garbage import cyclic_garbage_left_by

import govdisclosure as gd
from govdisclosure.readers.docx import read_docx

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
SIX = ["overview", "proactive", "requests", "appeals", "problems", "other"]


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_docx_every_cell_right(template: str) -> None:
    values = distinct_values(template)
    rep = gd.read_report(docx_bytes(values, template), format="docx", name="r.docx")
    assert rep.template == template
    got = {(r.table, r.row, r.col): r.value for r in rep.tables.itertuples()}
    assert set(got) == set(values)
    wrong = {k: (got[k], v) for k, v in values.items() if not math.isclose(got[k], v)}
    assert not wrong, wrong
    errors = rep.issues[rep.issues["severity"] == "error"] if len(rep.issues) else rep.issues
    assert errors.empty, errors["message"].tolist()
    assert "duplicate_cell" not in set(rep.issues["check"])  # gridSpan values read once
    assert list(rep.sections["section"])[1:] == SIX
    assert (rep.agency, rep.year, str(rep.published)) == (f"{AGENCY}管委会", 2025, "2026-01-20")


def test_docx_merged_cells_on_the_grid() -> None:
    src = read_docx(docx_bytes(distinct_values("2021")), name="r.docx")
    proactive, requests, appeals = src.grids
    assert proactive.rows[0] == ("第二十条第（一）项", "", "", "")
    assert proactive.rows[5] == ("信息内容", "本年处理决定数量", "", "")
    # vMerge: the stub and the group labels repeat down the rows they span.
    stubs = [row[0] for row in requests.rows[5:27]]
    assert stubs == ["三、本年度办理结果"] * 22
    assert requests.rows[7][1:3] == ("（三）不予公开", "1.属于国家秘密")
    assert requests.rows[14][1] == "（三）不予公开"
    # Two paragraphs ("商业" / "企业") and a line break ("结果" <w:br/> "纠正") join into one label.
    assert requests.rows[2][4:6] == ("商业企业", "科研机构")
    assert appeals.rows[2][:2] == ("结果维持", "结果纠正")
    for grid in src.grids:
        assert src.text[grid.start:grid.end] == "\n".join("\t".join(r) for r in grid.rows)


def test_grid_before_shifts_the_row() -> None:
    """A row that starts further right (w:gridBefore) keeps its cells under their columns;
    python-docx's own cell grid would shift them left."""
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    for c, text in enumerate(["甲", "乙", "丙"]):
        table.cell(0, c).text = text
    table.cell(1, 1).text = "5"
    table.cell(1, 2).text = "6"
    tr = table.rows[1]._tr
    tr.remove(tr.tc_lst[0])
    tr_pr = tr.get_or_add_trPr()
    before = copy.deepcopy(tr_pr.makeelement(qn("w:gridBefore"), {qn("w:val"): "1"}))
    tr_pr.insert(0, before)
    buffer = io.BytesIO()
    document.save(buffer)
    src = read_docx(buffer.getvalue(), name="g.docx")
    assert src.grids[0].rows == (("甲", "乙", "丙"), ("", "5", "6"))


def test_old_word_file_named_docx_says_convert() -> None:
    with pytest.raises(gd.ExtractionError, match="soffice"):
        read_docx(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, name="old.docx")


def test_not_a_zip_raises_naming_the_file() -> None:
    with pytest.raises(gd.ExtractionError, match=r"broken\.docx"):
        read_docx(b"this is not a word file", name="broken.docx")


def test_zip_without_document_raises() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(gd.ExtractionError, match=r"z\.docx"):
        read_docx(buffer.getvalue(), name="z.docx")



def _rewritten(data: bytes, rename: dict[str, str], edit: dict[str, tuple[bytes, bytes]]) -> bytes:
    """``data`` (a package) with members renamed and bytes replaced inside members."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename in edit:
                old, new = edit[info.filename]
                assert old in body
                body = body.replace(old, new)
            dst.writestr(rename.get(info.filename, info.filename), body)
    return out.getvalue()


def test_main_document_found_through_the_package_relationships() -> None:
    """The main part is whatever ``_rels/.rels`` names (some generators write
    word/document2.xml), and the title comes from the core properties."""
    document = docx.Document(io.BytesIO(docx_bytes(distinct_values("2021"))))
    document.core_properties.title = "平潭综合实验区2025年政府信息公开工作年度报告"
    buffer = io.BytesIO()
    document.save(buffer)
    moved = _rewritten(
        buffer.getvalue(),
        rename={"word/document.xml": "word/document2.xml",
                "word/_rels/document.xml.rels": "word/_rels/document2.xml.rels"},
        edit={"_rels/.rels": (b'Target="word/document.xml"', b'Target="/word/document2.xml"'),
              "[Content_Types].xml": (b'PartName="/word/document.xml"', b'PartName="/word/document2.xml"')},
    )
    src = read_docx(moved, name="moved.docx")
    assert src.meta["doc_title"] == "平潭综合实验区2025年政府信息公开工作年度报告"
    assert src.text == read_docx(buffer.getvalue(), name="plain.docx").text
    assert len(src.grids) == 3


def test_spreadsheet_named_docx_says_it_is_not_a_word_document() -> None:
    buffer = io.BytesIO()
    ns = "http://schemas.openxmlformats.org/package/2006/relationships"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("_rels/.rels", f'<Relationships xmlns="{ns}"><Relationship Id="rId1" '
                                        f'Type="{rel}" Target="xl/workbook.xml"/></Relationships>')
        archive.writestr("xl/workbook.xml", '<workbook xmlns="http://schemas.openxmlformats.org/'
                                            'spreadsheetml/2006/main"><sheets/></workbook>')
    with pytest.raises(gd.ExtractionError, match=r"sheet\.docx: not a Word document .*'workbook'"):
        read_docx(buffer.getvalue(), name="sheet.docx")


def _damaged(data: bytes, member: str, how: str) -> bytes:
    """``data`` with ``member`` damaged: bytes flipped mid-stream ("crc"), the deflate stream's
    first bytes overwritten ("stream"), or an unknown compression method declared ("method")."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(member)
    out = bytearray(data)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)  # past the local header
    if how == "crc":
        middle = start + info.compress_size // 2
        out[middle:middle + 16] = bytes(b ^ 0xFF for b in data[middle:middle + 16])
    elif how == "stream":
        out[start:start + 8] = b"\xff" * 8
    else:
        struct.pack_into("<H", out, info.header_offset + 8, 99)  # the local header's method
        at = data.find(b"PK\x01\x02")
        while at != -1:  # and the central directory's
            if data[at + 46:at + 46 + len(info.filename)] == info.filename.encode():
                struct.pack_into("<H", out, at + 10, 99)
            at = data.find(b"PK\x01\x02", at + 4)
    return bytes(out)


@pytest.mark.parametrize(("how", "cause"), [("crc", "BadZipFile"), ("stream", "error"),
                                            ("method", "NotImplementedError")])
def test_damaged_member_raises_naming_the_file(how: str, cause: str) -> None:
    broken = _damaged(docx_bytes(distinct_values("2021")), "word/document.xml", how)
    with pytest.raises(gd.ExtractionError, match=r"damaged\.docx: not a readable \.docx file") as info:
        read_docx(broken, name="damaged.docx")
    assert type(info.value.__cause__).__name__ == cause


def _with_entities(data: bytes, depth: int) -> bytes:
    """``data`` with a DTD in document.xml declaring ``lol1`` … ``lol<depth>`` (each ten of the
    one before) and a first paragraph printing ``&lol<depth>;``."""
    dtd = '<!ENTITY lol1 "lol">' + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">'
                                            for i in range(2, depth + 1))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        head = archive.read("word/document.xml").split(b"?>", 1)[0] + b"?>"
    with_dtd = _rewritten(data, rename={}, edit={"word/document.xml": (
        head, head + f"<!DOCTYPE w:document [{dtd}]>".encode())})
    return _rewritten(with_dtd, rename={}, edit={"word/document.xml": (
        b"<w:body>", f"<w:body><w:p><w:r><w:t>&lol{depth};</w:t></w:r></w:p>".encode())})


@pytest.mark.parametrize("depth", [3, 7])
def test_entities_declared_in_the_document_are_not_expanded(depth: int) -> None:
    """A DTD in document.xml is inert: a small entity stays a reference (nothing printed), and
    an entity-expansion bomb (10^7 letters) is refused by libxml2 as the file's error."""
    data = docx_bytes(distinct_values("2021"))
    plain = read_docx(data, name="plain.docx")
    if depth == 7:
        with pytest.raises(gd.ExtractionError, match=r"bomb\.docx: not a readable \.docx file .*amplification"):
            read_docx(_with_entities(data, depth), name="bomb.docx")
        return
    src = read_docx(_with_entities(data, depth), name="entities.docx")
    assert "lol" not in src.text
    assert len(src.text) <= len(plain.text) + 2  # at most the empty paragraph's line
    assert src.grids == plain.grids


def _paragraph_text_first_definition(p: object) -> str:
    """paragraph_text as first written: every node walked, properties included."""
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    skip = {w + "del", w + "instrText", w + "delText",
            "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}
    parts: list[str] = []
    stack = [iter(p)]  # type: ignore[call-overload]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
            continue
        tag = node.tag
        if not isinstance(tag, str) or tag in skip:
            continue
        if tag == w + "t":
            parts.append(node.text or "")
        elif tag == w + "tab":
            parts.append("\t")
        elif tag in (w + "br", w + "cr"):
            parts.append("\n")
        elif tag == w + "noBreakHyphen":
            parts.append("-")
        elif tag == w + "p":
            parts.append(" ")
            stack.append(iter(node))
        else:
            stack.append(iter(node))
    return "".join(parts)


def test_paragraph_text_equals_its_first_definition() -> None:
    """Skipping paragraph and run properties changes no paragraph's text: every paragraph of a
    built report (labels split over runs, breaks in header cells), of the blank national
    template, and one with each kind of printed run content, deleted text and a text box."""
    from lxml import etree

    from govdisclosure.readers.docx import _parse_xml, paragraph_text

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    mixed = _parse_xml(
        f'<w:p xmlns:w="{w}"><w:pPr><w:rPr><w:b/></w:rPr></w:pPr><w:r><w:rPr><w:sz w:val="24"/></w:rPr>'
        "<w:t>本年</w:t><w:tab/><w:t>制发</w:t><w:br/><w:t>件数</w:t><w:cr/><w:noBreakHyphen/></w:r>"
        "<w:del><w:r><w:delText>删</w:delText></w:r></w:del><w:r><w:instrText>PAGE</w:instrText></w:r>"
        "<w:r><w:pict><w:txbx><w:p><w:r><w:t>框</w:t></w:r></w:p></w:txbx></w:pict></w:r></w:p>".encode()
    )
    documents = [docx_bytes(distinct_values(template), template) for template in ("2021", "2019")]
    if CORPUS.is_dir():
        documents.append((CORPUS / "template_2021_blank.docx").read_bytes())
    paragraphs = [mixed]
    for data in documents:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            paragraphs += _parse_xml(archive.read("word/document.xml")).iter(f"{{{w}}}p")
    assert paragraph_text(mixed) == "本年\t制发\n件数\n- 框"
    assert len(paragraphs) > 300
    for p in paragraphs:
        assert paragraph_text(p) == _paragraph_text_first_definition(p), etree.tostring(p)

def test_reading_a_document_leaves_no_cyclic_garbage() -> None:
    """python-docx's package objects were reference cycles holding the document's tree, which
    then lived until a full collection (65 objects for template_2021_blank.docx)."""
    data = docx_bytes(distinct_values("2021"))
    src, left = cyclic_garbage_left_by(lambda: read_docx(data, name="a.docx"))
    assert len(src.grids) == 3
    assert left == 0


@pytest.mark.parametrize("suffix", [".doc", ".wps"])
def test_doc_and_wps_say_how_to_convert(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"report{suffix}"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(gd.UnsupportedFormatError, match="soffice --headless --convert-to docx"):
        gd.read_report(path)


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the corpus is not at {CORPUS}")
def test_blank_national_template() -> None:
    rep = gd.read_report(CORPUS / "template_2021_blank.docx")
    assert rep.template == "2021"
    assert rep.tables["value"].isna().all() and len(rep.tables) == 200
    assert rep.meta["title"] == "政府信息公开工作年度报告格式模板"
    grids = rep.source.grids
    assert [len(g.rows[0]) for g in grids] == [4, 10, 15]
    assert grids[2].rows[1][1] == "结果纠正"
