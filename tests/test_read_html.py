"""The HTML reader on pages built inside the tests, and on the Pingtan pages when the corpus is there."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest
from distinct import distinct_values
from fixtures_build import AGENCY, cms_page, word_page
from garbage import cyclic_garbage_left_by

import govdisclosure as gd
from govdisclosure.readers.html import declared_charset, read_html
from govdisclosure.readers.markup import SpanCell as S
from govdisclosure.readers.markup import join_pieces, lay_out

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
SIX = ["overview", "proactive", "requests", "appeals", "problems", "other"]


def _cells(rep: gd.Report) -> dict[tuple[str, str, str], float]:
    return {(r.table, r.row, r.col): r.value for r in rep.tables.itertuples()}


def _assert_all_cells(rep: gd.Report, values: dict[tuple[str, str, str], float]) -> None:
    got = _cells(rep)
    assert set(got) == set(values)
    wrong = {k: (got[k], v) for k, v in values.items() if not math.isclose(got[k], v)}
    assert not wrong, wrong


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_cms_page_every_cell_right(template: str) -> None:
    values = distinct_values(template)
    assert len(values) == (200 if template == "2021" else len(values))
    rep = gd.read_report(cms_page(values, template).encode("utf-8"), format="html",
                         name="cms.html")
    assert rep.template == template
    _assert_all_cells(rep, values)
    errors = rep.issues[rep.issues["severity"] == "error"] if len(rep.issues) else rep.issues
    assert errors.empty, errors["message"].tolist()
    assert "duplicate_cell" not in set(rep.issues["check"])  # colspan=3 values read once
    assert list(rep.sections["section"])[1:] == SIX


def test_cms_page_fee_keeps_its_decimals_and_raw_text() -> None:
    values = distinct_values("2021")
    rep = gd.read_report(cms_page(values).encode("utf-8"), format="html", name="cms.html")
    fee = rep.tables[(rep.tables["row"] == "fees")].iloc[0]
    assert fee["value"] == pytest.approx(values[("proactive", "fees", "fee_amount")])
    assert fee["raw"].endswith(".06")
    # Labels split into <p> pieces and inside words join back into the printed label.
    labels = set(rep.tables["row_label"])
    assert "（二）部分公开（区分处理的，只计这一情形，不计其他情形）" in labels



def test_reading_a_page_leaves_no_cyclic_garbage() -> None:
    """Garbage only the cyclic collector frees keeps each cell's lxml element (and so the page
    tree) alive until a full collection, and makes the collector run in whatever comes next:
    cell_text's recursive closure left 8 such objects per cell with inline children."""
    page = cms_page(distinct_values("2021")).encode("utf-8")
    src, left = cyclic_garbage_left_by(lambda: read_html(page, name="cms.html"))
    assert len(src.grids) == 3
    assert left == 0


def test_cms_page_metadata_from_chrome_and_body_without_chrome() -> None:
    values = distinct_values("2021")
    src = read_html(cms_page(values).encode("utf-8"), name="cms.html")
    assert src.meta["page_date"] == "2026-03-10"
    assert src.meta["title"] == f"{AGENCY}2025年度政府信息公开工作年度报告"
    assert src.meta["body"] == "class=trs_editor"
    # Chrome stays out: navigation, the footer table and the script's text.
    assert "当前位置" not in src.text and "新媒体矩阵" not in src.text
    assert "123456" not in src.text
    assert len(src.grids) == 3
    assert src.text.startswith("本报告根据")
    rep = gd.read_report(cms_page(values).encode("utf-8"), format="html", name="cms.html")
    assert (rep.agency, rep.year, rep.published) == (AGENCY, 2025, None)  # web date ≠ printed date


def test_grid_offsets_point_at_the_rows_in_the_text() -> None:
    src = read_html(cms_page(distinct_values("2021")).encode("utf-8"), name="cms.html")
    for grid in src.grids:
        assert src.text[grid.start:grid.end] == "\n".join("\t".join(r) for r in grid.rows)
        assert grid.aligned
    proactive, requests = src.grids[0], src.grids[1]
    assert proactive.rows[5] == ("信息内容", "本年处理决定数量", "", "")  # colspan=3 kept once
    assert requests.rows[2][3:] == (
        "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计",
    )
    # The 3×3 note repeats down its rows, only in its first column.
    assert [row[:3] for row in requests.rows[:3]] == [(requests.rows[0][0], "", "")] * 3
    appeals = src.grids[2]
    assert appeals.rows[1][:2] == ("结果维持", "结果纠正")  # "结果<br/>纠正" read as one label


