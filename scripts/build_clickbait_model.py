"""Fit the headline clickbait model on CLICK-ID's unanimous headlines and write clickbait_model.json.

The library reads the JSON only (vocabulary, IDF, coefficients, intercept). Its figures, measured with folds
grouped by publisher, are in reports/quality_report.md (python -m screening.quality.evaluation).

    python scripts/build_clickbait_model.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screening.quality.clickbait import MODEL_PATH, fit_clickbait, unanimous_headlines  # noqa: E402


def main() -> None:
    titles, labels, _ = unanimous_headlines()
    model = fit_clickbait(titles, labels)
    data = model.to_json()
    data = {
        "about": "Clickbait headline model fitted by scripts/build_clickbait_model.py on the unanimous rows of"
        " CLICK-ID (A. William, Y. Sari, Data in Brief 32 (2020) 106231; CC BY 4.0).",
        **data,
    }
    MODEL_PATH.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{len(titles)} headlines ({sum(labels)} clickbait); {len(model.terms)} terms -> {MODEL_PATH}")


if __name__ == "__main__":
    main()
