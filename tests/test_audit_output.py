"""gd.audit's frame and write_audit's workbook, CSV and HTML page, read back."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from audit_fixtures import CORPUS, corpus_of, filled, read_text, seed_text
from distinct import distinct_values

import govdisclosure as gd
from govdisclosure.audit import FINDING_COLUMNS, audit, write_audit
from govdisclosure.audit.output import EXPORT_HEADERS, sheet_names


@pytest.fixture(scope="module")
def corpus():
    """Two townships: 郏县白庙乡 (narrative contradicts its table, no date), 襄城区欧庙镇 (late)."""
    tab, _ = filled("tab")
    late = seed_text("pipe").replace("2025年1月17日", "2025年2月3日")
    return corpus_of(read_text(tab, "tab.txt"), read_text(late, "pipe.txt"))


@pytest.fixture(scope="module")
def findings(corpus):
    return audit(corpus)


def test_one_frame_with_every_finding(corpus, findings) -> None:
    assert list(findings.columns) == FINDING_COLUMNS
    assert str(findings["year"].dtype) == "Int64"
    assert findings[["agency", "check", "severity", "location"]].values.tolist() == [
        ["襄城区欧庙镇人民政府", "late_publication", "error", "发布日期"],
        ["郏县白庙乡人民政府", "narrative_no_requests", "error", "第一部分 总体情况 第9句"],
        ["郏县白庙乡人民政府", "date_unknown", "info", "发布日期"],
    ]
    assert findings["message"].iloc[0] == (
        "发布日期：发布日期 2025-02-03，晚于法定期限 2025-01-31"
        "（乡镇人民政府、街道办事处参照部门于1月31日前公布（多数省份的做法））")


def test_parse_time_issues_become_findings_with_printed_labels() -> None:
    values = distinct_values()
    values[("requests", "received", "natural_person")] += 1
    rep = read_text(seed_text("tab", values=values))
    found = audit(rep, checks=["parse"])
    assert len(found) == len(rep.issues) == 2
    got = found[["check", "severity", "location", "table", "row", "col", "section"]].values.tolist()
    assert got == [
        ["requests_applicants_total", "error", "表三一、本年新收·总计", "requests", "received", "total", "requests"],
        ["requests_balance", "error", "表三（七）总计·自然人", "requests", "total_processed", "natural_person",
         "requests"],
    ]
    assert list(found["message"]) == list(rep.issues.sort_values("check")["message"])


def test_checks_select_groups_and_codes(corpus) -> None:
    assert set(audit(corpus, checks=["deadline"])["check"]) == {"late_publication", "date_unknown"}
    assert list(audit(corpus, checks=["late_publication"])["check"]) == ["late_publication"]
    assert audit(corpus, checks="copied").empty
    with pytest.raises(ValueError, match="unknown check 'spelling'; groups are parse, text_table"):
        audit(corpus, checks=["spelling"])


def test_a_report_and_its_one_report_corpus_give_the_same_findings() -> None:
    rep = read_text(filled("pipe")[0])
    assert audit(rep).equals(audit(corpus_of(rep)))


def test_xlsx_summary_findings_and_agency_sheets(corpus, findings, tmp_path) -> None:
    path = write_audit(findings, corpus.reports, tmp_path / "out" / "audit.xlsx")
    sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False)
    assert list(sheets) == ["汇总", "问题清单", "襄城区欧庙镇人民政府", "郏县白庙乡人民政府"]
    summary = sheets["汇总"].set_index("机构")
    columns = ["层级", "报告年度", "报告数", "错误", "警告", "提示", "按时发布"]
    assert summary.loc["襄城区欧庙镇人民政府", columns].tolist() == ["乡镇街道", "2024", "1", "1", "0", "0", "逾期"]
    assert summary.loc["襄城区欧庙镇人民政府", "发布情况"] == "2024年度：2025-02-03 发布，期限 2025-01-31，逾期"
    assert summary.loc["郏县白庙乡人民政府", ["错误", "提示", "按时发布"]].tolist() == ["1", "1", "日期不详"]
    assert summary.loc["郏县白庙乡人民政府", "地区"] == "河南省平顶山市郏县"
    table = sheets["问题清单"]
    assert list(table.columns) == list(EXPORT_HEADERS.values())
    assert len(table) == len(findings)
    row = table[table["检查代码"] == "narrative_no_requests"].iloc[0]
    assert (row["严重程度"], row["检查项"], row["位置"], row["应为"], row["报告值"]) == (
        "错误", "正文称未收到申请而表格有申请", "第一部分 总体情况 第9句", "31443", "0")
    assert row["依据原文"].startswith("2024年度，未收到政府信息公开申请")
    assert sheets["郏县白庙乡人民政府"]["检查代码"].tolist() == ["narrative_no_requests", "date_unknown"]
    book = openpyxl.load_workbook(path)
    assert book["问题清单"].freeze_panes == "A2"
    assert book["问题清单"]["A1"].font.bold


def test_csv_is_utf8_with_bom(corpus, findings, tmp_path) -> None:
    path = write_audit(findings, corpus.reports, tmp_path / "audit.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert back["位置"].tolist() == ["发布日期", "第一部分 总体情况 第9句", "发布日期"]
    assert back["严重程度"].tolist() == ["错误", "错误", "提示"]


def test_html_is_self_contained_and_escaped(corpus, findings, tmp_path) -> None:
    hostile = findings.copy()
    hostile.loc[0, "agency"] = '<script>alert("x")</script>'
    hostile.loc[0, "evidence"] = "<img src=x onerror=alert(1)>"
    page = write_audit(hostile, corpus.reports, tmp_path / "audit.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "src=" not in page.replace("&lt;img src=x", "") and "http" not in page
    assert "<h2 id=\"agency-" in page and "第一部分 总体情况 第9句" in page
    assert "2024年度：2025-02-03 发布，期限 2025-01-31，逾期" in page


def test_unknown_suffix(findings, corpus, tmp_path) -> None:
    with pytest.raises(ValueError, match=r"cannot write an audit as \.json; use \.xlsx, \.csv or \.html"):
        write_audit(findings, corpus.reports, tmp_path / "audit.json")


def test_sheet_names_are_valid_for_excel() -> None:
    long = "某某省某某市某某县某某镇人民政府办公室政务公开工作领导小组办公室"
    names = sheet_names(["a[b]:c*d?e/f\\g", long, long + "二", "", "汇总"])
    assert names["a[b]:c*d?e/f\\g"] == "a_b__c_d_e_f_g"
    assert len(names[long]) == 31 and names[long] == long[:31]
    assert names[long + "二"] == long[:28] + "(2)"
    assert names[""] == "未识别机构"
    assert names["汇总"] == "汇总(2)"
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names.values())


@pytest.mark.skipif(not CORPUS.exists(), reason="the development corpus (../shared/corpus) is not on this machine")
def test_real_corpus_workbook(tmp_path) -> None:
    files = sorted(p for p in CORPUS.iterdir() if p.name.startswith(("pingtan_202", "shuyang", "huaian", "hongze"))
                   and p.suffix in (".html", ".pdf", ".txt"))
    corpus = gd.read_corpus(files)
    found = audit(corpus)
    path = write_audit(found, corpus.reports, tmp_path / "audit.xlsx")
    sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False)
    assert len(sheets["问题清单"]) == len(found)
    summary = sheets["汇总"].set_index("机构")
    assert summary.loc["沭阳县人民政府", "按时发布"] == "按时"
    assert summary.loc["沭阳县人民政府", "发布情况"] == "2025年度：2026-01-23 发布，期限 2026-03-31，按时"
    located = set(zip(found["check"], found["location"], strict=True))
    assert ("narrative_documents", "第一部分 总体情况 第5句") in located
