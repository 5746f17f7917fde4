"""Text whose line breaks were lost still yields its six sections (pingtan_20xx.txt archive text)."""

from __future__ import annotations

from distinct import SEED_PIPE
from hypothesis import given, settings
from hypothesis import strategies as st

import govdisclosure as gd


def test_headings_inside_one_line_are_found() -> None:
    lines = [line for line in SEED_PIPE.read_text(encoding="utf-8").split("\n") if line.strip() and "|" not in line]
    # The title on its own line, the body on one line: as the archive extractions print a page.
    flat = lines[0] + "\n" + "".join(lines[1:])
    rep = gd.read_report(flat.encode("utf-8"), format="txt")
    assert list(rep.sections["section"]) == [
        "preamble", "overview", "proactive", "requests", "appeals", "problems", "other"]
    assert list(rep.sections["title"].iloc[1:]) == [
        "一、 总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
    assert rep.section("overview").startswith("2024年,欧庙镇政府认真贯彻落实")
    assert rep.agency == "襄城区欧庙镇"  # the signature line is merged into the body


def test_sub_items_inside_a_sentence_do_not_open_sections() -> None:
    lines = [line for line in SEED_PIPE.read_text(encoding="utf-8").split("\n") if line.strip() and "|" not in line]
    flat = "".join(lines)
    # "一是…二是…" and "(一)…" inside the text stay in their section.
    rep = gd.read_report(flat.encode("utf-8"), format="txt")
    assert "一是政府信息管理机制落实不到位" in rep.section("problems")


def _inline_headings_by_definition(text: str) -> list[tuple[str, int, int]]:
    """The inline headings as first written: a look-behind regex for the number, and every
    prefix of the stretch after it classified in turn (sections._inline_headings must equal it)."""
    import re

    from govdisclosure.sections import _ANY_NUMBER, _INLINE_TAIL, _patterns, classify_heading

    noise = re.compile(r"[^0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff]+")  # label noise as first written

    orders = {code: order for code, order, _p, _b in _patterns()}
    bare = {code: b for code, _o, _p, b in _patterns()}
    found, last_order = [], 0
    for match in re.finditer(r"(?<![一二三四五六七八九十第])([一二三四五六七八九十]{1,2})\s*、\s*", text):
        tail_match = _INLINE_TAIL.match(text, match.end())
        if tail_match is None:
            continue
        tail = tail_match.group()
        number = _ANY_NUMBER.search(tail)
        last = len(tail) if number is None else number.end() - 1
        code, end = None, 0
        for end in range(2, last + 1):
            code = classify_heading(f"{match.group(1)}、{tail[:end]}")
            if code is not None:
                break
        if code is None or orders[code] <= last_order:
            continue
        while end < len(tail):
            longer = noise.sub("", tail[: end + 1])
            if len(longer) == len(noise.sub("", tail[:end])) or not bare[code].startswith(longer):
                break
            end += 1
        found.append((code, match.start(), match.end() + end))
        last_order = orders[code]
    return found


_TITLE_PIECES = ["总体情况", "主动公开", "政府信息", "情况", "收到和处理", "政府信息公开申请", "行政复议", "、行政诉讼",
                 "存在的主要问题", "及改进情况", "其他需要报告的事项", "本年新收", "是", "**", "(", "“", " ", "0",
                 "结转下年度继续办理", "。", "，", "（一）"]
# One numbered stretch: what stands before the number (another numeral, 第, a digit …), the
# number, blanks around its 、, and title pieces.
_NUMBERED = st.tuples(
    st.sampled_from(["", "第", "十", "一", "0", "。", "是", " "]),
    st.sampled_from(["一", "二", "三", "四", "五", "六", "十一", "二十", "二十一"]),
    st.sampled_from(["、", " 、", "、 ", "\u3000、\u3000"]),
    st.lists(st.sampled_from(_TITLE_PIECES), max_size=4),
).map(lambda t: t[0] + t[1] + t[2] + "".join(t[3]))


@settings(max_examples=600, deadline=None)
@given(st.lists(st.one_of(_NUMBERED, st.sampled_from(_TITLE_PIECES)), max_size=12))
def test_inline_headings_equal_their_definition(pieces: list[str]) -> None:
    from govdisclosure.sections import _inline_headings, _inline_title, _patterns

    text = "".join(pieces)
    _inline_title.cache_clear()
    orders = {code: order for code, order, _p, _b in _patterns()}
    found = [(h.code, h.start, h.body) for h in _inline_headings(text, orders)]
    assert found == _inline_headings_by_definition(text)