def test_word_exported_gb2312_page() -> None:
    values = distinct_values("2021")
    page = word_page(values).replace("持续深化", "持续深化镕")  # 镕: in GBK, not in GB2312
    rep = gd.read_report(page.encode("gb18030"), format="html", name="word.htm")
    _assert_all_cells(rep, values)
    assert "镕" in rep.text
    assert rep.source.meta["encoding"] == "gb18030"
    # The signature under the report gives the fuller name and the printed date.
    assert (rep.agency, rep.year) == (f"{AGENCY}管委会", 2025)
    assert str(rep.published) == "2026-01-20"
    assert list(rep.sections["section"])[1:] == SIX
    # A source line break between two Chinese characters is not a space.
    assert "本报告根据《中华人民共和国政府信息公开条例》编制" in rep.text


def test_chrome_title_used_only_when_it_names_a_report() -> None:
    page = "<html><head><title>Microsoft Word - 1.doc</title></head><body><p>一、总体情况</p></body></html>"
    src = read_html(page.encode("utf-8"))
    assert src.meta["page_title"] == "Microsoft Word"
    assert "title" not in src.meta


def test_utf8_page_declaring_gb2312_is_read_as_utf8() -> None:
    page = '<html><head><meta charset="gb2312"></head><body><p>一、总体情况</p></body></html>'
    assert declared_charset(page.encode("utf-8")) == "utf-8"
    assert declared_charset(page.encode("gb18030")) == "gb2312"
    assert read_html(page.encode("utf-8")).text == "一、总体情况"


def test_layout_table_around_the_report_is_running_text() -> None:
    page = (
        "<html><body><table><tr><td>"
        "<p>某某镇人民政府2024年政府信息公开工作年度报告</p><p>一、总体情况</p>"
        "<p>" + "本年度全镇认真贯彻落实条例要求，" * 30 + "</p><p>五、存在的主要问题及改进情况</p><p>无。</p>"
        "</td></tr></table></body></html>"
    )
    src = read_html(page.encode("utf-8"), name="layout.html")
    assert src.grids == ()
    assert "\n一、总体情况\n" in src.text


def test_unknown_cms_body_found_by_text_density_and_nested_table_read() -> None:
    """No known container: the element whose own paragraphs hold the most text is the body. A data
    table wrapped in a layout table is still read as a grid; hidden elements are not text."""
    values = distinct_values("2021")
    report = cms_page(values).split('<div class="TRS_Editor">')[1].split("</div></div>")[0]
    report = report.replace("<table border", "<table><tr><td><table border", 1).replace(
        "</tbody></table>", "</tbody></table></td></tr></table>", 1)
    page = (
        "<html><body><div class='nav'><p>首页</p><p>政务公开</p><p>联系我们</p></div>"
        "<div class='wrap'><div class='left'><p>热点专题</p><p>政策解读</p></div>"
        f"<div class='txt'>{report}<p style='display: none'>隐藏的统计代码123</p></div></div>"
        "<div class='foot'><p>版权所有 网站标识码3590000001</p></div></body></html>"
    )
    src = read_html(page.encode("utf-8"), name="unknown.html")
    assert src.meta["body"] == "densest"
    assert "热点专题" not in src.text and "版权所有" not in src.text
    assert "隐藏的统计代码" not in src.text
    rep = gd.read_report(page.encode("utf-8"), format="html", name="unknown.html")
    _assert_all_cells(rep, values)


