"""Chinese labels that render on any machine (DESIGN.md §8).

Prefer a CJK font the system already has; otherwise register the Noto Sans CJK collection that
the ``noto-cjk-sans-otc`` package ships (matplotlib >= 3.11 loads every face of a .ttc). The font
is added to matplotlib's in-memory font list only: nothing is written into matplotlib's install,
and rcParams are changed only inside :func:`cjk_context`, or by :func:`use_cjk_font` when a user
asks for it.
"""

from __future__ import annotations

import base64
import importlib.metadata
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import matplotlib as mpl
from matplotlib import font_manager

# System fonts that cover simplified Chinese, best first (Linux, Windows, macOS).
_SYSTEM_CJK = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
    "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC",
    "Hiragino Sans GB", "Heiti SC",
)
PACKAGED_FAMILY = "Noto Sans CJK SC"


def packaged_font_path() -> str:
    """The .ttc file of the ``noto-cjk-sans-otc`` package."""
    dist = importlib.metadata.distribution("noto-cjk-sans-otc")
    for file in dist.files or ():
        if str(file).endswith(".ttc"):
            return str(dist.locate_file(file))
    raise FileNotFoundError("noto-cjk-sans-otc is installed but holds no .ttc font file")


@cache
def cjk_family() -> str:
    """The font family to draw Chinese with: an installed CJK font, else the packaged one."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in _SYSTEM_CJK:
        if family in installed:
            return family
    font_manager.fontManager.addfont(packaged_font_path())
    return PACKAGED_FAMILY


def _rc() -> dict[str, object]:
    family = cjk_family()
    # Concrete family names, not the "sans-serif" alias: a Text stores its family list when it is
    # created but resolves an alias only when drawn, after the context has restored rcParams.
    # DejaVu Sans (matplotlib's own) follows for Latin glyphs the CJK font lacks.
    families = [family, "DejaVu Sans"]
    sans = [family, *[f for f in mpl.rcParams["font.sans-serif"] if f != family]]
    # The Unicode minus (U+2212) is missing from some CJK fonts; the ASCII hyphen never is.
    return {"font.family": families, "font.sans-serif": sans, "axes.unicode_minus": False}


@contextmanager
def cjk_context() -> Iterator[None]:
    """Draw inside this block with a CJK font; rcParams are restored afterwards.

    Text created inside keeps its font, so a figure drawn here renders correctly later too.
    """
    with mpl.rc_context(_rc()):
        yield


def use_cjk_font() -> str:
    """Make every later figure use a CJK font (changes rcParams); returns the family chosen."""
    mpl.rcParams.update(_rc())
    return cjk_family()


# Family name of the font embedded in HTML pages; listed after the system CJK fonts, so a reader
# whose system has one sees it, and a reader whose system has none (a bare Linux box, a
# container) still sees Chinese instead of empty boxes.
EMBEDDED_FAMILY = "govdisclosure CJK"
_DATA_URI = re.compile(r"data:[a-z/+.-]+;base64,[A-Za-z0-9+/=]+")


def embed_cjk_font(page: str) -> str:
    """Add to an HTML page an ``@font-face`` with the packaged CJK font, cut to the page's characters.

    The whole Noto collection is 19 MB; the subset for one summary page is ~100 KB (WOFF, via
    fontTools, which matplotlib already depends on). Pages name ``EMBEDDED_FAMILY`` last in
    their font-family list. The page is returned unchanged if it has no ``</head>``.
    """
    from fontTools import subset
    from fontTools.ttLib import TTCollection, TTFont

    if "</head>" not in page:
        return page
    path = packaged_font_path()
    names = [face["name"].getDebugName(1) for face in TTCollection(path, lazy=True).fonts]
    font = TTFont(path, fontNumber=names.index(PACKAGED_FAMILY))
    chars = {ch for ch in _DATA_URI.sub("", page) if ord(ch) > 0x7F}
    options = subset.Options()
    options.flavor = "woff"
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(chars)))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    face = (f'<style>@font-face{{font-family:"{EMBEDDED_FAMILY}";'
            f'src:url(data:font/woff;base64,{data}) format("woff");}}</style>')
    return page.replace("</head>", face + "</head>", 1)
