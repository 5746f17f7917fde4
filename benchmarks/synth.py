"""Generate realistic synthetic corpora of annual reports, in every format the readers take.

Narrative: sentences of the bundled samples (and of ../shared/corpus when present) recombined
under the six headings, in every format, about as long as in real reports (../shared/corpus:
2.3–6.6 thousand characters of section text, median 3.5). Tables: counts that satisfy every
arithmetic rule, mostly zeros as at township level, some in the hundreds as at city level.
Formats: .txt (tab layout, seed 000) and .md (pipe layout, seed 002) with their narrative lines
replaced; .html (CMS page), .docx and .pdf built by the test fixtures with recombined paragraphs
under each heading. Every .html file is built whole. A .docx costs ~0.7 s to build, so a few
bases (tables) are built with placeholder paragraphs that each file fills with its own narrative.
A .pdf costs ~1.2 s, so a pool of them (own tables, own narrative) is built and each file is one
of them varied byte-wise. Every file thus has its own hash, and a cold run really parses each one.

    python benchmarks/synth.py OUT_DIR --n 1000 [--seed 0] [--mix txt=35,md=15,html=30,docx=10,pdf=10]
"""

from __future__ import annotations

import argparse
import io
import random
import re
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from distinct import SEED_PIPE, SEED_TAB, fill_seed  # noqa: E402 - test fixtures, by path

from govdisclosure.codebook import axis_codes, cell_pairs, read_package_csv  # noqa: E402

Cell = tuple[str, str, str]
CORPUS = ROOT.parent / "shared" / "corpus"
DEFAULT_MIX = {"txt": 35, "md": 15, "html": 30, "docx": 10, "pdf": 10}
_APPLICANTS = ("natural_person", "business", "research", "nonprofit", "legal_service", "other_org")
_SENTENCE = re.compile(r"[^。！？\n]{8,}[。！？]")
# Paragraphs per section of one .html/.docx/.pdf report, drawn between these bounds, each of 2–6
# sentences as text_report writes a narrative line: ~9.5 paragraphs, ~2 thousand characters, as
# much narrative as the .txt reports carry; with the tables' text, 2.7–5 thousand characters of
# section text, between the .txt and the .md reports (and ../shared/corpus: 2.3–6.6, median 3.5).
NARRATIVE_PARAGRAPHS = {"overview": (3, 6), "proactive": (0, 1), "requests": (0, 1),
                        "appeals": (0, 1), "problems": (1, 3), "other": (1, 2)}
# A sentence that would open a paragraph as a heading does ("一、总体情况 2022年，…", "三.").
_HEADING_START = re.compile(r"^\s*(?:第\s*)?[一二三四五六七八九十]{1,2}\s*(?:部分)?\s*[、.．]")
# A section heading inside a sentence: the whole report flattened into one "sentence".
_HEADING_INSIDE = re.compile(r"[一二三四五六]\s*、\s*(?:总体情况|主动公开政府信息|收到和处理|政府信息公开行政复议"
                             r"|存在的主要问题|其他需要报告)")
_DOCX_MARK = "SYNTH-NARRATIVE-{}"


def sentence_pool() -> list[str]:
    """Narrative sentences from the samples and, when present, the development corpus."""
    texts = [SEED_TAB.read_text(encoding="utf-8"), SEED_PIPE.read_text(encoding="utf-8")]
    if CORPUS.is_dir():
        texts += [p.read_text(encoding="utf-8", errors="replace")
                  for p in sorted(CORPUS.glob("*.txt")) + sorted(CORPUS.glob("*.md"))]
    pool = {s.strip() for text in texts for s in _SENTENCE.findall(text)
            if "|" not in s and "\t" not in s}
    return sorted(pool)