def test_pre2019_page_is_narrative_only() -> None:
    page = (
        "<html><body><div class='TRS_Editor'><p>平潭综合实验区2018年度</p><p>政府信息公开工作年度报告</p>"
        "<p>一、概述</p><p>2018年以来，我区认真贯彻落实《条例》。</p><p>二、主动公开政府信息情况</p>"
        "<p>全年主动公开政府信息2069条。</p><p>六、政府信息公开情况统计表</p>"
        "<table><tr><td>指标名称</td><td>计量单位</td><td>2018年度</td></tr>"
        "<tr><td>主动公开文件数</td><td>条</td><td>2069</td></tr></table></div></body></html>"
    )
    rep = gd.read_report(page.encode("utf-8"), format="html", name="old.html")
    assert (rep.agency, rep.year, rep.template) == ("平潭综合实验区", 2018, "pre2019")
    assert rep.tables.empty
    assert len(rep.source.grids) == 1  # the statistics table is read, but has no codebook


def test_empty_page_raises_naming_the_file() -> None:
    with pytest.raises(gd.ExtractionError, match=r"blank\.html"):
        read_html(b"<html><head><title>x</title></head><body> </body></html>", name="blank.html")


def test_entity_expansion_is_not_performed() -> None:
    bomb = (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html [\n<!ENTITY a "aaaaaaaaaa">\n'
        + "".join(f'<!ENTITY {n} "{("&" + p + ";") * 10}">\n'
                  for p, n in zip("abcdefgh", "bcdefghi", strict=True))
        + ']>\n<html><body><p>一、总体情况 &i;</p></body></html>'
    )
    start = time.perf_counter()
    src = read_html(bomb.encode("utf-8"), name="bomb.html")
    assert time.perf_counter() - start < 2
    assert len(src.text) < 1000
    assert "一、总体情况" in src.text


def test_lay_out_repeats_row_spans_and_blanks_column_spans() -> None:
    rows = [[S("a", rowspan=2), S("b", colspan=2)], [S("1"), S("2")]]
    assert lay_out(rows) == [["a", "b", ""], ["a", "1", "2"]]
    # Absurd spans are clipped to the table and to HTML's limits.
    assert lay_out([[S("x", rowspan=10**6, colspan=3)]]) == [["x", "", ""]]


@pytest.mark.parametrize(("pieces", "text"), [
    (["三、本", "年度办", "理结果"], "三、本年度办理结果"),
    (["社会", "公益 \u00a0 \u00a0", "组织"], "社会公益组织"),
    (["1", "2"], "1 2"),  # two numbers in two paragraphs never merge into 12
    (["22", "（其中修订16件）"], "22 （其中修订16件）"),
    (["", "\u3000"], ""),
])
def test_join_pieces(pieces: list[str], text: str) -> None:
    assert join_pieces(pieces) == text


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the corpus is not at {CORPUS}")
def test_pingtan_page_chrome_facts() -> None:
    rep = gd.read_report(CORPUS / "pingtan_2025.html")
    assert rep.source.meta["page_date"] == "2026-03-10"
    assert rep.source.meta["title"] == "平潭综合实验区2025年度政府信息公开工作年度报告"
    assert "新媒体矩阵" not in rep.text and rep.text.startswith("本报告根据")
    assert rep.published is None
    old = gd.read_report(CORPUS / "pingtan_2018.html")
    assert old.source.meta["page_date"] == "2019-01-10"
    assert old.meta["title"] == "平潭综合实验区2018年度政府信息公开工作年度报告"


def test_single_file_web_page_mht() -> None:
    """Word's and IE's "单个文件网页" (.mht): MIME parts, the page quoted-printable in gb2312."""
    import quopri

    values = distinct_values("2021")
    html_part = quopri.encodestring(word_page(values).encode("gb18030")).decode("ascii")
    mht = (
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/related; boundary="----=_NextPart_01DA"\r\n\r\n'
        "此文档为“单个文件网页”，也称为“Web 档案”文件。\r\n\r\n"
        "------=_NextPart_01DA\r\n"
        "Content-Location: file:///C:/report.htm\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n"
        'Content-Type: text/html; charset="gb2312"\r\n\r\n'
        f"{html_part}\r\n"
        "------=_NextPart_01DA--\r\n"
    ).encode("gb18030")
    rep = gd.read_report(mht, format="html", name="report.mht")
    _assert_all_cells(rep, values)
    assert rep.source.meta["encoding"] == "gb18030"
    with pytest.raises(gd.ExtractionError, match="MHTML"):
        read_html(b"MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nhello", name="x.mht")
