"""Bring IndoSum ordinary news into training_data/indosum/ with the outlet fingerprints removed.

Usage: python scripts/import_indosum.py SOURCE.jsonl  (the IndoSum rows: id, text, summary, label, category,
source, source_url). Writes training_data/indosum/indosum_news.jsonl: for every article one row with the article
body (an `article`) and one with its human summary (a short genuine text, screened as a `post`), both marked
`corpus: "news"` (ordinary published reporting) and sharing the article's `source_url`, so that cross-validation
keeps an article and its summary, and every article of one outlet, on the same side of a split.

What is removed, and why: a classifier would otherwise learn "outlet name = genuine" (KIM articles carry their
own portal names instead). Removed are the outlet datelines that open an article ("Jakarta, CNN Indonesia --",
"Merdeka.com -", "Wamena (ANTARA News) -", "JAKARTA (Pos Kota) -", "JUARA.NET, TOKYO -"), the outlets'
own boilerplate lines ("SIMAK JUGA: ...", "BERITA MENARIK LAINNYA", DailySocial's "... adalah portal berita
startup ..."). No other word is changed; labels are as the source gives them (all `valid`).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "training_data" / "indosum" / "indosum_news.jsonl"

_DATELINE = re.compile(
    r"^\s*(?:"
    r"[^\n]{0,40}?CNN\s?Indonesia(?:\.com)?\s*[-–—]+"
    r"|(?:Merdeka|Suara)\.com\s*[-–—]+"
    r"|Rimanews\s*[-–—]+"
    r"|[^\n(]{0,40}\(\s*ANTARA(?: News)?\s*\)\s*[-–—]+"
    r"|[^\n(]{0,40}\(\s*Pos ?Kota\s*\)\s*[-–—]*"
    r"|JUARA\.NET\s*(?:,[^\n\-–—]{0,40})?[-–—]+"
    r"|[^\n,]{0,40},\s*JUARA\.net\s*[-–—]+"
    r")\s*",
    re.IGNORECASE,
)
_BOILERPLATE_LINE = re.compile(
    r"^\s*(?:SIMAK JUGA\b|BERITA MENARIK LAINNYA\b|Suara\.com\s*[-–—]*\s*$|DailySocial(?:\.id)? adalah portal berita)",
    re.IGNORECASE,
)


def clean(text: str) -> str:
    """The article without its outlet dateline and the outlets' boilerplate lines."""
    text = _DATELINE.sub("", text, count=1)
    lines = [line for line in text.split("\n") if not _BOILERPLATE_LINE.match(line)]
    return "\n".join(line for line in lines if line.strip()).strip()


def main(source: Path) -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with open(source, encoding="utf-8") as f, open(OUT, "w", encoding="utf-8") as out:
        for line in f:
            row = json.loads(line)
            base = {"label": row["label"], "source_url": row["source_url"], "corpus": "news"}
            base |= {"category": row["category"], "outlet": row["source"], "indosum_id": row["id"]}
            for part, text in (("article", clean(row["text"])), ("summary", clean(row["summary"]))):
                if text:
                    out.write(json.dumps({"text": text, **base, "part": part}, ensure_ascii=False) + "\n")
                    n += 1
    print(f"{n} rows -> {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