def narrative_pool(pool: list[str]) -> list[str]:
    """The sentences that can stand in a narrative paragraph or line: none that starts like a
    heading (a short line "六、其他需要报告的事项2024年，…" would open that section early), holds
    one, carries Markdown marks or is page chrome, or runs over 300 characters (a table flattened
    into text)."""
    return [s for s in pool
            if not _HEADING_START.match(s) and not _HEADING_INSIDE.search(s)
            and "#" not in s and "*" not in s and "当前位置" not in s and len(s) <= 300]


def narrative(rng: random.Random, pool: list[str]) -> dict[str, list[str]]:
    """Paragraphs for each of the six sections of one report, recombined from ``pool``."""
    return {key: ["".join(rng.sample(pool, k=rng.randint(2, 6))) for _ in range(rng.randint(lo, hi))]
            for key, (lo, hi) in NARRATIVE_PARAGRAPHS.items()}


def rule_satisfying_values(rng: random.Random, template: str = "2021") -> dict[Cell, float]:
    """Table values that keep every rule; scale drawn so most reports are small."""
    scale = rng.choice([0, 0, 0, 1, 2, 5, 20, 100])
    values: dict[Cell, float] = {}
    for row, col in cell_pairs("proactive", template):
        values[("proactive", row, col)] = float(rng.randint(0, 30 * max(scale, 1)))
    values[("proactive", "fees", "fee_amount")] = round(rng.random() * 1000 * scale, 2)
    outcomes = [r for r in axis_codes("requests", "row", template)
                if r not in ("received", "carried_in", "total_processed", "carried_out")]
    for col in _APPLICANTS:
        weight = scale if col == "natural_person" else scale // 5
        for row in outcomes:
            values[("requests", row, col)] = float(rng.randint(0, weight))
        total = sum(values[("requests", r, col)] for r in outcomes)
        carried_in = float(rng.randint(0, weight))
        carried_out = float(rng.randint(0, weight))
        values[("requests", "total_processed", col)] = total
        values[("requests", "carried_in", col)] = carried_in
        values[("requests", "carried_out", col)] = carried_out
        values[("requests", "received", col)] = total + carried_out - carried_in
    for row in axis_codes("requests", "row", template):
        values[("requests", row, "total")] = sum(values[("requests", row, c)] for c in _APPLICANTS)
    for block in ("review", "litigation_direct", "litigation_after_review"):
        parts = [float(rng.randint(0, scale // 5)) for _ in range(4)]
        for col, value in zip(("upheld", "corrected", "other", "pending"), parts, strict=True):
            values[("appeals", block, col)] = value
        values[("appeals", block, "total")] = sum(parts)
    return values


def agency_name(rng: random.Random) -> str:
    counties = read_package_csv("regions.csv").query("level == 'county'")["name"].tolist()
    return f"{rng.choice(counties)}{rng.choice(['城关', '新华', '东风', '白庙', '欧庙', '河口'])}镇人民政府"


def text_report(seed_path: Path, values: dict[Cell, float], rng: random.Random, pool: list[str]) -> str:
    """A seed layout with its tables refilled and its narrative lines replaced by recombined ones."""
    text = fill_seed(seed_path.read_text(encoding="utf-8"), values)
    year = rng.randint(2021, 2025)
    lines = []
    for line in text.split("\n"):
        body = line.strip()
        is_heading = re.match(r"^[一二三四五六七]、|^[（(][一二三四五][)）]", body)
        if body and "\t" not in line and "|" not in line and not is_heading and len(body) > 30:
            line = "".join(rng.sample(pool, k=min(len(pool), rng.randint(2, 6))))
        lines.append(line)
    lines[0 if lines[0].strip() else 2] = f"{agency_name(rng)}{year}年政府信息公开工作年度报告"
    return "\n".join(lines)


def docx_base(values: dict[Cell, float], year: int) -> bytes:
    """A DOCX report with one placeholder paragraph per section, for :func:`docx_filled`."""
    import fixtures_build as fb

    return fb.docx_bytes(values, year=year,
                         narrative={key: [_DOCX_MARK.format(key)] for key in NARRATIVE_PARAGRAPHS})


def docx_filled(base: bytes, paragraphs: dict[str, list[str]]) -> bytes:
    """``base`` with each placeholder paragraph replaced by the section's paragraphs, written
    exactly as python-docx writes them (the placeholder's <w:p> with the text swapped)."""
    with zipfile.ZipFile(io.BytesIO(base)) as src:
        entries = [(info, src.read(info)) for info in src.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info, data in entries:
            if info.filename == "word/document.xml":
                xml = data.decode("utf-8")
                for key in NARRATIVE_PARAGRAPHS:
                    mark = _DOCX_MARK.format(key)
                    if xml.count(mark) != 1:
                        raise ValueError(f"DOCX base: placeholder {mark} found {xml.count(mark)} times")
                    at = xml.index(mark)
                    start = max(xml.rfind("<w:p>", 0, at), xml.rfind("<w:p ", 0, at))
                    end = xml.index("</w:p>", at) + len("</w:p>")
                    template = xml[start:end]
                    xml = xml[:start] + "".join(template.replace(mark, escape(p))
                                                for p in paragraphs.get(key, ())) + xml[end:]
                data = xml.encode("utf-8")
            dst.writestr(info, data)
    return out.getvalue()


def _vary_pdf(data: bytes, i: int) -> bytes:
    return data + f"\n% synthetic {i}\n".encode()


def generate(out: Path, n: int, *, seed: int = 0, mix: dict[str, int] | None = None,
             progress: Callable[[int], None] | None = None, docx_pool: int = 5, pdf_pool: int = 8,
             values_of: dict[Path, dict[Cell, float]] | None = None) -> list[Path]:
    """Write ``n`` reports under ``out``; returns their paths.

    ``docx_pool`` and ``pdf_pool`` bound the DOCX bases and the distinct PDFs built (see the module
    docstring). ``values_of``, when given, receives each file's table values (2021 template).
    """
    import fixtures_build as fb
    import pdf_fixture as pf

    rng = random.Random(seed)
    mix = mix or DEFAULT_MIX
    formats = rng.choices(list(mix), weights=list(mix.values()), k=n)
    pool = narrative_pool(sentence_pool())
    out.mkdir(parents=True, exist_ok=True)
    docx_bases = []
    for _ in range(min(docx_pool, formats.count("docx"))):
        values = rule_satisfying_values(rng)
        docx_bases.append((docx_base(values, rng.randint(2021, 2025)), values))
    pdf_bases = []
    for _ in range(min(pdf_pool, formats.count("pdf"))):
        values = rule_satisfying_values(rng)
        pdf_bases.append((pf.build_report_pdf(values, narrative=narrative(rng, pool)), values))
    paths = []
    for i, fmt in enumerate(formats):
        path = out / f"r{i:06d}.{fmt}"
        values = rule_satisfying_values(rng)
        if fmt == "txt":
            path.write_text(text_report(SEED_TAB, values, rng, pool), encoding="utf-8")
        elif fmt == "md":
            path.write_text(text_report(SEED_PIPE, values, rng, pool), encoding="utf-8")
        elif fmt == "html":
            path.write_text(fb.cms_page(values, year=rng.randint(2021, 2025),
                                        narrative=narrative(rng, pool)), encoding="utf-8")
        elif fmt == "docx":
            base, values = docx_bases[i % len(docx_bases)]
            path.write_bytes(docx_filled(base, narrative(rng, pool)))
        else:
            base, values = pdf_bases[i % len(pdf_bases)]
            path.write_bytes(_vary_pdf(base, i))
        if values_of is not None:
            values_of[path] = values
        paths.append(path)
        if progress:
            progress(i)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mix", default=",".join(f"{k}={v}" for k, v in DEFAULT_MIX.items()))
    args = parser.parse_args()
    mix = {k: int(v) for k, v in (part.split("=") for part in args.mix.split(","))}
    paths = generate(args.out, args.n, seed=args.seed, mix=mix)
    print(f"{len(paths)} reports written to {args.out}")


if __name__ == "__main__":
    main()
