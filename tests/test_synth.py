"""The synthetic corpus generator (benchmarks/synth.py) and the narrative the fixtures take.

Every format must carry recombined narrative of a real report's length (the corpus benchmark
compares parse time with jieba's time on the same text), with tables that still read back whole.
"""

from __future__ import annotations

import random
import statistics
import sys
import warnings
from pathlib import Path

import pypdfium2
import pytest
from distinct import distinct_values
from fixtures_build import HEADINGS, cms_page, docx_bytes, report_parts
from pdf_fixture import _ITEM_START, INDENT, LEFT, RIGHT, _advance, build_report_pdf, wrap

import govdisclosure as gd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import synth  # a script, by path

FORMATS = ("txt", "md", "html", "docx", "pdf")
SECTIONS = ["preamble", *HEADINGS]


@pytest.fixture(scope="module")
def pool() -> list[str]:
    return synth.narrative_pool(synth.sentence_pool())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory):
    """12 reports, every format; one DOCX base and one PDF (a PDF takes ~1 s to build)."""
    out = tmp_path_factory.mktemp("synth")
    values_of: dict[Path, dict] = {}
    for i, fmt in enumerate(FORMATS):
        synth.generate(out / fmt, 2 if fmt == "pdf" else 3, seed=i, mix={fmt: 1}, docx_pool=1, pdf_pool=1,
                       values_of=values_of)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reports = {path: gd.read_report(path) for path in sorted(values_of)}
    return reports, values_of


def _recombined(text: str, pool: list[str]) -> int:
    """Characters of ``text`` that are pool sentences: the recombined narrative."""
    return sum(len(s) * text.count(s) for s in pool)


def test_narrative_pool_drops_headings_and_flattened_tables(pool):
    good = ["2024年，全镇主动公开政府信息27条。", "一是公开质量有待提高，二是解读形式较为单一。",
            "（一）主动公开方面，全年发布信息1136条。"]
    bad = ["一、总体情况 2022年，平潭综合实验区坚持以习近平新时代中国特色社会主义思想为指导。",
           "六、其他需要报告的事项2024年，无收取信息处理费情况。",  # would open "other" early
           "三. 依申请公开情况良好。",
           "### （一）系统化推进主动公开。",
           "规章000行政规范性文件693665三、收到和处理政府信息公开申请情况自然人总计。",
           "全年" + "主动公开政府信息" * 40 + "。"]
    assert synth.narrative_pool(good + bad) == good
    assert len(pool) >= 40
    assert not [s for s in pool if s[:2] in {"一、", "二、", "三、", "四、", "五、", "六、"}]


def test_every_format_reads_back_whole(corpus):
    reports, values_of = corpus
    assert {p.suffix for p in reports} == {f".{f}" for f in FORMATS}
    assert len({p.read_bytes() for p in reports}) == len(reports)  # every file its own hash
    for path, report in reports.items():
        assert list(report.sections["section"]) == SECTIONS, path
        assert report.issues.empty, (path, report.issues[["check", "message"]].values.tolist())
        cells = {(r.table, r.row, r.col): r.value for r in report.tables.itertuples()}
        expected = values_of[path]
        assert len(expected) == 200
        assert {k: cells.get(k) for k in expected} == expected, path


def test_every_format_carries_narrative_of_real_length(corpus, pool):
    reports, _ = corpus
    for fmt in FORMATS:
        mine = [r for p, r in reports.items() if p.suffix == f".{fmt}"]
        recombined = [_recombined(r.text, pool) for r in mine]
        section_text = [sum(len(t) for t in r.sections["text"]) for r in mine]
        # The fixtures' own narrative is ~150 characters and holds no pool sentence.
        assert min(recombined) >= 1000, (fmt, recombined)
        assert statistics.median(recombined) >= 1600, (fmt, recombined)
        # As long as real reports: ../shared/corpus has 2.3–6.6 thousand characters of section text.
        assert all(2400 <= n <= 6700 for n in section_text), (fmt, section_text)
        assert not any(synth._DOCX_MARK.format("") in r.text for r in mine)


