"""Hostile and broken input: every file ends in failures or issues, named, without a crash or hang."""

from __future__ import annotations

import io
import warnings
import zipfile

import pytest
from distinct import SEED_PIPE, SEED_TAB
from matplotlib.figure import Figure  # a Figure made directly needs no GUI backend
from pdf_fixture import build_encrypted_pdf, build_scanned_pdf

import govdisclosure as gd


def _pdf(draw) -> bytes:
    fig = Figure(figsize=(4, 3))
    draw(fig.add_subplot())
    buf = io.BytesIO()
    fig.savefig(buf, format="pdf")
    return buf.getvalue()


def text_pdf() -> bytes:
    return _pdf(lambda ax: ax.text(0.1, 0.5, "Annual report 2024, section one: overview"))


def zip_bomb_docx() -> bytes:
    """A DOCX whose document.xml unpacks to 150 MB of zeros (compressed to ~150 KB)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w") as member:
            chunk = b"\0" * 2**20
            for _ in range(150):
                member.write(chunk)
    return buf.getvalue()


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<html><body><p>&lol9;</p><p>某县2024年政府信息公开工作年度报告</p></body></html>"""


@pytest.fixture
def hostile_dir(tmp_path):
    files = {
        "empty.txt": b"",
        "junk.txt": bytes(range(256)) * 40,
        "truncated.pdf": text_pdf()[:600],
        "scanned.pdf": build_scanned_pdf(pages=1),
        "encrypted.pdf": build_encrypted_pdf(),
        "bomb.docx": zip_bomb_docx(),
        "laughs.html": BILLION_LAUGHS.encode("utf-8"),
        # GBK bytes in a page that declares UTF-8: decoded by falling back to GB18030.
        "mislabelled.html": ("<html><head><meta charset='utf-8'></head><body>" + "".join(
            f"<p>{line}</p>" for line in SEED_PIPE.read_text(encoding="utf-8").split("\n")
            if "|" not in line) + "</body></html>").encode("gbk"),
        "gbk.txt": SEED_TAB.read_text(encoding="utf-8").encode("gbk"),
        "no_headings.txt": "\n".join(
            line for line in SEED_TAB.read_text(encoding="utf-8").split("\n")
            if not line.startswith(("一、", "二、", "三、收到", "四、政府", "五、", "六、"))
        ).encode("utf-8"),
        "shopping.txt": "购物清单：苹果三斤，香蕉两把。\n明天记得买牛奶。\n".encode(),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return tmp_path


def test_hostile_corpus_ends_in_failures_or_issues(hostile_dir) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gd.GovDisclosureWarning)
        corpus = gd.read_corpus(hostile_dir, cache=False, time_limit=60)
    failed = {p.rsplit("/", 1)[-1]: (e, m)
              for p, e, m in corpus.failures[["source_path", "error", "message"]].itertuples(index=False)}
    parsed = {p.rsplit("/", 1)[-1]: rid for p, rid in zip(
        corpus.reports["source_path"], corpus.reports["report_id"], strict=True)}
    assert set(failed) | set(parsed) == {p.name for p in hostile_dir.iterdir()}
    assert not set(failed) & set(parsed)
    for name, (_error, message) in failed.items():
        assert name in message, f"{name}: the message must name the file: {message}"
    assert failed["empty.txt"][0] == "ExtractionError"
    assert failed["junk.txt"][0] in {"ExtractionError", "EncodingError"}
    assert "scanned" in failed["scanned.pdf"][1] and "OCR" in failed["scanned.pdf"][1]
    assert "password" in failed["encrypted.pdf"][1]
    assert failed["truncated.pdf"][0] == "ExtractionError"
    assert "decompression bomb" in failed["bomb.docx"][1]
    assert "does not look like" in failed["shopping.txt"][1]
    # The entity bomb is not expanded: the page is at most a (tiny) report or a failure.
    assert "laughs.html" in failed or "lol" * 1000 not in corpus.sections["text"].str.cat()
    # Readable despite their quirks.
    cells = corpus.tables[corpus.tables["report_id"] == parsed["gbk.txt"]]
    assert len(cells) == 200 and cells["value"].eq(0).all()
    page = corpus.reports.set_index("report_id").loc[parsed["mislabelled.html"]]
    assert page["agency"] == "襄城区欧庙镇人民政府"
    assert (corpus.sections["report_id"] == parsed["mislabelled.html"]).sum() == 7
    # Tables without headings: cells read, the missing headings reported as issues.
    rid = parsed["no_headings.txt"]
    assert len(corpus.tables[corpus.tables["report_id"] == rid]) == 200
    missing = corpus.issues[(corpus.issues["report_id"] == rid)
                            & (corpus.issues["check"] == "missing_section")]
    # Only the problems part is still found, by its sub-heading "(一) 存在问题".
    assert sorted(missing["row"]) == ["appeals", "other", "overview", "proactive", "requests"]


def test_a_scanned_page_inside_a_typed_pdf_is_an_issue() -> None:
    import pypdfium2 as pdfium
    from distinct import distinct_values
    from pdf_fixture import build_report_pdf

    doc = pdfium.PdfDocument(build_report_pdf(distinct_values()))
    doc.import_pages(pdfium.PdfDocument(build_scanned_pdf(pages=1)), [0], index=1)
    buf = io.BytesIO()
    doc.save(buf)
    rep = gd.read_report(buf.getvalue(), format="pdf", name="mixed.pdf")
    scanned = rep.issues[rep.issues["check"] == "pages_without_text"]
    assert scanned["message"].tolist() == ["PDF 第 2 页没有文字层（可能是扫描页），其内容未能读取；如需读取请先做 OCR"]
    assert rep.tables["value"].notna().sum() == 200
