"""Property-based tests: the normalisers and the table parser on arbitrary input."""

from __future__ import annotations

import math
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govdisclosure.codebook import codebook, template_cells
from govdisclosure.normalize import normalize_chars, normalize_text
from govdisclosure.readers.source import Grid
from govdisclosure.tables import extract_tables
from govdisclosure.values import parse_cell

# Labels real tables print, pieces of them, numbers in the forms reports use, and noise.
_LABELS = sorted({
    label for template in ("2021", "2019")
    for label in codebook(None, template=template)["label_zh"]
} | {"第二十条第（一）项", "信息内容", "申请人情况", "（本列数据的勾稽关系为：第一项加第二项之和）",
     "行政复议", "行政诉讼", "商业", "企业", "结 果", "维持", "三", "、", "- 4 -"})
_CELL = st.one_of(
    st.sampled_from(_LABELS),
    st.integers(-5, 100000).map(str),
    st.decimals(0, 99999, places=2).map(str),
    st.sampled_from(["", "/", "—", "-", "无", "22（其中修订16件）", "１２", "1,234"]),
    st.text(max_size=8),
)
_GRID = st.lists(st.lists(_CELL, max_size=18).map(tuple), max_size=40).map(
    lambda rows: Grid(rows=tuple(rows), aligned=False))


@given(st.text())
def test_normalize_chars_keeps_length_and_is_idempotent(text: str) -> None:
    out = normalize_chars(text)
    assert len(out) == len(text)
    assert normalize_chars(out) == out


@given(st.one_of(st.text(), st.text(alphabet="郟県１Ａ　\u00a0政府公开\x00")),
       st.sampled_from(["", "政府信息公开工作年度报告" * 50, "\x00\x00"]))
def test_changed_characters_found_as_an_array_equal_the_regex(text: str, padding: str) -> None:
    # normalize_chars finds the characters to change in long text (≥ _ARRAY_FROM characters) as
    # an array of code points, in short text with the regex; both must find the same positions,
    # whatever the text (NULs at the end, which numpy drops from a string, surrogates, characters
    # beyond the table), and either way the result is the one-pass translation by the table.
    from govdisclosure.normalize import _changed_positions, _chars_pattern, _chars_table

    for sample in (text, padding + text, text + padding):
        assert _changed_positions(sample) == [m.start() for m in _chars_pattern()[0].finditer(sample)]
        assert normalize_chars(sample) == sample.translate(_chars_table())
    long = "\u3000" + "政府" * 300 + "郟"
    assert _changed_positions(long) == [0, 601]  # the first and the last character
    assert normalize_chars(long) == " " + "政府" * 300 + "郏"


@given(st.text())
def test_normalize_text_never_raises(text: str) -> None:
    out = normalize_text(text)
    assert "\r" not in out


@given(st.text(max_size=30))
def test_parse_cell_is_total(raw: str) -> None:
    value, kind = parse_cell(raw)
    assert kind in {"number", "blank", "invalid"}
    assert math.isnan(value) == (kind != "number")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_GRID, max_size=4), st.sampled_from(["2021", "2019"]))
def test_table_parser_maps_every_cell_to_a_code(grids: list[Grid], template: str) -> None:
    frame, issues = extract_tables(grids, template, "r")
    allowed = {
        (table, cell.row, cell.col)
        for table in ("proactive", "requests", "appeals")
        for cell in template_cells(table, template).itertuples()
    }
    cells = set(zip(frame["table"], frame["row"], frame["col"], strict=True))
    assert cells <= allowed
    assert len(cells) == len(frame)  # no cell twice
    for table in ("proactive", "requests", "appeals"):
        n_table = int((frame["table"] == table).sum())
        template_size = sum(1 for c in allowed if c[0] == table)
        missing_table = any(i.check == "missing_table" and i.table == table for i in issues)
        assert n_table in (0, template_size)
        assert (n_table == 0) == missing_table
    # A number is only ever kept where the printed cell reads as that number.
    for raw, value in zip(frame["raw"], frame["value"], strict=True):
        parsed, kind = parse_cell(raw)
        assert (kind == "number" and parsed == value) or math.isnan(value)


