"""Channel figures: shares of reports, mention counts and quantities equal what the mentions say."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from plot_helpers import hbars, new_ax, render, reports_frame, texts

import govdisclosure as gd
from govdisclosure.plot import channels as cp

REPORTS = reports_frame([("r1", "郏县白庙乡人民政府", 2024, "township"),
                         ("r2", "襄城区欧庙镇人民政府", 2024, "township"),
                         ("r3", "平潭综合实验区", 2023, "province"),
                         ("r4", "洪泽区人民政府", 2023, "county")])  # r4 names no channel

MENTIONS = pd.read_csv(io.StringIO("""\
report_id,channel,category,label_zh,count,unit
r1,gov_website,website,政府网站,,
r1,wechat_channels,new_media,视频号,54,个
r1,pingdingshan_daily,newspaper,平顶山日报,27,篇
r1,xuexi_qiangguo,higher_platform,学习强国,14,篇
r1,gov_website,website,政府网站,,
r2,gov_website,website,政府网站,,
r2,hotline_12345,hotline,12345热线,959,件
r3,gov_website,website,政府网站,10407,条
r3,wechat_official,new_media,微信公众号,672,条
r3,wechat_channels,new_media,视频号,6,个
r3,fabu_account,new_media,fabu_account,,
"""), dtype={"unit": "str"})


def test_adoption_is_the_share_of_all_reports() -> None:
    ax = cp.channel_adoption(MENTIONS, REPORTS, ax=new_ax())
    render(ax)
    widths = hbars(ax).set_index("label")["width"]
    assert widths["政府网站"] == pytest.approx(75)  # 3 of 4: r4 counts in the denominator
    assert widths["视频号"] == pytest.approx(50)
    assert widths["“××发布”账号"] == pytest.approx(25)  # a form found by pattern gets a readable name
    assert ax.get_yticklabels()[-1].get_text() == "政府网站"  # most used on top
    assert {"3/4 份", "提及该渠道的报告比例（%）", "网站", "政务新媒体"} <= set(texts(ax))


def test_adoption_by_year_is_a_heatmap_of_shares_per_group() -> None:
    ax = cp.channel_adoption(MENTIONS, REPORTS, by="year", ax=new_ax())
    render(ax)
    grid = ax.images[0].get_array()
    rows = [t.get_text() for t in ax.get_yticklabels()]
    cols = [t.get_text() for t in ax.get_xticklabels()]
    assert cols == ["2023年\n（2 份）", "2024年\n（2 份）"]
    assert grid[rows.index("政府网站")].tolist() == [50, 100]
    assert grid[rows.index("12345热线")].tolist() == [0, 50]


def test_heatmap_cells_are_mention_counts() -> None:
    ax = cp.channel_heatmap(MENTIONS, REPORTS, ax=new_ax())
    render(ax)
    grid = np.nan_to_num(np.asarray(ax.images[0].get_array(), dtype=float))
    rows = [t.get_text() for t in ax.get_yticklabels()]
    cols = [t.get_text() for t in ax.get_xticklabels()]
    assert rows[0] == "郏县白庙乡人民政府 2024"  # names the most kinds of channel
    assert grid[rows.index("郏县白庙乡人民政府 2024"), cols.index("政府网站")] == 2
    assert grid[rows.index("襄城区欧庙镇人民政府 2024"), cols.index("视频号")] == 0
    assert cols.index("政府网站") == 0  # website category first


def test_quantities_keep_units_apart() -> None:
    extra = pd.DataFrame([{"report_id": "r2", "channel": "gov_website", "category": "website",
                           "label_zh": "政府网站", "count": 3.0, "unit": "个"}])
    ax = cp.channel_quantities(pd.concat([MENTIONS, extra]), ax=new_ax())
    render(ax)
    widths = hbars(ax).set_index("label")["width"]
    assert widths["政府网站（条）"] == 10407 and widths["政府网站（个）"] == 3
    assert widths["视频号（个）"] == 60  # 54 + 6 over two reports
    assert "60（2 份）" in texts(ax)
    assert ax.get_xscale() == "log"


def test_empty_mentions_say_so() -> None:
    for fn in (lambda ax: cp.channel_adoption(MENTIONS.iloc[:0], REPORTS, ax=ax),
               lambda ax: cp.channel_heatmap(MENTIONS.iloc[:0], REPORTS, ax=ax),
               lambda ax: cp.channel_quantities(MENTIONS.iloc[:0], ax=ax)):
        ax = fn(new_ax())
        render(ax)
        assert len(ax.texts) == 1


def test_real_analysis_output_on_a_seed() -> None:
    """The plots read the columns the analysis really returns."""
    from govdisclosure.analysis import channels

    seed = Path(__file__).resolve().parents[1] / "data" / "samples" / "000_dc9580d96d94ba76.txt"
    rep = gd.read_report(seed)
    mentions = channels(rep.sections)
    reports = pd.DataFrame([rep.meta])
    for fn in (cp.channel_adoption, cp.channel_heatmap):
        render(fn(mentions, reports, ax=new_ax()))
    ax = cp.channel_quantities(mentions, ax=new_ax())
    render(ax)
    assert hbars(ax).set_index("label")["width"]["视频号（个）"] == 54
