"""Text reports: encodings, normalisation and the grids the text reader finds."""

from __future__ import annotations

import codecs

import pytest
from distinct import SEED_PIPE, SEED_TAB

import govdisclosure as gd
from govdisclosure.normalize import (
    normalize_chars,
    normalize_newlines,
    normalize_spaces,
    normalize_text,
    normalize_variants,
    normalize_width,
)
from govdisclosure.readers.decode import decode_text
from govdisclosure.readers.text import find_text_grids, split_cells

SEED_TEXT = SEED_TAB.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("func", "given", "expected"),
    [
        (normalize_width, "２０２４年（一）ＡＰＰ", "2024年（一）APP"),
        (normalize_width, "１．属于国家秘密", "1.属于国家秘密"),
        (normalize_spaces, "一、\u3000总体情况\u00a0", "一、 总体情况 "),
        (normalize_variants, "郟县政府信息公開工作報告", "郏县政府信息公开工作报告"),
        (normalize_variants, "乾县著作", "乾县著作"),  # simplified characters of their own stay
        (normalize_newlines, "a\r\nb\rc\u2028d", "a\nb\nc\nd"),
        (normalize_text, "郟县\r\n２０２４\u3000年", "郏县\n2024 年"),
    ],
)
def test_normalisers(func, given: str, expected: str) -> None:
    assert func(given) == expected


def test_length_keeping_normalisers_keep_length() -> None:
    sample = "郟县２０２４\u3000年（一）\u00a0ＡＰＰ\ufeff報告"
    assert len(normalize_chars(sample)) == len(sample)


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030")],
)
def test_encodings_give_the_same_report(encoding: str, expected: str) -> None:
    # 郟 is outside GB2312 but inside GBK: the GBK bytes must decode as GB18030.
    data = SEED_TEXT.encode(encoding)
    text, used = decode_text(data, name="seed")
    assert used == expected
    assert text == SEED_TEXT
    rep = gd.read_report(data, format="txt")
    assert rep.agency == "郏县白庙乡人民政府"
    assert len(rep.tables) == 200 and rep.issues.empty


def test_crlf_text_reads_like_lf() -> None:
    rep = gd.read_report(SEED_PIPE.read_text(encoding="utf-8").replace("\n", "\r\n").encode(),
                         format="txt")
    assert "\r" not in rep.text
    assert str(rep.published) == "2025-01-17"
    assert len(rep.tables) == 200 and rep.issues.empty


def test_full_width_digits_in_tables_are_read() -> None:
    text = SEED_TEXT.replace("规章\t0\t0\t0", "规章\t１２\t０\t３")
    rep = gd.read_report(text.encode("utf-8"), format="txt")
    cells = rep.tables.set_index(["row", "col"])["value"]
    assert (cells[("rules", "issued")], cells[("rules", "in_force")]) == (12, 3)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x00\x01\x02binary\x00junk" * 20, "binary"),
        (bytes(range(128, 256)) * 8, "not readable"),
    ],
)
def test_unreadable_bytes_raise_clear_errors(data: bytes, message: str) -> None:
    with pytest.raises(gd.ExtractionError, match=message):
        gd.read_report(data, format="txt", name="bad.txt")


def test_utf16_with_bom() -> None:
    data = codecs.BOM_UTF16_LE + SEED_TEXT.encode("utf-16-le")
    assert decode_text(data)[0] == SEED_TEXT


def test_grids_of_both_layouts() -> None:
    tab = find_text_grids(SEED_TEXT)
    assert len(tab) == 3  # proactive, requests, appeals, split by section headings
    assert tab[0].rows[1] == ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数")
    assert SEED_TEXT[tab[0].start:tab[0].end].startswith("第二十条第（一）项")
    pipe = find_text_grids(SEED_PIPE.read_text(encoding="utf-8"))
    assert pipe[1].rows[2][:5] == ("商业", "科研", "社会公益组织", "法律服务机构", "其他")
    assert pipe[1].rows[3][:2] == ("企业", "机构")


@pytest.mark.parametrize(
    ("line", "cells"),
    [
        ("| a | b |", ("a", "b")),
        ("a | b | ||", ("a", "b", "", "")),
        ("a\t\tb\t", ("a", "", "b", "")),
    ],
)
def test_split_cells(line: str, cells: tuple[str, ...]) -> None:
    assert split_cells(line) == cells


def test_unsupported_formats_say_what_to_do(tmp_path) -> None:
    doc = tmp_path / "report.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(gd.UnsupportedFormatError, match="soffice --headless --convert-to docx"):
        gd.read_report(doc)
    with pytest.raises(gd.UnsupportedFormatError, match="cannot be read"):
        gd.read_report(tmp_path / "x.xyz")