def test_one_pass_table_equals_the_three_maps_on_every_character() -> None:
    from govdisclosure.normalize import normalize_spaces, normalize_variants, normalize_width

    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    assert normalize_chars(every) == normalize_variants(normalize_spaces(normalize_width(every)))
    assert normalize_chars("郟县　１２３，Ａ") == "郏县 123，A"  # CJK punctuation stays
    # Sparse: each character among plain text, as reports hold them (the regex path, not the
    # one-pass table); every changed character must come out as the three maps give it.
    filler = "政府信息公开工作年度报告" * 3
    changed = [c for c in every if normalize_width(normalize_spaces(normalize_variants(c))) != c]
    assert len(changed) > 3000
    sparse = filler + filler.join(changed) + filler
    assert normalize_chars(sparse) == normalize_variants(normalize_spaces(normalize_width(sparse)))
    assert normalize_chars(filler) is filler  # nothing to change: the text itself, no copy
    long_filler = filler * 40  # counted as an array
    assert normalize_chars(long_filler) is long_filler
    assert normalize_chars(long_filler + "郟" + long_filler) == long_filler + "郏" + long_filler


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("#*> \t\r\u3000\u00a0\u2028\x1c\x0b一、总体情况*#>ab")), max_size=30))
def test_strip_markup_equals_the_regex(line: str) -> None:
    import re

    from govdisclosure.normalize import strip_markup

    assert strip_markup(line) == re.sub(r"^[#*>\s]+|[*\s]+$", "", line)


def test_whitespace_set_is_what_regex_s_matches() -> None:
    import re

    from govdisclosure.normalize import _WHITESPACE

    assert set(_WHITESPACE) == {chr(c) for c in range(0x110000) if re.match(r"\s", chr(c))}


_EDGES = " \t\n\u3000\u00a0\u200b\ufeff\u2028\x1c\x85１/无件（）12a"  # blanks of every kind, and what they wrap


@settings(max_examples=500, deadline=None)
@given(st.one_of(_CELL, st.text(alphabet=st.sampled_from(list(_EDGES)), max_size=8)))
def test_a_cell_reads_the_same_stripped(raw: str) -> None:
    # The table reader looks at stripped cells (tables.split_row); parse_cell must not care.
    value, kind = parse_cell(raw)
    stripped_value, stripped_kind = parse_cell(raw.strip())
    assert kind == stripped_kind
    assert value == stripped_value or (math.isnan(value) and math.isnan(stripped_value))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_LABELS), min_size=1, max_size=3), st.sampled_from(["2021", "2019"]))
def test_one_alternation_matches_as_the_patterns_in_turn(labels: list[str], template: str) -> None:
    # codebook.match_label asks one alternation of an axis's patterns; it must name the code of
    # the first pattern that matches in full, as trying them in codebook order does.
    from govdisclosure.codebook import _matchers, label_key, match_label

    for key in (label_key("".join(labels)), label_key(labels[0])[1:]):
        for table in ("proactive", "requests", "appeals"):
            for axis in ("row", "col", "group"):
                first = next((code for code, pattern in _matchers(template, table, axis)
                              if pattern.fullmatch(key)), None)
                assert match_label(key, table, axis, template) == (first if key else None)


_NUMBER_PIECES = ["一、", "（二）", "(3)", "4.", "5．", "12、", "1.5", "①", "十一、", " ", "\u3000", "二 、",
                  "（ 十 ）", "、", "（", "99、", "3.0"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_NUMBER_PIECES), max_size=5), st.sampled_from(_LABELS))
def test_label_key_drops_every_leading_numbering_as_one_at_a_time_would(pieces: list[str], label: str) -> None:
    from govdisclosure.codebook import _NUMBERING, label_key

    text, previous = "".join(pieces) + label, None
    while previous != text:  # the definition: strip one leading numbering until none is left
        previous, text = text, _NUMBERING.sub("", text, count=1)
    assert label_key("".join(pieces) + label) == re.sub(_NOISE_RUN, "", text)


# The definition of label noise: runs of what is not an ASCII letter or digit or a CJK character.
_NOISE_RUN = r"[^0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff]+"


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(), st.lists(st.sampled_from(_NUMBER_PIECES + _LABELS + ["“", "/", "a1"])).map("".join)))
def test_label_noise_removes_the_runs_its_definition_does(text: str) -> None:
    # LABEL_NOISE is written as one noise character and then any more (so the regex engine skips
    # ahead to the next one); it must find the very runs of the definition.
    from govdisclosure.codebook import LABEL_NOISE

    assert LABEL_NOISE.sub("", text) == re.sub(_NOISE_RUN, "", text)
    assert LABEL_NOISE.sub("|", text) == re.sub(_NOISE_RUN, "|", text)


_HEADING_PIECES = ["一、", "十二．", "第三部分 ", "（一）", "## ", "**", "> ", "【", "“", " ", "\u3000", "总体情况",
                   "主动公开政府信息情况", "存在的主要问题及改进情况", "其他需要报告的事项",
                   "政府信息公开行政复议、行政诉讼情况", "收到和处理政府信息公开申请情况",
                   "本年", "0", "a", "|", "\t", "。"]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_HEADING_PIECES), max_size=6).map("".join))
