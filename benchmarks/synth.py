"""Generate realistic synthetic corpora of annual reports, in every format the readers take.

Narrative: sentences of the bundled samples (and of ../shared/corpus when present) recombined
under the six headings. Tables: counts that satisfy every arithmetic rule, mostly zeros as at
township level, some in the hundreds as at city level. Formats: .txt (tab layout, seed 000),
.md (pipe layout, seed 002), .html (CMS page), .docx and .pdf (built by the test fixtures; a
few distinct files are built and then varied byte-wise, so that every file has its own hash and
a cold run really parses each one).

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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from distinct import SEED_PIPE, SEED_TAB, fill_seed  # noqa: E402 - test fixtures, by path

from govdisclosure.codebook import axis_codes, cell_pairs, read_package_csv  # noqa: E402

Cell = tuple[str, str, str]
CORPUS = ROOT.parent / "shared" / "corpus"
DEFAULT_MIX = {"txt": 35, "md": 15, "html": 30, "docx": 10, "pdf": 10}
_APPLICANTS = ("natural_person", "business", "research", "nonprofit", "legal_service", "other_org")
_SENTENCE = re.compile(r"[^。！？\n]{8,}[。！？]")


def sentence_pool() -> list[str]:
    """Narrative sentences from the samples and, when present, the development corpus."""
    texts = [SEED_TAB.read_text(encoding="utf-8"), SEED_PIPE.read_text(encoding="utf-8")]
    if CORPUS.is_dir():
        texts += [p.read_text(encoding="utf-8", errors="replace")
                  for p in sorted(CORPUS.glob("*.txt")) + sorted(CORPUS.glob("*.md"))]
    pool = {s.strip() for text in texts for s in _SENTENCE.findall(text)
            if "|" not in s and "\t" not in s}
    return sorted(pool)


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


def _vary_zip(data: bytes, i: int) -> bytes:
    """The same DOCX with its own ZIP comment, so that its hash differs."""
    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a") as zf:
        zf.comment = f"synthetic {i}".encode()
    return buf.getvalue()


def _vary_pdf(data: bytes, i: int) -> bytes:
    return data + f"\n% synthetic {i}\n".encode()


def generate(out: Path, n: int, *, seed: int = 0, mix: dict[str, int] | None = None,
             progress: Callable[[int], None] | None = None) -> list[Path]:
    """Write ``n`` reports under ``out``; returns their paths."""
    import fixtures_build as fb
    import pdf_fixture as pf

    rng = random.Random(seed)
    mix = mix or DEFAULT_MIX
    formats = rng.choices(list(mix), weights=list(mix.values()), k=n)
    pool = sentence_pool()
    out.mkdir(parents=True, exist_ok=True)
    docx_bases = [fb.docx_bytes(rule_satisfying_values(rng)) for _ in range(min(5, formats.count("docx")))]
    pdf_bases = [pf.build_report_pdf(rule_satisfying_values(rng)) for _ in range(min(3, formats.count("pdf")))]
    paths = []
    for i, fmt in enumerate(formats):
        path = out / f"r{i:06d}.{fmt}"
        values = rule_satisfying_values(rng)
        if fmt == "txt":
            path.write_text(text_report(SEED_TAB, values, rng, pool), encoding="utf-8")
        elif fmt == "md":
            path.write_text(text_report(SEED_PIPE, values, rng, pool), encoding="utf-8")
        elif fmt == "html":
            path.write_text(fb.cms_page(values, year=rng.randint(2021, 2025)), encoding="utf-8")
        elif fmt == "docx":
            path.write_bytes(_vary_zip(docx_bases[i % len(docx_bases)], i))
        else:
            path.write_bytes(_vary_pdf(pdf_bases[i % len(pdf_bases)], i))
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
