"""Text whose line breaks were lost still yields its six sections (pingtan_20xx.txt archive text)."""

from __future__ import annotations

from distinct import SEED_PIPE

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
