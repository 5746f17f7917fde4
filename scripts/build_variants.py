"""Build govdisclosure/data/variants.tsv: traditional/variant character → simplified character.

Run by a developer when the map should change, not at install or import time. It asks OpenCC's
``t2s`` converter (``pip install opencc``) about every CJK unified ideograph one character at a
time and keeps the one-to-one changes, so that applying the map never changes a string's length
and character offsets stay valid (DESIGN.md §2). Seed report 000 writes 郟县 for 郏县: matching
agency and place names needs this.

    python scripts/build_variants.py
"""

from __future__ import annotations

from pathlib import Path

import opencc

OUT = Path(__file__).resolve().parents[1] / "govdisclosure" / "data" / "variants.tsv"


def _is_simplified_standard(char: str) -> bool:
    """True for characters of GB 2312, the simplified standard set.

    OpenCC maps 乾→干 and 著→着 because traditional texts use them so, but simplified texts use
    乾 (乾县, 乾安县) and 著 (著作) as characters of their own; GB 2312 lists them, 郟 and 後 it does not.
    """
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def main() -> None:
    converter = opencc.OpenCC("t2s")
    pairs = []
    for code in range(0x4E00, 0x9FFF + 1):
        char = chr(code)
        simple = converter.convert(char)
        if simple != char and len(simple) == 1 and not _is_simplified_standard(char):
            pairs.append((char, simple))
    with OUT.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("# traditional/variant → simplified, one character each; built by "
                 "scripts/build_variants.py from OpenCC t2s (Apache-2.0)\n")
        fh.write("variant\tsimplified\n")
        for char, simple in pairs:
            fh.write(f"{char}\t{simple}\n")
    print(f"{len(pairs)} pairs → {OUT}")


if __name__ == "__main__":
    main()
