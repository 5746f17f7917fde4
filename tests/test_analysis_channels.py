"""Publishing channels: the seed's channels and quantities, forms found by pattern, the matrix."""

from __future__ import annotations

import pandas as pd
import pytest

import govdisclosure as gd
from govdisclosure.analysis import channel_matrix, channels
from govdisclosure.analysis._data import channel_words, read_analysis_csv
from govdisclosure.analysis.channels import MENTION_COLUMNS

SEED_000 = "data/samples/000_dc9580d96d94ba76.txt"


def sections_of(*texts: str, section: str = "overview") -> pd.DataFrame:
    """One section per text, each its own report r0, r1, … starting at offset 10."""
    return pd.DataFrame({"report_id": [f"r{k}" for k in range(len(texts))], "section": section,
                         "text": list(texts), "start": 10})


@pytest.fixture(scope="module")
def seed() -> gd.Report:
    return gd.read_report(SEED_000)


@pytest.fixture(scope="module")
def seed_mentions(seed: gd.Report) -> pd.DataFrame:
    return channels(seed.sections)


def test_seed_000_quantities(seed_mentions: pd.DataFrame) -> None:
    quantities = seed_mentions[seed_mentions["count"].notna()]
    got = {(c, n, u) for c, n, u in zip(quantities["channel"], quantities["count"], quantities["unit"], strict=True)}
    assert got == {
        ("wechat_channels", 54.0, "个"), ("pingdingshan_weibao", 12.0, "个"), ("henan_daily_rural", 2.0, "篇"),
        ("pingdingshan_daily", 27.0, "篇"), ("xuexi_qiangguo", 14.0, "篇"), ("national_media", 15.0, "篇"),
        ("provincial_media", 72.0, "篇"),
    }
    video = quantities.set_index("channel").loc["wechat_channels"]
    assert video["surface"] == "视频号" and video["measure"] == "全年共制作发表视频"
    assert channels(sections_of("制作《淮安市人民政府公报》6 期"))["measure"].tolist() == [""]
    assert not quantities["approximate"].any()


def test_seed_000_channels_without_quantities(seed_mentions: pd.DataFrame) -> None:
    named = set(seed_mentions["channel"])
    assert {"wechat_official", "gov_website", "bulletin_board", "online_media", "gov_new_media", "newspaper",
            "app"} <= named
    # 上级新媒体 right before 平顶山微报 describes it: one mention, not two.
    assert "upper_new_media" not in named
    weibao = seed_mentions[seed_mentions["channel"] == "pingdingshan_weibao"]
    assert weibao["surface"].tolist() == ["上级新媒体平顶山微报"]


def test_seed_000_app_is_an_unknown_form_without_the_list_total(seed_mentions: pd.DataFrame) -> None:
    app = seed_mentions[(seed_mentions["channel"] == "app") & ~seed_mentions["known"]]
    assert len(app) == 1
    row = app.iloc[0]
    # The section text normalises 郟 to 郏 (length-preserving); the name is as the text has it.
    assert row["name"] == "云上郏县" and row["surface"] == "云上郏县 app" and row["category"] == "new_media"
    # "云上郟县 app 等平台，累计主动公开信息超 184 条": the 184 belongs to the whole list.
    assert pd.isna(row["count"])
    assert seed_mentions.loc[seed_mentions["channel"] == "app", "known"].tolist() == [False, True]  # + 移动应用


def test_offsets_point_into_the_report_text(seed: gd.Report, seed_mentions: pd.DataFrame) -> None:
    assert len(seed_mentions) == 18
    for row in seed_mentions.itertuples():
        assert seed.text[row.start:row.end].replace("郟", "郏") == row.surface


def test_columns_and_types_also_when_nothing_is_found() -> None:
    empty = channels(sections_of("本年度无。"))
    assert list(empty.columns) == MENTION_COLUMNS and empty.empty
    assert str(empty["count"].dtype) == "float64" and str(empty["known"].dtype) == "bool"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # longest match: the rural edition is not 河南日报
        ("在河南日报农村版发表 2 篇", [("henan_daily_rural", 2.0, "篇", "")]),
        ("在河南日报发表3篇", [("henan_daily", 3.0, "篇", "")]),
        # a quoted name before the channel word names the account (pingtan_2025)
        ("通过“平潭发布”公众号发布信息672条", [("wechat_official", 672.0, "条", "平潭发布")]),
        # 余 makes the count approximate and is not part of it (pingtan_2025)
        ("通过实验区政府门户网站累计主动公开政府信息7700余条", [("gov_website", 7700.0, "条", "")]),
        # two channels of one list each keep their own number (pingtan_2025)
        ("关停运营不规范的政府网站1个、政务新媒体2个",
         [("gov_website", 1.0, "个", ""), ("gov_new_media", 2.0, "个", "")]),
        # a comma ends the clause: the number is not the channel's
        ("深化政务新媒体矩阵建设，开设专栏33个", [("gov_new_media", None, "", "")]),
        # the closing bracket of a named gazette is not what is counted (huaian_2024)
        ("制作《淮安市人民政府公报》6 期", [("gazette", 6.0, "期", "")]),
        # 万 multiplies; 人次 is one unit
        ("政府信息公开专栏访问量达1.2万人次", [("disclosure_column", 12000.0, "人次", "")]),
        # ASCII forms are whole words: no app in "application", no 12345 in a phone number
        ("电话0591-123456，application", []),
        ("畅通12345热线、县长信箱等渠道", [("hotline_12345", None, "", ""), ("mailbox", None, "", "")]),
        # 公开栏目 (a website column) is not a notice board 公开栏
        ("优化信息公开栏目设置，加强村务公开栏建设",
         [("disclosure_column", None, "", ""), ("bulletin_board", None, "", "")]),
    ],
)
def test_mentions_in_and_out(text: str, expected: list[tuple[str, float | None, str, str]]) -> None:
    found = channels(sections_of(text))
    got = [(r.channel, None if pd.isna(r.count) else r.count, r.unit, r.name) for r in found.itertuples()]
    assert got == expected


