"""Print, as a Markdown table, how much each rule moves the risk in a stored model (README's rule table).

Usage: python scripts/rule_effects.py [--models-dir models] [--version V]

Per rule: the weight the rules file declares (the prior, in log-odds per finding) and the coefficient the model
fitted per genre, with the factor one finding multiplies the odds of a hoax by (e^coefficient). Rule features are
log2(1 + findings), so three findings count twice one, and ten or more count 3.46 times one.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screening.doc import GENRES, STYLE_FEATURES  # noqa: E402
from screening.registry import ModelRegistry  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", type=Path, default=ROOT / "models")
    parser.add_argument("--version")
    args = parser.parse_args()
    trained = ModelRegistry(args.models_dir).load(args.version)
    model = trained.model
    n_style = len(STYLE_FEATURES)
    print(f"Model {trained.version}, rules {model.ruleset_version}.\n")
    print("| rule | category | declared | " + " | ".join(f"{g}: fitted (odds x)" for g in GENRES) + " |")
    print("| --- | --- | ---: | " + " | ".join("---:" for _ in GENRES) + " |")
    for j, rule in enumerate(model.rules.rules):
        cells = []
        for genre in GENRES:
            coef = float(model.genres[genre].combiner_coef[1 + n_style + j])
            cells.append(f"{coef:+.2f} (x{math.exp(coef):.2f})")
        print(f"| `{rule.id}` | {rule.category} | {rule.weight:+.1f} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