def test_lines_turned_away_by_their_first_letter_never_classify(line: str) -> None:
    # find_headings only classifies lines that _heading_start matches: no heading may be lost.
    from govdisclosure.sections import _heading_start, classify_heading

    if classify_heading(line) is not None:
        assert _heading_start().match(line)


def _line_headings_by_definition(text: str) -> list[tuple[str, int, int]]:
    """find_headings' line search as first written: every line classified in turn."""
    from govdisclosure.normalize import strip_markup
    from govdisclosure.readers.text import is_table_line
    from govdisclosure.sections import _MAX_HEADING, _patterns, classify_heading

    orders = {code: order for code, order, _p, _b in _patterns()}
    found, offset, last_order = [], 0, 0
    for line in text.split("\n"):
        short = len(line) <= _MAX_HEADING or len(strip_markup(line)) <= _MAX_HEADING
        code = classify_heading(line) if short and not is_table_line(line) else None
        if code is not None and orders[code] > last_order:
            found.append((code, offset, offset + len(line) + 1))
            last_order = orders[code]
        offset += len(line) + 1
    return found


_LINES = st.lists(st.sampled_from(_HEADING_PIECES), max_size=6).map("".join)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(_LINES, _LINES.map(lambda line: line * 12)), max_size=12).map("\n".join))
def test_line_headings_found_in_one_scan_equal_the_line_by_line_search(text: str) -> None:
    # Lines empty or blank, first or last, long (a paragraph) or table lines: the candidate scan
    # over the whole text must find the headings that classifying every line finds.
    from govdisclosure.sections import _line_headings, _patterns

    orders = {code: order for code, order, _p, _b in _patterns()}
    found = [(h.code, h.start, h.body) for h in _line_headings(text, orders)]
    assert found == _line_headings_by_definition(text)


def test_a_cell_that_begins_with_no_value_start_reads_as_invalid() -> None:
    # values.value_starts lets the table reader tell a label from a value by its first letter:
    # every character beyond the set (and the decimal digits) must normalise to a character
    # that no number or placeholder begins with. Checked for every code point at once.
    from govdisclosure.values import PLACEHOLDERS, value_starts

    everything = "".join(map(chr, range(0x110000)))
    normalized = normalize_chars(everything)
    begins = {"+", "-"} | {p[0] for p in PLACEHOLDERS if p}
    starts = value_starts()
    for char, became in zip(everything, normalized, strict=True):
        # A stripped cell never begins with a blank.
        if char not in starts and not char.isdecimal() and not char.isspace():
            assert became not in begins and not became.isdecimal() and not became.isspace(), char


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_CELL, st.text(alphabet=st.sampled_from([*_EDGES, "無", "－", "٣"]),
                                          max_size=4)), max_size=10).map(tuple))
def test_split_row_separates_labels_as_parse_cell_does(cells: tuple[str, ...]) -> None:
    # The first definition: the first cell that parse_cell reads as a number or placeholder
    # starts the values (split_row now skips cells whose first letter rules that out).
    from govdisclosure.tables import split_row

    stripped = tuple(c.strip() for c in cells)
    first = next((i for i, t in enumerate(stripped) if t and parse_cell(t)[1] != "invalid"), len(stripped))
    last_label = first - 1
    while last_label >= 0 and not stripped[last_label]:
        last_label -= 1
    row = split_row(cells)
    assert row.labels == tuple(t for t in stripped[: last_label + 1] if t)
    assert row.values == stripped[last_label + 1 :]


_OPENING_KEYS = ["第二十条", "信息内容", "勾稽关系", "申请人情况", "本年新收", "上年结转", "行政复议", "行政诉讼"]


# A key with noise inside it, as PDF cells print them ("行政 复议", "申请人\n情况").
_BROKEN_KEY = st.builds(lambda key, at, noise: key[:at] + noise + key[at:], st.sampled_from(_OPENING_KEYS),
                        st.integers(1, 3), st.sampled_from([" ", "\n", "、", "（", "\u3000"]))


@settings(max_examples=600, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_LABELS), st.sampled_from(_OPENING_KEYS), _BROKEN_KEY,
                          st.text(alphabet=st.sampled_from(list("第二十条行政复议 （）、.1①\u3000")), max_size=8)),
                max_size=4).map(tuple))
def test_the_table_a_row_opens_is_found_as_in_its_label_key(labels: tuple[str, ...]) -> None:
    # The first definition: the first table (in _OPENERS order) one of whose keys occurs in the
    # key of the joined labels. tables._opener_of finds the keys in the labels as printed.
    from govdisclosure.codebook import label_key
    from govdisclosure.tables import _OPENERS, _opener_of

    key = label_key("".join(labels))
    expected = next((table for table, keys in _OPENERS if any(k in key for k in keys)), None)
    assert _opener_of(labels) == expected