@pytest.mark.parametrize(
    ("text", "code", "name"),
    [
        ("全年通过微信视频号、云上郏县 app 等平台", "app", "云上郏县"),
        ("通过“岚岛发布”开展宣传", "fabu_account", "岚岛发布"),
        ("在《闽东日报》刊发稿件", "newspaper_named", "闽东日报"),
        ("向上级新媒体宁德微报投稿", "weibao_account", "宁德微报"),
    ],
)
def test_unknown_forms_are_kept(text: str, code: str, name: str) -> None:
    found = channels(sections_of(text))
    unknown = found[~found["known"]]
    assert unknown[["channel", "name"]].values.tolist() == [[code, name]]


def test_a_word_wrapped_across_lines_is_found_and_its_offsets_span_the_break() -> None:
    # shanghai_kewei_2024.md: a PDF wrapped "视频号" after 视频.
    text = ("市科委全年发布的信息按照规定在门户网站进行公开并同步更新到\n"
            "“上海科技”视频\n号共制作并发布短视频 584 条，累计观看量\n"
            "1924252 次，粉丝数54373，直播 118 场，累计观看量较上年\n")
    found = channels(sections_of(text))
    video = found[found["channel"] == "wechat_channels"].iloc[0]
    assert (video["name"], video["count"], video["unit"]) == ("上海科技", 584.0, "条")
    assert video["surface"] == "“上海科技”视频\n号"
    assert text[video["start"] - 10:video["end"] - 10] == video["surface"]


def test_table_rows_are_not_read() -> None:
    text = "指标名称\t计量单位\t2018年度\n政府网站公开数\t条\t2069\n通过政府网站公开信息12条。"
    found = channels(sections_of(text))
    assert found[["channel", "count"]].values.tolist() == [["gov_website", 12.0]]


def test_include_limits_the_sections(seed: gd.Report) -> None:
    only_five = channels(seed.sections, include=["problems"])
    assert set(only_five["section"]) == {"problems"}
    assert set(only_five["channel"]) == {"gov_website", "bulletin_board", "gov_new_media", "app", "wechat_official"}


def test_a_frame_without_text_is_refused() -> None:
    with pytest.raises(ValueError, match="lacks \\['text'\\]"):
        channels(pd.DataFrame({"report_id": ["a"]}))


def test_channel_matrix(seed_mentions: pd.DataFrame) -> None:
    both = pd.concat([seed_mentions, channels(sections_of("通过政府网站发布信息5条；在政府网站发布公告3条"))])
    mentions = channel_matrix(both)
    assert mentions.loc["r0", "gov_website"] == 2 and mentions.loc["r0", "app"] == 0
    assert mentions.loc[seed_mentions["report_id"].iloc[0], "app"] == 2
    present = channel_matrix(both, values="present")
    assert present.loc["r0"].sum() == 1 and set(present.to_numpy().ravel()) == {0, 1}
    by_category = channel_matrix(both, by="category")
    assert by_category.loc["r0", "website"] == 2
    counts = channel_matrix(both, values="count")
    assert counts.loc["r0", ("gov_website", "条")] == 8.0
    assert counts.loc[seed_mentions["report_id"].iloc[0], ("wechat_channels", "个")] == 54.0
    assert pd.isna(counts.loc["r0", ("wechat_channels", "个")])
    with pytest.raises(ValueError, match="values must be"):
        channel_matrix(both, values="sum")  # type: ignore[arg-type]


def test_vocabulary_is_consistent() -> None:
    table = read_analysis_csv("channels.csv")
    assert table["code"].is_unique
    assert set(table["category"]) == {"website", "new_media", "higher_platform", "media", "newspaper",
                                      "broadcast", "offline", "hotline", "interaction"}
    patterns = read_analysis_csv("channel_patterns.csv")
    assert set(patterns["category"]) <= set(table["category"])


@pytest.mark.parametrize("word", channel_words(), ids=lambda w: w.surface)
def test_every_surface_form_is_found_as_its_own_channel(word) -> None:
    found = channels(sections_of(f"通过{word.surface}发布"))
    assert found["channel"].tolist() == [word.code]
