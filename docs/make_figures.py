"""Regenerate the README's figures: the main job on the bundled samples, two of its figures kept.

    python docs/make_figures.py                  # data/samples → docs/figures/*.png

The figures are exactly the ones ``govdisclosure analyze data/samples`` writes (the README's first
command), copied from its ``figures/`` directory, so the README never shows a figure the job does
not make. ``--corpus DIR`` runs on another folder (the output names stay the same).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # a script: no display needed

from govdisclosure.corpus import GovDisclosureWarning
from govdisclosure.workflow import analyze

ROOT = Path(__file__).resolve().parents[1]
# Job figure name → file under docs/figures/.
README_FIGURES = {
    "channels_mix": "channels_mix.png",
    "channels_quantities": "channels_quantities.png",
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT / "data" / "samples")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "figures")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore", GovDisclosureWarning)  # failures are on the job's page
        result = analyze(args.corpus, tmp, cache=False, progress=False)
        for name, target in README_FIGURES.items():
            shutil.copyfile(result["figures"][name]["png"], args.out / target)


if __name__ == "__main__":
    main()
