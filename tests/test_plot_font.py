"""Chinese labels render without missing-glyph warnings, and rcParams are left as they were."""

from __future__ import annotations

import warnings

import matplotlib as mpl
from matplotlib.figure import Figure

from govdisclosure.plot import cjk_context, cjk_family
from govdisclosure.plot._font import packaged_font_path


def test_chinese_text_drawn_after_the_context_has_its_glyphs(tmp_path) -> None:
    before = dict(mpl.rcParams)
    with cjk_context():
        fig = Figure()
        ax = fig.add_subplot()
        ax.set_title("政府信息公开 郟县 郏县")
        ax.bar(["视频号", "学习强国"], [54, 14])
    assert dict(mpl.rcParams) == before
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(tmp_path / "f.png")
    assert not [w for w in caught if "missing from font" in str(w.message)]


def test_packaged_font_is_there() -> None:
    assert packaged_font_path().endswith(".ttc")
    assert cjk_family()


def test_html_pages_carry_the_font_for_their_own_characters() -> None:
    import base64
    import io
    import re

    from fontTools.ttLib import TTFont

    from govdisclosure.plot import EMBEDDED_FAMILY, embed_cjk_font

    page = '<html><head><style>body{font-family:"X"}</style></head><body>郏县白庙乡 表三</body></html>'
    out = embed_cjk_font(page)
    assert out.count("@font-face") == 1 and EMBEDDED_FAMILY in out
    data = re.search(r"data:font/woff;base64,([A-Za-z0-9+/=]+)", out).group(1)
    font = TTFont(io.BytesIO(base64.b64decode(data)))
    cmap = font.getBestCmap()
    assert all(ord(ch) in cmap for ch in "郏县白庙乡表三")
    assert ord("京") not in cmap  # cut to the page, not the 19 MB collection
    assert len(data) < 200_000
    assert embed_cjk_font("<p>no head</p>") == "<p>no head</p>"