def test_report_parts_narrative_goes_after_the_fixed_paragraph_or_the_heading():
    values = distinct_values()
    plain = report_parts(values)
    assert report_parts(values, narrative={}) == plain
    parts = report_parts(values, narrative={key: [f"N-{key}-1", f"N-{key}-2"] for key in HEADINGS})
    assert [p for p in parts if not str(p[1]).startswith("N-")] == plain
    for key, heading in HEADINGS.items():
        at = parts.index(("h", heading))
        mine = parts.index(("p", f"N-{key}-1"))
        assert parts[mine + 1] == ("p", f"N-{key}-2")
        # Under a table section the paragraphs come before the table, elsewhere after the fixed one.
        if key in ("proactive", "requests", "appeals"):
            assert mine == at + 1 and parts[mine + 2][0] == "table", key
        else:
            assert mine == at + 2 and parts[at + 1][0] == "p", key
    with pytest.raises(ValueError, match="unknown"):
        report_parts(values, narrative={"summary": ["x"]})


def _flat(text: str) -> str:
    return "".join(text.split())


def _encodes(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


@pytest.mark.parametrize("build", ["html", "docx"])
def test_html_and_docx_carry_each_paragraph_in_its_section(build, pool):
    narrative = synth.narrative(random.Random(3), pool)
    values = distinct_values()
    data = cms_page(values, narrative=narrative).encode() if build == "html" else docx_bytes(
        values, narrative=narrative)
    report = gd.read_report(data, format=build, name=f"narrative.{build}")
    assert list(report.sections["section"]) == SECTIONS
    assert report.issues.empty
    assert {(r.table, r.row, r.col): r.value for r in report.tables.itertuples()} == values
    for key, paragraphs in narrative.items():
        for paragraph in paragraphs:
            assert paragraph in report.section(key), (key, paragraph)


def test_wrap_fills_the_line_and_never_starts_one_with_numbering():
    paragraph = ("各单位认真落实政务公开要求，" * 3 + "主要做法如下：一、强化组织领导。二、完善制度。" * 6
                 + "2024 年共公开 1136 条。")
    lines = wrap(paragraph)
    assert "".join(lines) == paragraph
    assert len(lines) > 3
    for i, line in enumerate(lines):
        room = RIGHT - LEFT - (INDENT if i == 0 else 0)
        assert sum(map(_advance, line)) <= room
        if i < len(lines) - 1:
            # Full: the next line's first character would not have fitted (or was carried over).
            assert sum(map(_advance, line + lines[i + 1][0])) > room - 3 * _advance("中")
        if i:
            assert not _ITEM_START.match(line), line


def test_pdf_with_long_narrative_keeps_tables_and_sections(pool):
    rng = random.Random(7)
    # Simplified characters only: the text layer gives a traditional one back as another (郟 → 郏).
    simplified = [s for s in pool if _encodes(s, "gb2312")]
    narrative = {key: ["".join(rng.sample(simplified, 4))] for key in HEADINGS}
    # Numbering inside a paragraph must not start a printed line: "五、…问题…" on a line of its own
    # would open the problems section inside the overview. 41 characters fill the indented line.
    narrative["overview"].append(("本机关认真落实政务公开各项要求" * 3)[:41] + "五、存在的主要问题是公开不够及时。")
    values = distinct_values()
    data = build_report_pdf(values, narrative=narrative)
    report = gd.read_report(data, format="pdf", name="narrative.pdf")
    assert list(report.sections["section"]) == SECTIONS
    assert report.issues.empty
    assert {(r.table, r.row, r.col): r.value for r in report.tables.itertuples()} == values
    for key, paragraphs in narrative.items():
        section = _flat(report.section(key))
        for paragraph in paragraphs:
            assert _flat(paragraph) in section, (key, paragraph)  # whole, across page breaks
    assert len(pypdfium2.PdfDocument(data)) >= 3  # the narrative-free fixture has 2 pages
    # Lines that wrap at the margin are joined again: most paragraphs come back on one line.
    whole = sum(" ".join(p.split()) in report.text for ps in narrative.values() for p in ps)
    assert whole >= 0.7 * sum(map(len, narrative.values()))
